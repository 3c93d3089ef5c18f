"""Parsing and standardisation, including broken input."""

import pytest
from rdkit import Chem

from actives.chem import inchikey, standardize, to_mol
from actives.chem.parse import guess_format
from actives.errors import InvalidStructureError

MOLBLOCK_ETHANOL = """ethanol
     RDKit          2D

  3  2  0  0  0  0  0  0  0  0999 V2000
    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    1.2990    0.7500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    2.5981   -0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0
  2  3  1  0
M  END
"""


def test_formats_are_recognised() -> None:
    assert guess_format("InChI=1S/CH4/h1H4") == "inchi"
    assert guess_format(MOLBLOCK_ETHANOL) == "molblock"
    assert guess_format("CCO") == "smiles"
    assert inchikey(to_mol(MOLBLOCK_ETHANOL)) == inchikey(to_mol("CCO"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Empty structure"),
        ("   ", "Empty structure"),
        ("C1CC", "unclosed ring"),
        ("c1ccccc1(C)(C)", "kekulize"),
        ("CC(C", "Cannot read SMILES"),
        ("C[Xx]C", "Cannot read SMILES"),
        ("CC(C)(C)(C)(C)C", "valence"),
        ("InChI=1S/garbage", "Cannot read InChI"),
        ("C" * 100_001, "too long"),
    ],
)
def test_broken_structures_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidStructureError, match=message):
        to_mol(text)


def test_broken_molblock() -> None:
    broken = MOLBLOCK_ETHANOL.replace("  1  2  1  0\n", "  1  9  1  0\n")
    with pytest.raises(InvalidStructureError, match="Cannot read molfile"):
        to_mol(broken)


@pytest.mark.parametrize(
    ("given", "parent"),
    [
        ("[Na+].[O-]C(=O)c1ccccc1", "O=C(O)c1ccccc1"),  # sodium benzoate -> benzoic acid
        ("CCN.Cl", "CCN"),  # hydrochloride stripped
        ("CC(=O)O.O", "CC(=O)O"),  # water of crystallisation
        ("C[N+](C)(C)CC(=O)[O-]", "C[N+](C)(C)CC(=O)[O-]"),  # a real zwitterion stays
        ("[2H]C([2H])([2H])O", "CO"),  # isotope parent
    ],
)
def test_standardisation_gives_the_parent(given: str, parent: str) -> None:
    result = standardize(to_mol(given))
    assert result.smiles == parent


def test_salt_and_parent_share_an_identity() -> None:
    salt = standardize(to_mol("[Na+].[O-]C(=O)c1ccccc1"))
    acid = standardize(to_mol("OC(=O)c1ccccc1"))
    assert inchikey(salt.mol) == inchikey(acid.mol) == "WPYMKLBDIGXBTP-UHFFFAOYSA-N"
    assert salt.removed_fragments and salt.changed and not acid.changed


@pytest.mark.parametrize("inorganic", ["[Na+].[Cl-]", "O", "[Cu]", "O=S(=O)(O)O"])
def test_inorganics_have_no_parent(inorganic: str) -> None:
    with pytest.raises(InvalidStructureError, match="no organic parent"):
        standardize(to_mol(inorganic))


@pytest.mark.parametrize(
    "smiles",
    [
        "CC(=O)Oc1ccccc1C(=O)O",  # plain
        "CC(=O)[O-].[Na+]",  # salt: several fragments go through the pipeline
        "C[N+](C)(C)CCO",  # permanent charge kept
        "CC(=O)[O-]",  # neutralised
        "[13CH3]c1ccccc1O",  # isotope removed
        "CCO",  # a solvent on its own is kept
        "O=[N+]([O-])c1ccccc1",  # nitro normalised
        "C[S+](C)[O-]",
        "[Cl-].c1cc[nH+]cc1",
    ],
)
def test_single_fragment_parent_equals_the_chembl_pipeline(smiles: str) -> None:
    from chembl_structure_pipeline import standardizer

    from actives.chem.standardize import _parent

    standardized = standardizer.standardize_mol(to_mol(smiles))
    expected, expected_excluded = standardizer.get_parent_mol(Chem.Mol(standardized))
    parent, excluded = _parent(Chem.Mol(standardized))
    assert Chem.MolToSmiles(parent) == Chem.MolToSmiles(expected)
    assert excluded == bool(expected_excluded)


