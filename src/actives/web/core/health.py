"""Health checks shared by ``actives doctor``, the system-check job and /api/health.

Each check says what it found and, when something is missing, the command that fixes it.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from actives import __version__
from actives.config import get_settings
from actives.progress import Progress, silent_progress

PACKAGES = ("django", "django-ninja", "django-tasks-db", "django-simple-history", "pydantic")
OPTIONAL_PACKAGES = ("rdkit", "duckdb", "lightgbm", "torch")


@dataclass(frozen=True)
class HealthCheck:
    """One finding: a name, whether it is fine, what was seen and the command that fixes it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def _version_of(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_versions() -> list[HealthCheck]:
    """Python, Actives and the key packages."""
    found = [f"actives {__version__}", f"python {platform.python_version()}"]
    missing = []
    for package in PACKAGES:
        v = _version_of(package)
        if v is None:
            missing.append(package)
        else:
            found.append(f"{package} {v}")
    checks = [
        HealthCheck(
            "versions",
            not missing,
            ", ".join(found) + (f"; missing: {', '.join(missing)}" if missing else ""),
            fix="make install" if missing else "",
        )
    ]
    optional = [f"{p} {_version_of(p)}" for p in OPTIONAL_PACKAGES if _version_of(p)]
    absent = [p for p in OPTIONAL_PACKAGES if not _version_of(p)]
    checks.append(
        HealthCheck(
            "optional packages",
            True,
            (", ".join(optional) or "none")
            + (f"; not installed: {', '.join(absent)}" if absent else ""),
            required=False,
        )
    )
    return checks


def check_home() -> HealthCheck:
    """The data directory exists and is writable."""
    home = get_settings().home
    if home.is_dir() and os.access(home, os.W_OK):
        return HealthCheck("data directory", True, f"{home} (writable)")
    return HealthCheck(
        "data directory",
        False,
        f"{home} is missing or not writable",
        fix=f"mkdir -p {home}  (or set ACTIVES_HOME to a writable folder)",
    )


def check_database() -> list[HealthCheck]:
    """The database answers and every migration is applied."""
    config = get_settings()
    engine = connection.vendor
    where = (
        str(settings.DATABASES["default"]["NAME"])
        if config.uses_embedded_database
        else f"{settings.DATABASES['default'].get('HOST') or 'local socket'}"
        f"/{settings.DATABASES['default']['NAME']}"
    )
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return [
            HealthCheck(
                "database",
                False,
                f"{engine} at {where} does not answer: {exc}",
                fix="check DATABASE_URL, or unset it to use the embedded SQLite database",
            )
        ]
    checks = [HealthCheck("database", True, f"{engine} at {where}")]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks.append(
        HealthCheck(
            "migrations",
            not pending,
            "all applied" if not pending else f"{len(pending)} not applied",
            fix="" if not pending else "actives init",
        )
    )
    return checks


def check_users() -> HealthCheck:
    """At least one administrator can sign in."""
    from actives.web.accounts.models import User

    try:
        admins = User.objects.filter(is_superuser=True, is_active=True).count()
    except Exception as exc:  # tables missing before migrations
        return HealthCheck("administrator", False, f"cannot read users: {exc}", fix="actives init")
    if admins:
        return HealthCheck("administrator", True, f"{admins} active administrator(s)")
    return HealthCheck("administrator", False, "no administrator account", fix="actives init")


def check_locale() -> HealthCheck:
    """The Korean translations are compiled."""
    mo = Path(settings.LOCALE_PATHS[0]) / "ko" / "LC_MESSAGES" / "django.mo"
    if mo.exists():
        return HealthCheck("translations", True, "Korean (ko) compiled")
    return HealthCheck(
        "translations", False, f"{mo} is missing", fix="make messages  (needs GNU gettext)"
    )


def check_data_pack() -> HealthCheck:
    """The reference data pack (compounds, plants, names) under ACTIVES_HOME/packs."""
    from actives.knowledge.pack import current_pack_path

    config = get_settings()
    packs = config.home / "packs"
    path = current_pack_path(packs)
    if path is not None:
        import json

        manifest = json.loads((path / "manifest.json").read_text())
        tables = manifest["tables"]
        missing = ", ".join(manifest["missing_sources"]) or "none"
        optional = [
            f"{tables[table]['rows']:,} {label}"
            for table, label in (("rules", "regulatory rules"),
                                 ("sensitisation", "chemicals with sensitisation data"))
            if table in tables
        ]  # fmt: skip
        rebuild = "" if len(optional) == 2 else " (rebuild it for the regulation and safety data)"
        return HealthCheck(
            "data pack",
            True,
            f"{manifest['version']}: {tables['compounds']['rows']:,} compounds, "
            f"{tables['organisms']['rows']:,} organisms, {tables['names']['rows']:,} names"
            + "".join(f", {o}" for o in optional)
            + f"{rebuild}; sources not found: {missing}",
            required=False,
        )
    raw = config.raw_data
    raw_note = f"raw data found at {raw}" if raw.is_dir() else f"raw data not found at {raw}"
    return HealthCheck(
        "data pack",
        False,
        f"no data pack built under {packs} ({raw_note}); the catalogue needs one, the rest of "
        "the platform works without it",
        fix="actives data build",
        required=False,
    )


def check_models() -> HealthCheck:
    """Shipped trained models under actives/resources/models."""
    from importlib.resources import files

    root = files("actives.resources.models")
    cards = [p.name for p in root.iterdir() if p.is_dir() and (p / "model_card.json").is_file()]
    if cards:
        return HealthCheck("models", True, f"{len(cards)} shipped: {', '.join(sorted(cards))}")
    return HealthCheck(
        "models",
        True,
        "no trained models shipped in this version yet",
        required=False,
    )


def check_assays() -> HealthCheck:
    """qPCR analysis: rdmlpython (RDML files) and the shipped curve-quality classifier."""
    from actives.assays.qpcr.quality import load_curve_quality_model
    from actives.assays.qpcr.rdml_compat import rdml
    from actives.errors import ActivesError

    try:
        rdml()
    except ImportError as exc:
        return HealthCheck(
            "assays", False, f"rdmlpython cannot be imported ({exc}): RDML files cannot be read",
            fix="make install", required=False,
        )  # fmt: skip
    try:
        model = load_curve_quality_model().describe()
    except ActivesError as exc:
        return HealthCheck(
            "assays",
            False,
            f"RDML reader ready; curve-quality classifier missing ({exc.message}): wells are "
            "called without it",
            fix="make models",
            required=False,
        )
    return HealthCheck(
        "assays", True, f"RDML reader ready; curve-quality classifier {model.get('date', '')}"
    )


def check_pdf() -> HealthCheck:
    """PDF reports: WeasyPrint with Pango, and a font that renders Korean."""
    from actives.reports.pdf import korean_font

    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        return HealthCheck(
            "PDF reports", False, f"WeasyPrint cannot load: {exc}", fix="make install",
            required=False,
        )  # fmt: skip
    font = korean_font()
    if font is None:
        return HealthCheck(
            "PDF reports",
            False,
            f"WeasyPrint {weasyprint.__version__}; no font with Korean glyphs",
            fix="make pdf-deps  (or: sudo apt-get install fonts-noto-cjk)",
            required=False,
        )
    return HealthCheck("PDF reports", True, f"WeasyPrint {weasyprint.__version__}; Korean: {font}")


def collect_health(progress: Progress = silent_progress) -> list[HealthCheck]:
    """Run every check in order, reporting progress."""
    steps: list[Callable[[], HealthCheck | list[HealthCheck]]] = [
        check_versions,
        check_home,
        check_database,
        check_users,
        check_locale,
        check_data_pack,
        check_models,
        check_assays,
        check_pdf,
    ]
    results: list[HealthCheck] = []
    for i, step in enumerate(steps):
        progress(i, len(steps), step.__doc__.splitlines()[0] if step.__doc__ else step.__name__)
        found = step()
        results.extend(found if isinstance(found, list) else [found])
    progress(len(steps), len(steps), "done")
    return results
