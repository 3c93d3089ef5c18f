"""The platform's modules as the navigation shows them; a module goes live when its app lands.

A module with ``url_name`` set links to its pages; one without shows a page that says what it will
do, so the navigation never links to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    """One entry of the main navigation."""

    slug: str
    label: str | Promise
    summary: str | Promise
    url_name: str | None = None

    @property
    def available(self) -> bool:
        """Whether the module's pages exist yet."""
        return self.url_name is not None


MODULES: tuple[Module, ...] = (
    Module(
        "catalog",
        _("Catalogue"),
        _("Compounds, plants and ingredient names from the reference data pack."),
        "catalog:index",
    ),
    Module(
        "discovery",
        _("Discovery"),
        _("Which constituents of a plant or extract are likely actives for a cosmetic function."),
        "discovery:index",
    ),
    Module(
        "predictions",
        _("Predictions"),
        _("Efficacy and permeation predictions with intervals, applicability domain and evidence."),
        "predictions:index",
    ),
    Module(
        "safety",
        _("Safety"),
        _(
            "Skin sensitisation (OECD GL497 defined approaches, QSAR), sensitiser QRA and the "
            "SCCS margin of safety."
        ),
        "safety:index",
    ),
    Module(
        "formulas",
        _("Regulation"),
        _("Formulas checked against EU, Korea, China, ASEAN, Japan and other markets; INCI label."),
        "formulas:index",
    ),
    Module(
        "assays",
        _("Assays"),
        _("Dose-response (IC50) and qPCR amplification curves with a call for every well."),
        "assays:index",
    ),
    Module(
        "studies",
        _("Efficacy studies"),
        _("Subjects, visits, instrument data and the statistics regulators expect."),
    ),
    Module(
        "services",
        _("Centre services"),
        _("Service requests, equipment and pilot-plant booking, programme KPIs."),
    ),
)


def get_module(slug: str) -> Module | None:
    """The module with this slug, or None."""
    return next((m for m in MODULES if m.slug == slug), None)
