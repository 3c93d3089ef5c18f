"""The free-text limit parser on real-looking strings of each source (EN and KR), including the
ones that must stay unparsed."""

from __future__ import annotations

import pytest

from actives.regulation.limits import (
    parse_columns,
    parse_korean,
    parse_limit,
    parse_scope,
    parse_threshold,
    split_lettered,
)
from actives.regulation.rules import Condition

F = frozenset
BENZOATE = (
    "산으로서 0.5% ( 다만, 벤조익애씨드 및 그 소듐염은 사용 후 씻어내는 제품에는 산으로서 2.5%)"
)


def summary(conditions: tuple[Condition, ...]) -> list[tuple[object, ...]]:
    """(scope, excluded, otherwise, max, expressed_as, sum rule?) per condition, for comparing."""
    return [
        (
            set(c.product_scope),
            set(c.excluded_scope),
            c.otherwise,
            c.max_percent,
            c.expressed_as,
            c.sum_rule is not None,
        )
        for c in conditions
    ]


# (limit text, product-type text, expected summary) -- English, as CosIng and the Hotlist write
ENGLISH = [
    ("0.5 %", "", [(set(), set(), False, 0.5, None, False)]),
    ("2.5 % (as free acid)", "", [(set(), set(), False, 2.5, "free acid", False)]),
    ("0,15 %", "", [(set(), set(), False, 0.15, None, False)]),
    ("ready for use preparation 0.1 %", "", [(set(), set(), False, 0.1, None, False)]),
    ("As from 3 September 2017: 0,5 %", "", [(set(), set(), False, 0.5, None, False)]),
    (
        "Rinse-off products: 0.01 %; Leave-on products: 0.0015 %",
        "",
        [
            ({"rinse_off"}, set(), False, 0.01, None, False),
            ({"leave_on"}, set(), False, 0.0015, None, False),
        ],
    ),
    (
        "(a) 6 %\n(b) 1 %",
        "(a) Hair products\n(b) Other products",
        [({"hair"}, set(), False, 6.0, None, False), (set(), set(), True, 1.0, None, False)],
    ),
    (
        "a) 2.5% (acid)\nb) 1.7% (acid)\nc) 0.5% (acid)\n",
        "a) Rinse-off products, except oral care products\nb) Oral care products\n"
        "c) Leave-on products",
        [
            ({"rinse_off"}, {"oral"}, False, 2.5, "acid", False),
            ({"oral"}, set(), False, 1.7, "acid", False),
            ({"leave_on"}, set(), False, 0.5, "acid", False),
        ],
    ),
    ("0,0015 % Rinse-off products", "", [({"rinse_off"}, set(), False, 0.0015, None, False)]),
    (
        "0,15 % calculated as F. \nWhen mixed with other fluorine compounds permitted under this "
        "Annex, total F concentration must not exceed 0,15 %",
        "Oral products",
        [
            ({"oral"}, set(), False, 0.15, "F", False),
            ({"oral"}, set(), False, 0.15, None, True),
        ],
    ),
    (
        "0,4% (as acid) for single ester\n0,8% (as acid) for mixtures of esters",
        "",
        [(set(), set(), False, 0.4, "acid", False), (set(), set(), False, 0.8, "acid", True)],
    ),
    (
        "The use of o-phenylphenol as a preservative should be allowed with a maximum "
        "concentration of 0,15 % (as phenol) in leave-on and 0,2 % (as phenol) in rinse-off "
        "cosmetic products.",
        "",
        [
            ({"leave_on"}, set(), False, 0.15, "phenol", False),
            ({"rinse_off"}, set(), False, 0.2, "phenol", False),
        ],
    ),
    (
        "(b) 0.68% as free base (1.0% as dihydrochloride)",
        "(a) Hair dye substance in oxidative hair dye products\n"
        "(b) Hair dye substance in non-oxidative hair dye products",
        [
            ({"hair_dye_oxidative"}, set(), False, None, None, False),
            ({"hair_dye_non_oxidative"}, set(), False, 0.68, "free base", False),
        ],
    ),
    (
        "(a) 1.0% in fine fragrance\n(b) 0.4% in eau de toilette\n(c) 0.03% in other products",
        "All cosmetic products, with the exception of oral products",
        [
            ({"fine_fragrance"}, {"oral"}, False, 1.0, None, False),
            ({"eau_de_toilette"}, {"oral"}, False, 0.4, None, False),
            (set(), {"oral"}, True, 0.03, None, False),
        ],
    ),
    ("(a) > 0,1 % ≤ 6 % of H2O2", "(a) Tooth whitening products", None),  # scope unknown
]


