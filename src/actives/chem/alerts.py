"""Structural alerts for skin sensitisation: the reaction mechanistic domains of haptenation.

A skin sensitiser must bind covalently to skin proteins (the molecular initiating event of the
OECD adverse outcome pathway). Aptula & Roberts (Chem Res Toxicol 2006, 19:1097) grouped the
chemistry into a few mechanistic domains: Michael acceptors, SNAr electrophiles, SN2
electrophiles, Schiff base formers and acylating agents, plus pro-electrophiles that become one of
these by oxidation (catechols, hydroquinones, p-phenylenediamines) or autoxidation (allylic
positions of terpenes). The SMARTS below encode those domains after Enoch, Madden & Cronin (SAR
QSAR Environ Res 2008, 19:555). They are features for the sensitisation models and evidence to show
a user (which alert, which atoms), never a verdict on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem


@dataclass(frozen=True)
class Alert:
    """One structural alert: id, mechanistic domain, a readable name and its SMARTS."""

    id: str
    domain: str
    name: str
    smarts: str


MICHAEL = "Michael acceptor"
PRO_MICHAEL = "pro-Michael acceptor (after oxidation)"
SNAR = "SNAr electrophile"
SN2 = "SN2 electrophile"
SCHIFF = "Schiff base former"
ACYL = "acylating agent"
THIOL = "thiol-reactive"
AUTOX = "pro-hapten by autoxidation"

ALERTS: tuple[Alert, ...] = (
    Alert(
        "ab_unsaturated_carbonyl", MICHAEL, "α,β-unsaturated carbonyl", "[CX3]=[CX3]-[CX3]=[OX1]"
    ),
    Alert("ab_unsaturated_nitrile", MICHAEL, "α,β-unsaturated nitrile", "[CX3]=[CX3]-C#N"),
    Alert("nitroalkene", MICHAEL, "nitroalkene", "[CX3]=[CX3]-[N+](=O)[O-]"),
    Alert("vinyl_sulfone", MICHAEL, "vinyl sulfone", "[CX3]=[CX3]-S(=O)(=O)"),
    Alert("alkynyl_carbonyl", MICHAEL, "alkynyl carbonyl", "C#C-C=O"),
    Alert("p_quinone", MICHAEL, "p-quinone", "O=C1C=CC(=O)C=C1"),
    Alert("o_quinone", MICHAEL, "o-quinone", "O=C1C(=O)C=CC=C1"),
    Alert("maleimide", MICHAEL, "maleimide", "O=C1C=CC(=O)N1"),
    Alert(
        "hydroquinone", PRO_MICHAEL, "hydroquinone or p-aminophenol", "[OH]c1ccc([OH,NH2,NH1])cc1"
    ),
    Alert("catechol", PRO_MICHAEL, "catechol", "[OH]c:c[OH]"),
    Alert(
        "p_phenylenediamine", PRO_MICHAEL, "p-phenylenediamine", "[NX3;H2,H1]c1ccc([NX3;H2,H1])cc1"
    ),  # fmt: skip
    Alert("o_aminophenol", PRO_MICHAEL, "o-aminophenol", "[OH]c:c[NX3;H2]"),
    Alert("p_halo_nitroarene", SNAR, "p-halonitroarene", "[F,Cl,Br,I]c1ccc(cc1)[N+](=O)[O-]"),
    Alert("o_halo_nitroarene", SNAR, "o-halonitroarene", "[F,Cl,Br,I]c:c[N+](=O)[O-]"),
    Alert("halo_azine", SNAR, "2-halo azine", "[F,Cl,Br,I]c1n***1"),
    Alert("alkyl_halide", SN2, "alkyl halide", "[CX4;!$(C(F)(F))][Cl,Br,I]"),
    Alert("alpha_halo_carbonyl", SN2, "α-halo carbonyl", "[CX4]([Cl,Br,I])C=O"),
    Alert("epoxide", SN2, "epoxide", "C1OC1"),
    Alert("aziridine", SN2, "aziridine", "C1NC1"),
    Alert("sulfonate_ester", SN2, "alkyl sulfonate ester", "[CX4]OS(=O)(=O)[#6]"),
    Alert("sulfate_ester", SN2, "dialkyl sulfate", "[CX4]OS(=O)(=O)O[CX4]"),
    Alert("allyl_benzyl_halide", SN2, "allyl or benzyl halide", "[Cl,Br,I][CH2][c,$(C=C)]"),
    Alert("aldehyde", SCHIFF, "aldehyde", "[CX3H1](=O)[#6]"),
    Alert("diketone_12", SCHIFF, "1,2-dicarbonyl", "[#6]C(=O)C(=O)[#6]"),
    Alert("diketone_13", SCHIFF, "1,3-dicarbonyl", "[#6]C(=O)[CH2]C(=O)[#6]"),
    Alert("anhydride", ACYL, "anhydride", "C(=O)OC(=O)"),
    Alert("acyl_halide", ACYL, "acyl halide", "C(=O)[Cl,Br,I]"),
    Alert("isocyanate", ACYL, "isocyanate", "N=C=O"),
    Alert("isothiocyanate", ACYL, "isothiocyanate", "N=C=S"),
    Alert("phenyl_ester", ACYL, "phenyl ester", "[#6]C(=O)Oc"),
    Alert("unsaturated_lactone", ACYL, "α,β-unsaturated lactone", "O=C1OC*=C1"),
    Alert("dithiocarbamate", ACYL, "thiocarbonyl-thio (dithiocarbamate, xanthate)", "C(=S)S"),
    Alert("disulfide", THIOL, "disulfide", "[#6]SS[#6]"),
    Alert("thiol", THIOL, "thiol", "[SX2H1]"),
    Alert("conjugated_diene", AUTOX, "conjugated diene", "C=CC=C"),
    Alert(
        "trisubstituted_alkene",
        AUTOX,
        "allylic trisubstituted alkene (terpene-like)",
        "[CX3;H0]([CH3])([#6])=[CX3H1][CX4]",
    ),  # fmt: skip
    Alert("hydrazine", SN2, "hydrazine", "[NX3][NX3]"),
    Alert("azo", PRO_MICHAEL, "azo", "N=N"),
)


@lru_cache(maxsize=1)
def _patterns() -> tuple[Chem.Mol, ...]:
    patterns = tuple(Chem.MolFromSmarts(a.smarts) for a in ALERTS)
    assert all(p is not None for p in patterns), "an alert SMARTS does not parse"
    return patterns


def alert_counts(mol: Chem.Mol) -> list[int]:
    """How often each alert of :data:`ALERTS` matches the molecule (in that order)."""
    return [len(mol.GetSubstructMatches(p)) for p in _patterns()]


@dataclass(frozen=True)
class AlertMatch:
    """An alert found in a molecule, with the atoms of each match."""

    alert: Alert
    atoms: tuple[tuple[int, ...], ...]


def find_alerts(mol: Chem.Mol) -> list[AlertMatch]:
    """The alerts a molecule carries (evidence for a user, with atom indices to highlight)."""
    found = []
    for alert, pattern in zip(ALERTS, _patterns(), strict=True):
        matches = mol.GetSubstructMatches(pattern)
        if matches:
            found.append(AlertMatch(alert, tuple(tuple(m) for m in matches)))
    return found
