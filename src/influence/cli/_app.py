"""The typer app, exit codes and error mapping shared by every command module.

This is the only module that prints, exits or reads the environment. It keeps
start-up quick: heavy modules (networkx, pyvis) are imported inside the
commands that need them.

Exit codes (the README lists them too): 0 ok, 1 a ``--fail-on`` threshold
tripped (and nothing else), 2 usage error (a bad option or argument, or an
output path that cannot be written), 3 bad deal or policy file, 4 other domain
error (such as an unknown person id), 5 an unexpected error (a bug), 130
interrupted (Ctrl-C), 141 stdout closed early (``| head``), quietly.

Every exception class carries its exit code (``exit_code``, as click's
``ClickException`` does) and :func:`_errors` maps every error to its exit, in
one place; the root group runs each command inside it. Everything printed goes
through :func:`_out` or :func:`_err`, which escape the control characters of
user text (:func:`influence._printable.printable`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from influence._printable import printable, printable_json

if TYPE_CHECKING:
    pass

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_BAD_FILE = 3
EXIT_DOMAIN = 4
EXIT_INTERNAL = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `yes | head -1`

ISSUES_URL = "https://influence.invalid/issues"
DEBUG_VAR = "INFLUENCE_DEBUG"


class _Group(TyperGroup):
    """The root group: every command (and sub-group) runs inside :func:`_errors`."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        with _errors():
            return super().invoke(ctx)


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
    cls=_Group,
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


def _out(text: str, *, nl: bool = True, color: bool = False) -> None:
    """Print human text on stdout, every control character of user text escaped.

    ``color``: the text is a renderer's coloured output; its colour codes stay.
    """
    _write_stdout(printable(text, lines=True, sgr=color), nl)


def _out_json(text: str, *, nl: bool = True) -> None:
    """Print JSON on stdout (the C1 and bidi controls JSON leaves raw, escaped)."""
    _write_stdout(printable_json(text), nl)


def _out_data(text: str, *, nl: bool = True) -> None:
    """Print a data format (YAML, CSV, DOT...) on stdout.

    Byte for byte into a pipe or a file; control characters escaped when it
    would reach a terminal.
    """
    _write_stdout(printable(text, lines=True) if _stdout_is_tty() else text, nl)


def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except ValueError:  # closed
        return False


def _write_stdout(text: str, nl: bool) -> None:
    try:
        typer.echo(text, nl=nl)
    except BrokenPipeError:
        _broken_pipe()


def _broken_pipe() -> NoReturn:
    """Stdout was closed early (``influence ... | head -1``): exit quietly, as Unix tools do.

    As the Python docs' "Note on SIGPIPE" recommends, stdout is pointed at
    /dev/null so that the flush at exit cannot fail a second time.
    """
    _stdout_to_devnull()
    raise typer.Exit(EXIT_BROKEN_PIPE)


def _stdout_to_devnull() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass


def _err(message: str) -> None:
    """Print a message on stderr, every control character of user text escaped.

    A closed stderr is ignored: the exit code still tells what happened.
    """
    with contextlib.suppress(BrokenPipeError):
        typer.echo(printable(message, lines=True), err=True)


def _fail(message: str, code: int) -> NoReturn:
    _err(message)
    raise typer.Exit(code)


# The temporary file that io.write_text writes beside its target: .NAME.XXXXXXXX.tmp
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")

_REASONS = {
    "ENOENT": "no such file or folder",
    "ENOTDIR": "a part of the path is not a folder",
    "EISDIR": "it is a folder; give a file name",
    "EACCES": "permission denied",
    "EPERM": "permission denied",
    "EROFS": "read-only file system",
    "ENOSPC": "no space left on the device",
    "EDQUOT": "disk quota exceeded",
    "ENAMETOOLONG": "the file name is too long",
}


def _os_reason(err: OSError) -> str:
    name = errno.errorcode.get(err.errno or 0, "")
    return _REASONS.get(name) or err.strerror or type(err).__name__


def _os_path(err: OSError, default: str | os.PathLike[str] | None = None) -> str | None:
    """The path an OSError is about, as the user knows it (not our temporary file)."""
    for candidate in (err.filename2, err.filename):
        if candidate is None:
            continue
        path = Path(os.fsdecode(candidate))
        temporary = _TEMPORARY.match(path.name)
        if temporary and candidate is err.filename and err.filename2 is None:
            return str(path.with_name(temporary["name"]))
        if not temporary:
            return str(path)
    return str(default) if default is not None else None


@contextlib.contextmanager
def _writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into one line and exit 2 (a bad output path)."""
    try:
        yield
    except OSError as err:
        if isinstance(err, BrokenPipeError):
            raise
        where = _os_path(err, path) or str(path)
        if os.path.abspath(where) == os.path.abspath(path):
            where = str(path)  # as the user wrote it
        reason = _os_reason(err)
        if err.errno == errno.ENOENT:
            reason = f"no folder {Path(where).parent}"
        _fail(f"error: cannot write {where}: {reason}", EXIT_USAGE)


def _internal(err: BaseException) -> NoReturn:
    """An unexpected error is a bug: say so briefly, how to report it; exit 5.

    No traceback (and never local variables: deal data is confidential) unless
    ``INFLUENCE_DEBUG=1`` asks for the traceback.
    """
    from influence import __version__

    text = str(err)
    if len(text) > 300:
        text = text[:300] + "..."
    detail = f"{type(err).__name__}: {text}" if text else type(err).__name__
    _err(f"influence: internal error: {detail}")
    if os.environ.get(DEBUG_VAR, "") not in ("", "0"):
        import traceback

        _err("".join(traceback.format_exception(err)).rstrip())
    else:
        _err(f"(set {DEBUG_VAR}=1 to see the traceback)")
    _err(
        f"This is a bug in influence {__version__}; please report it at {ISSUES_URL} "
        "with the command you ran (not the deal file if it is confidential)."
    )
    raise typer.Exit(EXIT_INTERNAL)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Map every error to its exit code, in one place (each class carries its ``exit_code``).

    A :class:`~influence.errors.DealFileError` prints its located problems; any
    other :class:`~influence.errors.InfluenceError` one line; an ``OSError``
    that no output path claimed one line (exit 4); Ctrl-C one line (130); any
    other exception is a bug (exit 5, :func:`_internal`).
    """
    from influence.errors import DealFileError, InfluenceError

    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except typer.TyperException as err:  # a usage error: typer's text, made printable
        show = getattr(err, "show", None)
        if show is None:  # pragma: no cover - every usage error can show itself
            raise
        text = io.StringIO()
        show(file=text)
        _fail(text.getvalue().rstrip("\n"), err.exit_code)
    except DealFileError as err:
        for problem in err.problems:
            _err(str(problem))
        n = len(err.problems)
        _fail(f"{err.path}: invalid ({n} problem{'s' * (n != 1)})", err.exit_code)
    except InfluenceError as err:
        _fail(f"error: {err}", err.exit_code)
    except KeyboardInterrupt:
        _fail("influence: interrupted", EXIT_INTERRUPTED)
    except OSError as err:
        where = _os_path(err)
        _fail(f"error: {where + ': ' if where else ''}{_os_reason(err)}", EXIT_DOMAIN)
    except Exception as err:
        _internal(err)
