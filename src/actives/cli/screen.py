"""`actives screen`: a structure library through the installed models, hits to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from actives.errors import ActivesError, InvalidInputError
from actives.predict.registry import CosmeticFunction

console = Console()
FUNCTIONS = ", ".join(f.value for f in CosmeticFunction)


def _thresholds(option: str, text: str | None) -> float | dict[str, float] | None:
    """``0.7`` for every function, or ``whitening=0.7,anti_inflammatory=0.5``."""
    if text is None:
        return None
    try:
        if "=" not in text:
            return float(text)
        pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
        return {name.strip(): float(value) for name, value in pairs}
    except ValueError:
        raise InvalidInputError(
            f"{option} {text!r}; expected a number for every function (0.7) or "
            "function=number pairs (whitening=0.7,anti_inflammatory=0.5)."
        ) from None


def _names(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def screen(
    library: Annotated[
        Path, typer.Argument(help="Structure library: .smi, .txt, .csv, .sdf or .parquet.")
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Hits table: .parquet, .csv, .sdf, .xlsx or .jsonl."),
    ],
    functions: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated cosmetic functions, of: {FUNCTIONS} (default: every one "
            "with an installed activity model)."
        ),
    ] = None,
    endpoints: Annotated[
        str | None, typer.Option(help="More endpoint ids to predict and report (comma-separated).")
    ] = None,
    min_p_active: Annotated[
        str | None,
        typer.Option(help="Minimum P(active): 0.7 for every function, or whitening=0.7,..."),
    ] = None,
    min_value: Annotated[
        str | None,
        typer.Option(help="Minimum predicted value (e.g. pIC50): 6 for every function, or f=6,..."),
    ] = None,
    in_domain: Annotated[
        bool, typer.Option("--in-domain", help="Only inside the applicability domain.")
    ] = False,
    min_logkp: Annotated[
        float | None, typer.Option(help="Minimum predicted skin permeation, log Kp (cm/s).")
    ] = None,
    np_min: Annotated[
        float | None, typer.Option(help="Minimum NP-likeness (about -5 synthetic to +5 natural).")
    ] = None,
    np_max: Annotated[float | None, typer.Option(help="Maximum NP-likeness.")] = None,
    np_score: Annotated[
        bool, typer.Option("--np-score", help="Report NP-likeness of the hits (costs time).")
    ] = False,
    top: Annotated[int | None, typer.Option(help="Keep the N best hits per function.")] = None,
    require_all: Annotated[
        bool, typer.Option("--require-all", help="A hit must be a hit for every function.")
    ] = False,
    confidence: Annotated[float, typer.Option(help="Conformal interval confidence.")] = 0.9,
    workers: Annotated[int, typer.Option(help="Local processes (0 = every CPU).")] = 0,
    chunk_size: Annotated[int, typer.Option(help="Structures per chunk and checkpoint.")] = 1000,
    dask: Annotated[
        str | None,
        typer.Option(help="Run on the Dask cluster with this scheduler (tcp://host:8786)."),
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Discard a checkpoint left by an earlier run.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output file.")
    ] = False,
) -> None:
    """Screen a structure library for cosmetic actives, streaming, in bounded memory.

    Every chunk is checkpointed beside the output (OUTPUT.parts/): run the same command again
    after an interruption and it goes on where it stopped. Rows whose structure cannot be read
    are listed in OUTPUT.errors.csv.
    """
    from actives.cli.progress import progress_bar
    from actives.discovery.screening import parts_dir, screen_file, screen_settings

    try:
        if workers < 0:
            raise InvalidInputError(f"Workers {workers}; expected 0 (every CPU) or more.")
        settings = screen_settings(
            _names(functions),
            endpoints=_names(endpoints),
            confidence=confidence,
            min_value=_thresholds("--min-value", min_value),
            min_p_active=_thresholds("--min-p-active", min_p_active),
            in_domain_only=in_domain,
            min_logkp=min_logkp,
            np_min=np_min,
            np_max=np_max,
            with_np_score=np_score,
            top=top,
            require_all=require_all,
            chunk_size=chunk_size,
        )
        resuming = parts_dir(output).exists() and not restart
        if resuming:
            console.print(f"Resuming from the checkpoint in {parts_dir(output)}")
        with progress_bar(f"screening {library.name}") as report:
            summary = screen_file(
                library,
                output,
                settings,
                workers=workers or None,
                dask_address=dask,
                restart=restart,
                overwrite=overwrite,
                progress=report,
            )
    except ActivesError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print(
            f"[yellow]Stopped. Finished chunks are kept in {parts_dir(output)}: run the same "
            "command again to go on from there.[/]"
        )
        raise typer.Exit(130) from None
    console.print(f"Screen: {settings.describe()}")
    per_function = ", ".join(f"{f} {n:,}" for f, n in summary.by_function.items())
    console.print(
        f"Read {summary.rows:,} structures ({summary.predicted:,} predicted, {summary.errors:,} "
        f"could not be read); {summary.hits:,} hits ({per_function}); wrote {summary.written:,} "
        f"rows to {output}"
        + (
            f" ({summary.resumed_chunks} chunks from the checkpoint)"
            if summary.resumed_chunks
            else ""
        )
    )
    if summary.errors_file is not None:
        console.print(f"Rows that could not be screened, with the reason: {summary.errors_file}")
