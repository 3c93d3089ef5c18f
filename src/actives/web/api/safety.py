"""API routes of safety: OECD GL497 defined approaches on skin sensitisation (one chemical or a
file), the sensitisation QSAR models, the SCCS product types, margin of safety and QRA.

Each route parses its body and calls :mod:`actives.safety.assessment`; every answer carries the
steps of the reasoning and each input with its origin and source.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from actives.errors import InvalidFileError, InvalidInputError
from actives.safety import assessment
from actives.safety.defined_approaches import DEFINED_APPROACHES, GL497
from actives.safety.exposure import PRODUCT_TYPES
from actives.web.api.schemas import ErrorOut
from actives.web.catalog.services import pack_or_none

router = Router(tags=["safety"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          413: ErrorOut, 422: ErrorOut, 503: ErrorOut}  # fmt: skip
MAX_STRUCTURES = 100
MAX_ROWS = 5000
BATCH_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
CALL_WORDS = (
    "positive or negative (also pos/neg, +/-, 1/0, active/inactive, sensitiser/non-sensitiser), "
    "inconclusive (borderline, equivocal) or not applicable"
)
PRODUCT_IDS = ", ".join(p.id for p in PRODUCT_TYPES)


# --- shared output schemas ---------------------------------------------------------------------


class StepOut(Schema):
    """One step of the reasoning: what was looked at, the rule, its source and the outcome."""

    title: str
    detail: str = Field(description="What was looked at, with the numbers")
    rule: str = Field(description="The rule or threshold applied")
    source: str = Field(description="Guideline, regulation or model the rule comes from")
    outcome: str


class QuantityOut(Schema):
    """An input or intermediate value with its unit, origin and source."""

    name: str
    value: float | int | str | bool | None
    unit: str
    origin: str = Field(
        description="measured or predicted (experimental inputs); user, default, table or "
        "derived (parameters of a calculation)"
    )
    source: str


# --- defined approaches ----------------------------------------------------------------------


class DefinedApproachOut(Schema):
    id: str = Field(description="Use as `approach` in /api/safety/sensitisation")
    title: str
    title_ko: str
    information_sources: list[str]
    predicts: str = Field(description="hazard, or hazard and potency")
    guideline: str


class SensitisationIn(Schema):
    """One chemical's information sources; give the ones you have (values or calls)."""

    dpra_cys: float | None = Field(None, description="DPRA cysteine peptide depletion (%)")
    dpra_lys: float | None = Field(
        None, description="DPRA lysine peptide depletion (%); omit for the Cys-only model"
    )
    dpra_call: str | None = Field(None, description=f"DPRA call: {CALL_WORDS}")
    keratinosens_call: str | None = Field(None, description=f"KeratinoSens call: {CALL_WORDS}")
    keratinosens_imax: float | None = Field(
        None, description="KeratinoSens Imax (fold induction of the luciferase)"
    )
    hclat_call: str | None = Field(None, description=f"h-CLAT call: {CALL_WORDS}")
    hclat_cd86_rfi: float | None = Field(
        None, description="h-CLAT highest CD86 RFI (%) at viability >= 50 %"
    )
    hclat_cd54_rfi: float | None = Field(
        None, description="h-CLAT highest CD54 RFI (%) at viability >= 50 %"
    )
    hclat_mit: float | None = Field(
        None, description="h-CLAT minimum induction threshold (ug/mL), positives only"
    )
    in_silico_call: str | None = Field(
        None, description="In silico call (positive or negative) of the tool in in_silico_tool"
    )
    in_silico_tool: str | None = Field(
        None, description="Tool behind in_silico_call: Derek Nexus, OECD QSAR Toolbox, or other"
    )
    in_silico_in_domain: bool | None = Field(
        None, description="Whether the chemical is in the tool's applicability domain (default)"
    )
    qsar_structure: str | None = Field(
        None,
        description="SMILES or a name in the data pack: fill the in silico slot from Actives' "
        "LLNA QSAR (not a tool evaluated under GL497; domain from the model)",
    )
    log_kow: float | None = Field(
        None, description="log Kow (a negative h-CLAT is not conclusive above 3.5)"
    )
    approach: str = Field(
        "all",
        description="Defined approach: "
        + ", ".join(f"{a.id} ({a.title})" for a in DEFINED_APPROACHES)
        + ", or all",
    )
    confidence: float = Field(
        0.9, gt=0, lt=1, description="Confidence of the QSAR's conformal prediction set"
    )


