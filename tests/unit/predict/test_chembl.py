"""ChEMBL target activities from a SQLite dump, on a tiny invented file with ChEMBL's schema."""

import sqlite3
from pathlib import Path

import pytest

from actives.errors import InvalidFileError, InvalidInputError, NotFoundError
from actives.predict.chembl import FLAGGED_PATTERN, chembl_activities, chembl_target
from actives.predict.curation import CurationOptions, curate
from tests.data.build_chembl_fixture import OTHER_TARGET, TARGET, build_chembl_sqlite

RAW_COLUMNS = ["smiles", "value", "units", "relation", "assay_description", "source_id"]


@pytest.fixture(scope="module")
def chembl_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_chembl_sqlite(tmp_path_factory.mktemp("chembl") / "chembl_invented.db")


def test_target_and_release(chembl_db: Path) -> None:
    target = chembl_target("chembl1973", sqlite_path=chembl_db)
    assert (target.chembl_id, target.pref_name, target.organism) == (
        "CHEMBL1973", "Tyrosinase", "Homo sapiens")  # fmt: skip
    assert target.release == "ChEMBL_00_invented" and target.target_type == "SINGLE PROTEIN"
    assert target.describe()["database"] == "chembl_invented.db"


def test_activities_are_curate_ready(chembl_db: Path) -> None:
    raw = chembl_activities(TARGET, sqlite_path=chembl_db)
    assert list(raw.columns[:6]) == RAW_COLUMNS
    # 41 invented IC50 rows, 4 more (flagged, validated, a cell assay, no structure); the
    # "Inhibition" (%) and Ki rows and the other target's rows are left out
    assert len(raw) == 45 and set(raw.standard_type) == {"IC50"}
    assert set(raw.assay_chembl_id) == {"CHEMBL9800001", "CHEMBL9800002"}
    flagged = raw[raw.assay_description.str.contains(FLAGGED_PATTERN)]
    assert flagged.data_validity_comment.tolist() == ["Outside typical range"]
    validated = raw[raw.data_validity_comment == "Manually validated"]
    assert len(validated) == 1 and FLAGGED_PATTERN not in validated.assay_description.iloc[0]
    first = raw.iloc[0]
    assert first.assay_description.startswith(
        "IC50 | CHEMBL9800001 | assay type B | single protein format | confidence 9 | Inhibition"
    )
    assert (first.smiles, first.value, first.units, first.relation) == (
        "Oc1ccc(O)cc1", 38000.0, "nM", "=")  # fmt: skip
    assert (raw.smiles == "").sum() == 1 and raw.value.isna().sum() == 1  # no structure; "n.d."
    cell = raw[raw.assay_type == "F"].iloc[0]
    assert cell.units == "uM" and "cell-based format" in cell.assay_description

    curated = curate(raw, CurationOptions(assay_exclude=FLAGGED_PATTERN))
    counts = {s.name: (s.rows_in, s.rows_out) for s in curated.steps}
    assert counts["have a structure and a numeric value"] == (45, 43)
    assert counts["assay description matches"] == (43, 42)
    assert counts["aggregated to one row per InChIKey"] == (42, 39)
    assert (curated.data.relation == "=").sum() == 34


def test_activity_types(chembl_db: Path) -> None:
    both = chembl_activities(TARGET, sqlite_path=chembl_db, activity_types=("IC50", "Ki"))
    assert len(both) == 46 and (both.standard_type == "Ki").sum() == 1
    with pytest.raises(NotFoundError, match=r"has no Kd activities.*types are: IC50 \(3\)"):
        chembl_activities(OTHER_TARGET, sqlite_path=chembl_db, activity_types=("Kd",))
    with pytest.raises(InvalidInputError, match="No activity types"):
        chembl_activities(TARGET, sqlite_path=chembl_db, activity_types=())


def test_unknown_and_malformed_targets(chembl_db: Path) -> None:
    with pytest.raises(NotFoundError, match="No target CHEMBL42 in chembl_invented.db") as err:
        chembl_activities("CHEMBL42", sqlite_path=chembl_db)
    assert err.value.code == "unknown_chembl_target" and "not a compound, assay" in str(err.value)
    with pytest.raises(NotFoundError, match="CHEMBL9700001 is a compound, not a target"):
        chembl_activities("CHEMBL9700001", sqlite_path=chembl_db)
    with pytest.raises(NotFoundError, match="CHEMBL9800001 is an assay, not a target"):
        chembl_target("CHEMBL9800001", sqlite_path=chembl_db)
    with pytest.raises(InvalidInputError, match="expected CHEMBL followed by digits"):
        chembl_activities("tyrosinase", sqlite_path=chembl_db)


def test_files_that_are_not_chembl(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="No ChEMBL database file"):
        chembl_activities(TARGET, sqlite_path=tmp_path / "chembl_35.db")
    text = tmp_path / "notes.db"
    text.write_text("not a database, just text " * 100)
    with pytest.raises(InvalidFileError, match="notes.db is not an SQLite database"):
        chembl_activities(TARGET, sqlite_path=text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE activities (activity_id INTEGER, assay_id INTEGER)")
    with pytest.raises(InvalidFileError, match="does not have the ChEMBL schema: missing "
                       "activities.molregno.*assays, target_dictionary"):  # fmt: skip
        chembl_activities(TARGET, sqlite_path=other)


def test_older_schema_without_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as c:
        c.executescript(
            """
            CREATE TABLE target_dictionary (tid INTEGER, chembl_id TEXT, pref_name TEXT);
            CREATE TABLE assays (assay_id INTEGER, tid INTEGER, description TEXT, chembl_id TEXT);
            CREATE TABLE activities (assay_id INTEGER, molregno INTEGER, standard_type TEXT,
                standard_relation TEXT, standard_value NUMERIC, standard_units TEXT);
            CREATE TABLE molecule_dictionary (molregno INTEGER, chembl_id TEXT);
            CREATE TABLE compound_structures (molregno INTEGER, canonical_smiles TEXT);
            INSERT INTO target_dictionary VALUES (1, 'CHEMBL1973', 'Tyrosinase');
            INSERT INTO assays VALUES (1, 1, 'invented', 'CHEMBL1');
            INSERT INTO activities VALUES (1, 1, 'IC50', NULL, 500, 'nM');
            INSERT INTO molecule_dictionary VALUES (1, 'CHEMBL2');
            INSERT INTO compound_structures VALUES (1, 'Oc1ccc(O)cc1');
            """
        )
    raw = chembl_activities(TARGET, sqlite_path=path)
    assert raw.relation.tolist() == ["="]
    assert raw.assay_description.iloc[0] == "IC50 | CHEMBL1 | invented"
    assert raw.confidence_score.isna().all() and raw.bao_format.isna().all()
    assert chembl_target(TARGET, sqlite_path=path).release is None


def test_chembl_downloader_locates_the_dump(
    chembl_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chembl_downloader

    asked: list[object] = []

    def located(version: object = None, **kwargs: object) -> Path:
        asked.append(version)
        return chembl_db

    monkeypatch.setattr(chembl_downloader, "download_extract_sqlite", located)
    assert len(chembl_activities(TARGET, version="35")) == 45 and asked == ["35"]

    def offline(version: object = None, **kwargs: object) -> Path:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(chembl_downloader, "download_extract_sqlite", offline)
    with pytest.raises(NotFoundError, match="Network is unreachable.*--chembl-sqlite") as err:
        chembl_activities(TARGET)
    assert err.value.code == "chembl_unavailable"
