"""OECD GL497 defined approaches: assay calls, borderline ranges, every 2o3 and ITS rule."""

from __future__ import annotations

import json

import pytest

from actives.errors import InvalidInputError
from actives.safety.defined_approaches import (
    DEFINED_APPROACHES,
    INCONCLUSIVE,
    ITS_TABLE,
    NEGATIVE,
    NON_SENSITISER,
    POSITIVE,
    SENSITISER,
    DPRAResult,
    HCLATResult,
    InSilicoResult,
    KeratinoSensResult,
    dpra_its_score,
    dpra_outcome,
    hclat_its_score,
    hclat_outcome,
    in_silico_its_score,
    integrated_testing_strategy,
    its_category_by_enumeration,
    keratinosens_outcome,
    parse_call,
    run_defined_approach,
    two_out_of_three,
)

POS_DPRA = DPRAResult(60.0, 40.0)  # mean 50 %: positive, ITS score 3
NEG_DPRA = DPRAResult(2.0, 1.0)  # mean 1.5 %: negative, ITS score 0
POS_KS = KeratinoSensResult("positive")
NEG_KS = KeratinoSensResult("negative")
POS_HCLAT = HCLATResult("positive")
NEG_HCLAT = HCLATResult("negative")


# --- calls ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("positive", POSITIVE),
        ("POS", POSITIVE),
        ("+", POSITIVE),
        ("1", POSITIVE),
        ("Active", POSITIVE),
        ("sensitizer", POSITIVE),
        ("Sensitiser", POSITIVE),
        ("negative", NEGATIVE),
        ("Neg", NEGATIVE),
        ("-", NEGATIVE),
        ("0", NEGATIVE),
        ("inactive", NEGATIVE),
        ("Non-Sensitiser", NEGATIVE),
        ("non-sensitizer", NEGATIVE),
        ("borderline", INCONCLUSIVE),
        ("Not applicable", "not applicable"),
        ("", None),
        ("NA", None),
        (None, None),
        (1, POSITIVE),
        (0, NEGATIVE),
    ],
)
def test_parse_call_accepts_the_usual_words(word: object, expected: str | None) -> None:
    assert parse_call(word) == expected


def test_parse_call_rejects_an_unreadable_word_saying_what_is_expected() -> None:
    with pytest.raises(InvalidInputError, match=r"'maybe' cannot be read; expected positive"):
        parse_call("maybe", "KeratinoSens call")


def test_assay_results_normalise_their_call() -> None:
    assert KeratinoSensResult("pos").call == POSITIVE
    assert HCLATResult("-").call == NEGATIVE


# --- DPRA -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cys", "lys", "expected"),
    [
        (4.0, 5.88, NEGATIVE),  # mean 4.94 < 4.95
        (4.0, 5.9, INCONCLUSIVE),  # mean 4.95: lower bound of the borderline range
        (6.38, 6.38, INCONCLUSIVE),  # the threshold itself lies in the borderline range
        (8.32, 8.32, INCONCLUSIVE),  # upper bound (inclusive)
        (8.33, 8.33, POSITIVE),
        (20.0, -10.0, POSITIVE),  # negative Lys depletion counts as 0: mean 10
    ],
)
def test_dpra_mean_model_with_borderline_range(cys: float, lys: float, expected: str) -> None:
    outcome, step = dpra_outcome(DPRAResult(cys, lys))
    assert outcome == expected
    assert "TG 442C" in step.source and "borderline" in step.source


@pytest.mark.parametrize(
    ("cys", "expected"),
    [(10.55, NEGATIVE), (10.56, INCONCLUSIVE), (13.89, INCONCLUSIVE), (18.47, INCONCLUSIVE),
     (18.48, POSITIVE)],
)  # fmt: skip
def test_dpra_cys_only_model(cys: float, expected: str) -> None:
    outcome, step = dpra_outcome(DPRAResult(cys, None))
    assert outcome == expected
    assert "Cys-only" in step.rule


def test_dpra_call_that_contradicts_the_values_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="contradicts its values"):
        dpra_outcome(DPRAResult(50.0, 40.0, "negative"))


