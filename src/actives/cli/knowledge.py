"""`actives data build|info`, `actives compound`, `actives plant`: the knowledge pack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from actives.cli.progress import progress_bar
from actives.config import get_settings
from actives.errors import ActivesError
from actives.knowledge import build_pack, current_pack, packs_dir

data_app = typer.Typer(help="Build and inspect the reference data pack.", no_args_is_help=True)
console = Console()


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{exc.message}[/]")
    return typer.Exit(2)


@data_app.command("build")
def data_build(
    raw: Annotated[
        Path | None, typer.Option(help="Raw data folder (default: ACTIVES_RAW_DATA).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes for standardisation; 0 = all cores.")] = 0,
) -> None:
    """Build a new data pack from the raw public sources and make it current."""
    config = get_settings()
    raw_root = (raw or config.raw_data).expanduser().resolve()
    try:
        with progress_bar("building data pack") as report:
            path = build_pack(
                raw_root, packs_dir(config.home), workers=workers or None, progress=report
            )
    except ActivesError as exc:
        raise _fail(exc) from None
    console.print(f"[green]Data pack built:[/] {path}")
    _print_info(json.loads((path / "manifest.json").read_text()))


def _print_info(manifest: dict[str, object]) -> None:
    console.print(
        f"[bold]Data pack {manifest['version']}[/] built {manifest['built_at']} in "
        f"{manifest['build_seconds']} s (RDKit {manifest['rdkit_version']})"
    )
    tables = Table(title="tables")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    tables.add_column("size", justify="right")
    for name, info in manifest["tables"].items():  # type: ignore[attr-defined]
        tables.add_row(name, f"{info['rows']:,}", f"{info['bytes'] / 1024 / 1024:.1f} MiB")
    console.print(tables)
    sources = Table(title="sources")
    for column in ("source", "status", "rows", "licence / caveats"):
        sources.add_column(column)
    for s in manifest["sources"]:  # type: ignore[attr-defined]
        notes = "; ".join([s["licence"], *s["caveats"], s["message"]]).strip("; ")
        colour = {"loaded": "green", "missing": "yellow", "failed": "red"}[s["status"]]
        sources.add_row(s["id"], f"[{colour}]{s['status']}[/]", f"{s['rows_read']:,}", notes)
    console.print(sources)


@data_app.command("info")
def data_info(
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Show the current data pack: version, tables, sources, missing sources and caveats."""
    try:
        pack = current_pack(get_settings().home)
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(pack.info(), indent=2, ensure_ascii=False))
    else:
        _print_info(pack.info())


def compound(
    query: Annotated[str, typer.Argument(help="Name, INCI, Korean name, CAS, InChIKey or SMILES.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Look up a compound and list the plants that contain it."""
    try:
        pack = current_pack(get_settings().home)
        result = pack.lookup(query)
    except ActivesError as exc:
        raise _fail(exc) from None
    if result.compounds.empty:
        hint = f" Did you mean: {', '.join(result.suggestions)}?" if result.suggestions else ""
        console.print(
            f"[yellow]No compound found for {query!r} (read as {result.read_as}).{hint}[/]"
        )
        raise typer.Exit(1)
    out = []
    for _, row in result.compounds.iterrows():
        plants = pack.plants_of(row["inchikey"])
        record = {**row.to_dict(), "plants": plants.to_dict("records")}
        out.append(record)
        if not as_json:
            console.print(
                f"[bold]{row['name'] or '(no name)'}[/]  {row['inchikey']}\n"
                f"  SMILES {row['smiles']}\n"
                f"  CAS {row['cas'] or '—'}  MW {row['mw']:.2f} g/mol  cLogP {row['clogp']:.2f}  "
                f"TPSA {row['tpsa']:.1f} Å²  NP-likeness {row['np_score']:.2f}"
            )
            for plant in plants.to_dict("records"):
                console.print(
                    f"  in {plant['organism']} ({plant['family']})  {plant['dois'] or ''}"
                )
    if as_json:
        typer.echo(json.dumps({"pack": pack.version, "read_as": result.read_as, "compounds": out},
                              default=str, ensure_ascii=False))  # fmt: skip
    else:
        console.print(f"[dim]read as {result.read_as}; data pack {pack.version}[/]")


def plant(
    name: Annotated[str, typer.Argument(help="Species, genus or family, e.g. 'Morus alba'.")],
    limit: Annotated[int, typer.Option(help="Rows to show (0 = all).")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the known constituents of a plant species, genus or family, with structures and DOIs."""
    try:
        pack = current_pack(get_settings().home)
        rank, matched, frame = pack.constituents(name)
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(frame.to_json(orient="records", force_ascii=False))
        return
    table = Table(
        title=f"{matched} ({rank}): {len(frame):,} constituents, data pack {pack.version}"
    )
    for column in ("compound", "SMILES", "MW g/mol", "NP", "DOI"):
        table.add_column(column, overflow="fold")
    shown = frame if limit == 0 else frame.head(limit)
    for row in shown.to_dict("records"):
        table.add_row(
            str(row["name"] or row["inchikey"]),
            str(row["smiles"]),
            f"{row['mw']:.1f}",
            f"{row['np_score']:.2f}",
            str(row["dois"] or ""),
        )
    console.print(table)
    if len(shown) < len(frame):
        console.print(f"[dim]{len(frame) - len(shown):,} more; use --limit 0 for all[/]")
