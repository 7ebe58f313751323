"""Faces of a pipeline review: terminal table, Markdown, CSV, and the HTML report.

In Python: :func:`to_review_terminal`, :func:`to_review_markdown`,
:func:`to_review_csv` and :func:`to_review_html`, each returning a string
(:func:`influence.write_review_html`, in the batch layer, writes the report and a
map per deal). In the CLI: ``influence review``.

The HTML report follows the map's rules: our own Jinja2 template with
autoescaping; every user string is text, never markup (the charts are SVG built
here with every string escaped); the stylesheet and the one small script are
inline and allowed by hash in a Content-Security-Policy that forbids any
request, so the page works offline and cannot load anything. The table sorts
with ``textContent``/attributes only.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from influence._cells import csv_text, escape_cell
from influence._printable import printable as _p
from influence.analysis.portfolio import (
    GRADES,
    NO_CURRENCY,
    DealChange,
    PortfolioReview,
    ReviewedDeal,
    changed_deals,
    step_groups,
)
from influence.analysis.stages import STEP_ORDER
from influence.model import Step
from influence.render._page import content_security_policy, csp_hash, markup, page_template
from influence.render._text import amount, console_text, money_text, plain_console

__all__ = [
    "to_review_csv",
    "to_review_html",
    "to_review_markdown",
    "to_review_terminal",
]

#: Signal codes a terminal row lists before "+N more".
TERMINAL_SIGNALS = 3
#: Changed deals the terminal names under "Changed since" before "... and N more".
TERMINAL_CHANGES = 10
#: Changed deals the HTML report names at the top before the rest (under a click).
HTML_CHANGES = 10
#: Signals shown in the frequency chart.
CHART_SIGNALS = 12
_GRADE_STYLE = {"high": "bold white on red", "medium": "bold black on yellow", "low": "bold green"}


# -- shared wording ------------------------------------------------------------------


_money = money_text


def _sums(value: Mapping[str, float]) -> str:
    """``USD 3,200,000 + EUR 400,000``: sums per currency, never added across currencies."""
    parts = [
        f"{amount(v)} (no currency)" if c == NO_CURRENCY else f"{c} {amount(v)}"
        for c, v in value.items()
    ]
    return " + ".join(parts) if parts else "no value"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _summary(review: PortfolioReview) -> str:
    t = review.totals
    text = f"{_plural(t.deals, 'deal')} reviewed, most at risk first; total value {_sums(t.value)}"
    if t.errors:
        text += f"; {_plural(t.errors, 'file')} not reviewed (errors)"
    return text + "."


def _grade_lines(review: PortfolioReview) -> list[str]:
    return [
        f"{g}: {_plural(review.totals.by_grade[g].deals, 'deal')}, "
        f"{_sums(review.totals.by_grade[g].value)}"
        for g in GRADES
    ]


def _step_groups(review: PortfolioReview) -> list[tuple[str, list[str]]]:
    """The deals by buying step: a heading (how many, their value), then each deal, worst first."""
    return [
        (
            f"{step}: {_plural(len(group), 'deal')}, {_sums(review.totals.by_step[step].value)}",
            [f"{d.name} ({d.risk.grade} {d.risk.score}, {d.temperature}°)" for d in group],
        )
        for step, group in step_groups(review.deals)
        if step in review.totals.by_step
    ]


def _signal_ref(code: str, people: Sequence[str], role: str | None) -> str:
    who = [role] if role else list(people)
    return f"{code} ({', '.join(who)})" if who else code


def _name(d: ReviewedDeal, pid: str) -> str:
    """A person of the deal by name (by id in a review saved before names were kept)."""
    return d.names.get(pid, pid)


def _names(d: ReviewedDeal, ids: Sequence[str]) -> str:
    return ", ".join(_name(d, p) for p in ids)


def _owner(d: ReviewedDeal) -> str:
    return _name(d, d.owner) if d.owner else ""


def _change_lines(change: DealChange | None) -> list[str]:
    """What changed in a deal, one short line per change, worst first, people by name."""
    if change is None:
        return []
    return [i.text for i in change.items] or ["unchanged"]


def _headline(d: ReviewedDeal) -> str:
    """One changed deal in one line: its worst change, the score moved, how many more.

    ``Harbourfront: Zhang Min (decision-maker) neutral -> blocker, +29 points; 3 more changes``
    """
    c = d.change
    if c is None or not c.items:
        return d.name
    worst = c.items[0]
    text = f"{d.name}: {worst.text}"
    if c.score_change and worst.kind not in ("score-up", "score-down"):
        text += f", {c.score_change:+d} points"
    more = len(c.items) - 1
    if more:
        text += f"; {_plural(more, 'more change')}"
    return text


def _headlines(review: PortfolioReview) -> list[tuple[ReviewedDeal, str]]:
    """The changed and new deals, worst change first (:func:`changed_deals`), each in a line."""
    return [(d, _headline(d)) for d in changed_deals(review)]


def _trend_line(review: PortfolioReview) -> str:
    c = review.changes
    if c is None:
        return ""
    changed = sum(1 for d in review.deals if d.change is not None and d.change.status == "changed")
    worse = sum(1 for d in review.deals if d.change is not None and d.change.score_change > 0)
    better = sum(1 for d in review.deals if d.change is not None and d.change.score_change < 0)
    return (
        f"{_plural(changed, 'deal')} changed ({worse} riskier, {better} less risky), "
        f"{len(c.appeared)} appeared, {len(c.disappeared)} disappeared."
    )


# -- terminal ------------------------------------------------------------------------


def to_review_terminal(review: PortfolioReview, *, width: int = 100, color: bool = False) -> str:
    """Return the ranked table for a terminal, fitting ``width`` columns.

    One row per deal: rank, risk, the deal (name, account, who is not covered,
    the worst signal codes, and what changed when compared), value, stage,
    close date, coverage and support; then totals by grade, the most common
    signals, the files not reviewed, and the deals that appeared or disappeared.

    Args:
        review: The review.
        width: Columns to fit (100 by default).
        color: Use ANSI colours.

    Returns:
        The text, deterministic for the same review and options.

    Examples:
        >>> from influence import review
        >>> text = to_review_terminal(review(["examples"], workers=1))
        >>> max(len(line) for line in text.splitlines()) <= 100
        True
        >>> text.splitlines()[0]
        'Pipeline review: 4 deals'
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    console = plain_console(out, width, color)
    t = review.totals
    title = f"Pipeline review: {_plural(t.deals, 'deal')}"
    if t.errors:
        title += f", {_plural(t.errors, 'file')} not reviewed"
    console.print(Text(title, style="bold"))
    console.print(Text(_p(_summary(review)), style="dim"))
    if review.changes is not None:
        console.print()
        since = review.changes.since or "the last review"
        console.print(Text(_p(f"Changed since {since}, worst first"), style="bold underline"))
        lines = _headlines(review)
        for _, line in lines[:TERMINAL_CHANGES]:
            console.print(Text("  " + _p(line), style="magenta"))
        if len(lines) > TERMINAL_CHANGES:
            console.print(f"  ... and {_plural(len(lines) - TERMINAL_CHANGES, 'more deal')}")
        if not lines:
            console.print("  nothing")
        console.print(Text(_p(_trend_line(review)), style="dim"))
    console.print()

    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        expand=True,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Risk", no_wrap=True)
    table.add_column("Deal", ratio=1, overflow="fold")
    table.add_column("Value / stage / close", no_wrap=True)
    table.add_column("Cov", justify="right", no_wrap=True)
    table.add_column("Sup", justify="right", no_wrap=True)
    cells: list[tuple[str, str, str, str]] = []
    for rank, d in enumerate(review.deals, start=1):
        deal = Text(_p(d.name), style="bold")
        sub = " · ".join(x for x in (d.account or "", f"owner {_owner(d)}" if d.owner else "") if x)
        if sub:
            deal.append("\n" + _p(sub), style="dim")
        if d.uncovered_decision_makers:
            deal.append("\nnot covered: " + _p(_names(d, d.uncovered_decision_makers)))
        if d.next_action:
            deal.append("\nnext: " + _p(d.next_action))
        if d.signals:
            shown = d.signals[:TERMINAL_SIGNALS]
            more = len(d.signals) - len(shown)
            deal.append(
                "\n" + _p(", ".join(shown)) + (f" +{more} more" if more else ""), style="dim"
            )
        changes = _change_lines(d.change)
        for line in changes[:TERMINAL_SIGNALS]:
            deal.append("\n" + _p(line), style="magenta")
        if len(changes) > TERMINAL_SIGNALS:
            deal.append(f"\n+{len(changes) - TERMINAL_SIGNALS} more changes", style="magenta")
        facts = "\n".join(
            _p(x)
            for x in (_money(d.value, d.currency), d.stage or "", _step(d), _date(d.close_date))
            if x
        )
        badge = f" {d.risk.grade.upper()} " if color else d.risk.grade.upper()
        risk = Text(badge, style=_GRADE_STYLE[d.risk.grade])
        risk.append(f" {d.risk.score}")
        if rank > 1:
            table.add_row()  # a blank line between deals
        table.add_row(str(rank), risk, deal, facts, f"{d.coverage:.2f}", f"{d.support:+.2f}")
        cells.append((str(rank), risk.plain, deal.plain, facts))
    if review.deals:
        _no_split(table, cells, width)
        console.print(table)
        console.print()
    console.print(Text("By grade", style="bold underline"))
    for line in _grade_lines(review):
        console.print("  " + _p(line))
    steps = _step_groups(review)
    if steps:
        console.print()
        console.print(Text("By buying step (temperature in degrees)", style="bold underline"))
        for heading, names in steps:
            console.print("  " + _p(heading))
            for name in names:
                console.print(Text("    " + _p(name), style="dim"))
    if t.signals:
        console.print()
        console.print(Text("Most common signals (deals with it)", style="bold underline"))
        for s in t.signals[:10]:
            console.print(_p(f"  {s.deals:>5}  {s.code} ({s.severity})"))
        if len(t.signals) > 10:
            console.print(f"  ... and {len(t.signals) - 10} more codes")
    if review.changes is not None and (review.changes.appeared or review.changes.disappeared):
        console.print()
        if review.changes.appeared:
            console.print(_p("Appeared: " + ", ".join(review.changes.appeared)))
        if review.changes.disappeared:
            console.print(_p("Disappeared: " + ", ".join(review.changes.disappeared)))
    if review.errors:
        console.print()
        console.print(Text("Not reviewed (invalid files)", style="bold underline"))
        for e in review.errors:
            console.print(_p(f"  {e.file}: {_plural(len(e.messages), 'problem')}"))
            for m in e.messages[:3]:
                console.print(Text("    " + _p(m), style="dim"))
            if len(e.messages) > 3:
                console.print(Text(f"    ... and {len(e.messages) - 3} more", style="dim"))
    return console_text(out)


