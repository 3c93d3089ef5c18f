"""Golden values for identity, descriptors, NP-likeness and fingerprints.

InChIKeys and molecular weights agree with PubChem; the other values are RDKit's, frozen here so a
change of RDKit or of our settings cannot pass unnoticed.
"""

import pytest

from actives.chem import (
    bulk_tanimoto,
    describe,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    inchi,
    inchikey,
    morgan_fingerprint,
    np_likeness,
    standardize,
    to_mol,
)

GOLDEN = {
    # name: (smiles, inchikey, mw, clogp, tpsa, hbd, hba, rotb, rings, fsp3, np_score, fp_bits)
    "aspirin": ("CC(=O)Oc1ccccc1C(=O)O", "BSYNRYMUTXBXSQ-UHFFFAOYSA-N",
                180.159, 1.31, 63.6, 1, 3, 2, 1, 0.111, 0.122, 24),
    "caffeine": ("Cn1c(=O)c2c(ncn2C)n(C)c1=O", "RYYVLZVUVIJVGH-UHFFFAOYSA-N",
                 194.194, -1.029, 61.82, 0, 3, 0, 2, 0.375, -1.087, 25),
    "arbutin": ("OC[C@H]1O[C@@H](Oc2ccc(O)cc2)[C@H](O)[C@@H](O)[C@@H]1O",
                "BJRNKVDFDLYUGJ-RMPHRYRLSA-N", 272.253, -1.429, 119.61, 5, 7, 3, 2, 0.5, 1.997, 31),
    "quercetin": ("O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12", "REFJWTPEDVJJIY-UHFFFAOYSA-N",
                  302.238, 1.988, 131.36, 5, 7, 1, 3, 0.0, 1.701, 34),
    "sulfanilamide": ("Nc1ccc(cc1)S(N)(=O)=O", "FDDDEECHVMSUSB-UHFFFAOYSA-N",
                      172.209, -0.084, 86.18, 2, 3, 1, 1, 0.0, -1.265, 17),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_values(name: str) -> None:
    smiles, key, mw, clogp, tpsa, hbd, hba, rotb, rings, fsp3, np_score, bits = GOLDEN[name]
    parent = standardize(to_mol(smiles))
    assert inchikey(parent.mol) == key
    d = describe(parent.mol)
    assert d.mw == pytest.approx(mw, abs=1e-3)
    assert d.clogp == pytest.approx(clogp, abs=1e-3)
    assert d.tpsa == pytest.approx(tpsa, abs=1e-2)
    assert (d.hbd, d.hba, d.rotatable_bonds, d.rings) == (hbd, hba, rotb, rings)
    assert d.fraction_csp3 == pytest.approx(fsp3, abs=1e-3)
    score, confidence = np_likeness(parent.mol)
    assert score == pytest.approx(np_score, abs=1e-3)
    assert 0.9 <= confidence <= 1.0
    assert morgan_fingerprint(parent.mol).GetNumOnBits() == bits


def test_natural_products_score_higher_than_synthetic_drugs() -> None:
    def score(smiles: str) -> float:
        return np_likeness(standardize(to_mol(smiles)).mol)[0]

    assert score(GOLDEN["arbutin"][0]) > 1 > 0 > score(GOLDEN["sulfanilamide"][0])


def test_inchi_round_trip() -> None:
    mol = to_mol(GOLDEN["caffeine"][0])
    text = inchi(mol)
    assert text == "InChI=1S/C8H10N4O2/c1-10-4-9-6-5(10)7(13)12(3)8(14)11(6)2/h4H,1-3H3"
    assert inchikey(to_mol(text)) == GOLDEN["caffeine"][1]


def test_fingerprint_bytes_round_trip_and_tanimoto() -> None:
    aspirin = morgan_fingerprint(to_mol(GOLDEN["aspirin"][0]))
    salicylic = morgan_fingerprint(to_mol("OC(=O)c1ccccc1O"))
    restored = fingerprint_from_bytes(fingerprint_to_bytes(aspirin))
    assert restored == aspirin
    sims = bulk_tanimoto(aspirin, [aspirin, salicylic])
    assert sims[0] == 1.0
    assert sims[1] == pytest.approx(0.4483, abs=1e-4)


def test_nearest_tanimoto_matches_one_query_at_a_time() -> None:
    """The many-query nearest similarity equals the per-query packed popcount one, exactly."""
    import numpy as np

    from actives.chem.fingerprints import (
        bit_columns,
        morgan_fingerprint,
        nearest_tanimoto,
        packed_bits,
        packed_matrix,
        packed_tanimoto,
        row_popcounts,
        sparse_bit_matrix,
    )

    reference = ["CCO", "c1ccccc1O", "CC(=O)Oc1ccccc1C(=O)O", "OCc1cc(=O)c(O)co1", "CCCCCC"]
    queries = ["c1ccccc1", "CCO", "OC(=O)c1ccccc1O", "[Na+]"]
    matrix = packed_matrix([packed_bits(morgan_fingerprint(to_mol(s))) for s in reference])
    query = packed_matrix([packed_bits(morgan_fingerprint(to_mol(s))) for s in queries])
    counts = row_popcounts(matrix)
    got = nearest_tanimoto(bit_columns(matrix), counts, query, prefixes=[2], block=3)
    for i, row in enumerate(query):
        scores = packed_tanimoto(matrix, counts, row)
        assert got[i, 0] == scores.max()  # the same integers divided: bit for bit
        assert got[i, 1] == scores[:2].max()
    assert got[1, 0] == 1.0  # ethanol is in the reference
    # queries made sparse once (for several models): the same values
    sparse_queries = sparse_bit_matrix(query)
    again = nearest_tanimoto(bit_columns(matrix), counts, sparse_queries, prefixes=[2], block=3)
    assert np.array_equal(again, got)
    assert nearest_tanimoto(bit_columns(matrix), counts, sparse_queries[:0]).shape == (0, 1)
    assert nearest_tanimoto(bit_columns(matrix), counts, query[:0]).shape == (0, 1)
    no_reference = nearest_tanimoto(bit_columns(matrix[:0]), counts[:0], query)
    assert no_reference.shape == (4, 1) and not no_reference.any()
