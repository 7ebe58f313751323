"""Pipeline review, the analysis: one row per deal, the ranking, totals and the trend.

Pure analysis, no files and no processes: :func:`review_deal` turns one
:class:`~influence.Deal` into its :class:`ReviewedDeal` row (the risk, signals,
coverage, support and first next action of :func:`influence.analyze`, and every
person's name), :func:`assemble_review` ranks rows and totals them into a
:class:`PortfolioReview`, and :func:`compare` adds what changed since a
previous review, in words and worst first (:data:`CHANGE_KINDS`,
:func:`changed_deals`). Reading many deal
files on worker processes or Dask, and loading a saved review, is the batch
layer's work: :func:`influence.review` (:mod:`influence.batch.review`).

Order of the deals (stable, documented in the README; :func:`rank_key` alone
says it): risk score, highest first; then the signals' points, highest first
(the score is rounded, the points are not); then value, highest first (a deal
without a value counts as 0); then deal id; then file.

Examples:
    >>> from influence import read_deal
    >>> rows = [review_deal(read_deal(f"examples/{n}.yaml"), file=n) for n in ("saas-small",)]
    >>> result = assemble_review(rows, [])
    >>> result.totals.deals, result.errors
    (1, [])
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from influence.analysis.models import SEVERITY_ORDER, Grade, Severity, TieTrend, signal_identity
from influence.analysis.stages import STEP_ORDER
from influence.model import CHECKLIST_ITEMS, Deal, Policy, Step

__all__ = [
    "CHANGE_KINDS",
    "UNMAPPED_STEP",
    "ChangeItem",
    "ChangeKind",
    "DealChange",
    "GradeTotal",
    "PortfolioReview",
    "ReviewError",
    "ReviewRisk",
    "ReviewedDeal",
    "SignalBrief",
    "SignalCount",
    "StanceChange",
    "Totals",
    "Trend",
    "assemble_review",
    "change_order",
    "changed_deals",
    "compare",
    "rank_key",
    "review_deal",
    "step_groups",
]

#: Key used for the value of deals that name no currency.
NO_CURRENCY = "none"
#: Grades from worst to best: the order of ``Totals.by_grade``.
GRADES: tuple[Grade, ...] = ("high", "medium", "low")
#: How many signal codes a deal row explains in ``top_signals`` (one message each).
TOP_SIGNALS = 3


# -- the result models ---------------------------------------------------------------


class _Row(BaseModel):
    # Unknown keys are ignored, so a review written by a newer version still loads (--since).
    model_config = ConfigDict(frozen=True)


class ReviewRisk(_Row):
    """The deal's risk score (0-100), grade and points, as in its :class:`~influence.DealReport`."""

    score: int = Field(ge=0, le=100)
    grade: Grade
    points: int = Field(
        default=0, description="Sum of the signals' points: ranks deals of one score apart."
    )


class SignalBrief(_Row):
    """One signal of a deal: code, severity, the people it concerns, one sentence."""

    code: str
    severity: Severity
    people: list[str]
    message: str
    role: str | None = Field(default=None, description="For role-missing and role-uncovered.")
    item: str | None = Field(
        default=None, exclude_if=lambda v: v is None, description="For information-gap."
    )

    def identity(self) -> tuple[str, ...]:
        """What makes it the same signal in two reviews: see ``Signal.identity``.

        Examples:
            >>> a = SignalBrief(code="single-threaded", severity="high", people=[], message="")
            >>> a.identity()
            ('single-threaded',)
        """
        return signal_identity(self.code, self.role, self.people, item=self.item)


class StanceChange(_Row):
    """A person whose stance changed between two reviews."""

    id: str
    before: str
    after: str


class SignalRef(_Row):
    """A signal as the trend names it: code, people, role (the wording may age)."""

    code: str
    people: list[str]
    role: str | None = None
    item: str | None = Field(default=None, exclude_if=lambda v: v is None)


#: A kind of change of a deal between two reviews; :data:`CHANGE_KINDS` orders them.
ChangeKind = Literal[
    "decision-maker-blocker",
    "decision-maker-gone",
    "decision-maker-cooled",
    "grade-up",
    "new-high-signal",
    "blocker",
    "score-up",
    "new-signal",
    "cooled",
    "cooling",
    "step-back",
    "colder",
    "new-refusal",
    "facts-changed",
    "warmth-changed",
    "new-deal",
    "people-gone",
    "touchpoints-removed",
    "people-added",
    "touchpoints-added",
    "warmed",
    "step-forward",
    "warmer",
    "refusal-resolved",
    "resolved-signal",
    "score-down",
    "grade-down",
]

