"""Commands about deal files: validate, schema, new."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated

import typer

from influence import _exit
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
        # One file: its objects are left to the OS to free when the command ends.
        with _exit.keeping() if len(files) == 1 else contextlib.nullcontext():
            result = check_deal(f)
            _exit.keep(result)
        bad += not result.passed(strict=strict)
        if as_json:
            results.append(result.to_data())
            continue
        for problem in result.problems:
            _err(str(problem))
        _out(result.summary(strict=strict))
    if as_json:
        _out_json(json.dumps(results, indent=2, ensure_ascii=False))
    if bad:
        raise typer.Exit(EXIT_BAD_FILE)


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
    from influence.io import starter_deal, write_text

    if file.suffix.lower() not in (".yaml", ".yml"):
        _fail(f"error: {file}: the starter deal is YAML; name it *.yaml", EXIT_USAGE)
    if file.exists() and not force:
        _fail(f"error: {file} exists; pass --force to overwrite it", EXIT_USAGE)
    text = starter_deal(file, name)
    with _writing(file):
        write_text(file, text)
    _err(f"wrote {file}; next: influence validate {file}")