def _no_split(table: Any, cells: Sequence[tuple[str, str, str, str]], width: int) -> None:
    """Let the "Value / stage / close" column wrap when the deal column needs its room.

    The deal column wraps between words; a signal code such as
    ``blocker-influences-decision-maker`` is one word, so the column is kept at
    least as wide as its longest word, the value column giving up what it must
    (down to its own longest word). When even that does not fit, rich folds.
    """
    from rich.cells import cell_len

    def longest_word(texts: Sequence[str]) -> int:
        return max((cell_len(w) for t in texts for w in t.split()), default=0)

    ranks, risks, deals, facts = zip(*cells, strict=True)
    fixed = max(cell_len(t) for t in (*ranks, "#")) + max(cell_len(t) for t in (*risks, "Risk"))
    fixed += 4 + 5  # Cov "0.35", Sup "+0.19"
    room = width - 3 * 5 - fixed  # a space each side of the five dividers, and the divider
    need, facts_min = longest_word(deals), longest_word([*facts, "Value / stage / close"])
    facts_max = max(
        cell_len(line) for t in (*facts, "Value / stage / close") for line in t.split("\n")
    )
    if need + facts_max > room >= need + facts_min:
        column = table.columns[3]
        column.no_wrap, column.width, column.overflow = False, room - need, "fold"


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


