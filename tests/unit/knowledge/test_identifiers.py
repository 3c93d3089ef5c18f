"""CAS and EC numbers in free text, and name normalisation."""

import pytest

from actives.knowledge.identifiers import (
    cas_is_valid,
    find_cas_numbers,
    find_ec_numbers,
    normalize_name,
)


@pytest.mark.parametrize(
    ("cas", "valid"),
    [("50-00-0", True), ("7732-18-5", True), ("497-76-7", True), ("50-00-1", False),
     ("7732-18-4", False), ("123-31-9", True), ("1-23-4", False), ("not a cas", False)],
)  # fmt: skip
def test_cas_check_digit(cas: str, valid: bool) -> None:
    assert cas_is_valid(cas) is valid


def test_cas_numbers_in_messy_cells() -> None:
    assert find_cas_numbers("328-39-2(DL-) ,61-90-5(L-)") == ["328-39-2", "61-90-5"]
    assert find_cas_numbers("7732-18-5 / 7732-18-4") == ["7732-18-5"]  # bad check digit dropped
    assert find_cas_numbers("0050-00-0") == ["50-00-0"]  # leading zeros normalised
    assert find_cas_numbers("-") == [] and find_cas_numbers(None) == []


def test_ec_numbers() -> None:
    assert find_ec_numbers("204-617-8; 200-001-8") == ["204-617-8", "200-001-8"]


def test_name_normalisation() -> None:
    assert normalize_name("  Morus  ALBA Root Extract ") == "morus alba root extract"
    assert normalize_name("ＡＲＢＵＴＩＮ") == "arbutin"  # full-width Latin
    assert normalize_name("알부틴") == "알부틴"
