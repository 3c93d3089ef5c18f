"""Library screening throughput and memory: `actives screen` against the per-molecule floor.

    python benchmarks/screening_throughput.py [--n 1000000] [--sizes 0.01,0.1] [--skip-dask]
        [--out docs/benchmarks.md]

Input: N SMILES drawn with replacement (fixed seed) from the LOTUS and ZINC natural-product
libraries in the raw data (ACTIVES_RAW_DATA) and, when a data pack is built, the pack's
compounds; written to var/bench/screening/library-<N>.smi (git-ignored, never committed).

Measured in the same run, one after the other, each command in a fresh process:

1. the floor: RDKit parse (``MolFromSmiles``) + Morgan fingerprint (radius 2, 2048 bits) of every
   line, one process, nothing else; and, on a 5,000-line sample, the cost of NP-likeness
   (RDKit NP_Score) per molecule, which a screen pays only when asked for it;
2. ``actives screen`` with ``--workers 1`` and ``--workers 2`` (local processes);
3. ``actives screen --dask <address>`` on a 2-worker ``distributed.LocalCluster`` (processes, one
   thread each) started beforehand in its own process (its start-up is reported, not timed);
4. memory against input size: the 2-worker screen on N x each of ``--sizes`` lines, and an
   NP-likeness filter run on the largest of those.

Every screen predicts the four shipped endpoints (the three activity functions and the skin
permeation filter): ``--min-p-active 0.5 --min-logkp -7``. Reported: wall time including
start-up, model loading and the merge; molecules per second; the ratio of the floor's rate to the
screen's (target: within 3x); peak RSS of the whole process tree (screen, its workers, and for
Dask the cluster's processes), sampled every half second, and RSS at 25/50/75/100 % of each run.
Results replace the "screening-throughput" section of the output file and go to
var/bench/screening_throughput.json.
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
from predict_throughput import natural_products, tree_rss_mib
from sections import replace_section

from actives.config import get_settings

SECTION_START = "<!-- screening-throughput:start -->"
SECTION_END = "<!-- screening-throughput:end -->"
WORK = Path("var/bench/screening")
PYTHON = Path(sys.executable)
ACTIVES = PYTHON.parent / "actives"
TARGET_RATIO = 3.0
FILTERS = ["--min-p-active", "0.5", "--min-logkp", "-7"]

FLOOR = """
import json, sys, time
start = time.perf_counter()
from rdkit import Chem, RDLogger
from rdkit.Chem import rdFingerprintGenerator
RDLogger.DisableLog("rdApp.*")
generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
loaded = time.perf_counter()
n = ok = 0
with open(sys.argv[1]) as handle:
    for line in handle:
        n += 1
        mol = Chem.MolFromSmiles(line.split()[0])
        if mol is not None:
            generator.GetFingerprint(mol)
            ok += 1
done = time.perf_counter()
print(json.dumps({"rows": n, "ok": ok, "load_s": loaded - start, "loop_s": done - loaded}))
"""

NP_COST = """
import json, sys, time
from rdkit import Chem, RDLogger
RDLogger.DisableLog("rdApp.*")
from actives.chem.descriptors import np_likeness
mols = [Chem.MolFromSmiles(line.split()[0]) for line in open(sys.argv[1])]
mols = [m for m in mols if m is not None]
np_likeness(mols[0])  # loads the model once
start = time.perf_counter()
for mol in mols:
    np_likeness(mol)
print(json.dumps({"n": len(mols), "per_mol_ms": 1000 * (time.perf_counter() - start) / len(mols)}))
"""

STAGES = """
import json, sys, time
from actives.chem.files import iter_structure_inputs
from actives.chem.identity import inchikey
from actives.chem.parse import to_mol
from actives.chem.standardize import standardize
from actives.predict.artifact import prepare
from actives.predict.predictor import Predictor
from pathlib import Path
predictor = Predictor(["cox2", "dpph", "mmp1", "skin_logkp"])
records = list(iter_structure_inputs(Path(sys.argv[1])))
texts = [r.text for r in records]
predictor.predict(texts[:50])  # warm
seconds = {}
def timed(name, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
    return result
mols = [timed("parse", to_mol, t) for t in texts]
parents = [timed("standardise (ChEMBL pipeline, shortcuts)", standardize, m, reread=False)
           for m in mols]
batch = timed("fingerprints for features and domain", prepare, [""] * len(parents),
              [p.mol for p in parents])
for endpoint_id, model in predictor.models.items():
    timed("features", batch.features, model.featurizers)
    timed("4 models: LightGBM, domain, conformal", model.predict_prepared, batch, 0.9)
smiles = [timed("SMILES (a screen writes it for its hits only)", lambda p: p.smiles, p)
          for p in parents]
for text in smiles:
    timed("InChIKey (hits only, from the SMILES read again)", lambda t: inchikey(to_mol(t)), text)
start = time.perf_counter()
predictor.predict_parents(records)
print(json.dumps({"n": len(texts), "ms_per_mol": {k: 1000 * v / len(texts)
                  for k, v in seconds.items()},
                  "predictor_ms_per_mol": 1000 * (time.perf_counter() - start) / len(texts)}))
"""

CLUSTER = """
import sys, time
from distributed import LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
cluster.close()
"""


def tree_pss_mib(root: int) -> float:
    """Proportional set size of a process and its descendants, in MiB: shared library pages
    split between the processes that map them, so that summing over a tree does not count
    RDKit, LightGBM and NumPy once per worker as summed RSS does."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            children.setdefault(int(text[text.rindex(")") + 2 :].split()[1]), []).append(
                int(stat.parent.name)
            )
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
                    break
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total


