"""Next actions: concrete, ranked steps that answer the risk signals.

Each action names people and the signal it answers; what it says comes from the
signal's registry entry (:data:`influence.analysis.signals.SIGNALS`), made from
the signal's facts and the deal graph. When the person to engage has a social
style, the advice for that style follows the action.
"""

from __future__ import annotations

from collections.abc import Hashable

from influence.analysis.models import SEVERITY_ORDER, Action, Signal
from influence.analysis.paths import IntroductionPath
from influence.analysis.signals import SIGNALS, STYLE_ADVICE, ActionContext
from influence.graph import DealGraph, deal_graph
from influence.model import Deal

__all__ = ["STYLE_ADVICE", "next_actions"]


def next_actions(
    deal: Deal,
    signals: list[Signal],
    paths: dict[str, list[IntroductionPath]],
    *,
    coverage: dict[str, str] | None = None,
    summarised: dict[str, float | None] | None = None,
    graph: DealGraph | None = None,
) -> list[Action]:
    """Return the next actions, most urgent first.

    Ranked by the severity of the signal they answer, then by the influence of the
    person they are about (highest first), then by their text. Signals that ask for
    the same step share one action (one per blocker, naming every decision-maker
    their sway reaches); two actions never say the same.

    Args:
        deal: The deal.
        signals: The deal's risk signals.
        paths: Introduction paths by target id.
        coverage: Customer coverage status by id (a stale tie is refreshed, a weak one
            warmed up, an uncovered person introduced).
        summarised: Targets whose paths were not searched in full, with the warmth of
            their best path (None: no path), from :class:`~influence.analysis.paths.PathsSummary`.
        graph: The deal graph analysed (with the team's policy); default: the deal's.

    Returns:
        The actions, one per signal (or group of signals) that has something to do.

    Examples:
        >>> from influence import analyze, read_deal
        >>> report = analyze(read_deal("examples/enterprise-committee.yaml"))
        >>> print(report.actions[0].text)  # doctest: +NORMALIZE_WHITESPACE
        Ask Kenneth Lau to introduce Li Wei to Liu Yang, who can introduce you to
        Chen Jun (Group CEO): Li Wei -> Kenneth Lau -> Liu Yang -> Chen Jun, warmth 0.58
    """
    ctx = ActionContext(
        deal=deal,
        graph=graph if graph is not None else deal_graph(deal),
        paths=paths,
        status=coverage or {},
        summarised=summarised or {},
    )
    by_id = ctx.by_id
    groups: dict[Hashable, list[Signal]] = {}
    for signal in signals:
        spec = SIGNALS[signal.code]
        key = spec.group(signal.facts) if spec.group is not None else id(signal)
        groups.setdefault((signal.code, key), []).append(signal)
    ranked: list[tuple[int, float, str, Action]] = []
    for group in groups.values():
        first = group[0]
        answer = SIGNALS[first.code].answer
        found = answer(group, ctx) if answer is not None else None
        if found is None:
            continue
        action = Action(
            text=found.text,
            signal=first.code,
            people=found.people,
            advice=found.advice,
            facts=found.facts,
        )
        weight = max((by_id[p].influence for p in action.people if p in by_id), default=0.0)
        ranked.append((SEVERITY_ORDER[first.severity], -weight, action.text, action))
    ranked.sort(key=lambda r: r[:3])
    seen: set[str] = set()
    out: list[Action] = []
    for *_, action in ranked:
        if action.text not in seen:
            seen.add(action.text)
            out.append(action)
    return out
