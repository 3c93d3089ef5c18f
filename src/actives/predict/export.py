"""Prediction tables to files, chunk by chunk: CSV, Excel, SD file, Parquet or JSON lines.

Every writer takes the tables :meth:`Predictor.predict_stream` yields one after the other, so a
million-row prediction is written with the memory of one chunk. The format follows the file
name's suffix. Metadata (models, pack version) goes where the format has room for it: an "about"
sheet in Excel, properties of every SD record, the Parquet schema; CSV and JSON lines stay plain.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import pandas as pd

from actives.errors import InvalidInputError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".sdf": "sdf", ".parquet": "parquet", ".jsonl": "jsonl"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sdf": "chemical/x-mdl-sdfile",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson",
}


def format_of(path: Path) -> str:
    """The output format for a file name; InvalidInputError lists the supported suffixes."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInputError(
            f"Cannot write {path.name}; expected a file ending in {', '.join(FORMATS)}."
        )
    return fmt


def check_output(path: Path, overwrite: bool) -> str:
    """An output name we can write (its format, by suffix) that holds no earlier result, unless
    ``overwrite``; a user's existing file is never replaced by default."""
    fmt = format_of(path)
    if path.exists() and not overwrite:
        raise InvalidInputError(
            f"{path} exists; expected a new file name, or --overwrite to replace it."
        )
    return fmt


def _plain(value: Any) -> Any:
    """A cell as a JSON/Excel-friendly value (NaN and missing become empty)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return value


class TableWriter:
    """Appends prediction tables to one file; use as a context manager.

    The file is written under a temporary name and renamed into place on a clean exit, so an
    interrupted run never leaves a half-written file that looks complete, and never overwrites a
    previous result with a partial one.
    """

    def __init__(self, path: Path, metadata: dict[str, str] | None = None) -> None:
        self.path = path
        self.format = format_of(path)
        self.metadata = metadata or {}
        self.rows = 0
        self._partial = path.with_name(f".{path.name}.partial")
        self._handle: IO[Any] | None = None
        self._writer: Any = None
        self._sheet: Any = None
        self._columns: list[str] | None = None

    def __enter__(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.format in {"csv", "jsonl"}:
            self._handle = self._partial.open("w", encoding="utf-8", newline="")
        elif self.format == "sdf":
            from rdkit import Chem

            self._handle = self._partial.open("w", encoding="utf-8")
            self._writer = Chem.SDWriter(self._handle)
        elif self.format == "xlsx":
            from openpyxl import Workbook

            self._writer = Workbook(write_only=True)
            self._sheet = self._writer.create_sheet("predictions")
        return self

    def write(self, table: pd.DataFrame) -> None:
        """Append one table (the same columns every time)."""
        if self._columns is None:
            self._columns = [str(c) for c in table.columns]
            self._start()
        elif list(table.columns) != self._columns:
            raise InvalidInputError("Every chunk must have the same columns as the first.")
        if self.format == "csv":
            assert self._handle is not None
            table.to_csv(self._handle, header=False, index=False)
        elif self.format == "jsonl":
            assert self._handle is not None
            for record in table.to_dict("records"):
                clean = {k: _plain(v) for k, v in record.items()}
                self._handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
        elif self.format == "xlsx":
            for row in table.itertuples(index=False):
                self._sheet.append([_plain(v) for v in row])
        elif self.format == "sdf":
            self._write_sdf(table)
        elif self.format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            batch = pa.Table.from_pandas(table, preserve_index=False)
            if self._writer is None:
                schema = batch.schema.with_metadata(
                    {**(batch.schema.metadata or {}), **self.metadata}
                )
                self._writer = pq.ParquetWriter(self._partial, schema)
            self._writer.write_table(batch.cast(self._writer.schema))
        self.rows += len(table)

    def _start(self) -> None:
        assert self._columns is not None
        if self.format == "csv":
            assert self._handle is not None
            pd.DataFrame(columns=self._columns).to_csv(self._handle, index=False)
        elif self.format == "xlsx":
            self._sheet.append(self._columns)

    def _write_sdf(self, table: pd.DataFrame) -> None:
        from rdkit import Chem

        for record in table.to_dict("records"):
            smiles = str(record.get("smiles") or "")
            mol = Chem.MolFromSmiles(smiles) if smiles else None
            if mol is None:
                mol = Chem.Mol()  # an empty record keeps the row count and carries the message
            mol.SetProp("_Name", str(record.get("title") or record.get("inchikey") or ""))
            properties: dict[str, Any] = {**self.metadata, **{str(k): v for k, v in record.items()}}
            for key, value in properties.items():
                plain = _plain(value)
                mol.SetProp(str(key), "" if plain is None else str(plain))
            self._writer.write(mol)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self.format == "sdf" and self._writer is not None:
                self._writer.close()
            if self._handle is not None:
                self._handle.close()
            if self.format == "parquet" and self._writer is not None:
                self._writer.close()
            if self.format == "xlsx":
                about = self._writer.create_sheet("about")
                for key, value in self.metadata.items():
                    about.append([key, value])
                self._writer.save(self._partial)
            if self.format == "parquet" and self._writer is None and exc_type is None:
                pd.DataFrame(columns=self._columns or []).to_parquet(self._partial)
        finally:
            if exc_type is None:
                self._partial.replace(self.path)
            else:
                self._partial.unlink(missing_ok=True)


def write_table(table: pd.DataFrame, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """Write one whole table in the format of ``path``'s suffix."""
    with TableWriter(path, metadata) as writer:
        writer.write(table)
    return path
