"""A page's report template printed to a PDF download, the same way for every module.

Printing needs WeasyPrint and Pango (:mod:`actives.reports.pdf`); when they are missing the user
gets the reason on the error page with 503, never a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from actives.errors import ActivesError


def pdf_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    filename: str,
    *,
    disposition: str = "attachment",
) -> HttpResponse:
    """``template`` rendered with ``context`` and printed; ``filename`` names the download."""
    from actives.reports.pdf import html_to_pdf

    try:
        pdf = html_to_pdf(render_to_string(template, context, request=request))
    except ActivesError as exc:
        return render(
            request,
            "core/error.html",
            {"title": _("PDF not available"), "message": exc.message},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
