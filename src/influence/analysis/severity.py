"""Severity thresholds: which signals trip ``--fail-on``, for one deal or a review.

Examples:
    >>> from influence import analyze, read_deal
    >>> report = analyze(read_deal("examples/saas-small.yaml"))
    >>> fails_on(report, "info")  # some signal fires on the example
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from influence.analysis.models import SEVERITY_ORDER

if TYPE_CHECKING:
    from influence.analysis.models import DealReport

__all__ = ["SEVERITIES", "fails_on", "signals_at_or_above"]

#: The severities, worst first (what ``--fail-on`` accepts).
SEVERITIES: tuple[str, ...] = tuple(sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__))


class _HasSeverity(Protocol):
    @property
    def severity(self) -> str: ...


S = TypeVar("S", bound=_HasSeverity)


def signals_at_or_above(signals: Iterable[S], severity: str) -> list[S]:
    """Return the signals of ``severity`` or worse, in their order.

    Args:
        signals: Signals (of a report, or a reviewed deal's signal details).
        severity: ``"high"``, ``"medium"``, ``"low"`` or ``"info"``.

    Returns:
        The signals at or above the threshold (``"info"`` keeps every signal).

    Raises:
        ValueError: ``severity`` is not a severity.

    Examples:
        >>> from influence import Signal
        >>> signals = [Signal(code="a", severity="low", people=[], message=""),
        ...            Signal(code="b", severity="high", people=[], message="")]
        >>> [s.code for s in signals_at_or_above(signals, "medium")]
        ['b']
        >>> [s.code for s in signals_at_or_above(signals, "low")]
        ['a', 'b']
    """
    limit = SEVERITY_ORDER.get(severity)
    if limit is None:
        raise ValueError(f"{severity!r} is not a severity; expected one of {', '.join(SEVERITIES)}")
    return [s for s in signals if SEVERITY_ORDER[s.severity] <= limit]


def fails_on(report: DealReport, severity: str) -> bool:
    """Whether ``--fail-on severity`` trips on this report (a signal at or above it).

    Args:
        report: The analysis of one deal.
        severity: ``"high"``, ``"medium"``, ``"low"`` or ``"info"``.

    Returns:
        True when some signal is of ``severity`` or worse.

    Raises:
        ValueError: ``severity`` is not a severity.

    Examples:
        >>> from influence import analyze, read_deal
        >>> report = analyze(read_deal("examples/saas-small.yaml"))
        >>> fails_on(report, "info") == bool(report.signals)
        True
    """
    return bool(signals_at_or_above(report.signals, severity))
