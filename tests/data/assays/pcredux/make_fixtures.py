"""Write the tiny PCRedux-layout fixtures (label files and raw curves) by formula.

    python tests/data/assays/pcredux/make_fixtures.py

Layout mirrors the raw-data folder: ``qpcr-pcredux/decision_res_<set>.csv`` with raw curves in
``qpcr-qpcR/``, ``qpcr-chipPCR/`` or ``qpcr-rdml-pkg/``. Curves are 12 cycles:
``sigmoid(c) = 10 + 100 / (1 + exp(-(cycle - c)))`` for amplified ones, ``flat(k) = 10 + 0.1 k``
for flat ones.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
CYCLES = list(range(1, 13))


def sigmoid(c: float) -> list[float]:
    return [round(10 + 100 / (1 + math.exp(-(x - c))), 4) for x in CYCLES]


def flat(k: int) -> list[float]:
    return [round(10 + 0.1 * ((x * k) % 3), 4) for x in CYCLES]


def write_table(path: Path, header: list[str], columns: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [",".join(header)]
    for i in range(len(columns[0])):
        rows.append(",".join("" if c[i] is None else str(c[i]) for c in columns))
    path.write_text("\n".join(rows) + "\n")


def rdml_xml() -> str:
    def data(target: str, values: list[float]) -> str:
        points = "".join(
            f"<adp><cyc>{c}</cyc><fluor>{v}</fluor></adp>"
            for c, v in zip(CYCLES, values, strict=True)
        )
        return f'<data><tar id="{target}"/>{points}</data>'

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdml version="1.2" xmlns="http://www.rdml.org">\n'
        "<dateMade>2024-01-01T00:00:00</dateMade>\n"
        '<sample id="gDNA +"><type>unkn</type></sample>\n'
        '<sample id="NTC 1"><type>ntc</type></sample>\n'
        '<target id="B-Globin"><type>toi</type></target>\n'
        '<target id="Hex@RNase P"><type>toi</type></target>\n'
        '<experiment id="exp1"><run id="Run1">'
        "<pcrFormat><rows>8</rows><columns>12</columns><rowLabel>ABC</rowLabel>"
        "<columnLabel>123</columnLabel></pcrFormat>\n"
        f'<react id="1"><sample id="gDNA +"/>{data("B-Globin", sigmoid(6))}</react>\n'
        f'<react id="2"><sample id="NTC 1"/>{data("Hex@RNase P", flat(1))}</react>\n'
        "</run></experiment>\n</rdml>\n"
    )


def main() -> None:
    pcredux = HERE / "qpcr-pcredux"
    pcredux.mkdir(exist_ok=True)
    # alpha: a qpcR-style table; one label has no raw column, one curve is ambiguous.
    (pcredux / "decision_res_alpha.csv").write_text(
        "alpha,test.result.1,test.result.2,test.result.3,conformity\n"
        "F1.1,y,y,y,TRUE\nF1.2,y,a,n,FALSE\nF2.1,n,n,y,FALSE\nghost,y,y,y,TRUE\n"
    )
    write_table(
        HERE / "qpcr-qpcR" / "alpha.csv",
        ["Cycles", "F1.1", "F1.2", "F2.1"],
        [[float(c) for c in CYCLES], sigmoid(5), sigmoid(9), flat(2)],
    )
    # beta: chipPCR-style (index and Cycle columns, quoted labels, a blank rating); B2 is a
    # shorter run (trailing empty cells), B3 has a gap inside and cannot be used.
    (pcredux / "decision_res_beta.csv").write_text(
        'beta,"test.result.1","test.result.2","test.result.3","conformity"\n'
        '"B1","y","y","",TRUE\n"B2","n","n","n",TRUE\n"B3","y","y","y",TRUE\n'
    )
    short = flat(1)[:10] + [None, None]
    gap: list[object] = list(sigmoid(7))
    gap[4] = None
    write_table(
        HERE / "qpcr-chipPCR" / "beta.csv",
        ["index", "Cycle", "B1", "B2", "B3"],
        [[c - 1 for c in CYCLES], [c - 0.5 for c in CYCLES], sigmoid(6), short, gap],
    )
    # gamma: RDML, labels in both naming styles PCRedux uses.
    (pcredux / "decision_res_gamma.csv").write_text(
        "gamma,test.result.1,test.result.2,test.result.3,conformity\n"
        "A01_gDNA.._unkn_B.Globin,y,y,y,TRUE\n"
        "A02~NTC 1~ntc~Hex@RNase P~Run1,n,n,n,TRUE\n"
        "A02_NTC.1_ntc_RNase.P,n,n,a,FALSE\n"
    )
    rdml = HERE / "qpcr-rdml-pkg" / "gamma.rdml"
    rdml.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(rdml, "w") as archive:
        archive.writestr("rdml_data.xml", rdml_xml())
    # orphan: labels without any raw file.
    (pcredux / "decision_res_orphan.csv").write_text(
        "orphan,test.result.1,test.result.2,test.result.3,conformity\nX1,y,y,y,TRUE\n"
    )


if __name__ == "__main__":
    main()
