"""Batch processing: one bad structure in 100k never stops the batch; every row gets a status."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdkit import Chem

from actives.chem.descriptors import describe, np_likeness
from actives.chem.fingerprints import (
    fingerprint_to_bytes,
    morgan_fingerprint,
    packed_bits,
    pattern_fingerprint,
)
from actives.chem.identity import inchikey
from actives.chem.parse import StructureFormat, to_mol
from actives.chem.standardize import standardize
from actives.errors import InvalidStructureError


@dataclass
class BatchRow:
    """The outcome for one input row: ``status`` is "ok" or "error", with a message on error."""

    index: int
    input: str
    status: str
    message: str = ""
    inchikey: str = ""
    smiles: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    mol: Chem.Mol | None = field(default=None, repr=False, compare=False)  # the parent, if kept

    @property
    def ok(self) -> bool:
        """Whether the row was processed."""
        return self.status == "ok"


def process_structure(
    text: str,
    fmt: StructureFormat = "auto",
    with_fingerprint: bool = False,
    with_descriptors: bool = True,
) -> tuple[str, str, dict[str, Any]]:
    """Parse, standardise and describe one structure: (InChIKey, parent SMILES, values).

    ``with_descriptors=False`` skips descriptors and NP-likeness for callers that only need the
    identity and the parent structure (prediction at scale).
    """
    key, smiles, values, _parent = _process(text, fmt, with_fingerprint, with_descriptors)
    return key, smiles, values


def _process(
    text: str,
    fmt: StructureFormat,
    with_fingerprint: bool,
    with_descriptors: bool,
    with_inchikey: bool = True,
    reread: bool = True,
    with_smiles: bool = True,
) -> tuple[str, str, dict[str, Any], Chem.Mol]:
    parent = standardize(to_mol(text, fmt), reread=reread)
    values: dict[str, Any] = {}
    if with_descriptors:
        values.update(describe(parent.mol).as_dict())
        values["np_score"], values["np_confidence"] = np_likeness(parent.mol)
    if with_fingerprint:
        morgan = morgan_fingerprint(parent.mol)
        values["fingerprint"] = fingerprint_to_bytes(morgan)
        values["morgan_bits"] = packed_bits(morgan)
        values["pattern_fp"] = fingerprint_to_bytes(pattern_fingerprint(parent.mol))
    key = inchikey(parent.mol) if with_inchikey else ""
    # Without SMILES asked for, a SMILES already written (to re-read the parent) is kept anyway.
    return key, parent.smiles if with_smiles else parent.written_smiles, values, parent.mol


def process_structures(
    structures: Iterable[str],
    fmt: StructureFormat = "auto",
    with_fingerprint: bool = False,
    with_descriptors: bool = True,
    keep_mol: bool = False,
    with_inchikey: bool = True,
    reread: bool = True,
    with_smiles: bool = True,
) -> Iterator[BatchRow]:
    """Process structures one by one, yielding a row per input (index counts from 0).

    ``keep_mol`` keeps each parent molecule on its row, for callers that go on computing;
    ``with_inchikey=False`` leaves the key empty, for callers that key only the rows they keep
    (the InChIKey costs about as much as parsing); ``reread=False`` is passed to
    :func:`~actives.chem.standardize.standardize` (parents for Morgan features only);
    ``with_smiles=False`` leaves the SMILES empty too where it was not written already, for
    callers that keep the parents and write SMILES for the rows they keep (writing one costs
    about half a parse).
    """
    for index, text in enumerate(structures):
        try:
            key, smiles, values, mol = _process(
                text, fmt, with_fingerprint, with_descriptors, with_inchikey, reread, with_smiles
            )
        except InvalidStructureError as exc:
            yield BatchRow(index, text, "error", exc.message)
        except Exception as exc:  # RDKit can raise anything on exotic input; keep the batch going
            yield BatchRow(index, text, "error", f"{type(exc).__name__}: {exc}")
        else:
            yield BatchRow(index, text, "ok", "", key, smiles, values, mol if keep_mol else None)


def process_structure_safely(text: str) -> tuple[str, str, str, dict[str, Any]]:
    """Picklable worker for process pools: (status, message, InChIKey, values with SMILES)."""
    try:
        key, smiles, values = process_structure(text, "smiles", with_fingerprint=True)
    except InvalidStructureError as exc:
        return "error", exc.message, "", {}
    except Exception as exc:
        return "error", f"{type(exc).__name__}: {exc}", "", {}
    values["smiles"] = smiles
    return "ok", "", key, values
