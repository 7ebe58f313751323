"""The terminal report: fits 100 columns, colour only on a terminal."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from influence._printable import printable as _p
from influence.analysis.report import DealReport
from influence.render._text import (
    console_text,
    headline,
    hop_text,
    label,
    most_influential_first,
    name_map,
    names,
    not_covered_text,
    path_summary,
    path_text,
    plain_console,
    role_holders,
)

if TYPE_CHECKING:
    from influence.analysis.paths import IntroductionPath
    from influence.analysis.whatif import WhatIf
    from influence.model import Deal

__all__ = ["paths_text", "to_terminal", "whatif_text"]

MAX_PEOPLE_ROWS = 30
_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_GRADE_STYLE = {"high": "bold white on red", "medium": "bold black on yellow", "low": "bold green"}


def to_terminal(report: DealReport, *, width: int = 100, color: bool = False) -> str:
    """Return the report as text for a terminal.

    Args:
        report: The report.
        width: Columns to fit (100 by default).
        color: Use ANSI colours.

    Returns:
        The text, deterministic for the same report and options.

    Examples:
        >>> from influence import analyze, read_deal
        >>> text = to_terminal(analyze(read_deal("examples/saas-small.yaml")))
        >>> "Risk" in text and max(len(line) for line in text.splitlines()) <= 100
        True
    """
    from rich import box
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    console = plain_console(out, width, color)
    people = names(report)
    named = name_map(report)
    r = report
    console.print(Text(_p(r.deal.name), style="bold"))
    console.print(Text(f"{headline(r)} | as of {r.deal.as_of.isoformat()}", style="dim"))
    if r.assumptions:
        console.print(Text(_p("What if: " + "; ".join(r.assumptions)), style="bold magenta"))
    summary = Text()
    summary.append(f" Risk {r.risk.grade.upper()} {r.risk.score}/100 ", _GRADE_STYLE[r.risk.grade])
    summary.append(
        f"  coverage {r.coverage.score:.2f}  support {r.support:+.2f}  "
        f"decision-makers {len(r.decision_makers)} ({not_covered_text(r)})"
    )
    console.print(summary)
    console.print(Text(_p(r.risk.explanation), style="dim"))

    console.print()
    console.print(Text("Role coverage", style="bold underline"))
    roles = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 2))
    roles.add_column(no_wrap=True)
    roles.add_column(no_wrap=True)
    roles.add_column(overflow="fold", ratio=1)
    for role, status in r.coverage.roles.items():
        holders = role_holders(r, role)
        roles.add_row(_p(role), _p(status), ", ".join(holders) or "-")
    console.print(roles)

    console.print()
    customers = [p for p in r.people if p.side == "customer"]
    ranked = sorted(customers, key=most_influential_first)
    shown = ranked[:MAX_PEOPLE_ROWS]
    console.print(Text(f"People on the customer side ({len(customers)})", style="bold underline"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Name", overflow="fold", ratio=3)
    table.add_column("Title", overflow="fold", ratio=2)
    table.add_column("Roles", overflow="fold", ratio=3)
    table.add_column("Infl", justify="right", no_wrap=True)
    table.add_column("Net", justify="right", no_wrap=True)
    table.add_column("Stance", no_wrap=True)
    table.add_column("Coverage", no_wrap=True)
    for p in shown:
        table.add_row(
            ("* " if p.decision_maker else "") + _p(p.name),
            _p(p.title or ""),
            _p(", ".join(p.roles)),
            f"{p.influence:.2f}",
            f"{p.network_influence:.3f}" if p.network_influence is not None else "",
            _p(p.stance),
            _p(p.coverage or ""),
        )
    console.print(table)
    footnote = "* decision-maker; Net = network influence (scores sum to 1)"
    if len(customers) > len(shown):
        footnote += f"; {len(customers) - len(shown)} more not shown (see --json)"
    console.print(Text(footnote, style="dim"))

    console.print()
    console.print(Text(f"Signals ({len(r.signals)})", style="bold underline"))
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

    console.print()
    console.print(Text("Introduction paths to decision-makers not covered", style="bold underline"))
    if r.paths_summary is not None:
        console.print(f"  {r.paths_summary.message()}")
    if not r.paths and r.paths_summary is None:
        console.print("  none needed: every decision-maker is covered")
    for target, paths in r.paths.items():
        console.print(Text(f"  to {label(people.get(target), target)}", style="bold"))
        if not paths:
            console.print("    no path from our team within the hop limit")
        for n, path in enumerate(paths, start=1):
            console.print(f"    {n}. {path_text(path, named)}  ({path_summary(path)})")
            for hop in path.steps:
                console.print(f"         {hop_text(hop, named)}")

    console.print()
    console.print(Text(f"Next actions ({len(r.actions)})", style="bold underline"))
    actions = Table.grid(padding=(0, 1, 0, 0))
    actions.add_column(justify="right", no_wrap=True)
    actions.add_column(overflow="fold", ratio=1)
    for n, a in enumerate(r.actions, start=1):
        codes = ", ".join(a.resolves or [a.signal])
        actions.add_row(f"{n:>3}.", Text(_p(f"{a.text} [{codes}]")))
        if a.advice:
            actions.add_row("", Text(_p(f"style {a.advice}"), style="dim"))
    console.print(actions)
    return console_text(out)


def whatif_text(result: WhatIf) -> str:
    """Return what changes under the assumptions, as ``influence analyze --assume`` prints it.

    One line for the risk before and after, one per resolved and new signal, one
    per person whose best introduction path changed; no final line feed.

    Args:
        result: The outcome of :func:`~influence.analysis.whatif.what_if`.

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
    return _p("\n".join(lines), lines=True)


def paths_text(paths: Sequence[IntroductionPath], deal: Deal) -> str:
    r"""Return introduction paths as ``influence paths`` prints them: numbered, hop by hop.

    Args:
        paths: Paths found in ``deal``, warmest first (as
            :func:`~influence.analysis.paths.introduction_paths` returns them).
        deal: The deal, for the people's names.

    Returns:
        One line per path and one per hop, each ending in a line feed; empty
        when there is no path.

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
        out.append(f"{n}. {path_text(path, people)}  ({path_summary(path)})\n")
        out += [f"     {hop_text(hop, people)}\n" for hop in path.steps]
    return "".join(out)
