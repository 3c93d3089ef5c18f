"""Whole-plate qPCR analysis: speed of a real 384-well plate, and the well calls against the human
labels of PCRedux, with a curve-quality classifier trained without the plate's own data set.

1. Speed: `read_plate` + `analyse_plate` (baseline, Cq, efficiency, curve-quality classifier,
   calls) on qpcR's reps384 (a real 384-well plate, 379 curves) and PCRedux's RAS002.rdml
   (96 wells × 2 targets), side by side with rdmlpython 1.7.2's LinRegPCR on the same RDML run
   (the reference tool the issue names). Target: a 384-well plate in under 2 s.
2. Calls: every reaction of RAS002 and RAS003 called positive / negative / inconclusive, compared
   with the raters' consensus (y / n / ambiguous). The classifier used here is trained on the
   other 33 data sets only, so no plate is scored by a model that saw its labels.

Writes the "qPCR: whole-plate analysis and calls" section of docs/benchmarks.md.
"""

from __future__ import annotations

import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sections import replace_section

from actives.assays.qpcr.analysis import analyse_plate
from actives.assays.qpcr.linregpcr import linregpcr_results
from actives.assays.qpcr.quality import (
    CurveQualityModel,
    fit_quality_model,
    labelled_features,
)
from actives.assays.qpcr.readers import read_plate
from actives.config import get_settings
from actives.knowledge.loaders.pcredux import load_pcredux, r_make_names

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
START, END = "<!-- qpcr-plate:start -->", "<!-- qpcr-plate:end -->"
REPEATS = 7


