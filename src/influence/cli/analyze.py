"""Commands about one deal's analysis: analyze, paths."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from influence import _exit
from influence.cli._app import (
    EXIT_THRESHOLD,
    _err,
    _errors,
    _out,
    _out_json,
    _stdout_is_tty,
    app,
)

if TYPE_CHECKING:
    from influence.model import Policy


class FailOn(StrEnum):
    """Severity thresholds for ``--fail-on``."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


def _color() -> bool:
    """Colour only on a terminal, and not with NO_COLOR set or TERM=dumb (no-color.org)."""
    return _stdout_is_tty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


#: Columns of the text reports when the output is not a terminal and $COLUMNS is unset.
DEFAULT_WIDTH = 100
MIN_WIDTH = 20


def _width(option: int | None) -> int:
    """Columns for a text report: ``--width``, else the terminal's, else $COLUMNS, else 100.

    Into a pipe or a file there is no terminal to measure: $COLUMNS when it is
    set (as some shells export it), else :data:`DEFAULT_WIDTH`.
    """
    if option is not None:
        return option
    if _stdout_is_tty():
        import shutil

        columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    else:
        text = os.environ.get("COLUMNS", "")
        columns = int(text) if text.isdigit() else DEFAULT_WIDTH
    return max(columns, MIN_WIDTH)


def load_policy(path: Path | None) -> Policy | None:
    """Read ``--policy FILE`` (errors are located like a deal file's)."""
    if path is None:
        return None
    from influence.io import read_policy

    return read_policy(path)


def _dump(data: Any) -> None:
    _out_json(json.dumps(data, indent=2, ensure_ascii=False))


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (the spec's shape).")
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print Markdown, for CRM notes or e-mail.")
    ] = False,
    policy: Annotated[
        Path | None, typer.Option(help="A team policy file; the deal's own policy: wins.")
    ] = None,
    assume: Annotated[
        list[str] | None,
        typer.Option(
            "--assume",
            "-a",
            metavar="ASSUMPTION",
            help="What-if, repeatable: ID=STANCE, ID.influence=high, A~B=strong "
            "(a recent knows tie), 'A>B=0.7' (influences).",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(help="Exit 1 if a signal of this severity or worse exists."),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            min=MIN_WIDTH,
            help="Columns for the terminal report (default: the terminal's width; "
            "into a pipe $COLUMNS, else 100).",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="Also show how the score is computed, e.g. influence analyze deal.yaml --verbose.",
        ),
    ] = False,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="With --markdown: a short note (about 15 lines, no tables) for a CRM "
            "field, e.g. influence analyze deal.yaml --markdown --brief.",
        ),
    ] = False,
) -> None:
    """Analyse a deal: the answer first (grade, score, why, the top three actions), then the detail.

    The detail: role coverage, the people, every signal, the other actions and
    the introduction paths.

    Examples:

    \b
      influence analyze examples/saas-small.yaml
      influence analyze deal.yaml --verbose --width 80
      influence analyze deal.yaml --markdown > notes.md
      influence analyze deal.yaml --markdown --brief
      influence analyze deal.yaml --json --fail-on high
      influence analyze deal.yaml --assume zhang-min=ally --assume li-wei~chen-jun=strong
    """
    if as_json and markdown:
        raise typer.BadParameter("choose one of --json and --markdown")
    if brief and not markdown:
        raise typer.BadParameter("--brief goes with --markdown", param_hint="'--brief'")
    from influence.analysis.report import analyze as run
    from influence.io import read_deal

    # The deal, its report and the parsed file are left to the OS to free (influence._exit).
    with _exit.keeping():
        with _errors():
            team = load_policy(policy)
            deal = read_deal(file)
            whatif = None
            if assume:
                from influence.analysis.whatif import what_if

                whatif = what_if(deal, list(assume), team)
                report = whatif.after
            else:
                report = run(deal, team)
            _exit.keep(deal, report, whatif)
        if as_json:
            if whatif is None:
                from influence._json import model_json

                _out_json(model_json(report))
            else:
                data = report.model_dump(mode="json")
                data["what_if"] = whatif.to_data()
                _dump(data)
        elif markdown:
            from influence.render.markdown import to_markdown

            _out(to_markdown(report, brief=brief), nl=False)
            if whatif is not None:
                from influence.render.terminal import whatif_text

                _out(whatif_text(whatif))
        else:
            from influence.render.terminal import to_terminal, whatif_text

            color = _color()
            columns = _width(width)
            text = to_terminal(report, width=columns, color=color, verbose=verbose)
            _out(text, nl=False, color=color)
            if whatif is not None:
                _out("\n" + whatif_text(whatif, width=columns))
        if fail_on is not None:
            from influence.analysis.severity import signals_at_or_above

            worst = signals_at_or_above(report.signals, fail_on.value)
            if worst:
                _err(
                    f"{file}: {len(worst)} signal{'s' * (len(worst) != 1)} at or above "
                    f"{fail_on.value} (--fail-on {fail_on.value})"
                )
                raise typer.Exit(EXIT_THRESHOLD)


@app.command()
def paths(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    target: Annotated[str, typer.Argument(help="Id of the person to reach.")],
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="ID",
            help="Start only from this person (repeatable). Default: our team.",
        ),
    ] = None,
    k: Annotated[int | None, typer.Option("-k", min=1, help="How many paths (default 3).")] = None,
    max_hops: Annotated[
        int | None, typer.Option(min=1, max=20, help="Longest path, in ties (default 4).")
    ] = None,
    allow_blockers: Annotated[bool, typer.Option(help="Let paths pass through blockers.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    policy: Annotated[Path | None, typer.Option(help="A team policy file.")] = None,
    width: Annotated[
        int | None,
        typer.Option(
            min=MIN_WIDTH,
            help="Wrap lines between words at N columns (default: the terminal's "
            "width; into a pipe $COLUMNS, else 100).",
        ),
    ] = None,
) -> None:
    """Show the warmest introduction paths from our team to one person.

    Examples:

    \b
      influence paths deal.yaml chen-jun
      influence paths deal.yaml chen-jun --from li-wei -k 5 --max-hops 3 --json
    """
    from influence.analysis.paths import introduction_paths, path_options, paths_message
    from influence.io import read_deal

    with _errors():
        team = load_policy(policy)
        deal = read_deal(file)
        options = path_options(
            deal.effective_policy(team), k=k, max_hops=max_hops, allow_blockers=allow_blockers
        )
        hops, avoid = options.max_hops, options.avoid_blockers
        found = introduction_paths(
            deal,
            target,
            k=options.k,
            max_hops=hops,
            avoid_blockers=avoid,
            sources=source or None,
            policy=team,
        )
    message = paths_message(found, target, hops, avoid_blockers=avoid)
    if as_json:
        _dump({"target": target, "paths": [p.model_dump(mode="json") for p in found]})
    else:
        from influence.render.terminal import paths_text

        _out(paths_text(found, deal, width=_width(width)), nl=False)
    if message:
        _err(message)