@pytest.mark.parametrize(("text", "product_type", "expected"), ENGLISH)
def test_english_limits(text: str, product_type: str, expected: list[tuple[object]] | None) -> None:
    result = parse_limit(text, product_type)
    if expected is None:
        assert not result.parsed and "product type not understood" in result.reason
        return
    assert result.parsed, result.reason
    assert summary(result.conditions) == expected
    assert all(c.text for c in result.conditions)  # the fragment each came from is kept


# (max concentration, use conditions, expected summary) -- Korea's 별표 2 as the source writes it
KOREAN = [
    ("살리실릭애씨드로서 0.5%", "", [(set(), set(), False, 0.5, "살리실릭애씨드", False)]),
    ("사용 후 씻어내는 제품에 0.01%", "", [({"rinse_off"}, set(), False, 0.01, None, False)]),
    ("사용 후 씻어내지 않는 제품에 2%", "", [({"leave_on"}, set(), False, 2.0, None, False)]),
    ("두발용 제품류를 제외한 화장품에 0.1%", "", [(set(), {"hair"}, False, 0.1, None, False)]),
    ("유리 SO 2 로 0.2%", "", [(set(), set(), False, 0.2, "free SO2", False)]),
    (
        "․ 사용 후 씻어내는 제품에 벤잘 코늄클로라이드로서 0.1% "
        "․기타 제품에 벤잘코늄클로라이드로서 0.05%",
        "분사형 제품에 벤잘코늄클로라이드는 사용금지",
        [
            ({"rinse_off"}, {"spray"}, False, 0.1, "벤잘코늄클로라이드", False),
            (set(), {"spray"}, True, 0.05, "벤잘코늄클로라이드", False),
        ],
    ),
    (
        "․단일성분일 경우 0.4%(산으로서) ․혼합사용의 경우 0.8%(산으로서)",
        "",
        [(set(), set(), False, 0.4, "산", False), (set(), set(), False, 0.8, "산", True)],
    ),
    (
        "2.4% (다만, 얼굴, 손 및 입술에 사용되는 제품에는 5%)",
        "",
        [
            ({"face"}, set(), False, 5.0, None, False),
            ({"hands"}, set(), False, 5.0, None, False),
            ({"lip"}, set(), False, 5.0, None, False),
            (set(), set(), True, 2.4, None, False),
        ],
    ),
    (
        "·산화염모제에 1.0 % · 비산화염모제에 2.0%",
        "기타제품에는 사용금지",
        [
            ({"hair_dye_oxidative"}, set(), False, 1.0, None, False),
            ({"hair_dye_non_oxidative"}, set(), False, 2.0, None, False),
        ],
    ),
    (
        "퍼머넌트웨이브용 제품에 시스테인으로서 3.0 ~ 7.5%",
        "",
        [({"hair_waving"}, set(), False, 7.5, "시스테인", False)],
    ),
    (
        "0.1%",
        "영유아용 제품류 또는 만 13세 이하 어린이가 사용할 수 있음을 특정하여 표시하는 제품에는 "
        "사용금지(다만, 샴푸는 제외)",
        [(set(), {"children"}, False, 0.1, None, False)],
    ),
    ("", "영유아용 제품류 사용금지", [(set(), {"children"}, False, None, None, False)]),
    (
        "사용 후 씻어내는 제품에 허용",
        "기타 제품에는 사용 금지",
        [({"rinse_off"}, set(), False, None, None, False)],
    ),
]


