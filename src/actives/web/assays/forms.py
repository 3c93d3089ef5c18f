"""Forms of the assay pages: uploads of dose-response and qPCR runs, qPCR analysis settings,
and the structure behind each measured potency.

Limits shown to the user (cut-offs, ranges) come from the library's settings classes, so a form
cannot accept what the analysis would refuse.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from actives.assays.qpcr.analysis import CQ_METHODS
from actives.assays.qpcr.calls import CallSettings
from actives.web.assays.models import QpcrAssay
from actives.web.core.uploads import check_upload

DOSE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
QPCR_SUFFIXES = (".rdml", ".xml", ".csv", ".tsv", ".txt", ".xlsx")
LAYOUT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAX_ASSAY_BYTES = 20 * 1024 * 1024
DEFAULT_CALLS = CallSettings()


def _limit() -> int:
    return min(MAX_ASSAY_BYTES, int(getattr(settings, "MAX_UPLOAD_BYTES", MAX_ASSAY_BYTES)))


class _RunUploadForm(forms.Form):
    """A run's data file (suffixes per kind of run) and an optional layout, checked before
    anything is stored."""

    file_suffixes: tuple[str, ...] = ()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        check_upload(upload, self.file_suffixes, _limit())
        return upload

    def clean_layout(self) -> Any:
        upload = self.cleaned_data.get("layout")
        check_upload(upload, LAYOUT_SUFFIXES, _limit())
        return upload


class DoseResponseUploadForm(_RunUploadForm):
    """A plate-reader export with its layout, or a tidy table, and how to read the response."""

    file_suffixes = DOSE_SUFFIXES

    name = forms.CharField(label=_("Run name"), max_length=200, strip=True)
    assay = forms.CharField(
        label=_("Assay"),
        max_length=200,
        strip=True,
        help_text=_("What was measured, e.g. mushroom tyrosinase, L-DOPA, 475 nm."),
    )
    file = forms.FileField(
        label=_("Data file"),
        help_text=_(
            "A tidy table (sample, concentration, response) or a plate-reader export (CSV or XLSX)."
        ),
    )
    layout = forms.FileField(
        label=_("Plate layout"),
        required=False,
        help_text=_("For a plate export: which well holds which sample, concentration or control."),
    )
    response = forms.ChoiceField(
        label=_("Response in the file"),
        choices=[
            ("auto", _("Detect")),
            ("inhibition", _("Inhibition (%)")),
            ("activity", _("% activity (of the negative control)")),
            ("signal", _("Raw signal (absorbance, fluorescence)")),
        ],
        initial="auto",
    )
    model = forms.ChoiceField(
        label=_("Curve model"),
        choices=[
            ("auto", _("Choose 4PL or 3PL by the data")),
            ("4pl", _("4PL (variable slope)")),
            ("3pl", _("3PL (Hill slope 1)")),
        ],
        initial="auto",
    )


class QpcrUploadForm(_RunUploadForm):
    """An RDML file or an instrument export, with an optional plate layout."""

    file_suffixes = QPCR_SUFFIXES

    name = forms.CharField(label=_("Run name"), max_length=200, strip=True)
    file = forms.FileField(
        label=_("qPCR file"),
        help_text=_(
            "RDML, or an amplification export of Bio-Rad CFX, QuantStudio or LightCycler "
            "(CSV/XLSX), or a table with a cycle column and one column per well."
        ),
    )
    layout = forms.FileField(
        label=_("Plate layout"),
        required=False,
        help_text=_("CSV/XLSX with well, sample, sample_type (unkn, std, ntc…), target, quantity."),
    )
    assay = forms.ModelChoiceField(
        label=_("Assay"),
        queryset=QpcrAssay.objects.none(),
        required=False,
        empty_label=_("— default cut-offs —"),
        help_text=_("A saved assay analyses the run with its Cq method and cut-offs."),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assay: Any = self.fields["assay"]
        assay.queryset = QpcrAssay.objects.visible_to(user) if user else QpcrAssay.objects.none()


class QpcrSettingsForm(forms.Form):
    """The analysis settings of a run: Cq method and the cut-offs of the calls."""

    cq_method = forms.ChoiceField(
        label=_("Cq method"),
        choices=list(
            zip(
                CQ_METHODS,
                (_("threshold crossing"), _("second-derivative maximum"), _("LinRegPCR")),
                strict=True,
            )
        ),
        initial="threshold",
        help_text=_(
            "Threshold crossing (a common threshold, as LinRegPCR), the second-derivative "
            "maximum, or LinRegPCR's Cq (window-of-linearity regression with the target's "
            "mean efficiency)."
        ),
    )
    cq_cutoff = forms.FloatField(
        label=_("Cq cut-off (cycles)"),
        min_value=1,
        max_value=100,
        initial=DEFAULT_CALLS.cq_cutoff,
    )
    late_cq_call = forms.ChoiceField(
        label=_("A Cq beyond the cut-off is"),
        choices=[("negative", _("negative")), ("inconclusive", _("inconclusive"))],
        initial=DEFAULT_CALLS.late_cq_call,
    )
    max_replicate_sd = forms.FloatField(
        label=_("Largest replicate Cq SD (cycles)"),
        min_value=0.01,
        max_value=10,
        initial=DEFAULT_CALLS.max_replicate_sd,
    )
    ntc_margin = forms.FloatField(
        label=_("NTC margin (cycles)"),
        min_value=0,
        max_value=40,
        initial=DEFAULT_CALLS.ntc_margin,
        help_text=_("A sample within this many cycles of an amplified NTC is inconclusive."),
    )
    min_amplitude_fraction = forms.FloatField(
        label=_("Lowest plateau (fraction of the target's median)"),
        min_value=0,
        max_value=0.99,
        initial=DEFAULT_CALLS.min_amplitude_fraction,
    )
    quality_positive = forms.FloatField(
        label=_("Curve quality for a positive call (probability)"),
        min_value=0,
        max_value=1,
        initial=DEFAULT_CALLS.quality_positive,
    )
    quality_negative = forms.FloatField(
        label=_("Curve quality below which a curve is not trusted"),
        min_value=0,
        max_value=1,
        initial=DEFAULT_CALLS.quality_negative,
    )

    reference_genes = forms.MultipleChoiceField(
        label=_("Reference genes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For relative quantification: two or more stable genes are recommended (MIQE)."
        ),
    )
    calibrator = forms.ChoiceField(label=_("Calibrator sample"), required=False)
    efficiency = forms.ChoiceField(
        label=_("Amplification efficiency"),
        choices=[
            ("auto", _("Standard curve, else the mean of the target's wells (Pfaffl)")),
            ("ideal", _("Ideal, 2.0 per cycle (Livak ΔΔCq)")),
        ],
        initial="auto",
    )

    save_as = forms.CharField(
        label=_("Save as an assay"),
        max_length=200,
        required=False,
        help_text=_(
            "A name (e.g. 'IL-6 expression, SYBR'): later runs of this assay can be analysed "
            "with the same Cq method and cut-offs. An existing assay of that name is updated."
        ),
    )

    def __init__(
        self, *args: Any, targets: list[str] | None = None, samples: list[str] | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        reference: Any = self.fields["reference_genes"]
        reference.choices = [(t, t) for t in targets or []]
        calibrator: Any = self.fields["calibrator"]
        calibrator.choices = [("", _("— none —"))] + [(s, s) for s in samples or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reference_genes") and not data.get("calibrator"):
            self.add_error(
                "calibrator", _("Choose the calibrator sample the fold changes refer to.")
            )
        low, high = data.get("quality_negative"), data.get("quality_positive")
        if low is not None and high is not None and low > high:
            self.add_error(
                "quality_negative",
                _("Expected at most the probability for a positive call (%(high)s).")
                % {"high": high},
            )
        return data

    def call_settings(self) -> dict[str, Any]:
        """The cut-offs as the library's CallSettings mapping."""
        keys = (
            "cq_cutoff",
            "late_cq_call",
            "max_replicate_sd",
            "ntc_margin",
            "min_amplitude_fraction",
            "quality_positive",
            "quality_negative",
        )
        return {k: self.cleaned_data[k] for k in keys}


