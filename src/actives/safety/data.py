"""Skin-sensitisation reference data: NIEHS ICE, SkinSensDB and ECHA/CAAT merged by InChIKey.

Two tables come out:

- **records** (:func:`read_sensitisation_records`): one row per source measurement, each on one
  endpoint of the fixed vocabulary :data:`ENDPOINTS`, keyed by the standardised InChIKey;
- **merged** (:func:`merge_sensitisation`): one row per InChIKey, one column per endpoint, with
  the number of records behind it, a conflict flag and the source(s) it came from.

Conflict rules (implemented exactly here and documented in docs/guide/en/safety.md):

1. *Source preference.* For the same endpoint, ICE (NIEHS' harmonised data) is preferred over
   SkinSensDB: when ICE has any usable record of the endpoint for a chemical, SkinSensDB's
   records of that endpoint are not used; SkinSensDB fills gaps. For the derived endpoints the
   preference applies to their inputs together (LLNA: Call and EC3; h-CLAT MIT: Call, CD86
   EC150 and CD54 EC200). ECHA/CAAT labels stay their own endpoints (``echa_call``,
   ``echa_h317``) and are never merged into LLNA.
2. *Numeric values.* Exact (``=``) values are averaged: geometric mean for concentrations (EC3,
   EC1.5, IC50, EC150, EC200, CV75, CV70, MIT, DSA05), arithmetic mean for DPRA depletion (%)
   and KeratinoSens Imax. Bounds are then ignored. With bounds only, the value stays censored:
   ``>`` at the highest lower bound, ``<`` at the lowest upper bound; lower and upper bounds
   together give no value. The conflict flag is set when an exact value contradicts a bound
   (an exact value at or below a ``>`` bound, at or above a ``<`` bound) or the bounds cross.
3. *Calls and categories.* The majority of the records; a tie is conflicting: no call, flag set.
4. *LLNA call* (``llna_call``): one vote per LLNA test record (ICE ``Record_ID``, SkinSensDB
   row): the test's own Call if it states one, else positive when it gives an EC3 (``=`` or
   ``<``: an EC3 exists only when SI >= 3 was reached) and negative when it gives only ``>`` EC3
   bounds; then the majority of the tests, a tie is conflicting.
5. *LLNA GHS category* (``llna_ghs``): LLNA negative -> ``NC``; positive with EC3 <= 2 % ->
   ``1A``, EC3 > 2 % -> ``1B`` (UN GHS Table 3.4.3 and CLP Regulation (EC) No 1272/2008
   Annex I Table 3.4.3: sub-category 1A for LLNA EC3 <= 2 %, 1B for EC3 > 2 %); positive
   without a usable EC3 -> ``1`` (not sub-categorised). Stated GHS categories stay in
   ``ghs_category``.
6. *h-CLAT MIT* (``hclat_mit``, minimum induction threshold, ug/mL): per h-CLAT test, when the
   test is positive (its Call, or without a Call an exact CD86 EC150 / CD54 EC200), the lower of
   its CD86 EC150 and CD54 EC200; a negative test has no MIT. Tests are then combined as a
   concentration (geometric mean).

Structures are standardised with :mod:`actives.chem` (ChEMBL pipeline, parent, neutralised) and
keyed by InChIKey. Mixtures (marked by the source, or several organic components after salt
stripping), undefined structures (``*`` atoms), inorganics and unreadable SMILES are dropped,
each counted in the curation log.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from actives.chem.batch import process_structure
from actives.chem.components import has_dummy_atoms, organic_components
from actives.chem.parse import to_mol
from actives.errors import InvalidInputError, InvalidStructureError
from actives.knowledge.loaders.skinsens import NEGATIVE, POSITIVE, RAW_RECORD_COLUMNS
from actives.knowledge.sources import Source, sensitisation_sources
from actives.predict.curation import CurationStep
from actives.progress import Progress, silent_progress
from actives.registry import Registry

EndpointKind = Literal["call", "value", "category"]
MergeRule = Literal["majority", "geometric", "arithmetic", "llna", "mit", "ghs_from_llna"]

# ICE is NIEHS' harmonised compilation; SkinSensDB fills gaps (rule 1). ECHA has its own
# endpoints, so its rank never competes.
SOURCE_RANK = {"ice_invitro": 0, "ice_invivo": 0, "echa_caat": 0, "skinsensdb": 1}
# Whose name, CAS and SMILES a merged row shows first (ECHA gives IUPAC names, no CAS).
IDENTITY_ORDER = {"ice_invitro": 0, "ice_invivo": 1, "skinsensdb": 2, "echa_caat": 3}
GHS_1A_MAX_EC3 = 2.0  # %; UN GHS / CLP Annex I Table 3.4.3: 1A if LLNA EC3 <= 2 %, 1B if > 2 %
GHS_CLASSES = ("NC", "1B", "1A")


@dataclass(frozen=True)
class SensitisationEndpoint:
    """One endpoint of the vocabulary: what it measures, its unit and how records merge."""

    id: str
    title: str
    kind: EndpointKind
    merge: MergeRule
    unit: str = ""
    derived: bool = False  # computed by merge_sensitisation, never read from a source


ENDPOINTS: Registry[SensitisationEndpoint] = Registry(
    "sensitisation endpoint", "unknown_sensitisation_endpoint", InvalidInputError
)
_ENDPOINT_LIST = [
    SensitisationEndpoint("dpra_call", "DPRA call (OECD TG 442C)", "call", "majority"),
    SensitisationEndpoint("dpra_cys_depletion", "DPRA cysteine peptide depletion", "value",
                          "arithmetic", "%"),
    SensitisationEndpoint("dpra_lys_depletion", "DPRA lysine peptide depletion", "value",
                          "arithmetic", "%"),
    SensitisationEndpoint("dpra_mean_depletion", "DPRA mean Cys/Lys depletion (negatives as 0)",
                          "value", "arithmetic", "%"),
    SensitisationEndpoint("keratinosens_call", "KeratinoSens call (OECD TG 442D)", "call",
                          "majority"),
    SensitisationEndpoint("keratinosens_ec15", "KeratinoSens EC1.5", "value", "geometric", "uM"),
    SensitisationEndpoint("keratinosens_imax", "KeratinoSens Imax (fold induction)", "value",
                          "arithmetic", "ratio"),
    SensitisationEndpoint("keratinosens_ic50", "KeratinoSens IC50 (cytotoxicity)", "value",
                          "geometric", "uM"),
    SensitisationEndpoint("lusens_call", "LuSens call (OECD TG 442D)", "call", "majority"),
    SensitisationEndpoint("lusens_ec15", "LuSens EC1.5", "value", "geometric", "uM"),
    SensitisationEndpoint("hclat_call", "h-CLAT call (OECD TG 442E)", "call", "majority"),
    SensitisationEndpoint("hclat_cd86_call", "h-CLAT CD86 call", "call", "majority"),
    SensitisationEndpoint("hclat_cd54_call", "h-CLAT CD54 call", "call", "majority"),
    SensitisationEndpoint("hclat_cd86_ec150", "h-CLAT CD86 EC150", "value", "geometric",
                          "ug/mL"),
    SensitisationEndpoint("hclat_cd54_ec200", "h-CLAT CD54 EC200", "value", "geometric",
                          "ug/mL"),
    SensitisationEndpoint("hclat_cv75", "h-CLAT CV75 (cytotoxicity)", "value", "geometric",
                          "ug/mL"),
    SensitisationEndpoint("hclat_mit", "h-CLAT minimum induction threshold", "value", "mit",
                          "ug/mL", derived=True),
    SensitisationEndpoint("usens_call", "U-SENS call (OECD TG 442E)", "call", "majority"),
    SensitisationEndpoint("usens_cd86_ec150", "U-SENS CD86 EC150", "value", "geometric",
                          "ug/mL"),
    SensitisationEndpoint("usens_cv70", "U-SENS CV70 (cytotoxicity)", "value", "geometric",
                          "ug/mL"),
    SensitisationEndpoint("sensis_potency", "SENS-IS potency class", "category", "majority"),
    SensitisationEndpoint("llna_call", "LLNA hazard call (OECD TG 429)", "call", "llna"),
    SensitisationEndpoint("llna_ec3", "LLNA EC3", "value", "geometric", "%"),
    SensitisationEndpoint("llna_ghs", "GHS/CLP category from the LLNA (NC, 1B, 1A, 1)",
                          "category", "ghs_from_llna", derived=True),
    SensitisationEndpoint("ghs_category", "GHS category as stated by the source", "category",
                          "majority"),
    SensitisationEndpoint("gpmt_call", "Guinea pig maximisation / Buehler call", "call",
                          "majority"),
    SensitisationEndpoint("human_call", "Human HMT/HRIPT call", "call", "majority"),
    SensitisationEndpoint("human_dsa05", "Human induction dose per skin area at 5 % incidence "
                          "(DSA05)", "value", "geometric", "ug/cm2"),
    SensitisationEndpoint("echa_call", "ECHA/CAAT skin sensitisation label", "call", "majority"),
    SensitisationEndpoint("echa_h317", "ECHA/CAAT CLP H317 flag", "call", "majority"),
]  # fmt: skip
for _endpoint in _ENDPOINT_LIST:
    ENDPOINTS.add(_endpoint.id, _endpoint)
ENDPOINT_IDS: tuple[str, ...] = tuple(e.id for e in _ENDPOINT_LIST)  # column order

LLNA_INPUTS = ("llna_call", "llna_ec3")
MIT_INPUTS = ("hclat_call", "hclat_cd86_ec150", "hclat_cd54_ec200")

RECORD_COLUMNS = ["inchikey", "smiles", "name", "cas", "source", "record_id", "endpoint",
                  "value", "relation", "unit", "call", "category", "reference", "raw"]  # fmt: skip
IDENTITY_COLUMNS = ["inchikey", "smiles", "name", "cas", "sources", "n_records"]

# hazard_training_set targets: merged column and label kind.
TARGETS: dict[str, str] = {
    "llna": "llna_call",
    "human": "human_call",
    "potency": "llna_ghs",
    "dpra": "dpra_call",
    "keratinosens": "keratinosens_call",
    "hclat": "hclat_call",
}
DA_COLUMNS = ["inchikey", "smiles", "name", "cas",
              "dpra_call", "dpra_cys_depletion", "dpra_lys_depletion", "dpra_mean_depletion",
              "keratinosens_call", "keratinosens_imax", "keratinosens_ec15",
              "keratinosens_ec15_relation",
              "hclat_call", "hclat_mit", "hclat_mit_relation",
              "llna_call", "llna_ec3", "llna_ec3_relation", "llna_ghs", "human_call"]  # fmt: skip


# -- records ------------------------------------------------------------------------------------


def empty_records() -> pd.DataFrame:
    """The records table with no rows (its columns and types)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    return frame


