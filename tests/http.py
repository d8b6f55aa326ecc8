"""Small helpers for tests that talk to the APIs through Django's test clients."""

from __future__ import annotations

import json
from typing import Any

from tests.factories import PASSWORD


def post(client: Any, path: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json", headers=headers)


async def apost(client: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return await client.post(path, data=raw, content_type="application/json", headers=headers)


def error(response: Any) -> dict[str, Any]:
    """The error of a response, after checking it has the one error body."""
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    return dict(body["error"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: Any, user: Any, password: str = PASSWORD) -> dict[str, Any]:
    response = post(client, "/api/v1/auth/login", {"email": user.email, "password": password})
    assert response.status_code == 200, response.content
    return dict(response.json())
