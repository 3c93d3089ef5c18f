"""What the safety pages need, shaped for templates and files (no science here).

The science is :mod:`actives.safety`; the QSAR predictions with the pack's measured data come
from :mod:`actives.safety.assessment`, the calls the CLI and the API make too. This module turns
results into template rows, labels the library's fixed vocabulary (calls, origins, step titles)
in the active language, stores batch uploads for the background job, and keeps the inputs of one
ingredient's results in the session for the safety summary.
"""

from __future__ import annotations

import io
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from actives.config import get_settings
from actives.errors import (
    ActivesError,
    InvalidFileError,
    InvalidInputError,
    NotFoundError,
)
from actives.safety.defined_approaches import DEFINED_APPROACHES, DAResult
from actives.safety.exposure import PRODUCT_TYPES, ProductType
from actives.safety.inputs import COLUMNS as DA_COLUMNS
from actives.safety.reasoning import Quantity, Step
from actives.web.accounts.models import User
from actives.web.catalog.services import pack_or_none, structure_svg
from actives.web.jobs.models import Job
from actives.web.jobs.runner import submit_job

CONFIDENCE = 0.9
MODELS_MISSING = _("QSAR models not installed: run make models")
BATCH_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAX_BATCH_BYTES = 5 * 1024 * 1024
BATCH_RESULT = "da_results.parquet"
DOWNLOAD_FORMATS = ("csv", "xlsx")

# -- labels of the library's fixed vocabulary, in both languages ------------------------------

CALL_LABELS: dict[str, Promise] = {
    "positive": _("positive"),
    "negative": _("negative"),
    "inconclusive": _("inconclusive"),
    "not applicable": _("not applicable"),
    "sensitiser": _("sensitiser"),
    "non-sensitiser": _("non-sensitiser"),
    "missing": _("not tested"),
    "not available": _("not available"),
    "indicative only": _("indicative only"),
    "not evaluated under GL497": _("not evaluated under GL497"),
    "no potency sub-category": _("no potency sub-category"),
    "not stated": _("not stated"),
    "oral": _("oral"),
    "dermal": _("dermal"),
    "systemic": _("systemic"),
}
CATEGORY_LABELS: dict[str, Promise] = {
    "1": _("UN GHS Category 1 (sensitiser; the 2o3 gives no sub-category)"),
    "1A": _("UN GHS Category 1A (strong sensitiser)"),
    "1B": _("UN GHS Category 1B (other sensitiser)"),
    "1*": _("UN GHS Category 1, potency (1A or 1B) inconclusive"),
    "NC": _("Not classified"),
}
ORIGIN_LABELS: dict[str, Promise] = {
    "measured": _("measured"),
    "predicted": _("predicted"),
    "user": _("entered"),
    "default": _("default"),
    "table": _("SCCS table"),
    "derived": _("derived"),
}
STEP_TITLES: dict[str, Promise] = {
    "Origin of the assay results": _("Origin of the assay results"),
    "DPRA result": _("DPRA result"),
    "KeratinoSens result": _("KeratinoSens result"),
    "h-CLAT result": _("h-CLAT result"),
    "DPRA result (TG 442C)": _("DPRA result (TG 442C)"),
    "KeratinoSens result (TG 442D)": _("KeratinoSens result (TG 442D)"),
    "h-CLAT result (TG 442E)": _("h-CLAT result (TG 442E)"),
    "2 out of 3 decision": _("2 out of 3 decision"),
    "Potency": _("Sensitisation potency"),
    "DPRA score (ITS)": _("DPRA score (ITS)"),
    "h-CLAT score (ITS)": _("h-CLAT score (ITS)"),
    "In silico score (ITS)": _("In silico score (ITS)"),
    "In silico tool": _("In silico tool"),
    "ITS decision": _("ITS decision"),
    "Product type": _("Product type"),
    "Dermal absorption": _("Dermal absorption"),
    "Skin permeability coefficient": _("Skin permeability coefficient"),
    "Absorbed amount per area (Fick flux)": _("Absorbed amount per area (Fick flux)"),
    "Systemic exposure dosage": _("Systemic exposure dosage"),
    "Systemic point of departure": _("Systemic point of departure"),
    "Margin of safety": _("Margin of safety"),
    "NESIL": _("NESIL"),
    "Product exposure per area": _("Product exposure per area"),
    "Sensitisation assessment factors": _("Sensitisation assessment factors"),
    "Acceptable exposure level": _("Acceptable exposure level"),
    "Consumer exposure level": _("Consumer exposure level"),
    "Risk characterisation": _("Risk characterisation"),
}
QUANTITY_NAMES: dict[str, Promise] = {
    "DPRA Cys depletion": _("DPRA Cys depletion"),
    "DPRA Lys depletion": _("DPRA Lys depletion"),
    "DPRA call": _("DPRA call"),
    "KeratinoSens call": _("KeratinoSens call"),
    "KeratinoSens Imax": _("KeratinoSens Imax"),
    "KeratinoSens EC1.5": _("KeratinoSens EC1.5"),
    "h-CLAT call": _("h-CLAT call"),
    "h-CLAT CD86 RFI (max)": _("h-CLAT CD86 RFI (max)"),
    "h-CLAT CD54 RFI (max)": _("h-CLAT CD54 RFI (max)"),
    "h-CLAT MIT": _("h-CLAT MIT"),
    "in silico applicability domain": _("in silico applicability domain"),
    "log Kow": _("log Kow"),
    "PoD route": _("PoD route"),
    "bioavailability": _("oral absorption (bioavailability)"),
    "relative daily exposure A": _("relative daily exposure A"),
    "concentration C": _("concentration C"),
    "concentration": _("concentration"),
    "dermal absorption": _("dermal absorption"),
    "absorbed amount": _("absorbed amount"),
    "applied amount of the substance": _("applied amount of the substance"),
    "log Kp": _("log Kp"),
    "concentration in the product": _("concentration in the product"),
    "product applied per area": _("product applied per area"),
    "exposure time": _("exposure time"),
    "vehicle density": _("vehicle density"),
    "absorbed amount DAa": _("absorbed amount DAa"),
    "skin surface area SSA": _("skin surface area SSA"),
    "frequency of application F": _("frequency of application F"),
    "body weight": _("body weight"),
    "product per area per day": _("product per area per day"),
    "inter-individual SAF": _("inter-individual SAF"),
    "matrix SAF": _("matrix SAF"),
    "use SAF": _("use SAF"),
    "database SAF": _("database SAF"),
}
DA_TITLES: dict[str, Promise] = {
    "2o3": _("2 out of 3 (2o3)"),
    "its": _("Integrated Testing Strategy (ITS)"),
}
_UNIT_TEXT = (
    (re.compile(r"\bug/"), "µg/"),
    (re.compile(r"\buM\b"), "µM"),
    (re.compile(r"\bcm2\b"), "cm²"),
    (re.compile(r"\bcm3\b"), "cm³"),
    (re.compile(r" -> "), " → "),
    (re.compile(r" >= "), " ≥ "),
    (re.compile(r" <= "), " ≤ "),
    (re.compile(r"(?<=[\w)%]) x (?=[\w(])"), " × "),
)


