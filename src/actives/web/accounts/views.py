"""Pages for the signed-in user (profile, API tokens) and for companies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actives.web.accounts.forms import ApiTokenForm, CompanyForm, MemberForm
from actives.web.accounts.models import ApiToken, Company, User, current_user
from actives.web.jobs.models import Job


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own page: role, company and API tokens (a new token is shown once)."""
    user = current_user(request)
    new_token: str | None = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = ApiToken.issue(user, form.cleaned_data["name"])
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = ApiTokenForm()
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "tokens": user.api_tokens.all(), "new_token": new_token},
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Delete one of the user's own API tokens."""
    token = get_object_or_404(ApiToken, pk=token_id, user=current_user(request))
    token.delete()
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("profile")


@login_required
def company_list(request: HttpRequest) -> HttpResponse:
    """Companies the user may see: every client for centre staff, their own for members."""
    companies = Company.objects.visible_to(current_user(request)).prefetch_related("members")
    return render(request, "accounts/company_list.html", {"companies": companies})


@login_required
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    """One company: members and its recent jobs. Another company's page answers 404."""
    user = current_user(request)
    company = get_object_or_404(Company.objects.visible_to(user), pk=company_id)
    jobs = Job.objects.visible_to(user).filter(company=company)[:10]
    return render(
        request,
        "accounts/company_detail.html",
        {"company": company, "members": company.members.order_by("username"), "jobs": jobs},
    )


def _require_manager(user: User) -> None:
    if not user.is_centre_manager:
        raise PermissionDenied(_("Only centre managers can register companies and members."))


@login_required
def company_create(request: HttpRequest) -> HttpResponse:
    """Register a client company (centre managers)."""
    _require_manager(current_user(request))
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            company = form.save()
        messages.success(request, _("Company “%(name)s” registered.") % {"name": company.name})
        return redirect("company_detail", company_id=company.pk)
    return render(request, "accounts/company_form.html", {"form": form})


@login_required
def member_create(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add a member to a company (centre managers); the member sees only that company."""
    user = current_user(request)
    _require_manager(user)
    company = get_object_or_404(Company.objects.visible_to(user), pk=company_id)
    form = MemberForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            member = form.save()
        messages.success(
            request,
            _("%(user)s can now sign in as a member of %(company)s.")
            % {"user": member.username, "company": company.name},
        )
        return redirect("company_detail", company_id=company.pk)
    return render(request, "accounts/member_form.html", {"form": form, "company": company})
