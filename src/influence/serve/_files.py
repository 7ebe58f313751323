"""Which files ``influence serve`` serves: deal files under the served paths, and nothing else.

A request never names a file on disk: it names a *key*, and the key is looked
up in the list of deal files found under the served paths at that moment. So a
key with ``..``, an absolute path, a hidden file, another extension or a symbolic
link that leads out of the served folder is simply not in the list (404), however
it is spelled or encoded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from influence.io import DEAL_SUFFIXES

__all__ = ["DealFile", "DealFiles", "file_version"]


def file_version(data: bytes) -> str:
    r"""The ``version`` of a deal file: the SHA-256 (hex) of its bytes.

    The same value :func:`influence.interop.read_editable` keeps as ``digest``;
    any change of any byte changes it, and a file saved back unchanged keeps it.

    Examples:
        >>> file_version(b"deal: {name: T}\n")[:12]
        'c7a56cd80a03'
    """
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DealFile:
    """One served deal file.

    Attributes:
        key: Its name in URLs: the path under its served folder, ``/``-separated
            (with several served paths, prefixed by the served folder's name).
        path: The file as found from the served path (as ``influence review`` names it).
    """

    key: str
    path: str


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _hidden_or_foreign(parts: Sequence[str]) -> bool:
    return any(part.startswith(".") for part in parts) or not parts[-1].lower().endswith(
        DEAL_SUFFIXES
    )


class DealFiles:
    """The deal files under the served paths, found afresh on each call (files come and go).

    Args:
        paths: Folders (searched recursively) or deal files.

    Examples:
        >>> files = DealFiles(["examples"])
        >>> [f.key for f in files.list()][:1]
        ['enterprise-committee.yaml']
        >>> files.find("../pyproject.toml") is None, files.find("/etc/passwd") is None
        (True, True)
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        self.paths = [os.fspath(p) for p in paths] or ["."]
        names = [Path(os.path.realpath(p)).name or "root" for p in self.paths]
        self._prefixes: list[str] = []
        for name in names:
            prefix, n = name, 2
            while prefix in self._prefixes:
                prefix, n = f"{name}-{n}", n + 1
            self._prefixes.append(prefix)

    def _under(self, index: int) -> list[DealFile]:
        given = self.paths[index]
        root = os.path.realpath(given)
        prefix = self._prefixes[index] + "/" if len(self.paths) > 1 else ""
        if os.path.isfile(root):
            # A file given by name: served under its own name, wherever its link points.
            name = os.path.basename(given)
            if _hidden_or_foreign([name]):
                return []
            return [DealFile(prefix + name, given)]
        found: list[DealFile] = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rel_folder = os.path.relpath(folder, root)
            for name in sorted(files):
                rel = name if rel_folder == "." else os.path.join(rel_folder, name)
                parts = rel.split(os.sep)
                if _hidden_or_foreign(parts):
                    continue
                full = os.path.join(folder, name)
                # A symbolic link is served only if it leads to a regular file inside.
                if not _inside(os.path.realpath(full), root) or not os.path.isfile(full):
                    continue
                found.append(DealFile(prefix + "/".join(parts), os.path.join(given, rel)))
        return found

    def list(self) -> list[DealFile]:
        """Every served deal file, sorted by key, each once."""
        seen: dict[str, DealFile] = {}
        for index in range(len(self.paths)):
            for f in self._under(index):
                seen.setdefault(f.key, f)
        return [seen[k] for k in sorted(seen)]

    def find(self, key: str) -> DealFile | None:
        """The served file of this key, or None for any key that :meth:`list` does not give.

        Looked up directly (not by listing the folder), with the rules of :meth:`list`:
        no empty, hidden (``.``, ``..``) or linked-folder component, a deal suffix, and
        the real file inside the served folder.
        """
        parts = key.split("/")
        if not key or "\\" in key or "\0" in key or any(not p for p in parts):
            return None
        if len(self.paths) > 1:
            if parts[0] not in self._prefixes or len(parts) < 2:
                return None
            index = self._prefixes.index(parts[0])
            rest = parts[1:]
        else:
            index, rest = 0, parts
        if _hidden_or_foreign(rest) or any(
            os.sep in p or (os.altsep and os.altsep in p) for p in rest
        ):
            return None
        given = self.paths[index]
        root = os.path.realpath(given)
        if os.path.isfile(root):
            if rest == [os.path.basename(given)]:
                return DealFile(key, given)
            return None
        folder = root
        for part in rest[:-1]:  # os.walk does not enter linked folders: neither do we
            folder = os.path.join(folder, part)
            if os.path.islink(folder) or not os.path.isdir(folder):
                return None
        full = os.path.join(folder, rest[-1])
        if not _inside(os.path.realpath(full), root) or not os.path.isfile(full):
            return None
        return DealFile(key, os.path.join(given, *rest))
