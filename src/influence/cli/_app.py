"""The typer app, exit codes and error mapping shared by every command module.

This is the only module that prints, exits or reads the environment. It keeps
start-up quick: heavy modules (networkx, pyvis) are imported inside the
commands that need them.

Exit codes (the README lists them too): 0 ok, 1 a ``--fail-on`` threshold
tripped, 2 usage error, 3 bad deal or policy file, 4 other domain error
(such as an unknown person id).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    pass

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
    # Plain click help: rich's help renderer costs ~90 ms of start-up on every --help.
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from influence import __version__

        typer.echo(f"influence {__version__}")
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
