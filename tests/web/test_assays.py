"""Assay pages and API through the Django test client: qPCR plates (plate view, calls with
reasons, standard curve, re-analysis with new cut-offs, downloads, report), dose-response runs
(IC50 with CI, potencies linked to structures, the training table), company scoping, and
broken uploads that store nothing.

The qPCR plate is written here from a formula: logistic curves F(c) = base + amp / (1 +
exp(-(c - c0) / s)), a tenfold dilution series as standards (c0 shifts by log2(10) ≈ 3.32
cycles per level), unknowns, a clean NTC and a contaminated one on a second target.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client

from actives.web.assays.models import (
    AssayFile,
    DoseResponseRun,
    PotencyMeasurement,
    QpcrAssay,
    QpcrRun,
)
from tests.web.api_client import ok, post

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data" / "assays"
TIDY = DATA / "dose_response" / "tyrosinase_tidy.csv"
KOJIC = "OCC1=CC(=O)C(O)=CO1"
CYCLES = np.arange(1, 41, dtype=float)
STEP = math.log2(10)


def sigmoid(c0: float, amplitude: float = 5000.0, base: float = 200.0) -> np.ndarray:
    return base + amplitude / (1.0 + np.exp(-(CYCLES - c0) / 1.6))


def flat(seed: int) -> np.ndarray:
    return 200.0 + np.random.default_rng(seed).normal(0.0, 3.0, CYCLES.size)


def plate_files() -> tuple[bytes, bytes]:
    """A wide table (Cycle + one column per well) and its layout, as bytes."""
    curves: dict[str, np.ndarray] = {}
    layout = ["well,sample,sample_type,target,quantity"]
    for level in range(5):  # standards 1e6 .. 1e2, duplicates
        quantity = 10 ** (6 - level)
        for column in (1, 2):
            well = f"{'ABCDE'[level]}{column}"
            curves[well] = sigmoid(15.0 + level * STEP + 0.05 * column)
            layout.append(f"{well},Std {level + 1},std,GAPDH,{quantity:g}")
    for row, (name, c0) in enumerate([("Liver", 20.0), ("Kidney", 24.0)]):
        for column in (3, 4, 5):
            well = f"{'AB'[row]}{column}"
            curves[well] = sigmoid(c0 + 0.04 * column)
            layout.append(f"{well},{name},unkn,GAPDH,")
    curves["H1"] = flat(1)
    layout.append("H1,NTC,ntc,GAPDH,")
    curves["G6"] = sigmoid(22.0)
    layout.append("G6,Skin,unkn,IL6,")
    curves["G7"] = sigmoid(22.3)
    layout.append("G7,Skin,unkn,IL6,")
    curves["H6"] = sigmoid(24.5)  # a contaminated no-template control of IL6
    layout.append("H6,NTC,ntc,IL6,")
    header = "Cycle," + ",".join(curves)
    rows = [
        f"{int(c)}," + ",".join(f"{curves[w][i]:.3f}" for w in curves) for i, c in enumerate(CYCLES)
    ]
    return ("\n".join([header, *rows]) + "\n").encode(), ("\n".join(layout) + "\n").encode()


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def new_qpcr_run(client: Client) -> QpcrRun:
    table, layout = plate_files()
    response = client.post(
        "/assays/qpcr/new/",
        {
            "name": "GAPDH standards",
            "file": upload("plate.csv", table),
            "layout": upload("layout.csv", layout),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return QpcrRun.objects.get()


def wells_of(run: QpcrRun) -> dict[tuple[str, str], dict[str, Any]]:
    return {(w["well"], w["target"]): w for w in run.result["wells"]}


def test_the_empty_index_says_what_to_upload(client_a: Client) -> None:
    page = client_a.get("/assays/").content.decode()
    assert "No dose-response runs yet" in page and "No qPCR runs yet" in page
    assert "/assays/qpcr/new/" in page and "/assays/dose-response/new/" in page


def test_a_qpcr_plate_gets_a_call_and_a_reason_for_every_well(client_a: Client) -> None:
    run = new_qpcr_run(client_a)
    wells = wells_of(run)
    assert len(wells) == 20 and all(w["reason"] for w in wells.values())
    assert wells[("A3", "GAPDH")]["call"] == "positive"
    assert wells[("H1", "GAPDH")]["call"] == "negative"
    assert wells[("H1", "GAPDH")]["reason"].startswith("no amplification")
    # the IL6 NTC amplified: it is flagged, and the samples within 5 cycles are inconclusive
    assert "NTC contamination" in wells[("H6", "IL6")]["reason"]
    assert wells[("G6", "IL6")]["call"] == "inconclusive"
    assert "within 5 cycles" in wells[("G6", "IL6")]["reason"]
    # standards 1e6..1e2 one log2(10) cycles apart: slope −3.32, efficiency 100 %
    curve = run.result["standard_curves"]["GAPDH"]
    assert curve["slope"] == pytest.approx(-STEP, abs=0.1)
    assert curve["efficiency_percent"] == pytest.approx(100.0, abs=5.0)
    assert len(curve["levels"]) == 5
    # Liver (c0 20) sits 5 cycles after Std 1 (c0 15, 1e6): 1e6 / 10**(5 / 3.32) ≈ 3.1e4
    liver = wells[("A3", "GAPDH")]["quantity"]
    assert liver == pytest.approx(1e6 / 10 ** (5.1 / STEP), rel=0.25)

    page = client_a.get(f"/assays/qpcr/{run.pk}/").content.decode()
    assert 'class="plate"' in page and "well-positive" in page and "well-inconclusive" in page
    assert "NTC contamination" in page and "<svg" in page
    assert "Standard curves" in page


def test_new_cut_offs_analyse_the_plate_again(client_a: Client) -> None:
    run = new_qpcr_run(client_a)
    assert wells_of(run)[("B5", "GAPDH")]["call"] == "positive"  # Cq about 17.5
    response = client_a.post(
        f"/assays/qpcr/{run.pk}/settings/",
        {
            "cq_method": "threshold",
            "cq_cutoff": "16",
            "late_cq_call": "negative",
            "max_replicate_sd": "0.5",
            "ntc_margin": "5",
            "min_amplitude_fraction": "0.2",
            "quality_positive": "0.7",
            "quality_negative": "0.3",
            "efficiency": "auto",
        },
    )
    assert response.status_code == 302
    run.refresh_from_db()
    kidney = wells_of(run)[("B5", "GAPDH")]
    assert kidney["call"] == "negative" and "beyond the cut-off 16" in kidney["reason"]
    assert run.settings["calls"]["cq_cutoff"] == 16.0
    bad = client_a.post(f"/assays/qpcr/{run.pk}/settings/", {"cq_cutoff": "-3"})
    assert bad.status_code == 400
    no_calibrator = client_a.post(
        f"/assays/qpcr/{run.pk}/settings/",
        {"cq_method": "threshold", "cq_cutoff": "35", "late_cq_call": "negative",
         "max_replicate_sd": "0.5", "ntc_margin": "5", "min_amplitude_fraction": "0.2",
         "quality_positive": "0.7", "quality_negative": "0.3", "efficiency": "auto",
         "reference_genes": ["GAPDH"]},
    )  # fmt: skip
    assert no_calibrator.status_code == 400
    assert "Choose the calibrator sample" in no_calibrator.content.decode()
    run.refresh_from_db()
    assert run.settings["calls"]["cq_cutoff"] == 16.0  # the stored analysis is untouched


def test_qpcr_downloads_and_report(client_a: Client) -> None:
    run = new_qpcr_run(client_a)
    csv = client_a.get(f"/assays/qpcr/{run.pk}/wells.csv")
    text = b"".join(csv.streaming_content).decode()
    assert csv.status_code == 200 and "NTC contamination" in text and "reason" in text
    assert client_a.get(f"/assays/qpcr/{run.pk}/wells.pdf").status_code == 404
    pdf = client_a.get(f"/assays/qpcr/{run.pk}/report.pdf")
    assert pdf.status_code in (200, 503)
    if pdf.status_code == 200:
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_broken_qpcr_file_stores_nothing(client_a: Client) -> None:
    response = client_a.post(
        "/assays/qpcr/new/",
        {"name": "broken", "file": upload("plate.csv", b"well,value\nA1,abc\n")},
    )
    assert response.status_code == 400
    assert "cycle" in response.content.decode().lower()
    assert QpcrRun.objects.count() == 0 and AssayFile.objects.count() == 0
    wrong = client_a.post(
        "/assays/qpcr/new/", {"name": "pdf", "file": upload("plate.pdf", b"%PDF-1.4")}
    )
    assert wrong.status_code == 400 and "expected a file ending in" in wrong.content.decode()


def test_runs_are_private_to_their_company(client_a: Client, member_b: Any) -> None:
    run = new_qpcr_run(client_a)
    other = Client()
    other.force_login(member_b)
    assert other.get(f"/assays/qpcr/{run.pk}/").status_code == 404
    assert other.get(f"/assays/qpcr/{run.pk}/wells.csv").status_code == 404
    assert "GAPDH standards" not in other.get("/assays/").content.decode()


def new_dose_run(client: Client) -> DoseResponseRun:
    response = client.post(
        "/assays/dose-response/new/",
        {
            "name": "Tyrosinase plate 1",
            "assay": "mushroom tyrosinase, L-DOPA",
            "file": upload("tidy.csv", TIDY.read_bytes()),
            "response": "auto",
            "model": "auto",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return DoseResponseRun.objects.get()


def test_a_dose_response_table_gives_ic50_with_ci_and_a_plot(client_a: Client) -> None:
    run = new_dose_run(client_a)
    fits = {f["sample"]: f for f in run.result["fits"]}
    kojic = fits["Kojic acid"]
    low, high = kojic["ic50_ci"]
    assert kojic["status"] == "ok" and low < kojic["ic50"] < high
    page = client_a.get(f"/assays/dose-response/{run.pk}/").content.decode()
    assert "95 % CI" in page and "<svg" in page and "Kojic acid" in page
    potency = PotencyMeasurement.objects.get(run=run, sample="Kojic acid")
    assert potency.ic50 == pytest.approx(kojic["ic50"]) and potency.units == kojic["unit"]


def test_a_linked_potency_becomes_a_training_row(client_a: Client) -> None:
    run = new_dose_run(client_a)
    potency = PotencyMeasurement.objects.get(run=run, sample="Kojic acid")
    url = f"/assays/dose-response/{run.pk}/potency/{potency.pk}/"
    bad = client_a.post(url, {"smiles": "C1CC", "use_for_training": "on"})
    assert bad.status_code == 400 and "unclosed ring" in bad.content.decode().lower()
    assert client_a.post(url, {"smiles": KOJIC, "use_for_training": "on"}).status_code == 302
    response = client_a.get("/assays/potencies.csv?assay=tyrosinase")
    table = b"".join(response.streaming_content).decode()
    assert KOJIC in table and "Kojic acid" in table
    assert "Licorice extract" not in table.split("\n", 1)[1]  # no structure: not a training row


def test_a_broken_dose_response_file_stores_nothing(client_a: Client) -> None:
    response = client_a.post(
        "/assays/dose-response/new/",
        {
            "name": "broken",
            "assay": "tyrosinase",
            "file": upload("tidy.csv", b"name,colour\nA,red\n"),
            "response": "auto",
            "model": "auto",
        },
    )
    assert response.status_code == 400 and "concentration" in response.content.decode()
    assert DoseResponseRun.objects.count() == 0 and AssayFile.objects.count() == 0


# --- API ---------------------------------------------------------------------------------------


def test_api_fits_points_and_refuses_broken_bodies(headers: dict[str, str]) -> None:
    x = [1, 3, 10, 30, 100, 300]
    points = [
        {"sample": "S", "concentration": c, "response": 100 / (1 + (20 / c)), "unit": "µM"}
        for c in x
    ]
    body = ok(post("/api/assays/dose-response", {"points": points}, headers))
    fit = body["fits"][0]
    assert fit["ic50"] == pytest.approx(20.0, rel=0.05)
    assert post("/api/assays/dose-response", {"points": []}, headers).status_code == 422
    negative = [{**points[0], "concentration": -1}]
    assert post("/api/assays/dose-response", {"points": negative}, headers).status_code == 422
    assert post("/api/assays/dose-response", "{broken", headers).status_code in (400, 422)


def test_api_analyses_a_qpcr_file(headers: dict[str, str]) -> None:
    table, layout = plate_files()
    response = Client().post(
        "/api/assays/qpcr",
        {
            "file": upload("plate.csv", table),
            "layout": upload("layout.csv", layout),
            "settings": '{"calls": {"cq_cutoff": 38}}',
        },
        headers=headers,
    )
    body = ok(response)
    assert body["settings"]["calls"]["cq_cutoff"] == 38
    assert sum(body["summary"].values()) == 20
    assert {w["sample"] for w in body["wells"]} >= {"Liver", "Kidney", "NTC"}  # the layout's
    bad = Client().post(
        "/api/assays/qpcr",
        {"file": upload("plate.csv", table), "settings": "{nope"},
        headers=headers,
    )
    assert bad.status_code == 422 and "settings is not JSON" in bad.json()["detail"]
    unknown = Client().post(
        "/api/assays/qpcr",
        {"file": upload("plate.csv", table), "settings": '{"cutoff": 3}'},
        headers=headers,
    )
    assert (
        unknown.status_code == 422 and "Unknown qPCR setting(s) cutoff" in unknown.json()["detail"]
    )


def test_api_lists_only_the_companys_runs(
    client_a: Client, headers: dict[str, str], member_b: Any
) -> None:
    run = new_qpcr_run(client_a)
    listed = ok(Client().get("/api/assays/qpcr/runs", headers=headers))
    assert [r["id"] for r in listed] == [run.pk]
    from actives.web.accounts.models import ApiToken

    _token, raw = ApiToken.issue(member_b, "tests")
    other = {"Authorization": f"Bearer {raw}"}
    assert Client().get(f"/api/assays/qpcr/runs/{run.pk}", headers=other).status_code == 404


def test_miqe_information_is_kept_with_the_run(client_a: Client) -> None:
    run = new_qpcr_run(client_a)
    response = client_a.post(
        f"/assays/qpcr/{run.pk}/miqe/",
        {"primers": "GAPDH F: GAAGGTGAAGGTCGGAGTC; amplicon 226 bp", "samples": " "},
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.miqe == {"primers": "GAPDH F: GAAGGTGAAGGTCGGAGTC; amplicon 226 bp"}
    page = client_a.get(f"/assays/qpcr/{run.pk}/").content.decode()
    assert "GAAGGTGAAGGTCGGAGTC" in page and "MIQE information" in page
    too_long = client_a.post(f"/assays/qpcr/{run.pk}/miqe/", {"notes": "x" * 2001})
    assert too_long.status_code == 400
    run.refresh_from_db()
    assert "notes" not in run.miqe


def test_cut_offs_saved_as_an_assay_analyse_the_next_run(client_a: Client, member_b: Any) -> None:
    run = new_qpcr_run(client_a)
    response = client_a.post(
        f"/assays/qpcr/{run.pk}/settings/",
        {"cq_method": "threshold", "cq_cutoff": "16", "late_cq_call": "inconclusive",
         "max_replicate_sd": "0.5", "ntc_margin": "5", "min_amplitude_fraction": "0.2",
         "quality_positive": "0.7", "quality_negative": "0.3", "efficiency": "auto",
         "save_as": "GAPDH, SYBR"},
    )  # fmt: skip
    assert response.status_code == 302
    assay = QpcrAssay.objects.get(name="GAPDH, SYBR")
    assert assay.company == run.company and assay.settings["calls"]["cq_cutoff"] == 16.0
    assert "calibrator" not in assay.settings and "thresholds" not in assay.settings
    assert "GAPDH, SYBR" in client_a.get("/assays/").content.decode()

    table, layout = plate_files()
    second = client_a.post(
        "/assays/qpcr/new/",
        {"name": "Next plate", "file": upload("plate.csv", table),
         "layout": upload("layout.csv", layout), "assay": str(assay.pk)},
    )  # fmt: skip
    assert second.status_code == 302
    later = QpcrRun.objects.get(name="Next plate")
    assert later.assay == assay and later.settings["calls"]["cq_cutoff"] == 16.0
    kidney = wells_of(later)[("B5", "GAPDH")]
    assert kidney["call"] == "inconclusive" and "beyond the cut-off 16" in kidney["reason"]
    # another company can neither see nor use the assay
    other = Client()
    other.force_login(member_b)
    assert "GAPDH, SYBR" not in other.get("/assays/").content.decode()
    refused = other.post(
        "/assays/qpcr/new/",
        {"name": "x", "file": upload("plate.csv", table), "assay": str(assay.pk)},
    )
    assert refused.status_code == 400 and not QpcrRun.objects.filter(name="x").exists()


def test_reasons_are_said_in_the_pages_language(client_a: Client) -> None:
    run = new_qpcr_run(client_a)
    il6 = wells_of(run)[("G6", "IL6")]
    assert [c["code"] for c in il6["reason_codes"]] == ["amplified", "near_amplified_ntc"]
    assert il6["reason_codes"][1]["params"]["control"] == "H6"
    client_a.cookies["django_language"] = "ko"
    page = client_a.get(f"/assays/qpcr/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "NTC 오염: 대조군 H6이(가) Cq" in page and "증폭 없음" in page
    assert "NTC contamination: control H6" not in page
    # an analysis stored with a code this version does not know shows the English sentence
    run.result["wells"][0]["reason_codes"] = [{"code": "from_the_future", "params": {}}]
    run.result["wells"][0]["reasons"] = ["a reason from a newer version"]
    run.save()
    page = client_a.get(f"/assays/qpcr/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "a reason from a newer version" in page


def test_dose_response_flags_are_named_in_the_pages_language(client_a: Client) -> None:
    table = "sample,concentration (µM),% inhibition\n" + "".join(
        f"Flat extract,{c},{v}\n" for c, v in [(1, 2), (3, 1), (10, 3), (30, 2), (100, 4)]
    )
    response = client_a.post(
        "/assays/dose-response/new/",
        {"name": "Flat", "assay": "tyrosinase", "file": upload("flat.csv", table.encode()),
         "response": "auto", "model": "auto"},
    )  # fmt: skip
    assert response.status_code == 302
    run = DoseResponseRun.objects.get(name="Flat")
    assert run.result["fits"][0]["flags"][0]["code"] == "inactive"
    client_a.cookies["django_language"] = "ko"
    page = client_a.get(f"/assays/dose-response/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "비활성" in page.content.decode()


def test_another_run_of_an_rdml_file_can_be_read(client_a: Client) -> None:
    rdml = (DATA / "qpcr" / "synthetic.rdml").read_bytes()
    response = client_a.post(
        "/assays/qpcr/new/", {"name": "Two runs", "file": upload("synthetic.rdml", rdml)}
    )
    assert response.status_code == 302
    run = QpcrRun.objects.get(name="Two runs")
    assert (run.rdml_experiment, run.rdml_run) == ("exp1", "run1")
    page = client_a.get(f"/assays/qpcr/{run.pk}/").content.decode()
    assert "The RDML file holds 2 runs" in page and 'value="exp1|run2"' in page
    first = len(run.result["wells"])
    moved = client_a.post(f"/assays/qpcr/{run.pk}/source/", {"rdml_run": "exp1|run2"})
    assert moved.status_code == 302
    run.refresh_from_db()
    assert run.rdml_run == "run2" and len(run.result["wells"]) != first
    unknown = client_a.post(f"/assays/qpcr/{run.pk}/source/", {"rdml_run": "exp9|run9"})
    assert unknown.status_code == 400
    run.refresh_from_db()
    assert run.rdml_run == "run2"


def test_api_refuses_broken_files(headers: dict[str, str]) -> None:
    def send(url: str, files: dict[str, Any]) -> Any:
        return Client().post(url, files, headers=headers)

    fits = send("/api/assays/dose-response/file", {"file": upload("tidy.csv", TIDY.read_bytes())})
    assert ok(fits)["fits"][0]["status"] == "ok"
    no_columns = send(
        "/api/assays/dose-response/file", {"file": upload("t.csv", b"name,colour\nA,red\n")}
    )
    assert no_columns.status_code in (400, 422) and "concentration" in no_columns.json()["detail"]
    wrong = send("/api/assays/dose-response/file", {"file": upload("t.pdf", b"%PDF-1.4")})
    assert wrong.status_code == 400 and "expected a file ending in" in wrong.json()["detail"]
    plate = send(
        "/api/assays/dose-response/file",
        {"file": upload("plate.txt", (TIDY.parent / "tyrosinase_plate.txt").read_bytes()),
         "layout": upload("layout.csv", (TIDY.parent / "tyrosinase_layout.csv").read_bytes())},
    )  # fmt: skip
    assert "Kojic acid" in {f["sample"] for f in ok(plate)["fits"]}
    bad_layout = send(
        "/api/assays/dose-response/file",
        {"file": upload("plate.txt", b"1,2,3\n"), "layout": upload("layout.png", b"\x89PNG")},
    )
    assert bad_layout.status_code == 400 and "plate layout" in bad_layout.json()["detail"]
    not_qpcr = send("/api/assays/qpcr", {"file": upload("run.docx", b"PK\x03\x04")})
    assert not_qpcr.status_code == 400 and "not a qPCR file" in not_qpcr.json()["detail"]
    truncated = send("/api/assays/qpcr", {"file": upload("run.rdml", b"PK\x03\x04 broken zip")})
    assert truncated.status_code in (400, 422) and truncated.json()["code"]
    missing_run = send(
        "/api/assays/qpcr",
        {"file": upload("s.rdml", (DATA / "qpcr" / "synthetic.rdml").read_bytes()), "run": "x"},
    )
    assert missing_run.status_code == 404 and "run1" in missing_run.json()["detail"]
