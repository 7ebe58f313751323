"""The Markdown report: for CRM notes, e-mail and wikis."""

from __future__ import annotations

import re

from influence.analysis.report import DealReport
from influence.render._text import (
    headline,
    hop_text,
    label,
    most_influential_first,
    name_map,
    names,
    not_covered_text,
    path_summary,
    path_text,
    role_holders,
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


def to_markdown(report: DealReport) -> str:
    """Return the report as GitHub-flavoured Markdown.

    Examples:
        >>> from influence import analyze, read_deal
        >>> md = to_markdown(analyze(read_deal("examples/saas-small.yaml")))
        >>> md.splitlines()[0]
        '# Northwind analytics platform'
    """
    r = report
    people = names(r)
    named = name_map(r)
    out: list[str] = [f"# {_md(r.deal.name)}", ""]
    out.append(_md(f"{headline(r)} | as of {r.deal.as_of.isoformat()}"))
    out.append("")
    if r.assumptions:
        out += ["**What if:** " + _md("; ".join(r.assumptions)), ""]
    out.append(
        f"**Risk {r.risk.grade.upper()} {r.risk.score}/100** | coverage {r.coverage.score:.2f} "
        f"| support {r.support:+.2f} | decision-makers {len(r.decision_makers)} "
        f"({not_covered_text(r)})"
    )
    out += ["", f"_{r.risk.explanation}_", ""]

    out += ["## Signals", ""]
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
        out.append("Every decision-maker is covered.")
    for target, paths in r.paths.items():
        out.append(f"**To {_md(label(people.get(target), target))}**")
        out.append("")
        if not paths:
            out.append("- no path from our team within the hop limit")
        for n, path in enumerate(paths, start=1):
            out.append(f"{n}. {_md(path_text(path, named))} ({_md(path_summary(path))})")
            for hop in path.steps:
                out.append(f"    - {_md(hop_text(hop, named))}")
        out.append("")

    out += ["## Next actions", ""]
    for n, a in enumerate(r.actions, start=1):
        advice = f" _Style {_md(a.advice)}._" if a.advice else ""
        codes = ", ".join(f"`{c}`" for c in a.resolves or [a.signal])
        out.append(f"{n}. {_md(a.text)} ({codes}){advice}")
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
