"""`actives dose-response`: IC50 fits (4PL/3PL) of a tidy table or a plate-reader export with
its layout, as a table, a results file and SVG plots."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any, cast

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from actives.errors import ActivesError, InvalidInputError

console = Console(width=None if sys.stdout.isatty() else 200)
OUT_SUFFIXES = (".csv", ".xlsx", ".json")


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{escape(exc.message)}[/]")
    return typer.Exit(2)


def _number(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}"


def _check_out(out: Path, overwrite: bool) -> None:
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise InvalidInputError(
            f"Cannot write {out.name}; expected a file ending in {', '.join(OUT_SUFFIXES)}."
        )
    if out.exists() and not overwrite:
        raise InvalidInputError(
            f"{out} exists; expected a new file name, or --overwrite to replace it."
        )


def _write(out: Path, table: pd.DataFrame, points: pd.DataFrame, payload: Any) -> None:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        table.to_csv(out, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name="fits", index=False)
            points.to_excel(writer, sheet_name="points", index=False)
    else:
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def _file_stem(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "sample"


def dose_response(
    file: Annotated[
        Path, typer.Argument(help="Tidy table (CSV/XLSX) or plate-reader export (with --layout).")
    ],
    layout: Annotated[
        Path | None,
        typer.Option(help="Plate layout (grid or well table); makes FILE a plate-reader export."),
    ] = None,
    model: Annotated[
        str, typer.Option(help="4pl, 3pl (Hill = 1) or auto (F test of the Hill slope).")
    ] = "auto",
    response: Annotated[
        str,
        typer.Option(help="What the response holds: auto, inhibition, activity or signal."),
    ] = "auto",
    unit: Annotated[
        str | None, typer.Option(help="Concentration unit when the file gives none (uM, ug/mL).")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Sheet of an .xlsx file.")] = None,
    fix_bottom: Annotated[
        float | None, typer.Option(help="Fix the bottom plateau (e.g. 0).")
    ] = None,
    fix_top: Annotated[float | None, typer.Option(help="Fix the top plateau (e.g. 100).")] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write the fits: .csv, .xlsx or .json.")
    ] = None,
    plot_dir: Annotated[
        Path | None, typer.Option(help="Folder for one SVG plot per sample and an overlay.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fit dose-response curves (IC50 with 95 % CI, Hill slope, R², flags) for every sample."""
    from actives.assays.dose_response import (
        MODELS,
        RESPONSE_KINDS,
        fit_all,
        fits_table,
        plot_fit,
        plot_overlay,
        read_dose_response,
    )
    from actives.assays.dose_response.fit import Model
    from actives.assays.dose_response.tables import ResponseKind

    try:
        if out is not None:
            _check_out(out, overwrite)
        if response not in RESPONSE_KINDS:
            raise InvalidInputError(
                f"Unknown --response {response!r}; expected one of {', '.join(RESPONSE_KINDS)}."
            )
        if model not in MODELS:
            raise InvalidInputError(
                f"Unknown --model {model!r}; expected one of {', '.join(MODELS)}."
            )
        data = read_dose_response(
            file, layout, response=cast(ResponseKind, response), unit=unit, sheet=sheet
        )
        outcomes = fit_all(data, model=cast(Model, model), fix_bottom=fix_bottom, fix_top=fix_top)
    except ActivesError as exc:
        raise _fail(exc) from None
    table = fits_table(outcomes)
    payload = {
        "source": data.source,
        "normalisation": data.normalisation,
        "response_kind": data.response_kind,
        "warnings": data.warnings,
        "problems": [str(p) for p in data.problems],
        "controls": [c.__dict__ for c in data.controls],
        "fits": [
            {
                "sample": o.sample,
                "status": o.status,
                "message": o.message,
                **(o.fit.as_dict() if o.fit is not None else {}),
            }  # fmt: skip
            for o in outcomes
        ],
    }
    if out is not None:
        _write(out, table, data.to_frame(), payload)
    if plot_dir is not None:
        plot_dir.mkdir(parents=True, exist_ok=True)
        fitted = [o.fit for o in outcomes if o.fit is not None]
        for one in fitted:
            (plot_dir / f"{_file_stem(one.sample)}.svg").write_text(plot_fit(one), "utf-8")
        if len(fitted) > 1:
            (plot_dir / "overlay.svg").write_text(plot_overlay(fitted), "utf-8")
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    console.print(f"[dim]{escape(data.source)}: {escape(data.normalisation)}[/]")
    for control in data.controls:
        if control.z_prime is not None:
            where = f"plate {control.plate}" if control.plate else "plate"
            console.print(f"[dim]{escape(where)}: Z' factor {control.z_prime:.2f}[/]")
    result = Table(title=f"{file.name}: {len(outcomes)} sample(s)")
    for column in ("sample", "IC50 (95 % CI)", "model", "Hill", "R²", "flags"):
        result.add_column(column, overflow="fold")
    for outcome in outcomes:
        fit = outcome.fit
        if fit is None:
            result.add_row(escape(outcome.sample), "[red]error[/]", "", "", "",
                           f"[red]{escape(outcome.message)}[/]")  # fmt: skip
            continue
        flags = "; ".join(f.message for f in fit.flags)
        result.add_row(
            escape(fit.sample),
            escape(fit.ic50_text),
            fit.model.upper(),
            _number(fit.hill),
            _number(fit.r2),
            f"[yellow]{escape(flags)}[/]" if flags else "—",
        )
    console.print(result)
    for warning in data.warnings:
        console.print(f"[yellow]{escape(warning)}[/]")
    for problem in data.problems:
        console.print(f"[yellow]{escape(str(problem))}[/]")
    if out is not None:
        console.print(f"Wrote {len(table)} row(s) to {escape(str(out))}")
    if plot_dir is not None:
        console.print(f"Plots in {escape(str(plot_dir))}")
