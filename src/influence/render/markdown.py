"""The Markdown report: for CRM notes, e-mail and wikis."""

from __future__ import annotations

import re

from influence.analysis.report import Action, DealReport
from influence.render._text import (
    TOP,
    action_codes,
    cooling_brief,
    headline,
    hop_text,
    label,
    method_lines,
    most_influential_first,
    name_map,
    names,
    not_covered_text,
    not_reached,
    path_summary,
    path_text,
    role_holders,
    top_reasons,
    trend_heading,
    trend_index,
    trend_lines,
)

__all__ = ["to_markdown"]


_SPECIAL = re.compile(r"([\\`*\[\]<]|(?<!\w)_|_(?!\w))")


def _md(text: str) -> str:
    """User text made literal in Markdown: punctuation escaped, line breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _cell(text: str) -> str:
    r"""User text made literal in Markdown, also inside a table cell.

    Markdown punctuation is backslash-escaped, so a name such as
    ``<img src=x onerror=...>`` or ``*boss*`` shows as typed and never becomes
    HTML, a link or emphasis in a wiki or CRM note; line breaks become spaces.

    Examples:
        >>> print(_cell("<b>Li | *Wei*</b> decision_maker"))
        \<b>Li \| \*Wei\*\</b> decision_maker
    """
    return _md(text).replace("|", "\\|")


def to_markdown(report: DealReport, *, brief: bool = False) -> str:
    """Return the report as GitHub-flavoured Markdown, the next actions first.

    The full report: the grade and score, every next action, then the signals
    (with how the score is computed), role coverage, introduction paths and the
    people. ``brief=True`` gives a note of about 15 lines and no tables, for a
    CRM note field: a title line with the grade and score, the main reasons,
    the top three actions (each the ask itself) and who is not reached.

    Args:
        report: The report.
        brief: The short note instead of the full report.

    Returns:
        The Markdown, ending in a line feed; user text is literal (escaped), never markup.

    Examples:
        >>> from influence import analyze, read_deal
        >>> report = analyze(read_deal("examples/saas-small.yaml"))
        >>> to_markdown(report).splitlines()[0]
        '# Northwind analytics platform'
        >>> note = to_markdown(report, brief=True)
        >>> note.splitlines()[0]
        '**Northwind analytics platform: risk MEDIUM 29/100**'
        >>> lines = note.splitlines()
        >>> len(lines) <= 20 and not any(line.startswith("|") for line in lines)
        True
    """
    return _brief(report) if brief else _full(report)


def _risk_line(r: DealReport) -> str:
    return (
        f"**Risk {r.risk.grade.upper()} {r.risk.score}/100** | coverage {r.coverage.score:.2f} "
        f"| support {r.support:+.2f} | decision-makers {len(r.decision_makers)} "
        f"({not_covered_text(r)})"
    )


def _action(a: Action, *, advice: bool = True) -> str:
    codes = ", ".join(f"`{code}`" for code in action_codes(a))
    style = f" _Style {_md(a.advice)}._" if advice and a.advice else ""
    return f"{_md(a.text)} ({codes}){style}"


def _brief(r: DealReport) -> str:
    """The short note: no table, no heading, about 15 lines."""
    out = [
        f"**{_md(r.deal.name)}: risk {r.risk.grade.upper()} {r.risk.score}/100**",
        "",
        _md(f"{headline(r)} | as of {r.deal.as_of.isoformat()}"),
        "",
    ]
    if r.assumptions:
        out += ["**What if:** " + _md("; ".join(r.assumptions)), ""]
    reasons = top_reasons(r)
    if reasons:
        out.append("**Why**")
        out += [f"- {_md(s.message)}" for s in reasons]
    else:
        out.append("**Why**: no risk signals.")
    out.append("")
    top = r.actions[:TOP]
    if top:
        out.append("**Next**")
        out += [f"{n}. {_action(a, advice=False)}" for n, a in enumerate(top, start=1)]
    else:
        out.append("**Next**: nothing to do.")
    out.append("")
    missing, stale = not_reached(r)
    if missing or stale:
        parts = [", ".join(missing)] if missing else []
        if stale:
            parts.append("only by stale ties: " + ", ".join(stale))
        out.append("**Not reached:** " + _md("; ".join(parts)) + ".")
    else:
        out.append("**Not reached:** none; we reach every decision-maker.")
    cooling = cooling_brief(r)
    if cooling is not None:  # a deal with touchpoints: the ties to warm up first
        out.append("**Cooling, touch:** " + _md(cooling) + ".")
    if len(r.actions) > len(top):
        more = len(r.actions) - len(top)
        out += ["", f"{more} more action{'s' * (more != 1)} in the full report."]
    out.append("")
    return "\n".join(out)


def _full(r: DealReport) -> str:
    people = names(r)
    named = name_map(r)
    out: list[str] = [f"# {_md(r.deal.name)}", ""]
    out.append(_md(f"{headline(r)} | as of {r.deal.as_of.isoformat()}"))
    out.append("")
    if r.assumptions:
        out += ["**What if:** " + _md("; ".join(r.assumptions)), ""]
    out += [_risk_line(r), ""]

    out += ["## Next actions", ""]
    for n, a in enumerate(r.actions, start=1):
        out.append(f"{n}. {_action(a)}")
    if not r.actions:
        out.append("Nothing to do.")
    out.append("")

    out += ["## Key-account method", ""]
    out += [f"- {_md(line)}" for line in method_lines(r)]
    out.append("")

    heading = trend_heading(r)
    if heading is not None:  # a deal with touchpoints: our ties' warmth trend
        out += [f"## {heading}", ""]
        out += [f"- {_md(line)}" for line in trend_lines(r)]
        out.append("")

    out += ["## Signals", "", f"_{r.risk.explanation}_", ""]
    if r.signals:
        out += ["| Severity | Signal | Points | What |", "|---|---|---:|---|"]
        for s in r.signals:
            out.append(f"| {s.severity} | `{s.code}` | {s.points} | {_cell(s.message)} |")
    else:
        out.append("No signals.")
    out.append("")

    out += ["## Role coverage", "", "| Role | Status | Held by |", "|---|---|---|"]
    for role, status in r.coverage.roles.items():
        holders = role_holders(r, role)
        out.append(f"| {role} | {status} | {_cell(', '.join(holders) or '-')} |")
    out.append("")

    out += ["## Introduction paths", ""]
    if r.paths_summary is not None:
        out += [f"{_md(r.paths_summary.message().capitalize())}.", ""]
    if not r.paths and r.paths_summary is None:
        out += ["Every decision-maker is covered.", ""]
    trends = trend_index(r)
    for target, paths in r.paths.items():
        out.append(f"**To {_md(label(people.get(target), target))}**")
        out.append("")
        if not paths:
            out.append("- no path from our team within the hop limit")
        for n, path in enumerate(paths, start=1):
            out.append(f"{n}. {_md(path_text(path, named))} ({_md(path_summary(path))})")
            for hop in path.steps:
                out.append(f"    - {_md(hop_text(hop, named, trends))}")
        out.append("")

    customers = sorted((p for p in r.people if p.side == "customer"), key=most_influential_first)
    out += [
        "## People",
        "",
        "| Name | Title | Roles | Influence | Network | Stance | Coverage |",
        "|---|---|---|---:|---:|---|---|",
    ]
    for p in customers:
        net = f"{p.network_influence:.3f}" if p.network_influence is not None else ""
        name = ("**" + _cell(p.name) + "**") if p.decision_maker else _cell(p.name)
        out.append(
            f"| {name} | {_cell(p.title or '')} | {', '.join(p.roles)} | {p.influence:.2f} "
            f"| {net} | {p.stance} | {p.coverage or ''} |"
        )
    out += ["", "Bold: decision-maker. Network: network influence (scores sum to 1).", ""]
    return "\n".join(out)
