"""Start Django inside a CLI command (the CLI is a shell over the library and the web app)."""

from __future__ import annotations

import os

import typer

from actives.errors import ConfigurationError


def setup_django() -> None:
    """Configure Django with the platform settings; report configuration errors plainly."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "actives.web.settings")
    import django

    try:
        django.setup()
    except ConfigurationError as exc:
        typer.secho(f"Configuration error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
