"""Relative quantification: ddCq (Livak) and efficiency-corrected (Pfaffl) with several
reference genes, in the qbase way (Hellemans et al. 2007).

For a target t with amplification factor E_t (2.0 = 100 %), a sample s and the calibrator c:

    RQ_t(s)  = E_t ** (Cq_t(c) - Cq_t(s))
    NF(s)    = geometric mean over the reference genes r of RQ_r(s)      (Vandesompele 2002)
    NRQ_t(s) = RQ_t(s) / NF(s)                                           (fold change vs c)

With every E = 2 this is 2 ** -ddCq, ddCq = dCq(s) - dCq(c), dCq = Cq_t - mean_r Cq_r (Livak).
Uncertainty: the standard errors of the mean replicate Cqs are propagated in log space; the 95 %
interval uses Student's t with Welch-Satterthwaite degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from actives.errors import InvalidInputError

REQUIRED_COLUMNS = ("sample", "target", "cq", "is_reference", "is_calibrator")


@dataclass(frozen=True)
class RelativeResult:
    """Fold change of one target in one sample against the calibrator."""

    sample: str
    target: str
    n: int  # replicate Cqs used for this sample x target
    mean_cq: float
    sd_cq: float | None  # None with a single replicate
    reference_cq: float  # mean over the reference genes of their mean Cq in this sample
    dcq: float  # mean_cq - reference_cq
    ddcq: float  # dcq - calibrator's dcq
    efficiency: float  # amplification factor used for the target
    rq: float  # normalised relative quantity (fold change vs the calibrator)
    log2_rq: float
    se_log2_rq: float | None
    ci95: tuple[float, float] | None
    method: str  # "livak" (all efficiencies 2) or "pfaffl"
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _table(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    table = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if table.empty:
        raise InvalidInputError("The table has no rows; expected one row per replicate Cq.")
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise InvalidInputError(
            f"The table lacks the column(s) {', '.join(missing)}; expected columns "
            f"{', '.join(REQUIRED_COLUMNS)} (and optionally efficiency)."
        )
    table["sample"] = table["sample"].astype(str)
    table["target"] = table["target"].astype(str)
    cq = pd.to_numeric(table["cq"].replace({"": None, "Undetermined": None}), errors="coerce")
    bad = table["cq"].notna() & ~table["cq"].isin(["", "Undetermined"]) & cq.isna()
    if bad.any():
        raise InvalidInputError(
            f"Cq values {table.loc[bad, 'cq'].astype(str).head(3).tolist()} are not numbers; "
            "expected a number, or empty/None/'Undetermined' for no Cq."
        )
    if (cq < 0).any():
        raise InvalidInputError(
            f"Negative Cq values {cq[cq < 0].head(3).tolist()}; a Cq is a cycle number >= 0."
        )
    table["cq"] = cq
    for col in ("is_reference", "is_calibrator"):
        table[col] = table[col].map(_as_bool)
    if "efficiency" in table.columns:
        eff = pd.to_numeric(table["efficiency"], errors="coerce")
        given = eff.notna()
        out = given & ~eff.between(1.0, 2.2, inclusive="right")
        if out.any():
            raise InvalidInputError(
                f"Efficiencies {eff[out].head(3).tolist()} are outside 1–2.2; expected the "
                "amplification factor per cycle (2.0 = 100 %; a 95 % efficiency is 1.95)."
            )
        table["efficiency"] = eff
    else:
        table["efficiency"] = np.nan
    return table


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "yes", "y", "t"):
            return True
        if text in ("0", "false", "no", "n", "f", ""):
            return False
        raise InvalidInputError(f"{value!r} is not a yes/no value; expected true/false or 1/0.")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def relative_quantities(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    on_missing: Literal["raise", "note"] = "raise",
    include_references: bool = False,
) -> list[RelativeResult]:
    """Fold change of every target of interest in every sample against the calibrator sample(s),
    normalised to the geometric mean of the reference genes.

    ``rows``: one row per replicate with sample, target, cq (None/NaN = no Cq), is_reference,
    is_calibrator and optionally efficiency (amplification factor of the target). A sample
    without a Cq for some reference gene raises (``on_missing="raise"``) or gets a row with a
    note and no fold change (``"note"``).
    """
    table = _table(rows)
    per_target = table.groupby("target")
    ref_flags = per_target["is_reference"].nunique()
    if (ref_flags > 1).any():
        raise InvalidInputError(
            f"Target(s) {', '.join(ref_flags[ref_flags > 1].index)} are marked as reference in "
            "some rows and not in others; expected one flag per target."
        )
    references = sorted(table.loc[table["is_reference"], "target"].unique())
    if not references:
        raise InvalidInputError(
            "No reference gene: expected at least one target with is_reference true (two or "
            "more stable reference genes are recommended, MIQE)."
        )
    cal_flags = table.groupby("sample")["is_calibrator"].nunique()
    if (cal_flags > 1).any():
        raise InvalidInputError(
            f"Sample(s) {', '.join(cal_flags[cal_flags > 1].index)} are marked as calibrator in "
            "some rows and not in others; expected one flag per sample."
        )
    calibrators = sorted(table.loc[table["is_calibrator"], "sample"].unique())
    if not calibrators:
        raise InvalidInputError(
            "No calibrator: expected at least one sample with is_calibrator true (the control "
            "the fold changes are relative to)."
        )
    efficiencies: dict[str, float] = {}
    notes_all: list[str] = []
    for target, group in per_target:
        values = group["efficiency"].dropna().unique()
        if values.size > 1:
            raise InvalidInputError(
                f"Target {target} has several efficiencies {values[:3].tolist()}; expected one "
                "per target."
            )
        efficiencies[str(target)] = float(values[0]) if values.size else 2.0
    if table["efficiency"].notna().any() and table["efficiency"].isna().any():
        without = sorted(str(t) for t, g in per_target if g["efficiency"].isna().all())
        notes_all.append(f"efficiency 2.0 (100 %) assumed for {', '.join(without)}")
    method = "livak" if all(e == 2.0 for e in efficiencies.values()) else "pfaffl"

    stats_by: dict[tuple[str, str], tuple[float, float, int, int]] = {}
    for key, group in table.groupby(["sample", "target"]):
        sample, target = str(key[0]), str(key[1])
        vals = group["cq"].dropna().to_numpy()
        n_missing = int(group["cq"].isna().sum())
        mean = float(vals.mean()) if vals.size else float("nan")
        sd = float(vals.std(ddof=1)) if vals.size > 1 else float("nan")
        stats_by[(str(sample), str(target))] = (mean, sd, int(vals.size), n_missing)

    def cal_cq(target: str) -> tuple[float, float, float]:
        """Mean Cq of a target over the calibrator samples, its variance and its dof."""
        parts = [stats_by.get((c, target)) for c in calibrators]
        good = [p for p in parts if p is not None and p[2] > 0]
        if not good:
            raise InvalidInputError(
                f"The calibrator ({', '.join(calibrators)}) has no Cq for {target}; every "
                "target needs a calibrator Cq."
            )
        k = len(good)
        mean = float(np.mean([p[0] for p in good]))
        if all(p[2] > 1 for p in good):
            var = float(sum(p[1] ** 2 / p[2] for p in good) / k**2)
            dof = float(min(p[2] - 1 for p in good))
        else:
            var, dof = float("nan"), float("nan")
        return mean, var, dof

    cal = {t: cal_cq(t) for t in sorted(table["target"].unique())}
    samples = sorted(table["sample"].unique())
    targets = sorted(
        t for t in table["target"].unique() if include_references or t not in references
    )
    results: list[RelativeResult] = []
    for sample in samples:
        ref_terms: list[tuple[float, float, float, float, float]] = []  # log10 RQ, var, ...
        missing_refs = [
            r for r in references if stats_by.get((sample, r), (np.nan, 0, 0, 0))[2] == 0
        ]
        if missing_refs and on_missing == "raise":
            raise InvalidInputError(
                f"Sample {sample} has no Cq for reference gene(s) {', '.join(missing_refs)}; "
                "every sample needs a Cq for every reference gene (or leave the gene out)."
            )
        for r in references:
            if r in missing_refs:
                continue
            mean, sd, n, _m = stats_by[(sample, r)]
            lg = np.log10(efficiencies[r])
            c_mean, c_var, c_dof = cal[r]
            s_var = sd**2 / n if n > 1 else float("nan")
            ref_terms.append((lg * (c_mean - mean), lg**2 * s_var, lg**2 * c_var, n - 1, c_dof))
        for target in targets:
            entry = stats_by.get((sample, target))
            notes = list(notes_all)
            if entry is None:
                continue
            mean, sd, n, n_missing = entry
            if n_missing:
                notes.append(f"{n_missing} replicate(s) without a Cq left out")
            ref_cq = (
                float(np.mean([stats_by[(sample, r)][0] for r in references if r not in
                               missing_refs]))
                if len(missing_refs) < len(references) else float("nan")
            )  # fmt: skip
            c_mean, c_var, c_dof = cal[target]
            cal_ref_cq = float(np.mean([cal[r][0] for r in references]))
            if n == 0 or missing_refs:
                reason = (
                    f"no Cq for reference gene(s) {', '.join(missing_refs)}"
                    if missing_refs
                    else "no Cq for this target in this sample"
                )
                notes.append(reason + ": no fold change")
                results.append(
                    RelativeResult(sample, target, n, mean, None, ref_cq, float("nan"),
                                   float("nan"), efficiencies[target], float("nan"),
                                   float("nan"), None, None, method, tuple(notes))
                )  # fmt: skip
                continue
            lg = np.log10(efficiencies[target])
            log_rq = lg * (c_mean - mean)
            log_nf = float(np.mean([t[0] for t in ref_terms]))
            log_nrq = log_rq - log_nf
            k = len(ref_terms)
            # variance components (log10 units) and their degrees of freedom
            comps: list[tuple[float, float]] = [
                (lg**2 * (sd**2 / n if n > 1 else np.nan), n - 1),
                (lg**2 * c_var, c_dof),
            ]
            for term in ref_terms:
                comps.append((term[1] / k**2, term[3]))
                comps.append((term[2] / k**2, term[4]))
            if sample in calibrators:
                # the calibrator against itself: its own scatter is already in the variance
                comps = comps[1:2] + [comps[i] for i in range(3, len(comps), 2)]
            variances = np.array([c[0] for c in comps], dtype=np.float64)
            dofs = np.array([c[1] for c in comps], dtype=np.float64)
            se_log2: float | None = None
            ci: tuple[float, float] | None = None
            if np.all(np.isfinite(variances)) and np.all(dofs > 0):
                var = float(variances.sum())
                se10 = np.sqrt(var)
                nonzero = variances > 0
                df = (
                    var**2 / float(np.sum(variances[nonzero] ** 2 / dofs[nonzero]))
                    if nonzero.any() else float("inf")
                )  # fmt: skip
                t = float(stats.t.ppf(0.975, df)) if np.isfinite(df) else 1.959963984540054
                se_log2 = float(se10 / np.log10(2))
                ci = (float(10 ** (log_nrq - t * se10)), float(10 ** (log_nrq + t * se10)))
            else:
                notes.append("single replicates: no confidence interval")
            dcq = mean - ref_cq
            ddcq = dcq - (c_mean - cal_ref_cq)
            results.append(
                RelativeResult(
                    sample=sample,
                    target=target,
                    n=n,
                    mean_cq=mean,
                    sd_cq=sd if n > 1 else None,
                    reference_cq=ref_cq,
                    dcq=float(dcq),
                    ddcq=float(ddcq),
                    efficiency=efficiencies[target],
                    rq=float(10**log_nrq),
                    log2_rq=float(log_nrq / np.log10(2)),
                    se_log2_rq=se_log2,
                    ci95=ci,
                    method=method,
                    notes=tuple(notes),
                )
            )
    return results


def relative_table(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    on_missing: Literal["raise", "note"] = "raise",
    include_references: bool = False,
) -> pd.DataFrame:
    """:func:`relative_quantities` as a table, one row per sample x target."""
    results = relative_quantities(rows, on_missing, include_references)
    frame = pd.DataFrame([r.as_dict() for r in results])
    if not frame.empty:
        frame["ci95_low"] = [c[0] if c else np.nan for c in frame["ci95"]]
        frame["ci95_high"] = [c[1] if c else np.nan for c in frame["ci95"]]
        frame["notes"] = ["; ".join(n) for n in frame["notes"]]
        frame = frame.drop(columns=["ci95"])
    return frame
