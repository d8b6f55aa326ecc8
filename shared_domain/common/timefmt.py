"""The one timestamp format of both APIs (and of what they stream): ISO 8601 in UTC,
always with microseconds and a `Z` — `2026-11-26T17:45:05.123456Z`. Fixed width, so
clients can compare them as strings, and lossless, so a value read back is the one
stored."""

from __future__ import annotations

from datetime import UTC, datetime

# strftime pattern of the format, for serializers that take one (DRF's DATETIME_FORMAT).
API_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime(API_DATETIME_FORMAT)
