"""Boot the real deployables (gunicorn, uvicorn, the worker) behind the Caddy ingress
on free ports, against a database of their own, once per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.localstack.backing import database_url_for, drop_database, ensure_database
from deploy.localstack.stack import AppStack, Ports, manage
from tests.embedded import redis_url_with_db


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the stack's development mailer writes every email it sends."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def e2e_env(mail_dir: Path) -> Iterator[dict[str, str]]:
    base_url = os.environ["DATABASE_URL"]
    name = f"fashionistar_e2e_{uuid.uuid4().hex[:8]}"
    admin = database_url_for(base_url, "postgres")
    ensure_database(admin, name)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database_url_for(base_url, name),
        REDIS_URL=redis_url_with_db(os.environ["REDIS_URL"], 14),
        APP_ENV="test",
        LOG_LEVEL="INFO",
        MAIL_BACKEND="file",
        MAIL_FILE_PATH=str(mail_dir),
    )
    manage(["migrate", "--noinput", "-v", "0"], env=env)
    try:
        yield env
    finally:
        drop_database(admin, name)


@pytest.fixture(scope="session")
def stack(e2e_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppStack]:
    run_dir: Path = tmp_path_factory.mktemp("stack")
    app = AppStack(ports=Ports.free(), env=e2e_env, run_dir=run_dir, log_dir=run_dir / "logs")
    app.start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="session")
def ingress(stack: AppStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.ports.base_url, timeout=10) as client:
        yield client
