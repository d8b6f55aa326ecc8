"""Templated emails (plain text + HTML) sent through Django's configured mailer
(settings.MAILERS). Called from tasks on the `emails` queue, never inline in a request.

Each email is three templates under notifications/email/: `<name>.subject.txt`,
`<name>.txt` and `<name>.html`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.template.loader import get_template, render_to_string


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    base = f"notifications/email/{template}"
    merged = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(_render_plain(f"{base}.subject.txt", merged).split())
    return (
        subject,
        _render_plain(f"{base}.txt", merged),
        render_to_string(f"{base}.html", merged),
    )


def _render_plain(name: str, context: dict[str, Any]) -> str:
    """A plain-text part: autoescaping is for HTML, and in text it would show a name
    like O'Neil & Sons as O&#x27;Neil &amp; Sons."""
    # The Django engine's own Template underneath the backend wrapper takes a Context.
    template: Template = get_template(name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def email_send(*, to: str, template: str, context: dict[str, Any]) -> None:
    subject, text, html = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
