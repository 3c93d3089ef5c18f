"""Shared fixtures: companies, users of every role, and signed-in clients."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("ACTIVES_ENV", "test")
os.environ.setdefault("ACTIVES_HOME", str(Path(__file__).resolve().parent.parent / "var" / "test"))

import pytest  # noqa: E402
from django.test import Client  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def company_a(db: None):
    from actives.web.accounts.models import Company

    return Company.objects.create(name="Jeju Botanicals", name_ko="제주보태니컬")


@pytest.fixture
def company_b(db: None):
    from actives.web.accounts.models import Company

    return Company.objects.create(name="Gangwon Naturals", name_ko="강원내추럴")


def _make_user(username: str, role: str, company: object | None = None):
    from actives.web.accounts.models import User

    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, company=company, email=f"{username}@ex.kr"
    )


@pytest.fixture
def member_a(company_a):
    return _make_user("minji", "member", company_a)


@pytest.fixture
def member_b(company_b):
    return _make_user("junho", "member", company_b)


@pytest.fixture
def analyst(db: None):
    return _make_user("analyst", "analyst")


@pytest.fixture
def manager(db: None):
    return _make_user("manager", "manager")


@pytest.fixture
def client_a(member_a) -> Client:
    client = Client()
    client.force_login(member_a)
    return client


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client
