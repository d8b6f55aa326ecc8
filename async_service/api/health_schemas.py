from __future__ import annotations

from ninja import Field, Schema


class HealthOut(Schema):
    status: str
    service: str


class ReadinessOut(Schema):
    status: str
    service: str
    checks: dict[str, str]
    degraded: bool = Field(description="A dependency other than the database is down.")