def pretty_units(text: object) -> str:
    """Units and signs as people write them: ug/cm2 -> µg/cm², uM -> µM, -> as an arrow,
    >= as ≥, a multiplication x as ×."""
    out = str(text)
    for pattern, replacement in _UNIT_TEXT:
        out = pattern.sub(replacement, out)
    return out


def label(mapping: Mapping[str, Promise], key: object) -> str:
    """The translated label of a vocabulary word, or the word itself when it is not listed."""
    text = "" if key is None else str(key)
    return str(mapping[text]) if text in mapping else text


def significant(value: float, digits: int = 4) -> str:
    """A number with ``digits`` significant figures, without an exponent for everyday sizes."""
    if not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        magnitude = math.floor(math.log10(abs(value)))
        if -6 <= magnitude < 15:
            decimals = max(0, digits - 1 - magnitude)
            text = f"{value:.{decimals}f}"
    return text


def quantity_value(quantity: Quantity) -> str:
    """A sourced input's value for a table cell (calls and yes/no translated)."""
    value = quantity.value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("inside")) if "domain" in quantity.name else str(_("yes" if value else "no"))
    if isinstance(value, int | float):
        return significant(float(value))
    return label(CALL_LABELS, value)


def localised_name(product: ProductType) -> str:
    """A product type's name in the active language."""
    return product.name_ko if (get_language() or "").startswith("ko") else product.name_en


def product_type_choices(skin_only: bool = False) -> list[tuple[str, str]]:
    """Product types of the registry (SCCS NoG) for a menu; ``skin_only`` drops oral care."""
    return [
        (p.id, f"{localised_name(p)} ({p.use})")
        for p in PRODUCT_TYPES
        if not skin_only or p.surface_area_cm2 is not None
    ]


