"""Template filters of the discovery pages."""

from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def significant(value: object, digits: int = 3) -> str:
    """A number with ``digits`` significant figures (2.534 -> '2.53', 10.77 -> '10.8')."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(number):
        return "—"
    text = f"{number:.{int(digits)}g}"
    return f"{float(text):,.0f}" if "e" in text else text
