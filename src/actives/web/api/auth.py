"""API authentication: a bearer token (``Authorization: Bearer act_...``) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from actives.web.accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    """Bearer tokens issued on the profile page or by ``actives users token``."""

    openapi_description = "API token from your profile page: `Authorization: Bearer act_...`"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF is checked for unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [TokenAuth(), ActiveSessionAuth()]


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (auth has already run)."""
    auth = getattr(request, "auth", None)
    user = auth if isinstance(auth, User) else request.user
    assert isinstance(user, User)
    return user
