"""The endpoint registry: every prediction the platform makes is an Endpoint registered here.

CLI choices, API enums and UI menus read this registry, so they cannot drift from the models.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from actives.registry import Registry


class CosmeticFunction(StrEnum):
    """What an endpoint says about a cosmetic ingredient (extensible)."""

    WHITENING = "whitening"
    ANTI_WRINKLE = "anti_wrinkle"
    ANTIOXIDANT = "antioxidant"
    ANTI_INFLAMMATORY = "anti_inflammatory"
    SKIN_PERMEATION = "skin_permeation"
    SENSITISATION = "sensitisation"


Task = Literal["regression", "classification", "regression+classification"]


@dataclass(frozen=True)
class Endpoint:
    """One predicted quantity: what it measures, in which units, and when a compound is active."""

    id: str
    title: str
    function: CosmeticFunction
    target: str
    assay: str
    units: str
    task: Task
    active_threshold: float | None = None
    higher_is_active: bool = True
    sources: tuple[str, ...] = field(default_factory=tuple)
    unit_symbol: str = ""
    classes: tuple[str, ...] = ()  # classification endpoints: labels, inactive first

    @property
    def is_classifier(self) -> bool:
        """Whether the endpoint predicts a class (a hazard call, a potency category)."""
        return self.task == "classification"

    @property
    def short_units(self) -> str:
        """Units short enough for a table cell (the symbol, else the full units)."""
        return self.unit_symbol or self.units

    def is_active(self, value: float) -> bool:
        """Whether a value counts as active at the endpoint's stated threshold."""
        if self.active_threshold is None:
            raise ValueError(f"endpoint {self.id} has no activity threshold")
        if self.higher_is_active:
            return value >= self.active_threshold
        return value <= self.active_threshold


ENDPOINTS: Registry[Endpoint] = Registry("endpoint", "unknown_endpoint")


def register_endpoint(endpoint: Endpoint) -> Endpoint:
    """Add an endpoint to the registry."""
    return ENDPOINTS.add(endpoint.id, endpoint)


def get_endpoint(endpoint_id: str) -> Endpoint:
    """The endpoint with this id; NotFoundError lists the known ones."""
    return ENDPOINTS.get(endpoint_id)


def endpoints(function: CosmeticFunction | None = None) -> list[Endpoint]:
    """Registered endpoints (optionally of one cosmetic function), sorted by id."""
    return [e for e in ENDPOINTS if function is None or e.function == function]


def register_all(items: Iterable[Endpoint]) -> None:
    """Register several endpoints."""
    for item in items:
        register_endpoint(item)


P_UNITS = "pIC50 (−log10 of IC50 in mol/L)"

register_all(
    [
        Endpoint(
            "cox2",
            "COX-2 inhibition",
            CosmeticFunction.ANTI_INFLAMMATORY,
            "Prostaglandin G/H synthase 2 (PTGS2, human; ChEMBL CHEMBL230)",
            "IC50, enzyme or cell assays as exported from ChEMBL",
            P_UNITS,
            "regression+classification",
            active_threshold=6.0,
            sources=("chembl-cox2",),
            unit_symbol="pIC50",
        ),
        Endpoint(
            "mmp1",
            "MMP-1 (collagenase) inhibition",
            CosmeticFunction.ANTI_WRINKLE,
            "Interstitial collagenase MMP-1 (human; ChEMBL CHEMBL332)",
            "IC50 from ChEMBL, single-protein assays",
            P_UNITS,
            "regression+classification",
            active_threshold=6.0,
            sources=("chembl-mmp1",),
            unit_symbol="pIC50",
        ),
        Endpoint(
            "dpph",
            "DPPH radical scavenging (30 min)",
            CosmeticFunction.ANTIOXIDANT,
            "DPPH radical (chemical assay)",
            "DPPH scavenging at 30 min, −log IC50 (curated set)",
            P_UNITS,
            "regression+classification",
            active_threshold=4.0,
            sources=("dpph30-antioxidant", "chembl-antioxidant"),
            unit_symbol="pIC50",
        ),
        Endpoint(
            "skin_logkp",
            "Human skin permeability",
            CosmeticFunction.SKIN_PERMEATION,
            "Human skin (in vitro, Franz cell)",
            "log Kp from HuskinDB and Cheruvu et al. 2022",
            "log Kp (Kp in cm/s)",
            "regression",
            sources=("skin-permeability",),
            unit_symbol="log Kp (cm/s)",
        ),
    ]
)


SENSITISATION_SOURCES = ("ice-skinsens", "skinsensdb")
HAZARD = ("negative", "positive")

register_all(
    [
        Endpoint(
            "skin_sens_llna",
            "Skin sensitisation hazard (mouse LLNA)",
            CosmeticFunction.SENSITISATION,
            "Murine local lymph node assay (OECD TG 429)",
            "LLNA call: positive when an EC3 was derived (SI >= 3), negative otherwise",
            "probability of a positive LLNA",
            "classification",
            sources=SENSITISATION_SOURCES,
            classes=HAZARD,
        ),
        Endpoint(
            "skin_sens_human",
            "Skin sensitisation hazard (human HMT/HRIPT)",
            CosmeticFunction.SENSITISATION,
            "Human maximisation test and human repeat insult patch test",
            "Human call (majority of the records; conflicting records left out)",
            "probability of a positive human test",
            "classification",
            sources=SENSITISATION_SOURCES,
            classes=HAZARD,
        ),
        Endpoint(
            "skin_sens_potency",
            "Skin sensitisation potency (UN GHS sub-category from LLNA EC3)",
            CosmeticFunction.SENSITISATION,
            "Murine local lymph node assay (OECD TG 429)",
            "UN GHS / CLP: EC3 <= 2 % -> 1A, EC3 > 2 % -> 1B, LLNA negative -> NC",
            "probability of each GHS category",
            "classification",
            sources=SENSITISATION_SOURCES,
            classes=("NC", "1B", "1A"),
        ),
        Endpoint(
            "ke_dpra",
            "Key event 1: DPRA peptide reactivity call",
            CosmeticFunction.SENSITISATION,
            "Direct peptide reactivity assay (OECD TG 442C)",
            "DPRA call (mean Cys/Lys depletion > 6.38 %, or Cys-only > 13.89 %)",
            "probability of a positive DPRA",
            "classification",
            sources=SENSITISATION_SOURCES,
            classes=HAZARD,
        ),
        Endpoint(
            "ke_keratinosens",
            "Key event 2: KeratinoSens keratinocyte activation call",
            CosmeticFunction.SENSITISATION,
            "ARE-Nrf2 luciferase KeratinoSens (OECD TG 442D)",
            "KeratinoSens call (Imax >= 1.5 below 1000 uM with viability > 70 %)",
            "probability of a positive KeratinoSens",
            "classification",
            sources=SENSITISATION_SOURCES,
            classes=HAZARD,
        ),
        Endpoint(
            "ke_hclat",
            "Key event 3: h-CLAT dendritic cell activation call",
            CosmeticFunction.SENSITISATION,
            "Human cell line activation test (OECD TG 442E)",
            "h-CLAT call (CD86 RFI >= 150 or CD54 RFI >= 200)",
            "probability of a positive h-CLAT",
            "classification",
            sources=SENSITISATION_SOURCES,
            classes=HAZARD,
        ),
    ]
)
