"""A context owns its SQL: the catalog never names another context's tables or stock
columns (imports are checked by the import contracts, tests/unit/boundaries)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_catalog_never_names_another_context_s_table_or_stock_columns():
    # Stock columns are reached through inventory selectors (in_stock_q, available_units).
    tables = ("accounts_", "inventory_", "stock__", '"stock"')
    for path in sorted((ROOT / "shared_domain/catalog").rglob("*.py")):
        if "migrations" not in path.parts:
            text = path.read_text()
            assert not any(table in text for table in tables), path
