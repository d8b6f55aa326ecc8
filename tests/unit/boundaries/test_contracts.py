"""The context map is a contract the build enforces (`make lint` runs lint-imports with
the contracts in pyproject.toml). Each contract passes on the real tree and fails on a
copy of it with one deliberately wrong import; and the API packages run no ORM query,
which imports alone cannot show."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("shared_domain", "sync_service", "async_service", "worker_service")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        # Wide enough that no contract name is wrapped in the report.
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "COLUMNS": "500"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tree / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "templates"),
        )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_every_contract_is_kept_on_the_real_tree():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout
    assert "Contracts: 16 kept, 0 broken." in result.stdout


# (file to add a line to, the wrong import, the contract that must catch it)
VIOLATIONS = [
    (
        "shared_domain/catalog/vocabulary.py",
        "import sync_service.urls",
        "The domain imports no deployable",
    ),
    (
        "worker_service/relay.py",
        "import async_service.urls",
        "The deployables do not import each other",
    ),
    (
        "sync_service/api/tasks.py",
        "from shared_domain.accounts import models",
        "The API packages reach the domain through services and selectors, never models",
    ),
    (
        "async_service/api/catalog.py",
        "import shared_domain.common.models",
        "The API packages reach the domain through services and selectors, never models",
    ),
    (
        "shared_domain/inventory/selectors.py",
        "import shared_domain.catalog.selectors",
        "Bounded contexts form layers without cycles (higher may call lower)",
    ),
    (
        "shared_domain/common/audit.py",
        "import shared_domain.accounts.selectors",
        "Bounded contexts form layers without cycles (higher may call lower)",
    ),
    (
        "shared_domain/accounts/selectors.py",
        "import shared_domain.web.bearer",
        "Bounded contexts form layers without cycles (higher may call lower)",
    ),
    (
        "shared_domain/catalog/vocabulary.py",
        "import shared_domain.accounts.models",
        "Only accounts imports accounts.models: other contexts use its services and selectors",
    ),
    (
        "shared_domain/web/bearer.py",
        "import shared_domain.catalog.models",
        "Only catalog imports catalog.models: other contexts use its services and selectors",
    ),
    (
        "shared_domain/orders/selectors/settlement.py",
        "import shared_domain.payments.models",
        "Only payments imports payments.models: other contexts use its services and selectors",
    ),
    (
        "shared_domain/payments/selectors.py",
        "import shared_domain.orders.models",
        "Only orders imports orders.models: other contexts use its services and selectors",
    ),
    (
        "sync_service/api/tasks.py",
        "import shared_domain.payments.models",
        "The API packages reach the domain through services and selectors, never models",
    ),
    (
        "shared_domain/orders/selectors/settlement.py",
        "import shared_domain.sizing.models",
        "Only sizing imports sizing.models: other contexts use its services and selectors",
    ),
    (
        "async_service/api/catalog.py",
        "import shared_domain.sizing.models",
        "The API packages reach the domain through services and selectors, never models",
    ),
    (
        "shared_domain/catalog/selectors/related.py",
        "import shared_domain.discovery.models",
        "Only discovery imports discovery.models: other contexts use its services and selectors",
    ),
    (
        "shared_domain/discovery/selectors.py",
        "import shared_domain.catalog.models",
        "Only catalog imports catalog.models: other contexts use its services and selectors",
    ),
    (
        "async_service/api/catalog.py",
        "import shared_domain.discovery.models",
        "The API packages reach the domain through services and selectors, never models",
    ),
    (
        "async_service/api/sizing.py",
        "import shared_domain.sizing.photos",
        "Photos and the estimator are reached through sizing's services, never directly",
    ),
    (
        "shared_domain/sizing/blending.py",
        "import shared_domain.sizing.selectors",
        "The fit rules (scoring, blending, vectors, conversion) reach no database: make eval "
        "runs them as they are",
    ),
]


@pytest.mark.parametrize(("path", "line", "contract"), VIOLATIONS)
def test_a_wrong_import_breaks_its_contract(tree_copy, path, line, contract):
    target = tree_copy / path
    original = target.read_text()
    target.write_text(f"{original}\n{line}  # noqa\n")
    try:
        result = _lint(tree_copy)
    finally:
        target.write_text(original)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout[-3000:]


# ---------------------------------------------------------------------- no ORM in APIs
API_PACKAGES = ("sync_service/api", "async_service/api")
ORM_ATTRIBUTES = {"objects", "select_for_update", "raw", "extra", "annotate", "aggregate"}


def _orm_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ORM_ATTRIBUTES
    ]


def test_the_api_packages_run_no_orm_queries():
    found = [
        use
        for pkg in API_PACKAGES
        for p in sorted((ROOT / pkg).rglob("*.py"))
        for use in _orm_uses(p)
    ]
    assert found == []