#: The kinds of change, worst first: the one order in which every face of a
#: review lists what changed (the deals by their worst change, and each deal's
#: changes). A decision-maker turning blocker comes before anything else; then a
#: decision-maker who left the deal, one whose stance got worse otherwise, a
#: worse grade, a new high-severity signal, anyone else turning blocker, a higher
#: score, any other new signal, anyone else's stance getting worse, a tie of ours
#: newly cooling, the deal back
#: at an earlier buying step, a colder deal (temperature down), a new refusal, a
#: checklist fact learnt, changed or dropped, our warmth to a decision-maker moved,
#: a deal new in the pipeline, people
#: gone (or who left their company), touchpoints removed, people added, touchpoints
#: added; good news last (a stance that
#: got better, a later buying step, a warmer deal, a refusal resolved, a resolved
#: signal, a lower score, a better grade).
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)

_CHANGE_RANK = {kind: n for n, kind in enumerate(CHANGE_KINDS)}
#: Stances from best to worst, for "got worse" and "got better".
_STANCE_RANK = {"ally": 0, "neutral": 1, "unknown": 2, "blocker": 3}


def change_order(kind: ChangeKind) -> int:
    """Where a kind of change sorts in :data:`CHANGE_KINDS`: 0 is the worst.

    Examples:
        >>> change_order("decision-maker-blocker"), CHANGE_KINDS[-1]
        (0, 'grade-down')
        >>> change_order("grade-up") < change_order("new-signal") < change_order("warmed")
        True
    """
    return _CHANGE_RANK[kind]


class ChangeItem(_Row):
    """One change of a deal, in words, with the people it is about (ids)."""

    kind: ChangeKind
    text: str = Field(
        description="In plain words, people by name: 'Zhang Min (decision-maker) ally -> blocker'."
    )
    people: list[str] = Field(default_factory=list)


class DealChange(_Row):
    """What changed in one deal since the previous review.

    ``status`` is ``new`` for a deal the previous review did not have (the
    ``*_before`` fields are then None and the lists empty), ``changed`` when
    anything below differs, ``unchanged`` otherwise. ``items`` says the same in
    words, worst first (:data:`CHANGE_KINDS`).
    """

    status: Literal["new", "changed", "unchanged"]
    grade_before: Grade | None = None
    score_before: int | None = None
    score_change: int = Field(default=0, description="Score now minus score before.")
    new_signals: list[SignalRef] = Field(default_factory=list)
    resolved_signals: list[SignalRef] = Field(default_factory=list)
    stance_changes: list[StanceChange] = Field(default_factory=list)
    people_added: list[str] = Field(default_factory=list)
    people_gone: list[str] = Field(default_factory=list)
    step_before: str | None = Field(
        default=None, description="The buying step before, when it changed (else None)."
    )
    temperature_before: int | None = Field(
        default=None, description="The temperature before, when it changed (else None)."
    )
    people_left: list[str] = Field(
        default_factory=list, description="People who left their company since the last review."
    )
    items: list[ChangeItem] = Field(
        default_factory=list, description="Every change in words, worst first (CHANGE_KINDS)."
    )

    @property
    def worst(self) -> ChangeKind | None:
        """The kind of the worst change, None when nothing changed.

        Examples:
            >>> DealChange(status="unchanged").worst is None
            True
        """
        return self.items[0].kind if self.items else None