@pytest.mark.parametrize(("text", "conditions", "expected"), KOREAN)
def test_korean_limits(text: str, conditions: str, expected: list[tuple[object]]) -> None:
    result = parse_korean(text, conditions)
    assert result.parsed, result.reason
    assert summary(result.conditions) == expected


def test_korean_details() -> None:
    children = parse_korean("0.1%", "만 13세 이하 어린이 제품에는 사용금지").conditions[0]
    assert children.children_under_years == 13
    ranged = parse_korean("퍼머넌트웨이브용 제품에 시스테인으로서 3.0 ~ 7.5%").conditions[0]
    assert ranged.min_percent == 3.0
    spray = parse_korean(
        "0.4%", "입술에 사용되는 제품 및 에어로졸 (스프레이에 한함) 제품 에는 사용금지"
    )
    assert summary(spray.conditions) == [(set(), {"lip", "spray"}, False, 0.4, None, False)]
    # "바디로션 및 바디크림에는 사용금지" is a combination: a zero limit there, not an exclusion
    body = parse_korean("0.01%", "바디로션 및 바디크림에는 사용금지")
    zero = [c for c in body.conditions if c.max_percent == 0.0]
    assert [set(c.product_scope) for c in zero] == [{"body", "leave_on"}]
    # parse_limit routes Korean text here, with a product type
    assert parse_limit("살리실릭애씨드로서 0.5%").conditions[0].expressed_as == "살리실릭애씨드"


# Texts that must stay unparsed, with the reason the parser gives.
UNPARSED = [
    (lambda: parse_limit("20 ppb"), "limit not in %"),  # ppm and mg/kg are read; ppb is not
    (lambda: parse_limit("0 15%"), "malformed number"),
    (lambda: parse_limit("0.14"), "number without a unit"),
    (lambda: parse_limit("(a) (i) 8% (ii) 11%", "(a) Hair products"), "several percentages"),
    (lambda: parse_limit("1 %", "Skin products"), "product type not understood: 'skin'"),
    (
        lambda: parse_limit(
            "2 %",
            "Other products except body lotion, eye shadow, mascara, lipstick",
        ),
        "exception naming a combination of product types",
    ),
    (
        lambda: parse_korean(BENZOATE),
        "exception not understood",
    ),
    (
        lambda: parse_korean(
            "․향수류 향료원액을 8% 초과하여 함유 하는 제품에 1.0%, 향료원액을 8% 이하로 함유하는 "
            "제품에 0.4% ․기타 제품에 0.03%"
        ),
        "several percentages not told apart",
    ),
    (lambda: parse_korean("외음부세정제에 12%"), "product type not understood"),
    (lambda: parse_korean("", "기타 제품에는 사용금지"), "no product type named"),
    (
        lambda: parse_korean("0.0015% (단, 병용 시 두 성분의 합은 0.01%)"),
        "exception not understood",
    ),
    (
        lambda: parse_korean(
            "0.01% ( 메칠옥틴카보네이트와 병용 시 최종제품에서 두 성분의 합은 0.01%, "
            "메칠옥틴카보네이트는 0.002%)"
        ),
        "text after the limit not understood",
    ),
]


@pytest.mark.parametrize(("parse", "reason"), UNPARSED)
def test_unparsed_texts_say_why(parse: object, reason: str) -> None:
    result = parse()  # type: ignore[operator]
    assert not result.parsed
    assert reason in result.reason


def test_the_benzoate_exception_is_never_applied_to_all_products() -> None:
    # The exception names substances: its 2.5 % must not become a limit for every product.
    result = parse_korean(BENZOATE)
    assert [c.max_percent for c in result.conditions] == [0.5]


