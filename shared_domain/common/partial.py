"""Partial updates: `UNSET` is the default of a keyword argument the caller may leave
out, because None can be a real value (clearing a field)."""

from __future__ import annotations

from typing import Any

UNSET: Any = object()
