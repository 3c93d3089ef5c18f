"""Structure files from users (SDF, SMILES lists): every record read on its own, with a status."""

from __future__ import annotations

from dataclasses import dataclass

from rdkit import Chem

from actives.chem.batch import process_structures
from actives.chem.parse import read_sdf
from actives.errors import InvalidFileError

SDF_SUFFIXES = (".sdf", ".sd", ".mol")
SMILES_SUFFIXES = (".smi", ".csv", ".txt")


@dataclass(frozen=True)
class StructureRecord:
    """One record of a user's file after reading and standardisation (index counts from 1)."""

    index: int
    title: str
    ok: bool
    message: str = ""
    inchikey: str = ""
    smiles: str = ""


def _smiles_lines(data: bytes) -> list[tuple[str, str]]:
    rows = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        first = text.split(",")[0].split()
        rows.append((first[0] if first else "", text))
    return rows


def read_structure_file(data: bytes, filename: str) -> list[StructureRecord]:
    """Read an SD file or a SMILES list (first column); broken records carry their error."""
    name = filename.lower()
    records: list[StructureRecord] = []
    if name.endswith(SDF_SUFFIXES):
        for record in read_sdf(data):
            if not record.ok:
                records.append(StructureRecord(record.index, record.title, False, record.error))
                continue
            (result,) = process_structures([Chem.MolToSmiles(record.mol)])
            records.append(
                StructureRecord(
                    record.index,
                    record.title,
                    result.ok,
                    result.message,
                    result.inchikey,
                    result.smiles,
                )  # fmt: skip
            )
    elif name.endswith(SMILES_SUFFIXES):
        lines = _smiles_lines(data)
        for (_smiles, text), result in zip(lines, process_structures(s for s, _ in lines),
                                          strict=True):  # fmt: skip
            records.append(
                StructureRecord(
                    result.index + 1,
                    text[:120],
                    result.ok,
                    result.message,
                    result.inchikey,
                    result.smiles,
                )  # fmt: skip
            )
    else:
        raise InvalidFileError(
            f"{filename}: expected an SD file ({', '.join(SDF_SUFFIXES)}) or a SMILES list "
            f"({', '.join(SMILES_SUFFIXES)})."
        )
    return records
