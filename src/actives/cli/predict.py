"""`actives predict` and `actives models`: the shipped models from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from actives.chem.files import STRUCTURE_SUFFIXES
from actives.errors import ActivesError, InvalidInputError
from actives.knowledge import DataPack
from actives.predict.evidence import Measurement
from actives.predict.export import check_output, write_table
from actives.predict.predictor import CHUNK_SIZE, MoleculeReport, Predictor, resolve_structure

models_app = typer.Typer(
    help="Prediction models (shipped and your own): list, show, train, evaluate.",
    no_args_is_help=True,
)
console = Console()


def _pack_or_none() -> DataPack | None:
    from actives.config import get_settings
    from actives.knowledge import current_pack

    try:
        return current_pack(get_settings().home)
    except ActivesError:
        return None


def predict(
    query: Annotated[
        str, typer.Argument(help="SMILES, InChI, a name or CAS from the data pack, or a file.")
    ],
    endpoints: Annotated[
        str | None, typer.Option(help="Comma-separated endpoint ids (default: all installed).")
    ] = None,
    confidence: Annotated[float, typer.Option(help="Conformal interval confidence.")] = 0.9,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the table: .csv, .xlsx, .sdf, .parquet, .jsonl."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    workers: Annotated[
        int, typer.Option(help="Processes for a file (0 = every core; 1 = this process only).")
    ] = 0,
    chunk_size: Annotated[int, typer.Option(help="Structures per chunk for a file.")] = CHUNK_SIZE,
    neighbours: Annotated[
        int, typer.Option(help="Nearest measured compounds shown for one structure.")
    ] = 3,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Predict every installed endpoint, with its interval, probability of activity and domain.

    One structure prints each endpoint with its evidence (measured value, nearest measured
    compounds); a file streams through in chunks with a progress bar, in bounded memory.
    """
    try:
        if output is not None:
            check_output(output, overwrite)
        if workers < 0:
            raise InvalidInputError(f"Workers {workers}; expected 0 (every core) or more.")
        pack = _pack_or_none()
        chosen = endpoints.split(",") if endpoints else None
        path = Path(query)
        if path.suffix.lower() in STRUCTURE_SUFFIXES and path.is_file():
            _predict_file(path, output, as_json, chosen, confidence, pack, workers, chunk_size)
            return
        predictor = Predictor(chosen, confidence, pack)
        structure, name = resolve_structure(query, pack)
        if output is not None or as_json:
            table = predictor.predict([structure])
            if output is not None:
                write_table(table, output)
                console.print(f"Wrote 1 row to {output}")
            else:
                typer.echo(table.to_json(orient="records", force_ascii=False))
            return
        report = predictor.explain(structure, neighbours=neighbours)
    except ActivesError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    _print_report(report, name)


def _predict_file(
    path: Path,
    output: Path | None,
    as_json: bool,
    endpoints: list[str] | None,
    confidence: float,
    pack: DataPack | None,
    workers: int,
    chunk_size: int,
) -> None:
    import os

    from actives.predict.predictor import HELPERS_WORTH_FROM, count_records

    if chunk_size < 1:
        raise InvalidInputError(f"Chunk size {chunk_size}; expected at least 1.")
    workers = workers or os.cpu_count() or 1
    records = count_records(path)
    if records is not None and (records <= chunk_size or records < HELPERS_WORTH_FROM):
        workers = 1  # a small file: helper processes would cost more to start than they save
    with Predictor(endpoints, confidence, pack, workers=workers) as predictor:
        _predict_file_with(predictor, path, output, as_json, chunk_size)


def _predict_file_with(
    predictor: Predictor, path: Path, output: Path | None, as_json: bool, chunk_size: int
) -> None:
    from actives.chem.files import iter_structure_inputs
    from actives.cli.progress import progress_bar
    from actives.predict.predictor import predict_file

    if output is None:
        inputs = iter_structure_inputs(path)
        tables = list(predictor.predict_stream(inputs, chunk_size=chunk_size))
        table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
        if as_json:
            typer.echo(table.to_json(orient="records", force_ascii=False))
        else:
            _print_file_table(predictor, table)
        return
    with progress_bar(f"predicting {path.name}") as report:
        summary = predict_file(predictor, path, output, chunk_size=chunk_size, progress=report)
    console.print(
        f"Wrote {summary.rows:,} rows to {output} ({summary.predicted:,} predicted, "
        f"{summary.errors:,} with an error message)"
    )


