"""`actives safety`: skin sensitisation (OECD GL497 defined approaches, QSAR), SCCS margin of
safety, sensitiser QRA and the product-type exposure table."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from actives.cli.predict import _pack_or_none
from actives.errors import ActivesError, InvalidInputError
from actives.safety.assessment import (
    HUMAN_STUDIES,
    POD_ROUTES,
    POD_TYPES,
    approach_choices,
)
from actives.safety.exposure import PRODUCT_TYPES
from actives.safety.reasoning import Quantity, Step

safety_app = typer.Typer(
    help="Safety: skin sensitisation (OECD GL497 defined approaches, QSAR), margin of safety "
    "(SCCS), sensitiser QRA, product-type exposure.",
    no_args_is_help=True,
)
# Piped output (a file, a pager) gets a wide table instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)

CALL_WORDS = "positive/negative (pos/neg, +/-, 1/0), inconclusive/borderline, not applicable"
PRODUCT_HELP = "SCCS product type (`actives safety products`): " + ", ".join(
    p.id for p in PRODUCT_TYPES
)


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{escape(exc.message)}[/]")
    return typer.Exit(2)


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _steps_table(steps: tuple[Step, ...], title: str = "steps") -> Table:
    table = Table(title=title, show_lines=True)
    for column in ("#", "step", "what was looked at", "rule", "outcome", "source"):
        table.add_column(column, overflow="fold")
    for i, step in enumerate(steps, 1):
        table.add_row(
            str(i),
            escape(step.title),
            escape(step.detail),
            escape(step.rule or "—"),
            f"[bold]{escape(step.outcome)}[/]",
            escape(step.source),
        )
    return table


def _inputs_table(inputs: tuple[Quantity, ...], title: str = "inputs") -> Table:
    table = Table(title=title)
    for column in ("input", "value", "unit", "origin", "source"):
        table.add_column(column, overflow="fold")
    for q in inputs:
        origin = f"[yellow]{q.origin}[/]" if q.origin == "predicted" else escape(q.origin)
        table.add_row(escape(q.name), escape(_value(q.value)), escape(q.unit), origin,
                      escape(q.source))  # fmt: skip
    return table


# --- sensitisation ---------------------------------------------------------------------------


def _print_da(result: Any) -> None:
    colour = {"sensitiser": "red", "non-sensitiser": "green"}.get(result.call, "yellow")
    category = f", UN GHS category {result.category}" if result.category else ""
    score = f", ITS score {result.score}" if result.score is not None else ""
    console.rule(f"[bold]{escape(result.title)}[/] — {escape(result.variant)}")
    console.print(f"Call: [bold {colour}]{escape(result.call)}[/]{escape(category + score)}")
    console.print(f"Rule that fired: {escape(result.rule_fired)}")
    if result.inconclusive_reason:
        console.print(f"[yellow]Inconclusive: {escape(result.inconclusive_reason)}[/]")
    if result.not_needed:
        console.print(f"Not needed: {escape(', '.join(result.not_needed))}")
    console.print(f"Potency: {escape(result.potency_note)}")
    measured = ", ".join(result.measured_inputs) or "none"
    predicted = ", ".join(result.predicted_inputs) or "none"
    console.print(f"Measured inputs: {escape(measured)}; predicted inputs: {escape(predicted)}")
    if not result.guideline_conformant:
        console.print(
            "[yellow]Not a GL497 result as it stands: a predicted input or an in silico tool "
            "not evaluated under GL497 was used (indicative only).[/]"
        )
    console.print(_steps_table(result.steps))
    console.print(_inputs_table(result.inputs))
    console.print(f"[dim]{escape(result.guideline)}[/]")


def _single_given(values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if value not in (None, False)]


def sensitisation(
    dpra_cys: Annotated[
        float | None, typer.Option(help="DPRA cysteine peptide depletion (%).")
    ] = None,
    dpra_lys: Annotated[
        float | None,
        typer.Option(help="DPRA lysine peptide depletion (%); leave out for the Cys-only model."),
    ] = None,
    dpra_call: Annotated[str | None, typer.Option(help=f"DPRA call: {CALL_WORDS}.")] = None,
    keratinosens: Annotated[
        str | None, typer.Option(help=f"KeratinoSens call: {CALL_WORDS}.")
    ] = None,
    keratinosens_imax: Annotated[
        float | None, typer.Option(help="KeratinoSens Imax (fold induction).")
    ] = None,
    hclat: Annotated[str | None, typer.Option(help=f"h-CLAT call: {CALL_WORDS}.")] = None,
    hclat_cd86_rfi: Annotated[
        float | None, typer.Option(help="h-CLAT highest CD86 RFI (%), viability >= 50 %.")
    ] = None,
    hclat_cd54_rfi: Annotated[
        float | None, typer.Option(help="h-CLAT highest CD54 RFI (%), viability >= 50 %.")
    ] = None,
    hclat_mit: Annotated[
        float | None, typer.Option(help="h-CLAT minimum induction threshold (ug/mL).")
    ] = None,
    in_silico: Annotated[
        str | None, typer.Option(help="In silico call (positive or negative) of a named tool.")
    ] = None,
    in_silico_tool: Annotated[
        str | None,
        typer.Option(help="The tool behind --in-silico (Derek Nexus, OECD QSAR Toolbox, ...)."),
    ] = None,
    out_of_domain: Annotated[
        bool, typer.Option(help="The --in-silico prediction is outside the tool's domain.")
    ] = False,
    qsar: Annotated[
        str | None,
        typer.Option(
            help="SMILES or name: fill the in silico slot from Actives' LLNA QSAR (not a tool "
            "evaluated under GL497; applicability domain from the model)."
        ),
    ] = None,
    log_kow: Annotated[
        float | None, typer.Option(help="log Kow (a negative h-CLAT is not conclusive > 3.5).")
    ] = None,
    approach: Annotated[
        str, typer.Option(help=f"Defined approach: {', '.join(approach_choices())}.")
    ] = "all",
    confidence: Annotated[
        float, typer.Option(help="Confidence of the QSAR's conformal prediction set.")
    ] = 0.9,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Batch: CSV/XLSX of assay results, one chemical per row (both DAs)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Batch results: .csv .xlsx .parquet .jsonl"),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Skin sensitisation by the OECD GL497 defined approaches (2o3, ITS), one chemical from
    the options or a file of chemicals, with each step, its rule and its source."""
    single = {
        "--dpra-cys": dpra_cys, "--dpra-lys": dpra_lys, "--dpra-call": dpra_call,
        "--keratinosens": keratinosens, "--keratinosens-imax": keratinosens_imax,
        "--hclat": hclat, "--hclat-cd86-rfi": hclat_cd86_rfi, "--hclat-cd54-rfi": hclat_cd54_rfi,
        "--hclat-mit": hclat_mit, "--in-silico": in_silico, "--in-silico-tool": in_silico_tool,
        "--out-of-domain": out_of_domain, "--qsar": qsar, "--log-kow": log_kow,
    }  # fmt: skip
    try:
        if file is not None:
            given = _single_given(single)
            if given:
                raise InvalidInputError(
                    f"--file was given with {', '.join(given)}; expected either a file (one "
                    "chemical per row) or the assay options of one chemical."
                )
            _sensitisation_file(file, output, overwrite, as_json)
            return
        if output is not None:
            raise InvalidInputError(
                "--output writes the results of a --file batch; expected --file too (use "
                "--json for one chemical)."
            )
        from actives.safety.assessment import assay_results, assess_sensitisation

        assays = assay_results(
            dpra_cys=dpra_cys,
            dpra_lys=dpra_lys,
            dpra_call=dpra_call,
            keratinosens_call=keratinosens,
            keratinosens_imax=keratinosens_imax,
            hclat_call=hclat,
            hclat_cd86_rfi=hclat_cd86_rfi,
            hclat_cd54_rfi=hclat_cd54_rfi,
            hclat_mit=hclat_mit,
            in_silico_call=in_silico,
            in_silico_tool=in_silico_tool,
            in_silico_in_domain=False if out_of_domain else None,
            source="command line",
        )
        assessment = assess_sensitisation(
            assays,
            approach=approach,
            log_kow=log_kow,
            qsar_structure=qsar,
            pack=_pack_or_none() if qsar else None,
            confidence=confidence,
        )
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(assessment.to_dict(), ensure_ascii=False, indent=2))
        return
    if assessment.qsar is not None:
        q = assessment.qsar
        domain = "in domain" if q.in_domain else "[yellow]outside the applicability domain[/]"
        console.print(
            f"In silico slot: {escape(q.tool)}: [bold]{escape(q.call)}[/] (P(positive) "
            f"{q.p_positive:.2f}, {q.confidence:.0%} set {{{escape(', '.join(q.prediction_set))}"
            f"}}, {domain}, nearest similarity {q.nearest_similarity:.2f}) for "
            f"{escape(q.name or q.smiles)}"
        )
        for warning in q.warnings:
            console.print(f"[yellow]{escape(q.endpoint)}: {escape(warning)}[/]")
    for result in assessment.results:
        _print_da(result)


