"""Prediction throughput and memory: our Predictor vs ADMET-AI, then `actives predict` on 100k.

    python benchmarks/predict_throughput.py [--n 2000] [--stream-n 100000] [--skip-stream]
        [--out docs/benchmarks.md]

1. 2,000 molecules drawn with a fixed seed from the LOTUS natural-product library in the raw data
   (ACTIVES_RAW_DATA; SMILES only, no data pack). Each tool runs in a fresh subprocess, one after
   the other in the same run: our ``Predictor`` (all shipped endpoints) and ADMET-AI's full model
   panel (``ADMETModel().predict(smiles=...)``, from the peer venv of ``make bench-peers``).
   A throwaway 20-molecule run of each goes first so both read their files from a warm page
   cache. Reported: load time (imports + models), predict time, molecules/second excluding and
   including the load, and each process's peak RSS (``os.wait4`` rusage of that child alone).
2. Streaming: 100,000 SMILES (the LOTUS and ZINC natural-product libraries, sampled with
   replacement, fixed seed) written to var/bench/throughput/np100k.smi, then
   ``.venv/bin/actives predict var/bench/throughput/np100k.smi -o var/bench/throughput/out.csv``:
   wall time, peak RSS, and RSS sampled every second (to see whether it grows with the input).

Input and output files stay under var/bench/ (git-ignored): never commit extracts of the raw data.
Results replace the "predict throughput" section of the output file and go to
var/bench/predict_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sections import replace_section

from actives.config import get_settings

SECTION_START = "<!-- predict-throughput:start -->"
SECTION_END = "<!-- predict-throughput:end -->"
WORK = Path("var/bench/throughput")
PEERS_PYTHON = Path("var/bench/peers-venv/bin/python")
OUR_PYTHON = Path(sys.executable)
TARGET_RATIO = 20.0
TARGET_RSS_MIB = 1024.0

# Run in a fresh interpreter: times the load (imports + models) and the prediction separately.
OURS = """
import json, sys, time
start = time.perf_counter()
from actives.predict.predictor import Predictor
predictor = Predictor()
loaded = time.perf_counter()
smiles = [line.split()[0] for line in open(sys.argv[1]) if line.strip()]
table = predictor.predict(smiles)
done = time.perf_counter()
print(json.dumps({"load_s": loaded - start, "predict_s": done - loaded, "rows": len(table),
                  "ok": int((table["status"] == "ok").sum()), "models": list(predictor.models),
                  "columns": len(table.columns)}))
"""
# The same with one helper process beside this one (the 2 cores), as `actives predict` does by
# default on this machine: the load includes starting the helper, which loads the models at the
# same time; the batch is then split between the two processes.
OURS_WORKERS = """
import json, sys, time
start = time.perf_counter()
from actives.predict.predictor import Predictor
predictor = Predictor(workers=2)
loaded = time.perf_counter()
smiles = [line.split()[0] for line in open(sys.argv[1]) if line.strip()]
table = predictor.predict(smiles)
done = time.perf_counter()
predictor.close()
print(json.dumps({"load_s": loaded - start, "predict_s": done - loaded, "rows": len(table),
                  "ok": int((table["status"] == "ok").sum()), "models": list(predictor.models),
                  "columns": len(table.columns), "workers": 2}))
"""
ADMET_AI = """
import json, sys, time
start = time.perf_counter()
from admet_ai import ADMETModel
model = ADMETModel()
loaded = time.perf_counter()
smiles = [line.split()[0] for line in open(sys.argv[1]) if line.strip()]
table = model.predict(smiles=smiles)
done = time.perf_counter()
import admet_ai, torch
print(json.dumps({"load_s": loaded - start, "predict_s": done - loaded, "rows": len(table),
                  "ok": int(table.notna().all(axis=1).sum()), "columns": len(table.columns),
                  "version": getattr(admet_ai, "__version__", "?"), "torch": torch.__version__}))
