"""Risk signals and the deal's risk score.

Each signal has a stable code, a severity, the people it concerns and one plain
sentence. Each signal brings points: its severity's (high 25, medium 10, low 5,
info 0) times its weight, ``0.5 + influence`` of the person it is about (see
:meth:`~influence.analysis.signals.SignalSpec.weigh`). The risk score is
``100 x points / (points + 200)``: 200 points make 50, 600 make 75, 1,800 make
90; it never reaches 100, so risky deals still rank apart. The grade is high
from 40, medium from 10, low below (``docs/analysis.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from influence.analysis.cadence import cadence_signals
from influence.analysis.coverage import holds_role, is_decision_maker
from influence.analysis.method import top_decision_maker
from influence.analysis.method_signals import method_signals
from influence.analysis.models import (
    SEVERITY_ORDER,
    Contribution,
    CoverageStatus,
    Grade,
    InfluenceScore,
    Risk,
    RoleStatus,
    Signal,
)
from influence.analysis.signals import POINTS, SIGNALS, Severity, SignalFacts, who
from influence.analysis.stage_signals import stage_signals
from influence.analysis.stages import deal_step
from influence.graph import KIND_CODES, DealGraph, deal_graph
from influence.model import Deal, Kind, Person, Policy, Role, Side, Stance

__all__ = [
    "GRADE_HIGH_FROM",
    "GRADE_MEDIUM_FROM",
    "POINTS",
    "SIGNAL_CODES",
    "deal_risk",
    "risk_grade",
    "risk_score",
    "risk_signals",
    "signal",
    "who",
]

#: The points that make a score of 50: ``score = 100 x points / (points + HALF_POINTS)``.
HALF_POINTS = 200
#: The grade is high from this score (131 points: say two uncovered decision-makers and
#: a blocker who sways them both).
GRADE_HIGH_FROM = 40
#: The grade is medium from this score (21 points: one high signal about someone of
#: influence 0.4 or more, or two medium ones).
GRADE_MEDIUM_FROM = 10

#: Every signal code, its severity, and when it fires: read from the registry
#: (:data:`influence.analysis.signals.SIGNALS`, ``docs/analysis.md``).
SIGNAL_CODES: dict[str, tuple[Severity, str]] = {
    code: (spec.severity, spec.rule) for code, spec in SIGNALS.items()
}

UNKNOWN_STANCE_INFLUENCE = 0.6


def risk_signals(
    deal: Deal,
    policy: Policy,
    people: dict[str, CoverageStatus],
    roles: dict[str, RoleStatus],
    support: float,
    scores: list[InfluenceScore],
    hidden: list[str],
) -> list[Signal]:
    """Return every risk signal of a deal, sorted by severity, code and people.

    The inputs are the other parts of the analysis (see :func:`influence.analyze`,
    which calls this for you).

    Examples:
        >>> from influence import read_deal
        >>> from influence.analysis.report import assess
        >>> deal = read_deal("examples/saas-small.yaml")
        >>> a = assess(deal)
        >>> signals = risk_signals(deal, a.policy, a.coverage.people, a.coverage.roles,
        ...     a.support, a.network_influence, a.hidden_influencers)
        >>> [s.code for s in signals] == [s.code for s in a.signals]
        True
    """
    by_id = deal.people_by_id()
    as_of = deal.as_of()
    dms = sorted(p.id for p in deal.people if is_decision_maker(p, policy))
    dm_set = set(dms)
    customers = list(deal.customers())
    out: list[Signal] = []

    def add(code: str, ids: list[str], facts: SignalFacts) -> None:
        out.append(signal(code, ids, facts, by_id))

    # One cause, one signal: a rule leaves out what another signal already says.
    # Who the decision-maker and the economic buyer are is what no-decision-maker asks.
    unsaid = {Role.CHAMPION.value} | (
        {Role.DECISION_MAKER.value, Role.ECONOMIC_BUYER.value} if not dms else set()
    )
    if not dms:
        add("no-decision-maker", [], SignalFacts())
    step = deal_step(deal, policy).step
    top = top_decision_maker(deal, dms)
    for found in stage_signals(deal, policy, people, roles, top=top, step=step):
        add(*found)
    for dm in dms:
        p = by_id[dm]
        if people.get(dm) == "uncovered" and dm != top:  # top-decision-maker-uncovered for them
            add("decision-maker-uncovered", [dm], SignalFacts(person=dm))
        if p.stance is Stance.BLOCKER:
            add("decision-maker-blocker", [dm], SignalFacts(person=dm))
    for role, status in roles.items():
        if status == "missing":
            if role not in unsaid:  # no-champion says the champion is missing
                add("role-missing", [], SignalFacts(role=role))
        elif status != "covered":  # uncovered, or reached only through stale ties
            holders = sorted(p.id for p in customers if holds_role(p, Role(role)))
            if all(_says_unreached(by_id[h], people.get(h), dm_set) for h in holders):
                continue  # each holder's own signal says we do not reach them
            stale = tuple(h for h in holders if people.get(h) == "stale")
            add(
                "role-uncovered",
                holders,
                SignalFacts(role=role, holders=tuple(holders), stale=stale),
            )
    champions = sorted(
        p.id for p in customers if holds_role(p, Role.CHAMPION) and p.stance is Stance.ALLY
    )
    if not champions:
        add("no-champion", [], SignalFacts())
    covered = sorted(pid for pid, status in people.items() if status == "covered")
    if len(covered) < policy.min_threads:
        add(
            "single-threaded",
            covered,
            SignalFacts(reached=tuple(covered), threshold=policy.min_threads),
        )
    for blocker, reached in _blocker_reach(deal, dms):
        order = sorted(reached, key=lambda d: (-by_id[d].influence, d))
        add(
            "blocker-influences-decision-maker",
            [blocker, *order],
            SignalFacts(
                blocker=blocker,
                decision_makers=tuple(order),
                chains=tuple(tuple(reached[d]) for d in order),
            ),
        )
    for p in customers:
        if p.stance is Stance.UNKNOWN and (
            p.id in dm_set or p.influence >= UNKNOWN_STANCE_INFLUENCE
        ):
            add(
                "unknown-stance",
                [p.id],
                SignalFacts(
                    person=p.id,
                    reason="decision-maker" if p.id in dm_set else "influential",
                    influence=p.influence,
                ),
            )
    contacts: dict[str, date] | None = None
    for p in customers:
        if people.get(p.id) == "stale" and (p.id in dm_set or Role.CHAMPION in p.roles):
            if contacts is None:
                contacts = _last_seller_contacts(deal, policy)
            last = contacts.get(p.id)
            add(
                "stale-relationship",
                [p.id],
                SignalFacts(
                    person=p.id,
                    reason="decision-maker" if p.id in dm_set else "champion",
                    days=(as_of - last).days if last is not None else None,
                    last_contact=last,
                ),
            )
    for dm in dms:
        p = by_id[dm]
        if p.stance is Stance.UNKNOWN:
            continue  # unknown-stance says it: there is no stance to doubt
        if p.assessed is not None and (as_of - p.assessed).days > policy.assessment_stale_days:
            add(
                "doubtful-assessment",
                [dm],
                SignalFacts(person=dm, stance=p.stance.value, days=(as_of - p.assessed).days),
            )
    if support < 0:
        add("negative-support", [], SignalFacts(support=support))
    at_odds: dict[str, set[str]] = {}
    conflicts = Kind.CONFLICTS_WITH
    for rel in deal.relationships:
        if rel.kind is not conflicts:
            continue
        for a, b in ((rel.from_, rel.to), (rel.to, rel.from_)):
            if by_id[a].stance is Stance.ALLY and b in dm_set:
                at_odds.setdefault(a, set()).add(b)
    for ally in sorted(at_odds):
        order = sorted(at_odds[ally], key=lambda d: (-by_id[d].influence, d))
        add(
            "ally-conflicts-with-decision-maker",
            [ally, *order],
            SignalFacts(ally=ally, decision_makers=tuple(order)),
        )
    ranks = {s.id: s.rank for s in scores}
    for pid in hidden:
        add(
            "hidden-influencer",
            [pid],
            SignalFacts(person=pid, rank=ranks[pid], influence=by_id[pid].influence),
        )
    for pid in deal_graph(deal).isolated():
        add("isolated-person", [pid], SignalFacts(person=pid))
    for method_found in method_signals(deal, policy, people, dms):
        add(*method_found)
    said_stale = frozenset(s.people[0] for s in out if s.code == "stale-relationship")
    for cadence_found in cadence_signals(deal, policy, dms, top=top, said_stale=said_stale):
        add(*cadence_found)
    out.sort(key=lambda s: (SEVERITY_ORDER[s.severity], s.code, s.people, s.message))
    return out


def _says_unreached(p: Person, status: str | None, dms: set[str]) -> bool:
    """Whether a signal of the person's own says we do not reach them (see risk_signals)."""
    if p.id in dms:
        # (top-)decision-maker-uncovered, stale-relationship
        return status in ("uncovered", "stale")
    return status == "stale" and Role.CHAMPION in p.roles  # stale-relationship


