"""Template filters of the safety pages: numbers with significant figures, translated labels."""

from __future__ import annotations

from django import template

from actives.web.safety import services

register = template.Library()


@register.filter
def sig(value: object, digits: int = 4) -> str:
    """A number with ``digits`` significant figures (0.12070 -> '0.1207'); '—' if not a number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    return services.significant(number, int(digits))


@register.filter
def call_label(value: object) -> str:
    """A call or outcome word (positive, sensitiser, ...) in the active language."""
    return services.label(services.CALL_LABELS, value)


@register.filter
def category_label(value: object) -> str:
    """A UN GHS category (1, 1A, 1B, 1*, NC) in words."""
    return services.label(services.CATEGORY_LABELS, value)


@register.filter
def units(value: object) -> str:
    """Units and text with units as people write them (ug/cm2 -> µg/cm²)."""
    return services.pretty_units(value)


@register.filter
def product_name(product: object) -> str:
    """A product type's name in the active language."""
    return services.localised_name(product)  # type: ignore[arg-type]


@register.filter
def percent(value: object, digits: int = 0) -> str:
    """A fraction as a percentage (0.9375 -> '94')."""
    try:
        return f"{float(value) * 100:.{int(digits)}f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


@register.filter
def field_errors(form: object) -> bool:
    """Whether a bound form has errors on its fields (not only form-wide ones)."""
    errors = getattr(form, "errors", {}) or {}
    return any(name != "__all__" for name in errors)
