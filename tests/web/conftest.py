"""Fixtures shared by the web tests."""

from __future__ import annotations

from typing import Any

import pytest

from actives.web.accounts.models import ApiToken


@pytest.fixture
def headers(member_a: Any) -> dict[str, str]:
    """An Authorization header with a fresh API token of company A's member."""
    _token, raw = ApiToken.issue(member_a, "tests")
    return {"Authorization": f"Bearer {raw}"}