class ReviewedDeal(_Row):
    """One deal's row in the review."""

    id: str
    file: str = Field(description="The deal file, as found.")
    name: str
    account: str | None = None
    stage: str | None = None
    value: float | None = None
    currency: str | None = None
    close_date: date | None = None
    as_of: date
    owner: str | None = Field(
        default=None, description="A seller-side person id (names has the name)."
    )
    risk: ReviewRisk
    signals: list[str] = Field(description="Signal codes, each once, worst severity first.")
    top_signals: list[str] = Field(
        description="Why, in brief: the first message of each of the three worst signal codes."
    )
    uncovered_decision_makers: list[str] = Field(
        description="Decision-makers not covered (stale or uncovered)."
    )
    decision_makers: list[str]
    coverage: float = Field(description="Coverage score, 0..1.")
    support: float = Field(description="Support, -1..1.")
    signal_details: list[SignalBrief] = Field(description="Every signal, worst first.")
    people: dict[str, str] = Field(description="Every person's stance, by id: for the trend.")
    names: dict[str, str] = Field(
        default_factory=dict, description="Every person's name, by id: faces show names, not ids."
    )
    next_action: str | None = Field(
        default=None, description="The first of the deal's next actions, as analyze gives it."
    )
    step: str | None = Field(
        default=None, description="The buying step the deal's stage maps to (None: unmapped)."
    )
    temperature: int = Field(
        default=10, description="10, 40, 80 or 100 degrees, from recent buying signals."
    )
    left: list[str] = Field(
        default_factory=list, description="Ids of the people who left their company."
    )
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="Each known checklist item in one line (text, who told us, when), "
        "in checklist order: what --since compares.",
    )
    open_refusals: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Each customer's open refusals (kinds), by id: what --since compares.",
    )
    # -- issue 13: touchpoints and warmth (what --since compares) ----------------------
    touchpoints: int = Field(default=0, description="How many touchpoints the deal holds.")
    cooling: list[str] = Field(
        default_factory=list,
        description="Ids of the customers with a cooling tie of ours (the report's "
        "tie_trends), sorted.",
    )
    decision_maker_warmth: dict[str, float] = Field(
        default_factory=dict,
        description="Our warmest tie with touchpoints to each decision-maker, by id "
        "(the report's tie_trends warmth).",
    )
    change: DealChange | None = Field(
        default=None, description="What changed since the previous review (with since only)."
    )


class ReviewError(_Row):
    """A file the review could not use, with every located problem."""

    file: str
    messages: list[str] = Field(description="FILE:LINE:COL: field: message, one per problem.")


class GradeTotal(_Row):
    """Deals of one grade: how many, and their value per currency."""

    deals: int
    value: dict[str, float] = Field(description="Sum of values by currency.")


class SignalCount(_Row):
    """How common one signal is across the pipeline."""

    code: str
    severity: Severity
    deals: int = Field(description="Deals with this signal.")
    count: int = Field(description="Signals with this code (some deals have several).")


class Totals(_Row):
    """Pipeline totals: deals and value by grade, the most common signals."""

    deals: int
    errors: int = Field(description="Files that could not be reviewed.")
    value: dict[str, float] = Field(description="Total value by currency.")
    by_grade: dict[Grade, GradeTotal] = Field(description="high, medium, low.")
    signals: list[SignalCount] = Field(
        description="Every signal code seen, most deals first, then severity, then code."
    )
    by_step: dict[str, GradeTotal] = Field(
        default_factory=dict,
        description="Deals and value by buying step, in a purchase's order (`unmapped` last); "
        "only the steps some deal is at.",
    )


#: The key of :attr:`Totals.by_step` for deals whose stage maps to no step.
UNMAPPED_STEP = "unmapped"


def step_groups(deals: Iterable[ReviewedDeal]) -> list[tuple[str, list[ReviewedDeal]]]:
    """The deals grouped by buying step, in a purchase's order (``unmapped`` last).

    Each group keeps the order it is given (a review's rank); empty steps are left out.

    Examples:
        >>> from influence import review
        >>> [(step, len(ds)) for step, ds in step_groups(review(["examples"], workers=1).deals)]
        [('criteria', 2), ('tender', 2)]
    """
    groups: dict[str, list[ReviewedDeal]] = {}
    for d in deals:
        groups.setdefault(d.step or UNMAPPED_STEP, []).append(d)
    order = [s.value for s in STEP_ORDER] + [UNMAPPED_STEP]
    return [(step, groups[step]) for step in order if step in groups]


class Trend(_Row):
    """Deals that appeared or disappeared since the previous review."""

    since: str | None = Field(default=None, description="The previous review's file.")
    appeared: list[str]
    disappeared: list[str]
    changed: list[str] = Field(
        default_factory=list,
        description="The deals that changed or are new, worst change first (see changed_deals).",
    )


