"""Run every analysis of one deal: :func:`assess` and :func:`analyze`.

The result models live in :mod:`influence.analysis.models` (a leaf); they are
re-exported here, their former home, so ``from influence.analysis.report import
DealReport`` keeps working.
"""

from __future__ import annotations

from typing import NamedTuple

from influence._gc import gc_paused
from influence.analysis.actions import next_actions
from influence.analysis.cadence import favour_rows, visits_view
from influence.analysis.coverage import coverage, decision_makers, support
from influence.analysis.method import (
    competitor_rows,
    fact_rows,
    left_people,
    temperature,
    top_decision_maker,
)
from influence.analysis.models import (
    DEAL_WIDE_SIGNALS,
    MAX_PATH_TARGETS,
    SEVERITY_ORDER,
    Action,
    Contribution,
    Coverage,
    CoverageStatus,
    DealReport,
    DealSummary,
    Grade,
    InfluenceScore,
    PersonRow,
    Risk,
    RoleStatus,
    Severity,
    Signal,
    TieTrend,
    checked,
    signal_identity,
)
from influence.analysis.network import hidden_influencers, network_influence
from influence.analysis.paths import PathsSummary, introduction_paths_to
from influence.analysis.risk import deal_risk, risk_signals
from influence.analysis.stages import deal_step
from influence.analysis.trends import tie_trends
from influence.graph import deal_graph
from influence.model import Deal, Policy, Step

__all__ = [
    "DEAL_WIDE_SIGNALS",
    "MAX_PATH_TARGETS",
    "SEVERITY_ORDER",
    "Action",
    "Assessment",
    "Contribution",
    "Coverage",
    "CoverageStatus",
    "DealReport",
    "DealSummary",
    "Grade",
    "InfluenceScore",
    "PersonRow",
    "Risk",
    "RoleStatus",
    "Severity",
    "Signal",
    "TieTrend",
    "analyze",
    "assess",
    "signal_identity",
]


class Assessment(NamedTuple):
    """What every reading of a deal's risk starts from: a report, a review row."""

    policy: Policy
    coverage: Coverage
    support: float
    decision_makers: list[str]
    network_influence: list[InfluenceScore]
    hidden_influencers: list[str]
    signals: list[Signal]


def assess(deal: Deal, policy: Policy | None = None) -> Assessment:
    """Coverage, support, decision-makers, network influence and the risk signals.

    :func:`analyze` adds introduction paths and next actions to these; a pipeline
    review, which ranks deals, needs only these.

    Examples:
        >>> from influence import read_deal
        >>> found = assess(read_deal("examples/saas-small.yaml"))
        >>> sorted({s.code for s in found.signals})
        ['information-gap', 'no-recent-buying-signal', 'role-uncovered']
    """
    policy = deal.effective_policy(policy)
    cov = coverage(deal, policy)
    sup = support(deal)
    dms = decision_makers(deal, policy)
    scores = network_influence(deal, policy)
    hidden = hidden_influencers(deal, scores)
    signals = risk_signals(deal, policy, cov.people, cov.roles, sup, scores, hidden)
    return Assessment(policy, cov, sup, dms, scores, hidden, signals)


def analyze(
    deal: Deal,
    policy: Policy | None = None,
    *,
    max_path_targets: int | None = MAX_PATH_TARGETS,
) -> DealReport:
    """Analyse a deal: coverage, network influence, paths, risk signals and next actions.

    Args:
        deal: The deal.
        policy: The team policy; the deal's own ``policy:`` overrides it. Default:
            the spec's defaults.
        max_path_targets: Introduction paths are searched in full for at most this
            many uncovered decision-makers (the most influential, then by id); the
            others are summarised in ``paths_summary``. None: no limit.

    Returns:
        The report; ``report.model_dump(mode="json")`` is the spec's JSON.

    Examples:
        >>> from influence import read_deal
        >>> report = analyze(read_deal("examples/saas-small.yaml"))
        >>> report.risk.grade in ("low", "medium", "high")
        True
        >>> 0 <= report.risk.score <= 100
        True
        >>> report.paths_summary is None
        True
    """
    # A big deal is millions of live objects: the collector would walk them again
    # and again while the analysis allocates, and free nothing.
    with gc_paused():
        return _analyze(deal, policy, max_path_targets)