def test_dpra_call_alone_is_used_as_reported() -> None:
    assert dpra_outcome(DPRAResult(call="pos"))[0] == POSITIVE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cys_depletion": 120.0, "lys_depletion": 10.0}, r"expected a number in \[-100, 100\] %"),
        ({"lys_depletion": 10.0}, "without a Cys depletion"),
        ({}, "neither depletion values nor a call"),
        ({"call": "perhaps"}, "cannot be read"),
        ({"call": "positive", "origin": "guessed"}, "expected one of: measured, predicted"),
    ],
)
def test_broken_dpra_inputs(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        DPRAResult(**kwargs)  # type: ignore[arg-type]


# --- KeratinoSens and h-CLAT ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imax", "call", "expected"),
    [
        (1.35, "negative", NEGATIVE),  # bounds are exclusive
        (1.36, "negative", INCONCLUSIVE),
        (1.66, "positive", INCONCLUSIVE),
        (1.67, "positive", POSITIVE),
        (1.8, None, POSITIVE),  # derived from Imax >= 1.5
        (1.2, None, NEGATIVE),
    ],
)
def test_keratinosens_imax_borderline(imax: float, call: str | None, expected: str) -> None:
    assert keratinosens_outcome(KeratinoSensResult(call, imax))[0] == expected


def test_keratinosens_ec15_above_1000_um_is_not_positive() -> None:
    outcome, step = keratinosens_outcome(KeratinoSensResult(None, 2.0, 1500.0))
    assert outcome == NEGATIVE
    assert "EC1.5 1500" in step.detail


def test_keratinosens_positive_call_with_low_imax_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="contradicts"):
        keratinosens_outcome(KeratinoSensResult("positive", 1.1))


@pytest.mark.parametrize(
    ("cd86", "cd54", "expected"),
    [
        (122.0, 157.0, NEGATIVE),  # both at the lower (exclusive) bound
        (123.0, 100.0, INCONCLUSIVE),  # CD86 borderline (122, 184]
        (184.0, 100.0, INCONCLUSIVE),
        (185.0, 100.0, POSITIVE),
        (100.0, 158.0, INCONCLUSIVE),  # CD54 borderline (157, 255]
        (100.0, 255.0, INCONCLUSIVE),
        (100.0, 256.0, POSITIVE),
        (130.0, 300.0, POSITIVE),  # one marker conclusively positive is enough
    ],
)
def test_hclat_rfi_with_borderline_ranges(cd86: float, cd54: float, expected: str) -> None:
    assert hclat_outcome(HCLATResult(None, cd86, cd54))[0] == expected


@pytest.mark.parametrize(
    ("log_kow", "expected"), [(3.5, NEGATIVE), (3.6, INCONCLUSIVE), (None, NEGATIVE)]
)
def test_negative_hclat_is_not_conclusive_above_log_kow_3_5(
    log_kow: float | None, expected: str
) -> None:
    outcome, step = hclat_outcome(NEG_HCLAT, log_kow)
    assert outcome == expected
    if expected == INCONCLUSIVE:
        assert "log Kow" in step.detail and "limitation" in step.source


