"""Wording shared by the terminal and Markdown reports.

User text in what these return is :func:`~influence._printable.printable`: no
control character of a deal file reaches a terminal, and a table measures what
it shows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from influence._printable import printable
from influence.analysis.paths import Hop, IntroductionPath
from influence.analysis.report import Action, DealReport, PersonRow, Signal, TieTrend

if TYPE_CHECKING:
    from rich.console import Console

VERBS = {
    ("knows", True): "knows",
    ("knows", False): "knows",
    ("influences", True): "influences",
    ("influences", False): "is influenced by",
    ("reports_to", True): "reports to",
    ("reports_to", False): "manages",
}


#: How many reasons and actions the first screen (and the brief Markdown) shows.
TOP = 3

#: Terminal styles of the stance and coverage words (shown only when colour is on).
STANCE_STYLE = {"ally": "green", "blocker": "bold red", "neutral": "dim", "unknown": "yellow"}
COVERAGE_STYLE = {"covered": "green", "stale": "yellow", "uncovered": "red", "missing": "red"}


def top_reasons(report: DealReport, n: int = TOP) -> list[Signal]:
    """The signals that carry the most points, at most ``n``: the score's main reasons.

    Most points first, ties in the report's order; signals without points only
    when no signal has any.
    """
    scored = [s for s in report.signals if s.points] or list(report.signals)
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].points, i))
    return [scored[i] for i in order[:n]]


def action_codes(action: Action) -> list[str]:
    """The signal codes an action answers (the leading one first), as the reports list them."""
    return list(action.resolves) or [action.signal]


def not_reached(report: DealReport) -> tuple[list[str], list[str]]:
    """Decision-makers we do not cover, as labels: those not reached, those by stale ties only."""
    people = names(report)
    missing = report.coverage.uncovered(report.decision_makers)
    stale = [d for d in missing if report.coverage.people.get(d) == "stale"]
    return (
        [label(people.get(d), d) for d in missing if d not in stale],
        [label(people.get(d), d) for d in stale],
    )


def not_covered_text(report: DealReport) -> str:
    """How many decision-makers we do not cover, split as the signals split them.

    ``"2 not covered"``, or ``"3 not covered: 2 uncovered, 1 stale"`` when some
    are covered only by stale ties (``stale-relationship``, not
    ``decision-maker-uncovered`` nor, for the top decision-maker,
    ``top-decision-maker-uncovered``).
    """
    missing = report.coverage.uncovered(report.decision_makers)
    stale = sum(report.coverage.people.get(d) == "stale" for d in missing)
    if not stale:
        return f"{len(missing)} not covered"
    return f"{len(missing)} not covered: {len(missing) - stale} uncovered, {stale} stale"


def names(report: DealReport) -> dict[str, PersonRow]:
    """People of the report by id."""
    return {p.id: p for p in report.people}


def label(row: PersonRow | None, pid: str) -> str:
    """``Name (Title)`` or the id when the person is unknown."""
    if row is None:
        return printable(pid)
    text = f"{row.name} ({row.title})" if row.title else row.name
    return printable(text)


def amount(value: float) -> str:
    """``1,450,000`` or ``1,450,000.50``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def money_text(value: float | None, currency: str | None) -> str:
    """``USD 1,450,000``, the amount alone without a currency, or '' without a value."""
    if value is None:
        return ""
    return f"{currency} {amount(value)}" if currency else amount(value)


def money(report: DealReport) -> str:
    """The deal's value with its currency, or ''."""
    return money_text(report.deal.value, report.deal.currency)


def plain_console(out: io.StringIO, width: int, color: bool) -> Console:
    """A rich console that writes to ``out``: ANSI colours only when asked, no markup."""
    from rich.console import Console

    return Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )


def role_holders(report: DealReport, role: str) -> list[str]:
    """The customers holding ``role``, as labels, in the report's order."""
    return [label(p, p.id) for p in report.people if role in p.roles and p.side == "customer"]


def most_influential_first(person: PersonRow) -> tuple[float, float, str]:
    """Sort key of the people tables: network influence, then influence, then id."""
    return (-(person.network_influence or 0), -person.influence, person.id)


_WORD = re.compile(r"(\s*)(\S+)")


def wrap_line(line: str, width: int | None, indent: str) -> str:
    """``line`` wrapped between words at ``width`` columns, continued after ``indent``.

    Spacing between words that stay on a line is kept; a word longer than a
    whole line is folded, and only such a word. ``width=None``: the line as is.

    Examples:
        >>> print(wrap_line("1. Li Wei -> Kenneth Lau  (warmth 0.72)", 20, "   "))
        1. Li Wei -> Kenneth
           Lau  (warmth
           0.72)
    """
    from rich.cells import cell_len

    if width is None or cell_len(line) <= width:
        return line
    out: list[str] = []
    current = ""
    for match in _WORD.finditer(line):
        gap, word = match.groups()
        if current and cell_len(current + gap + word) <= width:
            current += gap + word
            continue
        if current:
            out.append(current)
        prefix = indent if current or out else gap
        while cell_len(prefix + word) > width and cell_len(prefix) < width:
            cut = 1  # fold a word longer than the line: as much as fits
            while cell_len(prefix + word[: cut + 1]) <= width:
                cut += 1
            out.append(prefix + word[:cut])
            word, prefix = word[cut:], indent
        current = prefix + word
    out.append(current)
    return "\n".join(out)