def measure(command: list[str], extra_pids: tuple[int, ...] = ()) -> dict[str, Any]:
    """Run a command: wall time, exit code, and the RSS of its process tree (plus the trees of
    ``extra_pids``, a cluster's) sampled every half second."""
    out_path, err_path = WORK / "child.out", WORK / "child.err"
    samples: list[tuple[float, float]] = []
    pss: list[float] = []
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss = tree_rss_mib(process.pid) + sum(tree_rss_mib(p) for p in extra_pids)
                samples.append((time.perf_counter() - start, rss))
                pss.append(tree_pss_mib(process.pid) + sum(tree_pss_mib(p) for p in extra_pids))
                done.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        process.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    quarters = []
    for q in (0.25, 0.5, 0.75, 1.0):
        before = [rss for t, rss in samples if t <= q * wall and rss > 0]
        quarters.append(before[-1] if before else None)
    return {
        "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command)),
        "wall_s": wall,
        "rc": process.returncode,
        "stdout": out_path.read_text()[-3000:],
        "stderr_tail": err_path.read_text()[-2000:],
        "peak_tree_rss_mib": max((rss for _, rss in samples), default=None),
        "peak_tree_pss_mib": max(pss, default=None),
        "rss_at_quarters_mib": quarters,
    }


def screen(
    name: str, library: Path, n: int, options: list[str], extra_pids: tuple[int, ...] = ()
) -> dict[str, Any]:
    """One measured `actives screen` run; fails loudly if it failed."""
    output = WORK / f"hits-{name}.parquet"
    command = [str(ACTIVES), "screen", str(library), "-o", str(output), "--overwrite",
               "--restart", *FILTERS, *options]  # fmt: skip
    print(f"  {name}: {' '.join(command[1:])}", flush=True)
    result = measure(command, extra_pids)
    if result["rc"] != 0:
        raise RuntimeError(f"{name} failed (rc {result['rc']}): {result['stdout']}"
                           f"{result['stderr_tail']}")  # fmt: skip
    result["rows_out"] = len(pd.read_parquet(output, columns=["row"]))
    result["n"] = n
    result["mol_per_s"] = n / result["wall_s"]
    result["summary"] = next(
        (line for line in result.pop("stdout").splitlines() if line.startswith("Read ")), ""
    )
    output.unlink()
    print(f"    wall {result['wall_s']:.1f} s, {result['mol_per_s']:.0f} mol/s, peak tree RSS "
          f"{result['peak_tree_rss_mib']:.0f} MiB, quarters {result['rss_at_quarters_mib']}",
          flush=True)  # fmt: skip
    return result


def build_library(n: int, seed: int, pool: list[str]) -> Path:
    """N lines "SMILES id" sampled with replacement from the pool (kept between runs)."""
    path = WORK / f"library-{n}.smi"
    if not path.exists():
        sample = pd.Series(pool).sample(n, replace=True, random_state=seed)
        lines = (f"{s} m{i}" for i, s in enumerate(sample, start=1))
        path.write_text("\n".join(lines) + "\n")
    return path


