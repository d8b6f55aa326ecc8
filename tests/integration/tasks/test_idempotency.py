import threading

import pytest
from django.db import connection, transaction

from shared_domain.common.idempotency import once, try_advisory_xact_lock
from shared_domain.common.models import IdempotencyKey
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_once_runs_the_block_the_first_time_only():
    runs = []
    for _ in range(3):
        with once("receipt:1") as first:
            if first:
                runs.append(1)
    assert runs == [1]


def test_a_failed_block_does_not_burn_the_key():
    def charge():
        with once("charge:9") as first:
            assert first
            raise RuntimeError("provider down")

    with pytest.raises(RuntimeError):
        charge()
    assert not IdempotencyKey.objects.filter(key="charge:9").exists()
    with once("charge:9") as first:
        assert first


def test_concurrent_runs_do_the_work_once():
    done = []

    def worker() -> None:
        with once("email:42") as first:
            if first:
                done.append(1)

    assert race(*[worker] * 5) == [None] * 5  # none raised
    assert done == [1]


def test_advisory_lock_excludes_other_transactions():
    seen = []

    def other():
        try:
            with transaction.atomic():
                seen.append(try_advisory_xact_lock("report:vendor:7"))
        finally:
            connection.close()

    with transaction.atomic():
        assert try_advisory_xact_lock("report:vendor:7")
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert seen == [False]


def test_advisory_xact_lock_needs_a_transaction():
    with pytest.raises(RuntimeError):
        try_advisory_xact_lock("x")
