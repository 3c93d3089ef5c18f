"""Extract to actives: each constituent's predicted share of an extract's activity.

A composition is a table of constituents, each a name (looked up in the data pack: INCI,
Korean, CAS, synonyms) or a structure (SMILES, InChI), with an optional relative abundance
(from LC-MS or HPLC). Names that cannot be resolved stay in the table with their reason and are
listed in ``unresolved``; nothing is dropped silently.

Contributions follow concentration addition: constituent i at molar amount n_i = w_i / MW_i
(w_i its abundance) contributes n_i / IC50_i "activity units", so its share of the extract's
activity is that over the sum. Where the abundances are mass percentages of the whole extract
(``basis="mass_percent"``), the same sum predicts the extract's IC50:
1 / IC50_extract = sum_i (w_i / MW_i) / IC50_i, reported in µg/mL with the range from the
constituents' interval bounds. Without abundances every resolved constituent is given the same
abundance, and the output says so. For a function scored by similarity (no model), the share is
abundance x similarity to a reference active, labelled as a similarity signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from actives.chem.parse import to_mol
from actives.discovery.functions import FunctionSignal
from actives.discovery.ranking import rank
from actives.discovery.scoring import score_compounds
from actives.errors import ActivesError, InvalidFileError, InvalidInputError
from actives.knowledge import DataPack
from actives.predict.predictor import Predictor

Basis = Literal["relative", "mass_percent"]
NAME_HEADERS = ("name", "compound", "constituent", "component", "ingredient", "성분", "성분명")
STRUCTURE_HEADERS = ("smiles", "structure", "inchi", "구조")
ABUNDANCE_HEADERS = ("abundance", "relative_abundance", "area", "area_percent", "percent",
                     "content", "amount", "mass_percent", "함량", "면적")  # fmt: skip
MAX_CONSTITUENTS = 5000


@dataclass(frozen=True)
class ExtractActives:
    """An extract's constituents with their shares of its activity for one function."""

    function: str
    signal: FunctionSignal
    basis: Basis
    equal_abundance: bool
    table: pd.DataFrame
    unresolved: list[str]
    extract_ic50_ug_ml: float | None
    extract_ic50_range_ug_ml: tuple[float, float] | None
    pack_version: str | None


