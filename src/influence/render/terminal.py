"""The terminal report: fits 100 columns, colour only on a terminal."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from influence._printable import printable as _p
from influence.analysis.report import Action, DealReport, PersonRow
from influence.render._text import (
    COVERAGE_STYLE,
    STANCE_STYLE,
    TOP,
    action_codes,
    console_text,
    headline,
    hop_text,
    label,
    method_lines,
    most_influential_first,
    name_map,
    names,
    not_covered_text,
    path_summary,
    path_text,
    plain_console,
    role_holders,
    top_reasons,
    trend_heading,
    trend_index,
    trend_lines,
    wrap_line,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from influence.analysis.paths import IntroductionPath
    from influence.analysis.whatif import WhatIf
    from influence.model import Deal

__all__ = ["paths_text", "to_terminal", "whatif_text"]

MAX_PEOPLE_ROWS = 30
_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_GRADE_STYLE = {"high": "bold white on red", "medium": "bold black on yellow", "low": "bold green"}


def to_terminal(
    report: DealReport, *, width: int = 100, color: bool = False, verbose: bool = False
) -> str:
    """Return the report as text for a terminal, the answer first.

    The first screen holds the grade and score, the main reasons (the signals
    with the most points, in plain words) and the top three next actions; the
    detail follows: role coverage, the people, every signal, the other actions
    and the introduction paths. Text wraps at spaces: a word is folded only
    when it is longer than the line.

    Args:
        report: The report.
        width: Columns to fit (100 by default).
        color: Use ANSI colours (stance and coverage words, severities, the grade).
        verbose: Also show how the score is computed (``report.risk.explanation``).

    Returns:
        The text, deterministic for the same report and options.

    Examples:
        >>> from influence import analyze, read_deal
        >>> text = to_terminal(analyze(read_deal("examples/saas-small.yaml")), width=80)
        >>> [line for line in text.splitlines() if line.startswith("Risk")][0].split()[:3]
        ['Risk', 'MEDIUM', '29/100']
        >>> max(len(line) for line in text.splitlines()) <= 80
        True
    """
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    console = plain_console(out, width, color)
    people = names(report)
    named = name_map(report)
    r = report

    def section(title: str) -> None:
        console.print()
        console.print(Text(title, style="bold underline"))

    console.print(Text(_p(r.deal.name), style="bold"))
    console.print(Text(f"{headline(r)} | as of {r.deal.as_of.isoformat()}", style="dim"))
    if r.assumptions:
        console.print(Text(_p("What if: " + "; ".join(r.assumptions)), style="bold magenta"))
    summary = Text()
    badge = (
        f" Risk {r.risk.grade.upper()} {r.risk.score}/100 "
        if color
        else (f"Risk {r.risk.grade.upper()} {r.risk.score}/100")
    )
    summary.append(badge, _GRADE_STYLE[r.risk.grade])
    summary.append(
        f"  coverage {r.coverage.score:.2f}  support {r.support:+.2f}  "
        f"decision-makers {len(r.decision_makers)} ({not_covered_text(r)})"
    )
    console.print(summary)
    if verbose:
        console.print(Text(_p(r.risk.explanation), style="dim"))

    reasons = top_reasons(r)
    section("Why" if reasons else "Why: no risk signals")
    for s in reasons:
        console.print(_hanging("  - ", Text(_p(s.message)), width))

    top = r.actions[:TOP]
    if len(r.actions) > len(top):
        section(f"Next actions (top {len(top)} of {len(r.actions)})")
    else:
        section(f"Next actions ({len(r.actions)})" if r.actions else "Next actions: none")
    _print_actions(console, r.actions, 0, len(top), width)

    section("Key-account method")
    for fact_line in method_lines(r):
        console.print(_hanging("  ", Text(fact_line), width))

    heading = trend_heading(r)
    if heading is not None:  # a deal with touchpoints: our ties' warmth trend
        section(heading)
        for trend_line in trend_lines(r):
            console.print(_hanging("  - ", Text(trend_line), width))

    section("Role coverage")
    roles = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 2))
    roles.add_column(no_wrap=True)
    roles.add_column(no_wrap=True)
    roles.add_column(overflow="fold", ratio=1)
    for role, status in r.coverage.roles.items():
        holders = role_holders(r, role)
        roles.add_row(
            _p(role), Text(_p(status), COVERAGE_STYLE.get(status, "")), ", ".join(holders) or "-"
        )
    console.print(roles)

    customers = [p for p in r.people if p.side == "customer"]
    ranked = sorted(customers, key=most_influential_first)
    shown = ranked[:MAX_PEOPLE_ROWS]
    section(f"People on the customer side ({len(customers)})")
    for renderable in _people(shown, width):
        console.print(renderable)
    footnote = "* decision-maker; Net = network influence (scores sum to 1)"
    if len(customers) > len(shown):
        footnote += f"; {len(customers) - len(shown)} more not shown (see --json)"
    console.print(Text(footnote, style="dim"))

    section(f"Signals ({len(r.signals)})")
    # contributions list the signals that carry points, in the signals' order
    shares = iter(r.risk.contributions)
    for s in r.signals:
        line = Text()
        line.append(f"{s.severity.upper():<7}", _SEVERITY_STYLE[s.severity])
        line.append(_p(s.code), "bold")
        if s.points:
            line.append(f"  +{s.points} pts, {next(shares).share} of the score")
        console.print(line)
        console.print(Padding(Text(_p(s.message)), (0, 0, 0, 7)))

    if len(r.actions) > len(top):
        section(f"More actions ({len(r.actions) - len(top)})")
        _print_actions(console, r.actions, len(top), len(r.actions), width)

    section("Introduction paths to decision-makers not covered")
    if r.paths_summary is not None:
        console.print(_hanging("  ", Text(r.paths_summary.message()), width))
    if not r.paths and r.paths_summary is None:
        console.print("  none needed: every decision-maker is covered")
    trends = trend_index(r)
    for target, paths in r.paths.items():
        console.print(
            _hanging("  ", Text(f"to {label(people.get(target), target)}", "bold"), width)
        )
        if not paths:
            console.print("    no path from our team within the hop limit")
        for n, path in enumerate(paths, start=1):
            found = f"{path_text(path, named)}  ({path_summary(path)})"
            console.print(_hanging(f"    {n}. ", Text(found), width))
            for hop in path.steps:
                console.print(_hanging("         ", Text(hop_text(hop, named, trends)), width))
    return console_text(out)


def _hanging(prefix: str, text: Text, width: int) -> Table:
    """``prefix`` then ``text``, its wrapped lines indented under the text's start."""
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(no_wrap=True, width=len(prefix))
    grid.add_column(overflow="fold", width=max(width - len(prefix), 1))
    grid.add_row(prefix, text)
    return grid


