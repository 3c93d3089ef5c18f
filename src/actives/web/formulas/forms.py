"""Forms of the formula pages: the formula's product type and markets, its ingredient rows
(a formset: rows added with a button, removed with a tick), raw materials and file imports.

Menus (body areas, markets) are read from the library (``regulation.formula.AREAS`` and the
market registry), so the pages cannot drift from what the checker knows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from actives.regulation.formula import AREAS
from actives.regulation.markets import MARKETS
from actives.web.core.uploads import check_upload
from actives.web.formulas.models import Exposure

IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAX_IMPORT_BYTES = 2 * 1024 * 1024
PERCENT_EXPECTED = _("Expected a number above 0 and at most 100 (% w/w).")
AREA_LABELS: dict[str, Any] = {
    "face": _("face"),
    "body": _("body"),
    "hair": _("hair"),
    "lip": _("lip"),
    "eye": _("eye area"),
    "oral": _("oral"),
    "hands": _("hands"),
    "feet": _("feet"),
    "nails": _("nails"),
    "scalp": _("scalp"),
}


def market_choices() -> list[tuple[str, str]]:
    """The registered markets, named in the active language."""
    korean = (get_language() or "").startswith("ko")
    named = [(m.id, m.name_ko if korean else m.name_en) for m in MARKETS]
    return [(i, i if name == i else f"{i} · {name}") for i, name in named]


def area_choices() -> list[tuple[str, Any]]:
    return [(a, AREA_LABELS.get(a, a)) for a in AREAS]


class FormulaForm(forms.Form):
    """Name, product type (exposure, areas, flags) and target markets of a formula."""

    name = forms.CharField(label=_("Formula name"), max_length=200, strip=True)
    exposure = forms.ChoiceField(
        label=_("Rinse-off or leave-on"),
        choices=Exposure.choices,
        widget=forms.RadioSelect,
    )
    areas = forms.MultipleChoiceField(
        label=_("Body areas"),
        choices=area_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    children = forms.BooleanField(label=_("For children"), required=False)
    spray = forms.BooleanField(label=_("Spray or aerosol"), required=False)
    professional = forms.BooleanField(label=_("Professional use"), required=False)
    markets = forms.MultipleChoiceField(
        label=_("Target markets"),
        choices=market_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one market to check against.")},
    )


class VersionNoteForm(forms.Form):
    """What changed in this version, in a line."""

    note = forms.CharField(
        label=_("Note on this version"),
        max_length=300,
        required=False,
        strip=True,
        help_text=_("For example: “preservative replaced”."),
    )


class IngredientRowForm(forms.Form):
    """One ingredient row: a name (INCI, CAS, Korean...) or a raw material, and its % w/w."""

    name = forms.CharField(label=_("Ingredient"), max_length=300, required=False, strip=True)
    percent = forms.DecimalField(
        label=_("% w/w"),
        required=False,
        max_digits=10,
        decimal_places=6,
        error_messages={
            "invalid": PERCENT_EXPECTED,
            "max_digits": PERCENT_EXPECTED,
            "max_whole_digits": PERCENT_EXPECTED,
            "max_decimal_places": _("Expected at most 6 decimal places."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )
    raw_material = forms.CharField(
        label=_("Raw material"), max_length=200, required=False, strip=True
    )
    function = forms.CharField(label=_("Function"), max_length=100, required=False, strip=True)

    def clean_percent(self) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get("percent")
        if value is not None and not Decimal(0) < value <= Decimal(100):
            raise forms.ValidationError(PERCENT_EXPECTED, code="range")
        return value

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(f) not in (None, "") for f in ("name", "percent", "raw_material"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("name") and not data.get("raw_material"):
            self.add_error("name", _("Expected an INCI name, a CAS number or a raw material name."))
        if data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", PERCENT_EXPECTED)
        return data


class BaseIngredientFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Rows left blank or ticked for removal are ignored; at least one ingredient is needed."""

    def rows(self) -> list[dict[str, Any]]:
        """The kept rows, in order: name, percent (Decimal), raw_material, function."""
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or form.is_blank():
                continue
            kept.append(
                {
                    "name": data.get("name") or "",
                    "percent": data["percent"],
                    "raw_material": data.get("raw_material") or "",
                    "function": data.get("function") or "",
                }
            )
        return kept

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.rows():
            raise forms.ValidationError(
                _("A formula needs at least one ingredient with its % w/w."), code="empty"
            )

    def total(self) -> Decimal:
        return sum((r["percent"] for r in self.rows()), Decimal(0))


IngredientFormSet = forms.formset_factory(
    IngredientRowForm, formset=BaseIngredientFormSet, extra=0, can_delete=True, max_num=500
)


class ImportForm(FormulaForm):
    """A formula read from a CSV/XLSX file, with its product type and markets."""

    file = forms.FileField(
        label=_("Formula file (CSV or XLSX)"),
        help_text=_(
            "Columns: ingredient or INCI (성분명), percent % w/w (함량); optional raw material "
            "(원료명) and function (배합목적). An XLSX may carry a “raw materials” sheet."
        ),
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] | None = self.cleaned_data.get("file")
        check_upload(upload, IMPORT_SUFFIXES, MAX_IMPORT_BYTES)
        assert upload is not None
        return upload


class RawMaterialForm(forms.Form):
    """A raw material and its composition, one ``ingredient; %`` per line."""

    name = forms.CharField(label=_("Raw material (trade name)"), max_length=200, strip=True)
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False, strip=True)
    composition = forms.CharField(
        label=_("Composition"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One ingredient per line: name; percentage in the raw material (e.g. “Glycerin; 60”)."
        ),
    )

    def clean_composition(self) -> list[tuple[str, Decimal]]:
        text = self.cleaned_data.get("composition") or ""
        rows: list[tuple[str, Decimal]] = []
        problems = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.rpartition(";")
            if not sep:
                name, sep, value = line.rpartition("\t")
            try:
                fraction = Decimal(value.strip().rstrip("%").replace(",", "."))
            except ArithmeticError:
                fraction = Decimal(-1)
            if not sep or not name.strip() or not Decimal(0) < fraction <= Decimal(100):
                problems.append(
                    _("line %(n)s (“%(line)s”): expected “name; %% of the raw material”")
                    % {"n": number, "line": line.strip()}
                )
                continue
            rows.append((name.strip(), fraction))
        if problems:
            raise forms.ValidationError(problems)
        if not rows:
            raise forms.ValidationError(_("Expected at least one line “name; %”."))
        return rows
