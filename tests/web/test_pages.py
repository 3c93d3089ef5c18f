"""Pages: login, language, company scoping, CSRF, upload limit, tokens and error pages."""

import pytest
from django.test import Client, override_settings

from actives.web.accounts.models import ApiToken
from actives.web.jobs.models import Job
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_for_anonymous_users() -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in to Actives" in response.content


def test_pages_require_login() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wrong_password_gets_a_clear_message_and_no_session(member_a) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "minji", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_login_then_dashboard(member_a) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "minji", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert b"Welcome, minji" in response.content
    assert b"Jeju Botanicals" in response.content


def test_missing_csrf_token_is_explained(member_a) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "minji", "password": PASSWORD})
    assert response.status_code == 403
    assert b"security token is missing or has expired" in response.content
    assert "_auth_user_id" not in client.session


def test_language_switch_to_korean(client_a) -> None:
    response = client_a.post("/i18n/setlang/", {"language": "ko", "next": "/"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="ko">' in text
    assert "대시보드" in text and "환영합니다" in text


def test_member_is_refused_another_companys_page(client_a, company_a, company_b) -> None:
    assert client_a.get(f"/companies/{company_a.pk}/").status_code == 200
    response = client_a.get(f"/companies/{company_b.pk}/")
    assert response.status_code == 404
    assert b"belongs to a company you are not a member of" in response.content
    listing = client_a.get("/companies/").content.decode()
    assert "Jeju Botanicals" in listing and "Gangwon Naturals" not in listing


def test_member_is_refused_another_companys_job(client_a, company_b) -> None:
    job = Job.objects.create(kind="system_check", title="secret", company=company_b)
    assert client_a.get(f"/jobs/{job.pk}/").status_code == 404
    assert b"secret" not in client_a.get("/jobs/").content


def test_staff_see_every_company(analyst_client, company_a, company_b) -> None:
    listing = analyst_client.get("/companies/").content.decode()
    assert "Jeju Botanicals" in listing and "Gangwon Naturals" in listing
    assert analyst_client.get(f"/companies/{company_b.pk}/").status_code == 200


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_oversized_upload_is_refused_before_anything_is_stored(client_a, member_a) -> None:
    response = client_a.post("/accounts/profile/", {"name": "x" * 4000})
    assert response.status_code == 413
    assert b"larger than the limit" in response.content
    assert not ApiToken.objects.filter(user=member_a).exists()


def test_token_is_shown_once_and_can_be_revoked(client_a, member_a) -> None:
    response = client_a.post("/accounts/profile/", {"name": "LIMS export"})
    raw = response.context["new_token"]
    assert raw.startswith("act_") and raw.encode() in response.content
    token = ApiToken.objects.get(user=member_a)
    assert token.token_hash != raw and raw not in token.hint + token.name
    assert raw.encode() not in client_a.get("/accounts/profile/").content
    client_a.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(user=member_a).exists()


def test_token_form_rejects_an_empty_name(client_a, member_a) -> None:
    response = client_a.post("/accounts/profile/", {"name": "   "})
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not ApiToken.objects.filter(user=member_a).exists()


def test_cannot_revoke_someone_elses_token(client_a, member_b) -> None:
    token, _ = ApiToken.issue(member_b, "theirs")
    assert client_a.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_modules_not_yet_built_say_so(client_a) -> None:
    response = client_a.get("/modules/studies/")
    assert response.status_code == 200
    assert b"not available in this version yet" in response.content
    assert client_a.get("/modules/nonsense/").status_code == 404
    built = client_a.get("/modules/safety/")  # a built module sends you to its pages
    assert built.status_code == 302 and built["Location"].startswith("/safety/")
    regulation = client_a.get("/modules/formulas/")
    assert regulation.status_code == 302 and regulation["Location"] == "/formulas/"
    assays = client_a.get("/modules/assays/")
    assert assays.status_code == 302 and assays["Location"] == "/assays/"


def test_members_cannot_start_staff_jobs(client_a) -> None:
    response = client_a.post("/jobs/system-check/", follow=True)
    assert b"Only centre staff" in response.content
    assert not Job.objects.exists()


def test_job_status_panel_for_htmx(analyst_client, company_a) -> None:
    job = Job.objects.create(
        kind="system_check", title="check", progress_done=3, progress_total=4, status="running"
    )
    response = analyst_client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert 'id="job-status"' in text and "<html" not in text
    assert "75 %" in text and 'hx-trigger="every 2s"' in text


def test_admin_shows_companies_and_their_history(company_a) -> None:
    from actives.web.accounts.models import Role, User

    admin = User.objects.create_user("boss", password=PASSWORD, role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    assert b"Jeju Botanicals" in client.get("/admin/accounts/company/").content
    history = client.get(f"/admin/accounts/company/{company_a.pk}/history/")
    assert history.status_code == 200


def test_members_cannot_open_the_admin(client_a) -> None:
    response = client_a.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def test_manager_registers_a_company_and_a_member(manager_client) -> None:
    from actives.web.accounts.models import Company, User

    response = manager_client.post(
        "/companies/new/",
        {"name": "Andong Herbs", "name_ko": "안동허브", "contact_email": "lab@andong.example"},
        follow=True,
    )
    assert b"Andong Herbs" in response.content
    company = Company.objects.get(name="Andong Herbs")
    assert company.history.first().history_user.username == "manager"

    response = manager_client.post(
        f"/companies/{company.pk}/members/new/",
        {
            "username": "sora",
            "email": "sora@andong.example",
            "password1": "Ginseng-root-2026",
            "password2": "Ginseng-root-2026",
        },
        follow=True,
    )
    assert b"sora can now sign in" in response.content
    sora = User.objects.get(username="sora")
    assert sora.company == company and sora.role == "member"
    client = Client()
    assert client.login(username="sora", password="Ginseng-root-2026")
    assert client.get(f"/companies/{company.pk}/").status_code == 200


def test_duplicate_company_is_refused_and_nothing_changes(manager_client, company_a) -> None:
    from actives.web.accounts.models import Company

    response = manager_client.post("/companies/new/", {"name": "Jeju Botanicals"})
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert Company.objects.filter(name="Jeju Botanicals").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "username": "",
                "email": "a@b.kr",
                "password1": "Xy-12345678",
                "password2": "Xy-12345678",
            },
            b"This field is required",
        ),
        (
            {
                "username": "new",
                "email": "not-an-email",
                "password1": "Xy-12345678",
                "password2": "Xy-12345678",
            },
            b"Enter a valid email address",
        ),
        (
            {
                "username": "new",
                "email": "a@b.kr",
                "password1": "Xy-12345678",
                "password2": "other",
            },
            b"didn\xe2\x80\x99t match",
        ),
        (
            {"username": "new", "email": "a@b.kr", "password1": "123", "password2": "123"},
            b"too short",
        ),
        (
            {
                "username": "minji",
                "email": "a@b.kr",
                "password1": "Xy-12345678",
                "password2": "Xy-12345678",
            },
            b"already exists",
        ),
    ],
)
def test_bad_member_forms_are_explained(manager_client, member_a, company_a, data, message) -> None:
    from actives.web.accounts.models import User

    before = User.objects.count()
    response = manager_client.post(f"/companies/{company_a.pk}/members/new/", data)
    assert response.status_code == 200
    assert message in response.content
    assert User.objects.count() == before


def test_members_and_analysts_cannot_register(client_a, analyst_client, company_a) -> None:
    from actives.web.accounts.models import Company

    for client in (client_a, analyst_client):
        response = client.post("/companies/new/", {"name": "Sneaky Co"})
        assert response.status_code == 403
        assert b"Only centre managers" in response.content
        url = f"/companies/{company_a.pk}/members/new/"
        assert client.get(url).status_code == 403
    assert not Company.objects.filter(name="Sneaky Co").exists()
