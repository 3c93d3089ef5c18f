"""Standardisation with the ChEMBL structure pipeline: normalise, strip salts, take the parent."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from chembl_structure_pipeline import standardizer
from rdkit import Chem, rdBase
from rdkit.Chem import rdChemReactions
from rdkit.Chem.MolStandardize import rdMolStandardize

from actives.chem._rdlog import captured_rdkit_log
from actives.errors import InvalidStructureError

_CARBON = Chem.MolFromSmarts("[#6]")
# Atoms that make the pipeline's H removal, exclusion flag or alkoxide rule do something: hydrogen
# as a graph atom and any element outside the common organic set (metals and boron for the
# exclusion flag; Li, Na and K for the alkoxide rule). A molecule without them, without isotopes,
# in one fragment and without coordinates only needs the pipeline's normalisation, uncharging and
# tartrate rules; everything else goes through the whole pipeline.
_NEEDS_FULL_PIPELINE = Chem.MolFromSmarts("[!#6&!#7&!#8&!#9&!#15&!#16&!#17&!#35&!#53]")
_CHARGED = Chem.MolFromSmarts("[!+0]")
_ISOTOPE = Chem.MolFromSmarts("[!0*]")  # any atom with a mass number
# Every normalisation rule of the ChEMBL pipeline involves N, S, a halogen or an alkali metal (or
# a neutral trivalent O, which RDKit does not accept uncharged): a molecule of carbon, oxygen and
# hydrogen alone, charged or not, is left as it is, so it skips the normaliser.
_NORMALISABLE = Chem.MolFromSmarts("[!#6&!#8&!#1]")
# The pipeline's alkoxide pattern: metal-O/N bonds that it splits before normalising.
_ALKOXIDE = Chem.MolFromSmarts("[Li,Na,K;+0]-[#7,#8;+0]")


def _rule_table() -> str | None:
    """The pipeline's normalisation rule table (name and SMIRKS per line), or None where this
    version of the pipeline does not expose it."""
    table = getattr(standardizer, "_normalization_transforms", None)
    return table if isinstance(table, str) else None


def _normalisation_templates() -> tuple[Chem.Mol, ...] | None:
    """The reactant patterns of the pipeline's normalisation rules, read from the pipeline itself.

    A molecule that matches none of them comes out of the normaliser as it went in, so the
    normaliser (its most expensive step) can be skipped. None where the pipeline's rule table
    cannot be read (another version of it): then every molecule is normalised.
    """
    table = _rule_table()
    if table is None:
        return None
    templates: list[Chem.Mol] = []
    try:
        for line in table.splitlines():
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            reaction = rdChemReactions.ReactionFromSmarts(line.split("\t")[-1].strip())
            reaction.Initialize()
            templates.extend(reaction.GetReactants())
    except (ValueError, RuntimeError):
        return None
    return tuple(templates) or None


_NORMALISATION_TEMPLATES = _normalisation_templates()


def _in_place_normaliser() -> rdMolStandardize.Normalizer | None:
    """RDKit's normaliser with the pipeline's own rules, for :func:`_normalize` (None where the
    rule table cannot be read)."""
    table = _rule_table()
    if table is None or _NORMALISATION_TEMPLATES is None:
        return None
    return rdMolStandardize.NormalizerFromData(table, rdMolStandardize.CleanupParameters())


_IN_PLACE_NORMALISER = _in_place_normaliser()


def _normalize(kekulized: Chem.Mol) -> Chem.Mol:
    """The pipeline's normalisation of a kekulised molecule, in place where that gives the same.

    The pipeline's normaliser enumerates every product of a rule and keeps the first by SMILES;
    on a large natural product with several amide groups drawn as imidic acids it costs about
    2.6 ms. Where the matches of the rules share no atom, the order they are applied in cannot
    matter, and RDKit's in-place normaliser (the same rules, one match at a time) reaches the
    same molecule eight times faster; where matches overlap, the pipeline's own normaliser runs.
    Identical on all 903 normalised molecules of the raw data
    (benchmarks/standardisation_identity.py).
    """
    if _IN_PLACE_NORMALISER is None or not _matches_apart(kekulized):
        return standardizer.normalize_mol(kekulized)
    _IN_PLACE_NORMALISER.normalizeInPlace(kekulized)
    return kekulized


def _matches_apart(kekulized: Chem.Mol) -> bool:
    """Whether no two matches of the normalisation rules share an atom (nor is there an
    alkoxide, which the pipeline splits first): each rule then changes its own atoms only, and
    the order the matches are taken in cannot change the result. A match that appears only after
    a first change is not foreseen here; the identity check on the raw data covers that case."""
    if _NORMALISATION_TEMPLATES is None or kekulized.HasSubstructMatch(_ALKOXIDE):
        return False
    Chem.FastFindRings(kekulized)
    atoms = [a for t in _NORMALISATION_TEMPLATES for m in kekulized.GetSubstructMatches(t)
             for a in m]  # fmt: skip
    return len(atoms) == len(set(atoms))


def _needs_normalising(kekulized: Chem.Mol) -> bool:
    """Whether a normalisation rule of the pipeline can match this (kekulised) molecule.

    Carbon, oxygen and hydrogen alone never match; otherwise the rules' own reactant patterns
    are matched with ring information, as the normaliser does (some rules ask for chain bonds).
    """
    if not kekulized.HasSubstructMatch(_NORMALISABLE):
        return False
    if _NORMALISATION_TEMPLATES is None:
        return True
    Chem.FastFindRings(kekulized)
    return any(kekulized.HasSubstructMatch(t) for t in _NORMALISATION_TEMPLATES)


@dataclass(frozen=True)
class Standardized:
    """A standardised parent structure and what standardisation changed."""

    mol: Chem.Mol
    original: Chem.Mol = field(repr=False, compare=False)  # the input, as read
    written_smiles: str = field(default="", repr=False, compare=False)  # if written already

    @cached_property
    def smiles(self) -> str:
        """The parent's canonical SMILES: as written to re-read it, or written on first use
        (a screen writes it for the rows it keeps only)."""
        return self.written_smiles or Chem.MolToSmiles(self.mol)

    @property
    def removed_fragments(self) -> bool:
        """Whether salts, solvents or other fragments were removed."""
        return len(Chem.GetMolFrags(self.original)) > len(Chem.GetMolFrags(self.mol))

    @property
    def changed(self) -> bool:
        """Whether the standardised SMILES differs from the input's canonical SMILES."""
        return self.smiles != Chem.MolToSmiles(self.original)


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


