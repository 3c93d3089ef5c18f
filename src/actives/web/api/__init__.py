"""The JSON API under /api/ (django-ninja): one NinjaAPI, one error handler, routers per app."""

from actives.web.api.app import api

__all__ = ["api"]
