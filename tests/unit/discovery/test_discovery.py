"""Plant to actives, function to plants, extract to actives, ranking rules, reference actives.

Runs on the raw-data fixtures' pack (Morus alba, Morus nigra, Arctostaphylos uva-ursi) and the
toy dpph/cox2/skin_logkp models of the screening tests; whitening has no model, so it is scored
by similarity to the reference actives.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from actives.discovery.extracts import composition_table, extract_actives, read_composition
from actives.discovery.functions import (
    discoverable_functions,
    function_signal,
    parse_function,
    reference_actives,
)
from actives.discovery.plants import plant_actives, plants_for_function, read_species_list
from actives.discovery.ranking import RANKING_RULES, _pareto_fronts, rank
from actives.discovery.scoring import measured_activity
from actives.errors import InvalidFileError, InvalidInputError, NotFoundError
from actives.knowledge import DataPack, build_pack
from actives.predict.registry import get_endpoint

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
DATA = Path(__file__).resolve().parents[2] / "data" / "discovery"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> DataPack:
    return DataPack(build_pack(RAW, tmp_path_factory.mktemp("packs"), workers=1))


def test_reference_actives_parse_and_cite() -> None:
    from actives.chem import standardize, to_mol

    refs = reference_actives()
    assert {r.function for r in refs} == {"whitening", "anti_wrinkle"}
    for ref in refs:
        assert standardize(to_mol(ref.smiles)).smiles
        assert ref.citation and ref.basis
    assert any("MFDS" in r.basis for r in refs if r.name == "Arbutin")


def test_functions_use_models_where_installed(screen_models: Path) -> None:
    assert function_signal("antioxidant").kind == "model"
    whitening = function_signal("whitening")
    assert whitening.kind == "similarity" and whitening.primary is None
    assert "not a potency prediction" in whitening.describe()
    assert parse_function("Anti-wrinkle").value == "anti_wrinkle"
    with pytest.raises(InvalidInputError, match="expected one of"):
        parse_function("perfume")
    with pytest.raises(InvalidInputError, match="property"):
        parse_function("skin_permeation")
    assert {f.value for f in discoverable_functions()} >= {"antioxidant", "whitening"}


def test_plant_actives_ranks_constituents_with_evidence(
    screen_models: Path, pack: DataPack
) -> None:
    found = plant_actives(pack, "morus alba", ["whitening", "antioxidant"])
    assert (found.rank, found.taxon) == ("species", "Morus alba")
    table = found.table
    assert table["whitening_rank"].tolist()[: len(table)] == sorted(table["whitening_rank"])
    # resveratrol and oxyresveratrol are reference actives themselves
    top = table.head(2).set_index("name")
    assert set(top.index) == {"oxyresveratrol", "resveratrol"}
    assert top["whitening_similarity"].tolist() == pytest.approx([1.0, 1.0])
    assert top.loc["oxyresveratrol", "whitening_reference"] == "Oxyresveratrol"
    assert top.loc["oxyresveratrol", "dois"].startswith("10.1000/morus.alba")
    columns = ["antioxidant_potency", "antioxidant_low", "antioxidant_high",
               "antioxidant_p_active", "antioxidant_in_domain", "logkp", "np_score"]  # fmt: skip
    for column in columns:
        assert column in table and table[column].notna().all(), column
    ok = table[table["status"] == "ok"]
    assert (ok["antioxidant_low"] <= ok["antioxidant_predicted"]).all()
    assert set(ok["antioxidant_evidence"]) <= {"measured", "predicted"}
    measured = ok[ok["antioxidant_evidence"] == "measured"]
    assert len(measured) and (measured["antioxidant_sources"] != "").all()


def test_plant_names_and_ranks(screen_models: Path, pack: DataPack) -> None:
    reports: list[tuple[float, float | None]] = []
    genus = plant_actives(
        pack, "Morus", ["antioxidant"], rule="potency", chunk_size=2,
        progress=lambda done, total=None, message="": reports.append((done, total)),
    )  # fmt: skip
    assert reports[-1] == (len(genus.table), len(genus.table)) and len(reports) >= 2
    assert genus.rank == "genus" and len(genus.table) >= 3
    potencies = genus.table["antioxidant_potency"].dropna().tolist()
    assert potencies == sorted(potencies, reverse=True)
    with pytest.raises(NotFoundError, match="Morus alba"):
        plant_actives(pack, "Morus albo", ["antioxidant"])
    with pytest.raises(NotFoundError, match="ranking rule"):
        plant_actives(pack, "Morus alba", ["antioxidant"], rule="alphabetical")


def test_measured_activity_respects_censoring() -> None:
    cox2 = get_endpoint("cox2")  # active at pIC50 >= 6
    assert measured_activity(cox2, 7.0, "=") == 1.0
    assert measured_activity(cox2, 5.0, "=") == 0.0
    assert measured_activity(cox2, 4.0, "<") == 0.0  # below 4, so below 6
    assert math.isnan(measured_activity(cox2, 7.0, "<"))  # below 7 settles nothing
    assert measured_activity(cox2, 6.5, ">") == 1.0
    assert math.isnan(measured_activity(cox2, 5.0, ">"))
    assert math.isnan(measured_activity(get_endpoint("skin_logkp"), -6.0, "="))


def test_ranking_rules() -> None:
    table = pd.DataFrame(
        {
            "inchikey": list("ABCD"),
            "f_potency": [7.0, 6.0, 5.0, np.nan],
            "f_p_active": [0.6, 0.9, 0.1, np.nan],
            "logkp": [-8.0, -5.0, -6.0, -5.0],
        }
    )
    assert rank(table.copy(), "f", "p_active")["f_rank"].tolist() == [2, 1, 3, pd.NA]
    assert rank(table.copy(), "f", "potency")["f_rank"].tolist() == [1, 2, 3, pd.NA]
    weighted = rank(table.copy(), "f", "potency_permeation")
    assert weighted["f_score"].tolist()[:3] == [-1.0, 1.0, -1.0]
    assert weighted["f_rank"].tolist()[:3] == [2, 1, 3]  # ties broken by potency
    pareto = rank(table.copy(), "f", "pareto")
    assert pareto["f_score"].tolist()[:3] == [0.0, 0.0, -1.0]  # A and B on the first front
    assert _pareto_fronts(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])).tolist() == [
        0,
        0,
        0,
    ]
    assert {r.id for r in RANKING_RULES} == {"p_active", "potency", "potency_permeation", "pareto"}


def test_plants_for_function_with_a_species_list(
    screen_models: Path, pack: DataPack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranking = plants_for_function(pack, "whitening", home=tmp_path)
    species = ranking.table["species"].tolist()
    assert set(species) == {"Morus alba", "Morus nigra", "Arctostaphylos uva-ursi"}
    assert ranking.table["rank"].tolist() == [1, 2, 3]
    assert ranking.table["expected_actives"].is_monotonic_decreasing
    alba = ranking.table.set_index("species").loc["Morus alba"]
    assert alba["best"] in {"oxyresveratrol", "resveratrol"} and alba["n_actives"] >= 2
    assert list((tmp_path / "cache").glob("discovery-*whitening*.parquet"))

    # the second call reads the cache: scoring again would fail
    import actives.discovery.plants as plants_module

    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("scored again instead of reading the cache")

    monkeypatch.setattr(plants_module, "score_compounds", no_scoring)
    listed = tmp_path / "flora.csv"
    listed.write_text("species,note\nMorus nigra,native\nQuercus mongolica,not in pack\n")
    names = read_species_list(listed)
    only = plants_for_function(pack, "whitening", species=names, home=tmp_path)
    assert only.table["species"].tolist() == ["Morus nigra"]
    assert only.unmatched == ["Quercus mongolica"]
    by_fraction = plants_for_function(pack, "whitening", sort_by="fraction_actives", home=tmp_path)
    assert by_fraction.table["fraction_actives"].is_monotonic_decreasing
    with pytest.raises(InvalidInputError, match="Sort key"):
        plants_for_function(pack, "whitening", sort_by="name", home=tmp_path)
    genus = plants_for_function(pack, "whitening", level="genus", home=tmp_path)
    assert genus.table["genus"].tolist()[0] == "Morus"
    with pytest.raises(InvalidInputError, match="species' or 'genus"):
        plants_for_function(pack, "whitening", level="family", home=tmp_path)  # type: ignore[arg-type]


def test_species_list_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="does not exist"):
        read_species_list(tmp_path / "missing.csv")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    with pytest.raises(InvalidFileError, match="no names"):
        read_species_list(empty)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("species\nP\xe4onia\n".encode("latin-1"))
    with pytest.raises(InvalidFileError, match="UTF-8"):
        read_species_list(latin1)


def test_extract_shares_and_unresolved_names(screen_models: Path, pack: DataPack) -> None:
    composition = composition_table(
        pd.DataFrame(
            {
                "compound": ["oxyresveratrol", "resveratrol", "unknown thing", "C1CC"],
                "abundance": ["60%", "30", "5", "5"],
            }
        )
    )
    found = extract_actives(composition, "antioxidant", pack=pack, basis="mass_percent")
    shares = found.table["antioxidant_activity_share"].dropna()
    assert len(shares) == 2 and shares.sum() == pytest.approx(1.0)
    assert len(found.unresolved) == 2  # an unknown name and a broken SMILES, both listed
    assert any("unknown thing" in line for line in found.unresolved)
    assert any("C1CC" in line for line in found.unresolved)
    assert len(found.table) == 4  # nothing dropped
    assert not found.equal_abundance
    # concentration addition: 1 / IC50 = sum(w_i / MW_i * 10^pIC50_i), in µg/mL
    ok = found.table[found.table["status"] == "ok"]
    from rdkit.Chem import Descriptors

    from actives.chem import to_mol

    mw = ok["parent_smiles"].map(lambda s: Descriptors.MolWt(to_mol(s)))
    per_gram = (ok["abundance"] / 100 / mw * 10 ** ok["antioxidant_potency"]).sum()
    assert found.extract_ic50_ug_ml == pytest.approx(1000 / per_gram)
    low, high = found.extract_ic50_range_ug_ml or (0, 0)
    assert low <= found.extract_ic50_ug_ml <= high


def test_extract_without_abundance_and_by_similarity(screen_models: Path, pack: DataPack) -> None:
    composition = read_composition(DATA / "green_tea_extract.csv")
    assert composition["abundance"].notna().all()
    plain = composition.assign(abundance=np.nan)
    found = extract_actives(plain, "whitening", pack=pack)
    assert found.equal_abundance and found.extract_ic50_ug_ml is None
    assert found.signal.kind == "similarity"
    shares = found.table["whitening_activity_share"].dropna()
    assert shares.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("weight,abundance\n1,2\n", "expected a name column"),
        ("compound,abundance\narbutin,lots\n", "not a number"),
        ("compound,abundance\narbutin,-3\n", "not a number >= 0"),
    ],
)
def test_broken_composition_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "composition.csv"
    path.write_text(content)
    with pytest.raises(InvalidFileError, match=message):
        read_composition(path)


def test_composition_file_kinds(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="does not exist"):
        read_composition(tmp_path / "nope.csv")
    odd = tmp_path / "composition.pdf"
    odd.write_text("x")
    with pytest.raises(InvalidFileError, match="expected .csv"):
        read_composition(odd)
    xlsx = tmp_path / "composition.xlsx"
    pd.DataFrame({"성분명": ["arbutin"], "함량": [3.0]}).to_excel(xlsx, index=False)
    read = read_composition(xlsx)
    assert read["given"].tolist() == ["arbutin"] and read["abundance"].tolist() == [3.0]


def test_missing_abundance_in_some_rows_is_refused(screen_models: Path, pack: DataPack) -> None:
    composition = composition_table(
        pd.DataFrame({"compound": ["oxyresveratrol", "resveratrol"], "abundance": ["60", ""]})
    )
    with pytest.raises(InvalidInputError, match="Abundance missing in rows 2"):
        extract_actives(composition, "antioxidant", pack=pack)


def test_discover_cli(
    screen_models: Path, pack: DataPack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import actives.cli.discover as discover_cli
    from actives.cli.main import app

    monkeypatch.setattr(discover_cli, "_pack", lambda: pack)
    runner = CliRunner()
    out = tmp_path / "morus.csv"
    result = runner.invoke(
        app,
        [
            "discover",
            "plant",
            "Morus alba",
            "-f",
            "antioxidant",
            "-f",
            "whitening",
            "-o",
            str(out),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "Morus alba (species)" in result.output
    assert "measured" in result.output or "predicted" in result.output
    written = pd.read_csv(out, comment="#")
    assert "antioxidant_rank" in written.columns and len(written) >= 3
    again = runner.invoke(
        app, ["discover", "plant", "Morus alba", "-f", "antioxidant", "-o", str(out)]
    )
    assert again.exit_code == 2 and "--overwrite" in again.output
    bad = runner.invoke(app, ["discover", "plant", "Morus albo", "-f", "antioxidant"])
    assert bad.exit_code == 2 and "Did you mean" in bad.output
    functions = runner.invoke(app, ["discover", "functions"])
    assert "similarity to" in functions.output and "Arbutin" in functions.output
