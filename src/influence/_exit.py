"""Leaving a big deal's objects to the operating system when the command line ends.

Freeing a 100,000-person deal, its report and the parsed file object by object
takes seconds (4 s of a 20 s ``analyze``); the process is about to end and the
operating system takes the memory back at once. So when the command line runs
(:func:`enable`, in ``influence.cli.main`` only), a command about one deal
runs inside :func:`keeping`; there the reader and the command hand their big
objects to :func:`keep`, and ``main`` ends with :func:`end` instead of
``sys.exit``: standard output and error are flushed, then ``os._exit`` (as
mypy does). Nothing is kept outside such a scope (a review reading thousands of
deals frees each one), nor in another process (a review's workers are forks),
nor for a library caller, who never enables it.

Examples:
    >>> with keeping():  # not enabled: nothing is kept
    ...     keep(object())
    >>> kept()
    0
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["enable", "end", "in_command_line", "keep", "keeping", "keeping_now", "kept"]

#: The process that enabled keeping (None: not enabled), and whether a scope is open.
_state: dict[str, int | None] = {"pid": None, "scopes": 0}
_kept: list[object] = []


def enable() -> None:
    """Let :func:`keeping` keep, in this process (the command line's ``main`` calls it)."""
    _state["pid"] = os.getpid()


@contextmanager
def keeping() -> Iterator[None]:
    """Inside, :func:`keep` keeps (when enabled, in the process that enabled it)."""
    _state["scopes"] = (_state["scopes"] or 0) + 1
    try:
        yield
    finally:
        _state["scopes"] = (_state["scopes"] or 1) - 1


def keep(*objects: object) -> None:
    """Keep these objects alive until :func:`end` inside :func:`keeping`; else do nothing."""
    if keeping_now():
        _kept.extend(objects)


def in_command_line() -> bool:
    """True in the process whose ``main`` enabled this (not its workers, not a library)."""
    return _state["pid"] == os.getpid()


def keeping_now() -> bool:
    """True inside :func:`keeping`, when enabled, in the process that enabled it."""
    return bool(_state["scopes"]) and in_command_line()


def kept() -> int:
    """How many objects are kept."""
    return len(_kept)


def end(code: int) -> None:
    """End the process with this exit code, without freeing what was kept.

    With nothing kept it is ``sys.exit(code)``, atexit handlers and all. Else
    stdout and stderr are flushed (a failure to flush is left to the caller,
    which maps it to an exit code, as for any final flush) and the process ends
    with ``os._exit``.
    """
    if not _kept:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