def _print_actions(
    console: Console, actions: Sequence[Action], start: int, stop: int, width: int
) -> None:
    """Actions ``start`` to ``stop`` (numbered from ``start + 1``), each with its style advice."""
    from rich.text import Text

    for n in range(start, stop):
        a = actions[n]
        text = Text(_p(a.text))
        text.append(" [" + ", ".join(action_codes(a)) + "]", "dim")
        console.print(_hanging(f"{n + 1:>3}. ", text, width))
        if a.advice:
            console.print(_hanging("     ", Text(_p(f"style {a.advice}"), "dim"), width))


#: Columns between two cells of a people table: a space of padding each side and the divider.
_GAP = 3


def _lines(text: str, width: int) -> int:
    """Lines that ``text`` takes wrapped at spaces in ``width`` columns (no word longer)."""
    from rich.cells import cell_len

    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split():
            size = cell_len(word)
            if used and used + 1 + size > width:
                lines, used = lines + 1, size
            else:
                used += size + (1 if used else 0)
    return lines


def _fit(
    columns: Sequence[Sequence[str]], shortest: Sequence[int], room: int, names: int
) -> list[int] | None:
    """Widths of wrapping columns within ``room``, as few table lines as can be.

    Each column is at least as wide as its longest word (``shortest``, at
    least) and the first (the names) at least ``names`` wide, so that a name
    never wraps; the rest of the room is shared to make the fewest lines (ties:
    the first such share, the names' column widest). None when that does not fit.
    """
    from rich.cells import cell_len

    low = [max(s, names) if c == 0 else s for c, s in enumerate(shortest)]
    if sum(low) > room:
        return None
    spare = room - sum(low)
    high = [
        min(max([low[c]] + [cell_len(t) for t in texts]), low[c] + spare)
        for c, texts in enumerate(columns)
    ]
    if sum(high) <= room:  # every cell on one line
        return high
    rows = range(len(columns[0]))
    # lines[c][w - low[c]][row]: the lines of column c's cell in that row at width w
    lines = [
        [[_lines(texts[r], w) for r in rows] for w in range(low[c], high[c] + 1)]
        for c, texts in enumerate(columns)
    ]
    best: tuple[int, list[int]] | None = None
    ranges = [range(high[c], low[c] - 1, -1) for c in range(len(columns) - 1)]
    for head in itertools.product(*ranges):
        rest = room - sum(head)
        if rest < low[-1]:
            continue
        widths = [*head, min(rest, high[-1])]
        total = sum(max(lines[c][widths[c] - low[c]][r] for c in range(len(columns))) for r in rows)
        if best is None or total < best[0]:
            best = (total, widths)
    return None if best is None else best[1]