def console_text(out: io.StringIO) -> str:
    """What a :func:`plain_console` wrote, without trailing blanks (tables pad to the width).

    Examples:
        >>> import io
        >>> nl = chr(10)
        >>> console_text(io.StringIO("a  " + nl + "b")) == "a" + nl + "b" + nl
        True
    """
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def headline(report: DealReport) -> str:
    """One line: id, account, stage, value, close date."""
    d = report.deal
    bits = [d.id, d.account or "", d.stage or "", money(report)]
    if d.close_date:
        bits.append(f"close {d.close_date.isoformat()}")
    return printable(" | ".join(b for b in bits if b))


def name_map(report: DealReport) -> dict[str, str]:
    """Person names by id."""
    return {p.id: p.name for p in report.people}


def hop_text(
    hop: Hop,
    people: Mapping[str, str],
    trends: Mapping[tuple[str, str, str], TieTrend] | None = None,
) -> str:
    """``Li Wei knows Liu Yang (0.90, former_colleague, last contact 2026-11-02)``.

    ``trends``: the report's :func:`trend_index`; a hop along one of our ties with a
    trend then ends in it and its last touch (``- trend 0.80, was 0.90 on ...``).
    """
    a = people.get(hop.from_, hop.from_)
    b = people.get(hop.to, hop.to)
    extra = [f"{hop.strength:.2f}"]
    if hop.context:
        extra.append(hop.context)
    if hop.last_contact:
        extra.append(f"last contact {hop.last_contact.isoformat()}")
    text = f"{a} {VERBS.get((hop.kind, hop.forward), hop.kind)} {b} ({', '.join(extra)})"
    if hop.explanation:  # a deal with touchpoints: where the strength comes from
        text += f" - warmth {hop.explanation}"
    if trends:
        a, b = (hop.from_, hop.to) if hop.from_ < hop.to else (hop.to, hop.from_)
        found = trends.get((a, b, hop.kind))
        if found is not None:
            text += f" - trend {found.trend}; last touch {touch_text(found)}"
    return printable(text)


def path_text(path: IntroductionPath, people: Mapping[str, str]) -> str:
    """``Li Wei -> Liu Yang -> Chen Jun``."""
    return printable(" -> ".join(people.get(p, p) for p in path.people))


def path_summary(path: IntroductionPath) -> str:
    """``warmth 0.54, 2 hops`` plus the blocker label."""
    s = f"warmth {path.warmth:.2f}, {path.hops} hop{'s' * (path.hops != 1)}"
    if path.through_blocker:
        s += ", THROUGH BLOCKER " + printable(", ".join(path.blockers))
    return s


def method_lines(report: DealReport) -> list[str]:
    """The key-account method in plain lines: step, top decision-maker, facts, rivals.

    Reads only the report's fields (``step``, ``temperature``,
    ``top_decision_maker``, ``facts``, ``competitors``, ``left``, and in a deal with
    touchpoints ``visits`` and ``favours``: :func:`cadence_lines`): nothing is
    recomputed here, so the terminal and Markdown say what the JSON says.

    Examples:
        >>> from influence import analyze, read_deal
        >>> method_lines(analyze(read_deal("examples/saas-small.yaml")))[0].startswith("Step ")
        True
    """
    people = names(report)
    step = report.step or "unmapped (see warnings)"
    out = [f"Step {step}; temperature {report.temperature} degrees"]
    top = report.top_decision_maker
    if top is None:
        out.append("Top decision-maker: none named")
    else:
        row = people.get(top)
        state = (row.coverage or "not covered") if row is not None else "not covered"
        out.append(f"Top decision-maker: {label(row, top)} ({state})")
    for fact in report.facts:
        if fact.known:
            source = label(people.get(fact.source), fact.source) if fact.source else "no source"
            age = f"{fact.age_days} days old" if fact.age_days is not None else "undated"
            stale = ", stale" if fact.stale else ""
            out.append(f"Know {fact.item}: {fact.text or ''} (from {source}, {age}{stale})")
        elif fact.required:
            out.append(f"Missing {fact.item} (required at this step)")
    for comp in report.competitors:
        fans = ", ".join(label(people.get(i), i) for i in comp.favoured_by) or "nobody known"
        incumbent = " (incumbent)" if comp.incumbent else ""
        out.append(f"Competitor {comp.name}{incumbent}: favoured by {fans}")
    if report.left:
        out.append("Left the company: " + ", ".join(label(people.get(i), i) for i in report.left))
    out += cadence_lines(report)
    return [printable(line) for line in out]


