"""Benchmark the knowledge pack: build time and size, p50/p95 latency of each query type, and
similarity search against a plain RDKit BulkTanimoto loop over the same compounds, same run.

    python benchmarks/knowledge_pack.py [--pack PATH] [--build] [--out docs/benchmarks.md]

Without --pack it uses the current pack under ACTIVES_HOME, building one first (with --build or
when none exists) from ACTIVES_RAW_DATA. Results replace the "knowledge pack" section of the
output file.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rdkit import DataStructs, rdBase
from rdkit.Chem import rdFingerprintGenerator
from sections import replace_section

from actives.chem import to_mol
from actives.config import get_settings
from actives.knowledge import DataPack, build_pack, packs_dir
from actives.knowledge.pack import current_pack_path

SECTION_START = "<!-- knowledge-pack:start -->"
SECTION_END = "<!-- knowledge-pack:end -->"


def timings(fn: Callable[[Any], Any], inputs: list[Any], warmup: int = 3) -> dict[str, float]:
    """Latency in ms of fn over inputs (after a warm-up): p50, p95, max, n."""
    for item in inputs[:warmup]:
        fn(item)
    samples = []
    for item in inputs:
        start = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "n": len(samples),
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[max(0, int(round(0.95 * len(samples))) - 1)],
        "max_ms": samples[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    config = get_settings()

    if args.pack:
        pack_path = args.pack
    else:
        pack_path = current_pack_path(packs_dir(config.home))
        if args.build or pack_path is None:
            print(f"building a pack from {config.raw_data} ...")
            pack_path = build_pack(config.raw_data, packs_dir(config.home))
    start = time.perf_counter()
    pack = DataPack(pack_path)
    open_ms = (time.perf_counter() - start) * 1000
    manifest = pack.info()
    size = sum(f.stat().st_size for f in pack_path.iterdir())
    rng = random.Random(20261122)

    names = pack.sql("SELECT DISTINCT name FROM names WHERE inchikey <> ''").name.tolist()
    korean = pack.sql("SELECT DISTINCT name FROM names WHERE lang = 'ko'").name.tolist()
    cas = pack.sql("SELECT DISTINCT cas FROM compounds WHERE cas <> ''").cas.tolist()
    species = pack.sql("SELECT name FROM organisms").name.tolist()
    genera = pack.sql("SELECT DISTINCT genus FROM organisms WHERE genus <> ''").genus.tolist()
    keys = pack.sql("SELECT inchikey, smiles FROM compounds")
    n = args.queries

    def typo(text: str) -> str:
        if len(text) < 5:
            return text + "x"
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + text[i + 1 :]

    sample = rng.sample
    results: dict[str, dict[str, float]] = {}
    start = time.perf_counter()
    pack.similar("CCO")  # loads the fingerprint matrices
    fingerprint_load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    pack.substructure("c1ccccc1")  # builds the SubstructLibrary
    substructure_load_ms = (time.perf_counter() - start) * 1000
    results["lookup: name / INCI"] = timings(pack.lookup, sample(names, n))
    results["lookup: Korean name"] = timings(pack.lookup, sample(korean, min(n, len(korean))))
    results["lookup: CAS"] = timings(pack.lookup, [c.split(";")[0] for c in sample(cas, n)])
    results["lookup: typo (suggestions)"] = timings(
        pack.lookup, [typo(x) for x in sample(names, min(n, 50))]
    )
    results["plant: species constituents"] = timings(pack.constituents, sample(species, n))
    results["plant: genus constituents"] = timings(pack.constituents, sample(genera, min(n, 100)))
    rows = keys.sample(n, random_state=1)
    results["compound -> plants"] = timings(pack.plants_of, rows.inchikey.tolist())
    queries = keys.sample(50, random_state=2).smiles.tolist()
    results["similarity (ours, NumPy popcount, >=0.5)"] = timings(
        lambda s: pack.similar(s, threshold=0.5), queries
    )

    # Reference: RDKit BulkTanimotoSimilarity over the same compounds, fingerprints in memory.
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    start = time.perf_counter()
    reference_fps = [generator.GetFingerprint(to_mol(s)) for s in keys.smiles]
    reference_build_s = time.perf_counter() - start

    def reference(smiles: str) -> list[int]:
        sims = np.array(DataStructs.BulkTanimotoSimilarity(
            generator.GetFingerprint(to_mol(smiles)), reference_fps))  # fmt: skip
        return list(np.flatnonzero(sims >= 0.5))

    results["similarity (RDKit BulkTanimoto loop, >=0.5)"] = timings(reference, queries)
    agree = all(
        len(pack.similar(s, threshold=0.5, limit=100_000)) == len(reference(s))
        for s in queries[:10]
    )
    substructures = ["c1ccc(O)c(O)c1", "O=C1CC(c2ccccc2)Oc2ccccc12", "C=CC(=O)O",
                     "O=c1ccc2ccccc2o1", "OC1C(O)C(O)C(CO)OC1O"]  # fmt: skip
    results["substructure (RDKit SubstructLibrary, first 200)"] = timings(
        pack.substructure, substructures * 4, warmup=1
    )

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, "
        f"Python {platform.python_version()}, RDKit {rdBase.rdkitVersion}",
        "pack": manifest["version"],
        "build_seconds": manifest["build_seconds"],
        "size_mib": size / 1024 / 1024,
        "tables": {k: v["rows"] for k, v in manifest["tables"].items()},
        "open_ms": open_ms,
        "fingerprint_load_ms": fingerprint_load_ms,
        "substructure_load_ms": substructure_load_ms,
        "reference_fingerprint_build_s": reference_build_s,
        "similarity_results_agree": agree,
        "results": results,
    }
    print(json.dumps(report, indent=2))
    write_markdown(args.out, report)


def write_markdown(path: Path, r: dict[str, Any]) -> None:
    """Replace the knowledge-pack section of the benchmarks page with this run's numbers."""
    lines = [
        SECTION_START,
        "## Knowledge pack (issue 3)",
        "",
        f"Measured {r['date']} by `benchmarks/knowledge_pack.py` on {r['machine']}.",
        "",
        f"- Pack {r['pack']}: built in {r['build_seconds']:.0f} s (2 processes standardising "
        f"{r['tables']['compounds']:,} compounds with the ChEMBL pipeline), "
        f"{r['size_mib']:.1f} MiB on disk (Parquet, zstd).",
        "- Rows: " + ", ".join(f"{k} {v:,}" for k, v in r["tables"].items()) + ".",
        f"- Opening the pack: {r['open_ms']:.0f} ms; on first use, loading the Morgan bits into "
        f"NumPy: {r['fingerprint_load_ms']:.0f} ms, building the RDKit SubstructLibrary: "
        f"{r['substructure_load_ms']:.0f} ms.",
        "",
        "| query | n | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, t in r["results"].items():
        lines.append(
            f"| {name} | {t['n']} | {t['p50_ms']:.1f} | {t['p95_ms']:.1f} | {t['max_ms']:.1f} |"
        )
    lines += [
        "",
        "Similarity search is over all pack compounds in both rows (Morgan radius 2, 2048 bits, "
        "Tanimoto >= 0.5); the RDKit reference keeps its fingerprints in memory too "
        f"(computing them took {r['reference_fingerprint_build_s']:.0f} s, not counted). "
        f"Both return the same hits: {'yes' if r['similarity_results_agree'] else 'NO'}. "
        "Ours includes standardising the query and fetching the hit rows from the in-memory "
        "compound table.",
        SECTION_END,
    ]
    replace_section(path, SECTION_START, SECTION_END, lines)


if __name__ == "__main__":
    main()
