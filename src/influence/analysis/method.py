"""The key-account method's readings of a deal: top decision-maker, facts, temperature.

Each rule lives here once; the report (:mod:`influence.analysis.report`) reads
them from here, and so will the key-account signals
(``docs/analysis.md`` "Buying steps and information").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from influence.analysis.models import CompetitorRow, FactRow
from influence.graph import deal_graph
from influence.model import CHECKLIST_ITEMS, Deal, Person, Policy, Step

__all__ = [
    "TEMPERATURE_DEGREES",
    "competitor_rows",
    "fact_rows",
    "left_people",
    "required_items",
    "temperature",
    "top_decision_maker",
]


def top_decision_maker(deal: Deal, decision_makers: Sequence[str]) -> str | None:
    """The decision-maker at the top of the customer's reporting line.

    Of the decision-makers who have not left, the one with the fewest managers
    above them along their reporting line (each person's manager as the deal
    graph, and so the org chart, reads it); ties by higher influence, then id.
    None without one.

    Examples:
        >>> d = Deal.model_validate({"deal": {"name": "x"}, "people": [
        ...     {"name": "Chair", "roles": ["decision_maker"], "influence": 0.6},
        ...     {"name": "CFO", "roles": ["economic_buyer"], "influence": 0.9,
        ...      "reports_to": "chair"}]})
        >>> top_decision_maker(d, ["cfo", "chair"])
        'chair'
    """
    by_id = deal.people_by_id()
    candidates = [i for i in decision_makers if i in by_id and not by_id[i].has_left]
    if not candidates:
        return None
    managers = deal_graph(deal).managers()  # the deal graph's rule, as the org chart's

    def depth_of(pid: str) -> int:
        # Managers above ``pid`` along their one reporting line (a cycle stops it).
        seen = {pid}
        boss = managers.get(pid)
        while boss is not None and boss not in seen:
            seen.add(boss)
            boss = managers.get(boss)
        return len(seen) - 1

    return min(candidates, key=lambda i: (depth_of(i), -by_id[i].influence, i))


def required_items(policy: Policy, step: Step | None) -> list[str]:
    """The checklist items the policy requires at this step (none without a step)."""
    if step is None:
        return []
    return list(policy.checklist.get(step, ()))


def fact_rows(deal: Deal, policy: Policy, step: Step | None) -> list[FactRow]:
    """The information checklist: every item known or required, in checklist order.

    ``stale``: known, dated, and older than ``policy.fact_stale_days``.
    """
    facts = deal.deal.facts
    required = set(required_items(policy, step))
    today = deal.as_of()
    rows = []
    for item in CHECKLIST_ITEMS:
        fact = facts.get(item)
        if fact is None and item not in required:
            continue
        age = (today - fact.as_of).days if fact is not None and fact.as_of else None
        rows.append(
            FactRow(
                item=item,
                known=fact is not None,
                text=fact.text if fact else None,
                source=fact.source if fact else None,
                age_days=age,
                required=item in required,
                stale=age is not None and age > policy.fact_stale_days,
            )
        )
    return rows


def competitor_rows(deal: Deal) -> list[CompetitorRow]:
    """The competitors, in file order, each with who favours them (ids, sorted)."""
    fans: dict[str, list[str]] = {}
    for p in deal.people:
        if p.favours is not None and not p.has_left:
            fans.setdefault(p.favours, []).append(p.id)
    return [
        CompetitorRow(
            name=c.name,
            incumbent=c.incumbent,
            notes=c.notes,
            favoured_by=sorted(fans.get(c.name, [])),
        )
        for c in deal.deal.competitors
    ]


def left_people(deal: Deal) -> list[str]:
    """The ids of the people who left their organisation, in file order."""
    return [p.id for p in deal.people if p.has_left]


#: The seeds' degrees of a deal's temperature, by number of kinds of recent signal.
TEMPERATURE_DEGREES: tuple[int, ...] = (10, 40, 80, 100, 100)


def temperature(deal: Deal, policy: Policy) -> int:
    """The deal's temperature from its recent buying signals: 10, 40, 80 or 100 degrees.

    Count the different kinds of buying signal that customers who have not left
    gave within ``policy.buying_signal_days`` before ``as_of`` (none after it):
    none is 10 degrees, one kind 40, two kinds 80, three or four kinds 100.

    Examples:
        >>> d = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-03-01"},
        ...     "people": [{"name": "Ann", "buying_signals": [
        ...         {"kind": "agreed_next_step", "date": "2026-02-20"},
        ...         {"kind": "introduced_senior", "date": "2025-01-01"}]}]})
        >>> temperature(d, Policy())
        40
    """
    return TEMPERATURE_DEGREES[len(recent_signal_kinds(deal, policy))]


def recent_signal_kinds(deal: Deal, policy: Policy) -> set[str]:
    """The kinds of buying signal given within the policy's recency window."""
    today = deal.as_of()
    return {
        s.kind.value
        for p in deal.people
        if p.is_customer and not p.has_left
        for s in p.buying_signals
        if _recent(s.date, today, policy.buying_signal_days)
    }


def _recent(day: date, today: date, days: int) -> bool:
    return 0 <= (today - day).days <= days


def is_person_left(person: Person) -> bool:
    """True when this person left (``Person.has_left``).

    Coverage and paths read it through the deal graph's
    :meth:`~influence.graph.DealGraph.counts`.
    """
    return person.has_left
