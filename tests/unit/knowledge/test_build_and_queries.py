"""Pack build (manifest, missing sources, rejected rows, atomicity) and the queries on it."""

import json
from pathlib import Path

import pytest

from actives.errors import DataPackMissingError, InvalidInputError, NotFoundError
from actives.knowledge import DataPack, build_pack, current_pack
from actives.knowledge.build import TABLES
from actives.knowledge.pack import current_pack_path
from actives.knowledge.sources import SOURCES
from tests.unit.knowledge.conftest import RAW

ARBUTIN = "BJRNKVDFDLYUGJ-RMPHRYRLSA-N"
RESVERATROL = "LUKBXSAWLPMMSZ-OWOJBTEDSA-N"


def test_manifest_records_sources_checksums_and_gaps(pack_dir: Path) -> None:
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    by_id = {s["id"]: s for s in manifest["sources"]}
    assert by_id["wikidata-occurrences"]["status"] == "loaded"
    assert len(by_id["wikidata-occurrences"]["files"][0]["sha256"]) == 64
    assert any("Asteraceae" in c for c in by_id["wikidata-occurrences"]["caveats"])
    assert "CC BY-NC-SA" in by_id["wikidata-occurrences"]["licence"]
    assert {"cosing-annex-iv", "mfds-restricted"} <= set(manifest["missing_sources"])
    assert by_id["lotus-dump"]["official_format"] and by_id["lotus-dump"]["status"] == "loaded"
    assert set(manifest["tables"]) == set(TABLES)
    assert manifest["tables"]["compounds"]["rows"] == 8
    assert manifest["structures"]["rejected"] == 2
    assert current_pack_path(pack_dir.parent) == pack_dir


def test_broken_structures_are_listed_not_dropped_silently(pack: DataPack) -> None:
    rejected = pack.sql("SELECT source, source_key, message FROM rejected ORDER BY source")
    assert list(rejected.source_key) == ["LTS0000003", "AAAAAAAAAAAAAA-BBBBBBBBBB-N"]
    assert "unclosed ring" in rejected.message.iloc[1]


def test_identity_keeps_stereo_and_merges_sources(pack: DataPack) -> None:
    arbutin = pack.compound(ARBUTIN)
    assert arbutin["sources"] == "lotus-library;wikidata-occurrences"
    assert "@" in arbutin["smiles"]  # the stereo SMILES from LOTUS was preferred
    assert arbutin["cas"] == "497-76-7"


def test_salts_become_their_parent(pack: DataPack) -> None:
    pca = pack.lookup("protocatechuic acid").compounds.iloc[0]
    assert pca.smiles == "O=C(O)c1ccc(O)c(O)c1"


def test_plant_constituents_with_dois(pack: DataPack) -> None:
    rank, name, frame = pack.constituents("morus ALBA")
    assert (rank, name) == ("species", "Morus alba")
    assert set(frame.name) == {"oxyresveratrol", "resveratrol", "protocatechuic acid",
                               "morachalcone A"}  # fmt: skip
    assert frame.set_index("name").loc["oxyresveratrol", "dois"] == "10.1000/morus.alba.1"
    rank, _, genus = pack.constituents("Morus")
    assert rank == "genus" and genus.set_index("name").loc["resveratrol", "n_organisms"] == 2
    rank, _, family = pack.constituents("Ericaceae")
    assert rank == "family" and list(family.name) == ["arbutin"]


def test_unknown_plant_gets_suggestions(pack: DataPack) -> None:
    with pytest.raises(NotFoundError, match="Did you mean: .*Morus alba"):
        pack.constituents("Morus albus")
    with pytest.raises(InvalidInputError, match="Empty plant name"):
        pack.constituents("  ")


def test_compound_to_plants(pack: DataPack) -> None:
    plants = pack.plants_of(RESVERATROL)
    assert list(plants.organism) == ["Morus alba", "Morus nigra"]


@pytest.mark.parametrize(
    ("query", "read_as", "key"),
    [
        ("알부틴", "name", ARBUTIN),  # Korean (MFDS dictionary), linked through CAS
        ("熊果苷", "name", ARBUTIN),  # Chinese (IECIC), same entry as INCI ARBUTIN
        ("アルブチン", "name", ARBUTIN),  # Japanese (MHLW)
        ("arbutin", "name", ARBUTIN),
        ("497-76-7", "CAS number", ARBUTIN),
        ("트랜스레스베라트롤", "name", RESVERATROL),  # Korean synonym
        (RESVERATROL, "InChIKey", RESVERATROL),
        ("LUKBXSAWLPMMSZ-UHFFFAOYSA-N", "InChIKey", RESVERATROL),  # other stereo, same skeleton
        ("Oc1ccc(C=Cc2cc(O)cc(O)c2)cc1", "SMILES", RESVERATROL),
        ("LTS0000002", "name", None),  # library ids are aliases, not names
    ],
)
def test_lookup(pack: DataPack, query: str, read_as: str, key: str | None) -> None:
    result = pack.lookup(query)
    assert result.read_as == read_as
    if key is None:
        assert result.compounds.empty
    else:
        assert key in set(result.compounds.inchikey)


def test_cas_lookup_lists_names_without_structures(pack: DataPack) -> None:
    result = pack.lookup("123-31-9")
    assert result.compounds.empty
    assert {"Hydroquinone", "하이드로퀴논"} <= set(result.names.name)


def test_bad_lookups(pack: DataPack) -> None:
    with pytest.raises(InvalidInputError, match="check digit"):
        pack.lookup("497-76-8")
    with pytest.raises(InvalidInputError, match="Empty query"):
        pack.lookup(" ")
    typo = pack.lookup("resveratrl")
    assert typo.compounds.empty and typo.suggestions[0] == "Resveratrol"


