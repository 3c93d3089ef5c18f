"""Ingredient resolution against a names pack built from hand-typed source rows."""

from __future__ import annotations

import pandas as pd
import pytest

from actives.errors import InvalidInputError, UnknownIngredientError
from actives.knowledge import DataPack
from actives.regulation.resolve import (
    name_index,
    resolve_ingredient,
    resolve_ingredients,
    split_listed_names,
    suggest_names,
)
from tests.unit.regulation.names_pack import names_pack


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return names_pack(tmp_path_factory)


HYDROQUINONE_NAMES = ["Hydroquinone", "히드로퀴논", "氢醌", "123-31-9", "204-617-8"]


@pytest.mark.parametrize("query", HYDROQUINONE_NAMES)
def test_every_name_and_number_of_hydroquinone_gives_the_same_substance(
    pack: DataPack, query: str
) -> None:
    result = resolve_ingredient(query, pack)
    assert result.status == "resolved"
    assert result.display_name == "Hydroquinone"
    keys = result.substance
    assert keys is not None
    assert keys.cas == {"123-31-9"}
    assert keys.ec == {"204-617-8"}
    assert "HYDROQUINONE" in keys.inci
    assert "히드로퀴논" in keys.korean  # MFDS prohibited list (Korean name, CAS only)
    assert "氢醌" in keys.chinese  # IECIC (Chinese and INCI, no CAS): reached by INCI name
    refs = {row.reference for row in result.sources}
    assert {"EU Annex II/1339", "EU Annex III/14", "MFDS prohibited #1", "IECIC 2021 #3"} <= refs
    # the prohibited list's Korean name is not a dictionary (label) name
    assert result.korean_name is None


def test_method_and_confidence_say_how_the_name_was_found(pack: DataPack) -> None:
    by_cas, by_ec, exact, lower = resolve_ingredients(
        ["123-31-9", "204-617-8", "HYDROQUINONE", "hYdroquinone"], pack
    )
    assert (by_cas.method, by_cas.confidence) == ("cas", 1.0)
    assert (by_ec.method, by_ec.confidence) == ("ec", 1.0)
    assert (exact.method, exact.confidence) == ("exact name", 1.0)
    assert (lower.method, lower.confidence) == ("case-insensitive name", 0.95)


def test_korean_name_with_spaces_and_japanese_name(pack: DataPack) -> None:
    spaced = resolve_ingredient("부틸렌 글라이콜", pack)
    assert spaced.status == "resolved"
    assert spaced.display_name == "Butylene Glycol"
    assert spaced.korean_name == "부틸렌글라이콜"
    assert spaced.confidence == 0.9
    japanese = resolve_ingredient("アルブチン", pack)
    assert japanese.display_name == "Arbutin"
    assert japanese.korean_name == "알부틴"
    assert japanese.substance is not None and "熊果苷" in japanese.substance.chinese
    assert japanese.substance.cas == {"497-76-7"}


def test_wrong_cas_check_digit_is_reported_not_looked_up(pack: DataPack) -> None:
    result = resolve_ingredient("123-31-8", pack)
    assert result.status == "unresolved"
    assert "check digit" in result.message and "expected 9" in result.message


def test_valid_cas_that_no_list_names_is_unresolved_but_keeps_the_number(pack: DataPack) -> None:
    result = resolve_ingredient("64-17-5", pack)
    assert result.status == "unresolved"
    assert result.substance is not None and result.substance.cas == {"64-17-5"}
    assert "64-17-5" in result.message


def test_typo_is_resolved_by_fuzzy_match_with_lower_confidence(pack: DataPack) -> None:
    result = resolve_ingredient("Methylisothiazolinon", pack)
    assert result.status == "resolved"
    assert result.method == "fuzzy"
    assert result.display_name == "Methylisothiazolinone"
    assert 0.7 < result.confidence <= 0.8
    assert "confirm" in result.message


def test_fuzzy_match_never_changes_a_number(pack: DataPack) -> None:
    # Ceteth-25 is not Ceteth-20 or Ceteth-2: suggested, never resolved
    result = resolve_ingredient("Ceteth-25", pack)
    assert result.status == "unresolved"
    assert "Ceteth-20" in result.suggestions


def test_unknown_name_is_reported_with_suggestions(pack: DataPack) -> None:
    result = resolve_ingredient("Glycerine", pack)
    assert (result.status, result.method, result.display_name) == ("resolved", "fuzzy", "Glycerin")
    assert result.suggestions[0] == "Glycerin"
    unknown = resolve_ingredient("Unobtainium Flower Extract", pack)
    assert unknown.status == "unresolved"
    assert unknown.substance is None
    assert "not a name" in unknown.message
    assert suggest_names("Glycerine", pack)[0] == "Glycerin"


def test_a_korean_name_of_two_species_is_ambiguous(pack: DataPack) -> None:
    result = resolve_ingredient("유채추출물", pack)
    assert result.status == "ambiguous"
    assert result.substance is None
    names = {c.display_name for c in result.candidates}
    assert names == {"Brassica Campestris (Rapeseed) Extract", "Brassica Napus Extract"}
    assert "give the INCI name or CAS number" in result.message


