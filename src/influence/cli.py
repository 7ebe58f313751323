"""The ``influence`` command line: a thin face over the library.

This is the only module that prints, exits or reads the environment. It keeps
start-up quick: heavy modules (networkx, pyvis) are imported inside the
commands that need them.

Exit codes (the README lists them too): 0 ok, 1 a ``--fail-on`` threshold
tripped, 2 usage error, 3 bad deal or policy file, 4 other domain error
(such as an unknown person id).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from influence.errors import Problem

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_BAD_FILE = 3
EXIT_DOMAIN = 4

app = typer.Typer(
    name="influence",
    help=(
        "Map the people who decide a B2B deal: coverage gaps, deal risk with explained "
        "signals, warm introduction paths, offline HTML maps.\n\n"
        "Example: influence analyze examples/saas-small.yaml"
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"influence {version('influence')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Map the people who decide a B2B deal."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(message: str, code: int) -> NoReturn:
    _err(message)
    raise typer.Exit(code)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Map library errors to exit codes, in one place."""
    from influence.errors import DealFileError, InfluenceError

    try:
        yield
    except DealFileError as err:
        for problem in err.problems:
            _err(str(problem))
        n = len(err.problems)
        _fail(f"{err.path}: invalid ({n} problem{'s' * (n != 1)})", EXIT_BAD_FILE)
    except InfluenceError as err:
        _fail(f"error: {err}", EXIT_DOMAIN)


# -- deal files ----------------------------------------------------------------------


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Deal files (.yaml, .yml, .json).")],
    strict: Annotated[bool, typer.Option(help="Count warnings as errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Check deal files: every problem, located, with a suggestion.

    Prints one line per file on stdout and each problem as FILE:LINE:COL on stderr.
    Exits 3 if any file is invalid.

    Example: influence validate examples/*.yaml
    """
    from influence.io import check_deal

    bad = 0
    results = []
    for f in files:
        result = check_deal(f)
        failed = not result.ok or (strict and bool(result.warnings))
        bad += failed
        results.append(result)
        if as_json:
            continue
        for problem in result.problems:
            _err(str(problem))
        if result.deal is not None and result.ok:
            d = result.deal
            note = _count(len(result.warnings), "warning")
            typer.echo(
                f"{'FAIL' if failed else 'ok  '} {f}: {_count(len(d.people), 'person', 'people')}, "
                f"{_count(len(d.relationships), 'relationship')}" + (f", {note}" if note else "")
            )
        else:
            typer.echo(f"FAIL {f}: {_count(len(result.errors), 'error')}")
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "file": r.path,
                        "ok": r.ok,
                        "problems": [_problem_json(p) for p in r.problems],
                    }
                    for r in results
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
    if bad:
        raise typer.Exit(EXIT_BAD_FILE)


def _problem_json(p: Problem) -> dict[str, object]:
    return {
        "file": p.file,
        "line": p.line,
        "column": p.column,
        "field": p.field,
        "message": p.message,
        "severity": p.severity,
    }


def _count(n: int, one: str, many: str | None = None) -> str:
    if n == 0 and one == "warning":
        return ""
    return f"{n} {one if n == 1 else (many or one + 's')}"


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the deal file, for editor completion and checks.

    Example: influence schema -o deal.schema.json, then start a deal file with
    '# yaml-language-server: $schema=deal.schema.json'.
    """
    from influence.io import deal_schema, write_text

    text = json.dumps(deal_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        with _errors():
            write_text(output, text)
        _err(f"wrote {output}")


@app.command()
def new(
    file: Annotated[Path, typer.Argument(help="The deal file to create (.yaml).")],
    name: Annotated[str, typer.Option(help="The deal's name.")] = "New deal",
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
) -> None:
    """Create a commented starter deal that validates, to fill in by hand.

    Example: influence new acme.yaml --name "ACME ERP" && influence validate acme.yaml
    """
    from importlib.resources import files

    from influence.io import write_text

    if file.suffix.lower() not in (".yaml", ".yml"):
        _fail(f"error: {file}: the starter deal is YAML; name it *.yaml", EXIT_USAGE)
    if file.exists() and not force:
        _fail(f"error: {file} exists; pass --force to overwrite it", EXIT_USAGE)
    template = files("influence").joinpath("templates/starter.yaml").read_text("utf-8")
    text = (
        template.replace("{filename}", str(file))
        .replace("{name}", json.dumps(name, ensure_ascii=False))
        .replace("{today}", date.today().isoformat())
    )
    with _errors():
        write_text(file, text)
    _err(f"wrote {file}; next: influence validate {file}")


def main() -> None:
    """Run the command line (the ``influence`` console script)."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        _err("interrupted")
        sys.exit(130)