"""


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants (worker processes), in MiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            fields = text[text.rindex(")") + 2 :].split()
            pid = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def run_child(command: list[str], sample_rss: bool = False) -> dict[str, Any]:
    """Run a command: wall time, the peak RSS of its largest process (os.wait4 rusage: the child
    or any of its reaped descendants) and, when sampling, the peak RSS summed over its process
    tree, sampled every second (what a run with worker processes really holds)."""
    out_path, err_path = WORK / "child.out", WORK / "child.err"
    samples: list[tuple[float, float]] = []
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.perf_counter() - start, tree_rss_mib(process.pid)))
                done.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        if sample_rss:
            sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "peak_tree_rss_mib": max((rss for _, rss in samples), default=None),
        "rc": process.returncode,
        "stdout": out_path.read_text(),
        "stderr_tail": err_path.read_text()[-2000:],
        "rss_samples": [(s, rss) for s, rss in samples if rss > 0],
    }


def tool_run(
    name: str, python: Path, code: str, smiles_file: Path, sample_rss: bool = False
) -> dict[str, Any]:
    """One measured run of a tool in a fresh interpreter; fails loudly if the child failed.
    ``sample_rss`` also samples the RSS of its process tree (for runs with worker processes)."""
    result = run_child([str(python), "-c", code, str(smiles_file)], sample_rss)
    if result["rc"] != 0:
        raise RuntimeError(f"{name} failed (rc {result['rc']}): {result['stderr_tail']}")
    inner = json.loads(result["stdout"].strip().splitlines()[-1])
    result.update(inner)
    result.pop("rss_samples")
    n = inner["rows"]
    result["mol_per_s_predict"] = n / inner["predict_s"]
    result["mol_per_s_with_load"] = n / result["wall_s"]
    print(f"  {name}: load {inner['load_s']:.1f} s, predict {inner['predict_s']:.1f} s, "
          f"wall {result['wall_s']:.1f} s, peak RSS {result['peak_rss_mib']:.0f} MiB",
          flush=True)  # fmt: skip
    return result


def natural_products(raw: Path) -> tuple[list[str], list[str]]:
    """SMILES of the LOTUS library (column "0") and of the ZINC natural-product library."""
    lotus = pd.read_csv(raw / "lotus-np-library" / "Lotus_predito_final.csv", usecols=["0"])
    zinc_file = raw / "zinc-natural-products" / "ZINC_Natural_Products_ADMET_9644.smi"
    zinc = [line.split()[0] for line in zinc_file.read_text().splitlines() if line.strip()]
    return lotus["0"].dropna().astype(str).tolist(), zinc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--stream-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--skip-stream", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="measured runs of each tool")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument(
        "--stream-key",
        default="stream",
        choices=("stream", "stream_initial"),
        help="stream_initial: a first measurement, kept beside the final one",
    )
    parser.add_argument("--stream-note", default="", help="a sentence shown under the row")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--json", type=Path, default=Path("var/bench/predict_throughput.json"))
    parser.add_argument(
        "--from-json",
        action="store_true",
        help="measure nothing: re-render the section from --json",
    )
    args = parser.parse_args()
    if args.from_json:
        write_markdown(args.out, json.loads(args.json.read_text()))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    lotus, zinc = natural_products(get_settings().raw_data)
    previous = json.loads(args.json.read_text()) if args.json.exists() else {}
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "seed": args.seed,
        "n": args.n,
        "library": f"LOTUS natural-product library ({len(lotus):,} SMILES)",
    }
    # The code measured is the actives package this interpreter imports (PYTHONPATH may point at
    # a clean worktree of one commit): name that commit and any uncommitted change under src/.
    import actives

    tree = Path(actives.__file__).resolve().parent
    git = ["git", "-C", str(tree)]
    head = subprocess.run([*git, "log", "-1", "--format=%h"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "."], capture_output=True, text=True)
    changed = len(dirty.stdout.splitlines())
    report["commit"] = head.stdout.strip() + (
        f" (+ {changed} uncommitted files under src/actives)" if changed else ""
    )
    for key in ("stream", "stream_initial"):
        if key in previous:
            report[key] = previous[key]

    if args.skip_compare and "compare" in previous:
        report["compare"] = previous["compare"]
        report["compare_date"] = previous.get("compare_date", previous.get("date"))
    elif not args.skip_compare:
        sample = pd.Series(lotus).sample(args.n, random_state=args.seed).tolist()
        smiles_file = WORK / f"lotus{args.n}.smi"
        smiles_file.write_text("\n".join(sample) + "\n")
        warm = WORK / "warmup.smi"
        warm.write_text("\n".join(sample[:20]) + "\n")
        compare: dict[str, Any] = {}
        if not PEERS_PYTHON.exists():
            compare["admet_ai_note"] = "peer venv missing: run `make bench-peers` first"
        print("warm-up runs (not measured)", flush=True)
        tool_run("ours (warm-up)", OUR_PYTHON, OURS, warm)
        if PEERS_PYTHON.exists():
            tool_run("ADMET-AI (warm-up)", PEERS_PYTHON, ADMET_AI, warm)
        print(f"measured runs on {args.n} molecules", flush=True)
        tools = [("ours", OUR_PYTHON, OURS), ("ours_2w", OUR_PYTHON, OURS_WORKERS)]
        if PEERS_PYTHON.exists():
            tools.append(("admet_ai", PEERS_PYTHON, ADMET_AI))
        runs: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in tools}
        for _ in range(args.repeats):  # alternate the tools, so drifting load hits both
            for key, python, code in tools:
                runs[key].append(tool_run(key, python, code, smiles_file, key == "ours_2w"))
        for key, measured in runs.items():
            ordered = sorted(measured, key=lambda m: m["predict_s"])
            median = dict(ordered[len(ordered) // 2])
            median["repeats"] = len(ordered)
            median["predict_s_range"] = [ordered[0]["predict_s"], ordered[-1]["predict_s"]]
            median["peak_rss_mib_max"] = max(
                max(m["peak_rss_mib"], m.get("peak_tree_rss_mib") or 0.0) for m in ordered
            )
            compare[key] = median
        compare["commit"] = report["commit"]
        compare["loadavg_1min_after"] = os.getloadavg()[0]
        report["compare"] = compare
        report["compare_date"] = report["date"]
        args.json.write_text(json.dumps(report, indent=2))

    if not args.skip_stream:
        pool = lotus + zinc
        big = pd.Series(pool).sample(args.stream_n, replace=True, random_state=args.seed)
        big_file = WORK / "np100k.smi" if args.stream_n == 100_000 else WORK / "np_stream.smi"
        big_file.write_text("\n".join(big) + "\n")
        out_csv = WORK / "out.csv"
        out_csv.unlink(missing_ok=True)
        actives = OUR_PYTHON.parent / "actives"
        print(f"streaming: actives predict {big_file} ({args.stream_n:,} SMILES)", flush=True)
        result = run_child([str(actives), "predict", str(big_file), "-o", str(out_csv)], True)
        if result["rc"] != 0:
            raise RuntimeError(f"actives predict failed (rc {result['rc']}): "
                               f"{result['stderr_tail']}")  # fmt: skip
        rows = sum(1 for _ in out_csv.open()) - 1
        samples = result.pop("rss_samples")
        quarters = []
        for q in (0.25, 0.5, 0.75, 1.0):
            before = [rss for t, rss in samples if t <= q * result["wall_s"]]
            quarters.append(before[-1] if before else None)
        result.update(
            date=report["date"],
            loadavg_1min_after=os.getloadavg()[0],
            commit=report["commit"],
            n=args.stream_n,
            unique=int(big.nunique()),
            pool=len(pool),
            rows_out=rows,
            mol_per_s=args.stream_n / result["wall_s"],
            rss_at_quarters_mib=quarters,
        )
        result.pop("stdout")
        print(f"  wall {result['wall_s']:.0f} s, peak RSS {result['peak_rss_mib']:.0f} MiB, "
              f"RSS at 25/50/75/100 %: {quarters}", flush=True)  # fmt: skip
        result["note"] = args.stream_note
        report[args.stream_key] = result
    print(json.dumps(report, indent=2, default=str))
    args.json.write_text(json.dumps(report, indent=2))
    write_markdown(args.out, report)


def write_markdown(path: Path, r: dict[str, Any]) -> None:
    """Replace the predict-throughput section of the benchmarks page with this run's numbers."""
    lines = [
        SECTION_START,
        "## Prediction throughput: ours vs ADMET-AI, and streaming 100k (issue 4)",
        "",
        f"By `benchmarks/predict_throughput.py` on {r['machine']}, CPU only.",
        "",
    ]
    c = r.get("compare")
    if c:
        ours = c["ours"]
        lines += [
            f"Measured {r['compare_date']} at commit `{c['commit']}`: "
            f"{r['n']:,} molecules drawn with seed {r['seed']} from the {r['library']}, the same "
            "file for both tools, each in a fresh process, one after the other in the same run "
            "(after an unmeasured 20-molecule warm-up of each). Ours: `Predictor()` with all "
            f"shipped models ({', '.join(ours['models'])}: ChEMBL standardisation and InChIKey, "
            "then per endpoint the value, 90 % interval, probability of activity and "
            "applicability domain). ADMET-AI: `ADMETModel()` defaults (its full Chemprop ensemble "
            "panel, physicochemical properties and DrugBank percentiles). Load = imports + "
            f"models; the median of {ours['repeats']} runs of each (by predict time; the two "
            "tools alternate), with the range of predict times; peak RSS of that process alone "
            "(the highest of its runs).",
            "",
            "| tool | molecules (ok) | output columns | load (s) | predict (s) | predict range (s) "
            "| mol/s excl. load | mol/s incl. load | peak RSS (MiB) |",
            "|---|---:|---:|---:|---:|---|---:|---:|---:|",
        ]
        names = {
            "ours": "ours (Predictor, 4 endpoints, 1 process)",
            "ours_2w": "ours (`Predictor(workers=2)`: this process and one helper; RSS of the "
            "process tree)",
            "admet_ai": "ADMET-AI",
        }
        for key in ("ours", "ours_2w", "admet_ai"):
            if key not in c:
                continue
            m = c[key]
            low, high = m.get("predict_s_range", [m["predict_s"]] * 2)
            rss = m.get("peak_rss_mib_max", m["peak_rss_mib"])
            label = names[key] + (f" {m['version']}" if key == "admet_ai" else "")
            lines.append(
                f"| {label} | {m['rows']:,} ({m['ok']:,}) | {m['columns']} | {m['load_s']:.1f} "
                f"| {m['predict_s']:.1f} | {low:.1f}–{high:.1f} | {m['mol_per_s_predict']:.1f} | "
                f"{m['mol_per_s_with_load']:.1f} | {rss:.0f} |"
            )
        if "admet_ai" in c:
            a = c["admet_ai"]
            a_range = a.get("predict_s_range", [a["predict_s"]] * 2)
            lines.append("")
            for key, label in (("ours", "one process"), ("ours_2w", "two processes")):
                if key not in c:
                    continue
                m = c[key]
                excl = m["mol_per_s_predict"] / a["mol_per_s_predict"]
                incl = m["mol_per_s_with_load"] / a["mol_per_s_with_load"]
                verdict = "met" if excl >= TARGET_RATIO else "NOT met"
                o_range = m.get("predict_s_range", [m["predict_s"]] * 2)
                worst = a_range[0] / o_range[1]  # ADMET-AI's fastest run against our slowest
                lines.append(
                    f"- Ours on {label} / ADMET-AI in molecules per second: {excl:.1f}x "
                    f"excluding the load, {incl:.1f}x including it; target at least "
                    f"{TARGET_RATIO:.0f}x (excluding the load): **{verdict}**; ADMET-AI's "
                    f"fastest run against our slowest: {worst:.1f}x."
                )
            lines += [
                "",
                f"The two do different amounts of work: ours predicts 4 endpoints (and "
                f"standardises and identifies every structure), ADMET-AI {a['columns']} output "
                "columns from its model panel; ADMET-AI's torch uses both cores by default. "
                "Load average (1 min) on the 2 cores at the end of the comparison: "
                f"{c.get('loadavg_1min_after', float('nan')):.1f}.",
            ]
        else:
            lines += ["", f"ADMET-AI: {c.get('admet_ai_note', 'not measured')}."]
    runs = [(k, r[k]) for k in ("stream_initial", "stream") if k in r]
    if runs:
        s = runs[-1][1]
        lines += [
            "",
            f"Streaming: `actives predict np100k.smi -o out.csv` on {s['n']:,} SMILES "
            f"({s['unique']:,} distinct: the LOTUS and ZINC natural-product libraries, "
            f"{s['pool']:,} SMILES, sampled with replacement, seed {r['seed']}), with the "
            "command's defaults (every core: here this process and one helper); wall time "
            "includes start-up and model load; RSS sampled every second.",
            "",
            "| run | date, commit | molecules (rows out) | wall (s) | mol/s | peak RSS, largest "
            "process (MiB) | peak RSS, process tree (MiB) | RSS at 25/50/75/100 % of the run "
            "(MiB) | < 1 GB RSS |",
            "|---|---|---:|---:|---:|---:|---:|---|---|",
        ]
        notes = []
        for key, s in runs:
            tree = s.get("peak_tree_rss_mib")
            peak = max(s["peak_rss_mib"], tree or 0.0)
            verdict = "met" if peak < TARGET_RSS_MIB else "NOT met"
            quarters = " / ".join(
                "—" if q is None else f"{q:.0f}" for q in s["rss_at_quarters_mib"]
            )
            label = "first" if key == "stream_initial" else "final"
            lines.append(
                f"| {label} | {s['date']}, `{s['commit']}` | {s['n']:,} ({s['rows_out']:,}) | "
                f"{s['wall_s']:.0f} | {s['mol_per_s']:.1f} | {s['peak_rss_mib']:.0f} | "
                f"{'—' if tree is None else f'{tree:.0f}'} | {quarters} | {verdict} |"
            )
            if s.get("note"):
                notes.append(f"{label.capitalize()} run: {s['note']}")
        if notes:
            for note in notes:
                lines += ["", note]
    lines.append(SECTION_END)
    replace_section(path, SECTION_START, SECTION_END, lines)


if __name__ == "__main__":
    main()