def _sensitisation_file(path: Path, output: Path | None, overwrite: bool, as_json: bool) -> None:
    from actives.cli.progress import progress_bar
    from actives.predict.export import TableWriter, check_output
    from actives.safety.defined_approaches import GL497
    from actives.safety.inputs import read_da_inputs, run_defined_approaches

    if output is not None:
        check_output(output, overwrite)
    rows = read_da_inputs(path)
    if as_json:  # nothing but the JSON on stdout
        table = run_defined_approaches(rows)
    else:
        frames = []
        with progress_bar(f"running the defined approaches on {path.name}") as bar:
            for i, row in enumerate(rows, 1):
                frames.append(run_defined_approaches([row]))
                bar(i, len(rows), f"{i:,} of {len(rows):,} chemicals")
        table = pd.concat(frames, ignore_index=True)
    errors = int((table["status"] != "ok").sum())
    if as_json:
        typer.echo(table.to_json(orient="records", force_ascii=False))
    else:
        out = Table(title=f"{path.name}: {len(table):,} chemicals, {errors:,} with an error")
        for column in ("row", "name", "status", "2o3", "ITS", "ITS category", "message"):
            out.add_column(column, overflow="fold")
        for record in table.to_dict("records"):
            if record["status"] != "ok":
                out.add_row(str(record["row"]), escape(str(record["name"])), "[red]error[/]",
                            "", "", "", f"[red]{escape(str(record['message']))}[/]")  # fmt: skip
                continue
            out.add_row(
                str(record["row"]),
                escape(str(record["name"])),
                "ok",
                escape(_value(record["da_2o3_call"])),
                escape(_value(record["da_its_call"])),
                escape(_value(record["da_its_category"])),
                escape(_value(record["da_2o3_reason"] or record["da_its_reason"] or "")),
            )
        console.print(out)
    if output is not None:
        metadata = {"input": path.name, "defined approaches": "2o3 and ITS", "guideline": GL497}
        with TableWriter(output, metadata) as writer:
            writer.write(table)
        if not as_json:
            console.print(f"Wrote {len(table):,} rows to {escape(str(output))}")