def _probability(value: float | None, threshold: float | None) -> str:
    if threshold is None or value is None or value != value:  # NaN: no threshold
        return "—"
    return f"{value:.2f} (≥ {threshold:g})"


def _measured(m: Measurement | None) -> str:
    if m is None:
        return "—"
    relation = "" if m.relation == "=" else m.relation
    return f"{relation}{m.value:.2f} (n={m.n})"


def _print_report(report: MoleculeReport, name: str) -> None:
    title = f"{name + '  ' if name else ''}{report.smiles}  ({report.inchikey})"
    out = Table(title=title)
    for column in ("endpoint", "prediction", f"{report.confidence:.0%} interval", "P(active)",
                   "domain (nearest / threshold)", "measured"):  # fmt: skip
        out.add_column(column)
    for item in report.endpoints:
        domain = "[green]in[/]" if item.in_domain else "[yellow]out[/]"
        out.add_row(
            item.endpoint.title,
            f"{item.value:.2f} {item.endpoint.short_units}",
            f"{item.low:.2f} to {item.high:.2f}",
            _probability(item.p_active, item.endpoint.active_threshold),
            f"{domain} ({item.nearest_similarity:.2f} / {item.domain_threshold:.2f})",
            _measured(item.evidence.measured),
        )
    console.print(out)
    units = sorted({f"{e.endpoint.short_units}: {e.endpoint.units}" for e in report.endpoints
                    if e.endpoint.short_units != e.endpoint.units})  # fmt: skip
    for line in units:
        console.print(f"[dim]{line}[/]")
    for item in report.endpoints:
        if not item.evidence.neighbours:
            continue
        table = Table(title=f"nearest measured compounds: {item.endpoint.title}")
        for column in ("similarity", "measured", "SMILES", "sources"):
            table.add_column(column)
        for n in item.evidence.neighbours:
            more = " …" if len(n.source_ids) > 3 else ""
            sources = ", ".join(n.source_ids[:3]) + more
            table.add_row(f"{n.similarity:.2f}", _measured(n), n.smiles, sources)
        console.print(table)
    for note in sorted({i.evidence.note for i in report.endpoints if i.evidence.note}):
        console.print(f"[dim]{note}[/]")


def _print_file_table(predictor: Predictor, table: pd.DataFrame) -> None:
    out = Table(title=f"{len(table)} structures")
    out.add_column("row")
    out.add_column("structure")
    for endpoint_id in predictor.models:
        out.add_column(f"{endpoint_id} ({predictor.confidence:.0%} interval, domain)")
    for row in table.to_dict("records"):
        label = str(row["title"] or row["smiles"] or row["input"])[:40]
        if row["status"] != "ok":
            out.add_row(str(row["row"]), label, f"[red]{row['message']}[/]")
            continue
        cells = [
            f"{row[f'{e}_value']:.2f} [{row[f'{e}_low']:.2f}, {row[f'{e}_high']:.2f}] "
            + ("in" if row[f"{e}_in_domain"] else "[yellow]out[/]")
            for e in predictor.models
        ]
        out.add_row(str(row["row"]), label, *cells)
    console.print(out)


@models_app.command("list")
def list_models() -> None:
    """The installed models (shipped and your own), value and classification, with their
    headline scaffold-split metric (RMSE for a value, AUROC for a class model)."""
    from actives.predict.shipped import installed_models

    table = Table(title="prediction models")
    for column in ("endpoint", "task", "origin", "function", "compounds", "scaffold metric",
                   "coverage (90 %)"):  # fmt: skip
        table.add_column(column)
    models = installed_models("value") + installed_models("classification")
    for model in models:
        card = model.card()
        overall = card.get("evaluation", {}).get("scaffold", {}).get("overall", {})
        key = "auroc" if model.task == "classification" else "rmse"
        metric, coverage = overall.get(key), overall.get("coverage")
        table.add_row(model.endpoint_id, model.task, model.origin,
                      str(card.get("function", "")), str(card.get("n_compounds", "")),
                      "—" if metric is None else f"{key.upper()} {metric:.3f}",
                      "—" if coverage is None else f"{coverage:.3f}")  # fmt: skip
    console.print(table)


@models_app.command("show")
def show_model(endpoint_id: Annotated[str, typer.Argument(help="Endpoint id, e.g. cox2.")]) -> None:
    """Print a model card: data, curation counts, metrics, applicability domain."""
    from actives.predict.shipped import find_model

    try:
        path = find_model(endpoint_id, "any").folder / "MODEL_CARD.md"
    except ActivesError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    typer.echo(path.read_text(encoding="utf-8"))