@pytest.mark.parametrize(
    ("smiles", "shortcut"),
    [
        ("CC(=O)Oc1ccccc1C(=O)O", True),
        ("OC(=O)[C@H](O)[C@@H](O)C(=O)O", True),  # tartaric acid: stereo flattened
        ("OC[C@H]1OC(O)[C@H](O)[C@@H](O)[C@@H]1O", True),  # C, O, H only: no normaliser
        ("O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12", True),  # quercetin, aromatic C/O/H
        ("CC(=O)C(O)=N", True),  # amide tautomer normalised, stays neutral
        ("CS(C)=O", True),  # sulfoxide: normalised to a charge that uncharging keeps
        ("CN(=O)=O", True),  # RDKit reads a pentavalent nitro as charge-separated
        ("CC(=O)[O-]", True),  # a carboxylate: uncharged
        ("C[NH+](C)CC(=O)[O-]", True),  # a zwitterion: both charges removed
        ("C[N+](C)(C)CC(=O)[O-]", True),  # quaternary ammonium: the carboxylate stays charged
        ("C[N+](C)(C)CC([O-])CC[O-]", True),  # uncharged in the pipeline's canonical order
        ("[O-][n+]1ccccc1", True),  # an N-oxide stays charge-separated
        ("CC(=O)N[C@@H](C)C(=O)[O-]", True),  # ZINC's deprotonated acids
        # a protonated bridgehead N (ZINC): its configuration is kept once the proton is gone
        ("CC[C@@]12CCC[N@H+]3CC[C@]4(c5ccc(OC)c(O)c5N(C(C)=O)[C@@H]4CC1)[C@H]32", True),
        ("[2H]C(Cl)(Cl)Cl", False),  # an isotope
        ("[13CH3]C(=O)O", False),  # an isotope on a heavy atom
        ("CC(=O)O.CCN", False),  # two fragments
        ("C[Si](C)(C)O", False),  # an element outside the organic set
        ("OB(O)c1ccccc1", False),  # boron counts for the exclusion flag
        ("[H]OC([H])([H])C", True),  # hydrogens written out are implicit once read
    ],
)
def test_one_fragment_shortcut_equals_the_chembl_pipeline(smiles: str, shortcut: bool) -> None:
    """One organic fragment skips the steps that cannot change it; the result is the same."""
    import importlib

    module = importlib.import_module("actives.chem.standardize")
    mol = to_mol(smiles)
    assert module._one_organic_fragment(mol) is shortcut
    full, _excluded = module._standardize_full(mol)
    assert standardize(mol).smiles == Chem.MolToSmiles(full)
    if shortcut:
        assert Chem.MolToSmiles(module._standardize_one_fragment(mol)) == Chem.MolToSmiles(full)
    # without re-reading: the same SMILES and the same Morgan counts (the models' features)
    from rdkit.Chem import rdFingerprintGenerator

    counts = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    kept, reread = standardize(mol, reread=False), standardize(mol)
    assert kept.smiles == reread.smiles
    assert inchikey(kept.mol) == inchikey(reread.mol)
    assert list(counts.GetCountFingerprintAsNumPy(kept.mol)) == list(
        counts.GetCountFingerprintAsNumPy(reread.mol)
    )