def signal(code: str, people: list[str], facts: SignalFacts, names: dict[str, Person]) -> Signal:
    """Make the signal ``code`` from its facts: the registry gives severity, points, message.

    Args:
        code: A signal code (:data:`SIGNAL_CODES`).
        people: The people it concerns, by id.
        facts: What it found.
        names: The deal's people by id (the message names them).

    Returns:
        The signal, its message rendered from ``facts``.

    Examples:
        >>> from influence.model import Person
        >>> bo = {"bo": Person(name="Bo")}
        >>> s = signal("isolated-person", ["bo"], SignalFacts(person="bo"), bo)
        >>> s.severity, s.points, s.message
        ('info', 0, 'Bo has no ties at all in the map.')
    """
    spec = SIGNALS[code]
    weight = spec.weigh(facts, names)
    return Signal(
        code=code,
        severity=spec.severity,
        people=people,
        message=spec.message(facts, names),
        points=round(spec.points * weight),
        weight=weight,
        role=facts.role,
        item=facts.item,
        facts=facts,
    )


def risk_score(points: int) -> int:
    """The 0-100 score for a total of signal points: ``100 x points / (points + 200)``.

    200 points make 50; each further score point costs more points than the last,
    but the score never reaches 100 (it is 99 only from 13,134 points), so two risky
    deals still rank apart, and more points never make a lower score.

    Examples:
        >>> [risk_score(p) for p in (0, 10, 21, 35, 131, 200, 600, 1000, 2000)]
        [0, 5, 10, 15, 40, 50, 75, 83, 91]
    """
    return int(100 * points / (points + HALF_POINTS) + 0.5) if points > 0 else 0


