"""Plate and Reaction: well names, grouping, validation."""

from __future__ import annotations

import numpy as np
import pytest

from actives.assays.qpcr.plate import (
    SAMPLE_TYPES,
    Plate,
    Reaction,
    normalise_well,
    plate_format_for,
    plate_shape_for_wells,
    row_label,
    well_name,
    well_position,
)
from actives.errors import InvalidInputError

CYCLES = np.arange(1.0, 41.0)


def reaction(well: str, target: str = "GAPDH", **kwargs: object) -> Reaction:
    values = {"sample": "S1", "sample_type": "unkn", "fluorescence": CYCLES * 2.0}
    values.update(kwargs)
    return Reaction(well=well, target=target, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("A1", (0, 0)), ("a01", (0, 0)), ("H12", (7, 11)), ("P24", (15, 23)), (" B 3 ", (1, 2))],
)
def test_well_position_reads_letter_number_forms(text: str, expected: tuple[int, int]) -> None:
    assert well_position(text) == expected


def test_well_index_counts_row_by_row() -> None:
    assert well_position("1") == (0, 0)
    assert well_position("13") == (1, 0)
    assert well_position("96") == (7, 11)
    assert well_position("25", columns=24) == (1, 0)
    assert normalise_well("384", columns=24) == "P24"


def test_well_name_and_row_label_round_trip() -> None:
    for row in range(0, 40):
        for column in (0, 11, 23):
            assert well_position(well_name(row, column)) == (row, column)
    assert row_label(25) == "Z"
    assert row_label(26) == "AA"


@pytest.mark.parametrize("bad", ["", "A", "1A", "A0", "0", "Well 5", "A1B"])
def test_bad_well_names_say_what_is_expected(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="expected|must be"):
        well_position(bad)


def test_plate_formats() -> None:
    assert plate_format_for(40) == (6, 8)
    assert plate_format_for(96) == (8, 12)
    assert plate_format_for(97) == (16, 24)
    with pytest.raises(InvalidInputError, match="384"):
        plate_format_for(385)
    assert plate_shape_for_wells(["A1", "H12"]) == (8, 12)
    assert plate_shape_for_wells(["A1", "I1"]) == (16, 24)
    with pytest.raises(InvalidInputError, match="outside a 384-well plate"):
        plate_shape_for_wells(["Q1"])


def test_reaction_rejects_unknown_sample_type() -> None:
    assert "ntc" in SAMPLE_TYPES
    with pytest.raises(InvalidInputError, match="not one of"):
        reaction("A1", sample_type="blank")


def test_plate_groups_and_matrix() -> None:
    plate = Plate(
        name="p",
        cycles=CYCLES,
        reactions=[
            reaction("B1", fluorescence=CYCLES * 3.0),
            reaction("A2", target="ACTB"),
            reaction("A2", target="GAPDH", fluorescence=CYCLES * 5.0),
        ],
    )
    plate.validate()
    assert plate.wells() == ["A2", "B1"]
    assert plate.targets() == ["GAPDH", "ACTB"]
    assert [r.target for r in plate.by_well()["A2"]] == ["ACTB", "GAPDH"]
    matrix = plate.fluorescence_matrix()
    assert matrix.shape == (3, 40)
    np.testing.assert_allclose(matrix[0], CYCLES * 3.0)
    assert plate.reaction("a02", "GAPDH").fluorescence[1] == pytest.approx(10.0)
    with pytest.raises(InvalidInputError, match="holds 2 reactions"):
        plate.reaction("A2")
    with pytest.raises(InvalidInputError, match="No reaction in well C1"):
        plate.reaction("C1")


def test_empty_plate_matrix_has_cycle_width() -> None:
    assert Plate(name="e", cycles=CYCLES, reactions=[]).fluorescence_matrix().shape == (0, 40)


def test_validate_catches_each_problem() -> None:
    with pytest.raises(InvalidInputError, match="two curves"):
        Plate("d", CYCLES, [reaction("A1"), reaction("A1")]).validate()
    with pytest.raises(InvalidInputError, match="outside the plate"):
        Plate("o", CYCLES, [reaction("I1")]).validate()
    with pytest.raises(InvalidInputError, match="one per cycle"):
        Plate("s", CYCLES, [reaction("A1", fluorescence=np.ones(3))]).validate()
    bad_cycles = CYCLES.copy()
    bad_cycles[5] = 3.0
    with pytest.raises(InvalidInputError, match="must increase; got 3 after 5"):
        Plate("c", bad_cycles, [reaction("A1")]).validate()
    with pytest.raises(InvalidInputError, match="384 wells"):
        Plate("big", CYCLES, [reaction("A1")], rows=32, columns=48).validate()
