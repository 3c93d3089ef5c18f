"""Helpers shared by the JSON API tests: JSON posts and 200 checks (the ``headers`` fixture with a
member's bearer token is in tests/web/conftest.py)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def post(url: str, body: Any, headers: dict[str, str]) -> Any:
    """POST a JSON body (or a raw string, to test broken JSON)."""
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(url, data, content_type="application/json", headers=headers)


def ok(response: Any) -> Any:
    """The JSON of a 200 answer (the body is shown when it is not 200)."""
    assert response.status_code == 200, response.content
    return response.json()