def timed(function: Any, repeats: int = REPEATS) -> tuple[float, float, Any]:
    """Median and max wall time (ms) of ``function()``, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def speed(raw: Path) -> list[dict[str, Any]]:
    rows = []
    reps = raw / "qpcr-qpcR" / "reps384.csv"
    ras = raw / "qpcr-pcredux" / "RAS002.rdml"
    analyse_plate(read_plate(ras))  # load the classifier once, outside the timings
    for label, path in (("reps384 (qpcR), CSV", reps), ("RAS002 (PCRedux), RDML", ras)):
        read_ms, _, plate = timed(lambda p=path: read_plate(p))
        analyse_ms, analyse_max, analysis = timed(lambda p=plate: analyse_plate(p))
        total_ms, total_max, _ = timed(lambda p=path: analyse_plate(read_plate(p)))
        rows.append(
            {
                "plate": label,
                "reactions": len(plate.reactions),
                "cycles": len(plate.cycles),
                "read": read_ms,
                "analyse": analyse_ms,
                "total": total_ms,
                "total_max": total_max,
                "calls": analysis.summary,
            }
        )
    ref_ms, ref_max, _ = timed(lambda: linregpcr_results(ras), repeats=3)
    rows.append(
        {
            "plate": "RAS002, rdmlpython 1.7.2 LinRegPCR (reference)",
            "reactions": 192,
            "cycles": 40,
            "read": None,
            "analyse": None,
            "total": ref_ms,
            "total_max": ref_max,
            "calls": None,
        }
    )
    return rows


def held_out_model(curves: pd.DataFrame, features: pd.DataFrame, dataset: str) -> Any:
    """The curve-quality classifier trained without ``dataset`` (ambiguous curves left out)."""
    keep = (curves["dataset"] != dataset) & curves["consensus"].isin(["positive", "negative"])
    y = (curves.loc[keep, "consensus"] == "positive").to_numpy(dtype=int)
    model, _rule = fit_quality_model(features.loc[keep], y, curves.loc[keep, "dataset"].tolist())
    return model


def calls_vs_labels(raw: Path) -> list[dict[str, Any]]:
    loaded = load_pcredux(raw).curves
    features = labelled_features(loaded)
    rows = []
    for dataset in ("RAS002", "RAS003"):
        model: CurveQualityModel = held_out_model(loaded, features, dataset)
        plate = read_plate(raw / "qpcr-pcredux" / f"{dataset}.rdml")
        analysis = analyse_plate(plate, quality_model=model)
        labels = {}
        for curve_id, verdict in loaded.loc[
            loaded["dataset"] == dataset, ["curve_id", "consensus"]
        ].itertuples(index=False):
            parts = str(curve_id).split("_")
            well = parts[0][0] + str(int(parts[0][1:]))
            labels[(well, parts[-1])] = {"positive": "y", "negative": "n"}.get(verdict, "a")
        table = pd.crosstab(
            pd.Series(
                [
                    labels.get((w.reaction.well, r_make_names(w.reaction.target)), "?")
                    for w in analysis.wells
                ],
                name="human",
            ),  # fmt: skip
            pd.Series([w.call.call for w in analysis.wells], name="ours"),
        )
        rows.append({"dataset": dataset, "table": table, "n": len(analysis.wells)})
    return rows


def agreement(table: pd.DataFrame) -> dict[str, Any]:
    def cell(human: str, ours: str) -> int:
        return int(table.loc[human, ours]) if human in table.index and ours in table else 0

    decided = {h: sum(cell(h, o) for o in ("positive", "negative")) for h in ("y", "n")}
    agree = cell("y", "positive") + cell("n", "negative")
    humans = {h: int(table.loc[h].sum()) if h in table.index else 0 for h in ("y", "n")}
    return {
        "sens": cell("y", "positive") / humans["y"] if humans["y"] else float("nan"),
        "spec": cell("n", "negative") / humans["n"] if humans["n"] else float("nan"),
        "agree_decided": agree / (decided["y"] + decided["n"]) if any(decided.values()) else 0.0,
        "inconclusive": sum(cell(h, "inconclusive") for h in ("y", "n", "a")),
        "false_pos": cell("n", "positive"),
        "false_neg": cell("y", "negative"),
    }


def render(speeds: list[dict[str, Any]], calls: list[dict[str, Any]]) -> list[str]:
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        START,
        "## qPCR: whole-plate analysis and calls",
        "",
        f"Measured {when} on {platform.machine()}, {platform.python_version()}, by "
        "`benchmarks/qpcr_plate.py` (median of 7 runs; the machine's 2 cores were shared).",
        "",
        "### Speed: read + analyse + classify + call (target: a 384-well plate under 2 s)",
        "",
        "| plate | reactions | cycles | read ms | analyse ms | total ms (median) "
        "| total ms (max) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in speeds:
        read = "–" if r["read"] is None else f"{r['read']:.0f}"
        analyse = "–" if r["analyse"] is None else f"{r['analyse']:.0f}"
        lines.append(
            f"| {r['plate']} | {r['reactions']} | {r['cycles']} | {read} | {analyse} | "
            f"{r['total']:.0f} | {r['total_max']:.0f} |"
        )
    lines += [
        "",
        "*analyse*: baseline, Cq (threshold, SDM, LinRegPCR), efficiency, curve-quality "
        "classifier, standard curves and the calls. The rdmlpython row runs its LinRegPCR "
        "(baseline, window of linearity, efficiency, Cq; no classifier, no calls) on the same "
        "RAS002 run.",
        "",
        "### Calls against the PCRedux raters (classifier trained without the plate's data set)",
        "",
        "| plate | reactions | human y → positive | human n → negative | agreement where we "
        "decide | inconclusive | n called positive | y called negative |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in calls:
        a = agreement(c["table"])
        lines.append(
            f"| {c['dataset']} | {c['n']} | {a['sens']:.3f} | {a['spec']:.3f} | "
            f"{a['agree_decided']:.3f} | {a['inconclusive']} | {a['false_pos']} | "
            f"{a['false_neg']} |"
        )
    lines += ["", "Cross-tables (rows: raters' consensus, columns: our call):", ""]
    for c in calls:
        table = c["table"]
        lines.append(f"**{c['dataset']}**")
        lines.append("")
        lines.append("| human \\ ours | " + " | ".join(table.columns) + " |")
        lines.append("|---|" + "---:|" * len(table.columns))
        for human, row in table.iterrows():
            lines.append(f"| {human} | " + " | ".join(str(int(v)) for v in row) + " |")
        lines.append("")
    lines += [
        "Reading: default cut-offs (Cq 35, curve quality 0.3/0.7, replicate SD 0.5, NTC margin 5). "
        "*y → positive* is the share of the raters' amplified curves we call positive; an "
        "inconclusive call is not counted as agreement, so it lowers both rates, which is the "
        "point of having it: the wells a person should look at.",
        END,
    ]
    return lines


def main() -> None:
    raw = get_settings().raw_data
    speeds = speed(raw)
    calls = calls_vs_labels(raw)
    lines = render(speeds, calls)
    replace_section(DOC, START, END, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