def _structure_outcome(text: str) -> tuple[str, str, str]:
    """(InChIKey, parent SMILES, reason it was dropped or '')."""
    if not text:
        return "", "", "no structure (no SMILES)"
    try:
        mol = to_mol(text, "smiles")
    except InvalidStructureError:
        return "", "", "unreadable SMILES"
    if has_dummy_atoms(mol):
        return "", "", "undefined structure ('*' atoms)"
    try:
        components = organic_components(mol)
    except InvalidStructureError:
        return "", "", "standardisation failed"
    if len(components) > 1:
        return "", "", "mixture of several organic components"
    if not components:
        return "", "", "inorganic or organometallic (no organic parent)"
    try:
        key, parent, _values = process_structure(text, "smiles", with_descriptors=False)
    except InvalidStructureError as exc:
        reason = (
            "inorganic or organometallic (no organic parent)"
            if "no organic parent" in exc.message
            else "standardisation failed"
        )
        return "", "", reason
    return key, parent, ""


STRUCTURE_REASONS = (
    "no structure (no SMILES)",
    "unreadable SMILES",
    "undefined structure ('*' atoms)",
    "mixture of several organic components",
    "inorganic or organometallic (no organic parent)",
    "standardisation failed",
)


def _problem_class(problem: str) -> str:
    if problem.startswith("not used"):
        return "readouts not used (EPA classes, incidences, reliability scores, mMUSST, ...)"
    if problem.startswith("not a number") or problem.startswith("not a positive"):
        return "values that are not numbers ('IDR', 'NA(...)', 'Below', units in the cell)"
    return problem


