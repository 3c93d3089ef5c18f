"""Home, module pages and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from actives.web.accounts.models import current_user
from actives.web.core.modules import MODULES, get_module
from actives.web.jobs.models import Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the modules and the user's recent jobs."""
    jobs = Job.objects.visible_to(current_user(request)).select_related("company")[:5]
    return render(request, "core/home.html", {"modules": MODULES, "jobs": jobs})


@login_required
def module_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A module that has not landed yet says what it will do, instead of a dead link."""
    module = get_module(slug)
    if module is None:
        raise Http404(_("There is no module called “%(slug)s”.") % {"slug": slug})
    if module.url_name:
        return redirect(module.url_name)
    return render(request, "core/module.html", {"module": module})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Missing or stale CSRF token: explain it in words, not Django's debug page."""
    message = _(
        "The form could not be accepted because its security token is missing or has expired. "
        "Reload the page and submit the form again. If this keeps happening, allow cookies "
        "for this site."
    )
    return render(
        request,
        "core/error.html",
        {"title": _("Form expired (403)"), "message": message, "reason": reason},
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 page that does not tell whether the record exists in another company."""
    message = _("This page does not exist, or it belongs to a company you are not a member of.")
    return render(
        request, "core/error.html", {"title": _("Not found (404)"), "message": message}, status=404
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page."""
    message = (
        str(exception)
        if exception and str(exception)
        else _("Your role does not allow this action. Ask a centre manager if you need access.")
    )
    return render(
        request,
        "core/error.html",
        {"title": _("Not allowed (403)"), "message": message},
        status=403,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 page."""
    return render(
        request,
        "core/error.html",
        {"title": _("Bad request (400)"), "message": _("The request could not be understood.")},
        status=400,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500 page, rendered without a request context so it cannot fail itself."""
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render(), status=500)
