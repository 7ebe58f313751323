"""The result models of one deal's analysis: a leaf that every analysis imports.

``DealReport.model_dump(mode="json")`` is exactly the JSON that
``influence analyze DEAL --json`` prints (``docs/analysis.md``). The analyses
(coverage, network, risk, actions) build these models; :mod:`influence.analysis.report`
runs them. This module runs nothing and imports none of them, so no import
circles through it (an import-linter contract keeps it so).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

from influence.analysis.paths import IntroductionPath, PathsSummary
from influence.analysis.signals import SIGNALS, ActionFacts, SignalFacts
from influence.analysis.signals import Severity as Severity  # re-exported: its old home

Grade = Literal["low", "medium", "high"]
CoverageStatus = Literal["covered", "stale", "uncovered"]
RoleStatus = Literal["covered", "uncovered", "missing", "stale"]

SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2, "info": 3}
#: ``analyze`` searches introduction paths in full for at most this many uncovered
#: decision-makers, the most influential; the others are summarised (``paths_summary``).
MAX_PATH_TARGETS = 25


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


_R = TypeVar("_R", bound=_Result)
_set = object.__setattr__


def checked(cls: type[_R], **values: Any) -> _R:
    """``cls.model_construct(**values)``, for values already checked that name every field.

    What ``model_construct`` does for such values, in the fields' order, without its
    Python loop over the fields, aliases and defaults: a fifth of the time, which
    counts for the 100,000 rows of a big deal's report. Any other call is
    ``model_construct``'s.

    Examples:
        >>> row = checked(InfluenceScore, id="chen", score=0.25, rank=1)
        >>> row == InfluenceScore.model_construct(id="chen", score=0.25, rank=1)
        True
    """
    if tuple(values) != tuple(cls.__pydantic_fields__):
        return cast(_R, cls.model_construct(**values))
    model = object.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


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
    points: int = Field(description="Its severity's points times its weight, rounded.")
    share: int = Field(description="Score points owed to this signal; shares add up to score.")
    weight: float = Field(
        default=1.0,
        description="How much the people it is about matter: 0.5 + influence (about 0.5-3).",
    )


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
    points: int = Field(
        default=0,
        description="What this signal adds to the risk score: its severity's points x weight.",
    )
    weight: float = Field(
        default=1.0,
        description=(
            "How much the people it is about matter (0.5 + influence; see docs/analysis.md)."
        ),
    )
    role: str | None = Field(
        default=None, description="The role concerned, for role-missing and role-uncovered."
    )
    item: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The checklist item concerned, for information-gap (absent otherwise).",
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
        return signal_identity(self.code, self.role, self.people, item=self.item)


#: Signals about the deal as a whole: at most one of each per report.
DEAL_WIDE_SIGNALS = frozenset(code for code, spec in SIGNALS.items() if spec.scope == "deal")


def signal_identity(
    code: str, role: str | None, people: Sequence[str], *, item: str | None = None
) -> tuple[str, ...]:
    """The identity of a signal from its parts: see :meth:`Signal.identity`.

    Examples:
        >>> signal_identity("role-missing", "economic_buyer", [])
        ('role-missing', 'economic_buyer')
        >>> signal_identity("information-gap", None, [], item="budget")
        ('information-gap', 'budget')
    """
    if code in DEAL_WIDE_SIGNALS:
        return (code,)
    if role is not None:
        return (code, role)
    if item is not None:  # one per checklist item, whoever told us
        return (code, item)
    return (code, *people)


class Action(_Result):
    """One next step, naming people and the signals it answers.

    ``signal`` is the code of the signal that leads it; ``resolves`` lists every
    code it answers (several when signals about one person share the action).

    ``facts`` holds what the text claims about the deal's ties (each introduction
    asked for, the path, the ties of ours it names), as data; it stays out of the
    JSON.
    """

    text: str
    signal: str
    people: list[str]
    advice: str | None = Field(default=None, description="How to engage, by social style.")
    target: str | None = Field(
        default=None,
        description="The person to reach: one action per person (None: about the deal).",
    )
    resolves: list[str] = Field(
        default_factory=list,
        description="The codes of every signal the action answers, the lead signal's first.",
    )
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


class FactRow(_Result):
    """One item of the information checklist, as the report shows it."""

    item: str
    known: bool
    text: str | None = None
    source: str | None = Field(default=None, description="Id of the person who told us.")
    age_days: int | None = Field(default=None, description="Days from its as_of to the report's.")
    required: bool = Field(default=False, description="Required at the deal's step.")
    stale: bool = Field(default=False, description="Older than policy fact_stale_days.")


class CompetitorRow(_Result):
    """One competitor, as the report shows it."""

    name: str
    incumbent: bool = False
    notes: str | None = None
    favoured_by: list[str] = Field(default_factory=list, description="Ids, sorted.")


class TieTrend(_Result):
    """One of our ties with touchpoints: its warmth now and a period ago, and its last touch.

    Every value is the deal graph's (:meth:`influence.graph.DealGraph.trend` and
    :meth:`~influence.graph.DealGraph.warmth`): the report reads, never recomputes.
    """

    customer: str = Field(description="Id of the customer-side person.")
    seller: str = Field(description="Id of the person on our team.")
    kind: str = Field(description="knows or influences.")
    warmth: float = Field(description="The tie's effective strength on as_of.")
    was: float = Field(description="Its effective strength on `since`.")
    since: date = Field(description="as_of minus policy cooling_period_days.")
    change: float = Field(description="warmth - was, rounded to 3 places (negative: cooler).")
    cooling: bool = Field(description="The warmth fell by more than policy cooling_share.")
    last_touch: date | None = Field(default=None, description="The latest touchpoint's day.")
    last_touch_kind: str | None = Field(default=None, description="Its kind (meeting, call...).")
    trend: str = Field(description="The trend in words: '0.80, was 0.90 on 2026-10-21: cooling'.")
    explanation: str = Field(description="The warmth in one sentence (influence.warmth.explain).")


#: Why a person is a key person of the visits view: the top decision-maker, a
#: decision-maker, or a coach.
KeyReason = Literal["top_decision_maker", "decision_maker", "coach"]


class VisitRow(_Result):
    """One key person's visits per calendar month (the report's ``visits``)."""

    person: str = Field(description="The customer's id.")
    reason: KeyReason = Field(description="top_decision_maker, decision_maker or coach.")
    counts: list[int] = Field(description="Visits in each month of ``months``, oldest first.")
    total: int = Field(description="The sum of ``counts``.")
    last: date | None = Field(
        default=None, description="The latest visit up to as_of, in any month (None: never)."
    )


class VisitsView(_Result):
    """Visits per month per key person, over the policy's ``visit_months``."""

    months: list[str] = Field(description="The calendar months, YYYY-MM, oldest first.")
    people: list[VisitRow] = Field(
        default_factory=list,
        description="The top decision-maker, then the other decision-makers and the "
        "coaches, each by influence (highest first), then id.",
    )