def sensitisation_records(
    frames: Mapping[str, pd.DataFrame], progress: Progress = silent_progress
) -> tuple[pd.DataFrame, list[CurationStep]]:
    """Standardise and key the raw rows of the sensitisation readers; count every drop.

    ``frames`` maps a source id to its reader's output (:data:`RAW_RECORD_COLUMNS`).
    """
    steps: list[CurationStep] = []
    parts = [f for f in frames.values() if len(f)]
    if not parts:
        steps.append(CurationStep("raw rows read", 0, 0, "no sensitisation source found"))
        return empty_records(), steps
    raw = pd.concat(parts, ignore_index=True)
    missing = [c for c in RAW_RECORD_COLUMNS if c not in raw.columns]
    if missing:
        raise InvalidInputError(
            f"Sensitisation rows lack column(s) {', '.join(missing)}; expected the reader shape "
            f"{', '.join(RAW_RECORD_COLUMNS)}."
        )
    counts = raw["source"].value_counts().sort_index()
    note = ", ".join(f"{source} {n:,}" for source, n in counts.items())
    steps.append(CurationStep("raw rows read", len(raw), len(raw), note))

    problems = raw["problem"].fillna("").astype(str)
    classes = problems[problems != ""].map(_problem_class)
    for reason, n in classes.value_counts().sort_index().items():
        before = steps[-1].rows_out
        detail = ""
        if str(reason).startswith(("readouts not used", "values that are not")):
            top = problems[classes.index[classes == reason]].value_counts().head(6)
            detail = "; ".join(
                f"{str(text).removeprefix('not used: ')} {k}" for text, k in top.items()
            )
        steps.append(CurationStep(f"dropped: {reason}", before, before - int(n), detail))
    rows = raw[problems == ""].copy()
    unknown = sorted(set(rows["endpoint"]) - set(ENDPOINT_IDS))
    if unknown:
        raise InvalidInputError(
            f"Sensitisation rows name endpoint(s) {', '.join(unknown)} outside the vocabulary; "
            f"expected one of {', '.join(ENDPOINT_IDS)}."
        )
    rows = _drop_nonpositive_concentrations(rows, steps)

    before = len(rows)
    marked = rows["mixture"].astype(bool)
    steps.append(
        CurationStep(
            "dropped: mixture or formulation (marked by the source)",
            before,
            before - int(marked.sum()),
            f"{rows.loc[marked, 'name'].nunique():,} distinct names",
        )
    )
    rows = rows[~marked]

    distinct = sorted(set(rows["smiles_in"].fillna("").astype(str)))
    outcomes: dict[str, tuple[str, str, str]] = {}
    for i, text in enumerate(distinct):
        if i % 200 == 0:
            progress(i, len(distinct), "standardising sensitisation structures")
        outcomes[text] = _structure_outcome(text)
    progress(len(distinct), len(distinct), "sensitisation structures standardised")
    smiles_in = rows["smiles_in"].fillna("").astype(str)
    rows["inchikey"] = smiles_in.map(lambda s: outcomes[s][0])
    rows["smiles"] = smiles_in.map(lambda s: outcomes[s][1])
    reasons = smiles_in.map(lambda s: outcomes[s][2])
    for reason in STRUCTURE_REASONS:
        hit = reasons == reason
        before = len(rows)
        structures = smiles_in[hit].nunique() if reason != "no structure (no SMILES)" else 0
        note = f"{structures:,} distinct structures" if structures else ""
        steps.append(CurationStep(f"dropped: {reason}", before, before - int(hit.sum()), note))
        rows, reasons, smiles_in = rows[~hit], reasons[~hit], smiles_in[~hit]
    rows = _fold_stereo(rows, steps)
    for column in ("call", "category"):
        rows[column] = rows[column].astype(object).where(rows[column].notna(), None)
    records = rows[RECORD_COLUMNS].sort_values(
        ["inchikey", "endpoint", "source", "record_id"], kind="stable"
    )
    records = records.reset_index(drop=True)
    steps.append(
        CurationStep(
            "records kept",
            len(records),
            len(records),
            f"{records['inchikey'].nunique():,} chemicals (InChIKeys), "
            f"{records['endpoint'].nunique()} endpoints",
        )
    )
    return records, steps


