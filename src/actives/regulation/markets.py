"""The export markets and the ingredient lists (rule lists) each one applies.

Markets register themselves in :data:`MARKETS`; CLI choices, API enums and menus read it. Each
:class:`RuleList` names the regulation, the list (annex/table), the kind of its rules and the raw
source it is built from (:mod:`actives.knowledge.sources`, kind ``regulation``).
"""

from __future__ import annotations

from dataclasses import dataclass

from actives.errors import InvalidInputError
from actives.registry import Registry
from actives.regulation.rules import RuleKind

EU_REGULATION = "Regulation (EC) No 1223/2009"
KR_SAFETY_STANDARD = "화장품 안전기준 등에 관한 규정 (MFDS)"
KR_ALLERGEN_GUIDE = "화장품 향료 중 알레르기 유발물질 표시 지침 (MFDS)"
KR_FUNCTIONAL = "기능성화장품 심사에 관한 규정 / 기능성화장품 기준 및 시험방법 (MFDS)"
CN_IECIC = "已使用化妆品原料目录（2021年版） (NMPA, IECIC 2021)"
ASEAN_DIRECTIVE = "ASEAN Cosmetic Directive"
JP_QUASI_DRUG = "いわゆる薬用化粧品中の有効成分リスト (MHLW)"
CA_HOTLIST = "Cosmetic Ingredient Hotlist (Health Canada)"


@dataclass(frozen=True)
class RuleList:
    """One list of one market: its id, kind of rules, regulation, annex/table and source."""

    id: str
    market: str
    kind: RuleKind
    title: str
    regulation: str
    list_name: str
    source_id: str  # a source of kind "regulation" in actives.knowledge.sources, or "resource"


@dataclass(frozen=True)
class Market:
    """An export market: names in English and Korean, its regulation and rule lists."""

    id: str
    name_en: str
    name_ko: str
    regulation: str
    lists: tuple[RuleList, ...]
    inventory: bool = False  # an ingredient must be listed (China's IECIC)
    notes: tuple[str, ...] = ()
    notes_ko: tuple[str, ...] = ()  # the same notes in Korean, in the same order

    def __post_init__(self) -> None:
        if self.notes_ko and len(self.notes_ko) != len(self.notes):
            raise ValueError(f"Market {self.id}: {len(self.notes_ko)} Korean notes for "
                             f"{len(self.notes)} notes; expected one for each.")  # fmt: skip

    def list(self, list_id: str) -> RuleList:
        """The rule list with this id."""
        for rule_list in self.lists:
            if rule_list.id == list_id:
                return rule_list
        raise InvalidInputError(
            f"Market {self.id} has no rule list {list_id!r}; it has "
            f"{', '.join(r.id for r in self.lists)}."
        )


MARKETS: Registry[Market] = Registry("market", "unknown_market", InvalidInputError)


def _eu(annex: str, kind: RuleKind, title: str) -> RuleList:
    return RuleList(
        f"EU-{annex}",
        "EU",
        kind,
        title,
        EU_REGULATION,
        f"Annex {annex}",
        f"rules-eu-annex-{annex.lower()}",
    )