def _column(frame: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    normalised = {str(c).strip().lower().replace(" ", "_").replace("%", "percent"): c
                  for c in frame.columns}  # fmt: skip
    for candidate in candidates:
        if candidate in normalised:
            return str(normalised[candidate])
    return None


def read_composition(path: Path) -> pd.DataFrame:
    """A composition file (CSV, TSV or XLSX) as a table with ``given`` and ``abundance``.

    Columns are found by header: a name column (name, compound, constituent, 성분...) and/or a
    structure column (smiles, structure, inchi), and optionally an abundance column (abundance,
    area, percent, content, 함량...). Raises InvalidFileError saying what is missing.
    """
    if not path.exists():
        raise InvalidFileError(f"Composition file {path} does not exist.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str)
        elif suffix in (".csv", ".tsv", ".txt"):
            frame = pd.read_csv(
                path,
                sep={".csv": ",", ".tsv": "\t"}.get(suffix),
                engine="python",
                dtype=str,
                encoding="utf-8-sig",
            )
        else:
            raise InvalidFileError(
                f"Composition file {path.name} has suffix {suffix!r}; expected .csv, .tsv or .xlsx."
            )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        if isinstance(exc, ActivesError):
            raise
        raise InvalidFileError(
            f"Cannot read composition file {path.name}: {exc}. Expected a UTF-8 CSV or an XLSX "
            "with a header row."
        ) from exc
    return composition_table(frame, source=path.name)


def composition_table(frame: pd.DataFrame, source: str = "the table") -> pd.DataFrame:
    """Normalise a composition given as a table (see :func:`read_composition`)."""
    structure = _column(frame, STRUCTURE_HEADERS)
    name = _column(frame, NAME_HEADERS)
    if structure is None and name is None:
        raise InvalidFileError(
            f"{source} has columns {', '.join(map(str, frame.columns))}; expected a name column "
            f"({', '.join(NAME_HEADERS[:4])}) or a structure column (smiles, structure, inchi)."
        )
    if len(frame) > MAX_CONSTITUENTS:
        raise InvalidInputError(
            f"{source} has {len(frame):,} constituents; expected at most {MAX_CONSTITUENTS:,} "
            "(screen larger sets with `actives screen`)."
        )
    given = frame[structure] if structure is not None else frame[name]
    if structure is not None and name is not None:
        given = frame[structure].where(frame[structure].notna() & (frame[structure] != ""),
                                       frame[name])  # fmt: skip
    out = pd.DataFrame(
        {
            "row": np.arange(1, len(frame) + 1),
            "given": given.fillna("").astype(str).str.strip(),
            "label": (frame[name] if name is not None else given).fillna("").astype(str),
        }
    )
    abundance = _column(frame, ABUNDANCE_HEADERS)
    if abundance is None:
        out["abundance"] = np.nan
        return out
    text = frame[abundance].fillna("").astype(str).str.strip().str.rstrip("%").str.strip()
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = out["row"][(text != "") & (values.isna() | (values < 0))].tolist()
    if bad:
        raise InvalidFileError(
            f"{source}: abundance in rows {', '.join(map(str, bad[:10]))} is not a number >= 0 "
            f"(column {abundance!r}); expected a relative abundance such as 12.5 or 12.5%."
        )
    out["abundance"] = values.to_numpy(dtype=float)
    return out


def resolve_composition(composition: pd.DataFrame, pack: DataPack | None) -> pd.DataFrame:
    """Each constituent as a structure: given as one, or looked up by name in the data pack.

    Adds ``smiles``, ``resolved_by`` ("structure", "name" or "") and ``problem`` (why a row was
    not resolved: unknown name with suggestions, ambiguous name, empty).
    """
    from actives.predict.predictor import resolve_structure

    smiles, how, problems = [], [], []
    for text in composition["given"]:
        if not text:
            smiles.append("")
            how.append("")
            problems.append("empty row: no name or structure")
            continue
        try:
            to_mol(text)
            smiles.append(text)
            how.append("structure")
            problems.append("")
            continue
        except ActivesError:
            pass
        try:
            structure, _name = resolve_structure(text, pack)
            smiles.append(structure)
            how.append("name")
            problems.append("")
        except ActivesError as exc:
            smiles.append("")
            how.append("")
            # A name with spaces is no SMILES: the SMILES parser's complaint is noise there.
            message = exc.message.split(" As a structure:")[0] if " " in text else exc.message
            problems.append(message)
    resolved = composition.copy()
    resolved["smiles"] = smiles
    resolved["resolved_by"] = how
    resolved["problem"] = problems
    return resolved


def extract_actives(
    composition: pd.DataFrame,
    function: str,
    *,
    pack: DataPack | None = None,
    basis: Basis = "relative",
    predictor: Predictor | None = None,
    confidence: float = 0.9,
) -> ExtractActives:
    """Each constituent's predicted contribution to the extract's activity for a function."""
    if basis not in ("relative", "mass_percent"):
        raise InvalidInputError(f"Basis {basis!r}; expected 'relative' or 'mass_percent'.")
    resolved = resolve_composition(composition, pack)
    ok_rows = resolved["resolved_by"] != ""
    unresolved = [
        f"row {r}: {g or '(empty)'}: {p}"
        for r, g, p in zip(resolved["row"], resolved["given"], resolved["problem"], strict=True)
        if p
    ]
    if not ok_rows.any():
        raise InvalidInputError(
            "No constituent could be resolved to a structure: " + "; ".join(unresolved[:5])
        )
    scored, signals = score_compounds(
        resolved[ok_rows], [function], pack=pack, predictor=predictor, confidence=confidence
    )
    signal = signals[0]
    f = signal.function
    scored = rank(scored, f, "potency")
    failed = scored["status"] != "ok"
    scored.loc[failed, "problem"] = scored.loc[failed, "message"]
    unresolved += [
        f"row {r}: {g}: {m}"
        for r, g, m in zip(
            scored.loc[failed, "row"],
            scored.loc[failed, "given"],
            scored.loc[failed, "message"],
            strict=True,
        )
    ]
    good = ~failed
    equal = bool(scored.loc[good, "abundance"].isna().all())
    abundance = scored["abundance"].astype(float)
    if equal:
        abundance = pd.Series(np.where(good, 1.0, np.nan), index=scored.index)
    elif scored.loc[good, "abundance"].isna().any():
        missing = scored.loc[good & scored["abundance"].isna(), "row"].tolist()
        raise InvalidInputError(
            f"Abundance missing in rows {', '.join(map(str, missing[:10]))}; give every "
            "constituent an abundance, or none (then all count the same)."
        )
    weight = abundance / abundance[good].sum()
    scored["abundance_fraction"] = weight
    ic50: float | None = None
    ic50_range: tuple[float, float] | None = None
    if signal.kind == "model":
        mw = scored["parent_smiles"].map(_molecular_weight)
        moles = weight / mw
        units = moles * 10 ** scored[f"{f}_potency"].astype(float)
        scored[f"{f}_activity_share"] = units / units[good].sum()
        if basis == "mass_percent" and not equal:
            # w_i as g per g of extract, so sum(w_i / MW_i / IC50_i) is in L/g.
            grams = abundance / 100.0
            per_gram = (grams / mw * 10 ** scored[f"{f}_potency"].astype(float))[good].sum()
            low = (grams / mw * 10 ** scored[f"{f}_low"].astype(float))[good].sum()
            high = (grams / mw * 10 ** scored[f"{f}_high"].astype(float))[good].sum()
            if per_gram > 0:
                # 1 / (L/g) is g/L, and 1 g/L = 1,000 µg/mL; the stronger bound gives the lower.
                ic50 = float(1000.0 / per_gram)
                ic50_range = (float(1000.0 / high), float(1000.0 / low)) if low > 0 else None
    else:
        strength = weight * scored[f"{f}_similarity"].astype(float)
        scored[f"{f}_activity_share"] = strength / strength[good].sum()
    scored = scored.sort_values(
        f"{f}_activity_share", ascending=False, kind="stable", na_position="last"
    )
    unresolved_rows = resolved[~ok_rows]
    table = pd.concat([scored, unresolved_rows], ignore_index=True)
    return ExtractActives(
        function=f,
        signal=signal,
        basis=basis,
        equal_abundance=equal,
        table=table,
        unresolved=unresolved,
        extract_ic50_ug_ml=ic50,
        extract_ic50_range_ug_ml=ic50_range,
        pack_version=pack.version if pack is not None else None,
    )


def _molecular_weight(smiles: str) -> float:
    from rdkit.Chem.Descriptors import MolWt  # type: ignore[attr-defined]

    try:
        return float(MolWt(to_mol(smiles, "smiles")))
    except ActivesError:
        return float("nan")