def _fold_stereo(rows: pd.DataFrame, steps: list[CurationStep]) -> pd.DataFrame:
    """Join a stereo-less structure to its skeleton's only stereo form.

    Sources draw the same chemical with and without stereo (SkinSensDB's PubChem SMILES have
    none, ICE's often have it), which gives two InChIKeys. When a skeleton (first InChIKey
    block) has exactly one key with stereo and one without, the stereo-less records take the
    stereo key and SMILES, as the pack keeps a source's stereo key when the skeleton matches.
    Skeletons with several stereo forms (R- and S-carvone) stay apart.
    """
    keys = pd.Series(sorted(set(rows["inchikey"])), dtype=object)
    skeleton = keys.str[:14]
    flat = keys.str[15:25] == "UHFFFAOYSA"
    mapping: dict[str, str] = {}
    for _skeleton, group in keys.groupby(skeleton):
        if len(group) == 2 and flat[group.index].sum() == 1:
            stereo_key = str(group[~flat[group.index]].iloc[0])
            mapping[str(group[flat[group.index]].iloc[0])] = stereo_key
    hit = rows["inchikey"].isin(list(mapping))
    steps.append(
        CurationStep(
            "stereo-less structures joined to their only stereo form",
            len(rows),
            len(rows),
            f"{len(mapping):,} chemicals, {int(hit.sum()):,} records re-keyed",
        )
    )
    if not mapping:
        return rows
    stereo_smiles = rows.drop_duplicates("inchikey").set_index("inchikey")["smiles"]
    rows = rows.copy()
    rows.loc[hit, "inchikey"] = rows.loc[hit, "inchikey"].map(mapping)
    rows.loc[hit, "smiles"] = rows.loc[hit, "inchikey"].map(stereo_smiles)
    return rows


def _drop_nonpositive_concentrations(rows: pd.DataFrame, steps: list[CurationStep]) -> pd.DataFrame:
    """A concentration at or below zero cannot be averaged geometrically: counted and dropped."""
    geometric = [e.id for e in _ENDPOINT_LIST if e.merge == "geometric"]
    bad = rows["endpoint"].isin(geometric) & (rows["value"] <= 0)
    if bad.any():
        before = len(rows)
        steps.append(
            CurationStep("dropped: concentration at or below zero", before, before - int(bad.sum()))
        )
    return rows[~bad]


def read_sensitisation_records(
    raw_root: Path, progress: Progress = silent_progress
) -> tuple[pd.DataFrame, list[CurationStep]]:
    """Read ICE, SkinSensDB and ECHA/CAAT under ``raw_root`` into the records table.

    Files are found through the source registry (:mod:`actives.knowledge.sources`); a missing
    file is noted in the first curation step, a malformed one raises InvalidFileError naming the
    file and the missing column. Raises InvalidInputError when none of the files exists.
    """
    frames: dict[str, pd.DataFrame] = {}
    absent: list[Source] = []
    sources = sensitisation_sources()
    for i, source in enumerate(sources):
        progress(i, len(sources), f"reading {source.id}")
        files = source.files(raw_root)
        if not files:
            absent.append(source)
            continue
        frames[source.id] = pd.concat([source.loader(p) for p in files], ignore_index=True)
    if not frames:
        expected = ", ".join(s.pattern for s in sources)
        raise InvalidInputError(
            f"No skin-sensitisation data under {raw_root}; expected {expected} "
            "(set ACTIVES_RAW_DATA to the folder of the public data sets)."
        )
    records, steps = sensitisation_records(frames, progress)
    if absent:
        first = steps[0]
        missing = ", ".join(f"{s.id} ({s.pattern})" for s in absent)
        steps[0] = CurationStep(first.name, first.rows_in, first.rows_out,
                                f"{first.note}; missing: {missing}")  # fmt: skip
    return records, steps


# -- merging ------------------------------------------------------------------------------------


def _preferred(rows: pd.DataFrame) -> pd.DataFrame:
    """Rule 1: per chemical, only the records of the best-ranked source present."""
    if rows.empty:
        return rows
    rank = rows["source"].map(SOURCE_RANK).fillna(len(SOURCE_RANK)).astype(int)
    best = rank.groupby(rows["inchikey"]).transform("min")
    return rows[rank == best]


