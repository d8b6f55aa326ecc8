"""The context map, checked: the contexts do not depend on the web plumbing, the
domain does not depend on any deployable, and the account-facing API modules reach
the domain through services and selectors only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONTEXTS = ["accounts", "catalog", "inventory", "notifications", "common"]
DEPLOYABLES = ("sync_service", "async_service", "worker_service")
ACCOUNT_API_MODULES = [
    "async_service/api/accounts.py",
    "async_service/api/accounts_schemas.py",
    "async_service/api/security.py",
    "async_service/api/health.py",
    "async_service/api/tasks.py",
    "sync_service/api/accounts/serializers.py",
    "sync_service/api/accounts/views.py",
    "sync_service/api/accounts/urls.py",
    "sync_service/api/auth.py",
    "sync_service/api/permissions.py",
    "sync_service/api/health.py",
    "sync_service/api/tasks.py",
]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("context", CONTEXTS)
def test_no_context_imports_the_web_package(context):
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules(ROOT / "shared_domain" / context)
        if any(name.startswith("shared_domain.web") for name in _imports(path))
    ]
    assert offenders == []


def test_the_domain_imports_no_deployable():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules(ROOT / "shared_domain")
        if any(name.startswith(DEPLOYABLES) for name in _imports(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("module", ACCOUNT_API_MODULES)
def test_account_api_modules_import_no_models(module):
    names = _imports(ROOT / module)
    assert not [n for n in names if n.split(".")[-1] == "models" or ".models." in n]
