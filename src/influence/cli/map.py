"""The ``influence map`` command: an offline, interactive HTML map of one deal."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from influence import _exit
from influence.cli._app import EXIT_USAGE, _err, _errors, _fail, _writing, app
from influence.cli.analyze import load_policy


class LayoutChoice(StrEnum):
    """How people are placed on the map."""

    ORG = "org"
    FORCE = "force"


@app.command(name="map")
def map_(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The HTML file to write (nothing else is written)."),
    ],
    path_to: Annotated[
        list[str] | None,
        typer.Option(
            "--path-to",
            metavar="ID",
            help="Highlight the introduction paths to this person (repeatable). "
            "Default: the paths to the decision-makers we do not cover.",
        ),
    ] = None,
    layout: Annotated[
        LayoutChoice,
        typer.Option(help="org: a tree by reports_to; force: a seeded spring layout."),
    ] = LayoutChoice.ORG,
    redact: Annotated[
        bool,
        typer.Option(
            help="For sharing outside the team: initials instead of names, no notes, "
            "no free-text tie contexts, no titles or account name (see --keep-titles); "
            "signals and actions keep their words and roles."
        ),
    ] = False,
    keep_titles: Annotated[
        bool,
        typer.Option("--keep-titles", help="With --redact, keep job titles and the account name."),
    ] = False,
    policy: Annotated[
        Path | None, typer.Option(help="A team policy file; the deal's own policy: wins.")
    ] = None,
) -> None:
    """Write an interactive HTML map of a deal: one file that works offline.

    Stance by colour and mark, influence by size, our team and partners by
    shape, decision-makers starred, coverage by the ring; search, filters,
    click a person for their ties, introduction paths in the side panel.

    Example:

    \b
      influence map examples/enterprise-committee.yaml -o map.html
      influence map deal.yaml -o map.html --path-to chen-jun --layout force
      influence map deal.yaml -o share.html --redact
      influence map deal.yaml -o share.html --redact --keep-titles
    """
    if output.is_dir():
        _fail(f"error: {output} is a folder; give a file name such as map.html", EXIT_USAGE)
    if not output.parent.is_dir():
        _fail(f"error: cannot write {output}: no folder {output.parent}", EXIT_USAGE)
    # The deal, its analysis and the page are many small objects that all live until
    # the page is written; the cyclic garbage collector would walk them again and again
    # (a third of the time of a 5,000-person map) and find nothing to free: it is off
    # while they are built. Memory use does not change.
    from influence._gc import gc_paused

    # One deal: its objects are left to the OS to free when the command ends (_exit).
    with _exit.keeping():
        with gc_paused():
            page, people = _render(file, path_to, layout, redact, policy, keep_titles)
        from influence.io import write_text

        with _writing(output):
            write_text(output, page)
        _exit.keep(page)
    _err(f"wrote {output} ({people} people{', redacted' if redact else ''})")


def _render(
    file: Path,
    path_to: list[str] | None,
    layout: LayoutChoice,
    redact: bool,
    policy: Path | None,
    keep_titles: bool = False,
) -> tuple[str, int]:
    """The page and how many people it shows (exits with the documented code on bad input)."""
    from influence.io import read_deal
    from influence.render.html import to_html

    with _errors():
        team = load_policy(policy)
        deal = read_deal(file)
        page = to_html(
            deal,
            path_to=list(path_to) if path_to else None,
            layout=layout.value,
            redact=redact,
            keep_titles=keep_titles,
            policy=team,
        )
        _exit.keep(deal)
    return page, len(deal.people)
