"""Parquet tables as structure input: a SMILES column, an optional title column, bad files."""

from pathlib import Path

import pandas as pd
import pytest

from actives.chem.files import StructureInput, iter_structure_inputs
from actives.errors import InvalidFileError
from actives.predict.predictor import count_records


def test_parquet_rows_stream_with_titles_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "library.parquet"
    pd.DataFrame({"ID": ["a", None, "c"], "SMILES": ["CCO", "c1ccccc1O", None]}).to_parquet(path)
    assert list(iter_structure_inputs(path)) == [
        StructureInput(1, "a", "CCO"),
        StructureInput(2, "row 2", "c1ccccc1O"),
        StructureInput(3, "c", "", "row 3: no structure in column 'SMILES'"),
    ]
    assert count_records(path) == 3


def test_parquet_without_smiles_column_or_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "names.parquet"
    pd.DataFrame({"name": ["x"], "cas": ["50-00-0"]}).to_parquet(path)
    with pytest.raises(InvalidFileError, match="columns name, cas; expected a SMILES column"):
        list(iter_structure_inputs(path))
    fake = tmp_path / "fake.parquet"
    fake.write_text("CCO\n")
    with pytest.raises(InvalidFileError, match="not a readable Parquet file"):
        list(iter_structure_inputs(fake))
    assert count_records(fake) is None
