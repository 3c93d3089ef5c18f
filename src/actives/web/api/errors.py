"""The one place where exceptions become HTTP answers with a stable body ``{"detail", "code"}``.

Our library errors map by class (the most specific class wins); ninja's own validation, parse and
auth errors are rewritten into the same shape, so API clients parse one format.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from actives import errors as e

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[e.ActivesError], int] = {
    e.InvalidInputError: 422,
    e.InvalidFileError: 400,
    e.PayloadTooLargeError: 413,
    e.NotFoundError: 404,
    e.ConflictError: 409,
    e.PermissionDeniedError: 403,
    e.ConfigurationError: 503,
}


# ninja's terse messages, said in full.
PLAIN_MESSAGES = {
    "Cannot parse request body": (
        "Cannot parse the request body: expected a JSON object sent with "
        "Content-Type: application/json."
    ),
}


def status_for(error: e.ActivesError) -> int:
    """HTTP status for an error: the entry of its nearest class in ``STATUS_BY_ERROR``."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def _describe_validation(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "payload", "query", "path")]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) if parts else "Invalid request."


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers on ``api``."""

    def body(
        request: HttpRequest, detail: str, code: str, status: int, **extra: Any
    ) -> HttpResponse:
        return api.create_response(
            request, {"detail": detail, "code": code, **extra}, status=status
        )

    @api.exception_handler(e.ActivesError)
    def actives_error(request: HttpRequest, exc: e.ActivesError) -> HttpResponse:
        return body(request, exc.message, exc.code, status_for(exc))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {k: v for k, v in err.items() if k in ("loc", "msg", "type")} for err in exc.errors
        ]
        return body(request, _describe_validation(errors), "invalid_input", 422, errors=errors)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return body(
            request,
            "Authentication required: send 'Authorization: Bearer <token>' or sign in.",
            "not_authenticated",
            401,
        )

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return body(request, str(exc.message), "permission_denied", 403)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 405: "bad_method"}
        detail = PLAIN_MESSAGES.get(str(exc.message), str(exc.message))
        return body(request, detail, codes.get(exc.status_code, "error"), exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return body(request, str(exc) or "Not found.", "not_found", 404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return body(request, str(exc) or "Not allowed for your role.", "permission_denied", 403)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        reference = uuid.uuid4().hex[:12]
        logger.exception("unexpected API error, reference %s", reference)
        return body(
            request,
            f"Internal error; the administrators can find it in the log under reference "
            f"{reference}.",
            "internal_error",
            500,
            reference=reference,
        )