@pytest.mark.parametrize(
    ("smiles", "normalised"),
    [
        ("OC[C@H]1OC(O)[C@H](O)[C@@H](O)[C@@H]1O", False),  # C, O, H only
        ("CC(=O)Nc1ccc(O)cc1", False),  # paracetamol: N, but no rule's pattern
        ("Clc1ccc(Br)cc1F", False),  # halogens on carbon
        ("c1ccc2[nH]ccc2c1", False),
        ("CSc1ccccc1", False),  # a thioether is not a sulfoxide
        ("CC(=O)C(O)=N", True),  # bad amide tautomer
        ("CC(O)=NC", True),  # bad amide tautomer, N-substituted
        ("CS(C)=O", True),  # sulfoxide
        ("CS(=O)(=O)C", False),  # a sulfone has four neighbours: no sulfoxide rule
    ],
)
def test_normaliser_is_skipped_only_where_no_rule_matches(smiles: str, normalised: bool) -> None:
    """No rule's reactant pattern found: the normaliser would return the molecule unchanged."""
    import importlib

    from chembl_structure_pipeline import standardizer

    module = importlib.import_module("actives.chem.standardize")
    assert len(module._NORMALISATION_TEMPLATES) == 12  # every rule of the pipeline's table
    kekulized = standardizer.kekulize_mol(to_mol(smiles))
    assert module._needs_normalising(Chem.Mol(kekulized)) is normalised
    if not normalised:
        unchanged = standardizer.normalize_mol(Chem.Mol(kekulized))
        assert Chem.MolToSmiles(unchanged) == Chem.MolToSmiles(kekulized)
    full, _excluded = module._standardize_full(to_mol(smiles))
    assert standardize(to_mol(smiles)).smiles == Chem.MolToSmiles(full)


@pytest.mark.parametrize(
    ("smiles", "apart"),
    [
        ("CC(O)=N", True),  # one imidic acid
        ("CC(O)=NCC(O)=NC", True),  # two, apart: a peptide drawn as imidic acids
        ("CC(O)=NC1CCC(N(=O)=O)CC1", True),  # two rules, apart
        ("O=N(=O)C(O)=NC", True),  # two rules on neighbouring atoms, no atom shared
        ("CS(=O)N=C(C)O", False),  # the sulfoxide and imidic acid rules share the N
    ],
)
def test_in_place_normalisation_only_where_rule_matches_are_apart(smiles: str, apart: bool) -> None:
    """Matches that share no atom: the in-place normaliser gives the pipeline's molecule;
    otherwise the pipeline's own normaliser runs. Either way, the pipeline's result."""
    import importlib

    from chembl_structure_pipeline import standardizer

    module = importlib.import_module("actives.chem.standardize")
    kekulized = standardizer.kekulize_mol(to_mol(smiles))
    assert module._matches_apart(Chem.Mol(kekulized)) is apart
    reference = standardizer.normalize_mol(Chem.Mol(kekulized))
    assert Chem.MolToSmiles(module._normalize(Chem.Mol(kekulized))) == Chem.MolToSmiles(reference)
    full, _excluded = module._standardize_full(to_mol(smiles))
    assert standardize(to_mol(smiles)).smiles == Chem.MolToSmiles(full)


def test_without_the_pipelines_rule_table_every_candidate_is_normalised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from chembl_structure_pipeline import standardizer

    module = importlib.import_module("actives.chem.standardize")
    monkeypatch.delattr(standardizer, "_normalization_transforms")
    assert module._normalisation_templates() is None  # another version of the pipeline
    monkeypatch.setattr(module, "_NORMALISATION_TEMPLATES", None)
    assert module._needs_normalising(to_mol("CC(=O)Nc1ccc(O)cc1"))
    assert not module._needs_normalising(to_mol("OCC(O)CO"))  # C, O, H: still never


@pytest.mark.parametrize(
    "smiles",
    ["OC(=O)[C@H](O)[C@@H](O)C(=O)O", "OC(=O)[C@H](O)[C@@H](O)C(=O)OC", "CC(O)C(=O)O"],
)
def test_tartrate_rule_equals_the_pipelines(smiles: str) -> None:
    import importlib

    from chembl_structure_pipeline import standardizer

    module = importlib.import_module("actives.chem.standardize")
    mol = to_mol(smiles)
    ours = module._flatten_tartrate(Chem.Mol(mol))
    assert Chem.MolToSmiles(ours) == Chem.MolToSmiles(standardizer.flatten_tartrate_mol(mol))