def _people(rows: Sequence[PersonRow], width: int) -> list[RenderableType]:
    """The people as a table whose columns never split a word, or as a list when none fits.

    A table with a column per field when the names fit on one line beside the
    others at their longest word; else one with each title under its name;
    else (a very narrow terminal) one wrapped line per person.
    """
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    def words(text: str) -> int:
        return max((cell_len(w) for w in text.split()), default=0)

    if not rows:
        return []
    fields = [
        (
            ("* " if p.decision_maker else "") + _p(p.name),
            _p(p.title or ""),
            _p(", ".join(p.roles)),
            f"{p.influence:.2f}",
            f"{p.network_influence:.3f}" if p.network_influence is not None else "",
            _p(p.stance),
            _p(p.coverage or ""),
        )
        for p in rows
    ]
    numbers = [
        max([cell_len(head)] + [cell_len(f[c]) for f in fields])
        for c, head in ((3, "Infl"), (4, "Net"), (5, "Stance"), (6, "Coverage"))
    ]

    name, title, roles = ([f[c] for f in fields] for c in range(3))
    heads = {"Name": cell_len("Name"), "Title": cell_len("Title"), "Roles": cell_len("Roles")}
    names = max(cell_len(n) for n in name)
    stacked = False
    widths = _fit(
        [name, title, roles],
        [
            heads["Name"],
            max(heads["Title"], *map(words, title)),
            max(heads["Roles"], *map(words, roles)),
        ],
        width - _GAP * 6 - sum(numbers),
        names,
    )
    if widths is None:  # the title goes under the name
        stacked = True
        widths = _fit(
            [[f"{n}\n{t}" for n, t in zip(name, title, strict=True)], roles],
            [max(map(words, title)), max(heads["Roles"], *map(words, roles))],
            width - _GAP * 5 - sum(numbers),
            names,
        )
    if widths is None:
        return [_person_line(p, f, width) for p, f in zip(rows, fields, strict=True)]

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    wrapping = ["Name"] + ([] if stacked else ["Title"]) + ["Roles"]
    for head, w in zip(wrapping, widths, strict=True):
        table.add_column(head, width=w, overflow="fold")
    for head, w in zip(("Infl", "Net", "Stance", "Coverage"), numbers, strict=True):
        table.add_column(
            head, width=w, no_wrap=True, justify="right" if head in ("Infl", "Net") else "left"
        )
    for p, f in zip(rows, fields, strict=True):
        if stacked:
            person = Text(f[0])
            if f[1]:
                person.append("\n" + f[1], "dim")
            first: list[RenderableType] = [person]
        else:
            first = [f[0], f[1]]
        table.add_row(
            *first,
            f[2],
            f[3],
            f[4],
            Text(f[5], STANCE_STYLE.get(p.stance, "")),
            Text(f[6], COVERAGE_STYLE.get(p.coverage or "", "")),
        )
    return [table]


