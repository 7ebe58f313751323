"""One exception tree, rooted at :class:`InfluenceError`.

Each class carries the exit code the CLI ends with (``exit_code``, as click's
``ClickException.exit_code``); the CLI maps errors to exits in one place
(``influence.cli._app``) and the README's "Exit codes" section lists them:

* :class:`DealFileError` -> 3 (a deal or policy file that cannot be used)
* every other :class:`InfluenceError` -> 4 (a domain error, such as an unknown
  person), unless a subclass says otherwise (a bad ``--map`` is a usage error, 2)

Anything else that escapes is a bug: exit 5.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from influence._suggest import did_you_mean

__all__ = [
    "DealFileError",
    "DealLockError",
    "InfluenceError",
    "InterruptedWriteError",
    "Problem",
    "ReadOnlyFileError",
    "UnknownPersonError",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a deal file: an error or a warning.

    Attributes:
        file: The file's path as given (``"<string>"`` for text parsed from memory).
        line: 1-based line number, or 0 when the problem concerns the whole file.
        column: 1-based column, or 0 when unknown.
        field: The field path, such as ``people[3].stance`` (empty for the whole file).
        message: What was expected, with a suggestion where one is close.
        severity: ``"error"`` or ``"warning"``.

    Examples:
        >>> print(Problem("deal.yaml", 12, 13, "people[3].stance", "'alli' is not a stance"))
        deal.yaml:12:13: people[3].stance: 'alli' is not a stance
    """

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        if self.field:
            return f"{where}: {prefix}{self.field}: {self.message}"
        return f"{where}: {prefix}{self.message}"

    def to_data(self) -> dict[str, object]:
        """Return the problem as plain data (one of ``influence validate --json``'s problems).

        Examples:
            >>> Problem("deal.yaml", 12, 13, "people[3].stance", "bad").to_data()
            ... # doctest: +NORMALIZE_WHITESPACE
            {'file': 'deal.yaml', 'line': 12, 'column': 13, 'field': 'people[3].stance',
             'message': 'bad', 'severity': 'error'}
        """
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


class InfluenceError(Exception):
    """The root of every error this library raises on purpose.

    Examples:
        >>> InfluenceError.exit_code, DealFileError.exit_code, UnknownPersonError.exit_code
        (4, 3, 4)
    """

    #: The CLI's exit code for this error (4: a domain error).
    exit_code: ClassVar[int] = 4


@dataclass
class DealFileError(InfluenceError):
    """A deal (or policy) file cannot be used; ``problems`` lists every reason.

    Examples:
        >>> err = DealFileError("x.yaml", [Problem("x.yaml", 0, 0, "", "the file is empty")])
        >>> print(err)
        x.yaml: the file is empty
    """

    exit_code: ClassVar[int] = 3

    path: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or f"{self.path}: invalid deal file"


class UnknownPersonError(InfluenceError, KeyError):
    """A person id that the deal does not hold, with a did-you-mean.

    Examples:
        >>> print(UnknownPersonError("cfo-dna", "acme-erp", ["cfo-dana", "ceo-li"]))
        no person 'cfo-dna' in deal 'acme-erp'; did you mean 'cfo-dana'?
    """

    def __init__(self, person_id: str, deal_id: str, known: list[str] | None = None) -> None:
        self.person_id = person_id
        self.deal_id = deal_id
        self.message = f"no person {person_id!r} in deal {deal_id!r}" + did_you_mean(
            person_id, known or []
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def display_path(path: str | Path) -> str:
    """Return ``path`` as the user gave it, as a string."""
    return str(path)


class DealLockError(InfluenceError):
    """An edit could not take the deal's lock; nothing was read or written.

    Another edit held it past the wait, or the lock file cannot be created.

    Attributes:
        path: The deal file.
        lock_file: The lock file beside it.
        holder: The process id of the edit holding the lock, when known.

    Examples:
        >>> print(DealLockError("d.yaml", ".d.yaml.lock", "it is held by process 42"))
        d.yaml: cannot lock the file for editing (lock file .d.yaml.lock): it is held by process 42
    """

    def __init__(
        self, path: str, lock_file: str, reason: str, *, holder: int | None = None
    ) -> None:
        self.path = path
        self.lock_file = lock_file
        self.holder = holder
        self.message = f"{path}: cannot lock the file for editing (lock file {lock_file}): {reason}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ReadOnlyFileError(InfluenceError):
    """The file to write has no write permission for this user; nothing was written.

    Examples:
        >>> print(ReadOnlyFileError("d.yaml", 0o444))
        d.yaml is read-only (mode 0444): nothing was written; make it writable \
(chmod u+w d.yaml) or pass --force (force=True in Python) to write it anyway, keeping its mode
    """

    def __init__(self, path: str, mode: int, *, forced: bool = False) -> None:
        self.path = path
        self.mode = mode
        if forced:  # --force cannot help: not ours to make writable
            self.message = (
                f"{path} is read-only for you (mode {mode:04o}, another user's file): nothing "
                "was written; even --force cannot write it; ask its owner, or edit a copy"
            )
        else:
            self.message = (
                f"{path} is read-only (mode {mode:04o}): nothing was written; make it writable "
                f"(chmod u+w {path}) or pass --force (force=True in Python) to write it anyway, "
                "keeping its mode"
            )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InterruptedWriteError(InfluenceError):
    """An earlier write in place (of a hard-linked or foreign-owned file) was interrupted.

    The complete new text is in ``pending``; the file itself may be cut short.
    Nothing is written until someone decides which version to keep.
    """

    def __init__(self, path: str, pending: str) -> None:
        self.path = path
        self.pending = pending
        self.message = (
            f"{path}: an earlier write in place was interrupted, so the file may be cut short; "
            f"the complete text that write meant is in {pending}. Compare them (diff {pending} "
            f"{path}), then keep the new text with `cp {pending} {path} && rm {pending}` (cp "
            f"keeps hard links) or keep the file as it is with `rm {pending}`; nothing was written"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
