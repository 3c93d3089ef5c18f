"""A names + rules data pack from the hand-typed rows in tests/data/regulation/checker_raw, for
the formula-checker tests (library, CLI, API)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from actives.knowledge import DataPack, build_pack
from actives.knowledge.sources import SOURCES

DATA = Path(__file__).resolve().parents[2] / "data"
RAW = DATA / "regulation" / "checker_raw"
MHLW = DATA / "raw" / "mhlw-jp" / "quasi_drug_fixture.xlsx"  # Japanese names (アルブチン)
FORMULAS = DATA / "regulation"


def write_hotlist(path: Path) -> None:
    """A two-sheet workbook laid out like Health Canada's Hotlist (invented rows)."""
    prohibited = pd.DataFrame(
        [
            ["Ingredient", "CAS (including but not limited to)", "Synonyms"],
            ["Hydroquinone monobenzyl ether", "103-16-2", "Monobenzone"],
        ]
    )
    restricted = pd.DataFrame(
        [
            ["Ingredient Information", "", "", "Restrictions", "", ""],
            ["Chemical", "CAS", "Synonyms", "Conditions of Use by product type",
             "Maximum Concentration Permitted", "Warnings and Cautionary Statements:"],
            ["Quaternium-15", "4080-31-3", "", "", "0.1", ""],
        ]
    )  # fmt: skip
    with pd.ExcelWriter(path) as writer:
        prohibited.to_excel(
            writer, sheet_name="List of Ingredients that are Pr", header=False, index=False
        )
        restricted.to_excel(
            writer, sheet_name="List of Ingredients that are Re", header=False, index=False
        )


def raw_folder(root: Path) -> Path:
    """The fixture raw folder, with the MHLW workbook and a Hotlist, under ``root``."""
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    (raw / "README.md").unlink()
    (raw / "mhlw-jp").mkdir()
    shutil.copy(MHLW, raw / "mhlw-jp" / MHLW.name)
    (raw / "hc-canada").mkdir()
    write_hotlist(raw / "hc-canada" / "hotlist.xlsx")
    return raw


def build_checker_pack(root: Path, packs_dir: Path | None = None) -> DataPack:
    """Build the pack (names and rule lists only: about a second) into ``packs_dir``."""
    raw = raw_folder(root)
    sources = [s for s in SOURCES if s.kind in ("names", "regulation")]
    path = build_pack(raw, packs_dir or root / "packs", workers=1, sources=sources)
    return DataPack(path)
