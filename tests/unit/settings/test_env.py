import pytest
from django.core.exceptions import ImproperlyConfigured

from shared_domain.settings.env import env_bool, env_int, env_list, parse_database_url


def test_parse_tcp_database_url():
    db = parse_database_url("postgresql://app:s%40cret@db.internal:6432/shop?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("shop", "app", "s@cret")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "6432")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_parse_unix_socket_database_url():
    db = parse_database_url("postgresql://postgres@/fashionistar?host=/work/.data/pg")
    assert db["HOST"] == "/work/.data/pg"
    assert db["NAME"] == "fashionistar"
    assert db["OPTIONS"] == {}


@pytest.mark.parametrize("url", ["mysql://x@h/db", "postgresql://x@h/", "sqlite:///db"])
def test_unsupported_database_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url)


def test_env_bool(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 1, minimum=0)
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.delenv("HOSTS")
    assert env_list("HOSTS", ["x"]) == ["x"]
