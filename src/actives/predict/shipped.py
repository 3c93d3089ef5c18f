"""Train the shipped models from the raw public data (``make models``) and load them back.

Each endpoint folder under ``actives/resources/models/`` holds the model artefact and its card:
data source files with checksums, curation counts, scaffold- and cluster-split metrics, conformal
coverage, the applicability-domain threshold and the date. Nothing there is raw data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from actives.errors import NotFoundError
from actives.knowledge.build import sha256_of
from actives.predict.artifact import ModelArtifact, train_artifact
from actives.predict.datasets import ENDPOINT_DATA, curate_endpoint
from actives.predict.evaluation import cross_validate
from actives.predict.registry import get_endpoint
from actives.progress import Progress, silent_progress

SHIPPED = ("cox2", "mmp1", "dpph", "skin_logkp")
FEATURIZERS = ("morgan_counts",)


def shipped_models_dir() -> Path:
    """The folder of models in use: ACTIVES_MODELS_DIR, or the package's shipped models."""
    from actives.config import Settings

    override = Settings().models_dir
    return override if override is not None else Path(str(files("actives.resources.models")))


def _source_files(raw_root: Path, endpoint_id: str) -> list[dict[str, Any]]:
    path = raw_root / ENDPOINT_DATA[endpoint_id].path
    paths = sorted(p for p in path.iterdir() if p.suffix == ".csv") if path.is_dir() else [path]
    return [
        {"path": str(p.relative_to(raw_root)), "bytes": p.stat().st_size, "sha256": sha256_of(p)}
        for p in paths
    ]


def train_shipped(
    raw_root: Path,
    out_dir: Path,
    endpoint_ids: tuple[str, ...] = SHIPPED,
    progress: Progress = silent_progress,
) -> list[Path]:
    """Curate, evaluate (scaffold and cluster 5-fold) and train every shipped endpoint."""
    written = []
    for i, endpoint_id in enumerate(endpoint_ids):
        endpoint = get_endpoint(endpoint_id)
        progress(i, len(endpoint_ids), f"{endpoint_id}: curating")
        curated = curate_endpoint(endpoint_id, raw_root)
        evaluations = {}
        for split in ("scaffold", "cluster"):
            progress(i, len(endpoint_ids), f"{endpoint_id}: {split} 5-fold evaluation")
            evaluations[split] = cross_validate(
                curated.data,
                split=split,
                featurizer_ids=FEATURIZERS,
                active_threshold=endpoint.active_threshold,
                higher_is_active=endpoint.higher_is_active,
            ).summary()
        baselines = {}
        if endpoint_id == "skin_logkp":
            from dataclasses import asdict

            from actives.predict.baselines import potts_guy_metrics

            baselines["Potts-Guy equation (cLogP for log Kow)"] = asdict(
                potts_guy_metrics(curated.data)
            )
        progress(i, len(endpoint_ids), f"{endpoint_id}: training")
        artifact = train_artifact(
            curated.data,
            endpoint_id,
            featurizer_ids=FEATURIZERS,
            card_extra={
                "function": str(endpoint.function),
                "target": endpoint.target,
                "assay": endpoint.assay,
                "active_threshold": endpoint.active_threshold,
                "data_sources": _source_files(raw_root, endpoint_id),
                "curation": curated.counts(),
                "n_compounds": len(curated.data),
                "n_censored": int((curated.data["relation"] != "=").sum()),
                "evaluation": evaluations,
                "baselines": baselines,
                "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        folder = out_dir / endpoint_id
        artifact.save(folder)
        (folder / "MODEL_CARD.md").write_text(render_card(artifact.card))
        written.append(folder)
    progress(len(endpoint_ids), len(endpoint_ids), "models trained")
    return written


def render_card(card: dict[str, Any]) -> str:
    """The model card as Markdown, for people reading the repository."""
    domain_threshold = card["applicability_domain"]["threshold"]
    lines = [
        f"# Model card: {card['title']} (`{card['endpoint']}`)",
        "",
        f"- Function: {card.get('function', '')}; target: {card.get('target', '')}",
        f"- Units: {card['units']}; learner: {card['learner']} on {', '.join(card['featurizers'])}",
        f"- Trained {card.get('trained_at', '')} with Actives {card['actives_version']}: "
        f"{card['n_train']} training and {card['n_calibration']} calibration compounds "
        f"(scaffold-grouped); {card.get('n_censored', 0)} censored compounds not used as targets.",
        f"- Applicability domain: {card['applicability_domain']['method']}; in domain when the "
        f"nearest training compound has similarity >= {domain_threshold:.3f}.",
        "",
        "## Data",
        "",
        *[
            f"- `{s['path']}` ({s['bytes']:,} bytes, sha256 `{s['sha256'][:16]}…`)"
            for s in card.get("data_sources", [])
        ],  # fmt: skip
        "",
        "| curation step | rows in | rows out |",
        "|---|---:|---:|",
        *[
            f"| {s['name']} | {s['rows_in']:,} | {s['rows_out']:,} |"
            for s in card.get("curation", [])
        ],
        "",
        "## Evaluation (5-fold, out-of-fold, 90 % conformal intervals)",
        "",
        "| split | subset | n | RMSE | MAE | R² | Spearman | coverage |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for split, ev in card.get("evaluation", {}).items():  # split: "scaffold" or "cluster"
        for subset in ("overall", "in_domain", "out_of_domain", "natural_product_like"):
            m = ev[subset]
            cells = [m.get(k) for k in ("rmse", "mae", "r2", "spearman", "coverage")]
            shown = " | ".join("—" if c is None else f"{c:.3f}" for c in cells)
            lines.append(f"| {split} | {subset.replace('_', ' ')} | {m['n']} | {shown} |")
    for name, m in card.get("baselines", {}).items():
        cells = [m.get(k) for k in ("rmse", "mae", "r2", "spearman", "coverage")]
        shown = " | ".join("—" if c is None else f"{c:.3f}" for c in cells)
        lines.append(f"| baseline: {name} | all compounds | {m['n']} | {shown} |")
    threshold = card.get("active_threshold")
    if threshold is not None:
        lines += [
            "",
            f"## Probability of activity (value >= {threshold}), from the conformal predictive "
            "distribution",
            "",
            "| split | n | actives | AUROC | Brier | balanced accuracy |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for split, ev in card.get("evaluation", {}).items():
            c = ev.get("classification") or {}
            cells = [c.get(k) for k in ("auroc", "brier", "balanced_accuracy")]
            shown = " | ".join("—" if v is None else f"{v:.3f}" for v in cells)
            lines.append(f"| {split} | {c.get('n', 0)} | {c.get('n_active', 0)} | {shown} |")
    return "\n".join(lines) + "\n"


def load_shipped(endpoint_id: str) -> ModelArtifact:
    """A shipped model by endpoint id; NotFoundError says how to train it."""
    folder = shipped_models_dir() / endpoint_id
    if not (folder / "model_card.json").is_file():
        raise NotFoundError(
            f"No shipped model for {endpoint_id!r} in this installation; train it with "
            "`make models`.",
            code="model_missing",
        )
    return ModelArtifact.load(folder)


def available() -> list[str]:
    """Endpoints with a shipped model, sorted."""
    root = shipped_models_dir()
    return sorted(p.name for p in root.iterdir() if (p / "model_card.json").is_file())