class PortfolioReview(_Row):
    """A pipeline review: ranked deals, unreadable files, totals, and the trend."""

    deals: list[ReviewedDeal]
    errors: list[ReviewError]
    totals: Totals
    changes: Trend | None = None

    def to_data(self) -> dict[str, Any]:
        """Return the review as the JSON ``influence review --json`` prints.

        ``changes`` (at the top) and ``change`` (in each deal) are present only
        when the review was compared with a previous one.

        Examples:
            >>> from influence import review
            >>> data = review(["examples/saas-small.yaml"], workers=1).to_data()
            >>> sorted(data)
            ['deals', 'errors', 'totals']
            >>> sorted(data["deals"][0]["risk"])
            ['grade', 'points', 'score']
        """
        data = self.model_dump(mode="json")
        if self.changes is None:
            del data["changes"]
            for deal in data["deals"]:
                del deal["change"]
        return data

    def iter_json(self) -> Iterator[str]:
        """Yield the text of :meth:`to_data` as JSON, in pieces: one deal a line.

        Never builds the whole text, so printing 10,000 deals stays quick and
        small; ``"".join(review.iter_json())`` parses to :meth:`to_data`.

        Examples:
            >>> import json
            >>> from influence import review
            >>> result = review(["examples"], workers=1)
            >>> text = "".join(result.iter_json())
            >>> json.loads(text) == result.to_data()
            True
            >>> text.splitlines()[1].startswith('{"id":"harbourfront-planning"')
            True
        """
        exclude = None if self.changes is not None else {"change"}
        yield '{"deals": ['
        for n, deal in enumerate(self.deals):
            yield ("\n" if n == 0 else ",\n") + deal.model_dump_json(exclude=exclude)
        yield '\n],\n"errors": ['
        for n, error in enumerate(self.errors):
            yield ("\n" if n == 0 else ",\n") + error.model_dump_json()
        yield '\n],\n"totals": ' + self.totals.model_dump_json()
        if self.changes is not None:
            yield ',\n"changes": ' + self.changes.model_dump_json()
        yield "}\n"


# -- one deal ------------------------------------------------------------------------


def review_deal(deal: Deal, policy: Policy | None = None, *, file: str = "") -> ReviewedDeal:
    """Return one deal's review row: risk, signals, coverage, support, stances, next action.

    Everything is read from :func:`influence.analyze` of the deal (the same
    functions, the same policy): the risk, signals, coverage and support, and
    ``next_action``, the text of its first next action. ``names`` gives every
    person's name, so that each face shows people by name.

    Args:
        deal: The deal.
        policy: The team policy; the deal's own ``policy:`` overrides it.
        file: The deal's file, for the row.

    Returns:
        The row.

    Examples:
        >>> from influence import analyze, read_deal
        >>> deal = read_deal("examples/saas-small.yaml")
        >>> row = review_deal(deal, file="examples/saas-small.yaml")
        >>> report = analyze(deal)
        >>> row.risk.score == report.risk.score, row.next_action == report.actions[0].text
        (True, True)
        >>> row.names[row.owner]
        'Sam Rivera'
    """
    from influence.analysis.report import analyze

    report = analyze(deal, policy)
    cov, risk, signals, dms = report.coverage, report.risk, report.signals, report.decision_makers
    details = sorted(
        (
            SignalBrief(
                code=s.code,
                severity=s.severity,
                people=s.people,
                message=s.message,
                role=s.role,
                item=s.item,
            )
            for s in signals
        ),
        key=_signal_order,
    )
    codes = list(dict.fromkeys(s.code for s in details))
    info = deal.deal
    people = sorted(deal.people, key=lambda p: p.id)
    return ReviewedDeal(
        id=deal.id,
        file=file,
        name=info.name,
        account=info.account,
        stage=info.stage,
        value=info.value,
        currency=info.currency,
        close_date=info.close_date,
        as_of=deal.as_of(),
        owner=info.owner,
        risk=ReviewRisk(score=risk.score, grade=risk.grade, points=risk.points),
        signals=codes,
        top_signals=[
            next(s.message for s in details if s.code == code) for code in codes[:TOP_SIGNALS]
        ],
        uncovered_decision_makers=cov.uncovered(dms),
        decision_makers=dms,
        coverage=cov.score,
        support=report.support,
        signal_details=details,
        people={p.id: p.stance.value for p in people},
        names={p.id: p.name for p in people},
        next_action=report.actions[0].text if report.actions else None,
        step=report.step,
        temperature=report.temperature,
        left=report.left,
        facts={item: info.facts[item].summary() for item in CHECKLIST_ITEMS if item in info.facts},
        open_refusals={p.id: p.open_refusals for p in people if p.is_customer and p.open_refusals},
        touchpoints=len(deal.touchpoints),
        cooling=sorted({t.customer for t in report.tie_trends if t.cooling}),
        decision_maker_warmth=_decision_maker_warmth(report.tie_trends, dms),
    )


def _decision_maker_warmth(rows: Sequence[TieTrend], dms: Sequence[str]) -> dict[str, float]:
    """The warmest of our ties with touchpoints to each decision-maker, by id (sorted)."""
    deciders = set(dms)
    out: dict[str, float] = {}
    for t in rows:
        if t.customer in deciders and t.warmth > out.get(t.customer, -1.0):
            out[t.customer] = t.warmth
    return dict(sorted(out.items()))