def product_type_info(product_id: str) -> ProductType | None:
    """The product type with this id, or None."""
    return PRODUCT_TYPES.get(product_id) if product_id in PRODUCT_TYPES else None


def da_title(approach_id: str) -> str:
    """A defined approach's title in the active language (registry title as the fallback)."""
    key = approach_id.lower()
    if key in DA_TITLES:
        return str(DA_TITLES[key])
    return DEFINED_APPROACHES.get(key).title


# -- results for templates --------------------------------------------------------------------


def _outcome_label(outcome: str) -> str:
    """A step's outcome in words: a call translated, a product type id as its name."""
    if outcome in PRODUCT_TYPES:
        return localised_name(PRODUCT_TYPES.get(outcome))
    score = re.fullmatch(r"score (\d+)", outcome)
    if score:
        return str(_("score %(s)s")) % {"s": score.group(1)}
    return label(CALL_LABELS, outcome)


def step_rows(steps: tuple[Step, ...]) -> list[dict[str, str]]:
    """Reasoning steps for a template: translated title and outcome, units written out."""
    return [
        {
            "title": label(STEP_TITLES, s.title),
            "detail": pretty_units(s.detail),
            "rule": pretty_units(s.rule),
            "source": pretty_units(s.source),
            "outcome": pretty_units(_outcome_label(s.outcome)),
            "raw_outcome": s.outcome,
        }
        for s in steps
    ]


def quantity_rows(
    quantities: tuple[Quantity, ...], provenance: Mapping[str, tuple[str, str]] | None = None
) -> list[dict[str, str]]:
    """Sourced inputs for a template: name, value, unit, origin, source.

    ``provenance`` names inputs whose origin and source the page knows better than the call it
    made (a value the page took from a table and passed on): name -> (origin, source).
    """
    rows = []
    for q in quantities:
        origin, source = (provenance or {}).get(q.name, (q.origin, q.source))
        name = str(_("in silico call")) if q.name.startswith("in silico call (") else q.name
        rows.append(
            {
                "name": pretty_units(label(QUANTITY_NAMES, name)),
                "value": quantity_value(q),
                "unit": pretty_units(q.unit),
                "origin": origin,
                "origin_label": label(ORIGIN_LABELS, origin),
                "source": str(_("entered by the user"))
                if source == "user"
                else label(CALL_LABELS, pretty_units(source)),
            }
        )
    return rows


def nonconformant_reasons(result: DAResult) -> list[str]:
    """Why a DA result is not a GL497 prediction (predicted assays, a tool GL497 did not
    evaluate); empty when it is one."""
    if result.guideline_conformant:
        return []
    reasons = []
    assays = [name for name in result.predicted_inputs if name != "in silico"]
    if assays:
        reasons.append(
            str(
                _(
                    "Predicted, not measured: %(assays)s. GL497 takes measured in chemico and in "
                    "vitro results; this outcome is indicative only."
                )
            )
            % {"assays": ", ".join(assays)}
        )
    if result.approach == "ITS" and "not evaluated" in result.variant:
        reasons.append(
            str(
                _(
                    "The in silico prediction comes from a tool GL497 did not evaluate for the "
                    "ITS (it evaluated Derek Nexus, ITSv1, and the OECD QSAR Toolbox, ITSv2): "
                    "%(variant)s."
                )
            )
            % {"variant": result.variant}
        )
    return reasons


def da_view(result: DAResult) -> dict[str, Any]:
    """One defined approach's result for the page and the summary."""
    return {
        "nonconformant": nonconformant_reasons(result),
        "r": result,
        "title": da_title(result.approach),
        "call_label": label(CALL_LABELS, result.call),
        "category_label": label(CATEGORY_LABELS, result.category) if result.category else "",
        "steps": step_rows(result.steps),
        "inputs": quantity_rows(result.inputs),
        "scores": [{"name": name, "score": score} for name, score in result.scores.items()],
        "guideline": pretty_units(result.guideline),
    }


# -- structures and predictions ----------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    """A structure as the models see it: the standardised parent, its key and a name."""

    query: str
    smiles: str
    inchikey: str
    name: str

    def svg(self, width: int = 300, height: int = 220) -> str:
        """The structure drawn as inline SVG."""
        return structure_svg(self.smiles, width, height)


def resolve(query: str) -> Structure:
    """A SMILES/InChI, or a name/CAS from the data pack, standardised (ChEMBL pipeline)."""
    from actives.chem.batch import process_structure
    from actives.predict.predictor import resolve_structure

    text = query.strip()
    if not text:
        raise InvalidInputError("No structure given; expected a SMILES, InChI or a name.")
    structure, name = resolve_structure(text, pack_or_none())
    key, smiles, _values = process_structure(structure, with_descriptors=False)
    return Structure(query=text, smiles=smiles, inchikey=key, name=name)


