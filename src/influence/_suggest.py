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
