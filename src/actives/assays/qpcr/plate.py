"""A qPCR plate: one amplification curve per well and target, with its sample and layout.

Every reader (RDML, Bio-Rad CFX, QuantStudio, LightCycler, plain tables) returns a ``Plate``, so
curve analysis, calls and reports never depend on the instrument the file came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from actives.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]

#: RDML sample types: unknown, standard, no template control, no amplification control,
#: no target present, minus reverse transcription, positive control, optical calibrator.
SAMPLE_TYPES = ("unkn", "std", "ntc", "nac", "ntp", "nrt", "pos", "opt")

#: Largest plate a reader accepts (384 wells: 16 rows A-P x 24 columns).
MAX_ROWS = 16
MAX_COLUMNS = 24

#: Most curves a plain table (source_format "table") may hold; such tables (qpcR's htPCR has
#: 8858 curves) are laid out on a virtual plate 24 columns wide.
MAX_TABLE_CURVES = 20000

#: Standard plate formats (wells -> rows, columns), smallest first.
PLATE_FORMATS: dict[int, tuple[int, int]] = {
    48: (6, 8),
    96: (8, 12),
    384: (16, 24),
}

_WELL_RE = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,3})\s*$")
_INDEX_RE = re.compile(r"^\s*(\d{1,5})\s*$")


def row_label(row: int) -> str:
    """Row letter(s) of a 0-based row index: 0 -> "A", 25 -> "Z", 26 -> "AA"."""
    if row < 0:
        raise InvalidInputError(f"Row index must be 0 or more; got {row}.")
    if row < 26:
        return chr(ord("A") + row)
    return row_label(row // 26 - 1) + chr(ord("A") + row % 26)


def _row_index(letters: str) -> int:
    value = 0
    for char in letters.upper():
        value = value * 26 + (ord(char) - ord("A") + 1)
    return value - 1


def well_name(row: int, column: int) -> str:
    """Canonical well name of 0-based (row, column): (0, 0) -> "A1", (7, 11) -> "H12"."""
    if column < 0:
        raise InvalidInputError(f"Column index must be 0 or more; got {column}.")
    return f"{row_label(row)}{column + 1}"


def well_position(well: str, *, columns: int = 12) -> tuple[int, int]:
    """0-based (row, column) of a well written "A1", "a01", "A 1" or as a 1-based index "13".

    An index counts row by row on a plate ``columns`` wide (13 on a 96-well plate is B1), as
    RDML reaction ids do.
    """
    text = str(well)
    match = _WELL_RE.match(text)
    if match:
        column = int(match.group(2))
        if column < 1:
            raise InvalidInputError(f"Well {text!r} has column 0; expected columns from 1.")
        return _row_index(match.group(1)), column - 1
    match = _INDEX_RE.match(text)
    if match:
        index = int(match.group(1))
        if index < 1:
            raise InvalidInputError(f"Well index {text!r} must be 1 or more.")
        if columns < 1:
            raise InvalidInputError(f"Plate width must be 1 or more columns; got {columns}.")
        return (index - 1) // columns, (index - 1) % columns
    raise InvalidInputError(
        f"Cannot read well {text!r}; expected a row letter and a column number (A1, A01, "
        "P24) or a 1-based well index (1, 96)."
    )


def normalise_well(well: str, *, columns: int = 12) -> str:
    """Canonical name of a well written in any accepted form: "a01" -> "A1", "13" -> "B1"."""
    row, column = well_position(well, columns=columns)
    return well_name(row, column)


def check_well_in_plate(well: str, rows: int, columns: int) -> None:
    """Raise InvalidInputError when ``well`` lies outside a plate of ``rows`` x ``columns``."""
    row, column = well_position(well, columns=columns)
    if row >= rows or column >= columns:
        raise InvalidInputError(
            f"Well {well} is outside the plate of {rows} rows (A-{row_label(rows - 1)}) x "
            f"{columns} columns."
        )


def plate_format_for(n_wells: int) -> tuple[int, int]:
    """Rows and columns of the smallest standard plate (48, 96, 384) holding ``n_wells``."""
    for size, shape in sorted(PLATE_FORMATS.items()):
        if n_wells <= size:
            return shape
    raise InvalidInputError(
        f"{n_wells} wells is more than a 384-well plate holds; expected at most 384 wells."
    )


def plate_shape_for_wells(wells: Iterable[str]) -> tuple[int, int]:
    """Smallest standard plate format (96 or 384, or 48 when it fits) holding these wells."""
    max_row = 0
    max_col = 0
    for well in wells:
        row, column = well_position(well)
        max_row = max(max_row, row)
        max_col = max(max_col, column)
    for rows, columns in (PLATE_FORMATS[96], PLATE_FORMATS[384]):
        if max_row < rows and max_col < columns:
            return rows, columns
    raise InvalidInputError(
        f"Well {well_name(max_row, max_col)} is outside a 384-well plate (rows A-P, columns "
        "1-24); expected at most 384 wells."
    )


@dataclass(frozen=True)
class Reaction:
    """One amplification curve: a well and a target (a multiplex well has several)."""

    well: str
    sample: str
    sample_type: str
    target: str
    fluorescence: FloatArray
    dye: str = ""
    #: Known quantity given by the file or the layout (copies or relative units); standards
    #: (sample_type "std") need one, other types may carry the amount loaded.
    quantity: float | None = None
    instrument_cq: float | None = None
    excluded: str = ""

    def __post_init__(self) -> None:
        if self.sample_type not in SAMPLE_TYPES:
            raise InvalidInputError(
                f"Sample type {self.sample_type!r} of well {self.well} is not one of "
                f"{', '.join(SAMPLE_TYPES)}."
            )


@dataclass
class Plate:
    """A run: shared cycle numbers and one Reaction per well x target."""

    name: str
    cycles: FloatArray
    reactions: list[Reaction]
    rows: int = 8
    columns: int = 12
    source_format: str = ""
    instrument: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def fluorescence_matrix(self) -> FloatArray:
        """Fluorescence of every reaction, shape (n_reactions, n_cycles), in reaction order."""
        if not self.reactions:
            return np.empty((0, len(self.cycles)), dtype=np.float64)
        return np.vstack([r.fluorescence for r in self.reactions]).astype(np.float64)

    def targets(self) -> list[str]:
        """Targets in the order they first appear."""
        return list(dict.fromkeys(r.target for r in self.reactions))

    def samples(self) -> list[str]:
        """Samples in the order they first appear."""
        return list(dict.fromkeys(r.sample for r in self.reactions))

    def wells(self) -> list[str]:
        """Wells holding at least one reaction, in plate order (A1, A2, ..., B1, ...)."""
        names = {r.well for r in self.reactions}
        return sorted(names, key=lambda w: well_position(w, columns=self.columns))

    def by_well(self) -> dict[str, list[Reaction]]:
        """Reactions grouped by well, wells in plate order."""
        grouped: dict[str, list[Reaction]] = {w: [] for w in self.wells()}
        for reaction in self.reactions:
            grouped[reaction.well].append(reaction)
        return grouped

    def reaction(self, well: str, target: str | None = None) -> Reaction:
        """The reaction of ``well`` (and ``target`` when the well holds several)."""
        name = normalise_well(well, columns=self.columns)
        found = [r for r in self.reactions if r.well == name]
        if target is not None:
            found = [r for r in found if r.target == target]
        if len(found) == 1:
            return found[0]
        if not found:
            raise InvalidInputError(
                f"No reaction in well {name}"
                + (f" for target {target!r}" if target is not None else "")
                + f"; the plate has wells {', '.join(self.wells()[:12])}"
                + ("..." if len(self.wells()) > 12 else "")
                + "."
            )
        raise InvalidInputError(
            f"Well {name} holds {len(found)} reactions (targets "
            f"{', '.join(r.target for r in found)}); name the target."
        )

    def validate(self) -> None:
        """Check shapes, wells and uniqueness; raise InvalidInputError naming the first problem."""
        cycles = np.asarray(self.cycles, dtype=np.float64)
        if cycles.ndim != 1 or cycles.size == 0:
            raise InvalidInputError(
                f"Plate {self.name!r} has no cycles; expected at least one cycle number."
            )
        if not np.all(np.isfinite(cycles)):
            raise InvalidInputError(f"Plate {self.name!r} has a missing or infinite cycle number.")
        steps = np.diff(cycles)
        if np.any(steps <= 0):
            at = int(np.argmax(steps <= 0))
            raise InvalidInputError(
                f"Cycle numbers must increase; got {cycles[at + 1]:g} after {cycles[at]:g} "
                f"(positions {at + 1} and {at + 2})."
            )
        max_rows = MAX_ROWS
        if self.source_format == "table":
            max_rows = -(-MAX_TABLE_CURVES // MAX_COLUMNS)
        if not (1 <= self.rows <= max_rows and 1 <= self.columns <= MAX_COLUMNS):
            raise InvalidInputError(
                f"Plate format {self.rows} x {self.columns} is not supported; expected at most "
                f"{MAX_ROWS} rows x {MAX_COLUMNS} columns (384 wells)."
            )
        seen: set[tuple[str, str]] = set()
        for reaction in self.reactions:
            check_well_in_plate(reaction.well, self.rows, self.columns)
            if reaction.fluorescence.shape != cycles.shape:
                raise InvalidInputError(
                    f"Well {reaction.well} ({reaction.target}) has {reaction.fluorescence.size} "
                    f"fluorescence values; expected one per cycle ({cycles.size})."
                )
            key = (reaction.well, reaction.target)
            if key in seen:
                raise InvalidInputError(
                    f"Well {reaction.well} has two curves for target {reaction.target!r}; "
                    "expected one curve per well and target."
                )
            seen.add(key)
