"""`actives discover`: plant to actives, function to plants, extract to actives."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from actives.discovery.functions import FunctionSignal
from actives.errors import ActivesError
from actives.knowledge import DataPack

discover_app = typer.Typer(
    help="Discover actives: a plant's ranked constituents, plants for a function, an extract.",
    no_args_is_help=True,
)
# Piped output (a file, a pager) gets a wide table instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{exc.message}[/]")
    return typer.Exit(2)


def _pack() -> DataPack:
    from actives.config import get_settings
    from actives.knowledge import current_pack

    return current_pack(get_settings().home)


def _check_output(output: Path | None, overwrite: bool) -> None:
    from actives.predict.export import check_output

    if output is not None:
        check_output(output, overwrite)


def _write(table: pd.DataFrame, output: Path, metadata: dict[str, str]) -> None:
    from actives.predict.export import TableWriter

    with TableWriter(output, metadata) as writer:
        writer.write(table)
    console.print(f"Wrote {len(table):,} rows to {output}")


def _num(value: Any, digits: int = 2) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if math.isnan(number) else f"{number:.{digits}f}"


def _short(text: Any, width: int = 42) -> str:
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return value if len(value) <= width else value[: width - 1] + "…"


def _references(dois: Any) -> str:
    """The first DOI and how many more, to keep a table row on one line."""
    found = [d.strip() for d in str(dois or "").split("; ") if d.strip() and d.strip() != "nan"]
    if not found:
        return "—"
    return found[0] + (f" (+{len(found) - 1})" if len(found) > 1 else "")


def _signal_line(signal: FunctionSignal) -> str:
    if signal.kind == "model":
        return f"[bold]{signal.function}[/]: {signal.describe()}"
    return (
        f"[bold]{signal.function}[/]: [yellow]{signal.describe()}[/] "
        f"({', '.join(r.name for r in signal.references)})"
    )


def plant(
    name: Annotated[
        str, typer.Argument(help="Species, genus or family, e.g. 'Camellia sinensis'.")
    ],
    function: Annotated[
        list[str], typer.Option("--function", "-f", help="Cosmetic function (repeat for more).")
    ],
    rule: Annotated[
        str, typer.Option(help="Ranking rule: p_active, potency, potency_permeation, pareto.")
    ] = "p_active",
    top: Annotated[int, typer.Option(help="Rows shown (the output file gets all).")] = 15,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write all rows: .csv .xlsx .sdf .parquet")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Rank a plant's known constituents for one or more cosmetic functions."""
    from actives.discovery.plants import plant_actives

    try:
        _check_output(output, overwrite)
        pack = _pack()
        with console.status(f"scoring the constituents of {name}"):
            found = plant_actives(pack, name, function, rule=rule)
    except ActivesError as exc:
        raise _fail(exc) from None
    console.print(
        f"[bold]{found.taxon}[/] ({found.rank}): {len(found.table):,} known constituents, "
        f"ranked by [bold]{rule}[/] (data pack {found.pack_version})"
    )
    for signal in found.signals:
        console.print("  " + _signal_line(signal))
    f = found.functions[0]
    signal = found.signals[0]
    table = Table(show_lines=False)
    for column in ("#", "compound", "potency" if signal.kind == "model" else "similarity"):
        table.add_column(column)
    if signal.kind == "model":
        unit = signal.primary.short_units if signal.primary else ""
        table.columns[2].header = f"{signal.primary.id if signal.primary else ''} ({unit})"
        for column in ("model 90% interval", "evidence", "P(active)", "domain"):
            table.add_column(column)
    else:
        table.add_column("nearest reference")
    for column in ("log Kp (cm/s)", "NP", "references (DOI)"):
        table.add_column(column)
    for row in found.table.head(top).to_dict("records"):
        cells = [str(row.get(f"{f}_rank") or "—"), _short(row.get("name") or row["inchikey"], 36)]
        if signal.kind == "model":
            cells += [
                _num(row[f"{f}_potency"]),
                f"{_num(row[f'{f}_low'])}–{_num(row[f'{f}_high'])}",
                str(row[f"{f}_evidence"]),
                _num(row[f"{f}_p_active"]),
                "in" if row[f"{f}_in_domain"] is True else "out",
            ]
        else:
            cells += [_num(row[f"{f}_similarity"]), str(row[f"{f}_reference"])]
        cells += [
            _num(row.get("logkp")),
            _num(row.get("np_score")),
            _references(row.get("dois")),
        ]
        table.add_row(*cells)
    console.print(table)
    if output is not None:
        metadata = {"plant": f"{found.taxon} ({found.rank})", "rule": rule,
                    "data pack": found.pack_version}  # fmt: skip
        metadata.update({f"signal {s.function}": s.describe() for s in found.signals})
        _write(found.table, output, metadata)