# -- Markdown ------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe in a Markdown table cell, and inert as HTML (renderers pass HTML through)."""
    return (
        escape(text, quote=False)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "\\`")
        .replace("[", "\\[")
    )


def to_review_markdown(review: PortfolioReview) -> str:
    """Return the review as GitHub-flavoured Markdown, for CRM notes or e-mail.

    Examples:
        >>> from influence import review
        >>> md = to_review_markdown(review(["examples"], workers=1))
        >>> md.splitlines()[0]
        '# Pipeline review'
        >>> sum(1 for line in md.splitlines() if line.startswith("| ") and line[2].isdigit())
        4
    """
    out = ["# Pipeline review", "", _md(_summary(review)), ""]
    if review.changes is not None:
        out += [f"## Changed since {_md(review.changes.since or 'the last review')}", ""]
        out += [f"- {_md(line)}" for _, line in _headlines(review)] or ["Nothing changed."]
        out += ["", _md(_trend_line(review)), ""]
    head = ["#", "Deal", "Account", "Owner", "Value", "Stage", "Step", "Close", "Risk"]
    align = ["---:", "---", "---", "---", "---:", "---", "---", "---", "---"]
    if review.changes is not None:
        head.append("Change")
        align.append("---")
    head += ["Next action", "Why", "Not covered", "Coverage", "Support"]
    align += ["---", "---", "---", "---:", "---:"]
    out += ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for rank, d in enumerate(review.deals, start=1):
        cells = [
            str(rank),
            _md(d.name),
            _md(d.account or ""),
            _md(_owner(d)),
            _md(_money(d.value, d.currency)),
            _md(d.stage or ""),
            _step(d),
            _date(d.close_date),
            f"**{d.risk.grade}** {d.risk.score}",
        ]
        if review.changes is not None:
            cells.append(_md("; ".join(_change_lines(d.change))))
        cells += [
            _md(d.next_action or ""),
            _md(" ".join(d.top_signals)),
            _md(_names(d, d.uncovered_decision_makers)),
            f"{d.coverage:.2f}",
            f"{d.support:+.2f}",
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## By grade", ""]
    out += [f"- {_md(line)}" for line in _grade_lines(review)]
    steps = _step_groups(review)
    if steps:
        out += ["", "## By buying step", ""]
        out += [f"- {_md(heading)}: {_md('; '.join(names))}" for heading, names in steps]
    if review.totals.signals:
        out += ["", "## Most common signals", "", "| Signal | Severity | Deals | Signals |"]
        out.append("|---|---|---:|---:|")
        out += [
            f"| `{s.code}` | {s.severity} | {s.deals} | {s.count} |" for s in review.totals.signals
        ]
    if review.changes is not None:
        if review.changes.appeared:
            out += ["", "**Appeared:** " + ", ".join(_md(x) for x in review.changes.appeared)]
        if review.changes.disappeared:
            out += ["", "**Disappeared:** " + ", ".join(_md(x) for x in review.changes.disappeared)]
    if review.errors:
        out += ["", "## Not reviewed (invalid files)", ""]
        for e in review.errors:
            out.append(f"- {_md(e.file)}")
            out += [f"  - {_md(m)}" for m in e.messages]
    return "\n".join(out) + "\n"


# -- CSV -----------------------------------------------------------------------------

_CSV_HEAD = [
    "rank",
    "id",
    "file",
    "name",
    "account",
    "value",
    "currency",
    "stage",
    "close_date",
    "grade",
    "score",
    "signals",
    "top_signals",
    "uncovered_decision_makers",
    "coverage",
    "support",
    "owner",
    "next_action",
    "step",
    "temperature",
]
_CSV_CHANGE = [
    "change",
    "grade_before",
    "score_change",
    "new_signals",
    "resolved_signals",
    "stance_changes",
    "people_added",
    "people_gone",
]


def _step(d: ReviewedDeal) -> str:
    """The buying step and temperature in brief: ``tender · 40°`` (unmapped: ``? · 10°``)."""
    return f"{d.step or '?'} · {d.temperature}°"


def _step_sort(d: ReviewedDeal) -> str:
    """A sort key for the step column: the steps in a purchase's order, then the temperature."""
    rank = STEP_ORDER[Step(d.step)] if d.step is not None else -1  # unmapped first
    return str((rank + 1) * 1000 + d.temperature)


def _number(value: float) -> str:
    """A value as a spreadsheet reads it: no thousands separator, nothing rounded away."""
    return f"{value:.0f}" if float(value).is_integer() else repr(value)


def to_review_csv(review: PortfolioReview) -> str:
    """Return the review as CSV: a header row, then one row per deal, most at risk first.

    Lists (signal codes, messages, people) are joined with ``;``. A text cell
    that starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR gets a leading
    ``'`` so that a spreadsheet shows it instead of running it (the rule of
    ``export --format csv``, in :mod:`influence._cells`); a cell with a CR or
    LF is quoted. With a comparison, the ``change`` columns follow.

    Examples:
        >>> from influence import review
        >>> rows = to_review_csv(review(["examples"], workers=1)).splitlines()
        >>> rows[0].split(",")[:4], len(rows)
        (['rank', 'id', 'file', 'name'], 5)
    """
    compared = review.changes is not None
    rows: list[list[Any]] = [_CSV_HEAD + (_CSV_CHANGE if compared else [])]
    for rank, d in enumerate(review.deals, start=1):
        row: list[Any] = [
            rank,
            escape_cell(d.id),
            escape_cell(d.file),
            escape_cell(d.name),
            escape_cell(d.account or ""),
            "" if d.value is None else _number(d.value),
            escape_cell(d.currency or ""),
            escape_cell(d.stage or ""),
            _date(d.close_date),
            d.risk.grade,
            d.risk.score,
            ";".join(d.signals),
            escape_cell(";".join(d.top_signals)),
            escape_cell(";".join(d.uncovered_decision_makers)),
            f"{d.coverage:.4f}",
            f"{d.support:.4f}",
            escape_cell(_owner(d)),
            escape_cell(d.next_action or ""),
            d.step or "",
            d.temperature,
        ]
        if compared:
            c = d.change
            if c is None:  # pragma: no cover - compare() sets every deal's change
                row += [""] * len(_CSV_CHANGE)
            else:
                row += [
                    c.status,
                    c.grade_before or "",
                    "" if c.status == "new" else c.score_change,
                    escape_cell(
                        ";".join(_signal_ref(s.code, s.people, s.role) for s in c.new_signals)
                    ),
                    escape_cell(
                        ";".join(_signal_ref(s.code, s.people, s.role) for s in c.resolved_signals)
                    ),
                    escape_cell(
                        ";".join(f"{s.id}:{s.before}->{s.after}" for s in c.stance_changes)
                    ),
                    escape_cell(";".join(c.people_added)),
                    escape_cell(";".join(c.people_gone)),
                ]
        rows.append(row)
    return csv_text(rows)


# -- HTML ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Assets:
    template: Any
    css: str
    js: str
    csp: str


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    from importlib.resources import files

    folder = files("influence").joinpath("templates")
    css = folder.joinpath("review.css").read_text(encoding="utf-8")
    js = folder.joinpath("review.js").read_text(encoding="utf-8")
    csp = content_security_policy(script_src=csp_hash(js), style_src=csp_hash(css))
    return _Assets(page_template("influence", "templates", "review.html.j2"), css, js, csp)


def _attr(text: object) -> str:
    return escape(str(text), quote=True)


def _currencies(deals: Sequence[ReviewedDeal]) -> list[tuple[str, list[ReviewedDeal]]]:
    """The valued deals by currency, currencies in alphabetical order, no currency last."""
    groups: dict[str, list[ReviewedDeal]] = {}
    for d in deals:
        if d.value is not None and d.value > 0:
            groups.setdefault(d.currency or NO_CURRENCY, []).append(d)
    return sorted(groups.items(), key=lambda kv: (kv[0] == NO_CURRENCY, kv[0]))


def _currency_label(currency: str) -> str:
    return "no currency" if currency == NO_CURRENCY else currency


def _scatter_svg(deals: Sequence[ReviewedDeal], maps: Mapping[str, str], currency: str) -> str:
    """Risk score (y) against value in one currency (x, log scale) as SVG; every string escaped."""
    w, h, left, right, top, bottom = 560, 320, 48, 16, 12, 40
    label = _currency_label(currency)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="Risk score against deal value in {_attr(label)}">'
    ]
    x0, x1 = left, w - right
    y0, y1 = h - bottom, top
    for score in (0, 30, 60, 100):
        y = y0 + (y1 - y0) * score / 100
        parts.append(f'<line class="grid" x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{score}</text>')
    parts.append(f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}"/>')
    parts.append(f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/>')
    parts.append(
        f'<text x="{(x0 + x1) / 2:.1f}" y="{h - 6}" text-anchor="middle">'
        f"value in {_attr(label)} (log scale)</text>"
    )
    parts.append(
        f'<text x="12" y="{(y0 + y1) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(y0 + y1) / 2:.1f})">risk score</text>'
    )
    if deals:
        lo = math.floor(math.log10(min(d.value or 1 for d in deals)))
        hi = math.ceil(math.log10(max(d.value or 1 for d in deals)))
        hi = max(hi, lo + 1)
        for k in range(lo, hi + 1):
            x = x0 + (x1 - x0) * (k - lo) / (hi - lo)
            parts.append(
                f'<text class="muted" x="{x:.1f}" y="{y0 + 14}" text-anchor="middle">'
                f"{_attr(_short(10.0**k))}</text>"
            )
        for d in deals:
            x = x0 + (x1 - x0) * (math.log10(d.value or 1) - lo) / (hi - lo)
            y = y0 + (y1 - y0) * d.risk.score / 100
            tip = f"{d.name} ({d.id}): {d.risk.grade} {d.risk.score}, {_money(d.value, d.currency)}"
            dot = (
                f'<circle class="dot {d.risk.grade}" cx="{x:.1f}" cy="{y:.1f}" r="5">'
                f"<title>{_attr(tip)}</title></circle>"
            )
            href = maps.get(d.file)
            parts.append(f'<a href="{_attr(href)}">{dot}</a>' if href else dot)
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _bars_svg(review: PortfolioReview) -> str:
    """How many deals have each signal, as horizontal SVG bars; every string escaped."""
    shown = review.totals.signals[:CHART_SIGNALS]
    row, label_w, w = 22, 250, 560
    h = max(1, len(shown)) * row + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="Deals with each signal">'
    ]
    most = max((s.deals for s in shown), default=1)
    for i, s in enumerate(shown):
        y = 8 + i * row
        length = (w - label_w - 50) * s.deals / most
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{_attr(s.code)}</text>'
        )
        parts.append(
            f'<rect class="bar {_attr(s.severity)}" x="{label_w}" y="{y + 3}" '
            f'width="{length:.1f}" height="{row - 8}"><title>{_attr(s.code)}: '
            f"{s.deals} deals, {s.count} signals ({_attr(s.severity)})</title></rect>"
        )
        parts.append(f'<text x="{label_w + length + 6:.1f}" y="{y + 14}">{s.deals}</text>')
    if not shown:
        parts.append('<text x="8" y="20">No signals.</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_review_html(
    review: PortfolioReview,
    *,
    maps: Mapping[str, str] | None = None,
    title: str = "Pipeline review",
) -> str:
    """Return the review as one self-contained, offline HTML page.

    The page leads, when compared, with what changed since the last review:
    each changed deal named with its worst change, worst first (the order of
    :data:`~influence.analysis.portfolio.CHANGE_KINDS`). Then the summary by
    grade, a chart of risk against value per currency (currencies never
    mixed), one of signal frequency, and the ranked table: one compact row per
    deal (owner, value, risk, change, next action, the decision-makers not
    covered, by name), its detail (why, every signal, every change) on a click;
    sortable by any column (value by currency, then amount; the first click on
    risk or change shows the riskiest first). Then the most common signals and
    the files not reviewed.

    Args:
        review: The review.
        maps: Link of each deal's map, by the deal's ``file`` (relative URLs,
            as :func:`influence.write_review_html` writes them); deals without one get no link.
        title: The page title.

    Returns:
        The page; the same review always gives the same string.

    Examples:
        >>> from influence import review
        >>> page = to_review_html(review(["examples"], workers=1))
        >>> page.startswith("<!DOCTYPE html>"), "default-src 'none'" in page
        (True, True)
        >>> "<script src" in page or "<link" in page
        False
    """
    maps = maps or {}
    assets = _assets()
    compared = review.changes is not None
    rank_of = {id(d): n for n, d in enumerate(review.deals, start=1)}
    rows = []
    for rank, d in enumerate(review.deals, start=1):
        change = d.change
        if change is None or change.status == "new":
            change_text, change_sort, change_class = ("new" if change else ""), "", ""
        else:
            delta = change.score_change
            change_text = f"{delta:+d}" if delta else "="
            change_sort = str(delta)
            change_class = "up" if delta > 0 else "down" if delta < 0 else ""
        items = change.items if change is not None else []
        rows.append(
            {
                "rank": rank,
                "id": d.id,
                "file": d.file,
                "name": d.name,
                "map": maps.get(d.file),
                "account": d.account or "",
                "owner": _owner(d),
                "value": _money(d.value, d.currency),
                "value_sort": "" if d.value is None else repr(d.value),
                "currency": "" if d.value is None else (d.currency or NO_CURRENCY),
                "stage": d.stage or "",
                "step": _step(d),
                "step_sort": _step_sort(d),
                "close": _date(d.close_date),
                "grade": d.risk.grade,
                "score": d.risk.score,
                "change": change_text,
                "change_sort": change_sort,
                "change_class": change_class,
                "change_first": items[0].text if items and change_text != "new" else "",
                "change_lines": [i.text for i in items],
                "next_action": d.next_action or "",
                "why": d.top_signals,
                "signals": [
                    {"severity": s.severity, "code": s.code, "message": s.message}
                    for s in d.signal_details
                ],
                "uncovered": _names(d, d.uncovered_decision_makers),
                "deciders": [
                    (_name(d, p), p in d.uncovered_decision_makers) for p in d.decision_makers
                ],
                "coverage": f"{d.coverage:.2f}",
                "coverage_sort": repr(d.coverage),
                "support": f"{d.support:+.2f}",
                "support_sort": repr(d.support),
            }
        )
    t = review.totals
    cards = [
        {
            "grade": g,
            "deals": t.by_grade[g].deals,
            "label": f"{g} risk",
            "value": _sums(t.by_grade[g].value),
        }
        for g in GRADES
    ]
    unvalued = sum(1 for d in review.deals if not d.value)
    scatters = [
        {
            "svg": markup(_scatter_svg(group, maps, currency)),
            "caption": f"Risk score against value in {_currency_label(currency)} "
            f"({_plural(len(group), 'deal')}); colour is the grade.",
        }
        for currency, group in _currencies(review.deals)
    ]
    trend = None
    if review.changes is not None:
        lines = [
            {"rank": rank_of[id(d)], "name": d.name, "text": text[len(d.name) :]}
            for d, text in _headlines(review)
        ]
        trend = {
            "since": review.changes.since or "the last review",
            "text": _trend_line(review),
            "first": lines[:HTML_CHANGES],
            "rest": lines[HTML_CHANGES:],
            "appeared": review.changes.appeared,
            "disappeared": review.changes.disappeared,
        }
    context = {
        "title": title,
        "csp": markup(assets.csp),  # no " < & in it: safe in the attribute as it is
        "css": markup(assets.css),
        "js": markup(assets.js),
        "summary": _summary(review),
        "cards": cards,
        "trend": trend,
        "compared": compared,
        "columns": 13 if compared else 12,
        "scatters": scatters,
        "unvalued": _plural(unvalued, "deal") + " without a value not charted." if unvalued else "",
        "bars": markup(_bars_svg(review)),
        "bars_caption": "Deals with each signal, most common first; colour is the severity.",
        "rows": rows,
        "signals": t.signals,
        "errors": review.errors,
        "footer": "Made by influence review. Works offline; loads nothing from the network.",
    }
    text: str = assets.template.render(context)
    return text
