"""One exception hierarchy for the whole platform.

Every error says what was received and what was expected. The web layer maps these classes to
HTTP status codes in one place (``actives.web.api.errors``); the library never speaks HTTP.
"""

from __future__ import annotations


class ActivesError(Exception):
    """Base class of every error Actives raises on purpose.

    ``code`` is a stable, machine-readable identifier (used in API bodies and logs); the message
    is for people and should say what was wrong and what was expected.
    """

    code = "actives_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ConfigurationError(ActivesError):
    """A setting is missing or has a value that cannot work (e.g. no secret key in production)."""

    code = "configuration_error"


class InvalidInputError(ActivesError):
    """User input that cannot be used as given: a malformed value, file or request body."""

    code = "invalid_input"


class InvalidStructureError(InvalidInputError):
    """A chemical structure (SMILES, molfile, InChI) that cannot be parsed or sanitised."""

    code = "invalid_structure"


class InvalidFileError(InvalidInputError):
    """An uploaded or referenced file that is not in the expected format."""

    code = "invalid_file"


class PayloadTooLargeError(InvalidInputError):
    """A request or upload larger than the configured limit."""

    code = "payload_too_large"

    def __init__(self, size_bytes: int, limit_bytes: int) -> None:
        super().__init__(
            f"The upload is {format_bytes(size_bytes)}, larger than the limit of "
            f"{format_bytes(limit_bytes)} (setting ACTIVES_MAX_UPLOAD_MB)."
        )
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes


class NotFoundError(ActivesError):
    """A record, compound, plant or file that does not exist (or is not visible to the caller)."""

    code = "not_found"


class UnknownIngredientError(NotFoundError):
    """An ingredient name, INCI or CAS number that cannot be resolved to a substance."""

    code = "unknown_ingredient"


class ConflictError(ActivesError):
    """The request conflicts with the current state (a duplicate, a job already running)."""

    code = "conflict"


class DataPackMissingError(ConflictError):
    """An operation needs the reference data pack, which has not been built yet."""

    code = "data_pack_missing"


class PermissionDeniedError(ActivesError):
    """The caller is known but may not perform this action."""

    code = "permission_denied"


def format_bytes(size: int) -> str:
    """Human-readable byte size with binary units (``1.5 MiB``)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
