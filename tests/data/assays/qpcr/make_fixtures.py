"""Write the small qPCR fixtures of this folder from a formula (run: python make_fixtures.py).

Every curve is F(c) = 100 + 5000 / (1 + exp(-(c - c0) / 1.5)) with c0 given per well below, so
tests can recompute any value. NTC wells have c0 = 60 (flat over 40 cycles).
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
CYCLES = range(1, 41)
C0 = {"A1": 18.0, "A2": 21.0, "A3": 24.0, "B1": 19.0, "B2": 22.0, "B3": 60.0}


def fluor(cycle: float, c0: float, scale: float = 1.0) -> float:
    return scale * (100.0 + 5000.0 / (1.0 + math.exp(-(cycle - c0) / 1.5)))


def cfx_csv() -> None:
    lines = [",Cycle," + ",".join(C0)]
    for c in CYCLES:
        lines.append(f",{c}," + ",".join(f"{fluor(c, c0):.4f}" for c0 in C0.values()))
    (HERE / "cfx_amplification_SYBR.csv").write_text("\n".join(lines) + "\n")


def cfx_xlsx() -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for dye, scale in (("SYBR", 1.0), ("FAM", 0.5)):
        sheet = book.create_sheet(dye)
        sheet.append([None, "Cycle", *C0])
        for c in CYCLES:
            sheet.append([None, c, *(round(fluor(c, c0, scale), 4) for c0 in C0.values())])
    info = book.create_sheet("Run Information")
    info.append(["File Name", "synthetic.pcrd"])
    info.append(["Run Started", "01/02/2025 10:00:00 UTC"])
    book.save(HERE / "cfx_amplification.xlsx")


QS_HEADER = [
    "* Block Type = 96-Well Block (0.2mL)",
    "* Chemistry = SYBR_GREEN",
    "* Experiment Run End Time = 2025-02-01 11:00:00 AM KST",
    "* Instrument Type = QuantStudio 5 System",
    "* Passive Reference = ROX",
    "",
]
QS_WELLS = {
    "A1": ("GAPDH", 18.0),
    "A2": ("GAPDH", 21.0),
    "B1": ("ACTB", 19.0),
    "B3": ("ACTB", 60.0),
}


def quantstudio_csv() -> None:
    lines = list(QS_HEADER) + ["Well,Well Position,Cycle,Target Name,Rn,Delta Rn"]
    for well, (target, c0) in QS_WELLS.items():
        index = (ord(well[0]) - 65) * 12 + int(well[1:])
        for c in CYCLES:
            rn = fluor(c, c0) / 1000.0
            lines.append(f"{index},{well},{c},{target},{rn:.6f},{rn - 0.1:.6f}")
    (HERE / "quantstudio_amplification.csv").write_text("\n".join(lines) + "\n")


def quantstudio_xlsx() -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    amp = book.create_sheet("Amplification Data")
    for line in QS_HEADER:
        if line:
            key, _, value = line.lstrip("* ").partition(" = ")
            amp.append([key, value])
        else:
            amp.append([])
    amp.append(["Well", "Well Position", "Cycle", "Target Name", "Rn", "Delta Rn"])
    for well, (target, c0) in QS_WELLS.items():
        index = (ord(well[0]) - 65) * 12 + int(well[1:])
        for c in CYCLES:
            rn = fluor(c, c0) / 1000.0
            amp.append([index, well, c, target, round(rn, 6), round(rn - 0.1, 6)])
    results = book.create_sheet("Results")
    results.append(["Block Type", "96-Well Block (0.2mL)"])
    results.append([])
    results.append(
        [
            "Well",
            "Well Position",
            "Sample Name",
            "Target Name",
            "Task",
            "Reporter",
            "Quantity",
            "CT",
        ]
    )
    results.append([1, "A1", "Std 1", "GAPDH", "STANDARD", "SYBR", 100000, 18.1])
    results.append([2, "A2", "Std 2", "GAPDH", "STANDARD", "SYBR", 10000, 21.2])
    results.append([13, "B1", "Liver", "ACTB", "UNKNOWN", "SYBR", None, 19.0])
    results.append([15, "B3", "Water", "ACTB", "NTC", "SYBR", None, "Undetermined"])
    book.save(HERE / "quantstudio_amplification.xlsx")


def lightcycler_txt() -> None:
    lines = [
        "Experiment: synthetic run  Selected Filter: SYBR Green I / HRM Dye (465-510)",
        "SamplePos\tSampleName\tProg\tSeg\tCycle\tTime\tTemp\t465-510",
    ]
    names = {"A1": "Sample 1", "A2": "Sample 2", "A3": "H2O"}
    c0s = {"A1": 18.0, "A2": 21.0, "A3": 60.0}
    for well, name in names.items():
        lines.append(f"{well}\t{name}\t1\t1\t1\t10\t95\t0.5")
        for c in CYCLES:
            lines.append(f"{well}\t{name}\t2\t3\t{c}\t{60 + c * 30}\t72\t{fluor(c, c0s[well]):.4f}")
        for k in range(5):
            lines.append(f"{well}\t{name}\t3\t2\t1\t{2000 + k}\t{65 + k}\t{5000 - 100 * k}")
    (HERE / "lightcycler480.txt").write_text("\n".join(lines) + "\n")


def wide_table() -> None:
    curves = {"F1.1": 18.0, "F1.2": 18.5, "NTC": 60.0}
    lines = ["Cycles," + ",".join(curves)]
    for c in CYCLES:
        lines.append(f"{c}," + ",".join(f"{fluor(c, c0):.4f}" for c0 in curves.values()))
    (HERE / "table_wide.csv").write_text("\n".join(lines) + "\n")


def layout_csv() -> None:
    rows = [
        "well,sample,sample_type,target,quantity",
        "A1,Std 1,standard,GAPDH,1e5",
        "A2,Std 2,Std-02,GAPDH,10000",
        "A3,Std 3,std,GAPDH,1000",
        "B1,Liver,unknown,GAPDH,",
        "B2,Kidney,,GAPDH,",
        "B3,water,,GAPDH,",
        "C1,Spare,unkn,GAPDH,",
    ]
    (HERE / "layout.csv").write_text("\n".join(rows) + "\n")


def rdml_xml() -> str:
    def data(target: str, c0: float, cq: str = "", excl: str = "") -> str:
        adps = "".join(
            f"<adp><cyc>{c}</cyc><fluor>{fluor(c, c0):.4f}</fluor></adp>" for c in CYCLES
        )
        extra = (f"<cq>{cq}</cq>" if cq else "") + (f"<excl>{excl}</excl>" if excl else "")
        return f'<data><tar id="{target}"/>{extra}{adps}</data>'

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdml version="1.2" xmlns="http://www.rdml.org">
<dateMade>2025-02-01T10:00:00</dateMade>
<experimenter id="hk"><firstName>Hana</firstName><lastName>Kim</lastName></experimenter>
<dye id="SYBR"><dyeChemistry>non-saturating DNA binding dye</dyeChemistry></dye>
<sample id="std1"><type>std</type>
<quantity><value>100000</value><unit>cop</unit></quantity></sample>
<sample id="std2"><type>std</type>
<quantity><value>10000</value><unit>cop</unit></quantity></sample>
<sample id="liver"><type>unkn</type></sample>
<sample id="water"><type>ntc</type></sample>
<target id="GAPDH"><type>ref</type><dyeId id="SYBR"/><sequences>
<forwardPrimer><sequence>ACGTACGTAC</sequence></forwardPrimer>
<reversePrimer><sequence>TTGGCCAATT</sequence></reversePrimer>
<amplicon><sequence>ACGTACGTACGGGGGGGGGGAATTGGCCAA</sequence></amplicon></sequences></target>
<thermalCyclingConditions id="std-2step">
<step><nr>1</nr><temperature><temperature>95</temperature><duration>600</duration></temperature></step>
<step><nr>2</nr><temperature><temperature>95</temperature><duration>15</duration></temperature></step>
<step><nr>3</nr><temperature><temperature>60</temperature><duration>60</duration></temperature></step>
<step><nr>4</nr><loop><goto>2</goto><repeat>39</repeat></loop></step>
</thermalCyclingConditions>
<experiment id="exp1">
<run id="run1"><instrument>Synthetic Cycler 96</instrument><runDate>2025-02-01T10:00:00</runDate>
<thermalCyclingConditions id="std-2step"/>
<pcrFormat><rows>8</rows><columns>12</columns><rowLabel>ABC</rowLabel><columnLabel>123</columnLabel></pcrFormat>
<react id="1"><sample id="std1"/>{data("GAPDH", 18.0, cq="17.9")}</react>
<react id="2"><sample id="std2"/>{data("GAPDH", 21.0, cq="21.1")}</react>
<react id="13"><sample id="liver"/>{data("GAPDH", 19.0, excl="pipetting error")}</react>
<react id="15"><sample id="water"/>{data("GAPDH", 60.0, cq="-1")}</react>
</run>
<run id="run2"><pcrFormat><rows>8</rows><columns>12</columns>
<rowLabel>ABC</rowLabel><columnLabel>123</columnLabel></pcrFormat>
<react id="1"><sample id="liver"/>{data("GAPDH", 20.0)}</react>
</run>
</experiment>
</rdml>
"""


def rdml_files() -> None:
    xml = rdml_xml()
    (HERE / "synthetic.xml").write_text(xml)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("rdml_data.xml", date_time=(2025, 2, 1, 10, 0, 0))
        archive.writestr(info, xml)
    (HERE / "synthetic.rdml").write_bytes(buffer.getvalue())


if __name__ == "__main__":
    cfx_csv()
    cfx_xlsx()
    quantstudio_csv()
    quantstudio_xlsx()
    lightcycler_txt()
    wide_table()
    layout_csv()
    rdml_files()