class DAResultOut(Schema):
    """The outcome of a defined approach, with the steps and the sourced inputs."""

    approach: str
    title: str
    variant: str = Field(description="2o3, ITSv1 (Derek Nexus), ITSv2 (QSAR Toolbox), or other")
    call: str = Field(description="sensitiser, non-sensitiser or inconclusive")
    category: str | None = Field(
        description="UN GHS category: 1 (2o3), 1A, 1B, 1* (sensitiser, potency inconclusive), "
        "NC (not classified), or null when inconclusive"
    )
    score: int | None = Field(description="ITS total score")
    scores: dict[str, int | None] = Field(description="ITS score per information source")
    rule_fired: str
    inconclusive_reason: str | None
    not_needed: list[str] = Field(description="2o3: the assay whose result was not needed")
    potency_note: str
    steps: list[StepOut]
    inputs: list[QuantityOut]
    measured_inputs: list[str]
    predicted_inputs: list[str]
    guideline: str
    guideline_conformant: bool = Field(
        description="False when a predicted assay result or an in silico tool not evaluated "
        "under GL497 was used: the result is indicative only"
    )


class QSARCallOut(Schema):
    """The LLNA QSAR's prediction that filled the ITS in silico slot."""

    input: str
    name: str
    smiles: str = Field(description="Standardised parent structure")
    inchikey: str
    endpoint: str
    tool: str
    call: str
    p_positive: float = Field(description="Calibrated probability of a positive LLNA")
    prediction_set: list[str] = Field(description="Conformal prediction set at `confidence`")
    confidence: float
    in_domain: bool
    nearest_similarity: float = Field(description="Tanimoto similarity to the nearest training")
    trained_at: str
    cluster_auroc: float | None = Field(description="The model's cluster-split AUROC (card)")
    warnings: list[str] = Field(description="Warnings of the model card (e.g. a weak model)")


class SensitisationOut(Schema):
    results: list[DAResultOut]
    qsar: QSARCallOut | None


class DABatchRowOut(Schema):
    """One row of an input file: its status and both DAs' outcomes."""

    row: int = Field(description="Row number as in a spreadsheet (the header is row 1)")
    name: str
    smiles: str | None
    status: str = Field(description="ok, or error with the message")
    message: str
    da_2o3_call: str | None = None
    da_2o3_category: str | None = None
    da_2o3_rule: str | None = None
    da_2o3_not_needed: str | None = None
    da_2o3_reason: str | None = None
    da_its_variant: str | None = None
    da_its_call: str | None = None
    da_its_category: str | None = None
    da_its_score: int | None = None
    da_its_rule: str | None = None
    da_its_reason: str | None = None
    guideline_conformant: bool | None = None


class DABatchOut(Schema):
    file: str
    total: int
    errors: int
    guideline: str
    rows: list[DABatchRowOut]


# --- QSAR predictions ------------------------------------------------------------------------


class SafetyPredictIn(Schema):
    structures: list[str] = Field(
        min_length=1, description="SMILES, InChI, or names/CAS numbers from the data pack"
    )
    endpoints: list[str] | None = Field(
        None, description="Sensitisation model ids; default: every installed one"
    )
    confidence: float = Field(0.9, gt=0, lt=1, description="Conformal prediction set confidence")


class ModelCallOut(Schema):
    endpoint: str
    title: str
    classes: list[str]
    probabilities: dict[str, float | None] = Field(description="Calibrated P(class)")
    p_active: float | None = Field(description="1 - P(first, inactive class)")
    predicted: str = Field(
        description="The call: the class of a one-class conformal set at the chosen confidence, "
        "else 'inconclusive'"
    )
    prediction_set: list[str] = Field(description="Conformal prediction set at `confidence`")
    in_domain: bool | None
    nearest_similarity: float | None
    cluster_auroc: float | None = Field(description="The model's cluster-split AUROC (card)")
    warnings: list[str] = Field(description="Warnings of the model card (e.g. a weak model)")


