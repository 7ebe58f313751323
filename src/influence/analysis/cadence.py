"""Cadence and concentration: how often we see the key people, and who holds the ties.

For a deal with touchpoints only (``DealGraph.has_touchpoints``: the relationship
evidence); a deal without them gets none of this, so its reports are as before.
Each rule lives here once (``docs/analysis.md``, "Cadence and concentration"):

- a person's **cadence** (:func:`cadence_of`): the shortest of the policy's
  ``cadence_days`` over their roles (a decision-maker without either decision role
  has ``decision_maker``'s) and, for the top decision-maker,
  ``top_decision_maker_cadence_days``;
- the signals ``cadence-missed``, ``cooling-tie`` and ``single-seller-dependency``
  (:func:`cadence_signals`, rendered by the registry,
  :data:`influence.analysis.signals.SIGNALS`);
- the report's **visits** per month per key person (:func:`visits_view`) and its
  **favours ledger** (人情, :func:`favour_rows`).

Examples:
    >>> from influence.model import Deal
    >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
    ...     "people": [{"name": "Li", "side": "seller"},
    ...                {"name": "Bo", "roles": ["decision_maker", "user"]}],
    ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.9}],
    ...     "touchpoints": [{"date": "2026-09-29", "kind": "visit", "people": ["li", "bo"]}]})
    >>> cadence_of(deal.person("bo"), Policy(), decision_maker=True, top=False)
    (30, 'decision_maker')
    >>> [(f.code, f.facts.days) for f in cadence_signals(deal, Policy(), ["bo"], top="bo")]
    [('cadence-missed', 52), ('single-seller-dependency', None)]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import compress
from operator import attrgetter
from typing import NamedTuple

from influence.analysis.models import FavourRow, KeyReason, VisitRow, VisitsView
from influence.analysis.signals import SignalFacts
from influence.graph import deal_graph
from influence.model import (
    FAVOUR_TOUCHES,
    Deal,
    Direction,
    Person,
    Policy,
    Role,
    Side,
    TouchKind,
)
from influence.warmth import may_cool

__all__ = [
    "TOP_CADENCE",
    "Found",
    "cadence_of",
    "cadence_signals",
    "favour_rows",
    "key_people",
    "visits_view",
]

#: What :func:`cadence_of` names as the source of the top decision-maker's cadence.
TOP_CADENCE = "top_decision_maker"


class Found(NamedTuple):
    """One signal a rule found, before the registry makes it a :class:`Signal`."""

    code: str
    people: list[str]
    facts: SignalFacts


def cadence_of(
    person: Person, policy: Policy, *, decision_maker: bool, top: bool
) -> tuple[int, str] | None:
    """A person's cadence in days, and whose it is (a role, or ``top_decision_maker``).

    The shortest of: ``top_decision_maker_cadence_days`` for the top decision-maker;
    ``cadence_days`` of each role they hold; ``cadence_days["decision_maker"]`` for a
    decision-maker (by influence too). Ties go to the top decision-maker, then to the
    roles in their documented order. None: no cadence applies.

    Examples:
        >>> p = Person(name="Ann", roles=["user", "technical_buyer"])
        >>> cadence_of(p, Policy(), decision_maker=False, top=False)
        (45, 'technical_buyer')
        >>> cadence_of(Person(name="Bo", roles=["legal"]), Policy(),
        ...            decision_maker=False, top=False) is None
        True
    """
    found: list[tuple[int, int, str]] = []
    if top:
        found.append((policy.top_decision_maker_cadence_days, -1, TOP_CADENCE))
    roles = set(person.roles)
    if decision_maker:
        roles.add(Role.DECISION_MAKER)
    order = list(Role)
    for role in roles:
        days = policy.cadence_days.get(role)
        if days is not None:
            found.append((days, order.index(role), role.value))
    if not found:
        return None
    days, _, whose = min(found)
    return days, whose


def cadence_signals(
    deal: Deal,
    policy: Policy,
    decision_makers: Sequence[str],
    *,
    top: str | None,
    said_stale: frozenset[str] = frozenset(),
) -> list[Found]:
    """``cadence-missed``, ``single-seller-dependency`` and ``cooling-tie`` of a deal.

    None in a deal without touchpoints. People who left count for nothing (the deal
    graph's rule): no signal about them, and their ties are nobody's.

    Args:
        deal: The deal.
        policy: The effective policy.
        decision_makers: The decision-makers' ids.
        top: The top decision-maker's id (None: there is none).
        said_stale: The customers ``stale-relationship`` speaks of (its message gives
            the days since our last contact already: no ``cadence-missed`` for them).

    Returns:
        The signals found, as code, people and facts.
    """
    graph = deal_graph(deal, policy)
    if not graph.has_touchpoints():
        return []
    as_of = deal.as_of()
    dms = set(decision_makers)
    customers = [p for p in deal.customers() if not p.has_left]
    out: list[Found] = []
    for p in customers:
        if p.id in said_stale:
            continue
        cadence = cadence_of(p, policy, decision_maker=p.id in dms, top=p.id == top)
        last = graph.last_contact(p.id)
        if cadence is None or last is None:
            continue  # no cadence, or no contact to count from (coverage says it)
        days = (as_of - last).days
        if days > cadence[0]:
            facts = SignalFacts(
                person=p.id,
                days=days,
                threshold=cadence[0],
                cadence_role=cadence[1],
                last_contact=last,
            )
            out.append(Found("cadence-missed", [p.id], facts))
    by_id = deal.people_by_id()
    covered = [d for d in decision_makers if graph.coverage_status(d) == "covered"]
    holders = {t.other(d) for d in covered for t in graph.warm_ties(d)}
    if len(holders) == 1:
        (seller,) = holders
        order = tuple(sorted(covered, key=lambda d: (-by_id[d].influence, d)))
        facts = SignalFacts(seller=seller, decision_makers=order)
        out.append(Found("single-seller-dependency", [seller, *order], facts))
    for p in customers:
        seen: set[str] = set()
        for tie in graph.our_ties(p.id):  # warmest first: one signal per seller
            seller = tie.other(p.id)
            if seller in seen:
                continue
            seen.add(seller)  # the warmest tie's trend speaks for the pair
            if not may_cool(tie.strength, policy):  # too warm to be cooling: no trend needed
                continue
            trend = graph.trend(tie)
            if trend is None or not trend.cooling:
                continue
            facts = SignalFacts(
                person=p.id,
                seller=seller,
                before=trend.before,
                now=trend.now,
                since=trend.since,
                days=policy.cooling_period_days,
            )
            out.append(Found("cooling-tie", [p.id, seller], facts))
    return out


def key_people(
    deal: Deal, decision_makers: Sequence[str], top: str | None
) -> list[tuple[str, KeyReason]]:
    """The key people of the visits view, each with why, in its order.

    The top decision-maker, then the other decision-makers, then the customers who
    hold ``coach`` (who have not left), each group by influence (highest first), then id.
    """
    by_id = deal.people_by_id()

    def ranked(ids: Sequence[str]) -> list[str]:
        return sorted(ids, key=lambda i: (-by_id[i].influence, i))

    out: list[tuple[str, KeyReason]] = [] if top is None else [(top, "top_decision_maker")]
    seen = {top}
    for d in ranked([d for d in decision_makers if d not in seen and d in by_id]):
        out.append((d, "decision_maker"))
        seen.add(d)
    coaches = [
        p.id
        for p in deal.customers()
        if Role.COACH in p.roles and not p.has_left and p.id not in seen
    ]
    out += [(c, "coach") for c in ranked(coaches)]
    return out


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def visits_view(
    deal: Deal, policy: Policy, decision_makers: Sequence[str], top: str | None
) -> VisitsView | None:
    """Visits (touchpoints of kind ``visit``) per calendar month with each key person.

    The months are the ``visit_months`` calendar months up to ``as_of``'s, oldest
    first; a visit after ``as_of`` does not count. Meetings, calls and the rest are
    not visits. None in a deal without touchpoints.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li", "side": "seller"},
        ...                {"name": "Bo", "roles": ["decision_maker"]}],
        ...     "touchpoints": [{"date": "2026-10-02", "kind": "visit", "people": ["li", "bo"]},
        ...                     {"date": "2026-11-03", "kind": "meeting", "people": ["li", "bo"]}]})
        >>> view = visits_view(deal, Policy(visit_months=3), ["bo"], "bo")
        >>> view.months, view.people[0].counts, view.people[0].last
        (['2026-09', '2026-10', '2026-11'], [0, 1, 0], datetime.date(2026, 10, 2))
    """
    if not deal.touchpoints:
        return None
    as_of = deal.as_of()
    end = _month(as_of)
    first = end - policy.visit_months + 1
    months = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, end + 1)]
    keys = key_people(deal, decision_makers, top)
    counts = {pid: [0] * len(months) for pid, _ in keys}
    last: dict[str, date] = {}
    touches = deal.touchpoints
    visits = compress(touches, map(TouchKind.VISIT.__eq__, map(attrgetter("kind"), touches)))
    for t in visits:  # the visits only, picked at C speed
        if t.date > as_of:
            continue
        month = _month(t.date)
        for pid in t.people:
            row = counts.get(pid)
            if row is None:
                continue
            if month >= first:
                row[month - first] += 1
            if pid not in last or t.date > last[pid]:
                last[pid] = t.date
    rows = [
        VisitRow(
            person=pid, reason=why, counts=counts[pid], total=sum(counts[pid]), last=last.get(pid)
        )
        for pid, why in keys
    ]
    return VisitsView(months=months, people=rows)


def favour_rows(deal: Deal) -> list[FavourRow] | None:
    """The favours ledger (人情): favours and gifts with each customer, each way.

    Touchpoints of kind ``favour`` or ``gift`` up to ``as_of``; ``direction: sent``
    (or none) is one we did or gave, ``received`` one they did for us (we asked) or
    gave us. One row per customer with any, in file order (people who left too: it
    is a record of what happened). None in a deal without touchpoints.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Bo"}],
        ...     "touchpoints": [
        ...         {"date": "2026-10-02", "kind": "favour", "people": ["li", "bo"]},
        ...         {"date": "2026-10-09", "kind": "favour", "people": ["li", "bo"],
        ...          "direction": "received"}]})
        >>> row = favour_rows(deal)[0]
        >>> row.favours_given, row.favours_asked, row.last
        (1, 1, datetime.date(2026, 10, 9))
    """
    if not deal.touchpoints:
        return None
    as_of = deal.as_of()
    customers = {p.id for p in deal.people if p.side is Side.CUSTOMER}
    tally: dict[str, list[int]] = {}
    last: dict[str, date] = {}
    touches = deal.touchpoints
    kinds = map(attrgetter("kind"), touches)
    for t in compress(touches, map(FAVOUR_TOUCHES.__contains__, kinds)):
        if t.date > as_of:
            continue
        theirs = t.direction is Direction.RECEIVED
        col = (0 if t.kind is TouchKind.FAVOUR else 2) + (1 if theirs else 0)
        for pid in t.people:
            if pid not in customers:
                continue
            tally.setdefault(pid, [0, 0, 0, 0])[col] += 1
            if pid not in last or t.date > last[pid]:
                last[pid] = t.date
    return [
        FavourRow(
            person=p.id,
            favours_given=tally[p.id][0],
            favours_asked=tally[p.id][1],
            gifts_given=tally[p.id][2],
            gifts_received=tally[p.id][3],
            last=last[p.id],
        )
        for p in deal.people
        if p.id in tally
    ]
