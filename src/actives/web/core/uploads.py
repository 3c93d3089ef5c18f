"""Checks every upload form shares: the file's suffix and size, before anything is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from actives.errors import format_bytes


def check_upload(upload: UploadedFile[Any] | None, suffixes: tuple[str, ...], limit: int) -> None:
    """Refuse a file by its suffix or size before anything is stored."""
    if upload is None:
        return
    name = Path(upload.name or "").name
    if not name.lower().endswith(suffixes):
        raise forms.ValidationError(
            _("%(name)s: expected a file ending in %(suffixes)s."),
            params={"name": name or _("the upload"), "suffixes": ", ".join(suffixes)},
            code="bad_suffix",
        )
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            _("%(name)s is %(size)s; expected at most %(limit)s."),
            params={"name": name, "size": format_bytes(upload.size), "limit": format_bytes(limit)},
            code="too_large",
        )
