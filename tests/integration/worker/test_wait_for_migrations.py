"""`manage.py wait_for_migrations`, the init container that holds a release's pods until
its migrations are applied."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from shared_domain.common.management.commands import wait_for_migrations

pytestmark = pytest.mark.django_db(transaction=True)


def test_returns_at_once_on_a_migrated_database():
    out = io.StringIO()
    call_command("wait_for_migrations", "--timeout", "0", stdout=out)
    assert wait_for_migrations.unapplied_migrations() == []
    assert "all migrations applied" in out.getvalue()


def test_waits_then_fails_while_a_migration_is_missing(monkeypatch):
    checks = []

    def pending(alias: str = "default") -> list[str]:
        checks.append(alias)
        return ["orders.0099_not_yet"]

    monkeypatch.setattr(wait_for_migrations, "unapplied_migrations", pending)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"orders\.0099_not_yet"):
        call_command("wait_for_migrations", "--timeout", "0.2", "--interval", "0.05", stdout=out)
    assert len(checks) >= 2
    assert "waiting for 1 migration(s)" in out.getvalue()
