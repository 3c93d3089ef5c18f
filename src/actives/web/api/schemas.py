"""API schemas shared by the routers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema


class ErrorOut(Schema):
    """Every error answer: a sentence for people and a stable code for programs."""

    detail: str
    code: str


class HealthCheckOut(Schema):
    name: str
    ok: bool
    detail: str
    fix: str
    required: bool


class HealthOut(Schema):
    status: str
    version: str


class CompanyOut(Schema):
    id: int
    name: str
    name_ko: str
    is_active: bool


class MeOut(Schema):
    username: str
    email: str
    role: str
    is_centre_staff: bool
    company: CompanyOut | None


class MemberOut(Schema):
    username: str
    role: str


class CompanyDetailOut(CompanyOut):
    members: list[MemberOut]


class JobOut(Schema):
    id: UUID
    kind: str
    title: str
    status: str
    progress_done: float
    progress_total: float | None
    progress_percent: float | None
    progress_message: str
    company_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error_code: str
    error_message: str
    result: Any | None


class JobSubmitIn(Schema):
    kind: str
    params: dict[str, Any] = {}
    title: str = ""


class JobKindOut(Schema):
    id: str
    label: str
    staff_only: bool
