"""First-run set-up: the first administrator account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from actives.config import Settings
from actives.web.accounts.models import Role, User


@dataclass(frozen=True)
class AdminBootstrap:
    """What :func:`ensure_admin` did; ``password`` is set only when it generated one."""

    created: bool
    username: str
    password: str | None


@transaction.atomic
def ensure_admin(config: Settings) -> AdminBootstrap:
    """Create the first administrator if no user exists yet.

    Uses ACTIVES_ADMIN_USERNAME / _EMAIL / _PASSWORD; without a password, generates one and
    returns it so that the caller can print it once.
    """
    if User.objects.exists():
        return AdminBootstrap(created=False, username=config.admin_username, password=None)
    given = config.admin_password.get_secret_value() if config.admin_password else ""
    password = given or secrets.token_urlsafe(12)
    User.objects.create_user(
        username=config.admin_username,
        email=config.admin_email,
        password=password,
        role=Role.ADMIN,
    )
    return AdminBootstrap(
        created=True, username=config.admin_username, password=None if given else password
    )