def sensitisation_models() -> list[str]:
    """Endpoint ids of the installed sensitisation models (empty: none installed)."""
    from actives.safety.models import installed_sensitisation_models

    return installed_sensitisation_models()


def permeation_model_installed() -> bool:
    """Whether the skin_logkp model (a predicted dermal absorption) is installed."""
    from actives.predict.shipped import available

    return "skin_logkp" in available()


def card_facts(endpoint_id: str) -> dict[str, Any]:
    """The headline facts of an installed classification model's card, for the page."""
    from actives.predict.shipped import find_model

    try:
        card = find_model(endpoint_id, "classification").card()
    except (ActivesError, OSError, ValueError):
        card = {}
    scaffold = card.get("evaluation", {}).get("scaffold", {}).get("overall", {})
    domain = card.get("applicability_domain") or {}
    return {
        "title": card.get("title", endpoint_id),
        "label_definition": card.get("label_definition", ""),
        "n_compounds": card.get("n_compounds"),
        "auroc": scaffold.get("auroc"),
        "balanced_accuracy": scaffold.get("balanced_accuracy"),
        "trained_at": str(card.get("trained_at", ""))[:10],
        "domain_threshold": domain.get("threshold"),
    }


def sensitisation_report(query: str, confidence: float = CONFIDENCE) -> dict[str, Any]:
    """Every installed sensitisation model for one structure, with the pack's measured data.

    The predictions come from :func:`actives.safety.assessment.sensitisation_predictions`, the
    call the CLI and the API make. NotFoundError (``model_missing``) without models;
    InvalidInputError or InvalidStructureError for what cannot be read as a structure.
    """
    from actives.safety.assessment import sensitisation_predictions

    if not sensitisation_models():
        raise NotFoundError(str(MODELS_MISSING), code="model_missing")
    pack = pack_or_none()
    (found,) = sensitisation_predictions([query], pack=pack, confidence=confidence)
    if found.status != "ok":
        raise InvalidInputError(found.message)
    # a warning every model card carries is shown once, under the table
    common = set.intersection(*(set(c.warnings) for c in found.models)) if found.models else set()
    models = [
        {
            "call": call,
            "card": card_facts(call.endpoint),
            "probabilities": [(c, call.probabilities.get(c)) for c in call.classes],
            "is_single": len(call.prediction_set) == 1,
            "warnings": [w for w in call.warnings if w not in common],
        }
        for call in found.models
    ]
    measured = [
        {
            "title": pretty_units(m.title),
            "value": (
                f"{m.relation}{significant(m.value, 3)}"
                if isinstance(m.value, float)
                else label(CALL_LABELS, m.value)
            ),
            "unit": "" if m.unit == "ratio" else pretty_units(m.unit),
            "n": m.n,
            "conflict": m.conflict,
            "sources": m.sources,
        }
        for m in found.measured
    ]
    structure = Structure(
        query=query, smiles=found.smiles, inchikey=found.inchikey, name=found.name
    )
    return {
        "prediction": found,
        "structure": structure,
        "models_found": models,
        "common_warnings": [w for w in found.models[0].warnings if w in common]
        if found.models
        else [],
        "measured": measured,
        "measured_note": found.measured_note,
        "pack_version": pack.version if pack is not None else "",
    }


# -- batch of DA inputs: uploads, job folders, the template ------------------------------------


def safety_home() -> Path:
    """ACTIVES_HOME: the batch job folders live under ``safety/`` there."""
    return get_settings().home


def batch_folder(token: str) -> Path:
    """The folder of one DA batch job (its upload and its result)."""
    if not token.isalnum():
        raise InvalidInputError(f"{token!r} is not a batch folder; expected letters and digits.")
    return safety_home() / "safety" / token


def file_slug(text: str) -> str:
    """A file-name friendly version of a name."""
    return "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in text).strip("_") or "table"


