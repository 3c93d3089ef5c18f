"""Request-size limit: refuse an oversized body before anything reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from actives.errors import PayloadTooLargeError


class RequestSizeLimitMiddleware:
    """Answer 413 with a clear message when Content-Length exceeds ACTIVES_MAX_UPLOAD_MB.

    It runs first, so nothing is parsed, stored or half-written for a refused request. Bodies
    sent without a Content-Length are bounded by Django's own DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.MAX_UPLOAD_BYTES)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            error = PayloadTooLargeError(length, limit)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": error.message, "code": error.code}, status=413)
            return render(
                request,
                "core/error.html",
                {"title": "413", "message": error.message},
                status=413,
            )
        return self.get_response(request)