# -- many deals ----------------------------------------------------------------------


def assemble_review(
    deals: Iterable[ReviewedDeal], errors: Iterable[ReviewError] = ()
) -> PortfolioReview:
    """Rank deal rows, sort the unreadable files, and total both into a review.

    The deals are ranked most at risk first (:func:`rank_key`: score, then
    points, then value, then id, then file); errors are sorted by file. The totals
    count deals and value (per currency, never added across currencies) by
    grade, and every signal code by the number of deals that have it.

    Args:
        deals: One row per deal (:func:`review_deal`), in any order.
        errors: The files that could not be reviewed, in any order.

    Returns:
        The review, without a trend (see :func:`compare`).

    Examples:
        >>> from influence import read_deal
        >>> rows = [review_deal(read_deal(f"examples/{n}.yaml"), file=n)
        ...         for n in ("saas-small", "enterprise-committee")]
        >>> ranked = assemble_review(rows)
        >>> ranked.deals[0].risk.score >= ranked.deals[1].risk.score
        True
        >>> sum(t.deals for t in ranked.totals.by_grade.values())
        2
    """
    ranked = sorted(deals, key=rank_key)
    failed = sorted(errors, key=lambda e: e.file)
    return PortfolioReview(deals=ranked, errors=failed, totals=_totals(ranked, failed))


def rank_key(deal: ReviewedDeal) -> tuple[int, int, float, str, str]:
    """The order of a review's deals, most at risk first: the one place that says it.

    Risk score, highest first; then the signals' points, highest first (two deals
    of one rounded score still rank by their risk); then value, highest first (no
    value counts as 0); then deal id; then file: a stable, total order.

    Args:
        deal: A review row.

    Returns:
        A key for ``sorted``: smaller is riskier.

    Examples:
        >>> from influence import read_deal
        >>> rows = [review_deal(read_deal(f"examples/{n}.yaml"), file=n)
        ...         for n in ("saas-small", "enterprise-committee", "manufacturing-key-account")]
        >>> [d.id for d in sorted(rows, key=rank_key)]
        ['harbourfront-planning', 'saas-small', 'hengda-mes']
        >>> def at(points):
        ...     risk = ReviewRisk(score=50, grade="medium", points=points)
        ...     return rows[0].model_copy(update={"risk": risk})
        >>> rank_key(at(101)) < rank_key(at(99))  # same score: more points first
        True
    """
    return (-deal.risk.score, -deal.risk.points, -(deal.value or 0.0), deal.id, deal.file)


def _totals(deals: list[ReviewedDeal], errors: list[ReviewError]) -> Totals:
    def money(rows: Iterable[ReviewedDeal]) -> dict[str, float]:
        sums: dict[str, list[float]] = {}
        for d in rows:
            if d.value is not None:
                sums.setdefault(d.currency or NO_CURRENCY, []).append(d.value)
        return {c: math.fsum(v) for c, v in sorted(sums.items())}

    by_grade = {
        g: GradeTotal(
            deals=sum(1 for d in deals if d.risk.grade == g),
            value=money(d for d in deals if d.risk.grade == g),
        )
        for g in GRADES
    }
    with_code: Counter[str] = Counter()
    count: Counter[str] = Counter()
    severity: dict[str, Severity] = {}
    for d in deals:
        with_code.update(d.signals)
        for s in d.signal_details:
            count[s.code] += 1
            severity[s.code] = s.severity
    signals = sorted(
        (
            SignalCount(code=c, severity=severity[c], deals=n, count=count[c])
            for c, n in with_code.items()
        ),
        key=lambda s: (-s.deals, SEVERITY_ORDER[s.severity], s.code),
    )
    return Totals(
        deals=len(deals),
        errors=len(errors),
        value=money(deals),
        by_grade=by_grade,
        signals=signals,
        by_step={
            step: GradeTotal(deals=len(group), value=money(group))
            for step, group in step_groups(deals)
        },
    )


# -- the trend -----------------------------------------------------------------------