def pack_smiles() -> list[str]:
    """SMILES of the current data pack's compounds, or none when no pack is built."""
    from actives.knowledge.pack import current_pack_path

    path = current_pack_path(get_settings().home / "packs")
    if path is None:
        return []
    table = pd.read_parquet(path / "compounds.parquet", columns=["smiles"])
    return table["smiles"].dropna().astype(str).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="0.01,0.1", help="fractions of N for the memory runs")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--note", default="", help="a sentence shown under the table")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--json", type=Path, default=Path("var/bench/screening_throughput.json"))
    parser.add_argument("--from-json", action="store_true", help="re-render, measure nothing")
    args = parser.parse_args()
    if args.from_json:
        report = json.loads(args.json.read_text())
        if args.note:
            report["note"] = args.note
        write_markdown(args.out, report)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    lotus, zinc = natural_products(get_settings().raw_data)
    pack = pack_smiles()
    pool = lotus + zinc + pack
    import actives

    tree = Path(actives.__file__).resolve().parent
    head = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "."],
                           capture_output=True, text=True).stdout.splitlines()  # fmt: skip
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "commit": head + (f" (+ {len(dirty)} uncommitted files under src/)" if dirty else ""),
        "seed": args.seed,
        "n": args.n,
        "pool": {"lotus": len(lotus), "zinc": len(zinc), "pack": len(pack), "total": len(pool)},
        "loadavg_before": os.getloadavg()[0],
        "note": args.note,
    }
    library = build_library(args.n, args.seed, pool)
    report["unique"] = int(pd.read_csv(library, sep=" ", header=None, usecols=[0])[0].nunique())
    print(f"library {library}: {args.n:,} lines, {report['unique']:,} distinct", flush=True)

    print("floor: RDKit parse + Morgan fingerprint, one process", flush=True)
    floor = measure([str(PYTHON), "-c", FLOOR, str(library)])
    floor.update(json.loads(floor.pop("stdout").strip().splitlines()[-1]))
    floor["mol_per_s"] = args.n / floor["wall_s"]
    floor["mol_per_s_loop"] = args.n / floor["loop_s"]
    report["floor"] = floor
    print(f"    wall {floor['wall_s']:.1f} s, {floor['mol_per_s']:.0f} mol/s", flush=True)
    sample = WORK / "np-sample.smi"
    sample.write_text("".join(line for _, line in zip(range(5000), library.open(), strict=False)))
    np_cost = measure([str(PYTHON), "-c", NP_COST, str(sample)])
    report["np_cost"] = json.loads(np_cost["stdout"].strip().splitlines()[-1])
    print(f"    NP-likeness {report['np_cost']['per_mol_ms']:.2f} ms/mol", flush=True)
    stages = measure([str(PYTHON), "-c", STAGES, str(sample)])
    if stages["rc"] != 0:
        raise RuntimeError(f"stage timing failed: {stages['stderr_tail']}")
    report["stages"] = json.loads(stages["stdout"].strip().splitlines()[-1])
    print(f"    stages {report['stages']}", flush=True)

    runs: dict[str, Any] = {}
    runs["workers1"] = screen("workers1", library, args.n, ["--workers", "1"])
    runs["workers2"] = screen("workers2", library, args.n, ["--workers", "2"])
    if not args.skip_dask:
        started = time.perf_counter()
        cluster = subprocess.Popen([str(PYTHON), "-c", CLUSTER], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)  # fmt: skip
        assert cluster.stdout is not None and cluster.stdin is not None
        address = cluster.stdout.readline().strip()
        report["dask_cluster_start_s"] = time.perf_counter() - started
        try:
            runs["dask2"] = screen("dask2", library, args.n, ["--dask", address], (cluster.pid,))
        finally:
            cluster.stdin.close()
            cluster.wait(timeout=60)
    report["runs"] = runs

    scaling: list[dict[str, Any]] = []
    fractions = sorted(float(f) for f in args.sizes.split(",") if f.strip())
    for fraction in fractions:
        size = max(1000, int(args.n * fraction))
        small = build_library(size, args.seed, pool)
        scaling.append(screen(f"size{size}", small, size, ["--workers", "2"]))
    if fractions:
        size = max(1000, int(args.n * fractions[-1]))
        small = build_library(size, args.seed, pool)
        np_run = screen(f"np{size}", small, size, ["--workers", "2", "--np-min", "0"])
        report["np_run"] = np_run
    scaling.append(runs["workers2"])
    report["scaling"] = scaling
    report["loadavg_after"] = os.getloadavg()[0]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str))
    write_markdown(args.out, report)


def _pss(run: dict[str, Any]) -> str:
    value = run.get("peak_tree_pss_mib")
    return "—" if value is None else f"{value:.0f}"


def _rss(run: dict[str, Any]) -> str:
    return " / ".join("—" if q is None else f"{q:.0f}" for q in run["rss_at_quarters_mib"])


