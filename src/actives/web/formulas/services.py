"""What the formula pages need (no science here): versions written from the editor or a file,
the library's Formula built from a stored version, the check run and stored, the verdict matrix
and label shaped for templates from the stored ``FormulaCheck.to_dict()`` payload, version
diffs, and re-checks when the rule pack changes.

The science is :mod:`actives.regulation` (``formula``, ``checker``, ``label``); a stored check
is shown exactly as it was made, with the rule-pack version it used.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import Max, Q
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from actives.errors import ConflictError, DataPackMissingError, InvalidInputError
from actives.knowledge import DataPack
from actives.regulation.formula import (
    TOTAL_TOLERANCE,
    formula_warnings,
    read_formula_table,
)
from actives.regulation.formula import (
    Formula as LibraryFormula,
)
from actives.regulation.formula import (
    FormulaIngredient as LibraryIngredient,
)
from actives.regulation.formula import (
    RawMaterial as LibraryRawMaterial,
)
from actives.regulation.markets import MARKETS
from actives.regulation.rulepack import RulePack
from actives.web.accounts.models import User
from actives.web.accounts.scoping import company_for_new_record
from actives.web.catalog.services import pack_or_none
from actives.web.formulas.models import (
    CheckResult,
    Formula,
    FormulaIngredient,
    FormulaVersion,
    RawMaterial,
)
from actives.web.formulas.wording import condition_words, in_english, verdict_sentence

DOWNLOAD_FORMATS = ("csv", "xlsx")
TOLERANCE = TOTAL_TOLERANCE  # % w/w around 100 before the total is flagged (regulation.formula)
INLINE_RECHECK_LIMIT = 20  # more stored checks than this are re-checked by a background job

# Verdicts, worst first (regulation.checker.Verdict), with a sign so colour is never alone.
VERDICT_ORDER = (
    "prohibited",
    "over_limit",
    "not_in_inventory",
    "unknown",
    "allowed_with_conditions",
    "allowed",
)
VERDICT_LABELS: dict[str, Promise] = {
    "prohibited": _("prohibited"),
    "over_limit": _("over the limit"),
    "not_in_inventory": _("not in inventory"),
    "unknown": _("unknown"),
    "allowed_with_conditions": _("allowed with conditions"),
    "allowed": _("allowed"),
}
VERDICT_SIGNS = {
    "prohibited": "✕",
    "over_limit": "✕",
    "not_in_inventory": "✕",
    "unknown": "?",
    "allowed_with_conditions": "!",
    "allowed": "✓",
}
OVERALL_LABELS: dict[str, Promise] = {
    "prohibited": _("Refused: a prohibited ingredient"),
    "over_limit": _("Refused: over a limit or outside the permitted use"),
    "not_in_inventory": _("Refused: an ingredient is not in the inventory"),
    "unknown": _("Undecided: some ingredients could not be checked"),
    "allowed_with_conditions": _("Allowed with conditions or label warnings"),
    "allowed": _("Allowed"),
}
REFUSED = frozenset({"prohibited", "over_limit", "not_in_inventory"})
BLOCK_LABELS: dict[str, Promise] = {
    "descending": _("at least 1 %, descending"),
    "under 1 %": _("under 1 %"),
    "colorant": _("colorants"),
}


def market_name(market_id: str) -> str:
    """A market's name in the active language (the id when it is not registered)."""
    for m in MARKETS:
        if m.id == market_id:
            return m.name_ko if (get_language() or "").startswith("ko") else m.name_en
    return market_id


def percent_text(value: Any) -> str:
    """A % w/w for a table: up to six significant figures, no trailing zeros (0.002, 88.4)."""
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return ""


def verdict_label(verdict: str) -> str:
    return str(VERDICT_LABELS.get(verdict, verdict))


