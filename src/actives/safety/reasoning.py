"""Reasoning steps and sourced quantities shared by every safety result.

A result carries its reasoning as a list of :class:`Step` (what was looked at, the rule or
threshold applied, its source, the outcome) and its inputs as :class:`Quantity` (value, unit,
origin and source), so the web page and the PDF can lay out how the answer was reached.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from actives.errors import InvalidInputError

ORIGINS = ("measured", "predicted")


@dataclass(frozen=True)
class Step:
    """One step of an assessment: what was looked at, the rule applied, its source, the outcome."""

    title: str
    detail: str
    rule: str
    source: str
    outcome: str


@dataclass(frozen=True)
class Quantity:
    """An input or intermediate value with its unit, where it came from and its origin.

    ``origin`` is ``measured`` or ``predicted`` for experimental inputs; ``user``, ``default``,
    ``table`` or ``derived`` for parameters of a calculation.
    """

    name: str
    value: float | int | str | bool | None
    unit: str
    origin: str
    source: str


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types for a (nested) dataclass: tuples become lists, non-finite floats None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [to_jsonable(item) for item in obj]
    if isinstance(obj, dict):
        return {str(key): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


class Serialisable:
    """Mixin for result dataclasses: ``to_dict()`` gives what the API returns."""

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-serialisable dict (steps and inputs included)."""
        data = to_jsonable(self)
        assert isinstance(data, dict)
        return data


def check_origin(origin: str, what: str) -> str:
    """``origin`` if it is ``measured`` or ``predicted``; an InvalidInputError otherwise."""
    if origin not in ORIGINS:
        raise InvalidInputError(f"{what} origin {origin!r}; expected one of: {', '.join(ORIGINS)}.")
    return origin


def check_number(
    name: str,
    value: float,
    unit: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """``value`` as float if finite and within the bounds; an InvalidInputError naming them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(
            f"{name} {value!r}; expected a number{' in ' + unit if unit else ''}."
        )
    number = float(value)
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    too_high = high is not None and (number > high if high_inclusive else number >= high)
    if not math.isfinite(number) or too_low or too_high:
        expected = _range_text(low, high, low_inclusive, high_inclusive)
        raise InvalidInputError(
            f"{name} {value!r}; expected {expected}{' ' + unit if unit else ''}."
        )
    return number


def _range_text(
    low: float | None, high: float | None, low_inclusive: bool, high_inclusive: bool
) -> str:
    if low is not None and high is not None:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        return f"a number in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"a number {'>=' if low_inclusive else '>'} {low:g}"
    if high is not None:
        return f"a number {'<=' if high_inclusive else '<'} {high:g}"
    return "a finite number"
