"""Build a tiny SQLite file with ChEMBL's schema from the invented tyrosinase rows.

INVENTED DATA. The tables and columns are ChEMBL's own (names and SQL types as in the ChEMBL
SQLite dumps, the subset that ``actives.predict.chembl`` reads plus a few neighbours); the target
CHEMBL1973 is ChEMBL's id for human tyrosinase, but every assay, molecule id and value here is
invented (see ``activities/README.md``). Run ``python tests/data/build_chembl_fixture.py OUT.db``
to look at it; the tests build it in a temporary folder.
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
INVENTED_CSV = HERE / "activities" / "tyrosinase_inhouse_invented.csv"
TARGET = "CHEMBL1973"
OTHER_TARGET = "CHEMBL9900001"  # an invented elastase target with too few rows to train

SCHEMA = """
CREATE TABLE version (
    name VARCHAR(50) NOT NULL PRIMARY KEY,
    creation_date DATE,
    comments VARCHAR(2000)
);
CREATE TABLE target_dictionary (
    tid BIGINT NOT NULL PRIMARY KEY,
    target_type VARCHAR(30),
    pref_name VARCHAR(200) NOT NULL,
    tax_id BIGINT,
    organism VARCHAR(150),
    chembl_id VARCHAR(20) NOT NULL UNIQUE,
    species_group_flag SMALLINT NOT NULL
);
CREATE TABLE bioassay_ontology (
    bao_id VARCHAR(11) NOT NULL PRIMARY KEY,
    label VARCHAR(100) NOT NULL
);
CREATE TABLE assays (
    assay_id BIGINT NOT NULL PRIMARY KEY,
    doc_id BIGINT NOT NULL,
    description VARCHAR(4000),
    assay_type VARCHAR(1),
    assay_test_type VARCHAR(20),
    assay_category VARCHAR(50),
    assay_organism VARCHAR(250),
    assay_tax_id BIGINT,
    tid BIGINT,
    relationship_type VARCHAR(1),
    confidence_score SMALLINT,
    curated_by VARCHAR(32),
    src_id INTEGER NOT NULL,
    chembl_id VARCHAR(20) NOT NULL UNIQUE,
    bao_format VARCHAR(11)
);
CREATE TABLE molecule_dictionary (
    molregno BIGINT NOT NULL PRIMARY KEY,
    pref_name VARCHAR(255),
    chembl_id VARCHAR(20) NOT NULL UNIQUE,
    max_phase NUMERIC(2, 1),
    structure_type VARCHAR(10) NOT NULL,
    molecule_type VARCHAR(30)
);
CREATE TABLE compound_structures (
    molregno BIGINT NOT NULL PRIMARY KEY,
    molfile TEXT,
    standard_inchi VARCHAR(4000),
    standard_inchi_key VARCHAR(27) NOT NULL,
    canonical_smiles VARCHAR(4000)
);
CREATE TABLE activities (
    activity_id BIGINT NOT NULL PRIMARY KEY,
    assay_id BIGINT NOT NULL,
    doc_id BIGINT,
    record_id BIGINT NOT NULL,
    molregno BIGINT,
    standard_relation VARCHAR(50),
    standard_value NUMERIC,
    standard_units VARCHAR(100),
    standard_flag SMALLINT,
    standard_type VARCHAR(250),
    activity_comment VARCHAR(4000),
    data_validity_comment VARCHAR(30),
    potential_duplicate SMALLINT,
    pchembl_value NUMERIC(4, 2),
    bao_endpoint VARCHAR(11),
    src_id INTEGER
);
"""

BAO = [("BAO_0000357", "single protein format"), ("BAO_0000219", "cell-based format"),
       ("BAO_0000179", "organism-based format")]  # fmt: skip
ASSAYS = [
    # assay_id, description, type, tid, confidence, chembl_id, bao_format
    (1, "Inhibition of tyrosinase using L-DOPA as substrate (INVENTED fixture assay)", "B", 1, 9,
     "CHEMBL9800001", "BAO_0000357"),
    (2, "Inhibition of melanin production in B16F10 cells (INVENTED fixture assay)", "F", 1, 8,
     "CHEMBL9800002", "BAO_0000219"),
    (3, "Inhibition of elastase (INVENTED fixture assay)", "B", 2, 9, "CHEMBL9800003",
     "BAO_0000357"),
]  # fmt: skip


def _invented_rows() -> list[tuple[str, str, str]]:
    with INVENTED_CSV.open(encoding="utf-8") as handle:
        return [(r["Compound"], r["SMILES"], r["IC50 (uM)"]) for r in csv.DictReader(handle)]


def build_chembl_sqlite(path: Path) -> Path:
    """Write the fixture database to ``path`` (replacing it) and return the path."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    with connection:
        connection.executescript(SCHEMA)
        connection.execute("INSERT INTO version VALUES ('ChEMBL_00_invented', '2026-01-01', "
                           "'Invented test fixture, not a ChEMBL release')")  # fmt: skip
        connection.executemany(
            "INSERT INTO target_dictionary VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(1, "SINGLE PROTEIN", "Tyrosinase", 9606, "Homo sapiens", TARGET, 0),
             (2, "SINGLE PROTEIN", "Elastase (INVENTED fixture target)", 9606, "Homo sapiens",
              OTHER_TARGET, 0)],
        )  # fmt: skip
        connection.executemany("INSERT INTO bioassay_ontology VALUES (?, ?)", BAO)
        connection.executemany(
            "INSERT INTO assays (assay_id, doc_id, description, assay_type, tid, "
            "confidence_score, src_id, chembl_id, bao_format) VALUES (?, 1, ?, ?, ?, ?, 1, ?, ?)",
            ASSAYS,
        )
        activities = []
        names: dict[str, int] = {}
        for name, smiles, value in _invented_rows():
            if smiles not in names:
                molregno = len(names) + 1
                names[smiles] = molregno
                connection.execute(
                    "INSERT INTO molecule_dictionary VALUES (?, ?, ?, NULL, 'MOL', "
                    "'Small molecule')",
                    (molregno, name.upper(), f"CHEMBL97{molregno:05d}"),
                )
                connection.execute(
                    "INSERT INTO compound_structures VALUES (?, NULL, NULL, ?, ?)",
                    (molregno, f"INVENTEDKEY{molregno:016d}", smiles),
                )
            relation, number = ("=", value)
            if value.startswith(">"):
                relation, number = ">", value[1:]
            standard = float(number) * 1000 if number.replace(".", "").isdigit() else None
            comment = "Not Determined" if standard is None else None
            activities.append((1, names[smiles], relation, standard, "nM", "IC50", comment, None))
        # one flagged row, a cell assay in µM, other types, a molecule without a structure
        activities += [
            (1, 1, "=", 0.001, "nM", "IC50", None, "Outside typical range"),
            (1, 3, "=", 25000.0, "nM", "IC50", None, "Manually validated"),
            (2, 5, "=", 12.0, "uM", "IC50", None, None),
            (2, 6, "=", 45.0, "%", "Inhibition", None, None),
            (1, 7, "=", 800.0, "nM", "Ki", None, None),
        ]
        connection.execute(
            "INSERT INTO molecule_dictionary VALUES (999, 'NO STRUCTURE', 'CHEMBL9799999', NULL, "
            "'NONE', 'Protein')"
        )
        activities.append((1, 999, "=", 100.0, "nM", "IC50", None, None))
        activities += [(3, m, "=", 1000.0 * m, "nM", "IC50", None, None) for m in (1, 2, 3)]
        connection.executemany(
            "INSERT INTO activities (activity_id, assay_id, doc_id, record_id, molregno, "
            "standard_relation, standard_value, standard_units, standard_type, "
            "activity_comment, data_validity_comment, src_id) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            [(i + 1, a, i + 1, *rest) for i, (a, *rest) in enumerate(activities)],
        )
    connection.close()
    return path


if __name__ == "__main__":
    build_chembl_sqlite(Path(sys.argv[1] if len(sys.argv) > 1 else "chembl_invented.db"))