class MeasuredValueOut(Schema):
    endpoint: str
    title: str
    value: float | str
    unit: str
    relation: str = Field(description="<, > or empty")
    n: int = Field(description="Records merged")
    conflict: bool = Field(description="Whether the records disagree")
    sources: str


class SensitisationPredictionOut(Schema):
    input: str
    name: str
    smiles: str
    inchikey: str
    status: str
    message: str
    confidence: float
    models: list[ModelCallOut]
    measured: list[MeasuredValueOut] = Field(description="The data pack's measured data")
    measured_note: str


# --- exposure, MoS and QRA -------------------------------------------------------------------


class ProductTypeOut(Schema):
    id: str
    name_en: str
    name_ko: str
    use: str = Field(description="leave-on or rinse-off")
    site: str
    amount_g_day: float = Field(description="Estimated daily amount applied (g/day)")
    retention_factor: float
    exposure_mg_kg_day: float = Field(
        description="Calculated relative daily exposure A (mg/kg bw/day)"
    )
    surface_area_cm2: float | None = Field(description="Skin surface area (cm2)")
    amount_per_area_mg_cm2_day: float | None = Field(
        description="Product left on the skin per area per day (mg/cm2/day)"
    )
    source: str
    surface_area_source: str
    revision: str
    checked: str = Field(description="Which values were checked against a published table")


class MoSIn(Schema):
    """A margin of safety: the PoD, the product, and at most one dermal absorption basis
    (measured %, absorbed amount, structure to predict from; none: SCCS default 50 %)."""

    pod_mg_kg_day: float = Field(description="Point of departure (mg/kg bw/day)")
    pod_type: str = Field("NOAEL", description=", ".join(assessment.POD_TYPES))
    pod_route: Literal["oral", "dermal", "systemic"] = Field(
        "oral", description="Route of the PoD study"
    )
    pod_source: str = Field("user", description="The study behind the PoD")
    oral_absorption_percent: float | None = Field(
        None, description="Oral absorption (%) of an oral PoD; default SCCS 50 %"
    )
    product: str | None = Field(None, description=f"SCCS product type: {PRODUCT_IDS}")
    concentration_percent: float | None = Field(
        None, description="Concentration of the ingredient in the product (%)"
    )
    exposure_mg_kg_day: float | None = Field(
        None, description="Relative daily exposure A (mg/kg bw/day) instead of the table's"
    )
    dermal_absorption_percent: float | None = Field(
        None, description="Measured dermal absorption (% of the applied dose)"
    )
    dermal_reference: str = Field("", description="The study behind the dermal absorption")
    dermal_amount_ug_cm2: float | None = Field(
        None, description="Measured absorbed amount (ug/cm2): SED = DAa x SSA x F / bw"
    )
    frequency_per_day: float | None = Field(
        None, description="Applications per day (with dermal_amount_ug_cm2)"
    )
    surface_area_cm2: float | None = Field(
        None, description="Skin surface area (cm2) instead of the product type's"
    )
    predict_from: str | None = Field(
        None,
        description="SMILES or name: dermal absorption from the skin_logkp model's log Kp "
        "(steady-state Fick flux over 24 h, an upper bound)",
    )
    body_weight_kg: float | None = Field(
        None, description="Body weight (kg; default SCCS 60), with dermal_amount_ug_cm2"
    )


class MoSOut(Schema):
    sed_mg_kg_day: float = Field(description="Systemic exposure dosage (mg/kg bw/day)")
    pod_systemic_mg_kg_day: float = Field(description="PoD_sys (mg/kg bw/day)")
    mos: float = Field(description="Margin of safety = PoD_sys / SED")
    threshold: float
    acceptable: bool
    conclusion: str
    product_type: str | None
    sed_formula: str
    inputs: list[QuantityOut]
    steps: list[StepOut]
    references: list[str]