def _plain(value: Any) -> Any:
    """A checker object or payload as plain JSON-like data."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


# -- versions ------------------------------------------------------------------------------------


def rows_of(version: FormulaVersion) -> list[dict[str, Any]]:
    """A version's ingredient rows as the editor's initial data."""
    return [
        {
            "name": i.name,
            "percent": i.percent.normalize() if i.percent == i.percent.to_integral() else i.percent,
            "raw_material": i.raw_material,
            "function": i.function,
        }
        for i in version.ingredients.all()
    ]


def total_of(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The sum of the rows' % w/w and whether it is within ±0.5 of 100 (formula.TOTAL_TOLERANCE)."""
    total = sum((Decimal(str(r["percent"])) for r in rows), Decimal(0))
    off = abs(total - 100) > Decimal(str(TOTAL_TOLERANCE))
    return {"total": total.quantize(Decimal("0.001")), "off": off, "tolerance": TOTAL_TOLERANCE}


@transaction.atomic
def save_version(
    formula: Formula, rows: Sequence[Mapping[str, Any]], user: User, note: str = ""
) -> FormulaVersion:
    """A new version with these rows; an existing version (checked or not) is never changed."""
    if not rows:
        raise InvalidInputError(f"Formula {formula.name!r}: no ingredient rows; expected one.")
    latest = formula.versions.aggregate(n=Max("number"))["n"] or 0
    version = FormulaVersion.objects.create(
        formula=formula, number=latest + 1, note=note, created_by=user
    )
    FormulaIngredient.objects.bulk_create(
        FormulaIngredient(
            version=version,
            position=n,
            name=str(r.get("name") or ""),
            percent=Decimal(str(r["percent"])),
            raw_material=str(r.get("raw_material") or ""),
            function=str(r.get("function") or ""),
        )
        for n, r in enumerate(rows, start=1)
    )
    formula.save(update_fields=["updated_at"])
    return version


def create_formula(data: Mapping[str, Any], user: User) -> Formula:
    """A formula (no version yet) from the formula form's cleaned data."""
    return Formula.objects.create(
        company=company_for_new_record(user), created_by=user, **formula_fields(data)
    )


def formula_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "exposure": data["exposure"],
        "areas": sorted(data.get("areas") or []),
        "children": bool(data.get("children")),
        "spray": bool(data.get("spray")),
        "professional": bool(data.get("professional")),
        "markets": [m for m in (data.get("markets") or [])],
    }


def raw_materials_for(formula: Formula) -> list[LibraryRawMaterial]:
    """The raw materials of the formula's company, as the library's RawMaterial objects."""
    materials = RawMaterial.objects.filter(company=formula.company).prefetch_related("components")
    out = []
    for m in materials:
        components = [(c.ingredient, float(c.fraction)) for c in m.components.all()]
        if components:
            out.append(LibraryRawMaterial(m.name, tuple(components)))
    return out


def library_formula(version: FormulaVersion) -> LibraryFormula:
    """The library's Formula of a stored version (raw materials of the company attached)."""
    formula = version.formula
    return LibraryFormula(
        formula.name,
        formula.product_type,
        tuple(
            LibraryIngredient(i.name, float(i.percent), i.raw_material or None, i.function or None)
            for i in version.ingredients.all()
        ),
        tuple(formula.markets),
        version.number,
        tuple(raw_materials_for(formula)),
    )


def version_warnings(version: FormulaVersion) -> list[str]:
    """The library's formula warnings (total off 100 %, unknown raw materials, repeated rows)."""
    return formula_warnings(library_formula(version))


def diff_versions(old: FormulaVersion, new: FormulaVersion) -> list[dict[str, Any]]:
    """Ingredient rows added, removed or changed between two versions (by name/raw material)."""

    def keyed(version: FormulaVersion) -> dict[str, FormulaIngredient]:
        return {(i.name or i.raw_material).strip().casefold(): i for i in version.ingredients.all()}

    before, after = keyed(old), keyed(new)
    rows: list[dict[str, Any]] = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            rows.append({"change": "added", "name": b.name or b.raw_material, "new": b.percent})
        elif b is None and a is not None:
            rows.append({"change": "removed", "name": a.name or a.raw_material, "old": a.percent})
        elif a is not None and b is not None:
            moved = (a.percent, a.raw_material, a.function) != (
                b.percent,
                b.raw_material,
                b.function,
            )
            rows.append(
                {
                    "change": "changed" if moved else "same",
                    "name": b.name or b.raw_material,
                    "old": a.percent,
                    "new": b.percent,
                    "delta": b.percent - a.percent,
                }
            )
    return rows


