"""decode_text: the encodings spreadsheet programs write, and the refusals."""

from __future__ import annotations

import pytest

from actives.errors import InvalidFileError
from actives.textfiles import decode_text

TEXT = "시료,농도 (uM)\n감초 추출물,10\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),  # Excel "CSV UTF-8"
        TEXT.encode("cp949"),  # Korean Excel
        TEXT.encode("utf-16"),  # "Unicode text", with its byte-order mark
    ],
)
def test_the_encodings_spreadsheets_write(data: bytes) -> None:
    assert decode_text(data, "t.csv") == TEXT


def test_a_named_encoding_is_used_or_refused() -> None:
    assert decode_text("é".encode("latin-1"), "t.csv", "latin-1") == "é"
    with pytest.raises(InvalidFileError, match="cannot decode as no-such-codec"):
        decode_text(b"abc", "t.csv", "no-such-codec")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not a text table"),
        (b"\xff\xff\xfa\x80 broken", "neither UTF-8 nor CP949/EUC-KR"),
    ],
)
def test_what_is_not_text_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(InvalidFileError, match=message):
        decode_text(data, "picture.csv")
