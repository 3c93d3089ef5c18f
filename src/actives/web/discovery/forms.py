"""Forms of the discovery pages; every menu is read from the library's registries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from actives.chem.files import LIBRARY_SUFFIXES
from actives.web.core.uploads import check_upload
from actives.web.discovery.services import (
    EVIDENCE_LABELS,
    function_choices,
    model_function_choices,
    plants_sort_choices,
    rule_choices,
)

COMPOSITION_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
SPECIES_SUFFIXES = (".csv", ".tsv", ".txt")
MAX_COMPOSITION_BYTES = 5 * 1024 * 1024  # 5,000 constituents fit many times over
MAX_SPECIES_BYTES = 5 * 1024 * 1024


class PlantForm(forms.Form):
    """A species, genus or family, the functions to rank it for, and the ranking rule."""

    name = forms.CharField(
        label=_("Plant (species, genus or family)"),
        max_length=200,
        strip=True,
        error_messages={"required": _("Enter a plant name, e.g. Camellia sinensis or Morus.")},
    )
    functions = forms.MultipleChoiceField(
        label=_("Functions"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one function."),
            "invalid_choice": _("%(value)s is not a function that can be discovered here."),
        },
    )
    rule = forms.ChoiceField(label=_("Ranking rule"), initial="p_active", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["functions"].choices = function_choices()  # type: ignore[attr-defined]
        self.fields["rule"].choices = rule_choices()  # type: ignore[attr-defined]

    def clean_rule(self) -> str:
        """The default rule when none is given."""
        return str(self.cleaned_data.get("rule") or "p_active")


class TableViewForm(forms.Form):
    """Sorting and filters of a plant's results table (invalid values fall back to defaults)."""

    focus = forms.ChoiceField(label=_("Filter on"), required=False)
    sort = forms.CharField(required=False, max_length=80)
    dir = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False)
    in_domain = forms.BooleanField(label=_("Inside the applicability domain only"), required=False)
    evidence = forms.ChoiceField(label=_("Evidence"), required=False)
    min_p = forms.FloatField(
        label=_("Minimum P(active) or similarity"), min_value=0, max_value=1, required=False
    )

    def __init__(self, *args: Any, functions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = functions  # type: ignore[attr-defined]
        self.fields["evidence"].choices = [("", _("any"))] + [  # type: ignore[attr-defined]
            (k, v) for k, v in EVIDENCE_LABELS.items()
        ]


class PlantsForm(forms.Form):
    """Function to plants: which function, species or genus, and an optional species list."""

    function = forms.ChoiceField(label=_("Function"))
    level = forms.ChoiceField(
        label=_("Rank"),
        choices=[("species", _("species")), ("genus", _("genus"))],
        initial="species",
    )
    sort_by = forms.ChoiceField(label=_("Order by"), initial="expected_actives")
    min_constituents = forms.IntegerField(
        label=_("Only plants with at least this many known constituents"),
        min_value=1,
        max_value=10000,
        initial=1,
    )
    species_file = forms.FileField(
        label=_("Species list (optional: .csv or .txt)"),
        required=False,
        help_text=_(
            "Rank only these plants (a region's flora, a supplier's catalogue): a CSV with a "
            "species, scientific_name or name column (else the first column), or one name per "
            "line. A genus name keeps all its species. Names not in the data pack are listed."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = function_choices()  # type: ignore[attr-defined]
        self.fields["sort_by"].choices = plants_sort_choices()  # type: ignore[attr-defined]

    def clean_species_file(self) -> UploadedFile[Any] | None:
        upload = self.cleaned_data.get("species_file")
        check_upload(upload, SPECIES_SUFFIXES, MAX_SPECIES_BYTES)
        return upload


class ExtractForm(forms.Form):
    """An extract's composition file, the function, and what the abundances mean."""

    BASES = [
        ("relative", _("relative abundances (peak areas, ratios)")),
        (
            "mass_percent",
            _("mass percentage of the whole extract (also predicts the extract's IC50)"),
        ),
    ]
    file = forms.FileField(
        label=_("Composition (.csv or .xlsx)"),
        help_text=_(
            "One constituent per row: a name column (name, compound, constituent, 성분) or a "
            "structure column (smiles, structure, inchi), and optionally an abundance column "
            "(abundance, area %, percent, content, 함량). Names are looked up in the data pack "
            "(INCI, Korean, CAS, synonyms); names that cannot be resolved are listed."
        ),
        error_messages={"required": _("Choose a composition file to upload.")},
    )
    function = forms.ChoiceField(label=_("Function"))
    basis = forms.ChoiceField(label=_("Abundances are"), choices=BASES, initial="relative")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = function_choices()  # type: ignore[attr-defined]

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        check_upload(upload, COMPOSITION_SUFFIXES, MAX_COMPOSITION_BYTES)
        return upload


class ScreenForm(forms.Form):
    """A structure library screened against installed models, with the hit filters."""

    file = forms.FileField(
        label=_("Structure library (.smi, .csv, .sdf, .parquet)"),
        help_text=_(
            "One structure per line (SMILES, optionally followed by a title), per row (CSV or "
            "Parquet with a smiles column) or per record (SD file). Unreadable records go to an "
            "error file; the rest are screened."
        ),
        error_messages={"required": _("Choose a structure library to upload.")},
    )
    functions = forms.MultipleChoiceField(
        label=_("Functions (none chosen: every function with a model)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    min_p_active = forms.FloatField(
        label=_("Minimum P(active)"), min_value=0, max_value=1, required=False, initial=0.5
    )
    in_domain_only = forms.BooleanField(
        label=_("Inside the applicability domain only"), required=False
    )
    min_logkp = forms.FloatField(
        label=_("Minimum skin log Kp (cm/s), e.g. -7"), required=False, min_value=-15, max_value=5
    )
    top = forms.IntegerField(
        label=_("Keep the best N hits per function (empty: every hit)"),
        min_value=1,
        max_value=100000,
        required=False,
        initial=100,
    )
    require_all = forms.BooleanField(
        label=_("A hit must pass for every chosen function (else for any)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["functions"].choices = model_function_choices()  # type: ignore[attr-defined]

    def clean_file(self) -> UploadedFile[Any]:
        from django.conf import settings

        upload: UploadedFile[Any] = self.cleaned_data["file"]
        check_upload(upload, LIBRARY_SUFFIXES, int(settings.MAX_UPLOAD_BYTES))
        return upload