def test_columns_with_sub_entries_other_and_warnings() -> None:
    result = parse_columns(
        "Hair dye substance in oxidative hair dye products",
        "",
        "(a) General use\n(b) Professional use For (a) and (b): After mixing under oxidative "
        "conditions the maximum concentration applied to hair must not exceed 2 % calculated "
        "as free base",
        "(a) Contains phenylenediamines.\n(b) For professional use only.",
    )
    assert result.parsed, result.reason
    general, professional = result.conditions
    assert (general.max_percent, general.expressed_as) == (2.0, "free base")
    assert general.product_scope == F({"hair_dye_oxidative"})
    assert professional.product_scope == F({"hair_dye_oxidative", "professional"})
    assert general.label_warning == "Contains phenylenediamines."
    assert professional.label_warning == "For professional use only."
    assert "use: hair dye substance" in general.other


def test_labelling_threshold_and_prohibitions_in_other() -> None:
    allergen = parse_columns(
        other="The presence of the substance must be indicated in the list of ingredients "
        "referred to in Article 19(1)g when its concentration exceeds:\n- 0.001% in leave-on "
        "products\n- 0.01% in rinse-off products"
    )
    assert [(set(c.product_scope), c.label_above_percent) for c in allergen.conditions] == [
        ({"leave_on"}, 0.001),
        ({"rinse_off"}, 0.01),
    ]
    assert all(c.max_percent is None for c in allergen.conditions)
    salicylic = parse_columns(
        "Rinse-off hair products",
        "3.0%",
        "Not to be used in preparations for children under 3 years of age. Not to be used in "
        "applications that may lead to exposure of the end-user's lungs by inhalation. Not to "
        "be used in oral products.",
    )
    assert salicylic.parsed, salicylic.reason
    (condition,) = salicylic.conditions
    assert condition.excluded_scope == F({"children", "oral"})
    assert condition.children_under_years == 3
    assert "lungs by inhalation" in condition.other  # kept as text, not encoded
    only_banned = parse_columns("Not to be used in eye products")
    assert summary(only_banned.conditions) == [
        ({"eye"}, set(), False, 0.0, None, False),
        (set(), set(), True, None, None, False),
    ]


def test_scope_phrases() -> None:
    scope, problems = parse_scope("Face and hand products")
    assert not problems and set(scope.alternatives) == {F({"face"}), F({"hands"})}
    scope, problems = parse_scope("Only for colouring eyelashes and eyebrows")
    assert not problems and scope.alternatives == (F({"eyelash_dye"}),)
    scope, problems = parse_scope("Deodorants, not in form of spray")
    assert not problems and scope.excluded == F({"spray"})
    scope, problems = parse_scope("Products for children under 3 years of age")
    assert scope.children_under_years == 3 and scope.alternatives == (F({"children"}),)
    scope, problems = parse_scope("사용 후 씻어내는 두발용 제품류 및 두발 염색용 제품류")
    assert set(scope.alternatives) == {F({"rinse_off", "hair"}), F({"rinse_off", "hair_dye"})}
    assert parse_scope("Rust inhibitor")[0].note == "use: rust inhibitor"


def test_lettered_split() -> None:
    head, parts = split_lettered("(b) 0,5 %")
    assert (head, parts) == ("", {"b": "0,5 %"})
    head, parts = split_lettered("(a) (b) (c)\nAvoid contact with eyes")
    assert parts == {
        "a": "Avoid contact with eyes",
        "b": "Avoid contact with eyes",
        "c": "Avoid contact with eyes",
    }
    head, parts = split_lettered("(a) (i) 8% (ii) 11%\n(b) 5%")
    assert parts == {"a": "(i) 8% (ii) 11%", "b": "5%"}  # (i) is not a sub-entry
    head, parts = split_lettered("(a) to (c):\nNot to be used in eye products")
    assert (head, parts) == ("", dict.fromkeys("abc", "Not to be used in eye products"))
    head, parts = split_lettered("(a) to (c): shared\n(b) own")  # a marker after it: not a range
    assert parts == {"a": "to (c): shared", "b": "own"}