class QRAIn(Schema):
    """A sensitiser QRA; give ec3_percent or human_noel_ug_cm2, and a product or an amount."""

    concentration_percent: float = Field(description="Concentration in the product (%)")
    matrix: float = Field(description="Matrix SAF: 1, 3 or 10 (Api et al. 2008)")
    use: float = Field(description="Use SAF: 1, 3 or 10 (Api et al. 2008)")
    ec3_percent: float | None = Field(None, description="LLNA EC3 (%): NESIL = EC3 x 250")
    human_noel_ug_cm2: float | None = Field(
        None, description="Human no-effect induction level (ug/cm2) as the NESIL"
    )
    human_study: str = Field("HRIPT", description=", ".join(assessment.HUMAN_STUDIES))
    nesil_source: str = Field("", description="The study behind the EC3 or NOEL")
    product: str | None = Field(None, description=f"SCCS product type: {PRODUCT_IDS}")
    amount_mg_cm2_day: float | None = Field(
        None, description="Product per skin area per day (mg/cm2/day) instead of a product"
    )
    database: float = Field(1.0, description="Database SAF (QRA2)")
    rationale: str = Field("", description="Why these matrix and use factors")


class QRAOut(Schema):
    nesil_ug_cm2: float
    saf_total: float
    ael_ug_cm2: float = Field(description="Acceptable exposure level (ug/cm2)")
    cel_ug_cm2_day: float = Field(description="Consumer exposure level (ug/cm2/day)")
    ael_cel_ratio: float
    acceptable: bool
    max_concentration_percent: float
    conclusion: str
    product_type: str | None
    inputs: list[QuantityOut]
    steps: list[StepOut]
    references: list[str]


# --- routes ------------------------------------------------------------------------------------


@router.get(
    "/defined-approaches",
    response={200: list[DefinedApproachOut], **ERRORS},
    summary="The defined approaches on skin sensitisation",
)
def defined_approaches(request: HttpRequest) -> list[DefinedApproachOut]:
    return [
        DefinedApproachOut(
            id=a.id,
            title=a.title,
            title_ko=a.title_ko,
            information_sources=list(a.information_sources),
            predicts=a.predicts,
            guideline=a.guideline,
        )
        for a in DEFINED_APPROACHES
    ]


@router.post(
    "/sensitisation",
    response={200: SensitisationOut, **ERRORS},
    summary="OECD GL497 defined approaches for one chemical",
)
def sensitisation(request: HttpRequest, payload: SensitisationIn) -> dict[str, Any]:
    """The chosen defined approach(es) with the call, the category, the rule that fired, each
    step with its rule and source, and the inputs with their origin."""
    assays = assessment.assay_results(
        dpra_cys=payload.dpra_cys,
        dpra_lys=payload.dpra_lys,
        dpra_call=payload.dpra_call,
        keratinosens_call=payload.keratinosens_call,
        keratinosens_imax=payload.keratinosens_imax,
        hclat_call=payload.hclat_call,
        hclat_cd86_rfi=payload.hclat_cd86_rfi,
        hclat_cd54_rfi=payload.hclat_cd54_rfi,
        hclat_mit=payload.hclat_mit,
        in_silico_call=payload.in_silico_call,
        in_silico_tool=payload.in_silico_tool,
        in_silico_in_domain=payload.in_silico_in_domain,
        source="API request",
    )
    result = assessment.assess_sensitisation(
        assays,
        approach=payload.approach,
        log_kow=payload.log_kow,
        qsar_structure=payload.qsar_structure,
        pack=pack_or_none() if payload.qsar_structure else None,
        confidence=payload.confidence,
    )
    return result.to_dict()