# --- QSAR predictions ------------------------------------------------------------------------


def predict(
    structures: Annotated[
        list[str], typer.Argument(help="SMILES, InChI, or a name/CAS from the data pack.")
    ],
    confidence: Annotated[
        float, typer.Option(help="Confidence of the conformal prediction sets.")
    ] = 0.9,
    endpoints: Annotated[
        str | None,
        typer.Option(help="Comma-separated model ids (default: every installed one)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Sensitisation QSAR predictions (class probabilities, conformal set, domain) and the
    data pack's measured sensitisation data for each structure."""
    from actives.safety.assessment import sensitisation_predictions

    try:
        chosen = [e.strip() for e in endpoints.split(",") if e.strip()] if endpoints else None
        found = sensitisation_predictions(
            structures, pack=_pack_or_none(), confidence=confidence, endpoint_ids=chosen
        )
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in found], ensure_ascii=False, indent=2))
    else:
        for item in found:
            _print_prediction(item)
        warned: dict[str, list[str]] = {}
        for item in found:
            for m in item.models:
                for warning in m.warnings:
                    warned.setdefault(warning, [])
                    if m.endpoint not in warned[warning]:
                        warned[warning].append(m.endpoint)
        for warning, ids in warned.items():
            console.print(f"[yellow]{escape(', '.join(ids))}: {escape(warning)}[/]")
        console.print(
            "[dim]Actives' own QSAR models (LightGBM on public LLNA, human and key-event data); "
            "none of them is an in silico tool evaluated under OECD GL497.[/]"
        )
    if all(p.status != "ok" for p in found):
        raise typer.Exit(2)