# -- issue 13: warmth trend -----------------------------------------------------------


def trend_index(report: DealReport) -> dict[tuple[str, str, str], TieTrend]:
    """The report's ``tie_trends`` by ``(one end, the other, kind)``, the ends sorted."""
    out: dict[tuple[str, str, str], TieTrend] = {}
    for row in report.tie_trends:
        a, b = sorted((row.seller, row.customer))
        out.setdefault((a, b, row.kind), row)
    return out


def touch_text(row: TieTrend) -> str:
    """``call on 2026-10-16`` (the kind and day of a tie's last touchpoint), or ``none``."""
    if row.last_touch is None:
        return "none"
    kind = {"email": "e-mail"}.get(row.last_touch_kind or "", row.last_touch_kind or "touch")
    return f"{kind} on {row.last_touch.isoformat()}"


def trend_heading(report: DealReport) -> str | None:
    """The title of the warmth-trend part, or None when no tie of ours has touchpoints.

    ``Cooling ties: 1 of 2 with touchpoints``; ``Cooling ties: none of 2 with touchpoints``.
    """
    rows = report.tie_trends
    if not rows:
        return None
    cooling = sum(r.cooling for r in rows)
    tie = "tie" if len(rows) == 1 else "ties"
    return f"Cooling ties: {cooling or 'none'} of {len(rows)} {tie} with touchpoints"


def trend_lines(report: DealReport) -> list[str]:
    """The warmth-trend part, the answer first: whom to touch, then every tie's trend.

    Reads only ``report.tie_trends`` (the deal graph's trend): nothing is recomputed.
    A cooling tie is an ask (``Touch Zhang Min (CFO): Li Wei's tie is cooling ...``);
    the others say their trend and last touch.

    Examples:
        >>> from influence import analyze, read_deal
        >>> trend_lines(analyze(read_deal("examples/saas-small.yaml")))
        []
    """
    people = names(report)
    as_of = report.deal.as_of
    out = []
    for row in report.tie_trends:
        who = label(people.get(row.customer), row.customer)
        ours = label(people.get(row.seller), row.seller)
        touch = touch_text(row)
        if row.last_touch is not None:
            days = (as_of - row.last_touch).days
            touch += f", {days} day{'s' * (days != 1)} ago"
        if row.cooling:
            out.append(
                f"Touch {who}: {ours}'s tie is cooling, warmth {row.warmth:.2f}, was "
                f"{row.was:.2f} on {row.since.isoformat()} ({row.change:+.2f}); last touch {touch}"
            )
        else:
            out.append(f"{who} - {ours}: warmth {row.trend}; last touch {touch}")
    return [printable(line) for line in out]


def cooling_brief(report: DealReport) -> str | None:
    """Whom to touch, in one line, for the brief note: ``Zhang Min (CFO) (Li Wei's tie)``.

    None when no tie of ours is cooling (or the deal has no touchpoints).
    """
    people = names(report)
    rows = [r for r in report.tie_trends if r.cooling]
    if not rows:
        return None
    return printable(
        ", ".join(
            f"{label(people.get(r.customer), r.customer)} "
            f"({people[r.seller].name if r.seller in people else r.seller}'s tie)"
            for r in rows
        )
    )


#: How the visits view says why a person is key.
KEY_REASON_WORDS = {
    "top_decision_maker": "top decision-maker",
    "decision_maker": "decision-maker",
    "coach": "coach",
}


def cadence_lines(report: DealReport) -> list[str]:
    """The visits per month per key person and the favours ledger (人情), in plain lines.

    Only in a deal with touchpoints (the report's ``visits`` and ``favours``); none
    otherwise, so the reports of other deals do not move.

    Examples:
        >>> from influence import analyze, read_deal
        >>> cadence_lines(analyze(read_deal("examples/saas-small.yaml")))  # no touchpoints
        []
    """
    people = names(report)
    out: list[str] = []
    if report.visits is not None:
        months = report.visits.months
        span = f"{months[0]}..{months[-1]}" if months else ""
        if not report.visits.people:
            out.append(f"Visits per month {span}: no key person (decision-maker or coach)")
        for row in report.visits.people:
            last = row.last.isoformat() if row.last else "never"
            counts = " ".join(str(n) for n in row.counts)
            out.append(
                f"Visits per month {span} to {label(people.get(row.person), row.person)} "
                f"({KEY_REASON_WORDS[row.reason]}): {counts} (total {row.total}; last {last})"
            )
    if report.favours is not None:
        if not report.favours:
            out.append("Favours ledger (人情): no favour or gift recorded")
        for fav in report.favours:
            last = fav.last.isoformat() if fav.last else "never"
            out.append(
                f"Favours ledger (人情) with {label(people.get(fav.person), fav.person)}: "
                f"favours given {fav.favours_given}, asked {fav.favours_asked}; gifts given "
                f"{fav.gifts_given}, received {fav.gifts_received} (last {last})"
            )
    return out