def _analyze(deal: Deal, policy: Policy | None, max_path_targets: int | None) -> DealReport:

    policy, cov, sup, dms, scores, hidden, signals = assess(deal, policy)
    targets = cov.uncovered(dms)
    by_id = deal.people_by_id()
    # The most influential first: those get their paths when there are too many.
    ranked = sorted(targets, key=lambda t: (-by_id[t].influence, t))
    shown = ranked if max_path_targets is None else ranked[:max_path_targets]
    shown_set = set(shown)
    # The actions use the paths to the most influential holder of each required role
    # we do not reach: they are searched too.
    role_targets = [
        max(s.people, key=lambda p: (by_id[p].influence, p))
        for s in signals
        if s.code == "role-uncovered" and s.people
    ]
    many = introduction_paths_to(
        deal,
        [*shown, *role_targets, *ranked[len(shown) :]],
        k=policy.paths_per_target,
        max_hops=policy.max_hops,
        avoid_blockers=policy.avoid_blockers,
        limit=len(shown_set | set(role_targets)),
        policy=policy,
    )
    paths = many.paths
    summary = None
    if len(shown) < len(targets):
        # A holder of a role beyond the first ones has its paths already: its best counts.
        rest = many.summary.warmth if many.summary is not None else {}
        warmth = {
            t: rest[t] if t in rest else (paths[t][0].warmth if paths[t] else None)
            for t in ranked[len(shown) :]
        }
        summary = PathsSummary(
            targets=len(targets),
            shown=len(shown),
            reachable=sum(w is not None for w in warmth.values()),
            warmth=warmth,
        )
    actions = next_actions(
        deal,
        signals,
        paths,
        coverage=dict(cov.people),
        summarised=summary.warmth if summary is not None else None,
        graph=deal_graph(deal, policy),
    )
    net = {s.id: s.score for s in scores}
    dm_set = set(dms)
    # Built from values already checked (one row per person): no validation needed.
    rows = [
        checked(
            PersonRow,
            id=p.id,
            name=p.name,
            title=p.title,
            side=p.side.value,
            roles=[r.value for r in p.roles],
            influence=p.influence,
            network_influence=net.get(p.id),
            stance=p.stance.value,
            coverage=cov.people.get(p.id),
            decision_maker=p.id in dm_set,
        )
        for p in deal.people
    ]
    info = deal.deal
    found = deal_step(deal, policy)
    warnings = [found.warning] if found.warning else []
    risk = deal_risk(signals)
    if found.step is Step.LOST:
        # A lost deal is analysed as such: no risk to score, nothing to do.
        risk = Risk(score=0, grade="low", points=0, explanation=LOST_EXPLANATION)
        signals, actions = [], []
    return DealReport(
        deal=DealSummary(
            id=deal.id,
            name=info.name,
            as_of=deal.as_of(),
            account=info.account,
            stage=info.stage,
            value=info.value,
            currency=info.currency,
            close_date=info.close_date,
            owner=info.owner,
        ),
        risk=risk,
        coverage=cov,
        support=sup,
        decision_makers=dms,
        network_influence=scores,
        hidden_influencers=hidden,
        signals=signals,
        paths={t: paths[t] for t in targets if t in shown_set},
        actions=actions,
        people=rows,
        paths_summary=summary,
        step=found.step.value if found.step else None,
        top_decision_maker=top_decision_maker(deal, dms),
        facts=fact_rows(deal, policy, found.step),
        competitors=competitor_rows(deal),
        temperature=temperature(deal, policy),
        left=left_people(deal),
        warnings=warnings,
        tie_trends=tie_trends(deal, policy),
        visits=visits_view(deal, policy, dms, top_decision_maker(deal, dms)),
        favours=favour_rows(deal),
    )


#: The one line a lost deal's risk says (its score is 0 and means nothing).
LOST_EXPLANATION = "The deal is lost (its stage maps to step lost): it is not scored."
