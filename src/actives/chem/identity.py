"""Identity of a structure: InChIKey (the platform's compound key), InChI and canonical SMILES."""

from __future__ import annotations

from rdkit import Chem

from actives.chem._rdlog import captured_rdkit_log
from actives.errors import InvalidStructureError


def inchikey(mol: Chem.Mol) -> str:
    """Standard InChIKey, e.g. ``BSYNRYMUTXBXSQ-UHFFFAOYSA-N`` for aspirin."""
    with captured_rdkit_log():
        key = Chem.MolToInchiKey(mol)
    if not key:
        raise InvalidStructureError(f"No InChIKey could be computed for {Chem.MolToSmiles(mol)!r}.")
    return key


def inchi(mol: Chem.Mol) -> str:
    """Standard InChI string."""
    with captured_rdkit_log():
        text = Chem.MolToInchi(mol)
    if not text:
        raise InvalidStructureError(f"No InChI could be computed for {Chem.MolToSmiles(mol)!r}.")
    return text


def canonical_smiles(mol: Chem.Mol, isomeric: bool = True) -> str:
    """RDKit canonical SMILES."""
    return Chem.MolToSmiles(mol, isomericSmiles=isomeric)


def connectivity(key: str) -> str:
    """The first InChIKey block (skeleton without stereo, isotopes or protonation)."""
    return key.split("-", 1)[0]
