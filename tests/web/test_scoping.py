"""The company-scoping rule that every operational model inherits."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404

from actives.web.accounts.models import Company, Role, User
from actives.web.accounts.scoping import company_for_new_record, get_visible_or_404
from actives.web.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(company_a, company_b, analyst):
    return {
        "a": Job.objects.create(kind="system_check", title="A's job", company=company_a),
        "b": Job.objects.create(kind="system_check", title="B's job", company=company_b),
        "centre": Job.objects.create(kind="system_check", title="internal", company=None),
    }


def test_member_sees_only_own_company_records(member_a, jobs) -> None:
    visible = set(Job.objects.visible_to(member_a).values_list("title", flat=True))
    assert visible == {"A's job"}


def test_centre_staff_see_every_record(analyst, manager, jobs) -> None:
    for staff in (analyst, manager):
        assert Job.objects.visible_to(staff).count() == 3


def test_anonymous_and_inactive_users_see_nothing(member_a, jobs) -> None:
    assert not Job.objects.visible_to(AnonymousUser()).exists()
    member_a.is_active = False
    assert not Job.objects.visible_to(member_a).exists()
    assert not jobs["a"].is_visible_to(member_a)


def test_member_without_company_sees_nothing(jobs) -> None:
    orphan = User.objects.create_user("orphan", password="x" * 12)  # member role, no company
    assert not Job.objects.visible_to(orphan).exists()


def test_record_level_rule_matches_queryset_rule(member_a, analyst, jobs) -> None:
    for job in jobs.values():
        in_queryset = Job.objects.visible_to(member_a).filter(pk=job.pk).exists()
        assert job.is_visible_to(member_a) is in_queryset
        assert job.is_visible_to(analyst)


def test_get_visible_or_404_hides_other_companies(member_a, jobs) -> None:
    assert get_visible_or_404(Job.objects.all(), member_a, pk=jobs["a"].pk) == jobs["a"]
    with pytest.raises(Http404):
        get_visible_or_404(Job.objects.all(), member_a, pk=jobs["b"].pk)
    with pytest.raises(Http404):
        get_visible_or_404(Job.objects.all(), member_a, pk=jobs["centre"].pk)


def test_companies_follow_the_same_rule(member_a, analyst, company_a, company_b) -> None:
    assert list(Company.objects.visible_to(member_a)) == [company_a]
    assert set(Company.objects.visible_to(analyst)) == {company_a, company_b}


def test_new_records_belong_to_the_creators_company(member_a, analyst, company_a) -> None:
    assert company_for_new_record(member_a) == company_a
    assert company_for_new_record(analyst) is None


def test_role_and_company_must_agree(company_a) -> None:
    with pytest.raises(ValidationError, match="must belong to a company"):
        User(username="x", role=Role.COMPANY_MEMBER).clean()
    with pytest.raises(ValidationError, match="do not belong to a client company"):
        User(username="y", role=Role.CENTRE_ANALYST, company=company_a).clean()


def test_admin_role_grants_admin_site_access(db) -> None:
    admin = User.objects.create_user("root2", password="x" * 12, role=Role.ADMIN)
    assert (
        admin.is_staff and admin.is_superuser and admin.is_centre_staff and admin.is_centre_manager
    )


def test_changes_are_recorded_in_the_audit_trail(company_a, member_a) -> None:
    company_a.contact_email = "qa@jeju.example"
    company_a.save()
    history = company_a.history.all()
    assert history.count() == 2
    assert history.first().contact_email == "qa@jeju.example"
    job = Job.objects.create(kind="system_check", title="t", company=company_a)
    job.title = "renamed"
    job.save()
    assert [h.title for h in job.history.all()] == ["renamed", "t"]