def risk_grade(score: int) -> Grade:
    """The grade of a score: high from 40, medium from 10, low below.

    Examples:
        >>> [risk_grade(s) for s in (0, 9, 10, 39, 40, 99)]
        ['low', 'low', 'medium', 'medium', 'high', 'high']
    """
    return "high" if score >= GRADE_HIGH_FROM else "medium" if score >= GRADE_MEDIUM_FROM else "low"


def deal_risk(signals: list[Signal]) -> Risk:
    """Return the risk score (0-100), the grade, and each signal's points and share.

    Each signal's points are its severity's times its weight (already on the
    signal: :func:`signal`); the shares split the score in proportion to them.

    Examples:
        >>> sig = Signal(code="negative-support", severity="high", people=[], message="",
        ...              points=25)
        >>> risk = deal_risk([sig, sig, sig])
        >>> risk.score, risk.grade, risk.points, [c.share for c in risk.contributions]
        (27, 'medium', 75, [9, 9, 9])
        >>> deal_risk([]).score
        0
    """
    points = [s.points for s in signals]
    total = sum(points)
    score = risk_score(total)
    grade = risk_grade(score)
    shares = _apportion(score, points)
    contributions = [
        Contribution(
            code=s.code,
            people=s.people,
            points=p,
            share=share,
            weight=s.weight,
        )
        for s, p, share in zip(signals, points, shares, strict=True)
        if p
    ]
    explanation = (
        f"Signals add {total} points (each: high 25, medium 10, low 5, info 0, times its "
        "weight, 0.5 + the influence of the person it is about); "
        f"score = 100 x {total} / ({total} + {HALF_POINTS}) = {score}; grade {grade} "
        f"(high from {GRADE_HIGH_FROM}, medium from {GRADE_MEDIUM_FROM})."
    )
    return Risk(
        score=score,
        grade=grade,
        points=total,
        explanation=explanation,
        contributions=contributions,
    )


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` as whole numbers that add up exactly.

    Largest remainders get the spare units; ties go to the earlier entry.
    """
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    out = [int(x) for x in exact]
    spare = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:spare]:
        out[i] += 1
    return out


def _blocker_reach(deal: Deal, dms: list[str]) -> list[tuple[str, dict[str, list[str]]]]:
    """(blocker, {decision-maker: chain}) for each blocker whose sway reaches a decision-maker.

    Sway travels along ``influences`` ties (from -> to) and ``reports_to`` ties in
    both directions (a manager directs their report; a report advises their manager),
    at most two steps: directly, or through one person. Each
    decision-maker's chain is the one a breadth-first walk finds first (neighbours
    in id order): directly if they can be reached so, else through the first of the
    blocker's neighbours (by id) whose sway reaches them.
    """
    blockers = sorted(
        p.id for p in deal.people if p.stance is Stance.BLOCKER and p.side is Side.CUSTOMER
    )
    if not blockers or not dms:
        return []
    dm_set = set(dms)
    graph = deal_graph(deal)
    neighbours = _sway(graph)
    # Only the decision-makers among a neighbour's neighbours matter: a big deal has
    # thousands of blockers, and walking everyone two steps from each costs seconds.
    near_dms = _sway(graph, among=dm_set)
    out: list[tuple[str, dict[str, list[str]]]] = []
    for b in blockers:
        first = [n for n in neighbours(b) if n != b]
        # A decision-maker who is a blocker too still counts: the sway hardens them, and
        # turning blocker never takes points away from the blockers who sway them.
        chains = {n: [b, n] for n in first if n in dm_set}
        for n in first:
            for dm in near_dms(n):
                if dm != b and dm not in chains:
                    chains[dm] = [b, n, dm]
        if chains:
            out.append((b, {dm: chains[dm] for dm in sorted(chains)}))
    return out


def _sway(graph: DealGraph, among: set[str] | None = None) -> Callable[[str], list[str]]:
    """Whom a person's sway reaches directly, sorted by id (see :func:`_blocker_reach`).

    With ``among``, only those of them in it. The ``reports_to`` shorthands count.
    Each person's list is made when first asked.
    """
    ordered: dict[str, list[str]] = {}
    influences, reports = Kind.INFLUENCES, Kind.REPORTS_TO
    if not graph.many_ties():
        nxt: dict[str, set[str]] = {pid: set() for pid in graph.side}
        for t in graph.ties:
            if t.kind is influences or t.kind is reports:
                nxt[t.from_].add(t.to)
                if t.kind is reports:
                    nxt[t.to].add(t.from_)
        if among is not None:
            nxt = {pid: near & among for pid, near in nxt.items()}

        def sorted_set(person: str) -> list[str]:
            found = ordered.get(person)
            if found is None:
                found = ordered[person] = sorted(nxt[person])
            return found

        return sorted_set
    import numpy as np

    cols = graph.columns()
    kind, a, b = cols.kind, cols.a, cols.b
    known = (a >= 0) & (b >= 0)
    ahead = known & ((kind == KIND_CODES[influences]) | (kind == KIND_CODES[reports]))
    back = known & (kind == KIND_CODES[reports])
    src = np.concatenate((a[ahead], b[back]))
    dst = np.concatenate((b[ahead], a[back]))
    ids = list(graph.side)
    index = {pid: i for i, pid in enumerate(ids)}
    if among is not None:
        wanted = np.zeros(len(ids), dtype=bool)
        wanted[[index[pid] for pid in among if pid in index]] = True
        keep = wanted[dst]
        src, dst = src[keep], dst[keep]
    order = np.argsort(src, kind="stable")
    starts = np.searchsorted(src[order], np.arange(len(ids) + 1)).tolist()
    reached = dst[order]

    def sorted_slice(person: str) -> list[str]:
        found = ordered.get(person)
        if found is None:
            i = index[person]
            near = set(map(ids.__getitem__, reached[starts[i] : starts[i + 1]].tolist()))
            found = ordered[person] = sorted(near)
        return found

    return sorted_slice


def _last_seller_contacts(deal: Deal, policy: Policy) -> dict[str, date]:
    """Our last contact with each customer: :meth:`~influence.graph.DealGraph.last_contact`."""
    g = deal_graph(deal, policy)
    found = {p.id: g.last_contact(p.id) for p in deal.customers()}
    return {pid: last for pid, last in found.items() if last is not None}
