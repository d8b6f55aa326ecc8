"""The context map of the catalog, checked: inventory and accounts sit below the
catalog and never import it; the catalog reaches them only through their services and
selectors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _imports(package: str, pattern: str = "*.py") -> list[tuple[str, str]]:
    """(file, imported module) for every import in the modules of `package` (those
    whose names match `pattern`)."""
    found = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob(pattern)):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                found += [(str(path.relative_to(ROOT)), name) for name in names]
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
    return found


def _offending(package: str, allowed: tuple[str, ...], forbidden: str) -> list[tuple[str, str]]:
    return [
        (path, name)
        for path, name in _imports(package)
        if (name == forbidden or name.startswith(forbidden + "."))
        and not any(name == ok or name.startswith(ok + ".") for ok in allowed)
    ]


@pytest.mark.parametrize("lower", ["shared_domain.inventory", "shared_domain.accounts"])
def test_lower_contexts_never_import_the_catalog(lower):
    assert _offending(lower, (), "shared_domain.catalog") == []


def test_catalog_uses_inventory_only_through_its_services_and_selectors():
    allowed = (
        "shared_domain.inventory.services",
        "shared_domain.inventory.selectors",
        "shared_domain.inventory.errors",
    )
    assert _offending("shared_domain.catalog", allowed, "shared_domain.inventory") == []


def test_catalog_reads_accounts_only_through_its_selectors():
    allowed = ("shared_domain.accounts.selectors", "shared_domain.accounts.errors")
    offending = _offending("shared_domain.catalog", allowed, "shared_domain.accounts")
    # The demo data command seeds vendor and customer accounts along with the catalog.
    assert [o for o in offending if not o[0].endswith("seed_demo.py")] == []


def test_catalog_never_names_another_context_s_table_or_stock_columns():
    # Stock columns are reached through inventory selectors (in_stock_q, available_units).
    tables = ("accounts_", "inventory_", "stock__", '"stock"')
    for path in sorted((ROOT / "shared_domain/catalog").rglob("*.py")):
        if "migrations" not in path.parts:
            text = path.read_text()
            assert not any(table in text for table in tables), path


@pytest.mark.parametrize(
    ("package", "pattern"),
    [
        ("sync_service.api.catalog", "*.py"),
        ("sync_service.api.backoffice", "*.py"),
        ("async_service.api", "catalog*.py"),
    ],
)
def test_catalog_apis_import_no_models(package, pattern):
    models = [
        (path, name)
        for path, name in _imports(package, pattern)
        if name.startswith("shared_domain.") and ".models" in name
    ]
    assert models == []
