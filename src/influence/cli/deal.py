"""Commands about deal files: validate, schema, new."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from influence.cli._app import (
    EXIT_BAD_FILE,
    EXIT_USAGE,
    _err,
    _fail,
    _out,
    _out_json,
    _writing,
    app,
)

if TYPE_CHECKING:
    from influence.errors import Problem


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Deal files (.yaml, .yml, .json).")],
    strict: Annotated[bool, typer.Option(help="Count warnings as errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Check deal files: every problem, located, with a suggestion.

    Prints one line per file on stdout and each problem as FILE:LINE:COL on stderr.
    Exits 3 if any file is invalid.

    Examples:

    \b
      influence validate examples/*.yaml
      influence validate --strict --json deal.yaml
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
            _out(
                f"{'FAIL' if failed else 'ok  '} {f}: {_count(len(d.people), 'person', 'people')}, "
                f"{_count(len(d.relationships), 'relationship')}" + (f", {note}" if note else "")
            )
        else:
            _out(f"FAIL {f}: {_count(len(result.errors), 'error')}")
    if as_json:
        _out_json(
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

    Example:

    \b
      influence schema -o deal.schema.json
      then start a deal file with: # yaml-language-server: $schema=deal.schema.json
    """
    from influence.io import deal_schema, write_text

    text = json.dumps(deal_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        _out_json(text, nl=False)
    else:
        with _writing(output):
            write_text(output, text)
        _err(f"wrote {output}")


@app.command()
def new(
    file: Annotated[Path, typer.Argument(help="The deal file to create (.yaml).")],
    name: Annotated[str, typer.Option(help="The deal's name.")] = "New deal",
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
) -> None:
    """Create a commented starter deal that validates, to fill in by hand.

    Example:

    \b
      influence new acme.yaml --name "ACME ERP" && influence validate acme.yaml
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
    with _writing(file):
        write_text(file, text)
    _err(f"wrote {file}; next: influence validate {file}")