def plants(
    function: Annotated[str, typer.Option("--function", "-f", help="Cosmetic function.")],
    level: Annotated[str, typer.Option(help="Rank species or genus.")] = "species",
    species_list: Annotated[
        Path | None,
        typer.Option(help="CSV or text file of species (or genus) names to rank among."),
    ] = None,
    min_constituents: Annotated[
        int, typer.Option(help="Only taxa with at least this many known constituents.")
    ] = 1,
    sort: Annotated[
        str,
        typer.Option(
            help="Order: expected_actives (sum of P(active)), fraction_actives, best_strength."
        ),
    ] = "expected_actives",
    top: Annotated[int, typer.Option(help="Rows shown (the output file gets all).")] = 20,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write all rows: .csv .xlsx .parquet")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Rank plants (species or genera) by the number and strength of their predicted actives."""
    from actives.cli.progress import progress_bar
    from actives.discovery.plants import plants_for_function, read_species_list

    try:
        _check_output(output, overwrite)
        names = read_species_list(species_list) if species_list is not None else None
        pack = _pack()
        with progress_bar("scoring the data pack's compounds (cached after the first run)") as bar:
            ranking = plants_for_function(
                pack,
                function,
                level=level,  # type: ignore[arg-type]
                species=names,
                min_constituents=min_constituents,
                sort_by=sort,
                progress=bar,
            )
    except ActivesError as exc:
        raise _fail(exc) from None
    console.print(_signal_line(ranking.signal))
    strength = "P(active)" if ranking.signal.kind == "model" else "similarity"
    table = Table()
    for column in ("#", ranking.level, "family", "constituents", f"{strength} >= 0.5",
                   f"expected (sum of {strength})", "fraction", "best compound",
                   "references"):  # fmt: skip
        table.add_column(column)
    for row in ranking.table.head(top).to_dict("records"):
        table.add_row(
            str(row["rank"]),
            str(row[ranking.level]),
            str(row["family"]),
            str(row["n_constituents"]),
            str(row["n_actives"]),
            _num(row["expected_actives"]),
            f"{100 * float(row['fraction_actives']):.0f} %",
            f"{_short(row['best'], 30)} ({_num(row['best_strength'])})",
            str(row["n_references"]),
        )
    console.print(table)
    if ranking.unmatched:
        console.print(
            f"[yellow]{len(ranking.unmatched)} names of the list are not in data pack "
            f"{ranking.pack_version}:[/] {', '.join(ranking.unmatched[:20])}"
        )
    if output is not None:
        _write(ranking.table, output, {"function": function, "signal": ranking.signal.describe(),
                                        "data pack": ranking.pack_version})  # fmt: skip


def extract(
    composition: Annotated[
        Path, typer.Argument(help="CSV/XLSX: a name or SMILES column, optional abundance.")
    ],
    function: Annotated[str, typer.Option("--function", "-f", help="Cosmetic function.")],
    mass_percent: Annotated[
        bool,
        typer.Option(
            help="Abundances are mass % of the whole extract: also predict the extract's IC50."
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write all rows: .csv .xlsx .parquet")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Each constituent's predicted share of an extract's activity (unresolved names listed)."""
    from actives.cli.predict import _pack_or_none
    from actives.discovery.extracts import extract_actives, read_composition

    try:
        _check_output(output, overwrite)
        parts = read_composition(composition)
        found = extract_actives(
            parts,
            function,
            pack=_pack_or_none(),
            basis="mass_percent" if mass_percent else "relative",
        )
    except ActivesError as exc:
        raise _fail(exc) from None
    f = found.function
    console.print(_signal_line(found.signal))
    if found.equal_abundance:
        console.print("[yellow]No abundances given: every constituent counts the same.[/]")
    table = Table()
    for column in ("row", "constituent", "abundance", "potency" if found.signal.kind == "model"
                   else "similarity", "evidence", "share of activity"):  # fmt: skip
        table.add_column(column)
    for row in found.table.to_dict("records"):
        if row.get("resolved_by", "") == "" or row.get("status") != "ok":
            continue
        strength = row.get(f"{f}_potency", row.get(f"{f}_similarity"))
        share = row.get(f"{f}_activity_share")
        table.add_row(
            str(row["row"]),
            _short(row["label"] or row["given"], 36),
            _num(row["abundance"], 1),
            _num(strength),
            str(row.get(f"{f}_evidence", "")),
            "—" if share is None or math.isnan(float(share)) else f"{100 * float(share):.1f} %",
        )
    console.print(table)
    if found.extract_ic50_ug_ml is not None:
        low, high = found.extract_ic50_range_ug_ml or (math.nan, math.nan)
        console.print(
            f"Predicted extract IC50 (concentration addition): {found.extract_ic50_ug_ml:.3g} "
            f"µg/mL (from the constituents' intervals: {low:.3g}–{high:.3g} µg/mL)"
        )
    if found.unresolved:
        console.print(f"[yellow]{len(found.unresolved)} constituents not resolved:[/]")
        for line in found.unresolved:
            console.print(f"  {line}")
    if output is not None:
        _write(found.table, output, {"function": f, "signal": found.signal.describe()})


def functions() -> None:
    """List the cosmetic functions and what scores each (models or reference similarity)."""
    from actives.discovery.functions import discoverable_functions, function_signal

    for function in discoverable_functions():
        signal = function_signal(function)
        console.print(_signal_line(signal))
        for reference in signal.references:
            console.print(f"    {reference.name} — {reference.basis}")


discover_app.command()(plant)
discover_app.command()(plants)
discover_app.command()(extract)
discover_app.command()(functions)