@router.post(
    "/sensitisation/batch",
    response={200: DABatchOut, **ERRORS},
    summary="Both defined approaches for a file of chemicals (CSV or XLSX)",
)
def sensitisation_batch(request: HttpRequest, file: File[UploadedFile]) -> DABatchOut:
    """One chemical per row (columns as in the user guide: dpra_cys, dpra_lys, dpra_call,
    keratinosens_call, keratinosens_imax, hclat_call, hclat_cd86_rfi, hclat_cd54_rfi, hclat_mit,
    in_silico_call, in_silico_in_domain, in_silico_tool, log_kow; name, smiles). A row that
    cannot be read gets status error with the reason; the others run."""
    from actives.safety.inputs import read_da_inputs, run_defined_approaches

    name = Path(file.name or "").name
    if not name.lower().endswith(BATCH_SUFFIXES):
        raise InvalidFileError(
            f"{name or 'The upload'} is not a table of assay results; expected a file ending in "
            f"{', '.join(BATCH_SUFFIXES)}."
        )
    with tempfile.TemporaryDirectory(prefix="actives-da-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        rows = read_da_inputs(path)
    if len(rows) > MAX_ROWS:
        raise InvalidInputError(
            f"{name} has {len(rows):,} rows; expected at most {MAX_ROWS:,} per request "
            "(split the file, or use `actives safety sensitisation --file`)."
        )
    table = run_defined_approaches(rows)
    records: list[dict[str, Any]] = json.loads(table.to_json(orient="records", force_ascii=False))
    return DABatchOut(
        file=name,
        total=len(records),
        errors=sum(r["status"] != "ok" for r in records),
        guideline=GL497,
        rows=[DABatchRowOut(**r) for r in records],
    )


@router.post(
    "/predict",
    response={200: list[SensitisationPredictionOut], **ERRORS},
    summary="Sensitisation QSAR predictions with measured data",
)
def predict(request: HttpRequest, payload: SafetyPredictIn) -> list[dict[str, Any]]:
    """Each installed sensitisation model's class probabilities, conformal prediction set and
    applicability domain, and the data pack's measured sensitisation data, per structure (a
    structure that cannot be read gets status error)."""
    if len(payload.structures) > MAX_STRUCTURES:
        raise InvalidInputError(
            f"{len(payload.structures)} structures; expected at most {MAX_STRUCTURES} per request."
        )
    found = assessment.sensitisation_predictions(
        payload.structures,
        pack=pack_or_none(),
        confidence=payload.confidence,
        endpoint_ids=payload.endpoints,
    )
    return [p.to_dict() for p in found]


@router.get(
    "/products",
    response={200: list[ProductTypeOut], **ERRORS},
    summary="Cosmetic product types and their SCCS default exposure",
)
def products(request: HttpRequest) -> list[dict[str, Any]]:
    return assessment.product_rows()


@router.post("/mos", response={200: MoSOut, **ERRORS}, summary="SCCS margin of safety")
def mos(request: HttpRequest, payload: MoSIn) -> dict[str, Any]:
    """SED from the product type, concentration and dermal absorption; PoD_sys; MoS and the
    verdict (acceptable at >= 100), with each step and input sourced."""
    result = assessment.mos_assessment(
        pod_mg_kg_day=payload.pod_mg_kg_day,
        pod_type=payload.pod_type,
        pod_route=payload.pod_route,
        pod_source=payload.pod_source,
        oral_absorption_percent=payload.oral_absorption_percent,
        product=payload.product,
        concentration_percent=payload.concentration_percent,
        exposure_mg_kg_day=payload.exposure_mg_kg_day,
        dermal_absorption_percent=payload.dermal_absorption_percent,
        dermal_reference=payload.dermal_reference,
        dermal_amount_ug_cm2=payload.dermal_amount_ug_cm2,
        frequency_per_day=payload.frequency_per_day,
        surface_area_cm2=payload.surface_area_cm2,
        predict_from=payload.predict_from,
        body_weight_kg=payload.body_weight_kg,
        pack=pack_or_none() if payload.predict_from else None,
    )
    return result.to_dict()


@router.post("/qra", response={200: QRAOut, **ERRORS}, summary="Skin sensitisation QRA")
def qra(request: HttpRequest, payload: QRAIn) -> dict[str, Any]:
    """NESIL (LLNA EC3 x 250, or a human NOEL), SAFs, AEL vs CEL and the highest acceptable
    concentration (Api et al. 2008, 2020)."""
    result = assessment.qra_assessment(
        concentration_percent=payload.concentration_percent,
        matrix=payload.matrix,
        use=payload.use,
        ec3_percent=payload.ec3_percent,
        human_noel_ug_cm2=payload.human_noel_ug_cm2,
        human_study=payload.human_study,
        nesil_source=payload.nesil_source,
        product=payload.product,
        amount_mg_cm2_day=payload.amount_mg_cm2_day,
        database=payload.database,
        rationale=payload.rationale,
    )
    return result.to_dict()
