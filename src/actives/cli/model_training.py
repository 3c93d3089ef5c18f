"""`actives models train` and `actives models evaluate`: a user's own endpoint from a shell.

Data come from a CSV/XLSX table of structures and measured values (an in-house tyrosinase or
elastase assay) or from a ChEMBL target (a local ChEMBL SQLite file, or chembl_downloader's).
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.console import Console
from rich.table import Table

from actives.cli.progress import progress_bar
from actives.errors import ActivesError, InvalidInputError
from actives.predict.evaluation import SplitKind
from actives.predict.featurizers import featurizers
from actives.predict.learners import learners
from actives.predict.registry import P_UNITS, CosmeticFunction
from actives.predict.shipped import training_summary
from actives.progress import Progress

console = Console()


class SplitChoice(StrEnum):
    """Which grouped split(s) to evaluate on."""

    SCAFFOLD = "scaffold"
    CLUSTER = "cluster"
    BOTH = "both"


# Options shared by both commands: where the data come from and how to read them.
FileArg = Annotated[
    Path | None,
    typer.Argument(help="CSV or XLSX table: one row per compound, SMILES and a measured value."),
]
FromAssaysOpt = Annotated[
    str | None,
    typer.Option(
        "--from-assays",
        help="Train on the potencies measured in the platform's dose-response runs whose assay "
        "name contains this text (linked to structures, 'use for training' ticked).",
    ),
]
CompanyOpt = Annotated[
    str | None,
    typer.Option(help="With --from-assays: only this company's runs (its name)."),
]
ChemblOpt = Annotated[
    str | None,
    typer.Option("--chembl", help="ChEMBL target id instead of a file, e.g. CHEMBL1973."),
]
ChemblSqliteOpt = Annotated[
    Path | None,
    typer.Option("--chembl-sqlite", help="Local ChEMBL SQLite dump (else chembl_downloader's)."),
]
ChemblVersionOpt = Annotated[
    str | None, typer.Option("--chembl-version", help="ChEMBL release for chembl_downloader.")
]
TypesOpt = Annotated[
    str, typer.Option("--activity-types", help="ChEMBL standard types, comma-separated.")
]
SheetOpt = Annotated[str | None, typer.Option(help="XLSX sheet name or number (default: first).")]
SmilesColOpt = Annotated[str | None, typer.Option(help="Column of SMILES (default: detected).")]
ValueColOpt = Annotated[str | None, typer.Option(help="Column of values (default: detected).")]
UnitsColOpt = Annotated[str | None, typer.Option(help="Column of units (default: detected).")]
RelationColOpt = Annotated[
    str | None, typer.Option(help="Column of relations =, <, > (default: detected).")
]
IdColOpt = Annotated[str | None, typer.Option(help="Column of compound names or ids.")]
ValueUnitsOpt = Annotated[
    str | None,
    typer.Option(help="Unit of every value when no column or header says it (uM, nM, ug/mL)."),
]
ValueIsPOpt = Annotated[
    bool, typer.Option("--value-is-p", help="Values are already −log10 molar (pIC50) or log units.")
]
EncodingOpt = Annotated[str | None, typer.Option(help="CSV text encoding (default: detected).")]
IncludeOpt = Annotated[
    str | None, typer.Option(help="Keep only rows whose assay description matches this regex.")
]
ExcludeOpt = Annotated[
    str | None, typer.Option(help="Drop rows whose assay description matches this regex.")
]
ThresholdOpt = Annotated[
    float | None,
    typer.Option(help="Activity threshold in the model's units (pIC50 6 = IC50 1 uM)."),
]
LowerOpt = Annotated[
    bool, typer.Option("--lower-is-active", help="Lower values are active (default: higher).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{exc.message}[/]")
    return typer.Exit(2)


def _assay_data(assay: str, company: str | None) -> Any:
    """Training data from the potencies stored by dose-response runs (the lab-to-model loop)."""
    from actives.assays.potency import training_table
    from actives.cli.django_setup import setup_django
    from actives.predict.activity_tables import read_activity_table
    from actives.predict.custom import table_data

    setup_django()
    from actives.web.assays.services import potency_records

    records = potency_records(assay, company)
    table, problems = training_table(records)
    where = f"dose-response runs, assay containing {assay!r}" + (
        f", company {company!r}" if company else ""
    )
    if table.empty:
        raise InvalidInputError(
            f"No trainable potencies in the {where} ({len(records)} stored); expected potencies "
            "linked to a structure with an IC50 and 'use for training' ticked."
            + (f" First problem: {problems[0]}" if problems else "")
        )
    data = table_data(read_activity_table(table.to_csv(index=False).encode(), filename=where))
    data.problems[:0] = problems
    return data


def _load(
    file: Path | None,
    chembl: str | None,
    chembl_sqlite: Path | None,
    chembl_version: str | None,
    activity_types: str,
    from_assays: str | None = None,
    company: str | None = None,
    **columns: Any,
) -> Any:
    from actives.predict.custom import chembl_data, table_data

    given = sum(x is not None for x in (file, chembl, from_assays))
    if given != 1:
        raise InvalidInputError(
            "Give one of a CSV/XLSX file, --chembl TARGET_ID or --from-assays ASSAY; got "
            + ("several." if given else "none.")
        )
    if from_assays is not None:
        return _assay_data(from_assays, company)
    if chembl is not None:
        types = tuple(t.strip() for t in activity_types.split(",") if t.strip())
        return chembl_data(chembl, sqlite_path=chembl_sqlite, version=chembl_version,
                           activity_types=types)  # fmt: skip
    assert file is not None
    from actives.predict.activity_tables import read_activity_table

    if not file.is_file():
        from actives.errors import NotFoundError

        raise NotFoundError(f"No file {file}; expected a CSV or XLSX table.")
    return table_data(read_activity_table(file, **columns), file)


def _show_problems(problems: list[str]) -> None:
    if not problems:
        return
    console.print(f"[yellow]{len(problems)} input row problem(s); these rows are counted out:[/]")
    for problem in problems[:10]:
        console.print(f"  [yellow]{problem}[/]")
    if len(problems) > 10:
        console.print(f"  [yellow]… and {len(problems) - 10} more[/]")


def _fmt(value: object) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _metrics_table(evaluation: dict[str, dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for column in ("split", "subset", "n", "RMSE", "MAE", "R²", "Spearman", "coverage"):
        table.add_column(column, justify="right" if column not in ("split", "subset") else "left")
    for split, summary in evaluation.items():
        for subset in ("overall", "in_domain", "out_of_domain", "natural_product_like"):
            m = summary[subset]
            cells = [_fmt(m[k]) for k in ("rmse", "mae", "r2", "spearman", "coverage")]
            table.add_row(split, subset.replace("_", " "), str(m["n"]), *cells)
    return table


def _classification_table(evaluation: dict[str, dict[str, Any]], threshold: float) -> Table:
    table = Table(title=f"probability of activity at {threshold:g}, out of fold")
    for column in ("split", "n", "actives", "AUROC", "Brier", "balanced accuracy"):
        table.add_column(column)
    for split, summary in evaluation.items():
        c = summary.get("classification") or {}
        cells = [_fmt(c.get(k)) for k in ("auroc", "brier", "balanced_accuracy")]
        table.add_row(split, str(c.get("n", 0)), str(c.get("n_active", 0)), *cells)
    return table


def _curation_table(counts: list[dict[str, Any]]) -> Table:
    table = Table(title="curation")
    for column in ("step", "rows in", "rows out"):
        table.add_column(column)
    for step in counts:
        table.add_row(str(step["name"]), f"{step['rows_in']:,}", f"{step['rows_out']:,}")
    return table


def train(
    file: FileArg = None,
    endpoint_id: Annotated[
        str, typer.Option("--id", help="Id of the new endpoint, e.g. tyrosinase_inhouse.")
    ] = "",
    title: Annotated[str, typer.Option(help="Name shown with predictions.")] = "",
    function: Annotated[
        CosmeticFunction, typer.Option(help="Cosmetic function the endpoint speaks to.")
    ] = CosmeticFunction.WHITENING,
    target: Annotated[str, typer.Option(help="Target, e.g. 'mushroom tyrosinase'.")] = "",
    assay: Annotated[str, typer.Option(help="Assay, e.g. 'L-DOPA oxidation, 30 min'.")] = "",
    units: Annotated[
        str, typer.Option(help="Units of the model's values (default: pIC50, −log10 molar).")
    ] = "",
    threshold: ThresholdOpt = None,
    lower_is_active: LowerOpt = False,
    chembl: ChemblOpt = None,
    chembl_sqlite: ChemblSqliteOpt = None,
    chembl_version: ChemblVersionOpt = None,
    activity_types: TypesOpt = "IC50",
    from_assays: FromAssaysOpt = None,
    company: CompanyOpt = None,
    sheet: SheetOpt = None,
    smiles_column: SmilesColOpt = None,
    value_column: ValueColOpt = None,
    units_column: UnitsColOpt = None,
    relation_column: RelationColOpt = None,
    id_column: IdColOpt = None,
    value_units: ValueUnitsOpt = None,
    value_is_p: ValueIsPOpt = False,
    encoding: EncodingOpt = None,
    assay_include: IncludeOpt = None,
    assay_exclude: ExcludeOpt = None,
    overwrite: Annotated[bool, typer.Option(help="Replace a model of the same id.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Train your own endpoint from a CSV/XLSX table or a ChEMBL target, and save it.

    The model goes to ACTIVES_HOME/models/<id>/ with its card; `actives predict` and
    `actives models list` pick it up.
    """
    from actives.predict.activity_tables import canonical_unit
    from actives.predict.custom import define_endpoint, model_folder, train_custom_endpoint

    try:
        if not endpoint_id:
            raise InvalidInputError("No endpoint id; expected --id, e.g. --id tyrosinase_inhouse.")
        define_endpoint(endpoint_id, title or endpoint_id, function)  # id checks before any work
        model_folder(endpoint_id, overwrite=overwrite)
        if units and canonical_unit(units) is not None and not value_is_p:
            raise InvalidInputError(
                f"--units {units!r} names the model's output units, but values in {units} are "
                "converted to −log10 molar (pIC50). Give the input unit with --value-units "
                f"{units} and leave --units out (or pass --value-is-p for values already in log "
                "units)."
            )
        data = _load(
            file, chembl, chembl_sqlite, chembl_version, activity_types, from_assays, company,
            sheet=sheet,
            smiles_column=smiles_column, value_column=value_column, units_column=units_column,
            relation_column=relation_column, id_column=id_column, units=value_units,
            value_is_p=True if value_is_p else None, encoding=encoding,
        )  # fmt: skip
        endpoint = define_endpoint(
            endpoint_id,
            title or endpoint_id.replace("_", " "),
            function,
            target=target or data.target,
            assay=assay or data.assay,
            units=units or P_UNITS,
            active_threshold=threshold,
            higher_is_active=not lower_is_active,
        )
        if not as_json:
            console.print(f"Training [bold]{endpoint.id}[/] from {data.label}")
            _show_problems(data.problems)
        with _progress(f"{endpoint.id}: training", as_json) as progress:
            trained = train_custom_endpoint(
                data.raw,
                endpoint,
                options=data.with_options(assay_include=assay_include, assay_exclude=assay_exclude),
                data_source=data.source,
                input_problems=data.problems,
                overwrite=overwrite,
                progress=progress,
            )
    except ActivesError as exc:
        raise _fail(exc) from None
    card = trained.card
    if as_json:
        typer.echo(json.dumps({"folder": str(trained.folder), "card": card}, ensure_ascii=False))
        return
    console.print(_curation_table(card["curation"]))
    console.print(_metrics_table(card["evaluation"], "cross-validation, 5-fold, out of fold"))
    if endpoint.active_threshold is not None:
        console.print(_classification_table(card["evaluation"], endpoint.active_threshold))
    console.print(
        f"{card['n_compounds']} compounds ({card['n_censored']} censored, not targets); "
        f"final model: {training_summary(card)}; applicability domain: nearest similarity ≥ "
        f"{card['applicability_domain']['threshold']:.3f}."
    )
    for warning in card.get("warnings", []):
        console.print(f"[yellow]Warning: {warning}[/]")
    console.print(
        f"[green]Saved {endpoint.id} to {trained.folder}[/]; predict with "
        f"`actives predict SMILES --endpoints {endpoint.id}`."
    )