def compare(
    previous: PortfolioReview, current: PortfolioReview, *, since: str | None = None
) -> PortfolioReview:
    """Return ``current`` with what changed since ``previous``.

    Deals are matched by id (by id and file for an id that several files
    share). Each deal of ``current`` gets a :class:`DealChange`: its grade and
    score before, the signals that are new and those resolved (a signal is its
    code and people; its wording may age), stance changes, people added and
    people gone. ``changes`` lists the deals that appeared and disappeared.

    Args:
        previous: The earlier review (from :func:`influence.load_review_json`).
        current: The review now.
        since: The previous review's file, for the record.

    Returns:
        A copy of ``current`` with ``change`` on every deal and ``changes`` set.

    Examples:
        >>> from influence import review
        >>> now = review(["examples"], workers=1)
        >>> same = compare(now, now)
        >>> {d.change.status for d in same.deals}, same.changes.appeared
        ({'unchanged'}, [])
    """
    shared = _duplicate_ids(previous) | _duplicate_ids(current)

    def key(d: ReviewedDeal) -> str:
        return f"{d.id} ({d.file})" if d.id in shared else d.id

    before = {key(d): d for d in previous.deals}
    now_keys = {key(d) for d in current.deals}
    deals = [
        d.model_copy(update={"change": _deal_change(before.get(key(d)), d)}) for d in current.deals
    ]
    trend = Trend(
        since=since,
        appeared=sorted(k for k in now_keys if k not in before),
        disappeared=sorted(k for k in before if k not in now_keys),
        changed=[key(d) for d in _worst_first(deals)],
    )
    return current.model_copy(update={"deals": deals, "changes": trend})


def changed_deals(review: PortfolioReview) -> list[ReviewedDeal]:
    """The deals that changed or are new since the previous review, worst change first.

    A deal's worst change is the first of its ``change.items``; deals are
    ordered by the rank of that kind in :data:`CHANGE_KINDS` (a decision-maker
    turning blocker first), then by how much their score rose, then in the
    review's own order. Empty for a review without a trend (see :func:`compare`).

    Args:
        review: A review, compared or not.

    Returns:
        The deals, worst change first; ``review.changes.changed`` names them in
        the same order.

    Examples:
        >>> from influence import review
        >>> now = review(["examples"], workers=1)
        >>> changed_deals(now), changed_deals(compare(now, now))
        ([], [])
    """
    return _worst_first(review.deals)


def _worst_first(deals: Iterable[ReviewedDeal]) -> list[ReviewedDeal]:
    moved = [
        (n, d)
        for n, d in enumerate(deals)
        if d.change is not None and d.change.status != "unchanged" and d.change.items
    ]
    moved.sort(
        key=lambda nd: (
            change_order(nd[1].change.items[0].kind),  # type: ignore[union-attr]
            -nd[1].change.score_change,  # type: ignore[union-attr]
            nd[0],
        )
    )
    return [d for _, d in moved]


def _duplicate_ids(r: PortfolioReview) -> set[str]:
    counts = Counter(d.id for d in r.deals)
    return {i for i, n in counts.items() if n > 1}


def _signal_order(s: SignalBrief) -> tuple[int, str, list[str], str, str]:
    return (SEVERITY_ORDER[s.severity], s.code, s.people, s.role or s.item or "", s.message)


