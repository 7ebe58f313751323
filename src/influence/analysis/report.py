"""The deal report: every analysis of one deal, as one pydantic model.

``DealReport.model_dump(mode="json")`` is exactly the JSON that
``influence analyze DEAL --json`` prints (``docs/analysis.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from influence.analysis.paths import IntroductionPath, PathsSummary
from influence.analysis.signals import SIGNALS, ActionFacts, SignalFacts
from influence.analysis.signals import Severity as Severity  # re-exported: its old home
from influence.model import Deal, Policy

Grade = Literal["low", "medium", "high"]
CoverageStatus = Literal["covered", "stale", "uncovered"]
RoleStatus = Literal["covered", "uncovered", "missing", "stale"]

SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2, "info": 3}
#: ``analyze`` searches introduction paths in full for at most this many uncovered
#: decision-makers, the most influential; the others are summarised (``paths_summary``).
MAX_PATH_TARGETS = 25


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class DealSummary(_Result):
    """What the report is about."""

    id: str
    name: str
    as_of: date
    account: str | None = None
    stage: str | None = None
    value: float | None = None
    currency: str | None = None
    close_date: date | None = None
    owner: str | None = None


class Contribution(_Result):
    """What one signal adds: its points, and its share of the 0-100 score."""

    code: str
    people: list[str]
    points: int
    share: int = Field(description="Score points owed to this signal; shares add up to score.")


class Risk(_Result):
    """The deal's risk: a 0-100 score, a grade, and how the score was made."""

    score: int = Field(ge=0, le=100)
    grade: Grade
    points: int = Field(default=0, description="Sum of the signals' points.")
    explanation: str = Field(description="One sentence: how the score is computed.")
    contributions: list[Contribution] = Field(default_factory=list)


class Coverage(_Result):
    """Who on the customer side we reach, and which required roles we reach."""

    score: float = Field(description="Influence of covered customers / influence of all.")
    people: dict[str, CoverageStatus]
    roles: dict[str, RoleStatus]

    def uncovered(self, ids: Sequence[str]) -> list[str]:
        """Those of ``ids`` (such as the decision-makers) we do not cover, in order.

        Examples:
            >>> c = Coverage(score=0.5, people={"a": "covered", "b": "uncovered"}, roles={})
            >>> c.uncovered(["a", "b", "nobody"])
            ['b', 'nobody']
        """
        return [i for i in ids if self.people.get(i) != "covered"]


class InfluenceScore(_Result):
    """A person's network influence and rank among the customers."""

    id: str
    score: float
    rank: int


class Signal(_Result):
    """One risk signal: a stable code, a severity, the people, one plain sentence.

    ``facts`` holds what the signal found, as data (days, the path, the role, the
    people reached ...); ``message`` is rendered from them by the signal's
    template (:data:`influence.analysis.signals.SIGNALS`). Facts stay out of the
    JSON, which keeps the documented keys.
    """

    code: str
    severity: Severity
    people: list[str]
    message: str
    points: int = Field(default=0, description="What this signal adds to the risk score.")
    role: str | None = Field(
        default=None, description="The role concerned, for role-missing and role-uncovered."
    )
    facts: SignalFacts = Field(default_factory=SignalFacts, exclude=True)

    def identity(self) -> tuple[str, ...]:
        """What makes two signals "the same" across versions of a deal.

        A deal-wide signal (such as ``single-threaded``) stays the same signal
        when the people it names change; a role signal is one per role; any
        other signal is one per group of people.

        Examples:
            >>> a = Signal(code="single-threaded", severity="high", people=[], message="")
            >>> a.identity() == a.model_copy(update={"people": ["chen"]}).identity()
            True
        """
        return signal_identity(self.code, self.role, self.people)


#: Signals about the deal as a whole: at most one of each per report.
DEAL_WIDE_SIGNALS = frozenset(code for code, spec in SIGNALS.items() if spec.scope == "deal")


def signal_identity(code: str, role: str | None, people: Sequence[str]) -> tuple[str, ...]:
    """The identity of a signal from its parts: see :meth:`Signal.identity`.

    Examples:
        >>> signal_identity("role-missing", "economic_buyer", [])
        ('role-missing', 'economic_buyer')
    """
    if code in DEAL_WIDE_SIGNALS:
        return (code,)
    if role is not None:
        return (code, role)
    return (code, *people)


