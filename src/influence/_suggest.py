"""Did-you-mean suggestions for near-miss names, ids and enum values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice closest to ``word``, or None when nothing is close.

    Examples:
        >>> closest("alli", ["ally", "neutral", "blocker", "unknown"])
        'ally'
        >>> closest("zzz", ["ally"]) is None
        True
    """
    options = sorted(set(choices))
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered and word not in options:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not found:
        found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        found = [lowered[f] for f in found]
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'X'?"`` for the closest choice, or ``""``.

    Examples:
        >>> did_you_mean("decision-maker", ["decision_maker", "user"])
        "; did you mean 'decision_maker'?"
    """
    best = closest(word, choices)
    return f"; did you mean {best!r}?" if best else ""


class Suggester:
    """Did-you-mean over one fixed list of choices, asked many times (the ids of a deal).

    The choices are sorted once, not once per question. Each question compares
    the word with every choice, so a file with thousands of unknown ids in a deal
    of 100,000 people would take minutes: after ``budget`` comparisons in all, the
    remaining questions get no suggestion (the message is complete without it).

    Examples:
        >>> ask = Suggester(["cfo-dana", "ceo-li"], budget=2)
        >>> ask.did_you_mean("cfo-dna")
        "; did you mean 'cfo-dana'?"
        >>> ask.did_you_mean("ceo-lee")
        ''
    """

    def __init__(self, choices: Iterable[str], *, budget: int = 1_000_000) -> None:
        self._options = sorted(set(choices))
        self._lowered = {o.lower(): o for o in self._options}
        self._left = budget
        self._asked: dict[str, str] = {}

    def did_you_mean(self, word: str) -> str:
        """``"; did you mean 'X'?"`` for the closest choice, or ``""`` (also once out of budget)."""
        if word in self._asked:
            return self._asked[word]
        if self._left < len(self._options):
            return ""
        self._left -= len(self._options)
        options, lowered = self._options, self._lowered
        best: str | None = None
        if word.lower() in lowered and word not in options:
            best = lowered[word.lower()]
        else:
            found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
            if not found:
                found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
                found = [lowered[f] for f in found]
            best = found[0] if found else None
        answer = f"; did you mean {best!r}?" if best else ""
        self._asked[word] = answer
        return answer
