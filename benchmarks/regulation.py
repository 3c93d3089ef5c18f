"""Regulation: the formula checker's speed on a realistic 60-ingredient formula across every
market, and how many names of the MFDS ingredient dictionary resolve against the data pack.

    python benchmarks/regulation.py [--pack PATH] [--runs 200] [--out docs/benchmarks.md]

1. Speed. A leave-on face cream of 60 ingredients (typed here from common INCI names; water is
   the balance) is checked against all six markets. Load is measured apart: opening the pack,
   reading and indexing the rule tables (RulePack.from_pack), building the name index, and the
   first check (which builds the checker's own small index). Then the same check runs ``--runs``
   times: median and p95. Target: under 100 ms after load (issue 7).
2. Resolution coverage. Every English and Korean name of the staged MFDS dictionary
   (``mfds-kr/mfds_ingredients_raw.jsonl`` under ACTIVES_RAW_DATA) goes through
   ``resolve_ingredients``: resolved / ambiguous / unresolved, by method. The dictionary is itself
   one of the pack's name sources, so a name resolving is expected; what the numbers show is how
   often a name is ambiguous, and how far a resolved name links beyond the dictionary (another
   source, a CAS number, the IECIC inventory, an EU or Korean rule).

Results replace the "regulation" section of the output file; raw numbers go to
var/bench/regulation.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sections import replace_section

from actives.config import get_settings
from actives.knowledge import DataPack, packs_dir
from actives.knowledge.pack import current_pack_path
from actives.regulation.checker import check_formula
from actives.regulation.formula import Formula, FormulaIngredient, parse_product_type
from actives.regulation.markets import market_ids
from actives.regulation.resolve import DICTIONARY_SOURCES, name_index, resolve_ingredients
from actives.regulation.rulepack import RulePack

SECTION_START = "<!-- regulation:start -->"
SECTION_END = "<!-- regulation:end -->"
PRODUCT = "leave-on face cream"

# A brightening face cream as a formulator would write it: (INCI name, % w/w, function).
# Percentages are typical of such creams, not a real product's; water is the balance.
CREAM: list[tuple[str, float, str]] = [
    ("Glycerin", 6, "humectant"), ("Butylene Glycol", 5, "humectant"),
    ("Niacinamide", 4, "skin conditioning"), ("Caprylic/Capric Triglyceride", 4, "emollient"),
    ("Cetearyl Alcohol", 2.5, "emulsion stabiliser"), ("Squalane", 2, "emollient"),
    ("Propanediol", 2, "solvent"), ("Dimethicone", 1.5, "emollient"),
    ("Butyrospermum Parkii (Shea) Butter", 1.5, "emollient"),
    ("Glyceryl Stearate", 1.2, "emulsifier"), ("PEG-100 Stearate", 1.0, "emulsifier"),
    ("Cetyl Ethylhexanoate", 1.0, "emollient"), ("Isononyl Isononanoate", 1.0, "emollient"),
    ("Hydrogenated Polydecene", 1.0, "emollient"), ("1,2-Hexanediol", 1.0, "solvent"),
    ("Betaine", 1.0, "humectant"), ("Aloe Barbadensis Leaf Juice", 1.0, "skin conditioning"),
    ("Stearic Acid", 0.8, "emulsifier"), ("Cetyl Alcohol", 0.8, "emulsion stabiliser"),
    ("Panthenol", 0.5, "skin conditioning"), ("Tocopheryl Acetate", 0.5, "antioxidant"),
    ("Polysorbate 60", 0.5, "emulsifier"), ("Sorbitan Stearate", 0.5, "emulsifier"),
    ("Phenoxyethanol", 0.5, "preservative"), ("Trehalose", 0.5, "humectant"),
    ("Urea", 0.5, "humectant"), ("Beeswax", 0.5, "emollient"),
    ("Behenyl Alcohol", 0.4, "emulsion stabiliser"), ("Carbomer", 0.3, "thickener"),
    ("Tromethamine", 0.3, "pH adjuster"), ("Hydrogenated Lecithin", 0.3, "emulsifier"),
    ("Caprylyl Glycol", 0.3, "skin conditioning"),
    ("Ammonium Acryloyldimethyltaurate/VP Copolymer", 0.3, "thickener"),
    ("Sodium PCA", 0.2, "humectant"), ("Allantoin", 0.2, "skin conditioning"),
    ("Parfum", 0.2, "fragrance"), ("Sodium Polyacrylate", 0.2, "thickener"),
    ("CI 77891", 0.2, "colorant"), ("Mica", 0.2, "opacifying"), ("Xanthan Gum", 0.1, "thickener"),
    ("Hydroxyethylcellulose", 0.1, "thickener"), ("Ethylhexylglycerin", 0.1, "skin conditioning"),
    ("Tocopherol", 0.1, "antioxidant"), ("Centella Asiatica Extract", 0.1, "skin conditioning"),
    ("Camellia Sinensis Leaf Extract", 0.1, "antioxidant"), ("Arginine", 0.1, "pH adjuster"),
    ("Disodium EDTA", 0.05, "chelating agent"), ("Sodium Hyaluronate", 0.05, "humectant"),
    ("Ceramide NP", 0.05, "skin conditioning"), ("Cholesterol", 0.05, "skin conditioning"),
    ("Sodium Citrate", 0.05, "buffer"), ("Adenosine", 0.04, "skin conditioning"),
    ("Glycyrrhiza Glabra (Licorice) Root Extract", 0.05, "skin conditioning"),
    ("Citric Acid", 0.02, "pH adjuster"), ("Limonene", 0.008, "fragrance"),
    ("Linalool", 0.005, "fragrance"), ("Citronellol", 0.003, "fragrance"),
    ("Hexyl Cinnamal", 0.004, "fragrance"), ("Acetyl Hexapeptide-8", 0.002, "skin conditioning"),
]  # fmt: skip


def cream() -> Formula:
    rows = [FormulaIngredient(n, p, function=f) for n, p, f in CREAM]
    water = round(100 - sum(p for _n, p, _f in CREAM), 6)
    return Formula(
        "benchmark cream", parse_product_type(PRODUCT), (FormulaIngredient("Water", water), *rows)
    )


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def speed(pack_path: Path, runs: int) -> dict[str, Any]:
    formula = cream()
    assert len(formula.ingredients) == 60, len(formula.ingredients)
    markets = list(market_ids())
    t0 = time.perf_counter()
    pack = DataPack(pack_path)
    t1 = time.perf_counter()
    rules = RulePack.from_pack(pack)
    t2 = time.perf_counter()
    name_index(pack)
    t3 = time.perf_counter()
    first = check_formula(formula, markets, pack, rules=rules)
    t4 = time.perf_counter()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        check_formula(formula, markets, pack, rules=rules)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    verdicts = {
        m: {
            "overall": mc.overall.value,
            "counts": dict(Counter(r.verdict.value for r in mc.rows)),
            "refused": [f"{r.name}: {r.message}" for r in mc.rows if r.verdict.refused],
            "review": [r.name for r in mc.rows if r.verdict.value == "unknown"],
        }
        for m, mc in first.markets.items()
    }
    return {
        "ingredients": len(formula.ingredients),
        "substances": len(first.substances),
        "markets": markets,
        "unresolved": [r.query for r in first.unresolved],
        "load_ms": {
            "open_pack": ms(t1 - t0),
            "rule_pack": ms(t2 - t1),
            "name_index": ms(t3 - t2),
            "first_check": ms(t4 - t3),
            "total": ms(t4 - t0),
        },
        "runs": runs,
        "median_ms": ms(statistics.median(times)),
        "p95_ms": ms(p95),
        "max_ms": ms(times[-1]),
        "rules": len(rules),
        "verdicts": verdicts,
        "label": first.label.text,
    }


def coverage(pack_path: Path, dictionary: Path) -> dict[str, Any]:
    pack = DataPack(pack_path)
    rules = RulePack.from_pack(pack)
    records = [json.loads(line) for line in dictionary.read_text(encoding="utf-8").splitlines()]
    out: dict[str, Any] = {"entries": len(records)}
    for field, label in (("ingredient_eng_name", "English"), ("ingredient_kor_name", "Korean")):
        names = sorted({str(r.get(field) or "").strip() for r in records} - {""})
        start = time.perf_counter()
        found = resolve_ingredients(names, pack)
        seconds = time.perf_counter() - start
        status = Counter(r.status for r in found)
        methods = Counter(r.method for r in found if r.resolved)
        resolved = [r for r in found if r.resolved and r.substance is not None]
        beyond = sum(
            1 for r in resolved if any(s.source not in DICTIONARY_SOURCES for s in r.sources)
        )
        with_cas = sum(1 for r in resolved if r.substance is not None and r.substance.cas)
        in_iecic = sum(
            1 for r in resolved if r.substance and rules.inventory_has("CN", r.substance)
        )
        with_rule = sum(
            1
            for r in resolved
            if r.substance and any(rules.rules_for(m, r.substance) for m in ("EU", "KR"))
        )
        out[label] = {
            "names": len(names),
            "resolved": status["resolved"],
            "ambiguous": status["ambiguous"],
            "unresolved": status["unresolved"],
            "methods": dict(methods.most_common()),
            "linked_beyond_dictionary": beyond,
            "with_cas": with_cas,
            "in_iecic": in_iecic,
            "with_eu_or_kr_rule": with_rule,
            "seconds": round(seconds, 1),
            "unresolved_examples": [r.query for r in found if r.status == "unresolved"][:5],
            "ambiguous_examples": [r.query for r in found if r.status == "ambiguous"][:5],
        }
    return out


def pct(part: int, whole: int) -> str:
    return f"{part:,} ({100 * part / whole:.1f} %)" if whole else "0"


def write_markdown(path: Path, r: dict[str, Any]) -> None:
    """Replace the regulation section of the benchmarks page with this run's numbers."""
    s, c = r["speed"], r["coverage"]
    load = s["load_ms"]
    lines = [
        SECTION_START,
        "## Regulation: formula check and name coverage (issue 7)",
        "",
        f"Measured {r['date']} by `benchmarks/regulation.py` on {r['machine']}, data pack "
        f"{r['pack']} ({s['rules']:,} rules).",
        "",
        f"**Speed.** A {s['ingredients']}-ingredient leave-on face cream (typical INCI names and "
        f"levels typed in the script; {s['substances']} substances after resolution) checked "
        f"against all {len(s['markets'])} markets ({', '.join(s['markets'])}), {s['runs']} runs "
        "after load:",
        "",
        "| what | ms |",
        "|---|---:|",
        f"| open the pack | {load['open_pack']:.0f} |",
        f"| read and index the rule tables (`RulePack.from_pack`) | {load['rule_pack']:.0f} |",
        f"| build the name index | {load['name_index']:.0f} |",
        f"| first check (builds the checker's split-name index) | {load['first_check']:.0f} |",
        f"| **check after load, median** | **{s['median_ms']:.1f}** |",
        f"| **check after load, p95** | **{s['p95_ms']:.1f}** |",
        f"| check after load, max | {s['max_ms']:.1f} |",
        "",
        f"Target under 100 ms after load: {'met' if s['p95_ms'] < 100 else 'NOT met'} (p95). "
        "A check resolves every name (cached index), expands, matches rules by CAS, EC and "
        "name in each market, and writes the label.",
        "",
        "Verdicts of that cream (overall; counts per verdict):",
        "",
        "| market | overall | rows by verdict | needing review (`unknown`) |",
        "|---|---|---|---|",
    ]
    for m, v in s["verdicts"].items():
        counts = ", ".join(f"{k} {n}" for k, n in sorted(v["counts"].items()))
        review = v["review"]
        named = "all" if len(review) == s["substances"] else ", ".join(review) or "—"
        lines.append(f"| {m} | {v['overall']} | {counts} | {named} |")
    refused = [f"{m}: {x}" for m, v in s["verdicts"].items() for x in v["refused"]]
    lines += [
        "",
        "ASEAN and JP are `unknown` by design (only Annex II, only the quasi-drug list are in the "
        "data). Elsewhere a row needs review when an IECIC entry is remarked to be used as the "
        "STSC requires (the STSC is not in the data), a rule's text was not fully parsed, a "
        "colorant meets no colorant list (Korea's is not in the data), or a prohibition is "
        "qualified by what a formula cannot show (별표 1: limonene whose peroxide value "
        "exceeds 20 mmol/L)."
        + (f" Unresolved names: {', '.join(s['unresolved'])}." if s["unresolved"] else "")
        + (f" Refused: {'; '.join(refused)}." if refused else " No market refuses it."),
        "",
        f"**Resolution coverage** of the staged MFDS dictionary ({c['entries']:,} entries, "
        "`mfds-kr/mfds_ingredients_raw.jsonl`; the first 5,000 in Korean order) against the "
        "pack:",
        "",
        "| names | n | resolved | ambiguous | unresolved | linked beyond the dictionary | "
        "with CAS | in IECIC | with an EU or KR rule | s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in ("English", "Korean"):
        x = c[label]
        n = x["names"]
        lines.append(
            f"| {label} | {n:,} | {pct(x['resolved'], n)} | {pct(x['ambiguous'], n)} | "
            f"{pct(x['unresolved'], n)} | {pct(x['linked_beyond_dictionary'], x['resolved'])} | "
            f"{pct(x['with_cas'], x['resolved'])} | {pct(x['in_iecic'], x['resolved'])} | "
            f"{pct(x['with_eu_or_kr_rule'], x['resolved'])} | {x['seconds']} |"
        )
    lines += [
        "",
        "The dictionary is one of the pack's name sources, so its names are expected to resolve; "
        "an ambiguous name is one the dictionary or the other sources use for several substances "
        "(the message asks for the INCI name or CAS number). The last four columns are shares of "
        "the resolved names: linked to another source (CosIng, MFDS lists, IECIC, MHLW), "
        "carrying a CAS number, listed in IECIC 2021, named by an EU or Korean rule. English "
        "methods: "
        + ", ".join(f"{k} {v:,}" for k, v in c["English"]["methods"].items())
        + "; Korean methods: "
        + ", ".join(f"{k} {v:,}" for k, v in c["Korean"]["methods"].items())
        + ".",
        SECTION_END,
    ]
    replace_section(path, SECTION_START, SECTION_END, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--raw", type=Path, help="Raw data folder (default ACTIVES_RAW_DATA)")
    args = parser.parse_args()
    config = get_settings()
    pack_path = args.pack or current_pack_path(packs_dir(config.home))
    if pack_path is None:
        raise SystemExit("No data pack: run `actives data build` (make pack) first.")
    raw = args.raw or config.raw_data
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "pack": pack_path.name,
        "speed": speed(pack_path, args.runs),
        "coverage": coverage(pack_path, raw / "mfds-kr" / "mfds_ingredients_raw.jsonl"),
    }
    out = Path("var/bench/regulation.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    write_markdown(args.out, result)
    s = result["speed"]
    print(f"check: median {s['median_ms']} ms, p95 {s['p95_ms']} ms; load {s['load_ms']}")
    print(json.dumps(result["coverage"], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
