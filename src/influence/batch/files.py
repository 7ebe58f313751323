"""Finding the deal files of a batch: files, folders searched recursively, globs.

Examples:
    >>> review_files(["examples/*.yaml", "examples/saas-small.yaml"])[-1]
    'examples/saas-small.yaml'
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["review_files"]


def review_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the deal files a review of ``paths`` reads: each once, sorted.

    A file is taken as it is (whatever its extension: a wrong one is then
    reported as an error); a folder is searched recursively for ``.yaml``,
    ``.yml`` and ``.json`` files, skipping hidden ones; anything else with
    ``*``, ``?`` or ``[`` is a glob (``**`` matches folders at any depth; a
    folder it matches is searched). A path that exists nowhere is kept, so that
    the review lists it as unreadable.

    Examples:
        >>> review_files(["examples/*.yaml", "examples/saas-small.yaml"])[-1]
        'examples/saas-small.yaml'
    """
    from influence.io import DEAL_SUFFIXES, find_deal_files

    found: dict[str, str] = {}

    def add(name: str) -> None:
        found.setdefault(os.path.normcase(os.path.abspath(name)), name)

    for raw in paths:
        name = os.fspath(raw)
        if os.path.isdir(name) or os.path.isfile(name) or not glob.has_magic(name):
            for f in find_deal_files([name]):
                add(f)
            continue
        for match in sorted(glob.glob(name, recursive=True)):
            if os.path.isdir(match):
                for f in find_deal_files([match]):
                    add(f)
            elif Path(match).suffix.lower() in DEAL_SUFFIXES:
                add(match)
    return sorted(found.values())