def test_similarity_search(pack: DataPack) -> None:
    hits = pack.similar("Oc1ccc(/C=C/c2cc(O)cc(O)c2)cc1", threshold=0.5)
    assert list(hits.name[:2]) == ["resveratrol", "oxyresveratrol"]
    assert hits.similarity.iloc[0] == 1.0
    assert hits.similarity.iloc[1] == pytest.approx(0.5926, abs=1e-4)
    with pytest.raises(InvalidInputError, match="expected 0 to 1"):
        pack.similar("CCO", threshold=2)


def test_similarity_matches_rdkit_bulk_tanimoto(pack: DataPack) -> None:
    from actives.chem import bulk_tanimoto, morgan_fingerprint, standardize, to_mol

    query = "O=C(O)c1ccc(O)c(O)c1"
    ours = pack.similar(query, threshold=0.0, limit=100).set_index("inchikey").similarity
    smiles = pack.sql("SELECT inchikey, smiles FROM compounds")
    fps = [morgan_fingerprint(to_mol(s)) for s in smiles.smiles]
    reference = bulk_tanimoto(morgan_fingerprint(standardize(to_mol(query)).mol), fps)
    for key, value in zip(smiles.inchikey, reference, strict=True):
        assert ours.get(key, 0.0) == pytest.approx(value, abs=1e-9)


def test_substructure_search(pack: DataPack) -> None:
    catechols = set(pack.substructure("c1ccc(O)c(O)c1").inchikey)
    # protocatechuic acid, quercetin and caffeic acid; not the resorcinols (resveratrol...)
    assert catechols == {"YQUVCSBJEUQKSH-UHFFFAOYSA-N", "REFJWTPEDVJJIY-UHFFFAOYSA-N",
                         "QAIPRVGONGVQAS-DUXPYHPUSA-N"}  # fmt: skip
    stilbenes = set(pack.substructure("c1ccccc1/C=C/c1ccccc1").name)
    assert stilbenes == {"resveratrol", "oxyresveratrol"}
    with pytest.raises(InvalidInputError):
        pack.substructure("C1CC")


def test_failed_build_leaves_the_current_pack(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    first = build_pack(RAW, packs, workers=1, sources=[s for s in SOURCES if s.kind == "names"])

    def explode(path: Path) -> object:
        raise RuntimeError("disk full")

    broken = [s.__class__(**{**s.__dict__, "loader": explode}) for s in SOURCES[:1]]
    with pytest.raises(RuntimeError):
        build_pack(RAW, packs, workers=1, sources=broken)
    assert current_pack_path(packs) == first
    assert not [p for p in packs.iterdir() if p.name.startswith(".building")]


def test_missing_raw_folder_and_no_sources(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="ACTIVES_RAW_DATA"):
        build_pack(tmp_path / "nowhere", tmp_path / "packs")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match="None of the known sources"):
        build_pack(tmp_path / "empty", tmp_path / "packs")
    assert current_pack_path(tmp_path / "packs") is None


def test_current_pack_explains_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(DataPackMissingError, match="actives data build"):
        current_pack(tmp_path)


def test_a_pack_of_another_format_asks_for_a_rebuild(pack_dir: Path, tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old"
    shutil.copytree(pack_dir, old)
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["format"] = 1
    (old / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataPackMissingError, match="Rebuild it with `actives data build`"):
        DataPack(old)


def test_measured_activities_are_curated_into_the_pack(pack: DataPack) -> None:
    report = pack.activity_report("cox2")
    assert report is not None and report["status"] == "loaded"
    assert len(report["files"][0]["sha256"]) == 64
    assert report["curation"][0] == {"name": "input rows", "rows_in": 5, "rows_out": 5, "note": ""}
    aspirin = pack.measured("cox2", ["BSYNRYMUTXBXSQ-UHFFFAOYSA-N"])
    assert len(aspirin) == 1
    # two replicates, 1000 nM and 100 nM: the median pIC50 is 6.5
    assert aspirin.value.iloc[0] == pytest.approx(6.5)
    assert aspirin.n.iloc[0] == 2 and aspirin.source_ids.iloc[0] == "CHEMBL1"
    caffeine = pack.measured("skin_logkp", ["RYYVLZVUVIJVGH-UHFFFAOYSA-N"])
    assert len(caffeine) == 1 and caffeine.n.iloc[0] == 3
    assert pack.measured("cox2", []).empty


def test_activity_neighbours_rank_by_similarity(pack: DataPack) -> None:
    from actives.chem import morgan_fingerprint, to_mol

    hits = pack.activity_neighbours("mmp1", morgan_fingerprint(to_mol("O=C(NO)CCc1ccccc1")), k=2)
    assert hits.similarity.iloc[0] == pytest.approx(1.0)
    assert list(hits.columns[:3]) == ["similarity", "endpoint", "inchikey"]
    assert hits.similarity.is_monotonic_decreasing
    assert pack.activity_neighbours("unknown", morgan_fingerprint(to_mol("CCO"))).empty


def test_missing_activity_data_is_reported_not_fatal(tmp_path: Path) -> None:
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    shutil.rmtree(raw / "chembl-mmp1")
    built = DataPack(build_pack(raw, tmp_path / "packs", workers=1))
    assert built.activity_report("mmp1") == {
        "endpoint": "mmp1",
        "path": "chembl-mmp1/MMP1_bioactivity_raw_data.csv",
        "status": "missing",
    }
    assert built.activity_report("dpph")["status"] == "loaded"  # type: ignore[index]
