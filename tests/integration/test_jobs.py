"""Background jobs end to end: submit, run on the database worker, report progress and errors."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from actives.errors import InvalidInputError
from actives.progress import Progress
from actives.web.jobs.models import Job, JobStatus
from actives.web.jobs.registry import register_job_kind
from actives.web.jobs.runner import JobProgressReporter, submit_job

pytestmark = pytest.mark.django_db


@register_job_kind("test_fails_cleanly", "Fails with a user error")
def _fails_cleanly(params: dict[str, Any], progress: Progress) -> None:
    progress(1, 4, "parsing")
    raise InvalidInputError("Row 3: 'C1CC' is not a valid SMILES; expected a closed ring.")


@register_job_kind("test_crashes", "Crashes")
def _crashes(params: dict[str, Any], progress: Progress) -> None:
    raise ZeroDivisionError("division by zero")


@register_job_kind("test_counts", "Counts")
def _counts(params: dict[str, Any], progress: Progress) -> dict[str, int]:
    n = int(params["n"])
    for i in range(n):
        progress(i + 1, n, f"item {i + 1}")
    return {"counted": n}


# The worker closes connections that are inside a transaction (PostgreSQL), as in production,
# so tests that run it use real transactions.
worker_db = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*")


@worker_db
def test_system_check_runs_on_the_worker(analyst) -> None:
    job = submit_job("system_check", {}, analyst)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_result_id
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error_message
    names = {c["name"] for c in job.result["checks"]}
    assert {"database", "migrations", "versions"} <= names
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert job.percent == 100.0


@worker_db
def test_user_errors_are_stored_with_their_message(member_a) -> None:
    job = submit_job("test_fails_cleanly", {}, member_a)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_code == "invalid_input"
    assert "not a valid SMILES" in job.error_message
    assert job.company == member_a.company


@worker_db
def test_unexpected_errors_fail_the_job_not_the_worker(member_a) -> None:
    crash = submit_job("test_crashes", {}, member_a)
    fine = submit_job("test_counts", {"n": 3}, member_a)
    run_worker()
    crash.refresh_from_db()
    fine.refresh_from_db()
    assert crash.status == JobStatus.FAILED and crash.error_code == "internal_error"
    assert "ZeroDivisionError" in crash.error_message
    assert fine.status == JobStatus.DONE and fine.result == {"counted": 3}


def test_progress_reaches_the_api(member_a, company_a) -> None:
    job = Job.objects.create(kind="test_counts", title="t", company=company_a, status="running")
    report = JobProgressReporter(job.pk)
    report(2, 8, "second of eight")
    client = Client()
    client.force_login(member_a)
    body = client.get(f"/api/jobs/{job.pk}").json()
    assert body["progress_percent"] == 25.0
    assert body["progress_message"] == "second of eight"
    assert body["status"] == "running"


def test_progress_writes_are_throttled_but_the_last_one_lands(company_a) -> None:
    job = Job.objects.create(kind="test_counts", title="t", company=company_a)
    report = JobProgressReporter(job.pk)
    report(1, 100, "first")
    report(2, 100, "second, throttled")
    job.refresh_from_db()
    assert job.progress_message == "first"
    report(100, 100, "finished")
    job.refresh_from_db()
    assert job.progress_done == 100 and job.progress_message == "finished"


@worker_db
def test_a_job_runs_once(member_a) -> None:
    from actives.web.jobs.runner import run_job

    job = submit_job("test_counts", {"n": 1}, member_a)
    run_worker()
    run_job.call(str(job.pk))  # a duplicate delivery must not run it again
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 1}


def test_first_start_queues_a_pack_build_once(tmp_path, monkeypatch) -> None:
    from pathlib import Path

    from actives.cli import platform_commands
    from actives.config import Settings
    from actives.web.accounts.models import Role, User

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    settings = Settings(home=tmp_path, raw_data=raw)
    monkeypatch.setattr(platform_commands, "get_settings", lambda: settings)
    User.objects.create_user("root", password="x" * 12, role=Role.ADMIN)
    platform_commands._queue_first_pack_build()
    platform_commands._queue_first_pack_build()  # a second start while it is queued
    jobs = Job.objects.filter(kind="build_data_pack")
    assert jobs.count() == 1 and jobs.get().status == JobStatus.QUEUED

    no_raw = Settings(home=tmp_path / "other", raw_data=tmp_path / "nowhere")
    monkeypatch.setattr(platform_commands, "get_settings", lambda: no_raw)
    Job.objects.all().delete()
    platform_commands._queue_first_pack_build()
    assert not Job.objects.exists()
