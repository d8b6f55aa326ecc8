"""The PgBouncer harness reads both kinds of DATABASE_URL the project uses."""

from deploy.localstack import pgbouncer


def test_embedded_socket_url():
    assert pgbouncer._server("postgresql://postgres@/fashionistar?host=/srv/data/pg") == {
        "host": "/srv/data/pg",
        "port": "5432",
        "user": "postgres",
        "password": "",
        "database": "fashionistar",
    }


def test_tcp_url_with_a_password():
    assert pgbouncer._server("postgresql://app:s%40cret@127.0.0.1:5433/shop") == {
        "host": "127.0.0.1",
        "port": "5433",
        "user": "app",
        "password": "s@cret",
        "database": "shop",
    }
