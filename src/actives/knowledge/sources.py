"""The registry of raw sources a data pack is built from: where each lives, its licence, caveats.

Paths are relative to ACTIVES_RAW_DATA and may contain glob patterns. A source whose files are
absent is recorded as missing in the manifest; the build goes on without it. Sources of kind
``sensitisation`` feed the pack's sensitisation tables (:mod:`actives.safety.data`), sources of
kind ``regulation`` its rule tables (:mod:`actives.regulation.rulepack`); neither feeds the
compound catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from actives.knowledge.loaders import names, occurrences, skinsens, structures

SourceKind = Literal["occurrences", "structures", "names", "sensitisation", "regulation"]

MISSING_WIKIDATA_FAMILIES = (
    "Apiaceae",
    "Apocynaceae",
    "Asteraceae",
    "Fabaceae",
    "Lamiaceae",
    "Rutaceae",
    "Solanaceae",
)


@dataclass(frozen=True)
class Source:
    """One raw source: id, what it holds, the files to read and how, its licence and caveats."""

    id: str
    title: str
    kind: SourceKind
    pattern: str
    loader: Callable[[Path], pd.DataFrame]
    licence: str
    caveats: tuple[str, ...] = field(default_factory=tuple)
    official_format: bool = False

    def files(self, raw_root: Path) -> list[Path]:
        """The files of this source present under ``raw_root`` (sorted)."""
        return sorted(p for p in raw_root.glob(self.pattern) if p.is_file())


def _annex(annex: str) -> Callable[[Path], pd.DataFrame]:
    return lambda path: names.load_cosing_annex(path, annex)


COSING_LICENCE = (
    "European Commission CosIng export; reuse allowed with attribution under Commission Decision "
    "2011/833/EU."
)
MFDS_LICENCE = (
    "Korean MFDS notice / KCIA dictionary (public work, Korean Copyright Act art. 7); the staging "
    "repository has no licence: cite the primary source."
)

ICE_LICENCE = (
    "NIEHS Integrated Chemical Environment (ICE v4.2, NICEATM): US federal government work, "
    "public domain; cite ICE. Staged as CSV conversions of the workbook in linhanphan/skin-dataset "
    "(the repository has no licence)."
)
HELD_OUT = (
    "Every record of about 180 chemicals was removed from the staged skin-sensitisation files "
    "for independent evaluation: those chemicals are absent on purpose."
)

SENSITISATION_SOURCES: tuple[Source, ...] = (
    Source(
        "ice_invitro",
        "NIEHS ICE skin sensitisation, in vitro (DPRA, KeratinoSens, LuSens, h-CLAT, U-SENS, "
        "SENS-IS)",
        "sensitisation",
        "ice-skinsens/RAW_ICE_skin_sensitization__Data_invitro.csv",
        skinsens.load_ice_invitro,
        ICE_LICENCE,
        (
            HELD_OUT,
            "Harmonised Response and Response_Unit are read; ranges (LuSens, mMUSST) are not "
            "values and are counted, not used.",
        ),
    ),
    Source(
        "ice_invivo",
        "NIEHS ICE skin sensitisation, in vivo (LLNA, guinea pig, human HMT and HRIPT)",
        "sensitisation",
        "ice-skinsens/RAW_ICE_skin_sensitization__Data_invivo.csv",
        skinsens.load_ice_invivo,
        ICE_LICENCE,
        (
            HELD_OUT,
            "LLNA EC3 exists only for positives; negatives are Call rows or '>' EC3 bounds.",
            "GHS/EPA-classified rows are almost all mixtures (formulations) and are dropped.",
            "Human HMT/HRIPT calls conflict between records for about 100 chemicals: the "
            "majority is kept, a tie is conflicting.",
        ),
    ),
    Source(
        "skinsensdb",
        "SkinSensDB (Wang et al., J Cheminform 2017): in chemico, in vitro, LLNA and human data",
        "sensitisation",
        "skinsensdb/RAW_SKINSENS_DB_complete__Sheet2.csv",
        skinsens.load_skinsensdb,
        "SkinSensDB article CC BY 4.0 (J Cheminform 2017, 9:5); the staging repository "
        "(linhanphan/skin-dataset) has no licence: cite the primary source.",
        (
            HELD_OUT,
            "LLNA_EC3 '0' stands for non-sensitisers and for strong sensitisers: read as unknown, "
            "never as a number; 'IDR' and other words are not values; 'NC' is read as "
            "LLNA-negative.",
            "Numeric EC3 values appear where ICE says LLNA-negative: ICE is preferred where both "
            "have data.",
            "KeratinoSens_LuSens_EC15 mixes both assays (read as KeratinoSens EC1.5); "
            "h-CLAT_U-SENS_EC150 is attributed to an assay only when the row's other readouts "
            "say which.",
            "Malformed CAS numbers (some stored as dates) are dropped; about a quarter of the "
            "rows have no SMILES.",
        ),
    ),
    Source(
        "echa_caat",
        "ECHA REACH dossiers via CAAT/JHU (Ukaegbu et al.): binary skin sensitisation label",
        "sensitisation",
        "echa-skinsens-caat/Total Data.csv",
        skinsens.load_echa_caat,
        "No licence in the staging repository (DaniChinwendu/skin-sensitization-prediction); "
        "the labels come from ECHA dossiers, whose legal notice applies: a person must decide "
        "before redistributing.",
        (
            HELD_OUT,
            "Labels come mostly from in vivo LLNA/GPMT data; kept as their own endpoints "
            "(echa_call, echa_h317), never merged into LLNA.",
            "InChIKeys are padded and SMILES carry mojibake: SMILES are cleaned and re-keyed.",
            "Base rates differ by source (human ~12 % positive, LLNA ~77 %, ECHA ~72 %): a model "
            "on pooled labels can learn the source; report metrics per label origin.",
        ),
    ),
)


def _rules(source_id: str) -> Callable[[Path], pd.DataFrame]:
    """The rule-list loader of a regulation source, imported when called (no import cycle)."""

    def load(path: Path) -> pd.DataFrame:
        from actives.regulation.rulepack import load_rule_source

        return load_rule_source(source_id, path)

    return load


CN_LICENCE = (
    "China NMPA official list (not protected, PRC Copyright Law art. 5); staging repository has "
    "no licence."
)
UNLICENSED_STAGING = "the staging repository (willisXu/AILAWFORBEAUTY) has no licence"

REGULATION_SOURCES: tuple[Source, ...] = (
    *(
        Source(
            f"rules-eu-annex-{annex.lower()}",
            f"EU Regulation 1223/2009 Annex {annex} rules (CosIng export)",
            "regulation",
            f"cosing-eu/COSING_Annex_{annex}_v2.txt",
            _rules(f"rules-eu-annex-{annex.lower()}"),
            COSING_LICENCE,
            (
                "Limits parsed from the export's free text; unparsed entries are counted in "
                "the manifest (regulation) and kept with their original text.",
            ),
        )
        for annex in ("II", "III", "IV", "V", "VI")
    ),
    Source(
        "rules-kr-prohibited",
        "MFDS 화장품 안전기준 별표 1 (prohibited) rules",
        "regulation",
        "mfds-kr/mfds_prohibited_ingredients.jsonl",
        _rules("rules-kr-prohibited"),
        MFDS_LICENCE,
        ("Korean names and CAS only; no English/INCI names.",),
    ),
    Source(
        "rules-kr-restricted",
        "MFDS 화장품 안전기준 별표 2 (restricted) rules",
        "regulation",
        "mfds-kr/mfds_restricted_ingredients.jsonl",
        _rules("rules-kr-restricted"),
        MFDS_LICENCE,
        ("Limits parsed from the free-text Korean max_concentration and use_conditions.",),
    ),
    Source(
        "rules-kr-allergens",
        "MFDS fragrance allergens to be labelled (25)",
        "regulation",
        "mfds-kr/mfds_fragrance_allergens.jsonl",
        _rules("rules-kr-allergens"),
        MFDS_LICENCE,
    ),
    Source(
        "rules-cn-iecic",
        "China IECIC 2021 inventory rules",
        "regulation",
        "nmpa-cn/IECIC_2021__Sheet1.csv",
        _rules("rules-cn-iecic"),
        CN_LICENCE,
        (
            "No CAS numbers: entries match by Chinese or INCI name only.",
            "Maximum historical use levels are informative, not limits.",
        ),
    ),
    Source(
        "rules-asean-annex-ii",
        "ASEAN Cosmetic Directive Annex II (prohibited) rules",
        "regulation",
        "asean/2024-2.json",
        _rules("rules-asean-annex-ii"),
        f"ASEAN Cosmetic Directive text; {UNLICENSED_STAGING}.",
        ("Annex II only, machine-parsed from the PDF; Annexes III-VI are not parsed.",),
    ),
    Source(
        "rules-jp-quasi-drug",
        "Japan MHLW quasi-drug active ingredients with concentration ranges",
        "regulation",
        "mhlw-jp/*.xlsx",
        _rules("rules-jp-quasi-drug"),
        f"MHLW notice with a Chinese translation; {UNLICENSED_STAGING}.",
        ("Japan's 化粧品基準 negative/positive lists are PDF only and not included.",),
    ),
    Source(
        "rules-ca-hotlist",
        "Health Canada Cosmetic Ingredient Hotlist (prohibited and restricted)",
        "regulation",
        "hc-canada/*.xlsx",
        _rules("rules-ca-hotlist"),
        f"Health Canada Hotlist; {UNLICENSED_STAGING}.",
        ("No publication date in the staged workbook.",),
    ),
)

SOURCES: tuple[Source, ...] = (
    Source(
        "wikidata-occurrences",
        "Wikidata plant -> compound occurrences (per-family export)",
        "occurrences",
        "wikidata-plant-occurrences/wikidata_plant_family_occurrences.csv*",
        occurrences.load_wikidata_occurrences,
        "Wikidata statements are CC0; the repository that exported them is labelled CC BY-NC-SA "
        "4.0. A person must decide whether to treat the table as CC0 Wikidata facts or to "
        "regenerate it from Wikidata.",
        (
            "Families missing from this export (files too large for the snapshot): "
            + ", ".join(MISSING_WIKIDATA_FAMILIES)
            + ". Plants of these families show no constituents from this source.",
            "Wikidata SMILES carry no stereochemistry; the compound identity keeps Wikidata's "
            "InChIKey (with stereo) when its skeleton matches the standardised structure.",
        ),
    ),
    Source(
        "lotus-dump",
        "LOTUS frozen metadata dump (official, Zenodo)",
        "occurrences",
        "lotus/*frozen_metadata.csv*",
        occurrences.load_lotus_metadata,
        "LOTUS data: CC0.",
        ("Green plants only (kingdom Archaeplastida).",),
        official_format=True,
    ),
    Source(
        "lotus-library",
        "LOTUS natural-product structure library (15,000)",
        "structures",
        "lotus-np-library/Lotus_predito_final.csv",
        structures.load_lotus_library,
        "LOTUS data: CC0 (staging repository has no licence).",
        ("No organism column; its pred_pIC50/IC50 columns are model predictions and not read.",),
    ),
    Source(
        "zinc-natural-products",
        "ZINC natural-products subset",
        "structures",
        "zinc-natural-products/*.smi",
        structures.load_smiles_file,
        "ZINC terms of use apply (staging repository: MIT).",
        ("Explicit-hydrogen, protonated SMILES; standardisation neutralises them.",),
    ),
    *(
        Source(
            f"cosing-annex-{annex.lower()}",
            f"EU Regulation 1223/2009 Annex {annex} (CosIng export)",
            "names",
            f"cosing-eu/COSING_Annex_{annex}_v2.txt",
            _annex(annex),
            COSING_LICENCE,
        )
        for annex in ("II", "III", "IV", "V", "VI")
    ),
    Source(
        "cosing-inventory",
        "EU CosIng ingredient inventory (official full export)",
        "names",
        "cosing-eu/COSING_Ingredients-Fragrance*Inventory*.csv",
        names.load_cosing_inventory,
        COSING_LICENCE,
        ("The full inventory (over 4 MiB) was not in the staged snapshot.",),
        official_format=True,
    ),
    Source(
        "mfds-dictionary",
        "MFDS/KCIA cosmetic ingredient dictionary (Korean <-> INCI)",
        "names",
        "mfds-kr/mfds_ingredients_raw.jsonl",
        names.load_mfds_dictionary,
        MFDS_LICENCE,
        ("Only the first 5,000 entries (Korean alphabetical order) are staged: incomplete.",),
    ),
    Source(
        "mfds-dictionary-official",
        "MFDS cosmetic ingredient dictionary (official export, CSV/XLSX)",
        "names",
        "mfds-kr/*ingredient_dictionary*.*",
        names.load_mfds_dictionary,
        MFDS_LICENCE,
        official_format=True,
    ),
    Source(
        "mfds-prohibited",
        "MFDS prohibited ingredients (Annex 1), names",
        "names",
        "mfds-kr/mfds_prohibited_ingredients.jsonl",
        names.load_mfds_regulated,
        MFDS_LICENCE,
        ("Korean names and CAS only; no English/INCI names.",),
    ),
    Source(
        "mfds-restricted",
        "MFDS restricted ingredients (Annex 2), names",
        "names",
        "mfds-kr/mfds_restricted_ingredients.jsonl",
        names.load_mfds_regulated,
        MFDS_LICENCE,
    ),
    Source(
        "iecic",
        "China IECIC 2021 inventory (Chinese <-> INCI)",
        "names",
        "nmpa-cn/IECIC_2021__Sheet1.csv",
        names.load_iecic,
        "China NMPA official list (not protected, PRC Copyright Law art. 5); staging repository "
        "has no licence.",
        ("No CAS numbers; names map to compounds through INCI names only.",),
    ),
    Source(
        "mhlw-quasi-drug",
        "Japan MHLW quasi-drug active ingredients (Japanese, Chinese, INCI)",
        "names",
        "mhlw-jp/*.xlsx",
        names.load_mhlw_quasi_drug,
        "MHLW notice with a Chinese translation; staging repository has no licence.",
        ("Japan's negative/positive lists are PDF only and not included.",),
    ),
    *SENSITISATION_SOURCES,
    *REGULATION_SOURCES,
)


def sensitisation_sources() -> tuple[Source, ...]:
    """The registered sources of skin-sensitisation data."""
    return tuple(s for s in SOURCES if s.kind == "sensitisation")


def regulation_sources() -> tuple[Source, ...]:
    """The registered sources of the regulation rule packs."""
    return tuple(s for s in SOURCES if s.kind == "regulation")


def get_source(source_id: str) -> Source:
    """The registered source with this id."""
    for source in SOURCES:
        if source.id == source_id:
            return source
    raise KeyError(source_id)