def _deal_change(old: ReviewedDeal | None, new: ReviewedDeal) -> DealChange:
    if old is None:
        text = f"new in the pipeline, {new.risk.grade} risk {new.risk.score}"
        return DealChange(status="new", items=[ChangeItem(kind="new-deal", text=text)])

    def by_identity(d: ReviewedDeal) -> dict[tuple[str, ...], SignalBrief]:
        return {s.identity(): s for s in d.signal_details}

    was, now = by_identity(old), by_identity(new)

    def ordered(items: dict[tuple[str, ...], SignalBrief], keys: set[Any]) -> list[SignalBrief]:
        return sorted((items[k] for k in keys), key=_signal_order)

    def refs(briefs: list[SignalBrief]) -> list[SignalRef]:
        return [SignalRef(code=s.code, people=s.people, role=s.role, item=s.item) for s in briefs]

    new_signals = ordered(now, now.keys() - was.keys())
    resolved = ordered(was, was.keys() - now.keys())
    stances = [
        StanceChange(id=pid, before=old.people[pid], after=stance)
        for pid, stance in sorted(new.people.items())
        if pid in old.people and old.people[pid] != stance
    ]
    added = sorted(new.people.keys() - old.people.keys())
    gone = sorted(old.people.keys() - new.people.keys())
    score_change = new.risk.score - old.risk.score
    # A review saved before rows had a step, a temperature and who left says nothing of
    # them: comparing against it reports no change there (not every deal "moved").
    known = {"step", "temperature", "left", "facts", "open_refusals"} & old.model_fields_set
    # The same for touchpoints and warmth (issue 13): a review saved before rows had them.
    known |= {"touchpoints", "cooling", "decision_maker_warmth"} & old.model_fields_set
    left = sorted(set(new.left) - set(old.left) - set(gone)) if "left" in known else []
    step_moved = "step" in known and old.step != new.step
    warmth_moved = "temperature" in known and old.temperature != new.temperature
    facts_moved = "facts" in known and old.facts != new.facts
    refusals_moved = "open_refusals" in known and old.open_refusals != new.open_refusals
    touches_moved = "touchpoints" in known and old.touchpoints != new.touchpoints
    cooling_moved = "cooling" in known and bool(set(new.cooling) - set(old.cooling))
    tie_warmth_moved = "decision_maker_warmth" in known and bool(_warmth_moves(old, new))
    changed = bool(
        facts_moved
        or refusals_moved
        or touches_moved
        or cooling_moved
        or tie_warmth_moved
        or new_signals
        or resolved
        or stances
        or added
        or gone
        or left
        or step_moved
        or warmth_moved
        or score_change
        or old.risk.grade != new.risk.grade
    )
    moved = {"step": step_moved, "temperature": warmth_moved, "facts": facts_moved}
    moved["open_refusals"] = refusals_moved
    moved["touchpoints"] = touches_moved
    moved["cooling"] = cooling_moved
    moved["decision_maker_warmth"] = tie_warmth_moved
    items = _change_items(old, new, new_signals, resolved, stances, added, gone, left, moved)
    return DealChange(
        status="changed" if changed else "unchanged",
        grade_before=old.risk.grade,
        score_before=old.risk.score,
        score_change=score_change,
        new_signals=refs(new_signals),
        resolved_signals=refs(resolved),
        stance_changes=stances,
        people_added=added,
        people_gone=gone,
        step_before=old.step if step_moved else None,
        temperature_before=old.temperature if warmth_moved else None,
        people_left=left,
        items=items,
    )


def _warmth_moves(old: ReviewedDeal, new: ReviewedDeal) -> list[str]:
    """The decision-makers whose warmth moved as the faces show it (2 places), by id."""
    a, b = old.decision_maker_warmth, new.decision_maker_warmth
    return [p for p in sorted(a.keys() | b.keys()) if _shown(a.get(p)) != _shown(b.get(p))]


def _shown(warmth: float | None) -> str:
    """A warmth as the review shows it: ``0.80``, or ``none`` (no tie with touchpoints)."""
    return "none" if warmth is None else f"{warmth:.2f}"


def _fact_move(item: str, old: dict[str, str], new: dict[str, str]) -> str:
    """How a checklist item changed between two reviews: learnt, dropped or updated."""
    return "learnt" if item not in old else "dropped" if item not in new else "updated"


def _step_rank(step: str | None) -> int:
    """Where a buying step stands in a purchase: a lost deal lowest, then unmapped, need...won."""
    if step is None:
        return -1
    return -2 if step == Step.LOST else STEP_ORDER[Step(step)]