def test_a_cas_number_shared_by_polymers_is_ambiguous(pack: DataPack) -> None:
    result = resolve_ingredient("9004-95-9", pack)
    assert result.status == "ambiguous"
    assert {c.display_name for c in result.candidates} == {"Ceteth-2", "Ceteth-20"}
    # each polymer alone resolves, without the other's names
    ceteth20 = resolve_ingredient("Ceteth-20", pack)
    assert ceteth20.status == "resolved"
    assert ceteth20.substance is not None
    assert "CETETH-2" not in ceteth20.substance.inci
    assert "鲸蜡醇聚醚-20" in ceteth20.substance.chinese


def test_list_row_without_inci_name_joins_the_dictionary_entry(pack: DataPack) -> None:
    # MFDS restricted list (Korean + CAS) and the dictionary (Korean + INCI + CAS): one substance
    result = resolve_ingredient("메칠이소치아졸리논", pack)
    assert result.status == "resolved"
    assert result.display_name == "Methylisothiazolinone"
    refs = {row.reference for row in result.sources}
    assert {"MFDS restricted #1", "MFDS dictionary #4", "EU Annex V/57"} <= refs


def test_an_annex_row_for_several_substances_passes_on_no_numbers(pack: DataPack) -> None:
    salt = resolve_ingredient("Sodium Benzoate", pack)
    assert salt.status == "resolved"
    assert salt.substance is not None
    assert "65-85-0" not in salt.substance.cas  # benzoic acid's CAS stays with the acid
    assert "EU Annex V/1" in {row.reference for row in salt.sources}
    acid = resolve_ingredient("Benzoic Acid", pack)  # only named inside the annex cell
    assert acid.status == "resolved"
    assert acid.display_name == "BENZOIC ACID"
    assert acid.confidence == 0.9
    assert acid.substance is not None and acid.substance.inci == {"BENZOIC ACID"}
    assert split_listed_names("BENZOIC ACID; SODIUM BENZOATE") == [
        "BENZOIC ACID",
        "SODIUM BENZOATE",
    ]
    assert split_listed_names("PEG/PPG-20/20 DIMETHICONE") == []  # one INCI name with slashes


def test_batch_keeps_going_one_result_per_name_in_order(pack: DataPack) -> None:
    names = ["Glycerin", "", "Unobtainium", "글리세린", float("nan")]
    results = resolve_ingredients(names, pack)  # type: ignore[arg-type]
    assert [r.status for r in results] == [
        "resolved",
        "unresolved",
        "unresolved",
        "resolved",
        "unresolved",
    ]
    assert "Empty ingredient name" in results[1].message
    assert results[0].substance == results[3].substance


def test_strict_single_call_raises(pack: DataPack) -> None:
    with pytest.raises(UnknownIngredientError, match="Unobtainium"):
        resolve_ingredient("Unobtainium", pack, strict=True)
    with pytest.raises(UnknownIngredientError, match="2 different substances"):
        resolve_ingredient("유채추출물", pack, strict=True)
    with pytest.raises(InvalidInputError, match="Empty ingredient name"):
        resolve_ingredient("  ", pack, strict=True)


def test_index_is_built_once_per_pack(pack: DataPack) -> None:
    assert name_index(pack) is name_index(pack)


class FakePack:
    """Anything with a version and SQL over a names table will do."""

    version = "fake-1"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def sql(self, query: str, params: list[object] | None = None) -> pd.DataFrame:
        return self.frame


def test_works_on_a_fake_pack() -> None:
    frame = pd.DataFrame(
        [
            {"name": "Squalane", "kind": "inci", "lang": "en", "cas": "111-01-3", "ec": "",
             "inchikey": "", "source": "mfds-dictionary", "source_ref": "MFDS dictionary #1"},
            {"name": "스쿠알란", "kind": "korean", "lang": "ko", "cas": "111-01-3", "ec": "",
             "inchikey": "", "source": "mfds-dictionary", "source_ref": "MFDS dictionary #1"},
        ]
    )  # fmt: skip
    result = resolve_ingredient("111-01-3", FakePack(frame))
    assert (result.display_name, result.korean_name) == ("Squalane", "스쿠알란")


def test_a_botanical_name_without_its_parenthesised_common_name_resolves(pack: DataPack) -> None:
    result = resolve_ingredient("Brassica Campestris Extract", pack)
    assert result.status == "resolved" and result.method == "case-insensitive name"
    assert result.display_name == "Brassica Campestris (Rapeseed) Extract"
    assert "ignoring the name in parentheses" in result.message


def test_a_name_with_its_colour_index_number_is_one_substance() -> None:
    from actives.regulation.resolve import _several, split_listed_names

    assert split_listed_names("TITANIUM DIOXIDE/CI 77891") == ["TITANIUM DIOXIDE", "CI 77891"]
    assert not _several("TITANIUM DIOXIDE/CI 77891")
    assert _several("BENZOIC ACID; SODIUM BENZOATE")
