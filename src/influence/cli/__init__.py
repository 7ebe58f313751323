"""The ``influence`` command line: a thin face over the library.

The only package that prints, exits or reads the environment. Each module
registers its commands on one typer app; heavy modules (networkx, pyvis) are
imported inside the commands that need them so that start-up stays quick.

Exit codes (the README lists them too): 0 ok, 1 a ``--fail-on`` threshold
tripped, 2 usage error, 3 bad deal or policy file, 4 other domain error
(such as an unknown person id).
"""

from __future__ import annotations

import sys

import typer

from influence.cli import analyze as _analyze  # noqa: F401 - registers commands
from influence.cli import deal as _deal  # noqa: F401 - registers commands
from influence.cli import interop as _interop  # noqa: F401 - registers commands
from influence.cli import map as _map  # noqa: F401 - registers commands
from influence.cli import review as _review  # noqa: F401 - registers commands
from influence.cli._app import (
    EXIT_BAD_FILE,
    EXIT_DOMAIN,
    EXIT_OK,
    EXIT_THRESHOLD,
    EXIT_USAGE,
    app,
)

__all__ = ["EXIT_BAD_FILE", "EXIT_DOMAIN", "EXIT_OK", "EXIT_THRESHOLD", "EXIT_USAGE", "app", "main"]


def main() -> None:
    """Run the command line (the ``influence`` console script)."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        typer.echo("interrupted", err=True)
        sys.exit(130)