MARKETS.add(
    "EU",
    Market(
        "EU",
        "European Union",
        "유럽연합",
        EU_REGULATION,
        (
            _eu("II", "prohibited", "Annex II: substances prohibited in cosmetic products"),
            _eu("III", "restricted", "Annex III: substances subject to restrictions"),
            _eu("IV", "colorant", "Annex IV: colorants allowed"),
            _eu("V", "preservative", "Annex V: preservatives allowed"),
            _eu("VI", "uv_filter", "Annex VI: UV filters allowed"),
        ),
        notes=(
            "CosIng export of 11/11/2025 (last update 31/10/2025).",
            "Fragrance allergens to be labelled are Annex III entries; entries whose only "
            "condition is the labelling threshold are rules of kind 'allergen'.",
        ),
        notes_ko=(
            "CosIng 내보내기 2025-11-11 (최종 갱신 2025-10-31).",
            "표시해야 할 향료 알레르기 유발 성분은 Annex III 항목이며, 조건이 표시 기준 농도뿐인 "
            "항목은 'allergen' 종류의 규칙입니다.",
        ),
    ),
)
MARKETS.add(
    "KR",
    Market(
        "KR",
        "Republic of Korea",
        "대한민국",
        KR_SAFETY_STANDARD,
        (
            RuleList(
                "KR-1",
                "KR",
                "prohibited",
                "별표 1: 사용할 수 없는 원료",
                KR_SAFETY_STANDARD,
                "별표 1",
                "rules-kr-prohibited",
            ),
            RuleList(
                "KR-2",
                "KR",
                "restricted",
                "별표 2: 사용상의 제한이 필요한 원료 (보존제, 자외선 차단성분, 염모제 성분, 기타)",
                KR_SAFETY_STANDARD,
                "별표 2",
                "rules-kr-restricted",
            ),
            RuleList(
                "KR-allergens",
                "KR",
                "allergen",
                "착향제 중 알레르기 유발 성분 25종 (표시 대상)",
                KR_ALLERGEN_GUIDE,
                "별표 2",
                "rules-kr-allergens",
            ),
            RuleList(
                "KR-functional",
                "KR",
                "functional_active",
                "기능성화장품 고시 성분 (미백, 주름개선, 자외선 차단)",
                KR_FUNCTIONAL,
                "고시 성분 및 함량",
                "resource",
            ),
        ),
        notes=(
            "Annex 2 rows are split by table: preservatives (kind preservative), UV filters "
            "(uv_filter), hair-dye ingredients and others (restricted).",
            "Functional-cosmetic ingredients come from a curated table "
            "(resources/regulation/kr_functional_ingredients.csv); the UV filters among them "
            "are the Annex 2 UV-filter rows with their maxima.",
        ),
        notes_ko=(
            "별표 2의 행은 표별로 나뉩니다: 보존제(preservative), 자외선 차단성분(uv_filter), "
            "염모제 성분과 기타(restricted).",
            "기능성화장품 고시 성분은 작성한 표(resources/regulation/"
            "kr_functional_ingredients.csv)에서 오며, 그중 자외선 차단성분은 별표 2의 자외선 "
            "차단성분 행과 그 최대 농도입니다.",
        ),
    ),
)
MARKETS.add(
    "CN",
    Market(
        "CN",
        "China",
        "중국",
        CN_IECIC,
        (
            RuleList(
                "CN-IECIC",
                "CN",
                "inventory",
                "IECIC 2021: inventory of existing cosmetic ingredients",
                CN_IECIC,
                "IECIC 2021",
                "rules-cn-iecic",
            ),
            RuleList(
                "CN-IECIC-prohibited",
                "CN",
                "prohibited",
                "IECIC 2021 entries remarked as prohibited by the STSC (化妆品安全技术规范)",
                CN_IECIC,
                "IECIC 2021 remarks",
                "rules-cn-iecic",
            ),
        ),
        inventory=True,
        notes=(
            "An ingredient not in the IECIC needs new-ingredient registration or filing.",
            "The maximum historical use levels of the IECIC are informative, not limits.",
            "China's STSC (化妆品安全技术规范) prohibited and restricted tables are not in the "
            "raw data: only the IECIC remarks that point to them are used.",
        ),
        notes_ko=(
            "IECIC에 없는 원료는 신규 원료 등록 또는 신고가 필요합니다.",
            "IECIC의 최고 역사 사용량은 참고 정보이며 한도가 아닙니다.",
            "중국 STSC(化妆品安全技术规范)의 금지·제한 표는 원자료에 없습니다: 그것을 가리키는 "
            "IECIC 비고만 사용합니다.",
        ),
    ),
)
MARKETS.add(
    "ASEAN",
    Market(
        "ASEAN",
        "ASEAN",
        "아세안",
        ASEAN_DIRECTIVE,
        (
            RuleList(
                "ASEAN-II",
                "ASEAN",
                "prohibited",
                "Annex II: substances which must not form part of cosmetic products",
                ASEAN_DIRECTIVE,
                "Annex II",
                "rules-asean-annex-ii",
            ),
        ),
        notes=(
            "Only Annex II (prohibited) is available, machine-parsed from the PDF (release "
            "2024-2 of 6 Dec 2024); Annexes III-VI (restricted, colorants, preservatives, UV "
            "filters) are not parsed, so ASEAN limits are not checked.",
            "Many Annex II lines were split by the PDF extraction: rows without an entry "
            "number or with a name fragment are kept as unparsed rules.",
        ),
        notes_ko=(
            "Annex II(사용 금지)만 PDF에서 기계 추출해 사용합니다(release 2024-2, 2024-12-06). "
            "Annex III–VI(제한, 색소, 보존제, 자외선 차단제)는 해석하지 않아 ASEAN 한도는 "
            "확인하지 않습니다.",
            "PDF 추출에서 Annex II의 여러 줄이 나뉘었습니다: 항목 번호가 없거나 이름 일부만 있는 "
            "행은 미해석 규칙으로 남깁니다.",
        ),
    ),
)
MARKETS.add(
    "JP",
    Market(
        "JP",
        "Japan",
        "일본",
        JP_QUASI_DRUG,
        (
            RuleList(
                "JP-quasi-drug",
                "JP",
                "quasi_drug_active",
                "Active ingredients of quasi-drug (medicated) cosmetics with concentration ranges",
                JP_QUASI_DRUG,
                "有効成分リスト",
                "rules-jp-quasi-drug",
            ),
        ),
        notes=(
            "Japan's Standards for Cosmetics (化粧品基準) negative and positive lists are not "
            "machine-readable in the raw data (PDF only): they are not checked.",
            "The quasi-drug ranges are precedents for approval of medicated cosmetics, not "
            "limits for ordinary cosmetics.",
        ),
        notes_ko=(
            "일본 화장품기준(化粧品基準)의 네거티브·포지티브 리스트는 원자료에서 기계로 읽을 수 "
            "없어(PDF만 있음) 확인하지 않습니다.",
            "의약부외품 범위는 약용 화장품 승인의 선례이며 일반 화장품의 한도가 아닙니다.",
        ),
    ),
)
MARKETS.add(
    "CA",
    Market(
        "CA",
        "Canada",
        "캐나다",
        CA_HOTLIST,
        (
            RuleList(
                "CA-prohibited",
                "CA",
                "prohibited",
                "Hotlist: prohibited ingredients",
                CA_HOTLIST,
                "Prohibited",
                "rules-ca-hotlist",
            ),
            RuleList(
                "CA-restricted",
                "CA",
                "restricted",
                "Hotlist: restricted ingredients",
                CA_HOTLIST,
                "Restricted",
                "rules-ca-hotlist",
            ),
        ),
        notes=("The staged Hotlist workbook carries no publication date.",),
        notes_ko=("준비된 Hotlist 워크북에는 발행일이 없습니다.",),
    ),
)


def market(market_id: str) -> Market:
    """The market with this id (case-insensitive); InvalidInputError lists the known ones."""
    return MARKETS.get(market_id.strip().upper())


def market_ids() -> tuple[str, ...]:
    """The ids of the registered markets, sorted."""
    return tuple(m.id for m in MARKETS)


def rule_list(list_id: str) -> RuleList:
    """A rule list by id, across markets."""
    for m in MARKETS:
        for rule_list_ in m.lists:
            if rule_list_.id == list_id:
                return rule_list_
    known = ", ".join(r.id for m in MARKETS for r in m.lists)
    raise InvalidInputError(f"Unknown rule list {list_id!r}; known: {known}.")
