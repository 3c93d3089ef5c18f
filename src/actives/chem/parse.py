"""Structures in: SMILES, InChI, molfile/SDF. Clear errors for anything RDKit cannot read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal

from rdkit import Chem

from actives.chem._rdlog import captured_rdkit_log, last_error
from actives.errors import InvalidFileError, InvalidStructureError

StructureFormat = Literal["auto", "smiles", "inchi", "molblock"]

MAX_STRUCTURE_CHARS = 100_000


def guess_format(text: str) -> StructureFormat:
    """Tell SMILES, InChI and molfiles apart by their look."""
    stripped = text.strip()
    if stripped.startswith("InChI="):
        return "inchi"
    if "\n" in stripped and ("V2000" in stripped or "V3000" in stripped):
        return "molblock"
    return "smiles"


def to_mol(text: str, fmt: StructureFormat = "auto") -> Chem.Mol:
    """Parse one structure; raise InvalidStructureError saying what RDKit objected to.

    ``fmt="auto"`` recognises InChI (``InChI=...``) and molfiles (V2000/V3000); anything else is
    read as SMILES.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidStructureError("Empty structure; expected a SMILES, an InChI or a molfile.")
    if len(text) > MAX_STRUCTURE_CHARS:
        raise InvalidStructureError(
            f"Structure text of {len(text):,} characters is too long; expected at most "
            f"{MAX_STRUCTURE_CHARS:,}."
        )
    kind = guess_format(text) if fmt == "auto" else fmt
    with captured_rdkit_log() as log:
        if kind == "inchi":
            mol = Chem.MolFromInchi(text.strip(), sanitize=True, removeHs=True)
        elif kind == "molblock":
            mol = Chem.MolFromMolBlock(text, sanitize=True, removeHs=True)
        else:
            mol = Chem.MolFromSmiles(text.strip())
    if mol is None or mol.GetNumAtoms() == 0:
        reason = last_error(log) or "no atoms"
        shown = text.strip() if len(text) <= 80 else text.strip()[:77] + "..."
        label = {"inchi": "InChI", "molblock": "molfile", "smiles": "SMILES"}[kind]
        raise InvalidStructureError(
            f"Cannot read {label} {shown!r}: {reason}. Expected a valid {label}."
        )
    return mol


@dataclass
class SdfRecord:
    """One record of an SD file: its position, title, data fields, and a molecule or an error."""

    index: int
    title: str
    properties: dict[str, str] = field(default_factory=dict)
    mol: Chem.Mol | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether the record gave a molecule."""
        return self.mol is not None


def _split_sdf(stream: BinaryIO) -> Iterator[str]:
    block: list[str] = []
    for raw in stream:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if line.strip() == "$$$$":
            yield "\n".join(block) + "\n"
            block = []
        else:
            block.append(line)
    if any(line.strip() for line in block):
        yield "\n".join(block) + "\n"


def _properties(block: str) -> dict[str, str]:
    props: dict[str, str] = {}
    lines = block.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">") and "<" in line and ">" in line[line.index("<") :]:
            name = line[line.index("<") + 1 : line.index(">", line.index("<"))]
            values = []
            i += 1
            while i < len(lines) and lines[i].strip() != "":
                values.append(lines[i])
                i += 1
            props[name] = "\n".join(values)
        i += 1
    return props


def read_sdf(source: str | Path | bytes | BinaryIO) -> Iterator[SdfRecord]:
    """Read an SD file record by record; a broken record yields an error, never stops the file.

    Record numbers start at 1, as users count them.
    """
    if isinstance(source, bytes):
        stream: BinaryIO = BytesIO(source)
    elif isinstance(source, str | Path):
        try:
            stream = Path(source).open("rb")
        except OSError as exc:
            raise InvalidFileError(f"Cannot open SD file {source}: {exc.strerror}.") from exc
    else:
        stream = source
    try:
        for index, block in enumerate(_split_sdf(stream), start=1):
            title = block.split("\n", 1)[0].strip()
            props = _properties(block)
            if "M  END" not in block:
                yield SdfRecord(index, title, props, None, "no 'M  END' line: truncated molfile")
                continue
            molblock = block[: block.index("M  END") + len("M  END")] + "\n"
            try:
                mol = to_mol(molblock, "molblock")
            except InvalidStructureError as exc:
                yield SdfRecord(index, title, props, None, exc.message)
                continue
            yield SdfRecord(index, title, props, mol)
    finally:
        if isinstance(source, str | Path):
            stream.close()
