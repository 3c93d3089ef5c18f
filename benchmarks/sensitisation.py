"""Skin sensitisation: OECD 497 defined approaches on the reference chemicals, and our hazard
models against ADMET-AI's Skin_Reaction on the same cluster-held-out compounds.

    python benchmarks/sensitisation.py [--out docs/benchmarks.md] [--skip-admet-ai]

1. Defined approaches. Every chemical of the merged ICE/SkinSensDB data with DPRA, KeratinoSens and
   h-CLAT results (``actives.safety.data.da_reference_set``) goes through our 2o3 and ITS exactly as
   a user's measured results would. The ITS runs without an in silico source (DPRA + h-CLAT only)
   and with our LLNA QSAR in the in silico slot, where each chemical's QSAR call comes from a model
   that never saw it (cluster 5-fold, out of fold). Hazard calls are compared with the LLNA and the
   human (HMT/HRIPT) outcome, ITS potency with the LLNA GHS class; inconclusive results are counted,
   not scored.
2. Hazard models. On the LLNA and human training sets, cluster 5-fold out-of-fold predictions of our
   classifiers (the shipped recipe) and ADMET-AI's Skin_Reaction probability for the same compounds
   (peer venv of ``make bench-peers``, run in the same session). ADMET-AI was trained on TDC's Skin
   Reaction set (404 compounds, mostly LLNA), which may include some of these compounds: an
   advantage to it, stated beside the table.

Results replace the "sensitisation" section of the output file; raw numbers go to
var/bench/sensitisation.json.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sections import replace_section
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from actives.config import get_settings
from actives.errors import ActivesError
from actives.predict.classifier import cross_validate_classifier
from actives.predict.registry import get_endpoint
from actives.safety.data import (
    da_reference_set,
    hazard_training_set,
    merge_sensitisation,
    read_sensitisation_records,
)
from actives.safety.defined_approaches import (
    DPRAResult,
    HCLATResult,
    InSilicoResult,
    KeratinoSensResult,
    integrated_testing_strategy,
    two_out_of_three,
)
from actives.safety.models import FEATURIZERS, QSAR_TOOL, _labelled

SECTION_START = "<!-- sensitisation:start -->"
SECTION_END = "<!-- sensitisation:end -->"
WORK = Path("var/bench/sensitisation")
PEERS_PYTHON = Path("var/bench/peers-venv/bin/python")
ADMET_AI = """
import sys, pandas as pd
from admet_ai import ADMETModel
smiles = pd.read_csv(sys.argv[1])["smiles"].tolist()
pred = ADMETModel().predict(smiles=smiles)
pd.DataFrame({"smiles": smiles, "p": pred["Skin_Reaction"].to_numpy()}).to_csv(sys.argv[2],
                                                                              index=False)
