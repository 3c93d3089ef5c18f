"""Forms of the prediction pages: one structure, or a structure file for a batch."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from actives.web.predictions.services import CONFIDENCES

CONFIDENCE_CHOICES = [(str(c), f"{c:.0%}") for c in CONFIDENCES]


def confidence_field() -> forms.TypedChoiceField:
    """The interval confidence, one of :data:`CONFIDENCES` (90 % unless chosen)."""
    return forms.TypedChoiceField(
        label=_("Interval confidence"),
        choices=CONFIDENCE_CHOICES,
        coerce=float,
        initial="0.9",
        required=False,
        empty_value=None,
    )


class MoleculeForm(forms.Form):
    """A SMILES, InChI, or a name/CAS from the data pack."""

    q = forms.CharField(label=_("Structure or name"), max_length=5000, strip=True)
    confidence = confidence_field()


class BatchForm(forms.Form):
    """A structure file predicted in the background."""

    file = forms.FileField(
        label=_("Structure file (.sdf, .smi, .csv)"),
        help_text=_(
            "CSV files need a SMILES column (smiles, canonical_smiles or structure) or the "
            "structures in the first column; an id, name or title column names the rows. Broken "
            "records get an error message in the results; the rest are predicted."
        ),
    )
    confidence = confidence_field()