def _print_prediction(item: Any) -> None:
    label = f"{item.name}  " if item.name else ""
    if item.status != "ok":
        console.print(f"[red]{escape(item.input)}: {escape(item.message)}[/]")
        return
    table = Table(title=escape(f"{label}{item.smiles}  ({item.inchikey})"))
    columns = ("model", "predicted", "class probabilities",
               f"{item.confidence:.0%} prediction set", "domain (nearest similarity)",
               "cluster-split AUROC")  # fmt: skip
    for column in columns:
        table.add_column(column, overflow="fold")
    for m in item.models:
        probabilities = ", ".join(
            f"P({c}) {_value(p) if p is None else f'{p:.2f}'}" for c, p in m.probabilities.items()
        )
        members = "{" + ", ".join(m.prediction_set) + "}"
        domain = "in" if m.in_domain else "[yellow]out[/]"
        nearest = "—" if m.nearest_similarity is None else f"{m.nearest_similarity:.2f}"
        auroc = "—" if m.cluster_auroc is None else f"{m.cluster_auroc:.2f}"
        table.add_row(escape(m.title), f"[bold]{escape(m.predicted)}[/]", escape(probabilities),
                      escape(members), f"{domain} ({nearest})", auroc)  # fmt: skip
    console.print(table)
    if item.measured:
        measured = Table(title="measured (data pack)")
        for column in ("endpoint", "value", "records", "conflicting records", "sources"):
            measured.add_column(column, overflow="fold")
        for v in item.measured:
            value = f"{v.relation}{_value(v.value)} {v.unit}".strip()
            conflict = "[yellow]yes[/]" if v.conflict else "no"
            measured.add_row(escape(v.title), escape(value), str(v.n), conflict,
                             escape(v.sources))  # fmt: skip
        console.print(measured)
    if item.measured_note:
        console.print(f"[dim]{escape(item.measured_note)}[/]")


# --- margin of safety ------------------------------------------------------------------------