class PotencyLinkForm(forms.Form):
    """The structure (or material) behind one measured potency, and whether it may train."""

    smiles = forms.CharField(label=_("Structure (SMILES)"), max_length=2000, required=False)
    material = forms.CharField(label=_("Extract or material"), max_length=300, required=False)
    use_for_training = forms.BooleanField(label=_("Use for training"), required=False)

    def clean_smiles(self) -> str:
        from actives.chem import to_mol
        from actives.errors import InvalidStructureError

        smiles = str(self.cleaned_data.get("smiles") or "").strip()
        if smiles:
            try:
                to_mol(smiles)
            except InvalidStructureError as exc:
                raise forms.ValidationError(exc.message) from None
        return smiles


MIQE_FIELDS: tuple[tuple[str, Any, Any], ...] = (
    (
        "samples",
        _("Samples"),
        _("Organism, tissue or cell line, treatment, number of biological replicates"),
    ),
    ("extraction", _("Nucleic acid extraction"), _("Method or kit, DNase treatment")),
    ("quality", _("Nucleic acid quality"), _("A260/280, RIN or RQI, inhibition test")),
    (
        "reverse_transcription",
        _("Reverse transcription"),
        _("Kit, priming (oligo-dT, random), amount of RNA, temperature"),
    ),
    (
        "primers",
        _("Primers and probes"),
        _("Sequences or database ids, concentrations, amplicon length"),
    ),
    (
        "reference_genes",
        _("Reference gene validation"),
        _("How the reference genes were chosen and shown stable (geNorm M, NormFinder)"),
    ),
    ("reaction", _("Reaction"), _("Volume, template amount, master mix, cycling protocol")),
    ("instrument", _("Instrument and software"), _("Cycler model, software and version")),
    ("notes", _("Other notes"), ""),
)


class MiqeForm(forms.Form):
    """The MIQE information a file does not carry, typed by the analyst (Bustin et al. 2009)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, help_text in MIQE_FIELDS:
            self.fields[name] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def values(self) -> dict[str, str]:
        """The non-empty answers, in the form's order."""
        return {
            n: self.cleaned_data[n].strip()
            for n, _l, _h in MIQE_FIELDS
            if self.cleaned_data[n].strip()
        }