class Action(_Result):
    """One next step, naming people and the signal it answers.

    ``facts`` holds what the text claims about the deal's ties (each introduction
    asked for, the path, the ties of ours it names), as data; it stays out of the
    JSON.
    """

    text: str
    signal: str
    people: list[str]
    advice: str | None = Field(default=None, description="How to engage, by social style.")
    facts: ActionFacts = Field(default_factory=ActionFacts, exclude=True)


class PersonRow(_Result):
    """One person as the report shows them."""

    id: str
    name: str
    title: str | None
    side: str
    roles: list[str]
    influence: float
    network_influence: float | None
    stance: str
    coverage: CoverageStatus | None = Field(description="None for our team and partners.")
    decision_maker: bool


class DealReport(_Result):
    """Everything ``analyze`` says about one deal."""

    deal: DealSummary
    risk: Risk
    coverage: Coverage
    support: float
    decision_makers: list[str]
    network_influence: list[InfluenceScore]
    hidden_influencers: list[str] = Field(default_factory=list)
    signals: list[Signal]
    paths: dict[str, list[IntroductionPath]]
    actions: list[Action]
    people: list[PersonRow] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list, description="What-if assumptions applied.")
    paths_summary: PathsSummary | None = Field(
        default=None,
        description=(
            "Set when paths were searched for only the most influential uncovered "
            "decision-makers: how many, and the others' best warmth. Left out of the "
            "JSON when every one got its paths."
        ),
    )

    @model_serializer(mode="wrap")
    def _without_empty_summary(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.paths_summary is None:
            data.pop("paths_summary", None)
        return data

    def _repr_html_(self) -> str:
        """A compact summary table, for Jupyter; every value escaped.

        The interactive map is ``influence.deal_map(deal)``: analysis may not import
        render (the import layers), so the report draws only this table.

        Examples:
            >>> from influence import read_deal
            >>> table = analyze(read_deal("examples/saas-small.yaml"))._repr_html_()
            >>> table.startswith("<table") and "risk" in table
            True
        """
        names = {p.id: p.name for p in self.people}
        cell = 'style="text-align:left;vertical-align:top;padding:2px 8px"'
        rows = [
            ("deal", f"{self.deal.name} (as of {self.deal.as_of.isoformat()})"),
            ("risk", f"{self.risk.grade.upper()} {self.risk.score}/100"),
            ("coverage", f"{self.coverage.score:.2f}; support {self.support:+.2f}"),
            ("decision-makers", ", ".join(names.get(d, d) for d in self.decision_makers)),
        ]
        rows += [(f"{s.severity} {s.code}", s.message) for s in self.signals]
        for target, found in self.paths.items():
            best = found[0] if found else None
            rows.append(
                (
                    f"path to {names.get(target, target)}",
                    " -> ".join(names.get(p, p) for p in best.people)
                    + f" (warmth {best.warmth:.2f})"
                    if best
                    else "no path",
                )
            )
        body = "".join(
            f"<tr><th {cell}>{escape(k)}</th><td {cell}>{escape(v)}</td></tr>" for k, v in rows
        )
        return f"<table>{body}</table>"


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
        >>> [s.code for s in found.signals]
        ['role-uncovered']
    """
    from influence.analysis.coverage import coverage, decision_makers, support
    from influence.analysis.network import hidden_influencers, network_influence
    from influence.analysis.risk import risk_signals

    policy = deal.effective_policy(policy)
    cov = coverage(deal, policy)
    sup = support(deal)
    dms = decision_makers(deal, policy)
    scores = network_influence(deal)
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
    from influence._gc import gc_paused

    # A big deal is millions of live objects: the collector would walk them again
    # and again while the analysis allocates, and free nothing.
    with gc_paused():
        return _analyze(deal, policy, max_path_targets)


def _analyze(deal: Deal, policy: Policy | None, max_path_targets: int | None) -> DealReport:
    from influence.analysis.actions import next_actions
    from influence.analysis.paths import PathsSummary, introduction_paths_to
    from influence.analysis.risk import deal_risk
    from influence.graph import deal_graph

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
        PersonRow.model_construct(
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
        risk=deal_risk(signals),
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
    )
