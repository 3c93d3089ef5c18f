"""Writes the dose-response fixtures of tests/unit/assays/dose_response from a known 4PL with
noise from a fixed seed (nothing copied from real data). Run: python make_fixtures.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ROWS = "ABCDEFGH"
NEGATIVE_OD, BLANK_OD, OD_NOISE = 0.80, 0.05, 0.008
# sample -> (bottom, top, IC50, Hill) of % inhibition; concentrations in µM
TRUTH = {
    "Kojic acid": {"bottom": 0.0, "top": 100.0, "ic50": 25.0, "hill": 1.0},
    "Arbutin": {"bottom": 0.0, "top": 95.0, "ic50": 400.0, "hill": 1.2},
    "Extract X": {"bottom": 0.0, "top": 0.0, "ic50": 100.0, "hill": 1.0},
}
KOJIC_CONC = [0.3, 1, 3, 10, 30, 100, 300, 1000]
ARBUTIN_CONC = [3, 10, 30, 100, 300, 1000, 3000, 10000]
EXTRACT_CONC = [1, 3, 10, 30, 100, 300, 1000, 3000]


def inhibition(c: float, bottom: float, top: float, ic50: float, hill: float) -> float:
    return bottom + (top - bottom) / (1 + (ic50 / c) ** hill)


def od(inh: float, rng: np.random.Generator) -> float:
    return BLANK_OD + (NEGATIVE_OD - BLANK_OD) * (1 - inh / 100) + rng.normal(0, OD_NOISE)


def plate() -> None:
    rng = np.random.default_rng(20240508)
    layout = [["" for _ in range(12)] for _ in range(8)]
    values = [["" for _ in range(12)] for _ in range(8)]
    series = [("Kojic acid", KOJIC_CONC, "ABC"), ("Arbutin", ARBUTIN_CONC, "DEF"),
              ("Extract X", EXTRACT_CONC, "H")]  # fmt: skip
    for name, concs, rows in series:
        for row in rows:
            r = ROWS.index(row)
            for c, conc in enumerate(concs):
                layout[r][c] = f"{name} {conc:g} uM"
                values[r][c] = f"{od(inhibition(conc, **TRUTH[name]), rng):.4f}"
    for c in range(6):
        layout[6][c] = "NC"
        values[6][c] = f"{NEGATIVE_OD + rng.normal(0, OD_NOISE):.4f}"
    for c in range(6, 12):
        layout[6][c] = "BLK"
        values[6][c] = f"{BLANK_OD + rng.normal(0, OD_NOISE):.4f}"
    values[7][7] = "OVRFLW"  # a reader's overflow mark in a used well (Extract X, 3000 uM)
    for r in range(8):  # unused wells still hold a reading, as on a real plate
        for c in range(12):
            if not values[r][c]:
                values[r][c] = f"{0.04 + rng.normal(0, 0.002):.4f}"
                layout[r][c] = "-"
    header = [
        "Software Version\t3.12.08",
        "Experiment File Path:\tC:\\tyrosinase.xpt",
        "Plate Number\tPlate 1",
        "Reading Type\tReader",
        "",
        "Results",
        "Read 1:475",
        "",
    ]
    grid = ["\t" + "\t".join(str(c) for c in range(1, 13))]
    grid += [ROWS[r] + "\t" + "\t".join(values[r]) for r in range(8)]
    (HERE / "tyrosinase_plate.txt").write_text("\n".join(header + grid) + "\n", "utf-8")
    lines = ["Layout", "," + ",".join(str(c) for c in range(1, 13))]
    lines += [ROWS[r] + "," + ",".join(layout[r]) for r in range(8)]
    (HERE / "tyrosinase_layout.csv").write_text("\n".join(lines) + "\n", "utf-8")


def tidy() -> None:
    rng = np.random.default_rng(7)
    truth = {
        "Kojic acid": {"bottom": 2.0, "top": 98.0, "ic50": 4.0, "hill": 1.1},
        "Licorice extract": {"bottom": 0.0, "top": 90.0, "ic50": 60.0, "hill": 0.9},
    }
    concs = {
        "Kojic acid": [0.1, 0.3, 1, 3, 10, 30, 100],
        "Licorice extract": [3, 10, 30, 100, 300, 1000],
    }
    lines = ["Sample,Concentration (ug/mL),Replicate,Inhibition (%)"]
    for name, params in truth.items():
        for conc in concs[name]:
            for rep in (1, 2, 3):
                value = inhibition(conc, **params) + rng.normal(0, 3.0)
                lines.append(f"{name},{conc:g},{rep},{value:.2f}")
    (HERE / "tyrosinase_tidy.csv").write_text("\n".join(lines) + "\n", "utf-8")
    TRUTH.update({f"tidy:{k}": v for k, v in truth.items()})


if __name__ == "__main__":
    plate()
    tidy()
    (HERE / "truth.json").write_text(json.dumps(TRUTH, indent=2) + "\n", "utf-8")