# -- import --------------------------------------------------------------------------------------


def read_upload(data: bytes, filename: str) -> dict[str, Any]:
    """A formula file's rows (the library's reader), or its row errors; nothing is stored."""
    table = read_formula_table(data, filename=filename)
    return {
        "rows": [
            {
                "name": i.name,
                "percent": Decimal(str(i.percent)),
                "raw_material": i.raw_material or "",
                "function": i.function or "",
            }
            for i in table.ingredients
        ],
        "errors": table.errors,
        "raw_materials": table.raw_materials,
        "skipped": table.skipped_rows,
    }


@transaction.atomic
def import_formula(
    data: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], user: User, source: str
) -> Formula:
    """A formula with version 1 from an imported file's rows."""
    formula = create_formula(data, user)
    save_version(formula, rows, user, note=str(_("imported from %(file)s") % {"file": source}))
    return formula


def store_raw_materials(materials: Iterable[LibraryRawMaterial], user: User) -> int:
    """Raw-material compositions read from a formula file, stored for the user's company
    (an existing raw material of the same name is left as it is)."""
    company = company_for_new_record(user)
    stored = 0
    for material in materials:
        if RawMaterial.objects.filter(company=company, name__iexact=material.name).exists():
            continue
        save_raw_material(material.name, "", material.composition, user)
        stored += 1
    return stored


@transaction.atomic
def save_raw_material(
    name: str, supplier: str, composition: Iterable[tuple[str, Any]], user: User
) -> RawMaterial:
    material = RawMaterial.objects.create(
        company=company_for_new_record(user), name=name, supplier=supplier, created_by=user
    )
    for n, (ingredient, fraction) in enumerate(composition, start=1):
        material.components.create(position=n, ingredient=ingredient, fraction=fraction)
    return material


def template_bytes(fmt: str) -> tuple[bytes, str]:
    """The import template (CSV or XLSX): the reader's headers and invented example rows."""
    table = pd.DataFrame(
        [
            ["Water", "80.5", "", "solvent"],
            ["Glycerin", "5", "", "humectant"],
            ["", "10", "Emulsifier Blend X", "emulsifier"],
            ["Niacinamide", "4", "", "skin conditioning"],
            ["Phenoxyethanol", "0.5", "", "preservative"],
        ],
        columns=["INCI name", "% w/w", "Raw material", "Function"],
    )
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8-sig"), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            table.to_excel(writer, index=False, sheet_name="Formula")
            pd.DataFrame(
                [
                    ["Emulsifier Blend X", "Cetearyl Alcohol", "60"],
                    ["Emulsifier Blend X", "Ceteareth-20", "40"],
                ],
                columns=["Raw material", "Ingredient", "% in raw material"],
            ).to_excel(writer, index=False, sheet_name="Raw materials")
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise InvalidInputError(f"Template format {fmt!r}; expected csv or xlsx.")


# -- checks --------------------------------------------------------------------------------------


def current_pack() -> DataPack:
    """The data pack the checks use; DataPackMissingError when none was built."""
    pack = pack_or_none()
    if pack is None:
        raise DataPackMissingError(
            "No reference data pack is installed, so formulas cannot be checked; expected one "
            "built with `actives data build`."
        )
    return pack


def run_check(version: FormulaVersion, user: User | None, pack: DataPack) -> CheckResult:
    """Check a version against its formula's markets and store the result (freezing it)."""
    from actives.regulation.checker import check_formula

    rules = RulePack.from_pack(pack)
    formula = library_formula(version)
    markets = list(version.formula.markets)
    if not markets:
        raise InvalidInputError(
            f"Formula {version.formula.name!r} has no target markets; expected at least one."
        )
    found = check_formula(
        formula, markets, pack, rules=rules, raw_materials=list(formula.raw_materials)
    )
    payload = _plain(found)
    overall = {
        m: str((payload.get("markets", {}).get(m) or {}).get("overall", "")) for m in markets
    }
    return CheckResult.objects.create(
        version=version,
        rule_pack_version=str(getattr(found, "rule_pack_version", "") or rules.version),
        markets=markets,
        overall=overall,
        result=payload,
        checked_by=user,
    )