def start_da_batch(user: User, upload: UploadedFile[Any]) -> Job:
    """Store a DA input table, check that it can be read, and queue the batch run.

    A file that cannot be read is refused with its reason and not kept.
    """
    import shutil

    from actives.safety.inputs import read_da_inputs

    original = Path(upload.name or "").name
    suffix = Path(original).suffix.lower()
    if suffix not in BATCH_SUFFIXES:
        raise InvalidFileError(
            f"{original or 'The upload'} is not a DA input table; expected a file ending in "
            f"{', '.join(BATCH_SUFFIXES)}."
        )
    token = uuid.uuid4().hex
    folder = batch_folder(token)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_slug(Path(original).stem)}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        rows = read_da_inputs(path)
    except ActivesError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # a refused upload is not kept
        raise type(exc)(exc.message.replace(path.name, original), code=exc.code) from None
    params = {"token": token, "filename": path.name, "original_name": original, "rows": len(rows)}
    title = str(_("Defined approaches for %(file)s (%(n)s chemicals)")) % {
        "file": original,
        "n": f"{len(rows):,}",
    }
    return submit_job("safety_da_batch", params, user, title=title)


def template_table() -> pd.DataFrame:
    """The DA input template: every column the reader knows, and two invented example rows."""
    examples = [
        {"name": "example sensitiser (invented values)", "smiles": "O=C/C=C/c1ccccc1",
         "dpra_cys": "60", "dpra_lys": "30", "keratinosens_call": "positive",
         "keratinosens_imax": "4.2", "hclat_call": "positive", "hclat_cd86_rfi": "250",
         "hclat_cd54_rfi": "400", "hclat_mit": "5", "in_silico_call": "positive",
         "in_silico_in_domain": "in", "in_silico_tool": "Derek Nexus", "log_kow": "1.9"},
        {"name": "example non-sensitiser (invented values)", "smiles": "OCCO",
         "dpra_cys": "1.5", "dpra_lys": "0", "keratinosens_call": "negative",
         "keratinosens_imax": "1.1", "hclat_call": "negative", "hclat_cd86_rfi": "105",
         "hclat_cd54_rfi": "120", "in_silico_call": "negative", "in_silico_in_domain": "in",
         "in_silico_tool": "OECD QSAR Toolbox", "log_kow": "-1.4"},
    ]  # fmt: skip
    return pd.DataFrame(examples, columns=list(DA_COLUMNS), dtype=object).fillna("")


def template_bytes(fmt: str) -> tuple[bytes, str]:
    """The template as CSV or XLSX bytes, with its media type."""
    table = template_table()
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8-sig"), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        table.to_excel(buffer, index=False, sheet_name="DA inputs", engine="openpyxl")
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise InvalidInputError(f"Template format {fmt!r}; expected csv or xlsx.")


def batch_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The batch results as template rows (NaN as None, calls and categories labelled)."""
    rows = []
    for record in table.to_dict("records"):
        clean = {
            str(k): (None if pd.api.types.is_scalar(v) and pd.isna(v) else v)
            for k, v in record.items()
        }
        clean["da_2o3_call_label"] = label(CALL_LABELS, clean.get("da_2o3_call"))
        clean["da_its_call_label"] = label(CALL_LABELS, clean.get("da_its_call"))
        rows.append(clean)
    return rows


# -- the safety summary of one ingredient, kept in the session ---------------------------------

SUMMARY_KEY = "safety_summary"
SUMMARY_PARTS = ("qsar", "da", "mos", "qra")
SUMMARY_TITLES: dict[str, Promise] = {
    "qsar": _("QSAR"),
    "da": _("Defined approaches"),
    "mos": _("Margin of safety"),
    "qra": _("QRA"),
}


def summary_of(session: Mapping[str, Any]) -> dict[str, Any]:
    """The session's summary: ingredient, structure query and the stored inputs of each part."""
    stored = session.get(SUMMARY_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


def remember(
    session: Any, part: str, ingredient: str, data: Mapping[str, Any], structure: str = ""
) -> str:
    """Keep the inputs of a result for the summary; returns the ingredient it replaced, if any.

    The summary holds one ingredient: results for another name start a new summary.
    """
    if part not in SUMMARY_PARTS:
        raise InvalidInputError(f"Summary part {part!r}; expected one of {SUMMARY_PARTS}.")
    summary = summary_of(session)
    name = ingredient.strip()
    replaced = ""
    had_results = any(summary.get(p) for p in SUMMARY_PARTS)
    if had_results and summary.get("ingredient", "").casefold() != name.casefold():
        replaced = str(summary.get("ingredient") or _("an unnamed ingredient"))
        summary = {}
    summary["ingredient"] = name
    if structure:
        summary["structure"] = structure
    summary[part] = {str(k): v for k, v in data.items()}
    summary["updated"] = timezone.now().isoformat()
    session[SUMMARY_KEY] = summary
    return replaced


def forget(session: Any) -> None:
    """Empty the summary."""
    session.pop(SUMMARY_KEY, None)
