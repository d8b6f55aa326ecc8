"""Templated emails (plain text + HTML) sent through Django's configured mailer
(settings.MAILERS). Called from tasks on the `emails` queue, never inline in a request.

Each email is three templates under notifications/email/: `<name>.subject.txt`,
`<name>.txt` and `<name>.html`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    base = f"notifications/email/{template}"
    merged = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{base}.subject.txt", merged).split())
    return (
        subject,
        render_to_string(f"{base}.txt", merged),
        render_to_string(f"{base}.html", merged),
    )


def email_send(*, to: str, template: str, context: dict[str, Any]) -> None:
    subject, text, html = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
