"""The ``influence`` command line: a thin face over the library.

The only package that prints, exits or reads the environment. Each module
registers its commands on one typer app; heavy modules (networkx, pyvis) are
imported inside the commands that need them so that start-up stays quick.

Exit codes (the README lists them too): 0 ok, 1 a ``--fail-on`` threshold
tripped, 2 usage error, 3 bad deal or policy file, 4 other domain error
(such as an unknown person id), 5 an unexpected error (a bug), 130
interrupted, 141 stdout closed early (quietly).
"""

from __future__ import annotations

import gc
import sys

import typer

from influence import _exit
from influence.cli import analyze as _analyze  # noqa: F401 - registers commands
from influence.cli import deal as _deal  # noqa: F401 - registers commands
from influence.cli import interop as _interop  # noqa: F401 - registers commands
from influence.cli import map as _map  # noqa: F401 - registers commands
from influence.cli import review as _review  # noqa: F401 - registers commands
from influence.cli import serve as _serve  # noqa: F401 - registers commands
from influence.cli import touch as _touch  # noqa: F401 - registers commands
from influence.cli._app import (
    EXIT_BAD_FILE,
    EXIT_BROKEN_PIPE,
    EXIT_DOMAIN,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_THRESHOLD,
    EXIT_USAGE,
    _internal,
    _stdout_to_devnull,
    app,
)

__all__ = [
    "EXIT_BAD_FILE",
    "EXIT_BROKEN_PIPE",
    "EXIT_DOMAIN",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_THRESHOLD",
    "EXIT_USAGE",
    "app",
    "main",
]


def main() -> None:
    """Run the command line (the ``influence`` console script).

    Every command runs inside the one error mapping (``_errors``); this also
    covers what happens outside a command: the final flush of stdout into a
    closed pipe (which Python would report as "Exception ignored", exit 120),
    Ctrl-C between commands' parsing and running, and any error of typer itself.
    """
    code: int | str | None = EXIT_OK
    _exit.enable()
    try:
        try:
            app()
        except SystemExit as done:
            code = done.code
        sys.stdout.flush()
        if _exit.kept() and isinstance(code, int | None):
            _exit.end(code or EXIT_OK)
    except BrokenPipeError:
        _stdout_to_devnull()
        code = EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except Exception as err:  # outside any command: still a bug, exit 5
        try:
            _internal(err)
        except typer.Exit as done:
            code = done.exit_code
    # The process ends here, and what is still alive lives to the end: the shut-down
    # would have the cyclic collector walk every object two or three times more
    # (~0.15 s after a 5,000-person map). Frozen, they are left to the exit.
    gc.freeze()
    sys.exit(code)