def write_markdown(path: Path, r: dict[str, Any]) -> None:
    """Replace the screening-throughput section of the benchmarks page with this run."""
    floor = r["floor"]
    pool = r["pool"]
    lines = [
        SECTION_START,
        "## Library screening: throughput and memory against the floor (issue 5)",
        "",
        f"By `benchmarks/screening_throughput.py --n {r['n']}` on {r['machine']}, CPU only, "
        f"{r['date']}, commit `{r['commit']}`; load average (1 min) {r['loadavg_before']:.1f} "
        f"before and {r['loadavg_after']:.1f} after (other work shared the machine).",
        "",
        f"Input: {r['n']:,} SMILES ({r['unique']:,} distinct) sampled with replacement, seed "
        f"{r['seed']}, from a pool of {pool['total']:,}: the LOTUS ({pool['lotus']:,}) and ZINC "
        f"({pool['zinc']:,}) natural-product libraries and the data pack's compounds "
        f"({pool['pack']:,}). Every screen predicts the four shipped endpoints with "
        f"`{' '.join(FILTERS)}`; wall time includes start-up, model loading and the merge into "
        "the output. Floor: RDKit `MolFromSmiles` + Morgan fingerprint (r = 2, 2048 bits) of "
        "every line in one process, nothing else. RSS is the whole process tree (for Dask, the "
        "screen's and the cluster's processes), sampled every 0.5 s.",
        "",
        "| run | molecules | wall (s) | mol/s | floor rate / this rate | peak RSS, tree (MiB) "
        "| peak PSS, tree (MiB) | RSS at 25/50/75/100 % (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        f"| floor: parse + fingerprint, 1 process | {r['n']:,} | {floor['wall_s']:.1f} | "
        f"{floor['mol_per_s']:.0f} | 1.0 | {floor['peak_tree_rss_mib']:.0f} | "
        f"{_pss(floor)} | {_rss(floor)} |",
    ]
    names = {
        "workers1": "`actives screen --workers 1`",
        "workers2": "`actives screen --workers 2`",
        "dask2": "`actives screen --dask` (LocalCluster, 2 workers)",
    }
    verdicts = []
    for key, label in names.items():
        run = r["runs"].get(key)
        if run is None:
            continue
        ratio = floor["mol_per_s"] / run["mol_per_s"]
        verdicts.append(f"{label}: {ratio:.2f}x ({'met' if ratio <= TARGET_RATIO else 'NOT met'})")
        lines.append(
            f"| {label} | {run['n']:,} | {run['wall_s']:.1f} | {run['mol_per_s']:.0f} | "
            f"{ratio:.2f} | {run['peak_tree_rss_mib']:.0f} | {_pss(run)} | {_rss(run)} |"
        )
    lines += [
        "",
        f"Target: within {TARGET_RATIO:.0f}x of the floor. "
        + "; ".join(verdicts)
        + f". The floor's own loop ran at {floor['mol_per_s_loop']:.0f} molecules/s (excluding "
        "its 0.3 s start-up).",
    ]
    if "dask_cluster_start_s" in r:
        lines[-1] += (
            f" The LocalCluster took {r['dask_cluster_start_s']:.1f} s to start (not in the "
            "Dask row; its workers load the models on their first chunk, which is)."
        )
    lines += [
        "",
        "Memory against input size (`--workers 2`, the same filters):",
        "",
        "| molecules | wall (s) | mol/s | peak RSS, tree (MiB) | peak PSS, tree (MiB) "
        "| RSS at 25/50/75/100 % (MiB) |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for run in r["scaling"]:
        lines.append(
            f"| {run['n']:,} | {run['wall_s']:.1f} | {run['mol_per_s']:.0f} | "
            f"{run['peak_tree_rss_mib']:.0f} | {_pss(run)} | {_rss(run)} |"
        )
    np_cost = r["np_cost"]
    lines += ["", f"NP-likeness (RDKit NP_Score) costs {np_cost['per_mol_ms']:.2f} ms per molecule "
              f"(on {np_cost['n']:,} molecules, one process), paid only with `--np-score` (for the "
              "hits) or an `--np-min`/`--np-max` filter (for every molecule that passed the other "
              "filters)."]  # fmt: skip
    if "np_run" in r:
        run = r["np_run"]
        base = next((s for s in r["scaling"] if s["n"] == run["n"]), None)
        compare = ""
        if base is not None:
            compare = (
                f", against {base['wall_s']:.1f} s without it "
                f"({run['wall_s'] / base['wall_s'] - 1:+.0%})"
            )
        lines[-1] += (
            f" A 2-worker screen of {run['n']:,} molecules with `--np-min 0` took "
            f"{run['wall_s']:.1f} s{compare}."
        )
    stages = r.get("stages")
    if stages:
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in stages["ms_per_mol"].items())
        floor_ms = 1000 / floor["mol_per_s_loop"]
        lines += [
            "",
            f"Where a screen's time goes (one process, {stages['n']:,} molecules of the input, "
            f"milliseconds per molecule): {parts}; the whole `Predictor` as a screen calls it "
            f"(no SMILES or InChIKeys) {stages['predictor_ms_per_mol']:.2f} ms against the "
            "floor's "
            f"{floor_ms:.2f} ms.",
        ]
    if r.get("note"):
        lines += ["", r["note"]]
    lines.append(SECTION_END)
    replace_section(path, SECTION_START, SECTION_END, lines)


if __name__ == "__main__":
    main()
