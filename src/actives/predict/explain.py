"""Atom-level contributions: which parts of a structure raise or lower a prediction.

LightGBM computes exact TreeSHAP values (``pred_contrib=True``): the prediction splits into the
model's expected value plus one contribution per feature. Each Morgan count feature present in
the molecule is shared equally among the atoms of the circular environments that set it (centre
atom and its neighbours out to the environment's radius), so the atom weights add up exactly to
the part of the prediction that the molecule's own substructures explain. Contributions of
features the molecule lacks (an absent substructure that would have changed the value) and of
whole-molecule descriptors cannot be drawn on atoms; they are reported beside, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rdkit import Chem

from actives.chem import to_svg
from actives.chem.depict import Colour
from actives.errors import InvalidInputError
from actives.predict.artifact import ModelArtifact
from actives.predict.featurizers import combined_mols, count_bit_environments

RAISES: Colour = (0.16, 0.55, 0.45)  # raises the predicted value
LOWERS: Colour = (0.85, 0.33, 0.2)  # lowers it


@dataclass(frozen=True)
class AtomContributions:
    """A prediction split into the expected value, per-atom parts and what atoms cannot carry."""

    smiles: str
    prediction: float
    expected_value: float
    atom_weights: tuple[float, ...]
    absent_substructures: float
    descriptors: float

    @property
    def on_atoms(self) -> float:
        """The part of the prediction drawn on the atoms."""
        return float(sum(self.atom_weights))


def _environment_atoms(mol: Chem.Mol, centre: int, radius: int) -> set[int]:
    if radius == 0:
        return {centre}
    atoms = {centre}
    for bond_index in Chem.FindAtomEnvironmentOfRadiusN(mol, radius, centre):
        bond = mol.GetBondWithIdx(bond_index)
        atoms.update((bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()))
    return atoms


def atom_contributions(model: ModelArtifact, smiles: str) -> AtomContributions:
    """Split a model's prediction for one standardised SMILES over its atoms."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise InvalidInputError(f"{smiles!r} is not readable; expected a standardised SMILES.")
    features, names, failed = combined_mols(model.featurizers, [mol])
    if failed:
        raise InvalidInputError(f"{smiles!r} could not be featurised for {model.endpoint.id}.")
    shap = np.asarray(model.booster.predict(features, pred_contrib=True))[0]
    expected, per_feature = float(shap[-1]), shap[:-1]
    weights = np.zeros(mol.GetNumAtoms())
    absent = descriptors = 0.0
    environments = count_bit_environments(mol)
    for column, (name, contribution) in enumerate(zip(names, per_feature, strict=True)):
        if contribution == 0:
            continue
        if not name.startswith("morgan_"):
            descriptors += float(contribution)
            continue
        occurrences = environments.get(column, ())
        if not occurrences:
            absent += float(contribution)
            continue
        share = float(contribution) / len(occurrences)
        for centre, radius in occurrences:
            atoms = _environment_atoms(mol, centre, radius)
            for atom in atoms:
                weights[atom] += share / len(atoms)
    return AtomContributions(
        smiles=smiles,
        prediction=float(shap.sum()),
        expected_value=expected,
        atom_weights=tuple(float(w) for w in weights),
        absent_substructures=absent,
        descriptors=descriptors,
    )


def _blend(colour: Colour, strength: float) -> Colour:
    r, g, b = colour
    return (1 - strength * (1 - r), 1 - strength * (1 - g), 1 - strength * (1 - b))


def contributions_svg(contributions: AtomContributions, width: int = 360, height: int = 260) -> str:
    """The structure with each atom tinted by its contribution (green raises, red lowers)."""
    mol = Chem.MolFromSmiles(contributions.smiles)
    weights = np.asarray(contributions.atom_weights)
    scale = float(np.abs(weights).max()) if len(weights) else 0.0
    colours: dict[int, Colour] = {}
    if scale > 0:
        for atom, weight in enumerate(weights):
            strength = min(1.0, abs(weight) / scale)
            if strength >= 0.05:
                colours[atom] = _blend(RAISES if weight > 0 else LOWERS, 0.15 + 0.85 * strength)
    return to_svg(mol, width, height, atom_colours=colours)