def _sources(values: pd.Series) -> str:
    return ";".join(sorted(set(values)))


def _majority(positive: int, negative: int) -> str | None:
    if positive > negative:
        return POSITIVE
    if negative > positive:
        return NEGATIVE
    return None


def _merge_calls(rows: pd.DataFrame, endpoint: str) -> pd.DataFrame:
    """Rule 3 for calls: majority, a tie is conflicting."""
    rows = _preferred(rows[rows["call"].isin([POSITIVE, NEGATIVE])])
    grouped = rows.assign(pos=rows["call"] == POSITIVE).groupby("inchikey")
    positive = grouped["pos"].sum().astype(int)
    n = grouped.size()
    negative = n - positive
    call = [_majority(p, q) for p, q in zip(positive, negative, strict=True)]
    return pd.DataFrame(
        {
            endpoint: pd.Series(call, index=n.index, dtype=object),
            f"{endpoint}_n": n,
            f"{endpoint}_n_positive": positive,
            f"{endpoint}_conflict": positive == negative,
            f"{endpoint}_source": grouped["source"].agg(_sources),
        }
    )


def _merge_categories(rows: pd.DataFrame, endpoint: str) -> pd.DataFrame:
    """Rule 3 for categories: the most frequent one, a tie for first place is conflicting."""
    rows = _preferred(rows[rows["category"].notna() & (rows["category"] != "")])
    out: dict[str, list[Any]] = {k: [] for k in ("inchikey", "value", "n", "conflict", "source")}
    for key, group in rows.groupby("inchikey", sort=True):
        counts = group["category"].value_counts()
        tie = len(counts) > 1 and counts.iloc[0] == counts.iloc[1]
        out["inchikey"].append(key)
        out["value"].append(None if tie else str(counts.index[0]))
        out["n"].append(len(group))
        out["conflict"].append(bool(tie))
        out["source"].append(_sources(group["source"]))
    return _columns(endpoint, out, with_relation=False)


def combine_values(
    values: Iterable[float], relations: Iterable[str], mean: Literal["geometric", "arithmetic"]
) -> tuple[float, str | None, bool]:
    """Rule 2: (value, relation, conflict) from values with '=', '>' or '<' relations."""
    pairs = [(float(v), r) for v, r in zip(values, relations, strict=True) if math.isfinite(v)]
    exact = np.array([v for v, r in pairs if r == "="])
    lower = [v for v, r in pairs if r == ">"]
    upper = [v for v, r in pairs if r == "<"]
    if len(exact):
        value = float(np.exp(np.log(exact).mean())) if mean == "geometric" else float(exact.mean())
        conflict = bool(lower and exact.min() <= max(lower)) or bool(
            upper and exact.max() >= min(upper)
        )
        return value, "=", conflict
    if lower and not upper:
        return max(lower), ">", False
    if upper and not lower:
        return min(upper), "<", False
    if lower and upper:
        return math.nan, None, max(lower) >= min(upper)
    return math.nan, None, False


def _merge_values(
    rows: pd.DataFrame, endpoint: str, mean: Literal["geometric", "arithmetic"]
) -> pd.DataFrame:
    rows = _preferred(rows[rows["value"].notna()])
    out: dict[str, list[Any]] = {
        k: [] for k in ("inchikey", "value", "relation", "n", "conflict", "source")
    }
    for key, group in rows.groupby("inchikey", sort=True):
        value, relation, conflict = combine_values(group["value"], group["relation"], mean)
        out["inchikey"].append(key)
        out["value"].append(value)
        out["relation"].append(relation)
        out["n"].append(len(group))
        out["conflict"].append(conflict)
        out["source"].append(_sources(group["source"]))
    return _columns(endpoint, out, with_relation=True)


def _columns(endpoint: str, out: dict[str, list[Any]], with_relation: bool) -> pd.DataFrame:
    index = pd.Index(out["inchikey"], name="inchikey")
    columns: dict[str, Any] = {endpoint: pd.Series(out["value"], index=index, dtype=object)}
    if with_relation:
        columns[endpoint] = pd.Series(out["value"], index=index, dtype=float)
        columns[f"{endpoint}_relation"] = pd.Series(out["relation"], index=index, dtype=object)
    columns[f"{endpoint}_n"] = pd.Series(out["n"], index=index, dtype=int)
    columns[f"{endpoint}_conflict"] = pd.Series(out["conflict"], index=index, dtype=bool)
    columns[f"{endpoint}_source"] = pd.Series(out["source"], index=index, dtype=object)
    return pd.DataFrame(columns)


def _study_calls(rows: pd.DataFrame, call_endpoint: str) -> pd.DataFrame:
    """Per test record: its stated call (majority), else positive on an exact or '<' value,
    negative on '>' bounds only. Columns inchikey, source, record_id, call."""
    out = []
    for (key, source, record), group in rows.groupby(
        ["inchikey", "source", "record_id"], sort=True
    ):
        stated = group.loc[group["endpoint"] == call_endpoint, "call"]
        stated = stated[stated.isin([POSITIVE, NEGATIVE])]
        values = group[(group["endpoint"] != call_endpoint) & group["value"].notna()]
        if len(stated):
            call = _majority(int((stated == POSITIVE).sum()), int((stated == NEGATIVE).sum()))
        elif values["relation"].isin(["=", "<"]).any():
            call = POSITIVE
        elif (values["relation"] == ">").any():
            call = NEGATIVE
        else:
            call = None
        out.append((key, source, record, call))
    return pd.DataFrame(out, columns=["inchikey", "source", "record_id", "call"])


