"""Text of an uploaded table file, as spreadsheet programs write it, decoded one way everywhere.

Excel saves "CSV UTF-8" with a byte-order mark, Korean Excel saves CP949 (EUC-KR), "Unicode
text" is UTF-16; a binary file renamed .csv is refused with a message that says so. The qPCR
readers have their own policy (instrument exports are often Windows-1252 or BOM-less UTF-16).
"""

from __future__ import annotations

from actives.errors import InvalidFileError

TEXT_ENCODINGS = ("utf-8-sig", "cp949")  # Excel's "CSV UTF-8", and what Korean Excel writes


def decode_text(data: bytes, name: str, encoding: str | None = None) -> str:
    """``data`` as text: the given encoding, UTF-16 with a byte-order mark, UTF-8 or CP949."""
    if encoding is not None:
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError) as exc:
            raise InvalidFileError(f"{name}: cannot decode as {encoding}: {exc}.") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        return data.decode("utf-16").lstrip("\ufeff")
    if b"\x00" in data[:8192]:
        raise InvalidFileError(
            f"{name} looks like a binary file, not a text table; expected comma-, semicolon- "
            "or tab-separated text (CSV/TSV) or an .xlsx workbook."
        )
    for candidate in TEXT_ENCODINGS:
        try:
            return data.decode(candidate).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise InvalidFileError(
        f"{name} is neither UTF-8 nor CP949/EUC-KR text; save it as 'CSV UTF-8' or as .xlsx."
    )
