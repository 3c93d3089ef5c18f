"""`actives assays`: dose-response fits (IC50 with 95 % CI) and qPCR plates (Cq, efficiency and a
call with its reason for every well), from the files the laboratory instruments write."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from actives.cli.dose_response import dose_response
from actives.errors import ActivesError, InvalidInputError

assays_app = typer.Typer(
    help="Assays: dose-response IC50 fits and qPCR amplification curves with a call per well.",
    no_args_is_help=True,
)
console = Console(width=None if sys.stdout.isatty() else 200)
CALL_STYLE = {"positive": "green", "negative": "dim", "inconclusive": "yellow"}


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{escape(exc.message)}[/]")
    return typer.Exit(2)


def _cq(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def qpcr(
    file: Annotated[Path, typer.Argument(help="RDML, or a CFX/QuantStudio/LightCycler export.")],
    layout: Annotated[
        Path | None, typer.Option(help="Plate layout CSV/XLSX: well, sample, sample_type, target.")
    ] = None,
    cq_cutoff: Annotated[float, typer.Option(help="Later Cqs are negative (cycles).")] = 35.0,
    late_inconclusive: Annotated[
        bool, typer.Option(help="Call a Cq beyond the cut-off inconclusive, not negative.")
    ] = False,
    cq_method: Annotated[str, typer.Option(help="threshold, sdm or linregpcr.")] = "threshold",
    max_replicate_sd: Annotated[float, typer.Option(help="Replicate Cq SD limit (cycles).")] = 0.5,
    ntc_margin: Annotated[
        float, typer.Option(help="Samples this close to an amplified NTC are inconclusive.")
    ] = 5.0,
    threshold: Annotated[
        list[str] | None,
        typer.Option(help="A target's threshold, TARGET=VALUE (repeatable); default automatic."),
    ] = None,
    experiment: Annotated[
        str | None, typer.Option(help="RDML experiment id (default: the first).")
    ] = None,
    run: Annotated[str | None, typer.Option(help="RDML run id (default: the first).")] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write every well to .csv, .xlsx, .parquet or .jsonl."),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
) -> None:
    """Read a qPCR plate, analyse every curve, and call every well with its reason."""
    from actives.assays.qpcr.analysis import QpcrSettings, analyse_plate
    from actives.assays.qpcr.readers import read_plate
    from actives.predict.export import TableWriter, check_output

    try:
        if out is not None:
            check_output(out, overwrite)
        thresholds: dict[str, float] = {}
        for item in threshold or []:
            target, sep, value = item.rpartition("=")
            try:
                thresholds[target.strip()] = float(value)
            except ValueError:
                sep = ""
            if not sep or not target.strip():
                raise InvalidInputError(
                    f"--threshold {item!r}; expected TARGET=VALUE, e.g. --threshold GAPDH=0.15."
                )
        settings = QpcrSettings.from_mapping(
            {
                "calls": {
                    "cq_cutoff": cq_cutoff,
                    "late_cq_call": "inconclusive" if late_inconclusive else "negative",
                    "max_replicate_sd": max_replicate_sd,
                    "ntc_margin": ntc_margin,
                },
                "cq_method": cq_method,
                "thresholds": thresholds,
            }
        )
        plate = read_plate(file, layout=layout, experiment=experiment, run=run)
        analysis = analyse_plate(plate, settings)
        if out is not None:
            about = {"file": str(file), "settings": json.dumps(settings.as_dict())}
            with TableWriter(out, about) as writer:
                writer.write(analysis.to_frame())
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(analysis.as_dict(), ensure_ascii=False))
        return
    table = Table(
        title=f"{plate.name}: {len(analysis.wells)} reactions, {len(plate.cycles)} cycles"
    )
    for column in ("well", "sample", "type", "target", "Cq", "eff", "P(curve)", "call", "reason"):
        table.add_column(column, overflow="fold")
    for w in analysis.wells:
        style = CALL_STYLE[w.call.call]
        table.add_row(
            w.reaction.well,
            escape(w.reaction.sample),
            w.reaction.sample_type,
            escape(w.reaction.target),
            _cq(w.call_cq),
            "–" if w.curve.efficiency is None else f"{w.curve.efficiency:.3f}",
            "–" if w.quality is None else f"{w.quality:.2f}",
            f"[{style}]{w.call.call}[/]",
            escape("; ".join(w.call.reasons + w.call.warnings)),
        )
    console.print(table)
    for target, curve in analysis.standard_curves.items():
        console.print(
            f"standard curve {escape(target)}: slope {curve.slope:.3f}, efficiency "
            f"{curve.efficiency:.1f} %, R² {curve.r2:.4f}, linear range "
            f"{curve.linear_range[0]:g}–{curve.linear_range[1]:g}"
        )
    for warning in plate.warnings + analysis.warnings:
        console.print(f"[yellow]Warning: {escape(warning)}[/]")
    s = analysis.summary
    console.print(
        f"[green]{s['positive']} positive[/], {s['negative']} negative, "
        f"[yellow]{s['inconclusive']} inconclusive[/] ({analysis.seconds:.2f} s)"
        + (f"; wells written to {out}" if out else "")
    )


def linregpcr(
    file: Annotated[Path, typer.Argument(help="RDML file.")],
    experiment: Annotated[str | None, typer.Option(help="Experiment id (default: first).")] = None,
    run: Annotated[str | None, typer.Option(help="Run id (default: first).")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the table to .csv or .xlsx.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
) -> None:
    """rdmlpython's own LinRegPCR on one RDML run (the reference implementation, for
    comparison with `actives assays qpcr`; about 2 s per 96 wells)."""
    from actives.assays.qpcr.linregpcr import linregpcr_results
    from actives.predict.export import TableWriter, check_output

    try:
        if out is not None:
            check_output(out, overwrite)
        table = linregpcr_results(file, experiment, run)
        if out is not None:
            with TableWriter(out, {"file": str(file), "tool": "rdmlpython LinRegPCR"}) as w:
                w.write(table)
    except ActivesError as exc:
        raise _fail(exc) from None
    shown = Table(title=f"{file.name}: LinRegPCR (rdmlpython), {len(table)} reactions")
    columns = ("well", "sample", "target", "indiv_pcr_eff", "mean_pcr_eff", "cq", "note")
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in table.itertuples(index=False):
        values = [getattr(row, c) for c in columns]
        shown.add_row(*[f"{v:.3f}" if isinstance(v, float) else escape(str(v)) for v in values])
    console.print(shown)
    for warning in table.attrs.get("warnings", []):
        console.print(f"[yellow]Warning: {escape(str(warning))}[/]")


assays_app.command("dose-response")(dose_response)
assays_app.command("linregpcr")(linregpcr)
assays_app.command("qpcr")(qpcr)