def _text(value: Any) -> str:
    """A citation or condition of the payload as one line."""
    if value in (None, "", {}, []):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("text", "describe", "description"):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
        parts = [value.get("regulation"), value.get("list_name")]
        line = ", ".join(str(p) for p in parts if p)
        if value.get("entry"):
            line += f", entry {value['entry']}"
        extra = ", ".join(str(value[k]) for k in ("notice", "date") if value.get(k))
        return f"{line} ({extra})" if extra else line
    return str(value)


def _condition_text(value: Any) -> str:
    """The condition applied: its reading (``describe``) and the original words it came from."""
    if not isinstance(value, Mapping):
        return _text(value)
    described = str(value.get("describe") or "")
    original = str(value.get("text") or "")
    if original and described and original not in described:
        return f"{described} — “{original}”"
    return described or original


def _ingredient_key(row: Mapping[str, Any]) -> str:
    return str(row.get("name") or row.get("inci") or "").strip().casefold()


def check_view(result: CheckResult) -> dict[str, Any]:
    """A stored check shaped for the page and the PDF: market columns, ingredient rows of
    cells (verdict, sign, message, citation, condition), overall verdicts, notes, label."""
    payload = result.result or {}
    markets_payload: Mapping[str, Any] = payload.get("markets") or {}
    markets = [m for m in result.markets if m in markets_payload] or list(markets_payload)
    order: dict[str, dict[str, Any]] = {}
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    english = in_english()  # the checker's own language: its sentences are shown as they are
    for m in markets:
        for row in markets_payload[m].get("rows") or []:
            key = _ingredient_key(row)
            order.setdefault(
                key,
                {
                    "name": row.get("name") or row.get("inci") or "",
                    "inci": row.get("inci") or "",
                    "percent": row.get("percent"),
                    "percent_text": percent_text(row.get("percent")),
                },
            )
            verdict = str(row.get("verdict") or "unknown")
            message = str(row.get("message") or "")
            condition = row.get("condition")
            cells[(key, m)] = {
                "verdict": verdict,
                "label": verdict_label(verdict),
                "sign": VERDICT_SIGNS.get(verdict, "?"),
                "message": message,
                # In another language: the verdict said again from its data, the checker's
                # English sentence kept as the original.
                "summary": message
                if english
                else verdict_sentence(verdict, condition, row.get("percent")),
                "original": "" if english else message,
                "citation": _text(row.get("citation")),
                "condition": _condition_text(condition)
                if english or not isinstance(condition, Mapping)
                else condition_words(condition),
                "warnings": [str(w) for w in row.get("label_warnings") or []],
                "notes": [str(n) for n in row.get("notes") or []],
                "review": [str(n) for n in row.get("review") or []],
                "refused": verdict in REFUSED,
            }
    rows = []
    for n, (key, info) in enumerate(order.items(), start=1):
        rows.append(
            {
                **info,
                "id": n,
                "cells": [{"market": m, **cells.get((key, m), _missing_cell())} for m in markets],
            }
        )
    columns = []
    for m in markets:
        data = markets_payload[m]
        overall = str(data.get("overall") or "unknown")
        columns.append(
            {
                "id": m,
                "name": market_name(m),
                "overall": overall,
                "overall_label": str(OVERALL_LABELS.get(overall, overall)),
                "sign": VERDICT_SIGNS.get(overall, "?"),
                "refused": overall in REFUSED,
                "notes": [str(n) for n in _notes_in_language(data)],
                "summary": str(data.get("summary") or "")
                if english
                else _market_summary(data.get("rows") or []),
                "regulation": str(data.get("regulation") or ""),
                "allergens": [_plain(a) for a in data.get("allergens") or []],
            }
        )
    citations = sorted({c["citation"] for r in rows for c in r["cells"] if c["citation"]})
    label = payload.get("label") or {}
    label_rows = [
        {
            **r,
            "block_label": str(BLOCK_LABELS.get(str(r.get("block")), r.get("block") or "")),
            "percent_text": percent_text(r.get("percent")),
        }
        for r in label.get("rows") or []
    ]
    allergens = [
        {
            **_plain(a),
            "percent_text": percent_text(a.get("percent")),
            "threshold_text": percent_text(a.get("threshold")),
        }
        for a in label.get("allergens") or []
    ]
    return {
        "columns": columns,
        "rows": rows,
        "citations": citations,
        "label": label,
        "label_rows": label_rows,
        "allergens": allergens,
        "declare": [a for a in allergens if a.get("declare")],
        "unresolved": [_plain(u) for u in payload.get("unresolved") or []],
        "warnings": [str(w) for w in payload.get("warnings") or []],
        "rule_pack_version": result.rule_pack_version,
        "product_type": payload.get("product_type") or "",
    }


