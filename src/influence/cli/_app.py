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


_SIZE_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}
_SIZE_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30}


def parse_size(text: str) -> int:
    """Bytes from ``200MB``, ``1.5GB``, ``512KiB`` or ``1000000`` (a usage error if not).

    Examples:
        >>> parse_size("200MB"), parse_size("1GiB"), parse_size("1500")
        (200000000, 1073741824, 1500)
    """
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).upper() if match else ""
    if match is None or unit not in _SIZE_UNITS or float(match.group(1)) * _SIZE_UNITS[unit] < 1:
        raise typer.BadParameter(
            f"{text!r} is not a size; expected a number of bytes or one with KB, MB or GB, "
            "such as 200MB",
            param_hint="'--max-file-size'",
        )
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    max_file_size: Annotated[
        str | None,
        typer.Option(
            "--max-file-size",
            metavar="SIZE",
            help="Read deal and policy files up to SIZE (default 50MB), such as 200MB.",
        ),
    ] = None,
) -> None:
    """Map the people who decide a B2B deal."""
    if max_file_size is not None:
        from influence.io import set_max_file_size

        set_max_file_size(parse_size(max_file_size))


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
