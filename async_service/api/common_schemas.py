"""Schemas shared by every v2 router."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorDetailOut(Schema):
    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="Human-readable explanation.")
    details: dict[str, Any] = Field(
        description="Per-field messages for validation errors, or extra facts about the error."
    )


class ErrorOut(Schema):
    error: ErrorDetailOut