def _merge_llna(records: pd.DataFrame) -> pd.DataFrame:
    """Rule 4: one vote per LLNA test, majority, a tie is conflicting."""
    rows = _preferred(records[records["endpoint"].isin(LLNA_INPUTS)])
    studies = _study_calls(rows, "llna_call").assign(endpoint="llna_call")
    return _merge_calls(studies, "llna_call")


def _merge_mit(records: pd.DataFrame) -> pd.DataFrame:
    """Rule 6: per positive h-CLAT test, min(CD86 EC150, CD54 EC200); tests combined as
    concentrations."""
    rows = _preferred(records[records["endpoint"].isin(MIT_INPUTS)])
    calls = _study_calls(rows, "hclat_call")
    positive = calls[calls["call"] == POSITIVE].set_index(["inchikey", "source", "record_id"])
    candidates = rows[
        rows["endpoint"].isin(MIT_INPUTS[1:])
        & rows["value"].notna()
        & rows["relation"].isin(["=", "<"])
    ]
    study = pd.MultiIndex.from_frame(candidates[["inchikey", "source", "record_id"]])
    candidates = candidates[study.isin(positive.index)]
    mits = []
    for (key, source, record), group in candidates.groupby(
        ["inchikey", "source", "record_id"], sort=True
    ):
        relation = "<" if (group["relation"] == "<").any() else "="
        mits.append((key, source, record, float(group["value"].min()), relation))
    per_test = pd.DataFrame(mits, columns=["inchikey", "source", "record_id", "value", "relation"])
    return _merge_values(per_test, "hclat_mit", "geometric")


def ghs_from_llna(call: str | None, ec3: float, relation: str | None) -> str | None:
    """Rule 5: GHS/CLP category from an LLNA call and EC3 (%): NC, 1A, 1B, or 1 (no EC3)."""
    if call == NEGATIVE:
        return "NC"
    if call != POSITIVE:
        return None
    if relation == "=" and math.isfinite(ec3):
        return "1A" if ec3 <= GHS_1A_MAX_EC3 else "1B"
    if relation == ">" and ec3 >= GHS_1A_MAX_EC3:
        return "1B"
    if relation == "<" and ec3 <= GHS_1A_MAX_EC3:
        return "1A"
    return "1"


def _empty_endpoint_columns(endpoint: SensitisationEndpoint) -> dict[str, pd.Series]:
    columns: dict[str, pd.Series] = {
        endpoint.id: pd.Series(dtype=float if endpoint.kind == "value" else object)
    }
    if endpoint.kind == "value":
        columns[f"{endpoint.id}_relation"] = pd.Series(dtype=object)
    columns[f"{endpoint.id}_n"] = pd.Series(dtype=int)
    if endpoint.kind == "call":
        columns[f"{endpoint.id}_n_positive"] = pd.Series(dtype=int)
    columns[f"{endpoint.id}_conflict"] = pd.Series(dtype=bool)
    columns[f"{endpoint.id}_source"] = pd.Series(dtype=object)
    return columns


def merged_columns() -> list[str]:
    """The column names of the merged table, in order."""
    names = list(IDENTITY_COLUMNS)
    for endpoint in _ENDPOINT_LIST:
        names.extend(_empty_endpoint_columns(endpoint))
    return names


