"""The error hierarchy: codes, messages, and the HTTP mapping of the API."""

from actives import errors as e
from actives.web.api.errors import status_for


def test_error_keeps_message_and_code() -> None:
    err = e.InvalidStructureError("SMILES 'C1CC' has an unclosed ring; expected a valid SMILES.")
    assert str(err) == "SMILES 'C1CC' has an unclosed ring; expected a valid SMILES."
    assert err.code == "invalid_structure"
    assert isinstance(err, e.InvalidInputError)


def test_code_can_be_overridden_per_instance() -> None:
    assert e.InvalidInputError("x", code="unknown_job_kind").code == "unknown_job_kind"
    assert e.InvalidInputError("x").code == "invalid_input"


def test_payload_too_large_says_size_and_limit() -> None:
    err = e.PayloadTooLargeError(3 * 1024 * 1024, 1024 * 1024)
    assert "3.0 MiB" in err.message and "1.0 MiB" in err.message
    assert "ACTIVES_MAX_UPLOAD_MB" in err.message


def test_status_uses_the_nearest_class() -> None:
    assert status_for(e.InvalidStructureError("x")) == 422
    assert status_for(e.InvalidFileError("x")) == 400
    assert status_for(e.UnknownIngredientError("x")) == 404
    assert status_for(e.DataPackMissingError("x")) == 409
    assert status_for(e.PayloadTooLargeError(2, 1)) == 413
    assert status_for(e.PermissionDeniedError("x")) == 403
    assert status_for(e.ActivesError("x")) == 400


def test_format_bytes() -> None:
    assert e.format_bytes(512) == "512 B"
    assert e.format_bytes(1536) == "1.5 KiB"
    assert e.format_bytes(5 * 1024**3) == "5.0 GiB"
