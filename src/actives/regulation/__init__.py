"""Regulation and export: market rule packs, ingredient resolution, formula checks, INCI label.

The verbs: :func:`check_formula` (a formula against markets, a verdict per ingredient with the
rule behind it), :func:`compare_checks` (what changed when the rule pack was updated),
:func:`read_formula`, :func:`resolve_ingredient`, :func:`inci_label`.
"""

from actives.regulation.checker import (
    FormulaCheck,
    IngredientVerdict,
    MarketCheck,
    StatusChange,
    Verdict,
    check_formula,
    compare_checks,
    write_report,
)
from actives.regulation.formula import (
    Formula,
    FormulaIngredient,
    ProductType,
    RawMaterial,
    expand,
    parse_product_type,
    read_formula,
)
from actives.regulation.label import Label, inci_label
from actives.regulation.markets import MARKETS, Market, market, market_ids
from actives.regulation.resolve import Resolution, resolve_ingredient, resolve_ingredients
from actives.regulation.rulepack import RulePack
from actives.regulation.rules import Citation, Condition, Rule, SubstanceKeys

__all__ = [
    "MARKETS",
    "Citation",
    "Condition",
    "Formula",
    "FormulaCheck",
    "FormulaIngredient",
    "IngredientVerdict",
    "Label",
    "Market",
    "MarketCheck",
    "ProductType",
    "RawMaterial",
    "Resolution",
    "Rule",
    "RulePack",
    "StatusChange",
    "SubstanceKeys",
    "Verdict",
    "check_formula",
    "compare_checks",
    "expand",
    "inci_label",
    "market",
    "market_ids",
    "parse_product_type",
    "read_formula",
    "resolve_ingredient",
    "resolve_ingredients",
    "write_report",
]
