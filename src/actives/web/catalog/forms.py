"""Forms of the catalogue: the search box and the structure-file upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    """One box for names (INCI, Korean, Chinese, Japanese), CAS, InChIKey, SMILES and plants."""

    MODES = [
        ("auto", _("Name, CAS, InChIKey, SMILES or plant")),
        ("similarity", _("Similar structures (Tanimoto)")),
        ("substructure", _("Substructure (SMILES or SMARTS)")),
    ]
    q = forms.CharField(label=_("Search"), max_length=2000, strip=True)
    mode = forms.ChoiceField(label=_("Search for"), choices=MODES, initial="auto", required=False)
    threshold = forms.FloatField(
        label=_("Minimum similarity"), min_value=0.1, max_value=1.0, initial=0.5, required=False
    )


class StructureFileForm(forms.Form):
    """An SD file or a SMILES list whose records are identified against the pack."""

    file = forms.FileField(
        label=_("SD file (.sdf) or SMILES file (.smi, .csv)"),
        help_text=_(
            "Each record is read on its own: broken records are listed, the rest are identified."
        ),  # fmt: skip
    )