"""


def _number(value: Any) -> float | None:
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


def _call(value: Any) -> str | None:
    return value if value in ("positive", "negative") else None


def da_inputs(row: pd.Series) -> tuple[Any, Any, Any]:
    """The measured DPRA, KeratinoSens and h-CLAT results of one reference chemical."""
    source = "NIEHS ICE / SkinSensDB"
    dpra = ks = hclat = None
    cys, lys = _number(row["dpra_cys_depletion"]), _number(row["dpra_lys_depletion"])
    if cys is not None or _call(row["dpra_call"]):
        try:
            dpra = DPRAResult(cys, lys if cys is not None else None, _call(row["dpra_call"]),
                              source=source)  # fmt: skip
        except ActivesError:  # a reported call contradicting the values: keep the call only
            dpra = DPRAResult(call=_call(row["dpra_call"]), source=source)
    if _call(row["keratinosens_call"]) or _number(row["keratinosens_imax"]) is not None:
        try:
            ks = KeratinoSensResult(_call(row["keratinosens_call"]),
                                    _number(row["keratinosens_imax"]), source=source)  # fmt: skip
        except ActivesError:
            ks = KeratinoSensResult(_call(row["keratinosens_call"]), source=source)
    mit = _number(row["hclat_mit"]) if row.get("hclat_mit_relation", "=") in ("=", None) else None
    call = _call(row["hclat_call"])
    if call or mit is not None:
        if call == "negative":
            mit = None
        hclat = HCLATResult(call or "positive", mit_ug_ml=mit, source=source)
    return dpra, ks, hclat


def score(calls: list[str | None], truth: list[str | None]) -> dict[str, Any]:
    """Accuracy, balanced accuracy, sensitivity, specificity of conclusive hazard calls."""
    pairs = [(c, t) for c, t in zip(calls, truth, strict=True) if t in ("positive", "negative")]
    conclusive = [(c, t) for c, t in pairs if c in ("positive", "negative")]
    out: dict[str, Any] = {"n": len(pairs), "conclusive": len(conclusive)}
    if not conclusive:
        return out
    c = np.array([p == "positive" for p, _ in conclusive])
    t = np.array([q == "positive" for _, q in conclusive])
    out["accuracy"] = float((c == t).mean())
    out["sensitivity"] = float(c[t].mean()) if t.any() else None
    out["specificity"] = float((~c[~t]).mean()) if (~t).any() else None
    if t.any() and (~t).any():
        out["balanced_accuracy"] = float(balanced_accuracy_score(t, c))
    return out


def potency_score(categories: list[str | None], truth: list[str | None]) -> dict[str, Any]:
    """Exact GHS category agreement (1A/1B/NC) of conclusive ITS potency calls."""
    pairs = [(c, t) for c, t in zip(categories, truth, strict=True) if t in ("1A", "1B", "NC")]
    conclusive = [(c, t) for c, t in pairs if c in ("1A", "1B", "NC")]
    out: dict[str, Any] = {"n": len(pairs), "conclusive": len(conclusive)}
    if conclusive:
        out["accuracy"] = float(np.mean([c == t for c, t in conclusive]))
        out["under"] = float(np.mean([_rank(c) < _rank(t) for c, t in conclusive]))
        out["over"] = float(np.mean([_rank(c) > _rank(t) for c, t in conclusive]))
    return out


def _rank(category: str) -> int:
    return {"NC": 0, "1B": 1, "1A": 2}[category]


def _hazard(category: str | None) -> str | None:
    if category in ("1", "1A", "1B", "1*"):
        return "positive"
    return "negative" if category == "NC" else None


def qsar_out_of_fold(merged: pd.DataFrame) -> pd.DataFrame:
    """Cluster 5-fold out-of-fold LLNA QSAR predictions (call and AD) per InChIKey."""
    data = _labelled(hazard_training_set(merged, "llna"), "skin_sens_llna")
    keys = hazard_training_set(merged, "llna")["inchikey"].to_numpy()
    evaluation = cross_validate_classifier(
        data, get_endpoint("skin_sens_llna").classes, split="cluster", featurizer_ids=FEATURIZERS
    )
    p = evaluation.predictions
    return pd.DataFrame(
        {
            "inchikey": keys,
            "call": p["predicted"],
            "in_domain": p["in_domain"],
            "p_active": p["p_active"],
        }  # fmt: skip
    ).set_index("inchikey")


def run_defined_approaches(merged: pd.DataFrame, qsar: pd.DataFrame) -> dict[str, Any]:
    """2o3, ITS (no in silico) and ITS (our QSAR) against LLNA and human outcomes."""
    reference = da_reference_set(merged)
    rows: list[dict[str, Any]] = []
    for _, row in reference.iterrows():
        dpra, ks, hclat = da_inputs(row)
        result_2o3 = two_out_of_three(dpra, ks, hclat)
        its = integrated_testing_strategy(dpra, hclat, None)
        its_qsar = None
        if row["inchikey"] in qsar.index:
            q = qsar.loc[row["inchikey"]]
            in_silico = InSilicoResult(str(q["call"]), QSAR_TOOL, in_domain=bool(q["in_domain"]))
            its_qsar = integrated_testing_strategy(dpra, hclat, in_silico)
        rows.append(
            {
                "inchikey": row["inchikey"],
                "llna": _call(row["llna_call"]),
                "human": _call(row["human_call"]),
                "llna_ghs": row["llna_ghs"] if isinstance(row["llna_ghs"], str) else None,
                "2o3": _hazard(result_2o3.category),
                "its": _hazard(its.category),
                "its_category": its.category,
                "its_qsar": _hazard(its_qsar.category) if its_qsar else None,
                "its_qsar_category": its_qsar.category if its_qsar else None,
            }
        )
    table = pd.DataFrame(rows)
    table.to_csv(WORK / "da_reference_results.csv", index=False)
    results: dict[str, Any] = {"n_reference": len(table)}
    for approach in ("2o3", "its", "its_qsar"):
        for reference_name in ("llna", "human"):
            results[f"{approach}_vs_{reference_name}"] = score(
                table[approach].tolist(), table[reference_name].tolist()
            )
        results[f"{approach}_potency_vs_llna"] = (
            potency_score(table[f"{approach}_category"].tolist(), table["llna_ghs"].tolist())
            if approach != "2o3"
            else None
        )
    results["llna_vs_human"] = score(table["llna"].tolist(), table["human"].tolist())
    return results


def hazard_models(merged: pd.DataFrame, skip_admet_ai: bool) -> dict[str, Any]:
    """Our LLNA and human classifiers (cluster 5-fold, out of fold) vs ADMET-AI Skin_Reaction."""
    results: dict[str, Any] = {}
    for target, endpoint_id in (("llna", "skin_sens_llna"), ("human", "skin_sens_human")):
        data = _labelled(hazard_training_set(merged, target), endpoint_id)
        start = time.perf_counter()
        evaluation = cross_validate_classifier(
            data, get_endpoint(endpoint_id).classes, split="cluster", featurizer_ids=FEATURIZERS
        )
        p = evaluation.predictions
        truth = (p["label"] == "positive").to_numpy()
        ours_called = (p["balanced_call"] == "positive").to_numpy()
        single = (p["predicted"] != "inconclusive").to_numpy()
        conformal_called = (p["predicted"] == "positive").to_numpy()
        row: dict[str, Any] = {
            "n": len(p),
            "positives": int(truth.sum()),
            "ours": {
                **_binary(truth, p["p_active"].to_numpy(), ours_called),
                "wall_s": time.perf_counter() - start,
                "in_domain_n": int(p["in_domain"].sum()),
                "in_domain": _binary(
                    truth[p["in_domain"]],
                    p["p_active"].to_numpy()[p["in_domain"]],
                    ours_called[p["in_domain"]],
                ),  # fmt: skip
            },
            "ours_conformal": {
                **_binary(
                    truth[single], p["p_active"].to_numpy()[single], conformal_called[single]
                ),
                "share": float(single.mean()),
            },
        }
        if not skip_admet_ai and PEERS_PYTHON.exists():
            source = WORK / f"{target}_smiles.csv"
            target_file = WORK / f"{target}_admet_ai.csv"
            p[["smiles"]].to_csv(source, index=False)
            start = time.perf_counter()
            subprocess.run([str(PEERS_PYTHON), "-c", ADMET_AI, str(source), str(target_file)],
                           check=True, capture_output=True)  # fmt: skip
            admet = pd.read_csv(target_file)["p"].to_numpy(float)
            row["admet_ai"] = {**_binary(truth, admet, admet >= 0.5),
                               "wall_s": time.perf_counter() - start}  # fmt: skip
        results[target] = row
    return results


def _binary(truth: np.ndarray, p: np.ndarray, called: np.ndarray) -> dict[str, Any]:
    if truth.all() or (~truth).all():
        return {"n": int(len(truth))}
    return {
        "n": int(len(truth)),
        "auroc": float(roc_auc_score(truth, p)),
        "balanced_accuracy": float(balanced_accuracy_score(truth, called)),
        "sensitivity": float(called[truth].mean()),
        "specificity": float((~called[~truth]).mean()),
    }


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def _f3(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


def render(results: dict[str, Any]) -> list[str]:
    """The Markdown section."""
    da = results["defined_approaches"]
    hz = results["hazard_models"]
    lines = [
        SECTION_START,
        "## Skin sensitisation: OECD 497 defined approaches and hazard models (issue 6)",
        "",
        f"Measured {results['date']} on {results['machine']} with `python "
        "benchmarks/sensitisation.py`; raw numbers in var/bench/sensitisation.json.",
        "",
        "### Defined approaches on the reference chemicals in the data",
        "",
        f"{da['n_reference']} chemicals of the merged ICE/SkinSensDB data have DPRA, KeratinoSens "
        "and h-CLAT results. Each runs through our 2o3 and ITS as a user's measured results "
        "would (borderline ranges, log Kow rule off: no measured log Kow here). *ITS, no in "
        "silico* is DPRA + h-CLAT only (GL497's missing-source table); *ITS + our QSAR* puts our "
        "LLNA model in the in silico slot, each chemical's call from a cluster-5-fold model that "
        "never saw it, and is therefore **not** a GL497 ITSv1/ITSv2 (those use Derek Nexus or the "
        "OECD QSAR Toolbox). Inconclusive results are counted, not scored. The reference "
        "chemicals here are not GL497's curated reference list, so the figures compare in kind, "
        "not one to one.",
        "",
        "| defined approach | reference | n | conclusive | accuracy | balanced accuracy "
        "| sensitivity | specificity |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"2o3": "2o3", "its": "ITS, no in silico", "its_qsar": "ITS + our QSAR"}
    for approach, name in names.items():
        for reference in ("llna", "human"):
            m = da[f"{approach}_vs_{reference}"]
            lines.append(
                f"| {name} | {reference.upper() if reference == 'llna' else 'human'} | {m['n']} "
                f"| {m['conclusive']} | {_pct(m.get('accuracy'))} "
                f"| {_pct(m.get('balanced_accuracy'))} | {_pct(m.get('sensitivity'))} "
                f"| {_pct(m.get('specificity'))} |"
            )
    m = da["llna_vs_human"]
    lines.append(
        f"| (the LLNA itself) | human | {m['n']} | {m['conclusive']} | {_pct(m.get('accuracy'))} "
        f"| {_pct(m.get('balanced_accuracy'))} | {_pct(m.get('sensitivity'))} "
        f"| {_pct(m.get('specificity'))} |"
    )
    lines += [
        "",
        "| ITS potency (GHS 1A/1B/NC) vs LLNA | n | conclusive | accuracy | under-predicted "
        "| over-predicted |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for approach in ("its", "its_qsar"):
        m = da[f"{approach}_potency_vs_llna"]
        lines.append(
            f"| {names[approach]} | {m['n']} | {m['conclusive']} | {_pct(m.get('accuracy'))} "
            f"| {_pct(m.get('under'))} | {_pct(m.get('over'))} |"
        )
    lines += [
        "",
        "Published figures for reference (different chemicals; quoted, not re-measured): ITSv1 "
        "(Derek Nexus) vs LLNA, N = 168: hazard 87 % correct, potency 71 %; vs human, N = 66: "
        "hazard 86 %, potency 68 %; the LLNA itself vs human: hazard 82 %, potency 60 % "
        "(Lhasa Limited's ITSv1 release notes, summarising the GL497 evaluation). GL497's own "
        "tables for the 2o3 and ITSv2 could not be read offline and are not quoted.",
        "",
        "### Hazard models vs ADMET-AI Skin_Reaction, same compounds, cluster-held-out",
        "",
        "Our classifiers: the shipped recipe (reactivity alerts + RDKit descriptors, LightGBM, "
        "Platt calibration) in cluster 5-fold cross-validation, every compound predicted by a "
        "model that never saw its cluster; the first row scores the balanced call on every "
        "compound (the class whose probability most exceeds its training share), the "
        "*one-class conformal calls* row only the compounds whose 90 % conformal set holds one "
        "class, which is what a user is shown as a call (the rest are *inconclusive*). "
        "ADMET-AI: `ADMETModel().predict` Skin_Reaction probability on the same compounds, "
        "called positive at 0.5. ADMET-AI was "
        "trained on TDC's Skin Reaction set (404 compounds, mouse LLNA-derived; its reported "
        "AUROC 0.817), which may overlap these compounds: an advantage to it.",
        "",
        "| label set | n (positives) | tool | AUROC | balanced accuracy | sensitivity "
        "| specificity |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for target in ("llna", "human"):
        row = hz[target]
        for tool, label in (("ours", "Actives (cluster 5-fold)"), ("admet_ai", "ADMET-AI")):
            if tool not in row:
                continue
            m = row[tool]
            lines.append(
                f"| {target.upper() if target == 'llna' else 'human HMT/HRIPT'} "
                f"| {row['n']} ({row['positives']}) | {label} | {_f3(m.get('auroc'))} "
                f"| {_f3(m.get('balanced_accuracy'))} | {_f3(m.get('sensitivity'))} "
                f"| {_f3(m.get('specificity'))} |"
            )
        conformal = row["ours_conformal"]
        lines.append(
            f"| … Actives one-class conformal calls (90 %) | {conformal['n']} "
            f"({100 * conformal['share']:.0f} % of the compounds) | Actives "
            f"| {_f3(conformal.get('auroc'))} | {_f3(conformal.get('balanced_accuracy'))} "
            f"| {_f3(conformal.get('sensitivity'))} | {_f3(conformal.get('specificity'))} |"
        )
        inside = row["ours"]["in_domain"]
        lines.append(
            f"| … in our applicability domain | {row['ours']['in_domain_n']} | Actives "
            f"| {_f3(inside.get('auroc'))} | {_f3(inside.get('balanced_accuracy'))} "
            f"| {_f3(inside.get('sensitivity'))} | {_f3(inside.get('specificity'))} |"
        )
    lines += [
        "",
        "Literature figures for reference (their own data and splits, not comparable one to "
        "one): Pred-Skin (Braga et al. 2017, doi:10.1021/acs.jcim.7b00194) external CCR 0.72–0.84 "
        "(LLNA) and 0.70–0.81 (human); Pred-Skin 3.0 (doi:10.1021/acs.chemrestox.0c00186) human "
        "consensus CCR 0.89, sensitivity 0.94, specificity 0.84; Skin Doctor CP (Wilm et al. "
        "2021, Chem Res Toxicol 34:330) binary test set of 257: accuracy 0.83 at efficiency 0.49 "
        "(significance 0.10); Skin Doctor without conformal prediction: accuracy 0.72, CCR 0.70, "
        "sensitivity 0.57, specificity 0.82.",
        SECTION_END,
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--skip-admet-ai", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    import platform

    records, _steps = read_sensitisation_records(get_settings().raw_data)
    merged = merge_sensitisation(records)
    qsar = qsar_out_of_fold(merged)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.system()} (2 cores)",
        "defined_approaches": run_defined_approaches(merged, qsar),
        "hazard_models": hazard_models(merged, args.skip_admet_ai),
    }
    Path("var/bench/sensitisation.json").write_text(json.dumps(results, indent=2))
    replace_section(args.out, SECTION_START, SECTION_END, render(results))
    print(json.dumps(results, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
