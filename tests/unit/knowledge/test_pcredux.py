"""PCRedux labelled curves: matching labels to raw CSV and RDML curves, consensus, broken files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from actives.errors import InvalidFileError, NotFoundError
from actives.knowledge.loaders.pcredux import (
    consensus,
    load_pcredux,
    r_make_names,
    read_decisions,
)

RAW = Path(__file__).parents[2] / "data" / "assays" / "pcredux"
CYCLES = np.arange(1.0, 13.0)


def sigmoid(c: float) -> np.ndarray:
    """The formula make_fixtures.py wrote the amplified curves with."""
    return 10 + 100 / (1 + np.exp(-(CYCLES - c)))


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ("yyy", "positive"),
        ("yyn", "positive"),
        ("nna", "negative"),
        ("yan", "ambiguous"),  # no majority
        ("aay", "ambiguous"),  # an 'a' majority
        ("aaannnn", "negative"),  # 4 of 7 say n
        ("yynn", "ambiguous"),  # a tie
        ("", "ambiguous"),
    ],
)
def test_consensus_is_a_strict_majority(ratings: str, expected: str) -> None:
    assert consensus(ratings) == expected


def test_r_make_names_matches_r() -> None:
    # make.names("gDNA +") is "gDNA..", make.names("B-Globin") "B.Globin", make.names("1a") "X1a"
    assert r_make_names("gDNA +") == "gDNA.."
    assert r_make_names("B-Globin") == "B.Globin"
    assert r_make_names("1a") == "X1a"


def test_labels_matched_to_csv_and_rdml_curves() -> None:
    loaded = load_pcredux(RAW)
    curves = loaded.curves.set_index(["dataset", "curve_id"])
    report = loaded.report.set_index("dataset")
    assert report.loc["alpha", ["labels", "matched", "unmatched"]].tolist() == [4, 3, 1]
    assert "ghost" in report.loc["alpha", "message"]
    f11 = curves.loc[("alpha", "F1.1")]
    np.testing.assert_allclose(f11.fluorescence, sigmoid(5), atol=1e-4)
    np.testing.assert_array_equal(f11.cycles, CYCLES)  # row positions, not the file's column
    assert curves.loc[("alpha", "F1.2"), "consensus"] == "ambiguous"
    assert curves.loc[("alpha", "F2.1"), ["ratings", "n_n", "consensus"]].tolist() == [
        "nny",
        2,
        "negative",
    ]
    # both RDML naming styles resolve, and the RDML curve carries the file's values
    gamma = curves.loc["gamma"]
    assert len(gamma) == 3 and report.loc["gamma", "status"] == "ok"
    np.testing.assert_allclose(
        gamma.loc["A01_gDNA.._unkn_B.Globin"].fluorescence, sigmoid(6), atol=1e-4
    )
    ntc = gamma.loc["A02_NTC.1_ntc_RNase.P"].fluorescence
    np.testing.assert_allclose(gamma.loc["A02~NTC 1~ntc~Hex@RNase P~Run1"].fluorescence, ntc)


def test_short_runs_kept_and_gapped_curves_reported() -> None:
    loaded = load_pcredux(RAW)
    beta = loaded.curves[loaded.curves.dataset == "beta"].set_index("curve_id")
    assert len(beta.loc["B2"].fluorescence) == 10  # trailing empty cells cut
    assert beta.loc["B1", "ratings"] == "yy"  # the blank rating is missing, not an error
    report = loaded.report.set_index("dataset")
    assert report.loc["beta", "unmatched"] == 1 and "B3" in report.loc["beta", "message"]


def test_missing_raw_file_is_reported_not_fatal() -> None:
    report = load_pcredux(RAW).report.set_index("dataset")
    assert report.loc["orphan", "status"] == "missing raw file"
    assert report.loc["orphan", ["labels", "matched"]].tolist() == [1, 0]


def test_no_label_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="decision_res_"):
        load_pcredux(tmp_path)


def test_bad_label_values(tmp_path: Path) -> None:
    bad = tmp_path / "decision_res_x.csv"
    bad.write_text("x,test.result.1,test.result.2,conformity\nA1,y,maybe,FALSE\n")
    with pytest.raises(InvalidFileError, match="'maybe'.*expected y, a or n"):
        read_decisions(bad)


@pytest.mark.parametrize(
    "content",
    [b"", b"id,score\nA1,1\n", b"x,test.result.1\n", b"\xff\xfe\x00x\x00"],
    ids=["empty", "no rater columns", "header only", "wrong encoding"],
)
def test_broken_label_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "decision_res_x.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidFileError):
        read_decisions(path)


def test_unreadable_data_set_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "qpcr-pcredux").mkdir()
    (tmp_path / "qpcr-qpcR").mkdir()
    (tmp_path / "qpcr-pcredux" / "decision_res_bad.csv").write_text("bad,test.result.1\nA,q\n")
    (tmp_path / "qpcr-qpcR" / "bad.csv").write_text("Cycles,A\n1,2\n")
    (tmp_path / "qpcr-pcredux" / "decision_res_good.csv").write_text(
        "good,test.result.1,conformity\nA,y,TRUE\n"
    )
    (tmp_path / "qpcr-qpcR" / "good.csv").write_text(
        "Cycles,A\n" + "".join(f"{c},{v:.4f}\n" for c, v in zip(CYCLES, sigmoid(6), strict=True))
    )
    broken_rdml = tmp_path / "qpcr-pcredux" / "decision_res_trunc.csv"
    broken_rdml.write_text("trunc,test.result.1\nA01_s_unkn_t,y\n")
    (tmp_path / "qpcr-pcredux" / "trunc.rdml").write_bytes(b"PK\x03\x04 truncated")
    loaded = load_pcredux(tmp_path)
    report = loaded.report.set_index("dataset")
    assert report.loc["bad", "status"] == "unreadable" and "'q'" in report.loc["bad", "message"]
    assert report.loc["trunc", "status"] == "unreadable"
    assert report.loc["good", "matched"] == 1
    assert loaded.curves.curve_id.tolist() == ["A"]