def _notes_in_language(market: Mapping[str, Any]) -> list[Any]:
    """A market's notes, in Korean on Korean pages where the check stored them (checks made
    before Korean notes existed show the English ones)."""
    korean = market.get("notes_ko") or []
    if (get_language() or "").startswith("ko") and len(korean) == len(market.get("notes") or []):
        return list(korean)
    return list(market.get("notes") or [])


def _market_summary(rows: Sequence[Mapping[str, Any]]) -> str:
    """A market's ingredients by verdict in the active language, worst first ("prohibited 2
    (Hydroquinone, ...)"), as the checker's English summary says it."""
    names: dict[str, list[str]] = {}
    for row in rows:
        verdict = str(row.get("verdict") or "unknown")
        names.setdefault(verdict, []).append(str(row.get("name") or row.get("inci") or ""))
    bits = []
    for verdict in VERDICT_ORDER:
        group = names.get(verdict, [])
        if group and verdict != "allowed":
            shown = ", ".join(group[:4]) + (", …" if len(group) > 4 else "")
            bits.append(f"{verdict_label(verdict)} {len(group)} ({shown})")
    return "; ".join(bits)


def _missing_cell() -> dict[str, Any]:
    return {
        "verdict": "unknown",
        "label": verdict_label("unknown"),
        "sign": "?",
        "message": str(_("Not in this market's result.")),
        "summary": str(_("Not in this market's result.")),
        "original": "",
        "citation": "",
        "condition": "",
        "warnings": [],
        "notes": [],
        "review": [],
        "refused": False,
    }


# -- rule pack updates ---------------------------------------------------------------------------


def latest_checks(user: User) -> list[CheckResult]:
    """The newest stored check of each checked version the user may see."""
    visible = CheckResult.objects.filter(
        Q(version__formula__in=Formula.objects.visible_to(user))
    ).select_related("version", "version__formula")
    newest: dict[int, CheckResult] = {}
    for result in visible.order_by("-checked_at"):
        newest.setdefault(result.version_id, result)
    return list(newest.values())


def stale_checks(user: User, rule_pack_version: str) -> list[CheckResult]:
    """Newest stored checks made with another rule pack than the current one."""
    return [r for r in latest_checks(user) if r.rule_pack_version != rule_pack_version]


def recheck(results: Iterable[CheckResult], user: User | None, pack: DataPack) -> dict[str, Any]:
    """Check the versions of stored results again with the current pack and list what changed
    (regulation.checker.compare_checks), per formula; keeps going past a formula that fails."""
    from actives.regulation.checker import compare_checks

    formulas = []
    for old in results:
        version = old.version
        entry: dict[str, Any] = {
            "formula_id": version.formula_id,
            "formula": version.formula.name,
            "version": version.number,
            "old_pack": old.rule_pack_version,
            "new_pack": pack.version,
        }
        try:
            new = run_check(version, user, pack)
        except (ConflictError, InvalidInputError) as exc:
            entry.update(status="error", message=exc.message, changes=[])
        else:
            changes = [_plain(c) for c in compare_checks(old.result, new.result)]
            entry.update(status="ok", changes=changes, check_id=new.pk)
        formulas.append(entry)
    changed = [f for f in formulas if f["changes"]]
    return {
        "checked": len(formulas),
        "changed": len(changed),
        "errors": sum(1 for f in formulas if f["status"] == "error"),
        "formulas": formulas,
        "rule_pack_version": pack.version,
    }
