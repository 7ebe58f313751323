"""The key-account method's risk signals: information, competitors, small players, refusals.

Each rule here finds one signal code of the registry
(:data:`influence.analysis.signals.SIGNALS`, which renders its message and its
action); :func:`influence.analysis.risk.risk_signals` asks for them. Each reads
the one rule it needs from its home: the deal's step from
:mod:`influence.analysis.stages`, the information checklist and the recent
buying signals from :mod:`influence.analysis.method`, the ties from the deal
graph (:class:`~influence.graph.DealGraph`), coverage from its caller
(:mod:`influence.analysis.coverage`). ``docs/analysis.md`` lists the rules.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from influence.analysis.method import fact_rows, recent_signal_kinds
from influence.analysis.signals import SignalFacts
from influence.analysis.stages import STEP_ORDER, deal_step
from influence.graph import KIND_CODES, DealGraph, deal_graph
from influence.model import Deal, Kind, Policy, Role, Stance, Step

__all__ = ["Found", "method_signals"]

#: The steps from which a deal should show buying signals (``no-recent-buying-signal``).
BUYING_SIGNAL_STEPS = frozenset(
    s for s in STEP_ORDER if STEP_ORDER[Step.TENDER] <= STEP_ORDER[s] < STEP_ORDER[Step.WON]
)


class Found(NamedTuple):
    """One signal a rule found, before the registry makes it a :class:`Signal`."""

    code: str
    people: list[str]
    facts: SignalFacts


def method_signals(
    deal: Deal,
    policy: Policy,
    coverage: Mapping[str, str],
    decision_makers: Sequence[str],
) -> list[Found]:
    """Every key-account signal of a deal, in registry order (unsorted within a code).

    Args:
        deal: The deal.
        policy: The effective policy.
        coverage: Each customer's coverage status (``covered``, ``stale``, ``uncovered``).
        decision_makers: The decision-makers' ids.

    Returns:
        The signals found, as code, people and facts.

    Examples:
        >>> d = Deal.model_validate({"deal": {"name": "x", "stage": "tender",
        ...     "as_of": "2026-03-01"}, "people": [{"name": "Ann", "status": "left"}]})
        >>> [f.code for f in method_signals(d, Policy(), {"ann": "uncovered"}, [])]
        ... # doctest: +NORMALIZE_WHITESPACE
        ['information-gap', 'information-gap', 'information-gap', 'information-gap',
         'information-gap', 'information-gap', 'no-recent-buying-signal', 'person-left']
    """
    step = deal_step(deal, policy).step
    out = _information_gaps(deal, policy, step)
    out += _competitors_favoured(deal, decision_makers)
    out += _small_players(deal, coverage, decision_makers)
    out += _open_refusals(deal)
    if step in BUYING_SIGNAL_STEPS and not recent_signal_kinds(deal, policy):
        facts = SignalFacts(step=step.value if step else None, days=policy.buying_signal_days)
        out.append(Found("no-recent-buying-signal", [], facts))
    out += [
        Found("person-left", [p.id], SignalFacts(person=p.id)) for p in deal.people if p.has_left
    ]
    return out


def _information_gaps(deal: Deal, policy: Policy, step: Step | None) -> list[Found]:
    """A required checklist item that is missing or stale (``fact_rows``' rule)."""
    if step is None or step in (Step.WON, Step.LOST):
        return []
    out = []
    for row in fact_rows(deal, policy, step):
        if not row.required or (row.known and not row.stale):
            continue
        source = row.source if row.known else None
        out.append(
            Found(
                "information-gap",
                [source] if source is not None else [],
                SignalFacts(
                    item=row.item,
                    step=step.value,
                    days=row.age_days if row.known else None,
                    threshold=policy.fact_stale_days,
                    source=source,
                ),
            )
        )
    return out


def _competitors_favoured(deal: Deal, decision_makers: Sequence[str]) -> list[Found]:
    """A decision-maker, or the top influencer, who favours a competitor (not one who left).

    The top influencer: the customers (who have not left) of the highest stated
    influence. Stated, not network influence: a new tie elsewhere in the map never
    takes the signal away (a new problem never lowers the score).
    """
    dms = set(decision_makers)
    present = [p for p in deal.customers() if not p.has_left]
    top = max((p.influence for p in present), default=None)
    out = []
    for p in present:
        if p.favours is None or (p.id not in dms and p.influence != top):
            continue
        reason = "decision-maker" if p.id in dms else None
        facts = SignalFacts(
            person=p.id,
            competitor=p.favours,
            reason=reason,
            influence=None if reason else p.influence,
        )
        out.append(Found("competitor-favoured", [p.id], facts))
    return out


def _small_players(
    deal: Deal, coverage: Mapping[str, str], decision_makers: Sequence[str]
) -> list[Found]:
    """The seeds' small players (小鬼): close to the powerful, unreached, stance unknown.

    A customer below the customers' median stated influence whose ``influences`` tie
    (from them) or ``reports_to`` tie (either way) joins them to a decision-maker or a
    technical buyer, who is ``uncovered`` and whose stance is unknown. The ties are the
    deal graph's; people who left count for nothing.
    """
    customers = [p for p in deal.customers() if not p.has_left]
    if len(customers) < 2:
        return []
    median = statistics.median(p.influence for p in customers)
    by_id = deal.people_by_id()
    powerful = set(decision_makers) | {p.id for p in customers if Role.TECHNICAL_BUYER in p.roles}
    candidates = [
        p
        for p in customers
        if p.influence < median
        and p.stance is Stance.UNKNOWN
        and coverage.get(p.id) == "uncovered"
        and p.id not in powerful
    ]
    if not candidates or not powerful:
        return []
    graph = deal_graph(deal)  # the ties; coverage came from the caller
    found = (
        _reach_by_columns(graph, [p.id for p in candidates], powerful)
        if graph.many_ties()
        else _reach_by_ties(graph, [p.id for p in candidates], powerful)
    )
    out = []
    for p in candidates:
        reached = found.get(p.id)
        if reached:
            order = tuple(sorted(reached, key=lambda r: (-by_id[r].influence, r)))
            facts = SignalFacts(person=p.id, influence=p.influence, reaches=order)
            out.append(Found("small-player-unengaged", [p.id, *order], facts))
    return out


def _reach_by_ties(
    graph: DealGraph, candidates: Sequence[str], powerful: set[str]
) -> dict[str, set[str]]:
    """Whom each candidate's ``influences`` (from them) or ``reports_to`` ties join them to.

    Only ties that count (nobody at either end left) and only the ``powerful``.
    """
    out: dict[str, set[str]] = {}
    for pid in candidates:
        for t in graph.ties_of(pid):
            if not graph.counts(t):
                continue
            other = t.other(pid)
            if other not in powerful:
                continue
            if t.kind is Kind.REPORTS_TO or (t.kind is Kind.INFLUENCES and t.from_ == pid):
                out.setdefault(pid, set()).add(other)
    return out


def _reach_by_columns(
    graph: DealGraph, candidates: Sequence[str], powerful: set[str]
) -> dict[str, set[str]]:
    """:func:`_reach_by_ties` on the deal graph's columns: a big deal makes no ``Tie``."""
    import numpy as np

    cols, counting = graph.columns(), graph.counting()
    ids = list(graph.side)  # the columns number people in this order
    index = {pid: i for i, pid in enumerate(ids)}
    # One entry more than people: an end that is no person (-1) reads the last, False.
    cand = np.zeros(len(ids) + 1, dtype=bool)
    cand[[index[pid] for pid in candidates]] = True
    power = np.zeros(len(ids) + 1, dtype=bool)
    power[[index[pid] for pid in powerful if pid in index]] = True
    a, b, kind = cols.a, cols.b, cols.kind
    reports = kind == KIND_CODES[Kind.REPORTS_TO]
    sway = counting & (reports | (kind == KIND_CODES[Kind.INFLUENCES]))
    ahead = sway & cand[a] & power[b]  # from the candidate: influences or reports_to
    back = counting & reports & cand[b] & power[a]  # a report of the candidate's
    out: dict[str, set[str]] = {}
    for x, y in zip(
        [*a[ahead].tolist(), *b[back].tolist()],
        [*b[ahead].tolist(), *a[back].tolist()],
        strict=True,
    ):
        out.setdefault(ids[x], set()).add(ids[y])
    return out


def _open_refusals(deal: Deal) -> list[Found]:
    """A customer (who has not left) with an unresolved refusal: one per person."""
    out = []
    for p in deal.customers():
        if p.has_left:
            continue
        kinds = tuple(p.open_refusals)
        if kinds:
            out.append(Found("open-refusal", [p.id], SignalFacts(person=p.id, refusals=kinds)))
    return out
