"""Structure files from users (SDF, SMILES lists): every record read on its own, with a status."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdkit import Chem

from actives.chem.batch import process_structures
from actives.chem.parse import read_sdf
from actives.errors import InvalidFileError

SDF_SUFFIXES = (".sdf", ".sd", ".mol")
SMILES_SUFFIXES = (".smi", ".csv", ".txt")
STRUCTURE_SUFFIXES = SDF_SUFFIXES + SMILES_SUFFIXES
TABLE_SUFFIXES = (".parquet",)  # a table with a SMILES column, read in record batches
LIBRARY_SUFFIXES = STRUCTURE_SUFFIXES + TABLE_SUFFIXES  # what `actives screen` reads


@dataclass(frozen=True)
class StructureRecord:
    """One record of a user's file after reading and standardisation (index counts from 1)."""

    index: int
    title: str
    ok: bool
    message: str = ""
    inchikey: str = ""
    smiles: str = ""


SMILES_HEADERS = ("smiles", "canonical_smiles", "canonical smiles", "structure", "구조")
TITLE_HEADERS = ("id", "name", "title", "compound", "compound_id", "molecule_chembl_id", "이름")


@dataclass(frozen=True)
class StructureInput:
    """One record of a structure file, not yet standardised: its structure text or why not."""

    index: int
    title: str
    text: str
    error: str = ""


def _pick(header: list[str], wanted: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(w) for w in wanted if w in lowered), None)


def _csv_inputs(stream: io.TextIOBase) -> Iterator[StructureInput]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    smiles_at = _pick(header, SMILES_HEADERS)
    title_at = _pick(header, TITLE_HEADERS)
    if smiles_at is None:  # no header: the first column holds the structures
        title = 1 if len(header) > 1 else None
        yield from _csv_rows(itertools.chain([header], reader), 0, title, 1)
    else:
        yield from _csv_rows(reader, smiles_at, title_at, 2)


def _csv_rows(
    rows: Iterator[list[str]], smiles_at: int, title_at: int | None, first_line: int
) -> Iterator[StructureInput]:
    for line, row in enumerate(rows, start=first_line):
        if not row or not any(cell.strip() for cell in row):
            continue
        text = row[smiles_at].strip() if smiles_at < len(row) else ""
        title = row[title_at].strip() if title_at is not None and title_at < len(row) else ""
        error = "" if text else f"line {line}: no structure in column {smiles_at + 1}"
        yield StructureInput(line, title or f"line {line}", text, error)


def _smi_inputs(stream: io.TextIOBase) -> Iterator[StructureInput]:
    for line, raw in enumerate(stream, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(maxsplit=1)
        if line == 1 and parts[0].lower() in SMILES_HEADERS:
            continue
        title = parts[1].strip() if len(parts) > 1 else f"line {line}"
        yield StructureInput(line, title, parts[0])


def _parquet_inputs(path: Path, batch_rows: int = 10_000) -> Iterator[StructureInput]:
    """Rows of a Parquet table with a SMILES column (and an optional id/name/title column),
    read one record batch at a time; row numbers count from 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidFileError(f"{path.name} is not a readable Parquet file ({exc}).") from exc
    header = list(table.schema_arrow.names)
    smiles_at = _pick(header, SMILES_HEADERS)
    if smiles_at is None:
        raise InvalidFileError(
            f"{path.name} has columns {', '.join(header) or 'none'}; expected a SMILES column "
            f"named one of: {', '.join(SMILES_HEADERS)}."
        )
    title_at = _pick(header, TITLE_HEADERS)
    columns = [header[smiles_at]] + ([header[title_at]] if title_at is not None else [])
    row = 0
    try:
        for batch in table.iter_batches(batch_size=batch_rows, columns=columns):
            texts = batch.column(0).to_pylist()
            titles = batch.column(1).to_pylist() if title_at is not None else [None] * len(texts)
            for text, title in zip(texts, titles, strict=True):
                row += 1
                text = "" if text is None else str(text).strip()
                label = f"row {row}" if title is None or str(title) == "" else str(title)
                error = "" if text else f"row {row}: no structure in column {columns[0]!r}"
                yield StructureInput(row, label, text, error)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidFileError(f"{path.name}: unreadable after row {row} ({exc}).") from exc


def iter_structure_inputs(path: Path) -> Iterator[StructureInput]:
    """Stream the records of a structure file without loading it whole (bounded memory).

    SD files (``.sdf``/``.sd``/``.mol``) record by record, a broken record carrying its error;
    ``.smi``/``.txt`` as "SMILES [title]" lines; ``.csv`` with a SMILES column found by its header
    (smiles, canonical_smiles, structure) or else the first column; ``.parquet`` with a SMILES
    column found by the same names (and an optional id/name/title column).
    """
    name = path.name.lower()
    if not path.is_file():
        raise InvalidFileError(f"No file {path}; expected a structure file.")
    if name.endswith(SDF_SUFFIXES):
        for record in read_sdf(path):
            if record.ok:
                yield StructureInput(record.index, record.title, Chem.MolToSmiles(record.mol))
            else:
                yield StructureInput(record.index, record.title, "", record.error)
        return
    if name.endswith(TABLE_SUFFIXES):
        yield from _parquet_inputs(path)
        return
    if not name.endswith(SMILES_SUFFIXES):
        raise InvalidFileError(
            f"{path.name}: expected an SD file ({', '.join(SDF_SUFFIXES)}), a SMILES list "
            "(.smi, .txt), a CSV table with a SMILES column or a Parquet table with one."
        )
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
        if name.endswith(".csv"):
            yield from _csv_inputs(stream)
        else:
            yield from _smi_inputs(stream)


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
