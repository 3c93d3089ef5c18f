"""Components of a structure record: is it one substance, a mixture, or an undefined structure?

Reference data sets list salts, mixtures of isomers and Markush-like records (CXSMILES with
``*`` attachment points) side by side with single substances. A salt is one substance (its
counter-ions are stripped by standardisation); a record that still holds several organic
components after the ChEMBL salt and solvent stripping is a mixture, and a record with dummy
atoms has no defined structure. Neither should be keyed as if it were its largest fragment.
"""

from __future__ import annotations

from chembl_structure_pipeline import standardizer
from rdkit import Chem

from actives.chem._rdlog import captured_rdkit_log
from actives.errors import InvalidStructureError


def has_dummy_atoms(mol: Chem.Mol) -> bool:
    """Whether the structure has ``*`` atoms (attachment points, unspecified positions)."""
    return any(atom.GetAtomicNum() == 0 for atom in mol.GetAtoms())


def organic_components(mol: Chem.Mol) -> list[str]:
    """Distinct organic fragments left after ChEMBL salt and solvent stripping (SMILES).

    One entry for a single substance or a salt, several for a mixture, none for an inorganic.
    """
    if len(Chem.GetMolFrags(mol)) == 1:
        has_carbon = any(atom.GetAtomicNum() == 6 for atom in mol.GetAtoms())
        return [Chem.MolToSmiles(mol)] if has_carbon else []
    with captured_rdkit_log():
        try:
            parent, _excluded = standardizer.get_parent_mol(
                standardizer.standardize_mol(Chem.Mol(mol))
            )
        except Exception as exc:  # the pipeline raises plain exceptions on odd inputs
            raise InvalidStructureError(
                f"Salt stripping failed for {Chem.MolToSmiles(mol)!r}: {exc}."
            ) from exc
        fragments = Chem.GetMolFrags(parent, asMols=True)
        return sorted(
            {
                Chem.MolToSmiles(fragment)
                for fragment in fragments
                if any(atom.GetAtomicNum() == 6 for atom in fragment.GetAtoms())
            }
        )
