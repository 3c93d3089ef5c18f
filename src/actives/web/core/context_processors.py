"""Template context shared by every page: platform version and the module navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from actives import __version__
from actives.web.core.modules import MODULES


def platform(request: HttpRequest) -> dict[str, Any]:
    """Version and navigation for the base layout."""
    return {"actives_version": __version__, "platform_modules": MODULES}
