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
    "InfluenceError",
    "Problem",
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
