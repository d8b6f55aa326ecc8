"""Reading what the stack's development mailer wrote (one file per email)."""

from __future__ import annotations

import re
import time
from pathlib import Path


def verification_code(mail_dir: Path, email: str, timeout: float = 30.0) -> str:
    """The newest verification code the worker emailed to `email`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            text = path.read_text(errors="replace")
            if f"To: {email}" in text:
                found = re.search(r"Subject: (\d{6}) is your Fashionistar verification code", text)
                if found:
                    return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no verification email to {email} within {timeout}s")