def merge_sensitisation(records: pd.DataFrame) -> pd.DataFrame:
    """One row per InChIKey, one column per endpoint, after the conflict rules of this module.

    For every endpoint ``E``: ``E`` (call, value or category), ``E_relation`` (values),
    ``E_n`` (records, or tests for the derived LLNA call and MIT), ``E_n_positive`` (calls),
    ``E_conflict`` and ``E_source`` (the sources whose records were used).
    """
    missing = [c for c in RECORD_COLUMNS if c not in records.columns]
    if missing:
        raise InvalidInputError(
            f"Sensitisation records lack column(s) {', '.join(missing)}; expected "
            f"{', '.join(RECORD_COLUMNS)} (from read_sensitisation_records)."
        )
    keys = sorted(set(records["inchikey"]))
    merged = pd.DataFrame(index=pd.Index(keys, name="inchikey"))
    order = records["source"].map(IDENTITY_ORDER).fillna(len(IDENTITY_ORDER))
    ordered = records.assign(order=order).sort_values(["order", "record_id"], kind="stable")
    identity = ordered.groupby("inchikey", sort=True)
    merged["smiles"] = identity["smiles"].first()
    merged["name"] = identity["name"].agg(_first_text)
    merged["cas"] = identity["cas"].agg(_first_text)
    merged["sources"] = identity["source"].agg(_sources)
    merged["n_records"] = identity.size()

    by_endpoint = {e: g for e, g in records.groupby("endpoint", sort=False)}
    empty = records.iloc[0:0]
    parts: list[pd.DataFrame] = []
    for endpoint in _ENDPOINT_LIST:
        rows = by_endpoint.get(endpoint.id, empty)
        if endpoint.merge == "llna":
            part = _merge_llna(records)
        elif endpoint.merge == "mit":
            part = _merge_mit(records)
        elif endpoint.merge == "ghs_from_llna":
            continue  # after the LLNA call and EC3 are known
        elif endpoint.kind == "call":
            part = _merge_calls(rows, endpoint.id)
        elif endpoint.kind == "category":
            part = _merge_categories(rows, endpoint.id)
        else:
            mean: Literal["geometric", "arithmetic"] = (
                "geometric" if endpoint.merge == "geometric" else "arithmetic"
            )
            part = _merge_values(rows, endpoint.id, mean)
        parts.append(part)
    merged = pd.concat([merged, *parts], axis=1)
    merged = _fill_absent(merged)
    merged["llna_ghs"] = pd.Series(
        [
            ghs_from_llna(c, e, r)
            for c, e, r in zip(
                merged["llna_call"], merged["llna_ec3"], merged["llna_ec3_relation"], strict=True
            )
        ],
        index=merged.index,
        dtype=object,
    )
    merged["llna_ghs_n"] = merged["llna_call_n"]
    merged["llna_ghs_conflict"] = merged["llna_call_conflict"]
    merged["llna_ghs_source"] = merged["llna_call_source"]
    return merged.reset_index()[merged_columns()]


def _fill_absent(merged: pd.DataFrame) -> pd.DataFrame:
    """Every endpoint column present; counts 0 and flags False where a chemical has no record."""
    columns: dict[str, pd.Series] = {}
    for endpoint in _ENDPOINT_LIST:
        for name, empty in _empty_endpoint_columns(endpoint).items():
            column = (
                merged[name]
                if name in merged.columns
                else pd.Series(index=merged.index, dtype=empty.dtype)
            )
            if name.endswith(("_n", "_n_positive")):
                column = column.fillna(0).astype(int)
            elif name.endswith("_conflict"):
                column = column.astype("boolean").fillna(False).astype(bool)
            elif empty.dtype == object:
                column = column.astype(object).where(column.notna(), None)
            columns[name] = column
    rest = merged[[c for c in merged.columns if c not in columns]]
    return pd.concat([rest, pd.DataFrame(columns, index=merged.index)], axis=1)


def _first_text(values: pd.Series) -> str:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return ""


# -- derived sets -------------------------------------------------------------------------------


def _value(merged: pd.DataFrame, column: str, exact: bool = True) -> pd.Series:
    """A numeric column (NaN where absent); with ``exact``, censored values are NaN too."""
    if column not in merged.columns:
        return pd.Series(np.nan, index=merged.index)
    values = pd.to_numeric(merged[column], errors="coerce")
    relation = f"{column}_relation"
    if exact and relation in merged.columns:
        values = values.where(merged[relation].fillna("=") == "=")
    return values


def _call_from(positive: pd.Series, negative: pd.Series) -> pd.Series:
    """POSITIVE / NEGATIVE where one condition holds (positive first), else NaN."""
    is_positive = positive.fillna(False).astype(bool).to_numpy()
    is_negative = negative.fillna(False).astype(bool).to_numpy()
    values = [POSITIVE if p else NEGATIVE if n else None
              for p, n in zip(is_positive, is_negative, strict=True)]  # fmt: skip
    return pd.Series(values, index=positive.index, dtype=object)


def _dpra_call_from_values(merged: pd.DataFrame) -> pd.Series:
    """OECD TG 442C prediction model on the depletion: mean Cys/Lys > 6.38 % positive, else
    negative (Cys-only > 13.89 % when there is no Lys value); borderline results (mean in
    [4.95, 8.32] %, Cys-only in [10.56, 18.47] %, OECD GL497) are left without a call."""
    mean = _value(merged, "dpra_mean_depletion")
    cys, lys = _value(merged, "dpra_cys_depletion"), _value(merged, "dpra_lys_depletion")
    mean = mean.fillna((cys + lys) / 2)
    cys_only = mean.isna() & cys.notna()
    by_mean = _call_from((mean > 8.32), (mean < 4.95))
    by_cys = _call_from((cys > 18.47), (cys < 10.56)).where(cys_only)
    return by_mean.fillna(by_cys)


def _keratinosens_call_from_values(merged: pd.DataFrame) -> pd.Series:
    """OECD TG 442D: positive when Imax >= 1.5 (an EC1.5 was reached), negative when Imax is
    below; Imax in the borderline range (1.35, 1.67) of GL497 gives no call. Without an Imax,
    an exact EC1.5 counts as positive and a censored one ('>' the highest concentration) as
    negative."""
    imax = _value(merged, "keratinosens_imax")
    ec15 = _value(merged, "keratinosens_ec15")
    censored = _value(merged, "keratinosens_ec15", exact=False).notna() & ec15.isna()
    by_imax = _call_from(imax >= 1.67, imax <= 1.35)
    return by_imax.fillna(_call_from(ec15.notna(), censored))


