"""`actives predict` and `actives models`: the shipped models from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from actives.errors import ActivesError
from actives.predict.registry import get_endpoint

models_app = typer.Typer(
    help="Prediction models (shipped and your own): list, show, train, evaluate.",
    no_args_is_help=True,
)
console = Console()


def _structures(query: str) -> list[str]:
    path = Path(query)
    if path.suffix.lower() in {".csv", ".smi", ".sdf", ".txt"} and path.is_file():
        from actives.chem.files import read_structure_file

        records = read_structure_file(path.read_bytes(), path.name)
        return [r.smiles if r.ok else r.title for r in records]
    return [query]


def predict(
    query: Annotated[str, typer.Argument(help="SMILES, InChI, or a .csv/.smi/.sdf file.")],
    endpoints: Annotated[
        str | None, typer.Option(help="Comma-separated endpoint ids (default: all shipped).")
    ] = None,
    confidence: Annotated[float, typer.Option(help="Conformal interval confidence.")] = 0.9,
    output: Annotated[Path | None, typer.Option("-o", help="Write the table as CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Predict every shipped endpoint, with its interval and applicability domain."""
    from actives.predict.predictor import Predictor

    try:
        chosen = endpoints.split(",") if endpoints else None
        predictor = Predictor(chosen, confidence)
        table = predictor.predict(_structures(query))
    except ActivesError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    if output:
        table.to_csv(output, index=False)
        console.print(f"Wrote {len(table)} rows to {output}")
        return
    if as_json:
        typer.echo(table.to_json(orient="records"))
        return
    for _, row in table.iterrows():
        if row["status"] != "ok":
            console.print(f"[red]{row['input']}: {row['message']}[/]")
            continue
        out = Table(title=f"{row['smiles']}  ({row['inchikey']})")
        for column in ("endpoint", "prediction", f"{confidence:.0%} interval", "units",
                       "P(active)", "domain"):  # fmt: skip
            out.add_column(column)
        for endpoint_id in predictor.models:
            endpoint = get_endpoint(endpoint_id)
            inside = bool(row[f"{endpoint_id}_in_domain"])
            out.add_row(
                endpoint.title,
                f"{row[f'{endpoint_id}_value']:.2f}",
                f"{row[f'{endpoint_id}_low']:.2f} to {row[f'{endpoint_id}_high']:.2f}",
                endpoint.units,
                _probability(row[f"{endpoint_id}_p_active"], endpoint.active_threshold),
                ("[green]in[/]" if inside else "[yellow]out[/]")
                + f" (nearest {row[f'{endpoint_id}_nearest']:.2f})",
            )
        console.print(out)


def _probability(value: float, threshold: float | None) -> str:
    if threshold is None or value != value:  # NaN: no threshold for this endpoint
        return "—"
    return f"{value:.2f} (≥ {threshold:g})"


@models_app.command("list")
def list_models() -> None:
    """The installed models (shipped and your own) and their headline scaffold-split metrics."""
    from actives.predict.shipped import installed_models

    table = Table(title="prediction models")
    for column in ("endpoint", "origin", "function", "compounds", "scaffold RMSE",
                   "coverage (90 %)"):  # fmt: skip
        table.add_column(column)
    for model in installed_models():
        card = model.card()
        overall = card.get("evaluation", {}).get("scaffold", {}).get("overall", {})
        cells = [overall.get(k) for k in ("rmse", "coverage")]
        table.add_row(model.endpoint_id, model.origin, str(card.get("function", "")),
                      str(card.get("n_compounds", "")),
                      *["—" if c is None else f"{c:.3f}" for c in cells])  # fmt: skip
    console.print(table)


@models_app.command("show")
def show_model(endpoint_id: Annotated[str, typer.Argument(help="Endpoint id, e.g. cox2.")]) -> None:
    """Print a model card: data, curation counts, metrics, applicability domain."""
    from actives.predict.shipped import find_model

    try:
        path = find_model(endpoint_id).folder / "MODEL_CARD.md"
    except ActivesError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    typer.echo(path.read_text(encoding="utf-8"))
