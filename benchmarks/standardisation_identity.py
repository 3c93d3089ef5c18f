"""Check that the standardisation shortcuts give the ChEMBL pipeline's own result on real data.

    python benchmarks/standardisation_identity.py [--limit N]

Reads every distinct SMILES of the raw data sets the platform predicts or builds from (LOTUS and
ZINC natural-product libraries, the ChEMBL COX-2, MMP-1 and antioxidant sets, DPPH-30, skin
permeability; ACTIVES_RAW_DATA) and standardises each twice: with ``standardize`` (which takes the
shortcut for one organic fragment: normalisation only where a rule's reactant pattern is found,
in place where the rules' matches share no atom, uncharging only where a charge is left) and
with the whole ChEMBL pipeline (``_standardize_full``). Prints how many took each path and how
many differ (the SMILES of any that differ), and whether the parent kept without re-reading it
from its SMILES (``standardize(reread=False)``, as the Predictor does for Morgan-count models)
has the same Morgan counts, the same InChIKey and, written after its fingerprint (a screen
writes SMILES for its hits only, after the prediction), the same SMILES. Nothing is written;
nothing of the raw data is kept.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator
from tqdm import tqdm

from actives.chem._rdlog import captured_rdkit_log
from actives.chem.identity import inchikey
from actives.config import get_settings
from actives.errors import ActivesError

# the module, not the function of the same name that actives.chem exports
module = importlib.import_module("actives.chem.standardize")
COUNTS = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


def distinct_smiles(raw: Path) -> list[str]:
    """Every distinct SMILES string in the CSV/SMI files of the chemistry data sets."""
    found: set[str] = set()
    folders = ["lotus-np-library", "zinc-natural-products", "chembl-cox2", "chembl-mmp1",
               "chembl-antioxidant", "dpph30-antioxidant", "skin-permeability"]  # fmt: skip
    for folder in folders:
        for path in sorted((raw / folder).glob("*")):
            if path.suffix.lower() == ".csv":
                frame = pd.read_csv(path, low_memory=False)
                columns = [c for c in frame.columns if "smiles" in str(c).lower()]
                if path.name == "Lotus_predito_final.csv":
                    columns = ["0"]
                for column in columns:
                    found.update(frame[column].dropna().astype(str))
            elif path.suffix.lower() in (".smi", ".txt"):
                for line in path.read_text(errors="replace").splitlines():
                    if line.strip():
                        found.add(line.split()[0])
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0, help="check only the first N SMILES")
    args = parser.parse_args()
    smiles = distinct_smiles(get_settings().raw_data)
    if args.limit:
        smiles = smiles[: args.limit]
    counts = {"unreadable": 0, "one fragment, C/O/H only": 0, "one fragment, no rule matches": 0,
              "one fragment, normalised": 0, "one fragment, uncharged": 0,
              "full pipeline": 0}  # fmt: skip
    differ: list[str] = []
    counts_differ: list[str] = []
    smiles_differ: list[str] = []
    keys_differ: list[str] = []
    for text in tqdm(smiles, desc="standardising", unit="mol", mininterval=5):
        with captured_rdkit_log():
            mol = Chem.MolFromSmiles(text)
        if mol is None:
            counts["unreadable"] += 1
            continue
        if not module._one_organic_fragment(mol):
            counts["full pipeline"] += 1
            continue
        kekulized = module.standardizer.kekulize_mol(Chem.Mol(mol))
        if not mol.HasSubstructMatch(module._NORMALISABLE):
            counts["one fragment, C/O/H only"] += 1
        elif not module._needs_normalising(kekulized):
            counts["one fragment, no rule matches"] += 1
        else:
            counts["one fragment, normalised"] += 1
            if module._matches_apart(kekulized):
                counts["of which in place"] = counts.get("of which in place", 0) + 1
        if mol.HasSubstructMatch(module._CHARGED):
            counts["one fragment, uncharged"] += 1
        try:
            ours = module.standardize(mol).smiles
        except ActivesError:
            ours = "refused"
        try:
            with captured_rdkit_log():
                full, excluded = module._standardize_full(mol)
            reference = "refused" if excluded else Chem.MolToSmiles(full)
        except Exception:  # the pipeline raises plain exceptions on odd inputs
            reference = "refused"
        if ours != "refused":
            kept = module.standardize(mol, reread=False)
            counts_kept = COUNTS.GetCountFingerprintAsNumPy(kept.mol)  # before its SMILES, as
            again = module.standardize(mol).mol  # a screen writes SMILES after the prediction
            if not np.array_equal(counts_kept, COUNTS.GetCountFingerprintAsNumPy(again)):
                counts_differ.append(text)
            if kept.smiles != ours:
                smiles_differ.append(text)
            try:
                same_key = inchikey(kept.mol) == inchikey(again)
            except ActivesError:  # refused by InChI: refused either way
                same_key = True
            if not same_key:
                keys_differ.append(text)
        if ours == "refused":  # no carbon, say: refused by us whatever the pipeline says
            counts["refused (no organic parent)"] = counts.get("refused (no organic parent)", 0) + 1
        elif ours != reference:
            differ.append(text)
    print(f"{len(smiles):,} distinct SMILES: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"one-fragment molecules whose result differs from the whole pipeline: {len(differ)}")
    print(
        "one-fragment molecules whose Morgan counts differ without re-reading the parent "
        f"(standardize(reread=False)): {len(counts_differ)}"
    )
    print(
        "one-fragment molecules whose SMILES, written from the parent kept without re-reading it "
        f"after its fingerprint, differs: {len(smiles_differ)}"
    )
    print(
        "one-fragment molecules whose InChIKey, from the parent kept without re-reading it, "
        f"differs: {len(keys_differ)}"
    )
    for text in (counts_differ + smiles_differ + keys_differ)[:20]:
        print("  ", text)
    for text in differ[:20]:
        print("  ", text)


if __name__ == "__main__":
    main()
