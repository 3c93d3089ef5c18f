"""RDKit's messages are captured per block (nested blocks both see them), never printed."""

from __future__ import annotations

import threading

from rdkit import Chem

from actives.chem._rdlog import captured_rdkit_log, last_error


def test_a_parse_error_is_captured_in_every_open_block() -> None:
    with captured_rdkit_log() as outer:
        with captured_rdkit_log() as inner:
            assert Chem.MolFromSmiles("C1CC") is None
        after_inner = list(inner)
        assert Chem.MolFromSmiles("CC(C)(C)(C)(C)C") is None
    assert after_inner and "unclosed ring" in last_error(after_inner)
    assert len(outer) > len(after_inner)  # the outer block also saw the second error
    assert "valence" in last_error(outer).lower()


def test_blocks_of_other_threads_stay_apart() -> None:
    seen: dict[str, list[str]] = {}

    def parse(name: str, smiles: str) -> None:
        with captured_rdkit_log() as log:
            Chem.MolFromSmiles(smiles)
        seen[name] = log

    threads = [threading.Thread(target=parse, args=(n, s))
               for n, s in (("bad", "C1CC"), ("good", "CCO"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["good"] == [] and seen["bad"]
    with captured_rdkit_log() as log:
        Chem.MolFromSmiles("CCO")
    assert log == []
