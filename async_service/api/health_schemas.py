from __future__ import annotations

from ninja import Schema


class HealthOut(Schema):
    status: str
    service: str


class ReadinessOut(Schema):
    status: str
    service: str
    checks: dict[str, str]
