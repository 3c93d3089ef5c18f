"""Skin-sensitisation alerts: each mechanistic domain is found, inert molecules carry none."""

import pytest

from actives.chem import to_mol
from actives.chem.alerts import ALERTS, alert_counts, find_alerts


@pytest.mark.parametrize(
    ("smiles", "alert_id"),
    [
        ("C=CC(=O)OC", "ab_unsaturated_carbonyl"),  # methyl acrylate, Michael acceptor
        ("O=C1C=CC(=O)C=C1", "p_quinone"),  # p-benzoquinone
        ("Nc1ccc(N)cc1", "p_phenylenediamine"),  # pro-Michael acceptor
        ("[O-][N+](=O)c1ccc(Cl)c([N+](=O)[O-])c1", "o_halo_nitroarene"),  # DNCB, SNAr
        ("ClCc1ccccc1", "allyl_benzyl_halide"),  # benzyl chloride, SN2
        ("O=Cc1ccccc1", "aldehyde"),  # benzaldehyde, Schiff base
        ("O=C1OC(=O)c2ccccc12", "anhydride"),  # phthalic anhydride, acylating
        ("CC(C)=CCCC(C)=CC=O", "trisubstituted_alkene"),  # citral
    ],
)
def test_known_sensitisers_carry_their_alert(smiles: str, alert_id: str) -> None:
    found = {m.alert.id for m in find_alerts(to_mol(smiles))}
    assert alert_id in found


def test_inert_molecules_carry_none_and_counts_align() -> None:
    for smiles in ("CCO", "CCCCCC", "OCC(O)CO"):  # ethanol, hexane, glycerol
        mol = to_mol(smiles)
        assert find_alerts(mol) == []
        assert alert_counts(mol) == [0] * len(ALERTS)
    counts = alert_counts(to_mol("O=Cc1ccc(C=O)cc1"))  # terephthalaldehyde: two aldehydes
    assert counts[[a.id for a in ALERTS].index("aldehyde")] == 2