def test_log_kow_does_not_touch_a_positive_hclat() -> None:
    assert hclat_outcome(POS_HCLAT, 6.0)[0] == POSITIVE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"call": "negative", "mit_ug_ml": 20.0}, "MIT exists only"),
        ({"mit_ug_ml": 6000.0}, "top concentration"),
        ({"mit_ug_ml": 0.0}, "MIT"),
        ({"cd86_rfi": 150.0}, "only one of CD86 RFI and CD54 RFI"),
        ({}, "no call, no RFI values and no MIT"),
    ],
)
def test_broken_hclat_inputs(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        HCLATResult(**kwargs)  # type: ignore[arg-type]


# --- 2 out of 3 -------------------------------------------------------------------------------


def test_2o3_two_concordant_positives_decide_and_third_is_not_needed() -> None:
    result = two_out_of_three(POS_DPRA, POS_KS)
    assert result.call == SENSITISER
    assert result.category == "1"
    assert (
        result.rule_fired == "DPRA and KeratinoSens both positive -> sensitiser (UN GHS Category 1)"
    )
    assert result.not_needed == ("h-CLAT",)
    assert "h-CLAT was not tested" in result.steps[-2].detail
    assert "no UN GHS potency sub-category" in result.potency_note
    assert result.inconclusive_reason is None


def test_2o3_two_concordant_negatives_decide_despite_a_discordant_third() -> None:
    result = two_out_of_three(NEG_DPRA, NEG_KS, POS_HCLAT)
    assert result.call == NON_SENSITISER
    assert result.category == "NC"
    assert result.rule_fired.startswith("DPRA and KeratinoSens both negative")
    assert result.not_needed == ("h-CLAT",)
    assert "does not change the outcome" in result.steps[-2].detail


def test_2o3_discordant_first_two_use_the_third() -> None:
    result = two_out_of_three(POS_DPRA, NEG_KS, POS_HCLAT)
    assert result.call == SENSITISER
    assert result.rule_fired.startswith("DPRA and h-CLAT both positive")
    assert result.not_needed == ("KeratinoSens",)


def test_2o3_keratinosens_and_hclat_decide_when_dpra_is_borderline() -> None:
    result = two_out_of_three(DPRAResult(7.0, 5.0), NEG_KS, NEG_HCLAT)  # mean 6.0: borderline
    assert result.call == NON_SENSITISER
    assert result.rule_fired.startswith("KeratinoSens and h-CLAT both negative")
    assert result.steps[0].outcome == INCONCLUSIVE


def test_2o3_discordant_without_third_is_inconclusive() -> None:
    result = two_out_of_three(POS_DPRA, NEG_KS)
    assert result.call == INCONCLUSIVE
    assert result.category is None
    assert result.inconclusive_reason is not None
    assert "discordant" in result.inconclusive_reason
    assert "h-CLAT, is needed but was not tested" in result.inconclusive_reason


def test_2o3_positive_negative_inconclusive_is_inconclusive() -> None:
    result = two_out_of_three(POS_DPRA, NEG_KS, HCLATResult(None, 150.0, 100.0))
    assert result.call == INCONCLUSIVE
    assert result.inconclusive_reason is not None
    assert "is inconclusive" in result.inconclusive_reason


def test_2o3_two_inconclusive_is_inconclusive() -> None:
    result = two_out_of_three(DPRAResult(6.0, 6.0), KeratinoSensResult(None, 1.5), POS_HCLAT)
    assert result.call == INCONCLUSIVE
    assert result.inconclusive_reason is not None
    assert result.inconclusive_reason.startswith("Fewer than two conclusive results")


def test_2o3_explicit_not_applicable_counts_as_not_conclusive() -> None:
    result = two_out_of_three(POS_DPRA, KeratinoSensResult("not applicable"), NEG_HCLAT)
    assert result.call == INCONCLUSIVE


def test_2o3_log_kow_rule_makes_a_negative_hclat_inconclusive() -> None:
    assert two_out_of_three(NEG_DPRA, POS_KS, NEG_HCLAT, log_kow=3.0).call == NON_SENSITISER
    result = two_out_of_three(NEG_DPRA, POS_KS, NEG_HCLAT, log_kow=4.0)
    assert result.call == INCONCLUSIVE
    assert any(q.name == "log Kow" for q in result.inputs)


def test_2o3_records_origin_and_flags_a_predicted_assay() -> None:
    measured = two_out_of_three(POS_DPRA, POS_KS)
    assert measured.measured_inputs == ("DPRA", "KeratinoSens")
    assert measured.guideline_conformant
    predicted = two_out_of_three(
        DPRAResult(call="positive", origin="predicted", source="Actives DPRA model v1"), POS_KS
    )
    assert predicted.predicted_inputs == ("DPRA",)
    assert not predicted.guideline_conformant
    assert "Actives DPRA model v1" in predicted.steps[0].detail


def test_every_step_names_its_source_and_outcome() -> None:
    result = two_out_of_three(POS_DPRA, NEG_KS, POS_HCLAT)
    for step in result.steps:
        assert step.source and step.outcome
    assert all("497" in step.source or "TG 442" in step.source for step in result.steps)


# --- ITS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cys", "lys", "score"),
    [
        (6.36, 6.38, 0),  # mean 6.37
        (6.38, 6.38, 1),
        (22.6, 22.62, 1),  # mean 22.61
        (22.62, 22.62, 2),
        (42.46, 42.46, 2),
        (42.47, 42.47, 3),
        (13.88, None, 0),  # Cys-only bands
        (13.89, None, 1),
        (23.08, None, 1),
        (23.09, None, 2),
        (98.23, None, 2),
        (98.24, None, 3),
    ],
)
def test_its_dpra_score_bands(cys: float, lys: float | None, score: int) -> None:
    assert dpra_its_score(DPRAResult(cys, lys))[0] == score


