"""Library screening: filters, exact top-N, checkpoints and resume, broken inputs, workers, Dask."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from actives.errors import ConflictError, InvalidFileError, InvalidInputError
from tests.unit.discovery.conftest import DATA

LIBRARY = DATA / "library.smi"


# ----------------------------------------------------------------------------------------------
# filters on a hand-made predicted table (no model)


def _predicted() -> pd.DataFrame:
    """Five rows as the Predictor returns them: dpph, cox2 and skin_logkp, one error row."""
    n = 5
    table = pd.DataFrame(
        {
            "row": [1, 2, 3, 4, 5],
            "input": ["CCO", "CCN", "CCC", "C1CC", "CCCl"],
            "title": list("abcde"),
            "status": ["ok", "ok", "ok", "error", "ok"],
            "message": ["", "", "", "unclosed ring", ""],
            "inchikey": ["k"] * n,
            "smiles": ["CCO", "CCN", "CCC", "", "CCCl"],
        }
    )
    columns = {
        "dpph": ([5.0, 3.0, 4.5, np.nan, 4.2], [0.9, 0.2, 0.7, np.nan, 0.6], [1, 1, 0, 0, 1]),
        "cox2": ([7.0, 6.5, 5.0, np.nan, 6.1], [0.8, 0.7, 0.1, np.nan, 0.55], [1, 0, 1, 0, 1]),
        "skin_logkp": ([-5.0, -7.0, -6.0, np.nan, -5.5], [np.nan] * n, [1, 1, 1, 0, 1]),
    }
    for endpoint_id, (value, p_active, in_domain) in columns.items():
        table[f"{endpoint_id}_value"] = value
        table[f"{endpoint_id}_p_active"] = p_active
        table[f"{endpoint_id}_in_domain"] = pd.array(
            [bool(d) if s == "ok" else pd.NA for d, s in zip(in_domain, table.status, strict=True)],
            dtype="boolean",
        )
    return table


def _settings(**options: object) -> object:
    from actives.discovery.screening import ScreenSettings

    base: dict[str, object] = {
        "functions": ("antioxidant", "anti_inflammatory"),
        "function_endpoints": (("antioxidant", ("dpph",)), ("anti_inflammatory", ("cox2",))),
        "endpoints": ("dpph", "cox2", "skin_logkp"),
    }
    return ScreenSettings(**{**base, **options})  # type: ignore[arg-type]


def _hits(**options: object) -> tuple[pd.DataFrame, object]:
    from actives.discovery.screening import select_hits
    from actives.predict.registry import get_endpoint

    endpoints = {e: get_endpoint(e) for e in ("dpph", "cox2", "skin_logkp")}
    table, stats = select_hits(_predicted(), _settings(**options), endpoints)  # type: ignore[arg-type]
    return table, stats


def _ok_titles(table: pd.DataFrame) -> list[str]:
    return table.loc[table.status == "ok", "title"].tolist()


def test_no_filter_keeps_every_predicted_row_and_scores_by_p_active() -> None:
    table, stats = _hits()
    assert _ok_titles(table) == ["a", "b", "c", "e"]
    assert table.loc[table.status == "error", "title"].tolist() == ["d"]  # kept for the report
    assert table.antioxidant_score.tolist()[:3] == [0.9, 0.2, 0.7]
    assert stats.rows == 5 and stats.predicted == 4 and stats.errors == 1 and stats.hits == 4


def test_p_active_and_value_filters_any_or_all_functions() -> None:
    table, stats = _hits(min_p_active=(("antioxidant", 0.65), ("anti_inflammatory", 0.75)))
    assert _ok_titles(table) == ["a", "c"]  # a: both; c: antioxidant only
    c = table[table.title == "c"].iloc[0]
    assert bool(c.antioxidant_hit) and not bool(c.anti_inflammatory_hit)
    assert np.isnan(c.anti_inflammatory_score)  # no score where the function is not a hit
    assert stats.by_function == {"antioxidant": 2, "anti_inflammatory": 1}
    both, _ = _hits(
        min_p_active=(("antioxidant", 0.65), ("anti_inflammatory", 0.75)), require_all=True
    )
    assert _ok_titles(both) == ["a"]
    potent, _ = _hits(min_value=(("antioxidant", 4.4), ("anti_inflammatory", 6.4)))
    assert _ok_titles(potent) == ["a", "b", "c"]  # b by cox2 value, c by dpph value


def test_domain_permeation_and_np_filters() -> None:
    inside, _ = _hits(in_domain_only=True, min_p_active=(("anti_inflammatory", 0.5),))
    # only a and e have cox2 in domain with P >= 0.5; antioxidant has no filter: a, b, e in domain
    assert _ok_titles(inside) == ["a", "b", "e"]
    assert not bool(inside[inside.title == "b"].iloc[0].anti_inflammatory_hit)
    permeable, _ = _hits(min_logkp=-5.6)
    assert _ok_titles(permeable) == ["a", "e"]
    natural, _ = _hits(np_min=-1.0, np_max=0.5)
    assert "np_score" in natural.columns
    kept = natural[natural.status == "ok"]
    assert kept.np_score.between(-1.0, 0.5).all() and len(kept) < 4
    reported, _ = _hits(with_np_score=True)
    assert reported.loc[reported.status == "ok", "np_score"].notna().all()
    assert np.isnan(reported.loc[reported.status == "error", "np_score"]).all()


def test_chunk_top_n_keeps_the_best_per_function_with_ties_by_row() -> None:
    table, stats = _hits(top=1)
    assert _ok_titles(table) == ["a"]  # best on both functions
    assert stats.hits == 4  # hits are counted before the cut
    table, _ = _hits(top=2)
    assert _ok_titles(table) == ["a", "b", "c"]  # antioxidant: a, c; anti_inflammatory: a, b


# ----------------------------------------------------------------------------------------------
# settings against the registry and the installed models


def test_settings_defaults_and_bad_options(screen_models: Path) -> None:
    from actives.discovery.screening import installed_functions, screen_settings

    assert installed_functions() == {
        "antioxidant": ["dpph"],
        "anti_inflammatory": ["cox2"],
        "skin_permeation": ["skin_logkp"],
    }
    default = screen_settings()
    assert default.functions == ("antioxidant", "anti_inflammatory")  # activities, not Kp
    assert screen_settings(["antioxidant"], min_logkp=-6).endpoints == ("dpph", "skin_logkp")
    cases = [
        ({"functions": ["tanning"]}, "Unknown function 'tanning'; expected one of: whitening"),
        ({"functions": ["whitening"]}, "No installed model for function 'whitening'"),
        ({"min_p_active": 1.5}, "Minimum P(active) 1.5 for antioxidant; expected between 0"),
        ({"min_p_active": {"whitening": 0.5}}, "given for whitening, which is not screened"),
        ({"np_min": 2, "np_max": -1}, "range 2 to -1 is empty"),
        ({"top": 0}, "Top 0; expected at least 1"),
        ({"chunk_size": 0}, "Chunk size 0"),
        ({"endpoints": ["mmp1"]}, "No installed model for endpoint 'mmp1'"),
        ({"functions": ["skin_permeation"], "min_p_active": 0.5}, "no endpoint with an activity"),
        ({"confidence": 1.0}, "Confidence 1.0; expected between 0 and 1"),
    ]
    for options, message in cases:
        with pytest.raises(
            InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")
        ):
            screen_settings(**options)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# whole screens


def _screen(source: Path, output: Path, workers: int = 1, **options: object) -> object:
    from actives.discovery.screening import screen_file, screen_settings

    restart = bool(options.pop("restart", False))
    progress = options.pop("progress", None)
    settings = screen_settings(**options)  # type: ignore[arg-type]
    extra = {"progress": progress} if progress is not None else {}
    return screen_file(source, output, settings, workers=workers, restart=restart, **extra)  # type: ignore[arg-type]


def test_top_n_is_exact_against_the_whole_table(screen_models: Path, tmp_path: Path) -> None:
    from actives.discovery.screening import cached_predictor, screen_settings, select_hits
    from actives.predict.predictor import Predictor

    summary = _screen(LIBRARY, tmp_path / "top.parquet", top=4, chunk_size=3,
                      min_value={"antioxidant": 3.0})  # fmt: skip
    streamed = pd.read_parquet(tmp_path / "top.parquet")
    # the reference: every structure predicted at once, one chunk, sorted by pandas
    settings = screen_settings(min_value={"antioxidant": 3.0})
    whole = Predictor(list(settings.endpoints)).predict(
        [line.split()[0] for line in LIBRARY.read_text().splitlines()[1:]]
    )
    whole["row"] = range(2, len(whole) + 2)  # the file's line numbers
    predictor = cached_predictor(settings.endpoints, settings.confidence)
    endpoints = {e: m.endpoint for e, m in predictor.models.items()}
    reference, _ = select_hits(whole, settings, endpoints)
    for function in settings.functions:
        hits = reference[reference[f"{function}_hit"]]
        best = hits.sort_values([f"{function}_score", "row"], ascending=[False, True]).head(4)
        ranked = streamed.dropna(subset=[f"{function}_rank"]).sort_values(f"{function}_rank")
        assert ranked.row.tolist() == best.row.tolist()
        assert ranked[f"{function}_rank"].tolist() == [1, 2, 3, 4]
        assert np.allclose(ranked[f"{function}_score"], best[f"{function}_score"])
    # keys are computed for the hits only, after the filters: the same keys as with the prediction
    assert streamed.inchikey.tolist() == streamed.row.map(whole.set_index("row").inchikey).tolist()
    # so are SMILES, written for the hits only from the parents the prediction saw
    assert streamed.smiles.tolist() == streamed.row.map(whole.set_index("row").smiles).tolist()
    assert streamed.inchikey.str.fullmatch(r"[A-Z]{14}-[A-Z]{10}-[A-Z]").all()
    assert summary.written == len(streamed) <= 8  # type: ignore[attr-defined]
    assert "status" not in streamed.columns and summary.errors == 3  # type: ignore[attr-defined]


class Interrupted(Exception):
    pass


def _stop_after(chunks: int):  # noqa: ANN202
    calls = {"n": 0}

    def progress(done: float, total: float | None = None, message: str = "") -> None:
        calls["n"] += 1
        if calls["n"] > chunks:  # the first call reports the state before any chunk
            raise Interrupted(message)

    return progress


@pytest.mark.parametrize("suffix,top", [(".parquet", None), (".csv", 5)])
def test_interrupted_screen_resumes_to_the_same_output(
    screen_models: Path, tmp_path: Path, suffix: str, top: int | None
) -> None:
    options = {"chunk_size": 8, "min_p_active": 0.3, "with_np_score": True, "top": top}
    whole = tmp_path / f"whole{suffix}"
    first = _screen(LIBRARY, whole, **options)
    resumed = tmp_path / f"resumed{suffix}"
    with pytest.raises(Interrupted):
        _screen(LIBRARY, resumed, progress=_stop_after(3), **options)
    parts = resumed.with_name(resumed.name + ".parts")
    assert len(list(parts.glob("chunk-*.parquet"))) == 3 and not resumed.exists()
    manifest = json.loads((parts / "manifest.json").read_text())
    assert manifest["input"]["bytes"] == LIBRARY.stat().st_size
    assert manifest["settings"]["chunk_size"] == 8 and "cox2" in manifest["models"]
    (parts / ".chunk-0000003.parquet.tmp").write_bytes(b"half a part")  # killed mid-write
    second = _screen(LIBRARY, resumed, **options)
    assert resumed.read_bytes() == whole.read_bytes()
    assert not parts.exists()
    assert second.resumed_chunks == 3 and second.chunks == first.chunks == 8  # type: ignore[attr-defined]
    for key in ("rows", "predicted", "errors", "hits", "written", "by_function"):
        assert getattr(second, key) == getattr(first, key)
    errors = resumed.with_name(resumed.name + ".errors.csv")
    assert errors.read_text() == whole.with_name(whole.name + ".errors.csv").read_text()
    assert pd.read_csv(errors).title.tolist() == ["broken-ring", "broken-atom", "salt-no-carbon"]


def test_checkpoint_of_another_screen_is_refused(screen_models: Path, tmp_path: Path) -> None:
    library = tmp_path / "library.smi"
    shutil.copy(LIBRARY, library)
    out = tmp_path / "hits.parquet"
    with pytest.raises(Interrupted):
        _screen(library, out, chunk_size=10, progress=_stop_after(2))
    with pytest.raises(ConflictError, match=r"different screen: chunk_size 10 \(now 20\)"):
        _screen(library, out, chunk_size=20)
    with pytest.raises(ConflictError, match=r"min_logkp None \(now -6.0\).*--restart"):
        _screen(library, out, chunk_size=10, min_logkp=-6)
    library.write_text(library.read_text() + "CCCCCCO hexanol\n")
    with pytest.raises(ConflictError, match="the input file changed"):
        _screen(library, out, chunk_size=10)
    summary = _screen(library, out, chunk_size=10, restart=True)
    assert summary.resumed_chunks == 0 and summary.rows == 65  # type: ignore[attr-defined]


def test_broken_inputs(screen_models: Path, tmp_path: Path) -> None:
    truncated = _screen(DATA / "truncated.sdf", tmp_path / "sdf.csv")
    assert (truncated.rows, truncated.predicted, truncated.errors) == (3, 2, 1)  # type: ignore[attr-defined]
    errors = pd.read_csv(tmp_path / "sdf.csv.errors.csv")
    assert errors.title.tolist() == ["butanol"] and "truncated" in errors.message[0]
    empty = tmp_path / "empty.smi"
    empty.write_text("SMILES name\n\n")
    with pytest.raises(InvalidFileError, match="holds no structure records"):
        _screen(empty, tmp_path / "empty.parquet")
    assert not (tmp_path / "empty.parquet.parts").exists()
    names = tmp_path / "names.parquet"
    pd.DataFrame({"name": ["caffeine"]}).to_parquet(names)
    with pytest.raises(InvalidFileError, match="expected a SMILES column"):
        _screen(names, tmp_path / "x.parquet")
    with pytest.raises(InvalidFileError, match=r"No file .*missing.smi; expected a structure"):
        _screen(tmp_path / "missing.smi", tmp_path / "y.parquet")
    with pytest.raises(
        InvalidFileError, match=r"library.docx: expected a structure library ending in .sdf"
    ):
        _screen(tmp_path / "library.docx", tmp_path / "y.parquet")
    with pytest.raises(InvalidInputError, match="expected a file ending in"):
        _screen(LIBRARY, tmp_path / "hits.doc")
    with pytest.raises(InvalidInputError, match="sdf.csv exists; expected a new file name"):
        _screen(DATA / "truncated.sdf", tmp_path / "sdf.csv")
    table = tmp_path / "library.parquet"
    smiles = [line.split() for line in LIBRARY.read_text().splitlines()[1:]]
    pd.DataFrame({"smiles": [s for s, _ in smiles] + [None], "id": [t for _, t in smiles] + ["x"]}
                 ).to_parquet(table)  # fmt: skip
    from_table = _screen(table, tmp_path / "from-table.parquet")
    assert (from_table.rows, from_table.errors) == (65, 4)  # type: ignore[attr-defined]


def test_two_local_workers_write_what_one_process_writes(
    screen_models: Path, tmp_path: Path
) -> None:
    options = {"chunk_size": 9, "min_p_active": 0.3, "top": 6}
    _screen(LIBRARY, tmp_path / "one.parquet", workers=1, **options)
    _screen(LIBRARY, tmp_path / "two.parquet", workers=2, **options)
    assert (tmp_path / "two.parquet").read_bytes() == (tmp_path / "one.parquet").read_bytes()


def test_dask_local_cluster_writes_what_one_process_writes(
    screen_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    from actives.discovery import screening
    from actives.discovery.screening import screen_file, screen_settings

    settings = screen_settings(chunk_size=9, min_p_active=0.3)
    screen_file(LIBRARY, tmp_path / "one.csv", settings, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        summary = screen_file(LIBRARY, tmp_path / "dask.csv", settings,
                              dask_address=cluster.scheduler_address)  # fmt: skip
        # the scheduler (in this process) keeps no chunk: its message logs hold references
        # to the chunks' data, never the structures (memory stays flat however long the input)
        import gc

        from actives.chem.files import StructureInput

        assert not [o for o in gc.get_objects() if isinstance(o, StructureInput)]
    assert (tmp_path / "dask.csv").read_text() == (tmp_path / "one.csv").read_text()
    assert summary.chunks == 8 and summary.errors == 3
    monkeypatch.setattr(screening, "DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(InvalidInputError, match="Cannot connect to a Dask scheduler"):
        screen_file(LIBRARY, tmp_path / "none.csv", settings, dask_address="tcp://127.0.0.1:9")


def test_workers_refuse_other_models_and_a_second_screen_waits(
    screen_models: Path, tmp_path: Path
) -> None:
    from actives.chem.files import StructureInput
    from actives.discovery import screening

    settings = screening.screen_settings(["antioxidant"])
    chunk = [StructureInput(1, "ethanol", "CCO")]
    table, _ = screening.screen_chunk(settings, chunk, {"dpph": screening._model_checksums(
        ("dpph",))[0][1]})  # fmt: skip
    assert table.title.tolist() == ["ethanol"]
    with pytest.raises(ConflictError, match="has other models for dpph"):
        screening.screen_chunk(settings, chunk, {"dpph": "a model trained elsewhere"})
    out = tmp_path / "hits.csv"
    with screening._exclusive(out), pytest.raises(ConflictError, match="Another screen is writing"):
        screening.screen_file(LIBRARY, out, settings, workers=1)
    assert not (tmp_path / ".hits.csv.lock").exists()