class FavourRow(_Result):
    """The favours ledger (人情) with one customer: favours and gifts, each way."""

    person: str = Field(description="The customer's id.")
    favours_given: int = Field(default=0, description="Favours we did for them.")
    favours_asked: int = Field(default=0, description="Favours they did for us (we asked).")
    gifts_given: int = Field(default=0, description="Gifts we gave them.")
    gifts_received: int = Field(default=0, description="Gifts they gave us.")
    last: date | None = Field(default=None, description="The latest favour or gift.")


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
        exclude_if=lambda summary: summary is None,
    )
    # -- issue 12: the key-account method ----------------------------------
    step: str | None = Field(
        default=None, description="The buying step the deal's stage maps to (None: unmapped)."
    )
    top_decision_maker: str | None = Field(
        default=None, description="The decision-maker at the top of the reporting line."
    )
    facts: list[FactRow] = Field(
        default_factory=list, description="The information checklist: known or required items."
    )
    competitors: list[CompetitorRow] = Field(default_factory=list)
    temperature: int = Field(
        default=10, description="10, 40, 80 or 100 degrees, from recent buying signals."
    )
    left: list[str] = Field(default_factory=list, description="Ids of people who left.")
    warnings: list[str] = Field(
        default_factory=list, description="Problems of the input that are not errors."
    )
    # -- issue 13: warmth trend ------------------------------------------------
    tie_trends: list[TieTrend] = Field(
        default_factory=list,
        description=(
            "Our ties with touchpoints (seller side to customers who have not left): warmth "
            "now and a period ago, cooling or not, last touch. Cooling first, the biggest "
            "fall first, then by customer, seller and kind. Left out of the JSON when empty "
            "(a deal without touchpoints)."
        ),
        exclude_if=lambda rows: not rows,
    )
    # -- issue 13: cadence (deals with touchpoints only; absent otherwise) -----
    visits: VisitsView | None = Field(
        default=None,
        description="Visits per month per key person; set only in a deal with "
        "touchpoints (absent from the JSON otherwise).",
        exclude_if=lambda view: view is None,
    )
    favours: list[FavourRow] | None = Field(
        default=None,
        description="The favours ledger (人情), one row per customer with a favour or a "
        "gift, in file order; set only in a deal with touchpoints (absent otherwise).",
        exclude_if=lambda rows: rows is None,
    )

    def _repr_html_(self) -> str:
        """A compact summary table, for Jupyter; every value escaped.

        The interactive map is ``influence.deal_map(deal)``: analysis may not import
        render (the import layers), so the report draws only this table.

        Examples:
            >>> from influence import analyze, read_deal
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