def test_its_dpra_call_without_depletion_is_not_available() -> None:
    score, step = dpra_its_score(DPRAResult(call="positive"))
    assert score is None
    assert "depletion" in step.detail


def test_its_dpra_borderline_is_scored_from_the_depletion_and_says_so() -> None:
    score, step = dpra_its_score(DPRAResult(7.0, 7.0))
    assert score == 1
    assert "borderline" in step.detail and "not verified" in step.detail


@pytest.mark.parametrize(
    ("mit", "score"), [(0.5, 3), (10.0, 3), (10.01, 2), (150.0, 2), (150.1, 1), (5000.0, 1)]
)
def test_its_hclat_mit_bands(mit: float, score: int) -> None:
    assert hclat_its_score(HCLATResult(mit_ug_ml=mit), None)[0] == score


def test_its_hclat_negative_scores_0_unless_log_kow_above_3_5() -> None:
    assert hclat_its_score(NEG_HCLAT, None)[0] == 0
    assert hclat_its_score(NEG_HCLAT, 3.5)[0] == 0
    score, step = hclat_its_score(NEG_HCLAT, 5.0)
    assert score is None and "not conclusive" in step.detail


def test_its_positive_hclat_without_mit_is_not_available() -> None:
    assert hclat_its_score(POS_HCLAT, None)[0] is None


@pytest.mark.parametrize(
    ("in_silico", "score"),
    [
        (InSilicoResult("positive", "Derek Nexus"), 1),
        (InSilicoResult("negative", "Derek Nexus"), 0),
        (InSilicoResult("positive", "Derek Nexus", in_domain=False), None),
        (InSilicoResult("inconclusive", "Derek Nexus"), None),
    ],
)
def test_its_in_silico_score(in_silico: InSilicoResult, score: int | None) -> None:
    assert in_silico_its_score(in_silico)[0] == score


# (DPRA mean, MIT or None for a negative h-CLAT, in silico call) for each total 0..7
_DPRA_BY_SCORE = {0: NEG_DPRA, 1: DPRAResult(10, 10), 2: DPRAResult(30, 30), 3: POS_DPRA}
_HCLAT_BY_SCORE = {0: NEG_HCLAT, 1: HCLATResult(mit_ug_ml=1000), 2: HCLATResult(mit_ug_ml=100),
                   3: HCLATResult(mit_ug_ml=5)}  # fmt: skip


@pytest.mark.parametrize(
    ("dpra", "hclat", "insilico", "category", "call"),
    [
        (3, 3, 1, "1A", SENSITISER),  # 7
        (3, 3, 0, "1A", SENSITISER),  # 6
        (3, 2, 0, "1B", SENSITISER),  # 5
        (1, 1, 0, "1B", SENSITISER),  # 2
        (1, 0, 0, "NC", NON_SENSITISER),  # 1
        (0, 0, 0, "NC", NON_SENSITISER),  # 0
    ],
)
def test_its_with_all_three_sources(
    dpra: int, hclat: int, insilico: int, category: str, call: str
) -> None:
    result = integrated_testing_strategy(
        _DPRA_BY_SCORE[dpra],
        _HCLAT_BY_SCORE[hclat],
        InSilicoResult("positive" if insilico else "negative", tool="Derek Nexus"),
    )
    assert result.score == dpra + hclat + insilico
    assert (result.category, result.call) == (category, call)
    assert result.variant == "ITSv1"
    assert result.rule_fired.startswith("DPRA + h-CLAT + in silico")


@pytest.mark.parametrize(
    ("dpra", "hclat", "category"),
    [(3, 3, "1A"), (3, 2, "1*"), (2, 2, "1B"), (1, 1, "1B"), (1, 0, None), (0, 0, "NC")],
)
def test_its_without_in_silico(dpra: int, hclat: int, category: str | None) -> None:
    result = integrated_testing_strategy(_DPRA_BY_SCORE[dpra], _HCLAT_BY_SCORE[hclat])
    assert result.category == category
    assert result.rule_fired.startswith("DPRA + h-CLAT:")
    if category is None:
        assert result.call == INCONCLUSIVE
        assert result.inconclusive_reason is not None
        assert "could change the conclusion" in result.inconclusive_reason
    if category == "1*":
        assert result.call == SENSITISER
        assert "potency" in result.potency_note and "inconclusive" in result.potency_note


