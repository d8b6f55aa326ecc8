"""Settings of the three deployables, loaded in fresh interpreters so that module-level
environment reading is exercised as in production."""

import hashlib
import hmac
import importlib
import json
import os
import subprocess
import sys

import pytest

STRONG_SECRET = "k" * 20 + "Q7!x" * 10
SERVICES = ["sync_service", "async_service", "worker_service"]
PAYMENT_KEYS = {
    "PAYSTACK_SECRET_KEY": "sk_live_" + "a1" * 20,
    "STRIPE_SECRET_KEY": "sk_live_" + "b2" * 20,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "c3" * 16,
}
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "api.example.com",
    **PAYMENT_KEYS,
}


def _load(service, **env):
    code = """
import json, django
from django.conf import settings as s
django.setup()
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG,
    "hsts": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "ssl": getattr(s, "SECURE_SSL_REDIRECT", False),
    "service": s.SERVICE_NAME,
    "pgbouncer": db["DISABLE_SERVER_SIDE_CURSORS"],
    "max_age": db["CONN_MAX_AGE"],
    "pool": "pool" in db["OPTIONS"],
    "server_side_binding": db["OPTIONS"].get("server_side_binding", False),
    "prepare_threshold": db["OPTIONS"].get("prepare_threshold"),
}))
"""
    unset = {
        "DEBUG",
        "SECRET_KEY",
        "APP_ENV",
        "JWT_SIGNING_KEY",
        "PAYMENT_PROVIDERS",
        *PAYMENT_KEYS,
        "DB_PGBOUNCER",
        "DB_SERVER_SIDE_BINDING",
        "DB_PREPARE_THRESHOLD",
    }
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": f"{service}.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("service", SERVICES)
def test_production_refuses_debug(service):
    result = _load(
        service,
        APP_ENV="production",
        DEBUG="true",
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="api.example.com",
    )
    assert result.returncode != 0
    assert "DEBUG=true is refused" in result.stderr


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "secret", [None, "short", "insecure-development-only-key-never-use-it-in-production"]
)
def test_production_refuses_a_default_or_weak_secret(service, secret):
    env = {"APP_ENV": "production", "ALLOWED_HOSTS": "api.example.com"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = _load(service, **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("key", ["secret", "x" * 40, "0123456789abcdef", STRONG_SECRET[:31]])
def test_production_refuses_a_weak_jwt_signing_key(service, key):
    result = _load(service, **{**PRODUCTION, "JWT_SIGNING_KEY": key})
    assert result.returncode != 0
    assert "JWT_SIGNING_KEY" in result.stderr


def test_production_accepts_a_strong_jwt_signing_key_or_none():
    strong = "Zr8!qL2#vW5@nK0%tY3^" * 2
    for key in (strong, ""):
        result = _load("sync_service", **{**PRODUCTION, "JWT_SIGNING_KEY": key})
        assert result.returncode == 0, result.stderr


def test_production_requires_allowed_hosts():
    result = _load(
        "sync_service", APP_ENV="production", SECRET_KEY=STRONG_SECRET, ALLOWED_HOSTS=""
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_production_settings_load_with_security_on(service):
    result = _load(service, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["debug"] is False
    assert loaded["hsts"] >= 31_536_000
    assert loaded["ssl"] is True
    assert loaded["service"] == service.removesuffix("_service")


def _derived(secret, purpose):
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("name", list(PAYMENT_KEYS))
def test_production_refuses_a_missing_payment_key(service, name):
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    result = _load(service, **env)
    assert result.returncode != 0
    assert f"APP_ENV=production needs {name}" in result.stderr


@pytest.mark.parametrize(
    ("name", "purpose"),
    [
        ("PAYSTACK_SECRET_KEY", "paystack-secret"),
        ("STRIPE_SECRET_KEY", "stripe-secret"),
        ("STRIPE_WEBHOOK_SECRET", "stripe-webhook"),
    ],
)
def test_production_refuses_a_payment_key_derived_from_the_secret_key(name, purpose):
    result = _load("sync_service", **{**PRODUCTION, name: _derived(STRONG_SECRET, purpose)})
    assert result.returncode != 0
    assert f"APP_ENV=production needs {name}" in result.stderr


def test_production_refuses_a_short_or_blank_payment_key():
    for value in ("", "   ", "sk_test_x"):
        result = _load("sync_service", **{**PRODUCTION, "STRIPE_WEBHOOK_SECRET": value})
        assert result.returncode != 0, value
        assert "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_a_provider_left_out_of_payment_providers_needs_no_keys():
    only_paystack = {k: v for k, v in PRODUCTION.items() if not k.startswith("STRIPE_")}
    result = _load("sync_service", **only_paystack, PAYMENT_PROVIDERS="paystack")
    assert result.returncode == 0, result.stderr
    refused = _load("sync_service", **only_paystack)
    assert refused.returncode != 0
    assert "STRIPE_SECRET_KEY" in refused.stderr


def test_payment_providers_must_be_known_ones():
    result = _load("sync_service", PAYMENT_PROVIDERS="paystack,paypal")
    assert result.returncode != 0
    assert "PAYMENT_PROVIDERS names paypal" in result.stderr


def test_pool_means_conn_max_age_zero_and_pgbouncer_disables_server_side_cursors():
    loaded = json.loads(_load("sync_service", DB_PGBOUNCER="true").stdout)
    assert loaded == {**loaded, "pool": True, "max_age": 0, "pgbouncer": True}


@pytest.mark.parametrize(
    ("env", "binding", "threshold"),
    [
        ({}, True, 5),
        ({"DB_PGBOUNCER": "true"}, True, None),  # prepared statements need max_prepared_statements
        ({"DB_PGBOUNCER": "true", "DB_PREPARE_THRESHOLD": "3"}, True, 3),
        ({"DB_PREPARE_THRESHOLD": ""}, True, None),
        ({"DB_SERVER_SIDE_BINDING": "false"}, False, None),
    ],
)
def test_server_side_binding_and_prepared_statements(env, binding, threshold):
    result = _load("sync_service", **env)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert (loaded["server_side_binding"], loaded["prepare_threshold"]) == (binding, threshold)


def test_debug_is_off_by_default():
    assert json.loads(_load("async_service").stdout)["debug"] is False


def test_async_service_runs_every_middleware_natively_on_the_event_loop():
    """Async-capable is not enough: Django's MiddlewareMixin runs its hooks on a
    thread in ASGI. Every v2 middleware must have its own coroutine path."""
    from django.utils.deprecation import MiddlewareMixin
    from django.utils.module_loading import import_string

    settings_module = importlib.import_module("async_service.settings")
    for dotted in settings_module.MIDDLEWARE:
        middleware = import_string(dotted)
        assert getattr(middleware, "async_capable", False), f"{dotted} is sync-only"
        if issubclass(middleware, MiddlewareMixin):
            assert middleware.__acall__ is not MiddlewareMixin.__acall__, f"{dotted} hops threads"


def test_silencing_django_security_checks_needs_the_equivalents(settings):
    from async_service.checks import silenced_security_checks_have_equivalents

    settings.SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W003"]
    settings.MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
    errors = silenced_security_checks_have_equivalents()
    assert {e.id for e in errors} == {"fashionistar.E001", "fashionistar.E002"}
    settings.MIDDLEWARE = ["async_service.middleware.AsyncSecurityMiddleware"]
    assert silenced_security_checks_have_equivalents() == []


def _async_settings_probe(code):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "async_service.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_async_service_registers_its_security_check():
    out = _async_settings_probe(
        "from django.core.checks.registry import registry\n"
        "from async_service.checks import silenced_security_checks_have_equivalents as c\n"
        "print(c in registry.get_checks(include_deployment_checks=True))"
    )
    assert out.strip() == "True"


def test_test_settings_exempt_what_the_async_service_exempts(settings):
    out = _async_settings_probe(
        "import json\nfrom django.conf import settings as s\n"
        "print(json.dumps([s.THROTTLE_EXEMPT_PREFIXES, s.ADMIN_LOGIN_PATH]))"
    )
    prefixes, admin_login = json.loads(out)
    assert set(prefixes) <= set(settings.THROTTLE_EXEMPT_PREFIXES)
    assert admin_login is None
