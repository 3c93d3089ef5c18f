"""4PL/3PL fits: recovery of a known curve, CI coverage, model choice, each flag from a designed
dataset, refused inputs, and the batch over the tyrosinase plate."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from actives.assays.dose_response import (
    fit_all,
    fit_curve,
    fit_dose_response,
    fits_table,
    logistic,
    read_plate,
    read_table,
)
from actives.assays.dose_response.tables import DosePoint, DoseResponseData, SampleSeries
from actives.errors import InvalidInputError

DATA = Path(__file__).parents[3] / "data" / "assays" / "dose_response"
TRUTH = json.loads((DATA / "truth.json").read_text("utf-8"))
CONC = np.repeat([1.0, 3, 10, 30, 100, 300, 1000], 3)


def _curve(bottom: float, top: float, ic50: float, hill: float, noise: float, seed: int,
           conc: np.ndarray = CONC) -> np.ndarray:  # fmt: skip
    rng = np.random.default_rng(seed)
    return logistic(np.log10(conc), bottom, top, math.log10(ic50), hill) + rng.normal(
        0, noise, conc.size
    )


def test_logistic_is_the_4pl_formula() -> None:
    # y = bottom + (top - bottom) / (1 + (IC50 / c) ** hill), by hand at c = IC50 and c = 3 IC50
    assert logistic(np.log10(20.0), 5, 95, np.log10(20.0), 1.5) == pytest.approx(50.0)
    assert logistic(np.log10(60.0), 0, 100, np.log10(20.0), 2) == pytest.approx(100 / (1 + 1 / 9))


def test_recovers_a_known_4pl_within_its_ci() -> None:
    y = _curve(3, 95, 50, 1.3, 3.0, seed=11)
    fit = fit_curve(CONC, y, sample="S", unit="µM", model="4pl")
    low, high = fit.ic50_ci
    assert low is not None and high is not None
    assert low < 50 < high
    assert fit.ic50 == pytest.approx(50, rel=0.15)
    assert fit.hill == pytest.approx(1.3, abs=3 * fit.std_errors["hill"])  # type: ignore[operator]
    assert fit.top == pytest.approx(95, abs=3 * fit.std_errors["top"])  # type: ignore[operator]
    assert fit.flags == ()
    assert fit.ic50_text.startswith(f"{fit.ic50:.3g} µM (95 % CI")
    # residual SD, R² and AICc by their formulas
    residuals = y - fit.curve(CONC)
    sse = float(np.sum(residuals**2))
    assert fit.sse == pytest.approx(sse)
    assert fit.residual_sd == pytest.approx(math.sqrt(sse / (y.size - 4)))
    assert fit.r2 == pytest.approx(1 - sse / float(np.sum((y - y.mean()) ** 2)))
    n, k = y.size, 5
    assert fit.aicc == pytest.approx(n * math.log(sse / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1))


def test_profile_ci_coverage_is_near_95_percent() -> None:
    hits = 0
    runs = 40
    for seed in range(runs):
        y = _curve(0, 100, 30, 1.0, 5.0, seed=1000 + seed)
        low, high = fit_curve(CONC, y, model="4pl").ic50_ci
        hits += low is not None and high is not None and low <= 30 <= high
    assert hits / runs >= 0.85


def test_wald_and_profile_agree_on_well_defined_data() -> None:
    y = _curve(0, 100, 30, 1.0, 2.0, seed=5)
    profile = fit_curve(CONC, y, ci="profile")
    wald = fit_curve(CONC, y, ci="wald")
    assert profile.ci_method.startswith("profile")
    assert wald.ci_method.startswith("Wald")
    for a, b in zip(profile.ic50_ci, wald.ic50_ci, strict=True):
        assert a is not None and b is not None and a == pytest.approx(b, rel=0.05)
    # Wald CI by hand: 10 ** (log IC50 ± t × SE)
    from scipy import stats

    t = stats.t.ppf(0.975, wald.df)
    se = wald.std_errors["log_ic50"]
    assert se is not None
    assert wald.ic50_ci[0] == pytest.approx(10 ** (wald.log_ic50 - t * se))


def test_auto_model_uses_the_f_test() -> None:
    steep = fit_curve(CONC, _curve(0, 100, 30, 2.5, 2.0, seed=3))
    assert steep.model == "4pl" and steep.comparison is not None
    assert steep.comparison.p_value is not None and steep.comparison.p_value < 0.05
    assert "extra-sum-of-squares F test" in steep.model_note
    plain = fit_curve(CONC, _curve(0, 100, 30, 1.0, 2.0, seed=3))
    assert plain.model == "3pl" and plain.hill == 1.0 and plain.std_errors["hill"] is None


def test_fixed_bottom_and_top() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 30, 1.0, 3.0, seed=8), fix_bottom=0, fix_top=100)
    assert fit.bottom == 0 and fit.top == 100
    assert fit.free in (("log_ic50", "hill"), ("log_ic50",))
    assert "fixed: bottom = 0, top = 100" in fit.model_note
    # with bottom 0 and top 100 the relative and absolute IC50 coincide
    assert fit.ic50_absolute == pytest.approx(fit.ic50_fitted)


def test_absolute_ic50_on_a_partial_curve() -> None:
    fit = fit_curve(CONC, _curve(0, 80, 30, 1.0, 1.0, seed=2), model="4pl")
    # 50 % on the curve: c = IC50 × ((50 − bottom) / (top − 50)) ** (1 / hill)
    expected = fit.ic50_fitted * ((50 - fit.bottom) / (fit.top - 50)) ** (1 / fit.hill)
    assert fit.ic50_absolute == pytest.approx(expected, rel=1e-9)
    assert fit.ic50_absolute > fit.ic50_fitted  # type: ignore[operator]
    low, high = fit.ic50_absolute_ci
    assert low is not None and high is not None and fit.ic50_absolute is not None
    assert low < fit.ic50_absolute < high


def test_band_contains_the_curve_and_widens_away_from_the_data() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 30, 1.0, 4.0, seed=4), model="4pl")
    grid = np.array([30.0, 1e5])
    low, high = fit.band(grid)
    centre = fit.curve(grid)
    assert np.all(low <= centre) and np.all(centre <= high)
    assert (high - low)[1] > (high - low)[0]


# --- flags, each from a designed dataset ---------------------------------------------------------


def test_flag_no_upper_plateau() -> None:
    conc = np.repeat([0.1, 0.3, 1, 3, 10, 30, 100], 3)
    fit = fit_curve(conc, _curve(0, 100, 100, 1.0, 2.0, seed=1, conc=conc), model="4pl")
    assert "no_upper_plateau" in fit.flag_codes


def test_flag_no_lower_plateau() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 1.5, 1.0, 2.0, seed=1), model="4pl")
    assert "no_lower_plateau" in fit.flag_codes


def test_flag_ic50_above_range_reports_greater_than() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 5000, 1.0, 2.0, seed=1), fix_bottom=0, fix_top=100)
    assert "ic50_above_range" in fit.flag_codes
    assert fit.ic50 is None and fit.ic50_qualifier == ">"
    assert fit.ic50_fitted > 1000
    assert fit.ic50_text == "> 1000"


def test_flag_ic50_below_range_reports_less_than() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 0.1, 1.0, 2.0, seed=1), unit="µM", fix_bottom=0,
                    fix_top=100)  # fmt: skip
    assert "ic50_below_range" in fit.flag_codes
    assert fit.ic50 is None and fit.ic50_text == "< 1 µM"


def test_flag_inactive_for_a_flat_response() -> None:
    fit = fit_curve(CONC, _curve(0, 0, 30, 1.0, 3.0, seed=9), unit="µM")
    assert "inactive" in fit.flag_codes
    assert fit.ic50 is None and fit.ic50_text == "> 1000 µM"
    message = next(f.message for f in fit.flags if f.code == "inactive")
    assert "inactive up to 1000 µM" in message


def test_flag_poor_fit() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 30, 1.0, 22.0, seed=12), model="3pl")
    assert fit.r2 < 0.8
    assert "poor_fit" in fit.flag_codes


def test_flag_wide_ci() -> None:
    conc = np.array([1.0, 3, 10, 30, 100, 300])  # one point each, scattered by ±8 %
    y = logistic(np.log10(conc), 0, 100, math.log10(30), 1.0) + np.array([8.0, -9, 7, -8, 9, -7])
    fit = fit_curve(conc, y, model="4pl")
    assert "wide_ci" in fit.flag_codes


def test_flag_too_few_concentrations_falls_back_to_3pl() -> None:
    conc = np.repeat([1.0, 10, 100], 3)
    y = _curve(0, 100, 10, 1.0, 2.0, seed=6, conc=conc)
    fit = fit_curve(conc, y)
    assert fit.model == "3pl" and "too_few_concentrations" in fit.flag_codes
    with pytest.raises(InvalidInputError, match="3 distinct concentrations; 4PL needs at least 4"):
        fit_curve(conc, y, model="4pl")
    with pytest.raises(InvalidInputError, match="2 distinct concentration"):
        fit_curve(conc[:6], y[:6])


def test_flag_activation() -> None:
    fit = fit_curve(CONC, _curve(0, -60, 30, 1.0, 3.0, seed=13))
    assert "activation" in fit.flag_codes and "inactive" in fit.flag_codes
    assert fit.ic50 is None


def test_flag_hormesis() -> None:
    means = {1: -30.0, 3: -28.0, 10: -20.0, 30: 20.0, 100: 70.0, 300: 88.0, 1000: 92.0}
    rng = np.random.default_rng(21)
    y = np.array([means[int(c)] for c in CONC]) + rng.normal(0, 2.0, CONC.size)
    fit = fit_curve(CONC, y)
    assert "hormesis" in fit.flag_codes


def test_flag_not_converged_is_absent_on_clean_data() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 30, 1.0, 2.0, seed=1))
    assert fit.converged and "not_converged" not in fit.flag_codes


# --- refused inputs ------------------------------------------------------------------------------


def test_zero_or_negative_concentration_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"concentrations 0, -1 are zero or negative"):
        fit_curve([0, -1, 1, 2, 3], [0, 0, 10, 20, 30])


def test_unknown_model_and_mismatched_lengths() -> None:
    with pytest.raises(InvalidInputError, match="Unknown model '5pl'"):
        fit_curve(CONC, CONC, model="5pl")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="got 3 concentrations and 2 responses"):
        fit_curve([1, 2, 3], [1, 2])


# --- batches and the fixtures --------------------------------------------------------------------


def test_tyrosinase_plate_gives_ic50_with_ci() -> None:
    data = read_plate(DATA / "tyrosinase_plate.txt", DATA / "tyrosinase_layout.csv")
    outcomes = {o.sample: o for o in fit_all(data)}
    for name in ("Kojic acid", "Arbutin"):
        fit = outcomes[name].fit
        assert fit is not None and outcomes[name].status == "ok"
        low, high = fit.ic50_ci
        assert low is not None and high is not None
        assert low < TRUTH[name]["ic50"] < high
        assert fit.unit == "µM"
    extract = outcomes["Extract X"].fit
    assert extract is not None and "inactive" in extract.flag_codes


def test_tidy_table_fits_close_to_the_generating_curve() -> None:
    data = read_table(DATA / "tyrosinase_tidy.csv")
    for outcome in fit_all(data):
        assert outcome.fit is not None
        truth = TRUTH[f"tidy:{outcome.sample}"]["ic50"]
        assert outcome.fit.ic50 == pytest.approx(truth, rel=0.25)
        assert outcome.fit.unit == "µg/mL"


def test_fit_all_keeps_going_and_reports_errors() -> None:
    good = SampleSeries(
        "good",
        "µM",
        [
            DosePoint(float(c), float(r))
            for c, r in zip(CONC, _curve(0, 100, 30, 1, 2, seed=1), strict=True)
        ],
    )
    bad = SampleSeries("bad", "µM", [DosePoint(1.0, 5.0), DosePoint(2.0, 6.0)])
    data = DoseResponseData([bad, good], "inhibition", "as given")
    outcomes = fit_all(data, model="auto")
    assert [o.status for o in outcomes] == ["error", "ok"]
    assert "distinct concentration" in outcomes[0].message
    table = fits_table(outcomes)
    assert list(table["sample"]) == ["bad", "good"]
    assert table.loc[1, "ic50"] == pytest.approx(outcomes[1].fit.ic50)  # type: ignore[union-attr]
    assert fit_dose_response(good).sample == "good"


def test_as_dict_is_json() -> None:
    fit = fit_curve(CONC, _curve(0, 100, 30, 1.0, 2.0, seed=1), sample="S", unit="µM")
    payload = json.loads(json.dumps(fit.as_dict()))
    assert payload["sample"] == "S" and payload["ic50"] == pytest.approx(fit.ic50)
    assert len(payload["points"]) == CONC.size
    assert payload["ic50_ci"][0] < payload["ic50"] < payload["ic50_ci"][1]