def _hclat_call_from_values(merged: pd.DataFrame) -> pd.Series:
    """OECD TG 442E: an exact MIT (EC150 of CD86 or EC200 of CD54 reached) is a positive call;
    a censored MIT ('>' the highest concentration tested) a negative one."""
    exact = _value(merged, "hclat_mit")
    any_value = _value(merged, "hclat_mit", exact=False)
    return _call_from(exact.notna(), any_value.notna() & exact.isna())


# Key-event training sets: the reported call first, else the call the test guideline's
# prediction model gives from the reported values (SkinSensDB gives values, no calls).
DERIVED_CALLS = {
    "dpra": _dpra_call_from_values,
    "keratinosens": _keratinosens_call_from_values,
    "hclat": _hclat_call_from_values,
}


def hazard_training_set(merged: pd.DataFrame, target: str) -> pd.DataFrame:
    """Labelled chemicals for a model: columns smiles, inchikey, label.

    Targets: ``llna`` (LLNA hazard, 1/0), ``human`` (HMT/HRIPT, 1/0), ``potency`` (GHS class
    "NC", "1B", "1A" from the LLNA; positives without an EC3 left out), ``dpra``,
    ``keratinosens``, ``hclat`` (assay calls, 1/0: the reported call, else the call of the test
    guideline's prediction model applied to the reported values, borderline values left out).
    Conflicting chemicals (ties) have no label and are left out.
    """
    column = TARGETS.get(target)
    if column is None:
        raise InvalidInputError(
            f"Unknown sensitisation target {target!r}; expected one of {', '.join(TARGETS)}."
        )
    if column not in merged.columns:
        raise InvalidInputError(
            f"The merged table has no column {column!r}; expected the output of "
            "merge_sensitisation."
        )
    if target == "potency":
        rows = merged[merged[column].isin(GHS_CLASSES)]
        labels: pd.Series = rows[column].astype(str)
    elif target in DERIVED_CALLS:
        calls = merged[column].where(merged[column].isin([POSITIVE, NEGATIVE]))
        calls = calls.fillna(DERIVED_CALLS[target](merged))
        rows = merged[calls.isin([POSITIVE, NEGATIVE])]
        labels = (calls[rows.index] == POSITIVE).astype(int)
    else:
        rows = merged[merged[column].isin([POSITIVE, NEGATIVE])]
        labels = (rows[column] == POSITIVE).astype(int)
    return pd.DataFrame(
        {"smiles": rows["smiles"], "inchikey": rows["inchikey"], "label": labels}
    ).reset_index(drop=True)


def da_reference_set(merged: pd.DataFrame) -> pd.DataFrame:
    """Chemicals with DPRA, KeratinoSens and h-CLAT inputs, and their LLNA and human outcomes.

    A chemical is in the set when it has at least one input of each assay (a call, or DPRA
    depletion, KeratinoSens EC1.5/Imax, h-CLAT MIT); ``has_all_calls`` marks the ones with the
    three calls (what the OECD 497 2-out-of-3 approach reads).
    """
    missing = [c for c in DA_COLUMNS if c not in merged.columns]
    if missing:
        raise InvalidInputError(
            f"The merged table lacks column(s) {', '.join(missing)}; expected the output of "
            "merge_sensitisation."
        )
    dpra = merged[["dpra_call", "dpra_cys_depletion", "dpra_lys_depletion",
                   "dpra_mean_depletion"]].notna().any(axis=1)  # fmt: skip
    ks = merged[["keratinosens_call", "keratinosens_imax", "keratinosens_ec15"]].notna().any(axis=1)
    hclat = merged[["hclat_call", "hclat_mit"]].notna().any(axis=1)
    rows = merged.loc[dpra & ks & hclat, DA_COLUMNS].reset_index(drop=True)
    rows["has_all_calls"] = (
        rows[["dpra_call", "keratinosens_call", "hclat_call"]].notna().all(axis=1)
    )
    return rows


def training_set_summary(merged: pd.DataFrame) -> dict[str, dict[str, int]]:
    """n and class counts of every :func:`hazard_training_set` target (for docs and reports)."""
    summary: dict[str, dict[str, int]] = {}
    for target in TARGETS:
        labels = hazard_training_set(merged, target)["label"]
        counts = {str(k): int(v) for k, v in labels.value_counts().sort_index().items()}
        summary[target] = {"n": len(labels), **counts}
    return summary


# -- data pack ----------------------------------------------------------------------------------


def build_sensitisation_tables(
    frames: Mapping[str, pd.DataFrame], progress: Progress = silent_progress
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The pack's ``sensitisation`` (merged) and ``sensitisation_records`` tables and a report
    for the manifest (curation steps, counts, conflicts)."""
    records, steps = sensitisation_records(frames, progress)
    merged = merge_sensitisation(records)
    report: dict[str, Any] = {
        "sources": sorted(frames),
        "records": len(records),
        "chemicals": len(merged),
        "curation": [s.__dict__ for s in steps],
        "conflicts": {
            e.id: int(merged[f"{e.id}_conflict"].sum())
            for e in _ENDPOINT_LIST
            if int(merged[f"{e.id}_conflict"].sum())
        },
        "training_sets": training_set_summary(merged),
        "rules": "actives.safety.data (module docstring); docs/guide/en/safety.md",
    }
    return merged, records, report
