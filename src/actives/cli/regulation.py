"""`actives check-formula` and `actives regulation markets|rules|unparsed`: a formula checked
against the export markets' rule packs, with the rule behind every verdict."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from actives.errors import ActivesError, InvalidInputError
from actives.knowledge.pack import DataPack
from actives.regulation.markets import market, market_ids

regulation_app = typer.Typer(
    help="Regulation: the export markets, their rule lists, and the rules a substance meets.",
    no_args_is_help=True,
)
# Piped output (a file, a pager) gets a wide table instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)

COLOURS = {
    "prohibited": "bold red",
    "over_limit": "red",
    "not_in_inventory": "magenta",
    "unknown": "yellow",
    "allowed_with_conditions": "cyan",
    "allowed": "green",
}
SHORT = {
    "prohibited": "prohibited",
    "over_limit": "over limit",
    "not_in_inventory": "not listed",
    "unknown": "review",
    "allowed_with_conditions": "conditions",
    "allowed": "allowed",
}
MARKETS_HELP = "Comma-separated market ids (" + ", ".join(market_ids()) + "); default all."


def _fail(exc: ActivesError) -> typer.Exit:
    console.print(f"[red]{escape(exc.message)}[/]")
    return typer.Exit(2)


def _pack() -> DataPack:
    from actives.config import get_settings
    from actives.knowledge import current_pack

    return current_pack(get_settings().home)


def _cell(verdict: str) -> str:
    return f"[{COLOURS[verdict]}]{SHORT[verdict]}[/]"


def _percent(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _markets(text: str | None) -> list[str]:
    if not text:
        return list(market_ids())
    return [market(m).id for m in text.split(",") if m.strip()]


def check_formula_command(
    formula_file: Annotated[
        Path, typer.Argument(help="Formula CSV or XLSX: ingredient (INCI) and percent columns.")
    ],
    product: Annotated[
        str,
        typer.Option(
            "--product",
            help='Product type in words, e.g. "leave-on face cream", "rinse-off hair", "샴푸".',
        ),
    ],
    markets: Annotated[str | None, typer.Option("--markets", help=MARKETS_HELP)] = None,
    raw_materials: Annotated[
        Path | None,
        typer.Option(
            "--raw-materials",
            help="CSV/XLSX of raw-material compositions (raw material, ingredient, % of it).",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Formula name (default: file name).")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report: .xlsx or .csv")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the check as JSON.")] = False,
) -> None:
    """Check a formula against each market: a verdict per ingredient with the rule behind it,
    the overall verdict per market, the label (INCI and Korean), allergens and warnings.

    A market that refuses the formula is an answer, not an error: the exit code is 0; bad input
    (a file that cannot be read, an unknown market or product type, no data pack) exits with 2.
    """
    from actives.regulation.checker import check_formula, write_report
    from actives.regulation.formula import read_formula

    try:
        chosen = _markets(markets)
        if output is not None:
            from actives.regulation.checker import REPORT_SUFFIXES

            if output.suffix.lower() not in REPORT_SUFFIXES:
                raise InvalidInputError(
                    f"Cannot write {output.name}; expected a file ending in "
                    f"{', '.join(REPORT_SUFFIXES)}."
                )
            if output.exists() and not overwrite:
                raise InvalidInputError(
                    f"{output} exists; expected a new file name, or --overwrite to replace it."
                )
        formula = read_formula(
            formula_file, product, name=name, markets=chosen, raw_materials=raw_materials
        )
        pack = _pack()
        check = check_formula(formula, chosen, pack)
        if output is not None:
            write_report(check, output, overwrite=overwrite)
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(check.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_check(check)
    if output is not None:
        console.print(f"[green]Report written:[/] {output}")


def _print_check(check: Any) -> None:
    console.rule(
        f"[bold]{escape(check.formula_name)}[/] — {escape(check.product_type.describe())} — "
        f"rule pack {escape(check.rule_pack_version)}"
    )
    matrix = Table(title="Verdicts (market × ingredient)", show_lines=False)
    matrix.add_column("ingredient", overflow="fold")
    matrix.add_column("% w/w", justify="right")
    for market_id in check.markets:
        matrix.add_column(market_id)
    for i, substance in enumerate(check.substances):
        cells = [_cell(mc.rows[i].verdict.value) for mc in check.markets.values()]
        matrix.add_row(escape(substance.name), _percent(substance.percent), *cells)
    matrix.add_section()
    matrix.add_row(
        "[bold]overall[/]", "", *(_cell(mc.overall.value) for mc in check.markets.values())
    )
    console.print(matrix)
    for mc in check.markets.values():
        findings = [r for r in mc.rows if r.verdict.value != "allowed"]
        colour = COLOURS[mc.overall.value]
        console.print(
            f"\n[bold]{mc.market}[/] {escape(mc.info.name_en)}: [{colour}]{mc.overall.display}[/]"
        )
        if findings:
            table = Table(show_lines=True)
            for column in ("ingredient", "verdict", "why", "rule (citation)"):
                table.add_column(column, overflow="fold")
            for r in findings:
                why = r.message
                if r.review:
                    why += "\n[review] " + " | ".join(r.review)
                table.add_row(
                    escape(r.name),
                    _cell(r.verdict.value),
                    escape(why),
                    escape(r.citation.text() if r.citation else "—"),
                )
            console.print(table)
        for note in mc.notes[:2]:
            console.print(f"[dim]{escape(note)}[/]")
    console.print("\n[bold]Label (INCI)[/]: " + escape(check.label.text))
    console.print("[bold]전성분 (Korean)[/]: " + escape(check.label.korean_text))
    declared = [a for mc in check.markets.values() for a in mc.allergens if a.declare]
    if declared:
        console.print("[bold]Allergens to declare[/]:")
        for a in declared:
            console.print(
                f"  {a.market}: {escape(a.name)} {_percent(a.percent)} % > "
                f"{_percent(a.threshold)} % ({escape(a.citation)})"
            )
    warnings = sorted(
        {w for mc in check.markets.values() for r in mc.rows for w in r.label_warnings}
    )
    if warnings:
        console.print("[bold]Label warnings[/]:")
        for w in warnings:
            console.print(f"  - {escape(w)}")
    if check.unresolved:
        console.print("[bold yellow]Unresolved names[/]:")
        for r in check.unresolved:
            hint = f" — did you mean {', '.join(r.suggestions[:5])}?" if r.suggestions else ""
            console.print(f"  {escape(r.query)} ({r.status}){escape(hint)}")
    for warning in check.warnings:
        if not any(warning.startswith(repr(r.query)) for r in check.unresolved):
            console.print(f"[yellow]{escape(warning)}[/]")


def markets_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The markets, their rule lists with rule counts in the current data pack, and the gaps."""
    from actives.regulation.checker import market_overview
    from actives.regulation.rulepack import RulePack

    try:
        rules: RulePack | None = RulePack.from_pack(_pack())
    except ActivesError:
        rules = None
    overview = market_overview(rules)
    if as_json:
        typer.echo(json.dumps(overview, ensure_ascii=False, indent=2))
        return
    table = Table(
        title="Markets" + (f" (rule pack {rules.version})" if rules else " (no data pack)"),
        show_lines=True,
    )
    for column in ("market", "regulation", "lists (rules, unparsed)", "coverage"):
        table.add_column(column, overflow="fold")
    for m in overview:
        lists = "\n".join(
            f"{x['id']} {x['kind']}: {x['rules']:,} ({x['unparsed']:,})" for x in m["lists"]
        )
        table.add_row(
            f"[bold]{m['id']}[/] {escape(m['name_en'])} / {escape(m['name_ko'])}",
            escape(m["regulation"]),
            escape(lists),
            escape(m["coverage"]),
        )
    console.print(table)


