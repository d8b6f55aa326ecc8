"""Helpers that make at-least-once tasks safe to run twice.

`once(key)` — exactly-once *effects* for database work: the key is inserted in the
same transaction as the work, so either both commit or neither does, and a second
run with the same key does nothing:

    with once(f"receipt:{order_id}") as first:
        if first:
            ...  # send, write, charge: done at most once

`try_advisory_xact_lock(name)` — mutual exclusion across processes and hosts for the
length of the current transaction (PostgreSQL advisory lock; no Redis needed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from shared_domain.common.models import IdempotencyKey


@contextmanager
def once(key: str) -> Iterator[bool]:
    """Yield True the first time `key` is seen (the block's work commits with the
    key), False if a committed run already used it."""
    if len(key) > 255:
        raise ValueError("idempotency keys are at most 255 characters")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO common_idempotencykey (key, created_at) VALUES (%s, now()) "
                "ON CONFLICT (key) DO NOTHING",
                [key],
            )
            first = cursor.rowcount == 1
        yield first


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for an advisory lock name."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def try_advisory_xact_lock(name: str) -> bool:
    """Take the transaction-scoped lock `name` if free; must run inside atomic()."""
    if not connection.in_atomic_block:
        raise RuntimeError("advisory transaction locks need an open transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id(name)])
        row = cursor.fetchone()
    return bool(row and row[0])


def forget_keys_older_than(days: int) -> int:
    from datetime import timedelta

    from django.utils import timezone

    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted
