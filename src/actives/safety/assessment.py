"""One call per safety question, shared by ``actives safety`` and ``/api/safety``.

The shells parse their arguments into plain values and render what comes back; everything
between (assay results from plain fields, the LLNA QSAR in the ITS in silico slot, QSAR
predictions with the data pack's measured data, the dermal absorption basis of a margin of
safety, the QRA's NESIL) lives here, so the command line and the API cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from actives.errors import (
    ActivesError,
    DataPackMissingError,
    InvalidInputError,
    InvalidStructureError,
    NotFoundError,
)
from actives.safety.defined_approaches import (
    DEFINED_APPROACHES,
    DAResult,
    DPRAResult,
    HCLATResult,
    InSilicoResult,
    KeratinoSensResult,
    run_defined_approach,
)
from actives.safety.dermal import DermalAbsorption
from actives.safety.exposure import DEFAULT_BODY_WEIGHT_KG, PRODUCT_TYPES, product_type
from actives.safety.mos import MoSResult, PointOfDeparture, margin_of_safety
from actives.safety.qra import (
    NESIL,
    QRAResult,
    SensitisationAssessmentFactors,
    quantitative_risk_assessment,
)
from actives.safety.reasoning import Quantity, Serialisable, Step

if TYPE_CHECKING:
    from actives.knowledge import DataPack

ALL_APPROACHES = "all"
QSAR_ENDPOINT = "skin_sens_llna"
PERMEATION_ENDPOINT = "skin_logkp"
POD_TYPES = ("NOAEL", "NOEL", "BMDL", "BMDL05", "BMDL10")
POD_ROUTES = ("oral", "dermal", "systemic")
HUMAN_STUDIES = ("HRIPT", "HMT")
ABSORBED_AMOUNT = "absorbed amount DAa"  # the name margin_of_safety gives that input
MODELS_HINT = (
    "Train the shipped models with `make models` (the value models, then the sensitisation "
    "classifiers from the public sensitisation data under ACTIVES_RAW_DATA: NIEHS ICE, "
    "SkinSensDB), or point ACTIVES_MODELS_DIR at a folder that holds them."
)


# --- defined approaches ----------------------------------------------------------------------


def approach_ids(approach: str) -> list[str]:
    """The registered DA ids for ``approach`` (an id, or ``all`` for every registered DA)."""
    if approach.strip().lower() == ALL_APPROACHES:
        return [a.id for a in DEFINED_APPROACHES]
    try:
        return [DEFINED_APPROACHES.get(approach.strip().lower()).id]
    except InvalidInputError:
        known = ", ".join(a.id for a in DEFINED_APPROACHES)
        raise InvalidInputError(
            f"Unknown defined approach {approach!r}; expected one of: {known}, {ALL_APPROACHES}.",
            code="unknown_defined_approach",
        ) from None


def approach_choices() -> list[str]:
    """What a menu offers: every registered DA id, then ``all``."""
    return [a.id for a in DEFINED_APPROACHES] + [ALL_APPROACHES]


@dataclass(frozen=True)
class AssayResults:
    """The information sources of one chemical, each None when not given."""

    dpra: DPRAResult | None = None
    keratinosens: KeratinoSensResult | None = None
    hclat: HCLATResult | None = None
    in_silico: InSilicoResult | None = None

    @property
    def empty(self) -> bool:
        """True when no information source was given."""
        return all(a is None for a in (self.dpra, self.keratinosens, self.hclat, self.in_silico))


def assay_results(
    *,
    dpra_cys: float | None = None,
    dpra_lys: float | None = None,
    dpra_call: str | None = None,
    keratinosens_call: str | None = None,
    keratinosens_imax: float | None = None,
    hclat_call: str | None = None,
    hclat_cd86_rfi: float | None = None,
    hclat_cd54_rfi: float | None = None,
    hclat_mit: float | None = None,
    in_silico_call: str | None = None,
    in_silico_tool: str | None = None,
    in_silico_in_domain: bool | None = None,
    source: str = "user",
) -> AssayResults:
    """Measured assay results (and a named tool's in silico call) from plain fields.

    A source is built only when one of its fields is given; calls accept the words of
    :func:`~actives.safety.defined_approaches.parse_call`. Unreadable or contradictory values
    raise InvalidInputError naming the field.
    """
    dpra = (
        DPRAResult(dpra_cys, dpra_lys, dpra_call, "measured", source)
        if any(v is not None for v in (dpra_cys, dpra_lys, dpra_call))
        else None
    )
    keratinosens = (
        KeratinoSensResult(keratinosens_call, keratinosens_imax, None, "measured", source)
        if keratinosens_call is not None or keratinosens_imax is not None
        else None
    )
    hclat = (
        HCLATResult(hclat_call, hclat_cd86_rfi, hclat_cd54_rfi, hclat_mit, "measured", source)
        if any(v is not None for v in (hclat_call, hclat_cd86_rfi, hclat_cd54_rfi, hclat_mit))
        else None
    )
    tool = (in_silico_tool or "").strip()
    in_silico = None
    if in_silico_call is not None:
        if not tool:
            raise InvalidInputError(
                f"In silico call {in_silico_call!r} without its tool; expected the name of the "
                "tool that made it (Derek Nexus, OECD QSAR Toolbox, or another QSAR)."
            )
        in_silico = InSilicoResult(
            in_silico_call,
            tool,
            in_domain=True if in_silico_in_domain is None else in_silico_in_domain,
            source=f"{tool} ({source})",
        )
    elif tool or in_silico_in_domain is not None:
        raise InvalidInputError(
            "An in silico tool or applicability-domain flag was given without an in silico "
            "call; expected the call (positive or negative) too."
        )
    return AssayResults(dpra, keratinosens, hclat, in_silico)


@dataclass(frozen=True)
class QSARCall(Serialisable):
    """The LLNA QSAR's prediction for one chemical, as it fills the ITS in silico slot."""

    input: str
    name: str
    smiles: str
    inchikey: str
    endpoint: str
    tool: str
    call: str
    p_positive: float
    prediction_set: tuple[str, ...]
    confidence: float
    in_domain: bool
    nearest_similarity: float
    trained_at: str
    cluster_auroc: float | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SensitisationAssessment(Serialisable):
    """The defined approaches run for one chemical, and the QSAR call if it filled a slot."""

    results: tuple[DAResult, ...]
    qsar: QSARCall | None


def _missing_model(endpoint_id: str) -> NotFoundError:
    from actives.safety.models import installed_sensitisation_models

    installed = ", ".join(installed_sensitisation_models()) or "none"
    return NotFoundError(
        f"The sensitisation QSAR model {endpoint_id!r} is not installed here (installed "
        f"sensitisation models: {installed}). {MODELS_HINT}",
        code="model_missing",
    )


def _standardised(structure: str, pack: DataPack | None) -> tuple[str, str, str]:
    """(name, InChIKey, standardised parent SMILES) of a SMILES/InChI or a name in the pack."""
    from actives.chem.batch import process_structure
    from actives.predict.predictor import resolve_structure

    resolved, name = resolve_structure(structure.strip(), pack)
    key, smiles, _values = process_structure(resolved, with_descriptors=False)
    return name, key, smiles


def _card(endpoint_id: str) -> dict[str, Any]:
    """The installed classification model's card ({} when it cannot be read)."""
    from actives.predict.shipped import find_model

    try:
        return find_model(endpoint_id, "classification").card()
    except (ActivesError, OSError, ValueError):
        return {}


def _cluster_auroc(card: dict[str, Any]) -> float | None:
    overall = card.get("evaluation", {}).get("cluster", {}).get("overall", {})
    return _number(overall.get("auroc"))


def _warnings(card: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(w) for w in card.get("warnings", []) or [])


def qsar_in_silico(
    structure: str, pack: DataPack | None = None, confidence: float = 0.9
) -> tuple[InSilicoResult, QSARCall]:
    """The LLNA QSAR's call for ``structure`` as an ITS in silico result, labelled as our QSAR.

    The call is the class of the model's one-class conformal set at ``confidence``, else
    "inconclusive" (then the ITS counts the in silico source as not available); ``in_domain``
    comes from its applicability
    domain (nearest training similarity). The tool is :data:`actives.safety.models.QSAR_TOOL`,
    so the ITS reports itself as not a GL497-evaluated variant.
    """
    from actives.safety.models import QSAR_TOOL, predict_sensitisation

    name, key, smiles = _standardised(structure, pack)
    try:
        frame = predict_sensitisation([smiles], [QSAR_ENDPOINT], confidence)[QSAR_ENDPOINT]
    except NotFoundError as exc:
        if exc.code == "model_missing":
            raise _missing_model(QSAR_ENDPOINT) from None
        raise
    row = frame.iloc[0]
    call = str(row["predicted"])
    if not call:
        raise InvalidStructureError(
            f"{structure!r} could not be featurised for the {QSAR_ENDPOINT} model; expected a "
            "structure RDKit can read after standardisation."
        )
    in_domain = bool(row["in_domain"])
    p_positive = float(row["p_positive"])
    nearest = float(row["nearest_similarity"])
    members = tuple(c for c in str(row["prediction_set"]).split("|") if c)
    card = _card(QSAR_ENDPOINT)
    trained = str(card.get("trained_at", ""))[:10]
    described = (
        f"{QSAR_TOOL}{', trained ' + trained if trained else ''}: P(positive) {p_positive:.2f}, "
        f"{confidence:.0%} prediction set {{{', '.join(members)}}}, nearest training "
        f"similarity {nearest:.2f} ({'in' if in_domain else 'outside the'} applicability "
        f"domain), for {smiles}"
    )
    result = InSilicoResult(call, QSAR_TOOL, in_domain=in_domain, source=described)
    return result, QSARCall(
        input=structure,
        name=name,
        smiles=smiles,
        inchikey=key,
        endpoint=QSAR_ENDPOINT,
        tool=QSAR_TOOL,
        call=result.call or call,
        p_positive=p_positive,
        prediction_set=members,
        confidence=confidence,
        in_domain=in_domain,
        nearest_similarity=nearest,
        trained_at=trained,
        cluster_auroc=_cluster_auroc(card),
        warnings=_warnings(card),
    )


def assess_sensitisation(
    assays: AssayResults,
    *,
    approach: str = ALL_APPROACHES,
    log_kow: float | None = None,
    qsar_structure: str | None = None,
    pack: DataPack | None = None,
    confidence: float = 0.9,
) -> SensitisationAssessment:
    """Run the chosen defined approach(es) on one chemical's assay results.

    ``qsar_structure`` (SMILES or a name in the data pack) fills the in silico slot from the
    LLNA QSAR; it cannot be combined with an in silico call of another tool.
    """
    ids = approach_ids(approach)
    qsar: QSARCall | None = None
    in_silico = assays.in_silico
    if qsar_structure is not None and qsar_structure.strip():
        if in_silico is not None:
            raise InvalidInputError(
                f"Both an in silico call ({in_silico.label}) and a QSAR structure were given; "
                "expected one of them: they fill the same in silico slot of the ITS."
            )
        in_silico, qsar = qsar_in_silico(qsar_structure, pack, confidence)
    if assays.empty and in_silico is None:
        raise InvalidInputError(
            "No information source was given; expected DPRA, KeratinoSens or h-CLAT results "
            "(values or calls), an in silico call with its tool, or a QSAR structure."
        )
    results = tuple(
        run_defined_approach(
            approach_id,
            dpra=assays.dpra,
            keratinosens=assays.keratinosens,
            hclat=assays.hclat,
            in_silico=in_silico,
            log_kow=log_kow,
        )
        for approach_id in ids
    )
    return SensitisationAssessment(results=results, qsar=qsar)


# --- QSAR predictions with measured data ------------------------------------------------------


@dataclass(frozen=True)
class ModelCall(Serialisable):
    """One sensitisation model's prediction: class probabilities, conformal set, domain."""

    endpoint: str
    title: str
    classes: tuple[str, ...]
    probabilities: dict[str, float | None]
    p_active: float | None
    predicted: str
    prediction_set: tuple[str, ...]
    in_domain: bool | None
    nearest_similarity: float | None
    cluster_auroc: float | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class MeasuredValue(Serialisable):
    """A measured (merged) sensitisation value of the data pack, with its record count."""

    endpoint: str
    title: str
    value: float | str
    unit: str
    relation: str
    n: int
    conflict: bool
    sources: str


@dataclass(frozen=True)
class SensitisationPrediction(Serialisable):
    """A structure's sensitisation predictions, and its measured data when the pack has some."""

    input: str
    name: str
    smiles: str
    inchikey: str
    status: str
    message: str
    confidence: float
    models: tuple[ModelCall, ...]
    measured: tuple[MeasuredValue, ...]
    measured_note: str


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _model_call(endpoint_id: str, row: dict[str, Any], card: dict[str, Any]) -> ModelCall:
    from actives.predict.registry import get_endpoint

    endpoint = get_endpoint(endpoint_id)
    in_domain = row.get("in_domain")
    return ModelCall(
        endpoint=endpoint_id,
        title=endpoint.title,
        classes=tuple(endpoint.classes),
        probabilities={c: _number(row.get(f"p_{c}")) for c in endpoint.classes},
        p_active=_number(row.get("p_active")),
        predicted=str(row.get("predicted") or ""),
        prediction_set=tuple(c for c in str(row.get("prediction_set") or "").split("|") if c),
        in_domain=None if in_domain is None else bool(in_domain),
        nearest_similarity=_number(row.get("nearest_similarity")),
        cluster_auroc=_cluster_auroc(card),
        warnings=_warnings(card),
    )


def _measured_values(row: dict[str, Any]) -> tuple[MeasuredValue, ...]:
    from actives.safety.data import ENDPOINTS

    found = []
    for endpoint in ENDPOINTS:
        value = row.get(endpoint.id)
        count = row.get(f"{endpoint.id}_n")
        if value is None or (isinstance(value, float) and math.isnan(value)) or not count:
            continue
        relation = row.get(f"{endpoint.id}_relation")
        found.append(
            MeasuredValue(
                endpoint=endpoint.id,
                title=endpoint.title,
                value=float(value) if endpoint.kind == "value" else str(value),
                unit=endpoint.unit,
                relation=relation if isinstance(relation, str) and relation != "=" else "",
                n=int(count),
                conflict=bool(row.get(f"{endpoint.id}_conflict")),
                sources=str(row.get(f"{endpoint.id}_source") or ""),
            )
        )
    return tuple(found)


def _measured_lookup(
    pack: DataPack | None, keys: list[str]
) -> tuple[dict[str, dict[str, Any]] | None, str]:
    """Measured sensitisation rows by InChIKey (None when they cannot be looked up), and why."""
    if pack is None:
        return None, "No data pack: measured sensitisation data were not looked up."
    lookup = getattr(pack, "sensitisation", None)  # packs built before the table lack it
    if lookup is None:
        return None, f"Data pack {pack.version} has no sensitisation data."
    try:
        table = lookup([k for k in keys if k])
    except DataPackMissingError as exc:
        return None, exc.message
    return {str(r["inchikey"]): r for r in table.to_dict("records")}, ""


def sensitisation_predictions(
    structures: Sequence[str],
    *,
    pack: DataPack | None = None,
    confidence: float = 0.9,
    endpoint_ids: Sequence[str] | None = None,
) -> list[SensitisationPrediction]:
    """The installed sensitisation models for each structure (SMILES, InChI or a pack name).

    Batch-safe: a structure that cannot be read gets status ``error`` with the reason; the
    others are predicted. No installed model at all raises NotFoundError saying how to get them.
    """
    from actives.safety.models import installed_sensitisation_models, predict_sensitisation

    if not 0 < confidence < 1:
        raise InvalidInputError(f"Confidence {confidence}; expected between 0 and 1.")
    if not structures:
        raise InvalidInputError("No structure given; expected at least one SMILES or name.")
    installed = installed_sensitisation_models()
    chosen = list(dict.fromkeys(endpoint_ids)) if endpoint_ids else installed
    missing = [e for e in chosen if e not in installed]
    if not chosen or missing:
        raise _missing_model(missing[0] if missing else QSAR_ENDPOINT)
    parsed: list[tuple[str, str, str, str, str]] = []  # input, name, key, smiles, error
    for text in structures:
        try:
            name, key, smiles = _standardised(text, pack)
            parsed.append((text, name, key, smiles, ""))
        except ActivesError as exc:
            parsed.append((text, "", "", "", exc.message))
    ok = [p for p in parsed if not p[4]]
    frames = predict_sensitisation([p[3] for p in ok], chosen, confidence) if ok else {}
    cards = {e: _card(e) for e in chosen}
    measured, note = _measured_lookup(pack, [p[2] for p in ok]) if ok else (None, "")
    out: list[SensitisationPrediction] = []
    position = 0
    for text, name, key, smiles, error in parsed:
        if error:
            out.append(
                SensitisationPrediction(text, name, "", "", "error", error, confidence, (), (), "")
            )
            continue
        calls = tuple(
            _model_call(e, cast(dict[str, Any], frames[e].iloc[position].to_dict()), cards[e])
            for e in chosen
        )
        position += 1
        row = measured.get(key) if measured is not None else None
        values = _measured_values(row) if row is not None else ()
        if measured is None:
            row_note = note
        elif pack is not None and row is not None:
            row_note = f"Measured: the sensitisation data of data pack {pack.version}."
        else:
            version = pack.version if pack is not None else ""
            row_note = f"Not in the sensitisation data of data pack {version}."
        out.append(
            SensitisationPrediction(
                text, name, smiles, key, "ok", "", confidence, calls, values, row_note
            )
        )
    return out


# --- margin of safety ----------------------------------------------------------------------


def _predicted_absorption(
    structure: str,
    concentration_percent: float | None,
    product_id: str | None,
    pack: DataPack | None,
) -> DermalAbsorption:
    """DAp from the skin_logkp model's log Kp by Fick flux, with a step stating the prediction."""
    from actives.predict.predictor import Predictor

    if concentration_percent is None or product_id is None:
        raise InvalidInputError(
            "A dermal absorption predicted from a structure needs the product type and the "
            "concentration (the amount applied per area comes from the product type); expected "
            "both."
        )
    product = product_type(product_id)
    applied = product.amount_per_area_mg_cm2_day()
    name, _key, smiles = _standardised(structure, pack)
    predictor = Predictor([PERMEATION_ENDPOINT], 0.9)
    row = predictor.predict([smiles]).iloc[0]
    if row["status"] != "ok":
        raise InvalidStructureError(str(row["message"]))
    e = PERMEATION_ENDPOINT
    log_kp = float(row[f"{e}_value"])
    low, high = float(row[f"{e}_low"]), float(row[f"{e}_high"])
    in_domain = bool(row[f"{e}_in_domain"])
    nearest = float(row[f"{e}_nearest"])
    card = predictor.models[e].card
    trained = str(card.get("trained_at", ""))[:10]
    version = f"(trained {trained})" if trained else ""
    absorption = DermalAbsorption.predicted_from_log_kp(
        log_kp,
        concentration_percent,
        applied,
        24.0,
        model=e,
        model_version=version,
        applied_source=(
            "table",
            f"{product.source}; {product.surface_area_source}: daily amount x retention "
            "factor x 1000 / skin surface area",
        ),
        exposure_source=("default", "24 h: a leave-on product stays on the skin all day"),
    )
    source = f"predicted by the {e} model {version}".strip()
    domain = (
        "inside its applicability domain"
        if in_domain
        else "OUTSIDE its applicability domain: the prediction is an extrapolation"
    )
    step = Step(
        "Predicted skin permeability",
        f"{name or smiles}: log Kp {log_kp:.2f} (Kp in cm/s), 90 % conformal interval "
        f"{low:.2f} to {high:.2f}; {domain} (nearest training similarity {nearest:.2f}).",
        f"{e} model ({card.get('assay', 'log Kp')}); LightGBM with a conformal interval and a "
        "nearest-neighbour applicability domain.",
        source,
        f"log Kp {log_kp:.2f}",
    )
    extra = (
        Quantity("structure", smiles, "", "user", name or "user"),
        Quantity(
            "log Kp 90 % interval", f"{low:.2f} to {high:.2f}", "log10(cm/s)", "predicted", source
        ),  # fmt: skip
        Quantity(f"{e} applicability domain", in_domain, "", "predicted", source),
    )
    return dataclasses.replace(
        absorption, steps=(step, *absorption.steps), inputs=(*extra, *absorption.inputs)
    )


def dermal_absorption_basis(
    *,
    percent: float | None = None,
    reference: str = "",
    predict_from: str | None = None,
    concentration_percent: float | None = None,
    product: str | None = None,
    pack: DataPack | None = None,
) -> DermalAbsorption:
    """A measured DAp (%), one predicted from a structure, or the SCCS default (50 %)."""
    if percent is not None and predict_from:
        raise InvalidInputError(
            "Both a measured dermal absorption and a structure to predict it from were given; "
            "expected one of them."
        )
    if percent is not None:
        return DermalAbsorption.measured(percent, reference or "user")
    if reference:
        raise InvalidInputError(
            "A dermal absorption reference was given without the dermal absorption (%); "
            "expected the measured value too."
        )
    if predict_from:
        return _predicted_absorption(predict_from, concentration_percent, product, pack)
    return DermalAbsorption.sccs_default()


def mos_assessment(
    *,
    pod_mg_kg_day: float,
    pod_type: str = "NOAEL",
    pod_route: str = "oral",
    pod_source: str = "user",
    oral_absorption_percent: float | None = None,
    product: str | None = None,
    concentration_percent: float | None = None,
    exposure_mg_kg_day: float | None = None,
    dermal_absorption_percent: float | None = None,
    dermal_reference: str = "",
    dermal_amount_ug_cm2: float | None = None,
    frequency_per_day: float | None = None,
    surface_area_cm2: float | None = None,
    predict_from: str | None = None,
    body_weight_kg: float | None = None,
    pack: DataPack | None = None,
) -> MoSResult:
    """SCCS margin of safety from plain fields, with one dermal absorption basis.

    The basis is a measured DAp (%), an absorbed amount per area (ug/cm2, the SED's amount form
    with ``frequency_per_day``), a DAp predicted from a structure, or the SCCS default (50 %).
    ``body_weight_kg`` only enters the amount form (A of the product tables is per kg already).
    """
    kind = pod_type.strip().upper()
    if kind not in POD_TYPES:
        raise InvalidInputError(
            f"Point of departure type {pod_type!r}; expected one of: {', '.join(POD_TYPES)}."
        )
    if pod_route not in POD_ROUTES:
        raise InvalidInputError(
            f"Point of departure route {pod_route!r}; expected one of: {', '.join(POD_ROUTES)}."
        )
    if oral_absorption_percent is not None and pod_route != "oral":
        raise InvalidInputError(
            f"An oral absorption was given for a {pod_route} point of departure; expected it "
            "only with an oral PoD (a dermal or systemic PoD is taken as systemic)."
        )
    if product is not None:
        product_type(product)  # an unknown product is named before anything else
    pod = PointOfDeparture(
        pod_mg_kg_day,
        kind=kind,
        route=cast(Literal["oral", "dermal", "systemic"], pod_route),
        bioavailability_percent=oral_absorption_percent,
        source=pod_source or "user",
        bioavailability_source="user",
    )
    bases = [
        name
        for name, given in (
            ("dermal absorption (%)", dermal_absorption_percent is not None),
            ("absorbed amount (ug/cm2)", dermal_amount_ug_cm2 is not None),
            ("a structure to predict from", bool(predict_from)),
        )
        if given
    ]
    if len(bases) > 1:
        raise InvalidInputError(
            f"Several dermal absorption bases were given ({', '.join(bases)}); expected one: a "
            "measured %, an absorbed amount per area, a structure to predict from, or none for "
            "the SCCS default of 50 %."
        )
    if dermal_amount_ug_cm2 is not None:
        result = margin_of_safety(
            pod,
            product_type=product,
            concentration_percent=concentration_percent,
            absorbed_ug_cm2=dermal_amount_ug_cm2,
            surface_area_cm2=surface_area_cm2,
            frequency_per_day=frequency_per_day,
            body_weight_kg=DEFAULT_BODY_WEIGHT_KG if body_weight_kg is None else body_weight_kg,
        )
        if not dermal_reference:
            return result
        # the study behind the absorbed amount is its source
        inputs = tuple(
            dataclasses.replace(q, source=dermal_reference) if q.name == ABSORBED_AMOUNT else q
            for q in result.inputs
        )
        references = (*result.references, dermal_reference)
        return dataclasses.replace(result, inputs=inputs, references=references)
    if body_weight_kg is not None or frequency_per_day is not None or surface_area_cm2 is not None:
        raise InvalidInputError(
            "Body weight, frequency and surface area enter only the SED from an absorbed amount "
            "per area; expected them with the absorbed amount (ug/cm2), not with a dermal "
            "absorption in % (A of the SCCS product tables is already per kg body weight)."
        )
    if concentration_percent is None:
        raise InvalidInputError(
            "No concentration given; expected the concentration of the ingredient in the "
            "product (%), or an absorbed amount per area (ug/cm2) with the frequency."
        )
    absorption = dermal_absorption_basis(
        percent=dermal_absorption_percent,
        reference=dermal_reference,
        predict_from=predict_from,
        concentration_percent=concentration_percent,
        product=product,
        pack=pack,
    )
    return margin_of_safety(
        pod,
        product_type=product,
        concentration_percent=concentration_percent,
        dermal_absorption=absorption,
        exposure_mg_kg_day=exposure_mg_kg_day,
    )


# --- QRA ---------------------------------------------------------------------------------------


def qra_assessment(
    *,
    concentration_percent: float,
    matrix: float,
    use: float,
    ec3_percent: float | None = None,
    human_noel_ug_cm2: float | None = None,
    human_study: str = "HRIPT",
    nesil_source: str = "",
    product: str | None = None,
    amount_mg_cm2_day: float | None = None,
    database: float = 1.0,
    inter_individual: float = 10.0,
    rationale: str = "",
) -> QRAResult:
    """Sensitiser QRA from an LLNA EC3 or a human NOEL (one of them) and the chosen SAFs."""
    if (ec3_percent is None) == (human_noel_ug_cm2 is None):
        got = "both" if ec3_percent is not None else "neither"
        raise InvalidInputError(
            f"The NESIL needs an LLNA EC3 (%) or a human no-effect induction level (ug/cm2); got "
            f"{got}, expected exactly one."
        )
    if product is not None and amount_mg_cm2_day is not None:
        raise InvalidInputError(
            "Both a product type and a product amount per area were given; expected one (the "
            "product type gives the amount per area from the SCCS table)."
        )
    if ec3_percent is not None:
        nesil = NESIL.from_ec3(ec3_percent, source=nesil_source)
    else:
        study = human_study.strip().upper()
        if study not in HUMAN_STUDIES:
            raise InvalidInputError(
                f"Human study {human_study!r}; expected one of: {', '.join(HUMAN_STUDIES)}."
            )
        assert human_noel_ug_cm2 is not None
        nesil = NESIL.from_human_noel(human_noel_ug_cm2, study=study, source=nesil_source)
    safs = SensitisationAssessmentFactors(
        matrix=matrix,
        use=use,
        inter_individual=inter_individual,
        database=database,
        rationale=rationale,
    )
    return quantitative_risk_assessment(
        nesil,
        safs,
        concentration_percent,
        product_type=product,
        amount_mg_cm2_day=amount_mg_cm2_day,
    )


# --- product types ----------------------------------------------------------------------------


def product_rows() -> list[dict[str, Any]]:
    """Every SCCS product type with its exposure values, sources, and amount per skin area."""
    rows = []
    for product in PRODUCT_TYPES:
        row = product.to_dict()
        row["amount_per_area_mg_cm2_day"] = (
            product.amount_per_area_mg_cm2_day() if product.surface_area_cm2 else None
        )
        rows.append(row)
    return rows
