"""Ranking rules: how scored compounds are ordered for a function (documented and switchable).

Every rule turns a function's columns (see :mod:`actives.discovery.scoring`) into
``{f}_score`` (higher is better) and ``{f}_rank`` (1 is best; ties broken by potency, then
InChIKey, so the order is reproducible). Rules register themselves, so the CLI choices, the API
enum and the web menu read this registry.

- ``p_active`` (default): the probability of activity at the endpoint's threshold, from the
  conformal predictive distribution (it already accounts for the interval's width, so an
  uncertain prediction ranks below a confident one with the same value). A measured activity
  counts as 1 or 0.
- ``potency``: the potency (measured where measured, else predicted).
- ``potency_permeation``: potency + skin log Kp, i.e. log10(Kp / IC50): at the same applied
  concentration, the dose delivered through skin grows with Kp and the effect with 1/IC50.
- ``pareto``: non-dominated sorting on (potency, skin log Kp); the first front ranks first.

For a similarity signal (no model for the function) every rule orders by similarity to the
reference actives, except ``pareto``, which sorts on (similarity, skin log Kp); the weighted rule
is not defined for a similarity and falls back to ``pareto``, which the output says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from actives.registry import Registry


@dataclass(frozen=True)
class RankingRule:
    """A documented way to score a function's candidates (higher score ranks first)."""

    id: str
    title: str
    description: str
    needs_permeation: bool
    score: Callable[[pd.DataFrame, str], pd.Series]


RANKING_RULES: Registry[RankingRule] = Registry("ranking rule", "unknown_ranking_rule")


def _strength(table: pd.DataFrame, f: str) -> pd.Series:
    """Potency for a model signal, similarity for a similarity signal."""
    column = f"{f}_potency" if f"{f}_potency" in table else f"{f}_similarity"
    return table[column].astype(float)


def _by_p_active(table: pd.DataFrame, f: str) -> pd.Series:
    if f"{f}_p_active" in table:
        return table[f"{f}_p_active"].astype(float)
    return _strength(table, f)


def _by_potency(table: pd.DataFrame, f: str) -> pd.Series:
    return _strength(table, f)


def _pareto_fronts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Front number (0 = non-dominated) of each point, maximising both; NaN points last."""
    n = len(a)
    front = np.full(n, np.inf)
    valid = np.isfinite(a) & np.isfinite(b)
    remaining = np.flatnonzero(valid)
    level = 0
    while len(remaining):
        pa, pb = a[remaining], b[remaining]
        dominated = np.array(
            [
                bool(np.any((pa >= pa[i]) & (pb >= pb[i]) & ((pa > pa[i]) | (pb > pb[i]))))
                for i in range(len(remaining))
            ]
        )
        front[remaining[~dominated]] = level
        remaining = remaining[dominated]
        level += 1
    return front


def _by_pareto(table: pd.DataFrame, f: str) -> pd.Series:
    strength = _strength(table, f).to_numpy()
    if "logkp" not in table:
        return pd.Series(strength, index=table.index)
    fronts = _pareto_fronts(strength, table["logkp"].to_numpy(dtype=float))
    return pd.Series(-fronts, index=table.index)


def _by_potency_permeation(table: pd.DataFrame, f: str) -> pd.Series:
    if f"{f}_potency" not in table or "logkp" not in table:
        return _by_pareto(table, f)
    return table[f"{f}_potency"].astype(float) + table["logkp"].astype(float)


for rule in (
    RankingRule(
        "p_active",
        "Probability of activity",
        "P(active) at the endpoint's threshold from the conformal predictive distribution; "
        "a measured activity counts as 1 or 0; similarity for functions without a model.",
        False,
        _by_p_active,
    ),
    RankingRule(
        "potency",
        "Potency",
        "Measured potency where measured, else predicted (pIC50); similarity for functions "
        "without a model.",
        False,
        _by_potency,
    ),
    RankingRule(
        "potency_permeation",
        "Potency weighted by skin permeation",
        "pIC50 + log Kp = log10(Kp / IC50): delivered activity at equal applied concentration. "
        "Falls back to the Pareto rule for functions scored by similarity.",
        True,
        _by_potency_permeation,
    ),
    RankingRule(
        "pareto",
        "Pareto front of potency and permeation",
        "Non-dominated sorting on (potency or similarity, skin log Kp); front 1 first.",
        True,
        _by_pareto,
    ),
):
    RANKING_RULES.add(rule.id, rule)


def rank(table: pd.DataFrame, function: str, rule_id: str = "p_active") -> pd.DataFrame:
    """Add ``{f}_score`` and ``{f}_rank`` by a rule; rows with no score rank last (no rank)."""
    rule = RANKING_RULES.get(rule_id)
    f = function
    score = rule.score(table, f).astype(float)
    score[~np.isfinite(score)] = np.nan
    table[f"{f}_score"] = score
    order = (
        pd.DataFrame(
            {
                "score": score.fillna(-np.inf),
                "strength": _strength(table, f).fillna(-np.inf),
                "key": table["inchikey"].astype(str),
            }
        )
        .sort_values(["score", "strength", "key"], ascending=[False, False, True], kind="stable")
        .index
    )
    ranks = pd.Series(np.arange(1, len(order) + 1), index=order, dtype="Int64")
    ranks[score.isna()] = pd.NA
    table[f"{f}_rank"] = ranks.reindex(table.index)
    return table
