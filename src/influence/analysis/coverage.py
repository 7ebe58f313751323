"""Coverage: which customers our team reaches, which required roles, and support.

A customer is **covered** when a seller-side person has a ``knows`` or
``influences`` tie with them at least ``coverage_strength`` warm that is not
stale; **stale** when only stale ties reach them; otherwise **uncovered**. The
rule lives in the deal graph (:class:`~influence.graph.DealGraph`, "our tie" in
docs/analysis.md); this module reads it.
"""

from __future__ import annotations

from influence.analysis.models import Coverage, CoverageStatus, RoleStatus
from influence.graph import deal_graph, is_stale
from influence.model import Deal, Person, Policy, Role, Side, Stance

__all__ = [
    "coverage",
    "coverage_score",
    "decision_makers",
    "holds_role",
    "is_decision_maker",
    "is_stale",
    "person_coverage",
    "role_coverage",
    "support",
]

_STANCE_SIGN = {Stance.ALLY: 1.0, Stance.NEUTRAL: 0.0, Stance.UNKNOWN: 0.0, Stance.BLOCKER: -1.0}


def person_coverage(deal: Deal, policy: Policy | None = None) -> dict[str, CoverageStatus]:
    """Return each customer's coverage status, keyed by id in file order.

    The rule is the deal graph's (:meth:`~influence.graph.DealGraph.coverage_status`,
    docs/analysis.md "Our tie").

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
    return deal_graph(deal, policy).coverage()


def is_decision_maker(person: Person, policy: Policy) -> bool:
    """True for a customer with role decision_maker or economic_buyer, or high influence.

    A person who left (``status: left``) decides nothing: ``person-left`` says they went.
    """
    return (
        person.side is Side.CUSTOMER
        and not person.has_left
        and (
            Role.DECISION_MAKER in person.roles
            or Role.ECONOMIC_BUYER in person.roles
            or person.influence >= policy.decision_influence
        )
    )


def holds_role(person: Person, role: Role) -> bool:
    """True for a customer who holds the role and has not left (who left holds nothing).

    Examples:
        >>> holds_role(Person(name="A", roles=["user"]), Role.USER)
        True
        >>> holds_role(Person(name="A", roles=["user"], status="left"), Role.USER)
        False
    """
    return person.side is Side.CUSTOMER and role in person.roles and not person.has_left


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
    """Return each required role's status, in policy order.

    ``missing``: no customer holds the role; ``covered``: a holder is covered;
    ``stale``: no holder is covered, and a holder is covered only by stale ties;
    ``uncovered``: we reach no holder.

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
    customers = list(deal.customers())
    for role in policy.required_roles:
        holders = [p.id for p in customers if holds_role(p, role)]
        if not holders:
            out[role.value] = "missing"
        elif any(people.get(h) == "covered" for h in holders):
            out[role.value] = "covered"
        elif any(people.get(h) == "stale" for h in holders):
            out[role.value] = "stale"
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
    customers = list(deal.customers())
    total = sum(p.influence for p in customers)
    if total <= 0:
        return 0.0
    covered = sum(p.influence for p in customers if people.get(p.id) == "covered")
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
    customers = list(deal.customers())
    total = sum(p.influence for p in customers)
    if total <= 0:
        return 0.0
    return round(sum(p.influence * _STANCE_SIGN[p.stance] for p in customers) / total, 4)


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
