"""The JSON API: authentication, scoping, the stable error body, OpenAPI and jobs."""

import json

import pytest
from django.test import Client, override_settings

from actives.web.accounts.models import ApiToken
from actives.web.jobs.models import Job

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {raw}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_health_needs_no_login() -> None:
    response = Client().get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_schema_is_served() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Actives API"
    assert "/api/jobs" in schema["paths"] and "/api/companies/{company_id}" in schema["paths"]


def test_api_docs_use_local_assets() -> None:
    html = Client().get("/api/docs").content.decode()
    assert "cdn." not in html and "unpkg" not in html


def test_unauthenticated_requests_get_401() -> None:
    assert_error(Client().get("/api/me"), 401, "not_authenticated")
    assert_error(
        Client().get("/api/me", headers={"Authorization": "Bearer act_forged"}),
        401,
        "not_authenticated",
    )


def test_token_auth(member_a) -> None:
    response = Client().get("/api/me", headers=_bearer(member_a))
    assert response.status_code == 200
    assert response.json()["company"]["name"] == "Jeju Botanicals"
    assert ApiToken.objects.get(user=member_a).last_used_at is not None


def test_token_of_inactive_user_is_refused(member_a) -> None:
    headers = _bearer(member_a)
    member_a.is_active = False
    member_a.save()
    assert_error(Client().get("/api/me", headers=headers), 401, "not_authenticated")


def test_session_auth(client_a) -> None:
    assert client_a.get("/api/me").json()["username"] == "minji"


def test_companies_are_scoped(member_a, company_a, company_b) -> None:
    headers = _bearer(member_a)
    names = [c["name"] for c in Client().get("/api/companies", headers=headers).json()]
    assert names == ["Jeju Botanicals"]
    assert Client().get(f"/api/companies/{company_a.pk}", headers=headers).status_code == 200
    assert_error(Client().get(f"/api/companies/{company_b.pk}", headers=headers), 404, "not_found")


def test_malformed_json_body_gets_400(analyst) -> None:
    response = Client().post(
        "/api/jobs", data="{kind: ", content_type="application/json", headers=_bearer(analyst)
    )
    body = assert_error(response, 400, "bad_request")
    assert "expected a JSON object" in body["detail"]
    assert not Job.objects.exists()


def test_invalid_body_gets_422_naming_the_field(analyst) -> None:
    response = Client().post(
        "/api/jobs",
        data=json.dumps({"params": "not-a-dict"}),
        content_type="application/json",
        headers=_bearer(analyst),
    )
    body = assert_error(response, 422, "invalid_input")
    assert "kind" in body["detail"] and "params" in body["detail"]
    assert {tuple(e["loc"])[-1] for e in body["errors"]} >= {"kind", "params"}


def test_unknown_job_kind_lists_the_known_ones(analyst) -> None:
    response = Client().post(
        "/api/jobs",
        data=json.dumps({"kind": "make_coffee"}),
        content_type="application/json",
        headers=_bearer(analyst),
    )
    body = assert_error(response, 422, "unknown_job_kind")
    assert "system_check" in body["detail"]


def test_members_may_not_start_staff_jobs(member_a) -> None:
    response = Client().post(
        "/api/jobs",
        data=json.dumps({"kind": "system_check"}),
        content_type="application/json",
        headers=_bearer(member_a),
    )
    assert_error(response, 403, "permission_denied")
    assert not Job.objects.exists()


def test_bad_job_id_gets_422_and_unknown_gets_404(member_a) -> None:
    headers = _bearer(member_a)
    assert_error(Client().get("/api/jobs/not-a-uuid", headers=headers), 422, "invalid_input")
    assert_error(
        Client().get("/api/jobs/00000000-0000-0000-0000-000000000000", headers=headers),
        404,
        "not_found",
    )


def test_other_companys_job_is_404(member_a, company_b) -> None:
    job = Job.objects.create(kind="system_check", title="theirs", company=company_b)
    headers = _bearer(member_a)
    assert_error(Client().get(f"/api/jobs/{job.pk}", headers=headers), 404, "not_found")
    assert Client().get("/api/jobs", headers=headers).json() == []


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_oversized_body_gets_413(analyst) -> None:
    response = Client().post(
        "/api/jobs",
        data=json.dumps({"kind": "system_check", "title": "x" * 5000}),
        content_type="application/json",
        headers=_bearer(analyst),
    )
    assert_error(response, 413, "payload_too_large")
    assert not Job.objects.exists()


def test_session_post_without_csrf_is_refused(analyst) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(
        "/api/jobs", data=json.dumps({"kind": "system_check"}), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert not Job.objects.exists()


def test_job_kinds_are_listed(member_a) -> None:
    kinds = Client().get("/api/jobs/kinds", headers=_bearer(member_a)).json()
    assert {"id": "system_check", "label": "System check", "staff_only": True} in kinds