@pytest.mark.parametrize(
    ("assay_score", "insilico", "category"),
    [(3, 1, "1*"), (3, 0, "1*"), (2, 0, "1B"), (1, 0, None), (0, 0, None)],
)
def test_its_with_one_assay_and_in_silico(
    assay_score: int, insilico: int, category: str | None
) -> None:
    in_silico = InSilicoResult("positive" if insilico else "negative", tool="OECD QSAR Toolbox")
    via_dpra = integrated_testing_strategy(_DPRA_BY_SCORE[assay_score], None, in_silico)
    via_hclat = integrated_testing_strategy(None, _HCLAT_BY_SCORE[assay_score], in_silico)
    for result in (via_dpra, via_hclat):
        assert result.category == category
        assert result.variant == "ITSv2"
        assert result.rule_fired.startswith("DPRA or h-CLAT + in silico")


def test_its_with_two_missing_sources_is_inconclusive() -> None:
    result = integrated_testing_strategy(POS_DPRA)
    assert result.call == INCONCLUSIVE
    assert result.score is None
    assert result.inconclusive_reason is not None
    assert "at least two" in result.inconclusive_reason


def test_its_out_of_domain_in_silico_counts_as_missing() -> None:
    result = integrated_testing_strategy(
        _DPRA_BY_SCORE[3],
        _HCLAT_BY_SCORE[2],
        InSilicoResult("positive", "Derek Nexus", in_domain=False),
    )
    assert result.category == "1*"
    assert result.scores["in silico"] is None


def test_its_negative_hclat_above_log_kow_3_5_leaves_dpra_and_in_silico() -> None:
    result = integrated_testing_strategy(
        _DPRA_BY_SCORE[2], NEG_HCLAT, InSilicoResult("negative", "Derek Nexus"), log_kow=4.1
    )
    assert result.scores == {"DPRA": 2, "h-CLAT": None, "in silico": 0}
    assert result.category == "1B"
    assert result.rule_fired.startswith("DPRA or h-CLAT + in silico")


def test_its_table_is_what_enumerating_the_missing_score_gives() -> None:
    for total, category in ITS_TABLE["DPRA + h-CLAT"].items():
        assert its_category_by_enumeration(total, "in silico") == category
    for total, category in ITS_TABLE["DPRA or h-CLAT + in silico"].items():
        assert its_category_by_enumeration(total, "DPRA") == category
        assert its_category_by_enumeration(total, "h-CLAT") == category


def test_its_with_a_tool_not_evaluated_under_gl497_is_labelled() -> None:
    result = integrated_testing_strategy(
        POS_DPRA, _HCLAT_BY_SCORE[3], InSilicoResult("positive", tool="Actives QSAR", version="1")
    )
    assert result.variant == "ITS with Actives QSAR 1 (not evaluated under GL497)"
    assert not result.guideline_conformant
    assert result.category == "1A"
    assert any(step.outcome == "not evaluated under GL497" for step in result.steps)
    assert result.predicted_inputs == ("in silico",)


def test_in_silico_must_be_predicted() -> None:
    with pytest.raises(InvalidInputError, match="expected 'predicted'"):
        InSilicoResult("positive", "Derek Nexus", origin="measured")


def test_results_are_json_serialisable_with_steps_and_inputs() -> None:
    result = integrated_testing_strategy(
        POS_DPRA, _HCLAT_BY_SCORE[3], InSilicoResult("positive", "Derek Nexus")
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["category"] == "1A"
    assert data["steps"][0]["title"] == "DPRA score (ITS)"
    assert {"name", "value", "unit", "origin", "source"} <= set(data["inputs"][0])


# --- registry -----------------------------------------------------------------------------------


def test_registry_lists_both_approaches_and_runs_them() -> None:
    assert [a.id for a in DEFINED_APPROACHES] == ["2o3", "its"]
    assert run_defined_approach("2o3", dpra=POS_DPRA, keratinosens=POS_KS).call == SENSITISER
    its = run_defined_approach("its", dpra=POS_DPRA, hclat=_HCLAT_BY_SCORE[3], keratinosens=NEG_KS)
    assert its.category == "1A"


def test_unknown_approach_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="known: 2o3, its"):
        run_defined_approach("kE31")


def test_in_silico_needs_the_name_of_its_tool() -> None:
    with pytest.raises(InvalidInputError, match="expected the name of the tool"):
        InSilicoResult("positive", " ")
