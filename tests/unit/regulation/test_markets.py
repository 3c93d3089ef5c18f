"""The market registry: ids, names, rule lists and the sources they are built from."""

from __future__ import annotations

import pytest

from actives.errors import InvalidInputError
from actives.knowledge.sources import regulation_sources
from actives.regulation.markets import MARKETS, market, market_ids, rule_list
from actives.regulation.rules import RULE_KINDS


def test_the_six_markets_are_registered_with_english_and_korean_names() -> None:
    assert market_ids() == ("ASEAN", "CA", "CN", "EU", "JP", "KR")
    eu = market("eu")  # case-insensitive
    assert (eu.name_en, eu.name_ko) == ("European Union", "유럽연합")
    assert [r.id for r in eu.lists] == ["EU-II", "EU-III", "EU-IV", "EU-V", "EU-VI"]
    assert market("CN").inventory and not market("EU").inventory
    assert all(m.name_ko and m.regulation for m in MARKETS)


def test_lists_name_their_kind_and_a_registered_source() -> None:
    sources = {s.id for s in regulation_sources()}
    for m in MARKETS:
        for listed in m.lists:
            assert listed.market == m.id and listed.kind in RULE_KINDS
            assert listed.source_id in sources or listed.source_id == "resource", listed.id
    assert rule_list("KR-2").list_name == "별표 2"
    assert market("KR").list("KR-functional").kind == "functional_active"


def test_the_gaps_of_the_raw_data_are_said() -> None:
    assert any("Annexes III-VI" in note for note in market("ASEAN").notes)
    assert any("化粧品基準" in note for note in market("JP").notes)


def test_unknown_market_or_list_says_what_exists() -> None:
    with pytest.raises(InvalidInputError, match="Unknown market 'XX'; known: ASEAN, CA"):
        market("xx")
    with pytest.raises(InvalidInputError, match="Unknown rule list .EU-IX.; known: ASEAN-II"):
        rule_list("EU-IX")
    with pytest.raises(InvalidInputError, match="has no rule list"):
        market("JP").list("EU-II")


def test_every_market_note_has_its_korean_version() -> None:
    from actives.regulation.markets import Market

    for m in MARKETS:
        assert len(m.notes_ko) == len(m.notes), m.id
        assert all(any("\uac00" <= ch <= "\ud7a3" for ch in n) for n in m.notes_ko), m.id
    with pytest.raises(ValueError, match="1 Korean notes for 2 notes"):
        Market("XX", "X", "엑스", "reg", (), notes=("a", "b"), notes_ko=("가",))
