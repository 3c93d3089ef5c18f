"""Physicochemical descriptors and NP-likeness (RDKit Contrib NP_Score, Ertl et al. 2008)."""

from __future__ import annotations

import gzip
import pickle
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdkit
from rdkit import Chem
from rdkit.Chem import Crippen, Lipinski, rdMolDescriptors
from rdkit.Chem import Descriptors as RDDescriptors


@dataclass(frozen=True)
class Descriptors:
    """The descriptors shown for every compound (units in the field comments)."""

    mw: float  # molecular weight, g/mol (average)
    clogp: float  # Wildman-Crippen logP
    tpsa: float  # topological polar surface area, Å²
    hbd: int  # H-bond donors (Lipinski)
    hba: int  # H-bond acceptors (Lipinski)
    rotatable_bonds: int
    rings: int
    aromatic_rings: int
    fraction_csp3: float
    heavy_atoms: int

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, ready for a table row."""
        return asdict(self)


DESCRIPTOR_UNITS = {"mw": "g/mol", "tpsa": "Å²"}


def describe(mol: Chem.Mol) -> Descriptors:
    """Compute the descriptor set for one (standardised) molecule."""
    # RDKit's bundled stubs omit these four functions; they exist at run time.
    mw = RDDescriptors.MolWt(mol)  # type: ignore[attr-defined]
    clogp = Crippen.MolLogP(mol)  # type: ignore[attr-defined]
    hbd = Lipinski.NumHDonors(mol)  # type: ignore[attr-defined]
    hba = Lipinski.NumHAcceptors(mol)  # type: ignore[attr-defined]
    return Descriptors(
        mw=round(mw, 3),
        clogp=round(clogp, 3),
        tpsa=round(rdMolDescriptors.CalcTPSA(mol), 2),
        hbd=hbd,
        hba=hba,
        rotatable_bonds=rdMolDescriptors.CalcNumRotatableBonds(mol),
        rings=rdMolDescriptors.CalcNumRings(mol),
        aromatic_rings=rdMolDescriptors.CalcNumAromaticRings(mol),
        fraction_csp3=round(rdMolDescriptors.CalcFractionCSP3(mol), 3),
        heavy_atoms=mol.GetNumHeavyAtoms(),
    )


@lru_cache(maxsize=1)
def _np_model() -> dict[int, float]:
    path = Path(rdkit.__file__).parent / "Contrib" / "NP_Score" / "publicnp.model.gz"
    with gzip.open(path, "rb") as fh:
        model: dict[int, float] = pickle.load(fh)  # RDKit's own shipped model, not user input
    return model


def np_likeness(mol: Chem.Mol) -> tuple[float, float]:
    """Natural-product likeness (about -5 synthetic ... +5 natural product) and its confidence.

    Calls RDKit Contrib ``npscorer.scoreMolWConfidence`` with the model RDKit ships; confidence
    (0..1) is the share of the molecule's fragments that the model knows.
    """
    from rdkit.Contrib.NP_Score import npscorer

    result = npscorer.scoreMolWConfidence(mol, _np_model())
    return round(float(result.nplikeness), 3), round(float(result.confidence), 3)