def _change_items(
    old: ReviewedDeal,
    new: ReviewedDeal,
    new_signals: list[SignalBrief],
    resolved: list[SignalBrief],
    stances: list[StanceChange],
    added: list[str],
    gone: list[str],
    left: Sequence[str] = (),
    moved: Mapping[str, bool] | None = None,
) -> list[ChangeItem]:
    """Every change of a deal in words, people by name, worst first (:data:`CHANGE_KINDS`)."""
    names = {**old.names, **new.names}
    deciders = set(old.decision_makers) | set(new.decision_makers)

    def who(pid: str) -> str:
        name = names.get(pid, pid)
        return f"{name} (decision-maker)" if pid in deciders else name

    items: list[ChangeItem] = []
    if old.risk.grade != new.risk.grade:
        worse = GRADES.index(new.risk.grade) < GRADES.index(old.risk.grade)
        items.append(
            ChangeItem(
                kind="grade-up" if worse else "grade-down",
                text=f"risk {old.risk.grade} -> {new.risk.grade}",
            )
        )
    delta = new.risk.score - old.risk.score
    if delta:
        items.append(
            ChangeItem(
                kind="score-up" if delta > 0 else "score-down",
                text=f"risk score {old.risk.score} -> {new.risk.score} ({delta:+d} points)",
            )
        )
    for s in stances:
        kind: ChangeKind
        if _STANCE_RANK.get(s.after, 2) > _STANCE_RANK.get(s.before, 2):
            if s.id in deciders:
                kind = "decision-maker-blocker" if s.after == "blocker" else "decision-maker-cooled"
            else:
                kind = "blocker" if s.after == "blocker" else "cooled"
        else:
            kind = "warmed"
        items.append(
            ChangeItem(kind=kind, text=f"{who(s.id)} {s.before} -> {s.after}", people=[s.id])
        )
    for pid in gone:
        if pid in old.decision_makers:
            items.append(
                ChangeItem(
                    kind="decision-maker-gone", text=f"{who(pid)} left the deal", people=[pid]
                )
            )
    others = [pid for pid in gone if pid not in old.decision_makers]
    if others:
        items.append(
            ChangeItem(
                kind="people-gone",
                text="gone: " + ", ".join(who(p) for p in others),
                people=others,
            )
        )
    for pid in left:
        if pid in new.decision_makers or pid in old.decision_makers:
            text = f"{who(pid)} left their company"
            items.append(ChangeItem(kind="decision-maker-gone", text=text, people=[pid]))
    others_left = [p for p in left if p not in old.decision_makers and p not in new.decision_makers]
    if others_left:
        items.append(
            ChangeItem(
                kind="people-gone",
                text="left their company: " + ", ".join(who(p) for p in others_left),
                people=others_left,
            )
        )
    if added:
        items.append(
            ChangeItem(
                kind="people-added", text="added: " + ", ".join(who(p) for p in added), people=added
            )
        )
    moved = moved or {}  # which of step, temperature, facts, open_refusals changed
    if moved.get("step"):
        items.append(
            ChangeItem(
                kind="step-forward" if _step_rank(new.step) > _step_rank(old.step) else "step-back",
                text=f"buying step {old.step or '(unmapped)'} -> {new.step or '(unmapped)'}",
            )
        )
    if moved.get("facts"):
        facts = [
            f"{item} ({_fact_move(item, old.facts, new.facts)})"
            for item in CHECKLIST_ITEMS
            if old.facts.get(item) != new.facts.get(item)
        ]
        items.append(ChangeItem(kind="facts-changed", text="facts: " + ", ".join(facts)))
    if moved.get("open_refusals"):
        for pid in sorted(old.open_refusals.keys() | new.open_refusals.keys()):
            was, now = old.open_refusals.get(pid, []), new.open_refusals.get(pid, [])
            for refused in [k for k in now if k not in was]:
                text = f"{who(pid)} refused: {refused}"
                items.append(ChangeItem(kind="new-refusal", text=text, people=[pid]))
            for refused in [k for k in was if k not in now]:
                text = f"{who(pid)} no longer refuses: {refused}"
                items.append(ChangeItem(kind="refusal-resolved", text=text, people=[pid]))
    if moved.get("touchpoints"):
        n = new.touchpoints - old.touchpoints
        items.append(
            ChangeItem(
                kind="touchpoints-added" if n > 0 else "touchpoints-removed",
                text=f"touchpoints: {abs(n)} {'added' if n > 0 else 'removed'} "
                f"({old.touchpoints} -> {new.touchpoints})",
            )
        )
    if moved.get("cooling"):
        cooling = [pid for pid in new.cooling if pid not in old.cooling]
        items.append(
            ChangeItem(
                kind="cooling",
                text="our ties cooling: " + ", ".join(who(p) for p in cooling),
                people=cooling,
            )
        )
    if moved.get("decision_maker_warmth"):
        pids = _warmth_moves(old, new)
        then, later = old.decision_maker_warmth, new.decision_maker_warmth
        moves = [f"{names.get(p, p)} {_shown(then.get(p))} -> {_shown(later.get(p))}" for p in pids]
        text = "warmth to decision-makers: " + ", ".join(moves)
        items.append(ChangeItem(kind="warmth-changed", text=text, people=pids))
    if moved.get("temperature"):
        items.append(
            ChangeItem(
                kind="warmer" if new.temperature > old.temperature else "colder",
                text=f"temperature {old.temperature} -> {new.temperature} degrees",
            )
        )
    for b in new_signals:
        items.append(
            ChangeItem(
                kind="new-high-signal" if b.severity == "high" else "new-signal",
                text=f"new: {b.message.rstrip('.')}",
                people=b.people,
            )
        )
    for b in resolved:
        items.append(
            ChangeItem(
                kind="resolved-signal", text=f"resolved: {b.message.rstrip('.')}", people=b.people
            )
        )
    items.sort(key=lambda i: change_order(i.kind))  # stable: the order above within a kind
    return items