def _quiet(done: float, total: float | None = None, message: str = "") -> None:
    """A progress reporter for --json runs (nothing but JSON on stdout)."""


def _progress(description: str, quiet: bool) -> AbstractContextManager[Progress]:
    return nullcontext(_quiet) if quiet else progress_bar(description)


def evaluate(
    file: FileArg = None,
    chembl: ChemblOpt = None,
    chembl_sqlite: ChemblSqliteOpt = None,
    chembl_version: ChemblVersionOpt = None,
    activity_types: TypesOpt = "IC50",
    split: Annotated[SplitChoice, typer.Option(help="Grouped split to evaluate on.")] = (
        SplitChoice.BOTH
    ),
    learner: Annotated[
        str, typer.Option(help=f"Learner: {', '.join(x.id for x in learners())}.")
    ] = "lightgbm",
    featurizer: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Featurizer (repeatable): {', '.join(f.id for f in featurizers())}.",
        ),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Number of folds.")] = 5,
    confidence: Annotated[float, typer.Option(help="Conformal interval confidence.")] = 0.9,
    threshold: ThresholdOpt = None,
    lower_is_active: LowerOpt = False,
    sheet: SheetOpt = None,
    smiles_column: SmilesColOpt = None,
    value_column: ValueColOpt = None,
    units_column: UnitsColOpt = None,
    relation_column: RelationColOpt = None,
    id_column: IdColOpt = None,
    value_units: ValueUnitsOpt = None,
    value_is_p: ValueIsPOpt = False,
    encoding: EncodingOpt = None,
    assay_include: IncludeOpt = None,
    assay_exclude: ExcludeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cross-validate a learner on your data (scaffold and/or cluster k-fold); nothing is saved."""
    from actives.predict.custom import evaluate_custom
    from actives.predict.featurizers import get_featurizer
    from actives.predict.learners import get_learner

    try:
        get_learner(learner)
        featurizer_ids = tuple(featurizer or ["morgan_counts"])
        for featurizer_id in featurizer_ids:
            get_featurizer(featurizer_id)
        data = _load(
            file, chembl, chembl_sqlite, chembl_version, activity_types, sheet=sheet,
            smiles_column=smiles_column, value_column=value_column, units_column=units_column,
            relation_column=relation_column, id_column=id_column, units=value_units,
            value_is_p=True if value_is_p else None, encoding=encoding,
        )  # fmt: skip
        if not as_json:
            console.print(f"Evaluating {learner} on {', '.join(featurizer_ids)} from {data.label}")
            _show_problems(data.problems)
        splits: tuple[SplitKind, ...] = (
            ("scaffold", "cluster")
            if split is SplitChoice.BOTH
            else (cast(SplitKind, split.value),)
        )
        with _progress("evaluating", as_json) as progress:
            result = evaluate_custom(
                data.raw,
                options=data.with_options(assay_include=assay_include, assay_exclude=assay_exclude),
                splits=splits,
                n_folds=folds,
                learner=learner,
                featurizer_ids=featurizer_ids,
                confidence=confidence,
                active_threshold=threshold,
                higher_is_active=not lower_is_active,
                progress=progress,
            )
    except ActivesError as exc:
        raise _fail(exc) from None
    summaries = {name: ev.summary() for name, ev in result.evaluations.items()}
    if as_json:
        typer.echo(json.dumps({"curation": result.curated.counts(), "evaluation": summaries}))
        return
    console.print(_curation_table(result.curated.counts()))
    title = f"{learner} on {', '.join(featurizer_ids)}, {folds}-fold, out of fold, " + (
        f"{confidence:.0%} intervals"
    )
    console.print(_metrics_table(summaries, title))
    if threshold is not None:
        console.print(_classification_table(summaries, threshold))