def rules_command(
    market_id: Annotated[str, typer.Argument(metavar="MARKET", help="Market id, e.g. EU.")],
    name: Annotated[str, typer.Argument(help="Ingredient name, INCI, CAS or EC number.")],
    limit: Annotated[int, typer.Option(help="Show at most this many rules.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The market's rules for a substance, with citations, conditions and original text."""
    from actives.regulation.checker import condition_dict, find_rules

    try:
        found = find_rules(name, market_id, _pack(), limit=limit)
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    r = found.resolution
    if r is not None:
        read = f"{r.display_name or r.query} ({r.status}, {r.method or '—'})"
        console.print(f"[dim]{escape(name)} read as {escape(read)}: {escape(r.message)}[/]")
    if not found.matches:
        console.print(f"No {found.market} rule names {escape(name)}.")
        return
    table = Table(title=f"{found.market} rules for {name} ({found.total})", show_lines=True)
    for column in ("rule", "kind", "citation", "conditions", "original text"):
        table.add_column(column, overflow="fold")
    for match in found.matches:
        rule = match.rule
        conditions = "\n".join(str((condition_dict(c) or {})["describe"]) for c in rule.conditions)
        if not rule.parsed:
            conditions += f"\n[yellow]not fully parsed: {escape(rule.unparsed_reason)}[/]"
        table.add_row(
            escape(f"{rule.rule_id} ({match.by})"),
            rule.kind,
            escape(rule.citation.text()),
            conditions or "—",
            escape(rule.original_text[:600]),
        )
    console.print(table)


def unparsed_command(
    market_id: Annotated[str, typer.Argument(metavar="MARKET", help="Market id, e.g. KR.")],
    list_id: Annotated[str | None, typer.Option("--list", help="One list, e.g. KR-2.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many rules.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The market's rules whose text was not fully parsed (a check meeting them asks for
    review), with the reason and the original text."""
    from actives.regulation.checker import rule_dict
    from actives.regulation.rulepack import RulePack

    try:
        m = market(market_id)
        if list_id is not None:
            m.list(list_id)
        rules = [
            r
            for r in RulePack.from_pack(_pack()).unparsed(m.id)
            if list_id is None or r.list_id == list_id
        ]
    except ActivesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps([rule_dict(r) for r in rules[:limit]], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{m.id}: {len(rules):,} rules not fully parsed", show_lines=True)
    for column in ("rule", "name", "reason", "original text"):
        table.add_column(column, overflow="fold")
    for rule in rules[:limit]:
        table.add_row(
            rule.rule_id,
            escape(rule.name),
            escape(rule.unparsed_reason),
            escape(rule.original_text[:400]),
        )
    console.print(table)
    if len(rules) > limit:
        console.print(f"[dim]{len(rules) - limit:,} more; use --limit or --json.[/]")


regulation_app.command("markets")(markets_command)
regulation_app.command("rules")(rules_command)
regulation_app.command("unparsed")(unparsed_command)
