"""Concentration units of dose-response data: molar units normalised to µM, mass units kept.

A sample's series must be all molar or all mass-per-volume: an IC50 in µg/mL cannot be turned
into µM without a molecular weight, so mixing the two is refused rather than guessed.
"""

from __future__ import annotations

import re

from actives.errors import InvalidInputError

MICROMOLAR = "µM"
# factor to µM
MOLAR_UNITS: dict[str, float] = {"pm": 1e-6, "nm": 1e-3, "µm": 1.0, "mm": 1e3, "m": 1e6}
# canonical spelling and factor to µg/mL (used only when one sample mixes mass units)
MASS_UNITS: dict[str, tuple[str, float]] = {
    "ng/ml": ("ng/mL", 1e-3),
    "µg/ml": ("µg/mL", 1.0),
    "mg/ml": ("mg/mL", 1e3),
    "g/l": ("g/L", 1e3),
    "mg/l": ("mg/L", 1.0),
    "ppm": ("ppm", 1.0),
    "%": ("% (w/v)", 1e4),
}
ACCEPTED_UNITS = "nM, µM (uM), mM, M, pM, ng/mL, µg/mL (ug/mL), mg/mL, mg/L, g/L, ppm"

_UNIT_TEXT = r"(?:[pnuµμm]?m|[nuµμm]?g\s*/\s*m?l|ppm)"
UNIT_PATTERN = re.compile(rf"^\s*{_UNIT_TEXT}\s*$", re.IGNORECASE)
VALUE_WITH_UNIT = re.compile(
    rf"^\s*([-+]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*({_UNIT_TEXT})?\s*$", re.IGNORECASE
)


def canonical_unit(text: str) -> tuple[str, str]:
    """``(kind, unit)`` for a unit as written: kind ``"molar"`` (unit ``µM`` after
    normalisation is done by :func:`to_common`), ``"mass"`` or ``""`` for no unit."""
    key = re.sub(r"\s+", "", text.strip()).replace("μ", "µ").lower()
    if not key:
        return "", ""
    if key.startswith("u"):
        key = "µ" + key[1:]
    if key.endswith("mol/l"):
        key = key[: -len("mol/l")] + "m"
    if key in MOLAR_UNITS:
        return "molar", key
    if key in MASS_UNITS:
        return "mass", MASS_UNITS[key][0]
    raise InvalidInputError(
        f"Unknown concentration unit {text.strip()!r}; expected one of {ACCEPTED_UNITS}."
    )


def to_common(value: float, unit: str) -> tuple[float, str]:
    """A concentration in µM when the unit is molar; mass units are kept as given."""
    kind, key = canonical_unit(unit)
    if kind == "molar":
        return value * MOLAR_UNITS[key], MICROMOLAR
    return value, key


def harmonise_mass(values: list[float], units: list[str]) -> tuple[list[float], str, bool]:
    """One sample's mass concentrations in one unit: as given if all share a unit, else µg/mL.

    Returns the values, the unit and whether a conversion was needed.
    """
    distinct = set(units)
    if len(distinct) == 1:
        return values, units[0], False
    factors = {canonical: factor for canonical, factor in MASS_UNITS.values()}
    return [v * factors[u] for v, u in zip(values, units, strict=True)], "µg/mL", True
