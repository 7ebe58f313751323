"""The pipeline review command: ``influence review``."""

from __future__ import annotations

import gc
import glob
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from influence import _exit
from influence.cli._app import (
    EXIT_BAD_FILE,
    EXIT_THRESHOLD,
    EXIT_USAGE,
    _err,
    _errors,
    _fail,
    _out,
    _out_data,
    _write_stdout,
    _writing,
    app,
)
from influence.cli.analyze import MIN_WIDTH, FailOn, _color, _width, load_policy


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()


class _Bar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.last = 0.0
        self.drawn = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(share * 30)
        line = f"{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {share:.0%}"
        sys.stderr.write("\r" + line.ljust(self.drawn))
        self.drawn = len(line)
        if done >= total:
            sys.stderr.write("\r" + " " * self.drawn + "\r")
        sys.stderr.flush()


def _bar(label: str, quiet: bool) -> _Bar | None:
    return None if quiet or not _stderr_is_tty() else _Bar(label)


@app.command()
def review(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH",
            help="Deal files, folders (searched recursively) or globs such as 'deals/**/*.yaml'.",
        ),
    ],
    policy: Annotated[
        Path | None, typer.Option(help="A team policy file; each deal's own policy: wins.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"deals", "errors", "totals"} as JSON.')
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV, one row per deal.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print Markdown, for CRM notes or e-mail.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="REPORT.html",
            help="Also write the HTML report, with a map per deal in REPORT-maps/ beside it.",
        ),
    ] = None,
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="With -o: write the per-deal maps.")
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: one per core); 1 runs serially."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS|local",
            help="Run on a Dask cluster: a scheduler address, or 'local' to start one "
            '(pip install "influence[dask]").',
        ),
    ] = None,
    since: Annotated[
        Path | None,
        typer.Option(
            metavar="PREVIOUS.json",
            help="A previous review's --json output: show what changed since.",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(help="Exit 1 if any deal has a signal of this severity or worse."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no notes on stderr.")
    ] = False,
    width: Annotated[
        int | None,
        typer.Option(
            min=MIN_WIDTH,
            help="Columns for the terminal table (default: the terminal's width; "
            "into a pipe $COLUMNS, else 100).",
        ),
    ] = None,
) -> None:
    """Review a pipeline: every deal ranked by risk, with why, and what changed.

    Invalid files do not stop the review: they are listed with their located
    problems (on stderr, and under "errors" in --json) and the exit code is 3.
    Exit codes: 0 ok, 1 --fail-on tripped, 2 usage (such as a PATH that does
    not exist), 3 an invalid deal, policy or --since file (a deal that crashes its worker
    is listed too), 4 Dask unavailable or worker processes that die as they start.

    Examples:

    \b
      influence review deals/
      influence review 'deals/**/*.yaml' --json > this-week.json
      influence review deals/ --since last-week.json -o review.html
      influence review deals/ --csv > pipeline.csv
      influence review deals/ --dask local --workers 8 --fail-on high
    """
    if sum((as_json, as_csv, markdown)) > 1:
        raise typer.BadParameter("choose one of --json, --csv and --markdown")
    if output is not None and output.suffix.lower() not in (".html", ".htm"):
        raise typer.BadParameter(
            f"{output}: the report is HTML; name it REPORT.html (use --json, --csv or "
            "--markdown with > for the other formats)",
            param_hint="'-o'",
        )
    missing = [p for p in paths if not os.path.exists(p) and not glob.has_magic(p)]
    if missing:
        _fail("no such file or folder: " + ", ".join(missing), EXIT_USAGE)
    from influence.batch.engine import forked_workers
    from influence.batch.review import iter_review_json, review_run

    # This command is guarded and runs no threads: its workers can be forked, warm.
    with _errors(), forked_workers():
        team = load_policy(policy)
        run = review_run(
            paths,
            policy=team,
            workers=workers,
            dask=dask,
            since=since,
            progress=_bar("Reviewing", quiet),
        )
    result = run.result
    # The rows stay until the process exits: the collector need not walk them again (at
    # exit, it would; a tenth of a second for 2,000 deals). Only in the command line's
    # own process: a caller running the command in its process keeps its collector.
    if _exit.in_command_line():
        gc.freeze()
    if not result.deals and not result.errors:
        _fail("no deal files (.yaml, .yml, .json) in " + ", ".join(paths), EXIT_USAGE)
    for error in result.errors:
        for message in error.messages:
            _err(message)
    if as_json:
        for piece in iter_review_json(run):  # printable JSON already: as it is
            _write_stdout(piece, nl=False)
    elif as_csv:
        from influence.render.review import to_review_csv

        _out_data(to_review_csv(result), nl=False)
    elif markdown:
        from influence.render.review import to_review_markdown

        _out(to_review_markdown(result), nl=False)
    else:
        from influence.render.review import to_review_terminal

        color = _color()
        text = to_review_terminal(result, width=_width(width), color=color)
        _out(text, nl=False, color=color)
    if output is not None:
        from influence.batch.maps import write_review_html

        with _errors(), _writing(output), forked_workers():
            written = write_review_html(
                result,
                output,
                maps=maps,
                policy=team,
                workers=workers,
                dask=dask,
                progress=_bar("Drawing maps", quiet),
                on_missing_map=lambda file, why: _err(f"warning: {file}: no map: {why}"),
            )
        if not quiet:
            n = len(written) - 1
            note = f"wrote {output}"
            if maps and result.deals:
                note += f" and {n} map{'s' * (n != 1)} in {output.parent / (output.stem + '-maps')}"
            _err(note)
    if result.errors:
        n = len(result.errors)
        _fail(f"{n} file{'s' * (n != 1)} not reviewed (see above)", EXIT_BAD_FILE)
    if fail_on is not None:
        from influence.analysis.severity import signals_at_or_above

        worst = [d for d in result.deals if signals_at_or_above(d.signal_details, fail_on.value)]
        if worst:
            _fail(
                f"{len(worst)} deal{'s' * (len(worst) != 1)} with a signal at or above "
                f"{fail_on.value} (--fail-on {fail_on.value})",
                EXIT_THRESHOLD,
            )