def test_thresholds() -> None:
    assert parse_threshold("0.01% 초과") == 0.01
    assert parse_threshold("> 0,001 %") == 0.001
    assert parse_threshold("초과") is None


def test_a_list_bullet_before_the_limit_is_not_a_condition() -> None:
    # EU Annex VI entry 30 (zinc oxide) writes its limits as a bulleted list
    result = parse_limit(
        "- 25%\n- In case of combined use of zinc oxide and zinc oxide (nano), the sum shall "
        "not exceed the limit of 25%"
    )
    assert result.problems == ()
    assert [c.max_percent for c in result.conditions] == [25.0, 25.0]
    assert result.conditions[1].sum_rule is not None


def test_spray_forms_including_and_list_headings() -> None:
    """Annex VI's spray wording: a propellant spray is a spray; "including" broadens nothing."""
    octocrylene = parse_columns("a) Propellant spray products\nb) Other products", "a) 9%\nb) 10%")
    assert octocrylene.parsed, octocrylene.reason
    assert summary(octocrylene.conditions) == [
        ({"spray"}, set(), False, 9.0, None, False),
        (set(), set(), True, 10.0, None, False),
    ]
    homosalate = parse_columns(
        "Face products with the exception of propellent spray products", "7,34 %"
    )
    assert summary(homosalate.conditions) == [({"face"}, {"spray"}, False, 7.34, None, False)]
    benzophenone = parse_columns(
        "a) Face products, hand products, and lip products, excluding propellant and pump spray "
        "products\nb) Body products, including propellant and pump spray products\n"
        "c) Other products",
        "a) 6%\nb) 2,2%\nc) 0,5%",
    )
    assert benzophenone.parsed, benzophenone.reason
    body = [c for c in benzophenone.conditions if c.max_percent == 2.2]
    # body products of every form: never a standalone "spray" scope at 2.2 %
    assert [set(c.product_scope) for c in body] == [{"body"}]
    assert "including propellant and pump spray products" in body[0].other
    assert {c.max_percent for c in benzophenone.conditions if "spray" in c.excluded_scope} == {6.0}
    glycol = parse_scope("The following spray products: fine fragrances, hair sprays, deodorant")
    assert not glycol[1]
    assert set(glycol[0].alternatives) == {
        F({"spray", "fine_fragrance"}),
        F({"spray", "hair"}),
        F({"spray", "deodorant"}),
    }
    assert "list heading not understood" in " ".join(
        parse_scope("The following gadgets: deodorant")[1]
    )


def test_per_million_limits_feet_loose_powder_and_eyebrows() -> None:
    assert summary(parse_columns("", "100 mg/kg").conditions) == [
        (set(), set(), False, 0.01, None, False)
    ]
    dye = parse_columns("Rinse-off products", "5 ppm")
    assert summary(dye.conditions) == [({"rinse_off"}, set(), False, 0.0005, None, False)]
    assert dye.conditions[0].text.endswith("5 ppm")  # the original wording is kept
    assert "limit not in %" in parse_columns("", "5 ppb").reason  # never guessed
    climbazole = parse_columns("(a) Face creams\n(b) Foot care products", "(a) 0,2 %\n(b) 0,2 %")
    assert climbazole.parsed, climbazole.reason
    assert {F(c.product_scope) for c in climbazole.conditions} == {
        F({"face", "leave_on"}),
        F({"feet"}),
    }
    titanium = parse_scope("face products in loose powder form")
    assert not titanium[1] and titanium[0].alternatives == (F({"face", "powder"}),)
    hair_dye = parse_scope("Non-oxidising colouring agents for hair dyeing")
    assert hair_dye[0].alternatives == (F({"hair_dye_non_oxidative"}),)
    no_brows, problems = parse_scope("General use, not to be used on eyebrows")
    assert not problems and no_brows.excluded == F({"eye", "professional"})