def mos(
    pod: Annotated[
        float, typer.Option(help="Point of departure (mg/kg bw/day), e.g. an oral NOAEL.")
    ],
    product: Annotated[str | None, typer.Option(help=PRODUCT_HELP)] = None,
    concentration: Annotated[
        float | None, typer.Option(help="Concentration of the ingredient in the product (%).")
    ] = None,
    pod_type: Annotated[str, typer.Option(help=f"PoD type: {', '.join(POD_TYPES)}.")] = "NOAEL",
    pod_route: Annotated[
        str, typer.Option(help=f"Route of the PoD study: {', '.join(POD_ROUTES)}.")
    ] = "oral",
    pod_source: Annotated[str, typer.Option(help="The study behind the PoD.")] = "user",
    oral_absorption: Annotated[
        float | None,
        typer.Option(help="Oral absorption (%) of an oral PoD (default: SCCS 50 %)."),
    ] = None,
    exposure: Annotated[
        float | None,
        typer.Option(help="Relative daily exposure A (mg/kg bw/day) instead of the table's."),
    ] = None,
    dermal_absorption: Annotated[
        float | None, typer.Option(help="Measured dermal absorption (% of the applied dose).")
    ] = None,
    dermal_reference: Annotated[
        str, typer.Option(help="The study behind --dermal-absorption or --dermal-amount.")
    ] = "",
    dermal_amount: Annotated[
        float | None,
        typer.Option(help="Measured absorbed amount (ug/cm2): SED = DAa x SSA x F / bw."),
    ] = None,
    frequency: Annotated[
        float | None, typer.Option(help="Applications per day (with --dermal-amount).")
    ] = None,
    surface_area: Annotated[
        float | None,
        typer.Option(help="Skin surface area (cm2) instead of the product type's."),
    ] = None,
    predict_from: Annotated[
        str | None,
        typer.Option(
            help="SMILES or name: dermal absorption from the skin_logkp model's log Kp "
            "(steady-state Fick flux over 24 h, an upper bound)."
        ),
    ] = None,
    body_weight: Annotated[
        float | None,
        typer.Option(help="Body weight (kg; default SCCS 60), with --dermal-amount."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """SCCS margin of safety: SED from the product type, concentration and dermal absorption
    (measured, predicted or the SCCS default of 50 %), PoD_sys, MoS and the verdict."""
    from actives.safety.assessment import mos_assessment

    try:
        result = mos_assessment(
            pod_mg_kg_day=pod,
            pod_type=pod_type,
            pod_route=pod_route,
            pod_source=pod_source,
            oral_absorption_percent=oral_absorption,
            product=product,
            concentration_percent=concentration,
            exposure_mg_kg_day=exposure,
            dermal_absorption_percent=dermal_absorption,
            dermal_reference=dermal_reference,
            dermal_amount_ug_cm2=dermal_amount,
            frequency_per_day=frequency,
            surface_area_cm2=surface_area,
            predict_from=predict_from,
            body_weight_kg=body_weight,
            pack=_pack_or_none() if predict_from else None,
        )
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(_steps_table(result.steps))
    console.print(_inputs_table(result.inputs))
    colour = "green" if result.acceptable else "red"
    console.print(f"SED ({escape(result.sed_formula)}) = {result.sed_mg_kg_day:.4g} mg/kg bw/day")
    console.print(f"PoD_sys = {result.pod_systemic_mg_kg_day:.4g} mg/kg bw/day")
    console.print(f"MoS = {result.mos:.1f}: [bold {colour}]{escape(result.conclusion)}[/]")
    for reference in result.references:
        console.print(f"[dim]{escape(reference)}[/]")


# --- QRA ------------------------------------------------------------------------------------


def qra(
    concentration: Annotated[
        float, typer.Option(help="Concentration of the sensitiser in the product (%).")
    ],
    matrix: Annotated[
        float, typer.Option(help="Matrix SAF (1, 3 or 10; Api et al. 2008); say why below.")
    ],
    use: Annotated[float, typer.Option(help="Use SAF (1, 3 or 10; Api et al. 2008).")],
    ec3: Annotated[
        float | None, typer.Option(help="LLNA EC3 (%): NESIL = EC3 x 250 ug/cm2.")
    ] = None,
    human_noel: Annotated[
        float | None,
        typer.Option(help="Human no-effect induction level (ug/cm2) used as the NESIL."),
    ] = None,
    human_study: Annotated[
        str, typer.Option(help=f"Human study of --human-noel: {', '.join(HUMAN_STUDIES)}.")
    ] = "HRIPT",
    nesil_source: Annotated[str, typer.Option(help="The study behind the EC3 or NOEL.")] = "",
    product: Annotated[str | None, typer.Option(help=PRODUCT_HELP)] = None,
    amount: Annotated[
        float | None,
        typer.Option(help="Product per skin area per day (mg/cm2/day) instead of a product."),
    ] = None,
    database: Annotated[float, typer.Option(help="Database SAF (QRA2; default 1).")] = 1.0,
    rationale: Annotated[str, typer.Option(help="Why these matrix and use factors.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Skin sensitisation QRA: NESIL, SAFs, AEL vs CEL and the highest acceptable
    concentration (Api et al. 2008, 2020)."""
    from actives.safety.assessment import qra_assessment

    try:
        result = qra_assessment(
            concentration_percent=concentration,
            matrix=matrix,
            use=use,
            ec3_percent=ec3,
            human_noel_ug_cm2=human_noel,
            human_study=human_study,
            nesil_source=nesil_source,
            product=product,
            amount_mg_cm2_day=amount,
            database=database,
            rationale=rationale,
        )
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(_steps_table(result.steps))
    console.print(_inputs_table(result.inputs))
    colour = "green" if result.acceptable else "red"
    console.print(f"NESIL = {result.nesil_ug_cm2:.4g} ug/cm2; SAF = {result.saf_total:g}")
    console.print(
        f"AEL = {result.ael_ug_cm2:.4g} ug/cm2; CEL = {result.cel_ug_cm2_day:.4g} ug/cm2/day; "
        f"AEL/CEL = {result.ael_cel_ratio:.3g}"
    )
    console.print(f"Highest acceptable concentration: {result.max_concentration_percent:.4g} %")
    console.print(f"[bold {colour}]{escape(result.conclusion)}[/]")
    for reference in result.references:
        console.print(f"[dim]{escape(reference)}[/]")


# --- product types --------------------------------------------------------------------------


def products(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The cosmetic product types with their SCCS default exposure and sources."""
    from actives.safety.assessment import product_rows

    rows = product_rows()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="product types (SCCS Notes of Guidance)")
    for column in ("id", "product", "use", "site", "amount (g/day)", "retention factor",
                   "A (mg/kg bw/day)", "skin area (cm2)", "per area (mg/cm2/day)",
                   "source"):  # fmt: skip
        table.add_column(column, overflow="fold")
    for row in rows:
        per_area = row["amount_per_area_mg_cm2_day"]
        table.add_row(
            row["id"],
            escape(f"{row['name_en']} ({row['name_ko']})"),
            row["use"],
            row["site"],
            f"{row['amount_g_day']:g}",
            f"{row['retention_factor']:g}",
            f"{row['exposure_mg_kg_day']:g}",
            "—" if row["surface_area_cm2"] is None else f"{row['surface_area_cm2']:g}",
            "—" if per_area is None else f"{per_area:.3g}",
            escape(row["source"].rsplit(", ", 1)[-1]),
        )
    console.print(table)
    for source in dict.fromkeys(r["source"] for r in rows):
        console.print(f"[dim]{escape(source)}[/]")
    console.print("[dim]What was checked against a published copy of the tables:[/]")
    for row in rows:
        console.print(f"[dim]  {row['id']}: {escape(row['checked'])}[/]")


safety_app.command()(sensitisation)
safety_app.command()(predict)
safety_app.command()(mos)
safety_app.command()(qra)
safety_app.command()(products)
