"""Email addresses as the accounts context stores and compares them (no models here:
other layers, such as the rate limits keyed by email, use it too)."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively; we store them lower-cased and trimmed."""
    return email.strip().lower()