def _one_organic_fragment(mol: Chem.Mol) -> bool:
    """Whether the pipeline can only normalise, uncharge and flatten tartrate centres in this
    molecule (see ``_NEEDS_FULL_PIPELINE``)."""
    return (
        len(Chem.GetMolFrags(mol)) == 1
        and not mol.HasSubstructMatch(_ISOTOPE)
        and mol.GetNumConformers() == 0
        and not Chem.GetMolSubstanceGroups(mol)
        and not mol.HasSubstructMatch(_NEEDS_FULL_PIPELINE)
    )


def _standardize_one_fragment(mol: Chem.Mol) -> Chem.Mol:
    """The pipeline's parent of one organic fragment, with only the steps that can change it.

    H removal, the drawing clean-up, the isotope parent and the exclusion flag change nothing on
    such a molecule while it is neutral. Normalisation runs where one of its rules matches; a
    molecule with a charge after it is uncharged, then goes through the pipeline's parent step.
    A molecule that no rule, charge or free tartrate touches is returned as it was read (the
    pipeline's kekulise and re-sanitise give it back as it was). Tested identical to the pipeline
    in tests/unit/chem and on the raw data (benchmarks/standardisation_identity.py).
    """
    normalized: Chem.Mol | None = None  # None: no normalisation rule matches
    if mol.HasSubstructMatch(_NORMALISABLE):
        kekulized = standardizer.kekulize_mol(Chem.Mol(mol))
        if _needs_normalising(kekulized):
            normalized = _normalize(kekulized)
    charged = (normalized or mol).HasSubstructMatch(_CHARGED)
    if normalized is None and not charged and not mol.HasSubstructMatch(_TARTRATE):
        return mol  # nothing to change
    if normalized is None:
        normalized = standardizer.kekulize_mol(Chem.Mol(mol))
    if charged:
        normalized = standardizer.uncharge_mol(normalized)
    flattened = _flatten_tartrate(normalized)
    Chem.SanitizeMol(flattened)
    if charged:
        # The parent step as the pipeline runs it: its H removal perceives ring stereo afresh
        # (a bridgehead N keeps its configuration once its proton is gone), then uncharges again.
        flattened = standardizer.uncharge_mol(standardizer.get_isotope_parent_mol(flattened))
    return flattened


