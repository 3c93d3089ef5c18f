"""Forms of the safety pages: the library's objects are built in ``clean`` so that every problem
it finds is shown next to the field it concerns, with what was expected.

Menus (product types, defined approaches) are read from the library's registries.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from actives.errors import ActivesError, InvalidInputError
from actives.safety.assessment import QSARCall, mos_assessment
from actives.safety.defined_approaches import (
    DPRAResult,
    HCLATResult,
    InSilicoResult,
    KeratinoSensResult,
    dpra_outcome,
    hclat_outcome,
    keratinosens_outcome,
)
from actives.safety.exposure import DEFAULT_BODY_WEIGHT_KG, PRODUCT_TYPES
from actives.safety.mos import MoSResult
from actives.safety.qra import (
    NESIL,
    QRAResult,
    SensitisationAssessmentFactors,
    quantitative_risk_assessment,
)
from actives.web.catalog.services import pack_or_none
from actives.web.core.uploads import check_upload
from actives.web.predictions.services import CONFIDENCES
from actives.web.safety import services
from actives.web.safety.services import (
    BATCH_SUFFIXES,
    MAX_BATCH_BYTES,
    Structure,
)

ORIGINS = [("measured", _("measured")), ("predicted", _("predicted"))]
CALLS = [
    ("", _("— (not given)")),
    ("positive", _("positive")),
    ("negative", _("negative")),
    ("inconclusive", _("inconclusive")),
]


def _expected_text(low: float | None, high: float | None, above: bool, unit: Any) -> str:
    """ "Expected a number from 0 to 100 (%)." in the active language."""
    values = {
        "low": f"{low:g}" if low is not None else "",
        "high": f"{high:g}" if high is not None else "",
    }
    if low is not None and high is not None:
        expected = (
            _("a number above %(low)s and at most %(high)s")
            if above
            else _("a number from %(low)s to %(high)s")
        ) % values
    elif low is not None:
        expected = (_("a number above %(low)s") if above else _("a number of at least %(low)s")) % (
            values
        )
    elif high is not None:
        expected = _("a number of at most %(high)s") % values
    else:
        expected = str(_("a number"))
    if unit:
        return str(_("Expected %(expected)s (%(unit)s).") % {"expected": expected, "unit": unit})
    return str(_("Expected %(expected)s.") % {"expected": expected})


_expected_lazy = lazy(_expected_text, str)


class Number(forms.FloatField):
    """A float field whose errors say the expected range and unit; ``above`` is exclusive.

    The range is checked here (not by Django's validators) so that one message, which names the
    range and the unit, answers every wrong value.
    """

    def __init__(
        self,
        label: Any,
        *,
        unit: Any = "",
        above: float | None = None,
        min_value: float | None = None,
        max_value: float | None = None,
        **kwargs: Any,
    ) -> None:
        self.above = above
        self.low = min_value
        self.high = max_value
        self.unit = unit
        low = above if above is not None else min_value
        message = _expected_lazy(low, max_value, above is not None, unit)
        errors: dict[str, Any] = {"invalid": message}
        errors.update(kwargs.pop("error_messages", {}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "any"}))
        super().__init__(label=label, error_messages=errors, **kwargs)
        self.expected_message = message

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if (
            (self.above is not None and value <= self.above)
            or (self.low is not None and value < self.low)
            or (self.high is not None and value > self.high)
        ):
            raise forms.ValidationError(self.expected_message, code="out_of_range")


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("max_length", 300)
    return forms.CharField(label=label, strip=True, **kwargs)


def _radio(label: Any, choices: list[tuple[str, Any]], initial: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, initial=initial, widget=forms.RadioSelect, required=False
    )


def _product_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Product type"),
        initial="face_cream",
        error_messages={
            "required": _("Choose a product type."),
            "invalid_choice": _("%(value)s is not a product type of the SCCS tables."),
        },
    )


def _product_menu(field: forms.Field, skin_only: bool) -> None:
    """Product types from the registry; choosing one shows its SCCS values (HTMX)."""
    field.choices = services.product_type_choices(skin_only)  # type: ignore[attr-defined]
    field.widget.attrs.update(
        {
            "hx-get": reverse("safety:product_type") + ("?for=qra" if skin_only else ""),
            "hx-target": "#product-facts",
            "hx-trigger": "change",
        }
    )


def _ingredient_field() -> forms.CharField:
    return _text(
        _("Ingredient"),
        max_length=200,
        help_text=_("The name used in the safety summary (PDF)."),
    )


class DAForm(forms.Form):
    """Information sources of the OECD GL497 defined approaches for one chemical."""

    ingredient = _ingredient_field()
    dpra_origin = _radio(_("The result is"), ORIGINS, "measured")
    dpra_cys = Number(_("Cys depletion"), unit="%", min_value=-100, max_value=100)
    dpra_lys = Number(_("Lys depletion"), unit="%", min_value=-100, max_value=100)
    dpra_cys_only = forms.BooleanField(
        label=_("Cys only"),
        help_text=_("Lys co-elutes or cannot be evaluated: the Cys-only model applies."),
        required=False,
    )
    dpra_call = forms.ChoiceField(label=_("Call"), choices=CALLS, required=False)
    dpra_source = _text(_("Source"), help_text=_("Study report, or the model that predicted it."))
    ks_origin = _radio(_("The result is"), ORIGINS, "measured")
    ks_call = forms.ChoiceField(label=_("Call"), choices=CALLS, required=False)
    ks_imax = Number(_("Imax"), unit=_("fold induction"), min_value=0)
    ks_ec15 = Number(_("EC1.5"), unit="µM", above=0)
    ks_source = _text(_("Source"), help_text=_("Study report, or the model that predicted it."))
    hclat_origin = _radio(_("The result is"), ORIGINS, "measured")
    hclat_call = forms.ChoiceField(label=_("Call"), choices=CALLS, required=False)
    hclat_cd86 = Number(_("CD86 RFI, highest"), unit="%", min_value=0)
    hclat_cd54 = Number(_("CD54 RFI, highest"), unit="%", min_value=0)
    hclat_mit = Number(
        _("MIT (minimum induction threshold)"), unit="µg/mL", above=0, max_value=5000
    )
    hclat_source = _text(_("Source"), help_text=_("Study report, or the model that predicted it."))
    insilico_mode = forms.ChoiceField(
        label=_("In silico prediction (ITS)"),
        choices=[
            ("none", _("none")),
            ("entered", _("a prediction from a tool (Derek Nexus, OECD QSAR Toolbox, other)")),
            ("qsar", _("the Actives QSAR for this structure (not a GL497-evaluated tool)")),
        ],
        initial="none",
        widget=forms.RadioSelect,
        required=False,
    )
    insilico_call = forms.ChoiceField(label=_("In silico call"), choices=CALLS[:3], required=False)
    insilico_tool = _text(_("Tool"), max_length=120)
    insilico_version = _text(_("Tool version"), max_length=60)
    insilico_domain = forms.ChoiceField(
        label=_("Applicability domain"),
        choices=[("in", _("inside")), ("out", _("outside"))],
        initial="in",
        required=False,
    )
    structure = _text(
        _("Structure"),
        max_length=2000,
        help_text=_(
            "SMILES, or a name from the data pack. Needed for the Actives QSAR; drawn in the "
            "safety summary."
        ),
    )
    log_kow = Number(_("log Kow"), min_value=-10, max_value=20)
    log_kow_origin = _radio(_("The value is"), ORIGINS, "measured")
    log_kow_source = _text(_("Source"))

    GROUPS = {
        "dpra": ("dpra_cys", "dpra_lys", "dpra_call"),
        "ks": ("ks_call", "ks_imax", "ks_ec15"),
        "hclat": ("hclat_call", "hclat_cd86", "hclat_cd54", "hclat_mit"),
    }
    # every field of a group: a group with a broken field is not built (its error is shown)
    GROUP_FIELDS = {
        "dpra": ("dpra_origin", "dpra_cys", "dpra_lys", "dpra_cys_only", "dpra_call"),
        "ks": ("ks_origin", "ks_call", "ks_imax", "ks_ec15"),
        "hclat": ("hclat_origin", "hclat_call", "hclat_cd86", "hclat_cd54", "hclat_mit"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assays: dict[str, Any] = {
            "dpra": None, "keratinosens": None, "hclat": None, "in_silico": None,
        }  # fmt: skip
        self.qsar: QSARCall | None = None
        self.resolved: Structure | None = None
        self.fields["insilico_tool"].widget.attrs["list"] = "insilico-tools"

    def _present(self, group: str) -> bool:
        """Whether the group was filled in (a value given, or a field that could not be read)."""
        data = self.cleaned_data
        return any(
            data.get(name) not in (None, "") or name in self.errors for name in self.GROUPS[group]
        )

    def _broken(self, group: str) -> bool:
        return any(name in self.errors for name in self.GROUP_FIELDS[group])

    def _build(self, anchor: str, build: Any) -> Any:
        try:
            return build()
        except InvalidInputError as exc:
            self.add_error(anchor, exc.message)
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        present = {g: self._present(g) for g in self.GROUPS}
        mode = data.get("insilico_mode") or "none"
        if not any(present.values()) and mode == "none":
            raise forms.ValidationError(
                _(
                    "Enter at least one information source: DPRA, KeratinoSens, h-CLAT or an "
                    "in silico prediction."
                ),
                code="empty",
            )
        if present["dpra"] and not self._broken("dpra"):
            self._clean_dpra(data)
        if present["ks"] and not self._broken("ks"):
            ks = self._build(
                "ks_call",
                lambda: KeratinoSensResult(
                    data.get("ks_call") or None,
                    data.get("ks_imax"),
                    data.get("ks_ec15"),
                    data.get("ks_origin") or "measured",
                    data.get("ks_source") or "",
                ),
            )
            if ks is not None and self._build("ks_call", lambda: keratinosens_outcome(ks)):
                self.assays["keratinosens"] = ks
        if present["hclat"] and not self._broken("hclat"):
            self._clean_hclat(data)
        structure = data.get("structure") or ""
        if structure and "structure" not in self.errors:
            try:
                self.resolved = services.resolve(structure)
            except ActivesError as exc:
                self.add_error("structure", exc.message)
        if mode == "entered":
            self._clean_entered(data)
        elif mode == "qsar":
            self._clean_qsar(structure)
        return data

    def _clean_dpra(self, data: dict[str, Any]) -> None:
        cys, lys = data.get("dpra_cys"), data.get("dpra_lys")
        if data.get("dpra_cys_only") and lys is not None:
            self.add_error(
                "dpra_lys",
                _("“Cys only” is ticked: leave the Lys depletion empty, or untick “Cys only”."),
            )
            return
        if cys is not None and lys is None and not data.get("dpra_cys_only"):
            self.add_error(
                "dpra_lys",
                _(
                    "Expected the Lys depletion (%); when Lys co-elutes or cannot be evaluated, "
                    "tick “Cys only”."
                ),
            )
            return
        if data.get("dpra_cys_only") and cys is None:
            self.add_error("dpra_cys", _("“Cys only” is ticked: expected the Cys depletion (%)."))
            return
        dpra = self._build(
            "dpra_cys" if cys is not None or lys is not None else "dpra_call",
            lambda: DPRAResult(
                cys,
                lys,
                data.get("dpra_call") or None,
                data.get("dpra_origin") or "measured",
                data.get("dpra_source") or "",
            ),
        )
        if dpra is not None and self._build("dpra_call", lambda: dpra_outcome(dpra)):
            self.assays["dpra"] = dpra

    def _clean_hclat(self, data: dict[str, Any]) -> None:
        cd86, cd54 = data.get("hclat_cd86"), data.get("hclat_cd54")
        if (cd86 is None) != (cd54 is None):
            missing = "hclat_cd54" if cd54 is None else "hclat_cd86"
            self.add_error(
                missing, _("Expected both CD86 and CD54 RFI (or neither): give this one too.")
            )
            return
        anchor = "hclat_mit" if data.get("hclat_mit") is not None else "hclat_call"
        hclat = self._build(
            anchor,
            lambda: HCLATResult(
                data.get("hclat_call") or None,
                cd86,
                cd54,
                data.get("hclat_mit"),
                data.get("hclat_origin") or "measured",
                data.get("hclat_source") or "",
            ),
        )
        log_kow = data.get("log_kow")
        if hclat is not None and self._build("hclat_call", lambda: hclat_outcome(hclat, log_kow)):
            self.assays["hclat"] = hclat

    def _clean_entered(self, data: dict[str, Any]) -> None:
        if not data.get("insilico_call"):
            self.add_error("insilico_call", _("Expected the tool's call: positive or negative."))
            return
        if not data.get("insilico_tool"):
            self.add_error(
                "insilico_tool",
                _("Expected the name of the tool (e.g. Derek Nexus or OECD QSAR Toolbox)."),
            )
            return
        self.assays["in_silico"] = self._build(
            "insilico_call",
            lambda: InSilicoResult(
                data["insilico_call"],
                data["insilico_tool"],
                in_domain=data.get("insilico_domain", "in") != "out",
                version=data.get("insilico_version") or "",
            ),
        )

    def _clean_qsar(self, structure: str) -> None:
        """The LLNA QSAR fills the in silico slot, labelled as not a GL497-evaluated tool (the
        same call the CLI and the API make)."""
        from actives.safety.assessment import qsar_in_silico

        if not structure:
            self.add_error(
                "structure",
                _("The Actives QSAR needs a structure: expected a SMILES or a name."),
            )
            return
        if self.resolved is None:
            return  # the structure's own error is already shown
        if not services.sensitisation_models():
            self.add_error("insilico_mode", services.MODELS_MISSING)
            return
        try:
            self.assays["in_silico"], self.qsar = qsar_in_silico(
                self.resolved.smiles, pack_or_none(), services.CONFIDENCE
            )
        except ActivesError as exc:
            self.add_error("insilico_mode", exc.message)

    def kow_source_text(self) -> str:
        """How the library is told where log Kow came from (its origin is read from the text)."""
        data = self.cleaned_data
        given = data.get("log_kow_source") or ""
        if data.get("log_kow_origin") == "predicted":
            return f"predicted ({given})" if given else "predicted (model not stated)"
        return given or "user (measured)"


class DABatchForm(forms.Form):
    """A CSV or XLSX table of DA inputs, one chemical per row."""

    file = forms.FileField(
        label=_("DA input table (.csv or .xlsx)"),
        help_text=_(
            "One chemical per row with the template's columns (name, smiles, dpra_cys, dpra_lys, "
            "dpra_call, keratinosens_call, keratinosens_imax, hclat_call, hclat_cd86_rfi, "
            "hclat_cd54_rfi, hclat_mit, in_silico_call, in_silico_in_domain, in_silico_tool, "
            "log_kow). Assay values are read as measured. A row that cannot be read gets an error "
            "message; the other rows still run."
        ),
        error_messages={"required": _("Choose a DA input table to upload.")},
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        check_upload(upload, BATCH_SUFFIXES, MAX_BATCH_BYTES)
        return upload


class QSARForm(forms.Form):
    """A structure for the sensitisation QSAR models."""

    q = forms.CharField(
        label=_("Structure or name"),
        max_length=2000,
        strip=True,
        error_messages={"required": _("Enter a SMILES, an InChI, or a name or CAS number.")},
    )
    confidence = forms.TypedChoiceField(
        label=_("Conformal set confidence"),
        choices=[(str(c), f"{c:.0%}") for c in CONFIDENCES],
        coerce=float,
        initial="0.9",
        required=False,
        empty_value=None,
    )
    ingredient = _ingredient_field()


ABSORPTION_BASES = [
    ("default", _("SCCS default (50 %)")),
    (
        "measured_percent",
        # xgettext:no-python-format
        _("measured, % of the applied dose"),
    ),
    ("measured_amount", _("measured, absorbed amount per area (µg/cm²)")),
    ("predicted", _("predicted from the structure (skin_logkp model, Fick flux)")),
]
POD_KINDS = [("NOAEL", "NOAEL"), ("NOEL", "NOEL"), ("BMDL10", "BMDL10"), ("BMDL05", "BMDL05")]
ROUTES = [("oral", _("oral")), ("dermal", _("dermal")), ("systemic", _("systemic"))]


class MoSForm(forms.Form):
    """An ingredient in a product: the SCCS margin of safety inputs."""

    ingredient = _ingredient_field()
    product_type = _product_field()
    concentration = Number(
        _("Concentration in the product"),
        unit="%",
        above=0,
        max_value=100,
        help_text=_("Not used with an absorbed amount per area (measured at the in-use level)."),
    )
    pod_value = Number(
        _("Point of departure"),
        unit=_("mg/kg bw/day"),
        above=0,
        required=True,
        error_messages={"required": _("Expected the point of departure (mg/kg bw/day).")},
    )
    pod_kind = forms.ChoiceField(label=_("Type"), choices=POD_KINDS, initial="NOAEL")
    pod_route = forms.ChoiceField(label=_("Route of the study"), choices=ROUTES, initial="oral")
    oral_absorption = Number(
        _("Oral absorption"),
        unit="%",
        above=0,
        max_value=100,
        help_text=_(
            # xgettext:no-python-format
            "Empty: the SCCS default of 50 % for an oral PoD (100 % for dermal/systemic)."
        ),
    )
    pod_source = _text(_("Source of the PoD (study, opinion)"))
    absorption_basis = forms.ChoiceField(
        label=_("Basis"),
        choices=ABSORPTION_BASES,
        initial="default",
        widget=forms.RadioSelect,
    )
    absorption_percent = Number(
        _("Measured dermal absorption"), unit="%", min_value=0, max_value=100
    )
    absorbed_ug_cm2 = Number(_("Measured absorbed amount DAa"), unit="µg/cm²", min_value=0)
    frequency = Number(
        _("Applications per day"), unit=_("per day"), above=0, max_value=50, initial=1
    )
    absorption_reference = _text(_("Reference of the dermal absorption study"))
    structure = _text(
        _("Structure"),
        max_length=2000,
        help_text=_(
            "SMILES, or a name from the data pack. Needed to predict the dermal absorption; "
            "drawn in the safety summary."
        ),
    )
    body_weight = Number(
        _("Body weight"),
        unit="kg",
        above=0,
        max_value=500,
        initial=f"{DEFAULT_BODY_WEIGHT_KG:g}",
        help_text=_(
            "Used with an absorbed amount per area; A of the SCCS tables is already per kg body "
            "weight (60 kg)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _product_menu(self.fields["product_type"], skin_only=False)
        self.result: MoSResult | None = None
        self.resolved: Structure | None = None

    def _require(self, name: str, message: Any) -> None:
        if self.cleaned_data.get(name) is None and name not in self.errors:
            self.add_error(name, message)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        basis = data.get("absorption_basis") or "default"
        weight = data.get("body_weight")
        if weight is None:
            weight = DEFAULT_BODY_WEIGHT_KG
        if (
            "body_weight" not in self.errors
            and basis != "measured_amount"
            and weight != DEFAULT_BODY_WEIGHT_KG
        ):
            self.add_error(
                "body_weight",
                _(
                    "Body weight is used with an absorbed amount per area (µg/cm²); the "
                    "exposure A of the SCCS tables is already per kg body weight (60 kg). Expected "
                    "60 kg here, or the µg/cm² basis."
                ),
            )
        if basis != "measured_amount":
            self._require(
                "concentration", _("Expected the concentration in the product (%), above 0.")
            )
        if basis == "measured_percent":
            self._require(
                "absorption_percent",
                # xgettext:no-python-format
                _("Expected the measured dermal absorption (% of the applied dose)."),
            )
        if basis == "measured_amount":
            self._require(
                "absorbed_ug_cm2", _("Expected the measured absorbed amount per area (µg/cm²).")
            )
        structure = data.get("structure") or ""
        if structure and "structure" not in self.errors:
            try:
                self.resolved = services.resolve(structure)
            except ActivesError as exc:
                self.add_error("structure", exc.message)
        if basis == "predicted" and not structure and "structure" not in self.errors:
            self.add_error(
                "structure",
                _(
                    "A predicted dermal absorption needs the structure: expected a SMILES or a "
                    "name."
                ),
            )
        product = PRODUCT_TYPES.get(data["product_type"]) if data.get("product_type") else None
        if basis == "predicted" and product is not None and product.surface_area_cm2 is None:
            self.add_error(
                "product_type",
                _(
                    "%(product)s is used in the oral cavity and has no skin surface area; a "
                    "dermal absorption cannot be predicted for it. Expected a product applied to "
                    "the skin."
                )
                % {"product": services.localised_name(product)},
            )
        if basis == "predicted" and not services.permeation_model_installed():
            self.add_error(
                "absorption_basis",
                _("The skin_logkp model is not installed: run make models."),
            )
        if self.errors:
            return data
        assert product is not None
        amount_form = basis == "measured_amount"
        try:
            self.result = mos_assessment(
                pod_mg_kg_day=data["pod_value"],
                pod_type=data["pod_kind"],
                pod_route=data["pod_route"],
                pod_source=data.get("pod_source") or "user",
                oral_absorption_percent=data.get("oral_absorption"),
                product=product.id,
                concentration_percent=None if amount_form else data["concentration"],
                dermal_absorption_percent=(
                    data["absorption_percent"] if basis == "measured_percent" else None
                ),
                dermal_reference=data.get("absorption_reference") or "",
                dermal_amount_ug_cm2=data["absorbed_ug_cm2"] if amount_form else None,
                frequency_per_day=(data.get("frequency") or 1.0) if amount_form else None,
                predict_from=self.resolved.smiles
                if basis == "predicted" and self.resolved
                else None,
                body_weight_kg=weight if amount_form else None,
                pack=pack_or_none(),
            )
        except ActivesError as exc:
            self.add_error(self._field_of(exc), exc.message)
        return data

    @staticmethod
    def _field_of(exc: ActivesError) -> str | None:
        """The field a library message is about (None: the whole form)."""
        text = exc.message.lower()
        for words, name in (
            (("oral absorption", "bioavailability"), "oral_absorption"),
            (("structure", "featuris", "smiles"), "structure"),
            (("surface area", "product type"), "product_type"),
            (("concentration",), "concentration"),
            (("absorbed amount",), "absorbed_ug_cm2"),
            (("dermal absorption",), "absorption_percent"),
            (("noael", "noel", "bmdl", "point of departure"), "pod_value"),
        ):
            if any(w in text for w in words):
                return name
        return None


SAF_CHOICES = [("", _("— choose")), ("1", "1"), ("3", "3"), ("10", "10")]


class QRAForm(forms.Form):
    """A skin sensitiser in a product: the QRA inputs (NESIL, SAFs, exposure)."""

    ingredient = _ingredient_field()
    nesil_basis = forms.ChoiceField(
        label=_("NESIL from"),
        choices=[
            ("ec3", _("a mouse LLNA EC3 (NESIL = EC3 × 250 µg/cm² per %)")),
            ("human", _("a human no-effect induction level (HRIPT or HMT NOEL)")),
        ],
        initial="ec3",
        widget=forms.RadioSelect,
    )
    ec3 = Number(_("LLNA EC3"), unit="%", above=0, max_value=100)
    human_noel = Number(_("Human NOEL"), unit="µg/cm²", above=0)
    human_study = forms.ChoiceField(
        label=_("Human study"),
        choices=[("HRIPT", "HRIPT"), ("HMT", "HMT")],
        initial="HRIPT",
        required=False,
    )
    nesil_origin = _radio(_("The value is"), ORIGINS, "measured")
    nesil_source = _text(_("Source of the value"))
    product_type = _product_field()
    amount = Number(
        _("Product per area per day (optional)"),
        unit=_("mg/cm²/day"),
        above=0,
        help_text=_("Empty: from the product type (daily amount × retention factor / skin area)."),
    )
    concentration = Number(
        _("Concentration in the product"),
        unit="%",
        above=0,
        max_value=100,
        required=True,
        error_messages={"required": _("Expected the concentration in the product (%), above 0.")},
    )
    saf_inter = Number(
        _("Inter-individual SAF"), min_value=1, max_value=100, initial=10, required=True
    )
    saf_matrix = forms.TypedChoiceField(
        label=_("Matrix SAF"),
        choices=SAF_CHOICES,
        coerce=float,
        error_messages={"required": _("Choose the matrix factor: 1, 3 or 10 (Api et al. 2008).")},
    )
    saf_use = forms.TypedChoiceField(
        label=_("Use SAF"),
        choices=SAF_CHOICES,
        coerce=float,
        error_messages={"required": _("Choose the use factor: 1, 3 or 10 (Api et al. 2008).")},
    )
    saf_database = Number(_("Database SAF"), min_value=1, max_value=100, initial=1, required=True)
    saf_rationale = _text(_("Why these matrix and use factors"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _product_menu(self.fields["product_type"], skin_only=True)
        self.result: QRAResult | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        basis = data.get("nesil_basis") or "ec3"
        if basis == "ec3" and data.get("ec3") is None and "ec3" not in self.errors:
            self.add_error("ec3", _("Expected the LLNA EC3 (%), above 0 and at most 100."))
        if basis == "human" and data.get("human_noel") is None and "human_noel" not in self.errors:
            self.add_error("human_noel", _("Expected the human NOEL (µg/cm²), above 0."))
        if self.errors:
            return data
        origin = data.get("nesil_origin") or "measured"
        source = data.get("nesil_source") or ""
        if basis == "ec3":
            nesil = NESIL.from_ec3(data["ec3"], origin, source)
        else:
            nesil = NESIL.from_human_noel(
                data["human_noel"], data.get("human_study") or "HRIPT", origin, source
            )
        try:
            safs = SensitisationAssessmentFactors(
                matrix=data["saf_matrix"],
                use=data["saf_use"],
                inter_individual=data["saf_inter"],
                database=data["saf_database"],
                rationale=data.get("saf_rationale") or "",
            )
        except InvalidInputError as exc:
            self.add_error("saf_matrix", exc.message)
            return data
        try:
            self.result = quantitative_risk_assessment(
                nesil,
                safs,
                data["concentration"],
                product_type=data["product_type"],
                amount_mg_cm2_day=data.get("amount"),
            )
        except InvalidInputError as exc:
            self.add_error("product_type", exc.message)
        return data