def _person_line(person: PersonRow, fields: Sequence[str], width: int) -> Table:
    """One person as a wrapped line, for a terminal too narrow for a table."""
    from rich.text import Text

    name, title, roles, infl, net, stance, coverage = fields
    text = Text(name + (f" ({title})" if title else ""), "bold")
    if roles:
        text.append(f"; {roles}")
    text.append(f"; influence {infl}" + (f", network {net}" if net else "") + "; ")
    text.append(stance, STANCE_STYLE.get(person.stance, ""))
    if coverage:
        text.append(", ")
        text.append(coverage, COVERAGE_STYLE.get(coverage, ""))
    return _hanging("  ", text, width)


def whatif_text(result: WhatIf, *, width: int | None = None) -> str:
    """Return what changes under the assumptions, as ``influence analyze --assume`` prints it.

    One line for the risk before and after, one per resolved and new signal, one
    per person whose best introduction path changed; no final line feed.

    Args:
        result: The outcome of :func:`~influence.analysis.whatif.what_if`.
        width: Wrap longer lines between words at this many columns (continued
            under their text); None: one line each.

    Returns:
        The text (user text escaped, see :func:`~influence._printable.printable`).

    Examples:
        >>> from influence import Deal, what_if
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li", "side": "seller"},
        ...                {"name": "Chen", "roles": ["decision_maker"], "stance": "blocker"}]})
        >>> print(whatif_text(what_if(deal, ["chen=ally"])).splitlines()[0])
        What changes if chen=ally:
    """
    w = result
    lines = [
        "What changes if " + "; ".join(w.assumptions) + ":",
        f"  risk {w.before.risk.grade} {w.before.risk.score} -> {w.after.risk.grade} "
        f"{w.after.risk.score} ({w.score_change:+d})",
    ]
    lines += [f"  resolved: {s.code} {' '.join(s.people)}".rstrip() for s in w.resolved_signals]
    lines += [f"  new:      {s.code} {' '.join(s.people)}".rstrip() for s in w.new_signals]
    for c in w.path_changes:
        before = " -> ".join(c.before.people) if c.before else "none"
        after = " -> ".join(c.after.people) if c.after else "none"
        lines.append(f"  best path to {c.target}: {before} => {after}")
    return "\n".join(wrap_line(_p(line), width, "      ") for line in lines)


def paths_text(paths: Sequence[IntroductionPath], deal: Deal, *, width: int | None = None) -> str:
    r"""Return introduction paths as ``influence paths`` prints them: numbered, hop by hop.

    Args:
        paths: Paths found in ``deal``, warmest first (as
            :func:`~influence.analysis.paths.introduction_paths` returns them).
        deal: The deal, for the people's names.
        width: Wrap longer lines between words at this many columns, continued
            under their text; None: one line per path and per hop.

    Returns:
        One line per path and one per hop (more when wrapped), each ending in
        a line feed; empty when there is no path.

    Examples:
        >>> from influence import introduction_paths, read_deal
        >>> deal = read_deal("examples/saas-small.yaml")
        >>> text = paths_text(introduction_paths(deal, "david-kim", k=1), deal)
        >>> text.startswith("1. ") and text.endswith("\n")
        True
    """
    people = {p.id: p.name for p in deal.people}
    out: list[str] = []
    for n, path in enumerate(paths, start=1):
        head = f"{n}. {path_text(path, people)}  ({path_summary(path)})"
        out.append(wrap_line(head, width, " " * (len(str(n)) + 2)) + "\n")
        out += [
            wrap_line(f"     {hop_text(hop, people)}", width, " " * 7) + "\n" for hop in path.steps
        ]
    return "".join(out)
