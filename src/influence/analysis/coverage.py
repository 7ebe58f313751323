"""Coverage: which customers our team reaches, which required roles, and support.

A customer is **covered** when a seller-side person has a ``knows`` or
``influences`` tie with them at least ``coverage_strength`` warm that is not
stale; **stale** when only stale ties reach them; otherwise **uncovered**.
"""

from __future__ import annotations

from datetime import date

from influence.analysis.report import Coverage, CoverageStatus, RoleStatus
from influence.model import Deal, Kind, Person, Policy, Side, Stance

__all__ = [
    "coverage",
    "coverage_score",
    "decision_makers",
    "is_decision_maker",
    "is_stale",
    "person_coverage",
    "role_coverage",
    "support",
]

_STANCE_SIGN = {Stance.ALLY: 1.0, Stance.NEUTRAL: 0.0, Stance.UNKNOWN: 0.0, Stance.BLOCKER: -1.0}


def is_stale(last_contact: date | None, as_of: date, policy: Policy) -> bool:
    """True when a tie's last contact is more than ``stale_after_days`` before ``as_of``.

    A tie with no ``last_contact`` is not stale: there is no date to age.

    Examples:
        >>> is_stale(date(2026, 9, 1), date(2026, 11, 20), Policy())
        True
        >>> is_stale(None, date(2026, 11, 20), Policy())
        False
    """
    return last_contact is not None and (as_of - last_contact).days > policy.stale_after_days


def person_coverage(deal: Deal, policy: Policy | None = None) -> dict[str, CoverageStatus]:
    """Return each customer's coverage status, keyed by id in file order.

    Args:
        deal: The deal.
        policy: Thresholds; default: the deal's policy over the defaults.

    Returns:
        ``{"person-id": "covered" | "stale" | "uncovered"}`` for every customer.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Ann", "side": "seller"}, {"name": "Bo"}, {"name": "Cy"}],
        ...     "relationships": [{"from": "ann", "to": "bo", "strength": 0.8}]})
        >>> person_coverage(deal)
        {'bo': 'covered', 'cy': 'uncovered'}
    """
    policy = deal.effective_policy(policy)
    as_of = deal.as_of()
    side = {p.id: p.side for p in deal.people}
    sellers = {pid for pid, s in side.items() if s is Side.SELLER}
    fresh: set[str] = set()
    stale: set[str] = set()
    threshold = policy.coverage_strength
    knows, influences = Kind.KNOWS, Kind.INFLUENCES
    for rel in deal.relationships:
        a, b = rel.from_, rel.to
        if a not in sellers and b not in sellers:
            continue  # most ties of a big deal: between two customers
        if (rel.kind is not knows and rel.kind is not influences) or rel.strength < threshold:
            continue
        for us, them in ((a, b), (b, a)):
            if us in sellers and side[them] is Side.CUSTOMER:
                (stale if is_stale(rel.last_contact, as_of, policy) else fresh).add(them)
    out: dict[str, CoverageStatus] = {}
    for p in deal.customers():
        out[p.id] = "covered" if p.id in fresh else "stale" if p.id in stale else "uncovered"
    return out


def is_decision_maker(person: Person, policy: Policy) -> bool:
    """True for a customer with role decision_maker or economic_buyer, or high influence."""
    from influence.model import Role

    return person.side is Side.CUSTOMER and (
        Role.DECISION_MAKER in person.roles
        or Role.ECONOMIC_BUYER in person.roles
        or person.influence >= policy.decision_influence
    )


def decision_makers(deal: Deal, policy: Policy | None = None) -> list[str]:
    """Return the ids of the decision-makers, sorted.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
        ...     {"name": "Zoe", "influence": 0.9}, {"name": "Al", "roles": ["economic_buyer"]},
        ...     {"name": "Bo"}]})
        >>> decision_makers(deal)
        ['al', 'zoe']
    """
    policy = deal.effective_policy(policy)
    return sorted(p.id for p in deal.people if is_decision_maker(p, policy))


def role_coverage(
    deal: Deal,
    policy: Policy | None = None,
    people: dict[str, CoverageStatus] | None = None,
) -> dict[str, RoleStatus]:
    """Return each required role's status: missing, uncovered or covered (policy order).

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
        ...     {"name": "Bo", "roles": ["user"]}]})
        >>> role_coverage(deal, Policy(required_roles=["user", "champion"]))
        {'user': 'uncovered', 'champion': 'missing'}
    """
    policy = deal.effective_policy(policy)
    people = people if people is not None else person_coverage(deal, policy)
    out: dict[str, RoleStatus] = {}
    for role in policy.required_roles:
        holders = [p.id for p in deal.customers() if role in p.roles]
        if not holders:
            out[role.value] = "missing"
        elif any(people.get(h) == "covered" for h in holders):
            out[role.value] = "covered"
        else:
            out[role.value] = "uncovered"
    return out


def coverage_score(deal: Deal, people: dict[str, CoverageStatus]) -> float:
    """Influence of covered customers / influence of all customers, 0..1 (0 with none).

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
        ...     {"name": "A", "influence": 0.75}, {"name": "B", "influence": 0.25}]})
        >>> coverage_score(deal, {"a": "covered", "b": "stale"})
        0.75
    """
    total = sum(p.influence for p in deal.customers())
    if total <= 0:
        return 0.0
    covered = sum(p.influence for p in deal.customers() if people.get(p.id) == "covered")
    return round(covered / total, 4)


def support(deal: Deal) -> float:
    """Influence-weighted stance of the customers, -1 (all blockers) .. +1 (all allies).

    Sum of influence x (+1 ally, 0 neutral or unknown, -1 blocker) over customers,
    divided by their total influence; 0 when there are none.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
        ...     {"name": "A", "influence": 0.6, "stance": "ally"},
        ...     {"name": "B", "influence": 0.2, "stance": "blocker"},
        ...     {"name": "C", "influence": 0.2}]})
        >>> support(deal)
        0.4
    """
    total = sum(p.influence for p in deal.customers())
    if total <= 0:
        return 0.0
    return round(sum(p.influence * _STANCE_SIGN[p.stance] for p in deal.customers()) / total, 4)


def coverage(deal: Deal, policy: Policy | None = None) -> Coverage:
    """Return the coverage part of a report: score, per person, per required role.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [{"name": "A"}]})
        >>> coverage(deal).score
        0.0
    """
    policy = deal.effective_policy(policy)
    people = person_coverage(deal, policy)
    return Coverage(
        score=coverage_score(deal, people),
        people=people,
        roles=role_coverage(deal, policy, people),
    )
