"""Standardisation with the ChEMBL structure pipeline: normalise, strip salts, take the parent."""

from __future__ import annotations

from dataclasses import dataclass

from chembl_structure_pipeline import standardizer
from rdkit import Chem
from rdkit.Chem.MolStandardize import rdMolStandardize

from actives.chem._rdlog import captured_rdkit_log
from actives.errors import InvalidStructureError

_CARBON = Chem.MolFromSmarts("[#6]")


@dataclass(frozen=True)
class Standardized:
    """A standardised parent structure and what standardisation changed."""

    mol: Chem.Mol
    smiles: str
    removed_fragments: bool
    changed: bool


def _parent(standardized: Chem.Mol) -> tuple[Chem.Mol, bool]:
    """The ChEMBL parent and its exclusion flag.

    For a single fragment the pipeline's salt and solvent stripping cannot remove anything (when
    every fragment matches it keeps them all), so its result is the isotope parent, neutralised,
    with the exclusion flag computed before neutralising. That is computed directly here: the
    pipeline re-reads its salt and solvent lists from disk on every call, which costs more than
    the rest of standardisation. Several fragments go through the pipeline unchanged.
    """
    if len(Chem.GetMolFrags(standardized)) > 1:
        parent, excluded = standardizer.get_parent_mol(standardized)
        return parent, bool(excluded)
    isotope_parent = standardizer.get_isotope_parent_mol(standardized)
    excluded = standardizer.exclude_flag(isotope_parent, includeRDKitSanitization=False)
    return standardizer.uncharge_mol(isotope_parent), bool(excluded)


def standardize(mol: Chem.Mol) -> Standardized:
    """ChEMBL standardisation then parent (salts/solvents stripped, charges neutralised).

    Where the ChEMBL parent still has several fragments (a metal counter-ion such as Na+ is kept
    by its salt list), the largest organic fragment is kept and neutralised. The result is re-read
    from its canonical SMILES so that ring information and aromaticity are fresh for descriptors
    and fingerprints.
    """
    before = Chem.MolToSmiles(mol)
    with captured_rdkit_log():
        try:
            standardized = standardizer.standardize_mol(Chem.Mol(mol))
            parent, excluded = _parent(standardized)
        except Exception as exc:  # the pipeline raises plain exceptions on odd inputs
            raise InvalidStructureError(
                f"Standardisation failed for {before!r}: {exc}. Expected an organic structure."
            ) from exc
    if parent is not None and len(Chem.GetMolFrags(parent)) > 1:
        with captured_rdkit_log():
            chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
            parent = rdMolStandardize.Uncharger().uncharge(chooser.choose(parent))
    organic = parent is not None and parent.HasSubstructMatch(_CARBON)
    if excluded or parent is None or parent.GetNumAtoms() == 0 or not organic:
        raise InvalidStructureError(
            f"{before!r} has no organic parent after removing salts and solvents; "
            "expected at least one organic component."
        )
    smiles = Chem.MolToSmiles(parent)
    fresh = Chem.MolFromSmiles(smiles)
    if fresh is None:
        raise InvalidStructureError(f"Standardised structure {smiles!r} could not be re-read.")
    return Standardized(
        mol=fresh,
        smiles=smiles,
        removed_fragments=len(Chem.GetMolFrags(mol)) > len(Chem.GetMolFrags(fresh)),
        changed=smiles != before,
    )