def _tartrate_query() -> Chem.Mol:
    """The pipeline's free tartrate/tartaric acid pattern (degrees fixed as drawn)."""
    params = Chem.AdjustQueryParameters.NoAdjustments()
    params.adjustDegree = True  # type: ignore[assignment]  # stub gap: a bool property
    params.adjustDegreeFlags = Chem.AdjustQueryWhichFlags.ADJUST_IGNORENONE
    return Chem.AdjustQueryProperties(Chem.MolFromSmarts("OC(=O)C(O)C(O)C(=O)O"), params)


_TARTRATE = _tartrate_query()


def _flatten_tartrate(mol: Chem.Mol) -> Chem.Mol:
    """The pipeline's tartrate rule (stereo of free tartrate centres removed), with its query
    built once instead of on every call; tested equal to ``flatten_tartrate_mol``."""
    matches = mol.GetSubstructMatches(_TARTRATE)
    if not matches:
        return mol
    flattened = Chem.Mol(mol)
    for match in matches:
        flattened.GetAtomWithIdx(match[3]).SetChiralTag(Chem.ChiralType.CHI_UNSPECIFIED)
        flattened.GetAtomWithIdx(match[5]).SetChiralTag(Chem.ChiralType.CHI_UNSPECIFIED)
    return flattened


def _standardize_full(mol: Chem.Mol) -> tuple[Chem.Mol, bool]:
    """The ChEMBL pipeline: standardise, then the parent and its exclusion flag."""
    standardized = standardizer.standardize_mol(Chem.Mol(mol))
    return _parent(standardized)


def standardize(mol: Chem.Mol, *, reread: bool = True) -> Standardized:
    """ChEMBL standardisation then parent (salts/solvents stripped, charges neutralised).

    Where the ChEMBL parent still has several fragments (a metal counter-ion such as Na+ is kept
    by its salt list), the largest organic fragment is kept and neutralised. The result is re-read
    from its canonical SMILES so that ring information and aromaticity are fresh for descriptors
    and fingerprints.

    ``reread=False`` keeps the computed parent of one organic fragment instead of re-reading it
    (re-reading costs as much as parsing), except where it was uncharged last. Its Morgan counts,
    its SMILES (written only when asked for) and its InChIKey are the same as the re-read
    parent's, tested on the 38,251 such molecules of the raw data
    (``benchmarks/standardisation_identity.py``); its atom order and the stereo flags that
    neither sees need not be. For callers that compute Morgan features (the Predictor when every
    model reads Morgan counts only, and screening).
    """
    shortcut = _one_organic_fragment(mol)
    with captured_rdkit_log():
        try:
            if shortcut:
                parent, excluded = _standardize_one_fragment(mol), False
            else:
                parent, excluded = _standardize_full(mol)
        except Exception as exc:  # the pipeline raises plain exceptions on odd inputs
            raise InvalidStructureError(
                f"Standardisation failed for {Chem.MolToSmiles(mol)!r}: {exc}. Expected an "
                "organic structure."
            ) from exc
    if parent is not None and len(Chem.GetMolFrags(parent)) > 1:
        with captured_rdkit_log():
            chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
            parent = rdMolStandardize.Uncharger().uncharge(chooser.choose(parent))
    organic = parent is not None and parent.HasSubstructMatch(_CARBON)
    if excluded or parent is None or parent.GetNumAtoms() == 0 or not organic:
        raise InvalidStructureError(
            f"{Chem.MolToSmiles(mol)!r} has no organic parent after removing salts and solvents; "
            "expected at least one organic component."
        )
    if shortcut and not reread and _has_ring_info(parent):
        return Standardized(mol=parent, original=mol)
    # Re-read, also without ``reread`` where the parent was uncharged last: it has no ring
    # information, and sanitising it would drop the flag of a bridgehead N whose proton is gone.
    smiles = Chem.MolToSmiles(parent)
    fresh = Chem.MolFromSmiles(smiles)
    if fresh is None:
        raise InvalidStructureError(f"Standardised structure {smiles!r} could not be re-read.")
    return Standardized(mol=fresh, original=mol, written_smiles=smiles)


def _has_ring_info(mol: Chem.Mol) -> bool:
    """Whether the molecule's ring information is computed (it is not after uncharging).

    RDKit's complaint is blocked: routed to Python's logging, its fifty lines cost a
    millisecond, five times the sanitisation that follows.
    """
    try:
        with rdBase.BlockLogs():
            mol.GetRingInfo().NumRings()
    except RuntimeError:  # "RingInfo not initialized"
        return False
    return True
