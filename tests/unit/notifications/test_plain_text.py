"""Every email's plain-text part (and subject) shows names as written: no HTML entities
there, while the HTML part stays escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared_domain.notifications.services import email_render

TEMPLATES = Path("shared_domain/notifications/templates/notifications/email")
NAMES = sorted(
    p.name.removesuffix(".txt")
    for p in TEMPLATES.glob("*.txt")
    if not p.name.endswith(".subject.txt")
)
TRICKY = """O'Neil & "Sons" <Ltd>"""
ENTITIES = ("&#x27;", "&#39;", "&amp;", "&quot;", "&lt;", "&gt;")


def _context() -> dict[str, object]:
    item = {"title": TRICKY, "size": "M", "colour": TRICKY, "quantity": 1, "line_total": "1.00"}
    return {
        "name": TRICKY,
        "code": "123456",
        "minutes": 10,
        "how": "change",
        "changed": [TRICKY],
        "number": "FS-261126-ABCDEFGH",
        "items": [item],
        "total": "1.00",
        "amount": "1.00",
        "currency": "NGN",
        "provider": TRICKY,
        "reference": TRICKY,
        "expires_at": datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    }


def test_every_email_template_is_covered():
    assert {"verification_code", "password_changed", "payout_changed"} <= set(NAMES)


@pytest.mark.parametrize("template", NAMES)
def test_plain_text_parts_carry_no_html_entities(template):
    subject, text, html = email_render(template=template, context=_context())
    for part in (subject, text):
        assert not [entity for entity in ENTITIES if entity in part], part
    if TRICKY in html.replace("&#x27;", "'").replace("&amp;", "&").replace("&quot;", '"').replace(
        "&lt;", "<"
    ).replace("&gt;", ">"):
        # The HTML part shows the name too: it must be escaped there.
        assert TRICKY not in html
        assert "O&#x27;Neil &amp; &quot;Sons&quot; &lt;Ltd&gt;" in html
    if "name" in (TEMPLATES / f"{template}.txt").read_text():
        assert TRICKY in text
