"""The signal registry: every risk signal as data, and the action that answers it.

Each signal code has one :class:`SignalSpec`: its severity (and so its points),
its scope (about the deal, one group of people, or one role), the rule in one
sentence (``docs/analysis.md`` lists it), the message template that renders the
signal's typed :class:`SignalFacts` as one plain sentence, and the answer that
turns the signal into a next action. Adding a signal is one entry here, the rule
that finds it in :func:`influence.analysis.risk.risk_signals`, and its tests.

Nothing reads a fact back from a message: a message is rendered from facts, and
an action is made from the same facts.

Examples:
    >>> spec = SIGNALS["single-threaded"]
    >>> spec.severity, spec.points, spec.scope
    ('high', 25, 'deal')
    >>> spec.message(SignalFacts(reached=("ann",), threshold=3), {})
    'We reach 1 customer with a warm, recent tie; a healthy deal has at least 3.'
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict

from influence.analysis.paths import IntroductionPath
from influence.analysis.stages import STEP_ORDER
from influence.graph import DealGraph
from influence.model import (
    CHECKLIST_ITEMS,
    Deal,
    Kind,
    Person,
    RefusalKind,
    Role,
    Side,
    Stance,
    Step,
    Style,
)

__all__ = [
    "CADENCE_WORDS",
    "LATE_STEPS",
    "POINTS",
    "REFUSAL_ADVICE",
    "SIGNALS",
    "STYLE_ADVICE",
    "ActionContext",
    "ActionFacts",
    "Answer",
    "Introduction",
    "Scope",
    "Severity",
    "SignalFacts",
    "SignalSpec",
    "importance",
    "who",
]

Severity = Literal["high", "medium", "low", "info"]
#: What one signal is about: the deal as a whole, a group of people, a role, or a
#: checklist item.
Scope = Literal["deal", "person", "role", "item"]
#: The steps from which the top decision-maker's points double: ``tender`` and after.
LATE_STEPS: frozenset[Step] = frozenset(
    step for step, i in STEP_ORDER.items() if i >= STEP_ORDER[Step.TENDER]
)
#: What a signal of each severity adds to the risk score.
POINTS: dict[str, int] = {"high": 25, "medium": 10, "low": 5, "info": 0}

#: How to engage each social style (``docs/domain.md``).
STYLE_ADVICE: dict[Style, str] = {
    Style.ANALYTICAL: "analytical: bring facts and written detail, and give them time to decide",
    Style.DRIVER: "driver: be brief and punctual, lead with outcomes and ROI",
    Style.EXPRESSIVE: "expressive: bring references and visuals, meet in an informal setting",
    Style.AMIABLE: "amiable: involve their users, keep the pressure low, offer guarantees",
}

#: How to answer each of the seeds' four refusals (``open-refusal``).
REFUSAL_ADVICE: dict[RefusalKind, str] = {
    RefusalKind.NO_NEED: (
        "no need (不需要): ask about the problem before the product, show what it costs "
        "them today, and tie our offer to a need they state themselves"
    ),
    RefusalKind.NO_TRUST: (
        "no trust (不相信): bring proof from a customer like them, a site visit or a pilot, "
        "and offer a guarantee"
    ),
    RefusalKind.NO_BUDGET: (
        "no budget (没预算): find whose budget can pay and when, help build the business "
        "case, or phase the purchase to fit the next budget"
    ),
    RefusalKind.NO_HURRY: (
        "no hurry (不着急): show what waiting costs them, and tie the decision to a date "
        "that is theirs (a launch, an audit, the budget year)"
    ),
}


def who(person: Person) -> str:
    """A person as a sentence names them: ``Zhang Min (CFO)``.

    Examples:
        >>> who(Person(id="zm", name="Zhang Min", title="CFO")), who(Person(name="Bo"))
        ('Zhang Min (CFO)', 'Bo')
    """
    return f"{person.name} ({person.title})" if person.title else person.name


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True)


class SignalFacts(_Facts):
    """What a signal found, as data: its message and its action are made from these.

    Every field is optional; each signal fills the ones its template names.
    People are ids.
    """

    person: str | None = None
    """The customer the signal is about."""
    reason: Literal["decision-maker", "champion", "influential"] | None = None
    """Why the person matters (stale-relationship, unknown-stance)."""
    role: str | None = None
    """The role concerned (role-missing, role-uncovered)."""
    holders: tuple[str, ...] = ()
    """Who holds the role (role-uncovered); the ally coaches we do not reach (no-coach)."""
    stale: tuple[str, ...] = ()
    """Of the holders, those our team reaches only through stale ties (role-uncovered)."""
    reached: tuple[str, ...] = ()
    """The customers our team covers (single-threaded)."""
    threshold: int | None = None
    """The policy's threshold the deal falls short of (``min_threads``)."""
    blocker: str | None = None
    """The blocker (blocker-influences-decision-maker)."""
    decision_makers: tuple[str, ...] = ()
    """The decision-makers concerned, most influential first (then by id): those a
    blocker's sway reaches (blocker-influences-...), those an ally is at odds with
    (ally-conflicts-with-...)."""
    ally: str | None = None
    """Our ally (ally-conflicts-with-decision-maker)."""
    chains: tuple[tuple[str, ...], ...] = ()
    """The way a blocker's sway travels to each of ``decision_makers``, blocker first."""
    days: int | None = None
    """Days since the last contact (stale-relationship) or the last assessment."""
    last_contact: date | None = None
    """The last contact on our ties (stale-relationship)."""
    stance: str | None = None
    """The person's stance (doubtful-assessment)."""
    influence: float | None = None
    """The person's stated influence (unknown-stance, hidden-influencer)."""
    rank: int | None = None
    """Rank by network influence among the customers (hidden-influencer)."""
    support: float | None = None
    """The deal's support, -1..1 (negative-support)."""
    step: str | None = None
    """The deal's buying step (close-date-passed, close-date-unrealistic,
    top-decision-maker-uncovered, information-gap, no-recent-buying-signal)."""
    close_date: date | None = None
    """The deal's close date (close-date-passed, close-date-unrealistic)."""
    steps: tuple[str, ...] = ()
    """The steps still to go before the close (close-date-unrealistic)."""
    # -- the key-account method's signals (analysis/method_signals.py) ----------
    item: str | None = None
    """The checklist item (information-gap)."""
    source: str | None = None
    """Who told us the fact (information-gap, when it is known but stale)."""
    competitor: str | None = None
    """The competitor the person favours (competitor-favoured)."""
    refusals: tuple[str, ...] = ()
    """The kinds of the person's open refusals, in file order (open-refusal)."""
    reaches: tuple[str, ...] = ()
    """The decision-makers and technical buyers a small player's ties reach
    (small-player-unengaged), most influential first."""
    # -- cadence and concentration (analysis/cadence.py; deals with touchpoints) -----
    cadence_role: str | None = None
    """Whose cadence the person's is: a role, or ``top_decision_maker`` (cadence-missed)."""
    seller: str | None = None
    """The person of our team concerned: the end of a cooling tie (cooling-tie), the
    one who holds every warm tie to the decision-makers (single-seller-dependency)."""
    before: float | None = None
    """The tie's warmth on ``since`` (cooling-tie)."""
    now: float | None = None
    """The tie's warmth on ``as_of`` (cooling-tie)."""
    since: date | None = None
    """``as_of`` minus ``cooling_period_days`` (cooling-tie)."""


class Introduction(NamedTuple):
    """One ask an action makes: ``ask`` introduces ``introduce`` to ``to``.

    ``introduce`` is None for "who can introduce you to ...": the asked person
    brings us (whoever they have just met) on to ``to``.
    """

    ask: str
    introduce: str | None
    to: str


class ActionFacts(_Facts):
    """What an action claims about the deal's ties, as data (tests check each claim)."""

    introductions: tuple[Introduction, ...] = ()
    """Each introduction the action asks for, in order along the path."""
    path: tuple[str, ...] = ()
    """The introduction path the asks follow, seller first."""
    our_ties: tuple[tuple[str, str], ...] = ()
    """(seller, customer) pairs the text says know each other ("already knows", "via")."""
    ties: tuple[tuple[str, str], ...] = ()
    """Other pairs the text says are close (an ally close to a blocker)."""


class SignalLike(Protocol):
    """What an answer reads of a signal (a :class:`~influence.analysis.report.Signal`)."""

    @property
    def code(self) -> str: ...
    @property
    def people(self) -> list[str]: ...
    @property
    def facts(self) -> SignalFacts: ...


class Answer(NamedTuple):
    """A next action before it is ranked: text, the people, advice, and its facts.

    ``target`` is the person to reach (None: the action is about the deal, or
    several people alike); the answers about one target become one action, led by
    the most severe signal's, each of the others adding ``also`` (default: its text),
    which claims ``also_facts`` (default: nothing). An answer that brings the way in
    (an introduction or our tie) to an action that has none adds its whole text.
    """

    text: str
    people: list[str]
    advice: str | None = None
    facts: ActionFacts = ActionFacts()
    target: str | None = None
    also: str | None = None
    also_facts: ActionFacts = ActionFacts()


@dataclass
class ActionContext:
    """What answers read besides the signal: the deal, its graph, paths and coverage."""

    deal: Deal
    graph: DealGraph
    paths: Mapping[str, list[IntroductionPath]]
    status: Mapping[str, str]
    summarised: Mapping[str, float | None]
    by_id: dict[str, Person] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = self.deal.people_by_id()

    def status_of(self, pid: str) -> str:
        """The customer's coverage: ``covered``, ``stale`` or ``uncovered``."""
        return self.status.get(pid) or self.graph.coverage_status(pid)


People = Mapping[str, Person]
Template = Callable[[SignalFacts, People], str]
AnswerFn = Callable[[Sequence[SignalLike], ActionContext], Answer | None]


@dataclass(frozen=True)
class SignalSpec:
    """One signal code: everything the product knows about it, in one place."""

    code: str
    severity: Severity
    scope: Scope
    rule: str
    """When it fires, in one sentence (the docs' "fires when")."""
    message: Template
    """Renders the signal's facts as one plain sentence ending with a full stop."""
    answer: AnswerFn | None
    """The next action that answers it; None: the signal asks for nothing."""
    group: Callable[[SignalFacts], Hashable] | None = None
    """Signals of this code with the same key share one action (None: one each)."""
    weight: Callable[[SignalFacts, People], float] | None = None
    """How much the signal weighs, about 0.5 to 2: see :meth:`weigh` (None: 1)."""

    @property
    def points(self) -> int:
        """The points of the signal's severity, before its weight."""
        return POINTS[self.severity]

    def weigh(self, facts: SignalFacts, people: People) -> float:
        """The weight of one signal of this code: how much its people matter.

        A signal about people weighs ``0.5 + influence`` of the most important one
        (0.5 to 1.5); one about several decision-makers adds half that of the next,
        a quarter of the next, and so on (so one more never lowers it); a signal about
        the deal weighs 1, or by how far the deal falls short (``single-threaded``,
        ``negative-support``). Rounded to two decimals, as the report shows it; the
        signal's points are its severity's times this (:func:`influence.analysis.risk.signal`).

        Examples:
            >>> people = {"ceo": Person(id="ceo", name="Ann", influence=0.9),
            ...           "cfo": Person(id="cfo", name="Bo", influence=0.8)}
            >>> SIGNALS["decision-maker-uncovered"].weigh(SignalFacts(person="ceo"), people)
            1.4
            >>> SIGNALS["blocker-influences-decision-maker"].weigh(
            ...     SignalFacts(decision_makers=("ceo", "cfo")), people)  # 1.4 + 1.3 / 2
            2.05
        """
        return round(self.weight(facts, people), 2) if self.weight is not None else 1.0


# -- weights --------------------------------------------------------------------


def importance(people: People, pid: str | None) -> float:
    """What a person weighs in the score: ``0.5 + influence`` (0.5 when unknown).

    Examples:
        >>> importance({"a": Person(id="a", name="A", influence=0.9)}, "a")
        1.4
    """
    p = people.get(pid) if pid is not None else None
    return 0.5 + (p.influence if p is not None else 0.0)


def _weight_person(f: SignalFacts, people: People) -> float:
    return importance(people, f.person)


def _weight_decision_makers(f: SignalFacts, people: People) -> float:
    """The most important counts fully, the next half, the next a quarter ...

    Adding a person never lowers the sum: whoever comes after them weighs at most
    what they do, and all those after weigh less than half of it together.
    """
    ranked = sorted((importance(people, d) for d in f.decision_makers), reverse=True)
    return sum(w * 0.5**i for i, w in enumerate(ranked))


def _weight_holders(f: SignalFacts, people: People) -> float:
    return max((importance(people, h) for h in f.holders), default=1.0)


def _weight_top_decision_maker(f: SignalFacts, people: People) -> float:
    """The person's importance, doubled from step ``tender`` on (``facts.step``)."""
    late = f.step is not None and Step(f.step) in LATE_STEPS
    return importance(people, f.person) * (2 if late else 1)


def _weight_threads(f: SignalFacts, _: People) -> float:
    need = f.threshold or 1
    return 0.5 + max(0, need - len(f.reached)) / need


def _weight_support(f: SignalFacts, _: People) -> float:
    return 0.5 + min(1.0, -(f.support or 0.0))


# -- message templates --------------------------------------------------------


def _who(people: People, pid: str | None) -> str:
    return who(people[pid]) if pid is not None and pid in people else str(pid)


def _name(people: People, pid: str | None) -> str:
    return people[pid].name if pid is not None and pid in people else str(pid)


def _g(x: float | None) -> str:
    return f"{x:g}" if x is not None else "?"


def _role_uncovered_message(f: SignalFacts, people: People) -> str:
    names = ", ".join(_who(people, h) for h in f.holders)
    if not f.stale:
        return f"The role {f.role} is held by {names}, and we reach none of them."
    stale = " and ".join(_name(people, h) for h in f.stale)
    others = ", and the others not at all" if len(f.stale) < len(f.holders) else ""
    return f"The role {f.role} is held by {names}; we reach {stale} only by stale ties{others}."


def _single_threaded_message(f: SignalFacts, _: People) -> str:
    n = len(f.reached)
    return (
        f"We reach {n} customer{'s' * (n != 1)} with a warm, recent "
        f"tie; a healthy deal has at least {f.threshold}."
    )


def _unknown_stance_message(f: SignalFacts, people: People) -> str:
    why = "a decision-maker" if f.reason == "decision-maker" else f"influential ({_g(f.influence)})"
    return f"{_who(people, f.person)} is {why} and we do not know where they stand."


def _top_uncovered_message(f: SignalFacts, people: People) -> str:
    late = (
        f" The deal is at step {f.step}."
        if f.step is not None and Step(f.step) in LATE_STEPS
        else ""
    )
    return (
        f"{_who(people, f.person)} is the top decision-maker and nobody on our team has a warm "
        f"tie to them.{late}"
    )


def _close_passed_message(f: SignalFacts, _: People) -> str:
    at = f"the deal is still at step {f.step}" if f.step else "nothing says the deal is committed"
    return f"The close date {f.close_date} passed {f.days} days ago and {at}."


def _close_unrealistic_message(f: SignalFacts, _: People) -> str:
    n = f.days
    return (
        f"The close date {f.close_date} is {n} day{'s' * (n != 1)} away, but the steps "
        f"still to go ({', '.join(f.steps)}) take at least {f.threshold} days."
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _blocker_message(f: SignalFacts, people: People) -> str:
    reached = [
        f"{_who(people, d)} ({' -> '.join(_name(people, c) for c in chain)})"
        for d, chain in zip(f.decision_makers, f.chains, strict=True)
    ]
    n = len(reached)
    many = f"{n} decision-makers: " if n > 1 else "decision-maker "
    return f"Blocker {_who(people, f.blocker)} reaches {many}{_and(reached)}."


def _conflict_message(f: SignalFacts, people: People) -> str:
    dms = [_who(people, d) for d in f.decision_makers]
    many = "decision-makers" if len(dms) > 1 else "decision-maker"
    return f"Our ally {_who(people, f.ally)} is at odds with {many} {_and(dms)}."


# -- answers ------------------------------------------------------------------


def _advice(person: Person | None) -> str | None:
    return STYLE_ADVICE[person.style] if person is not None and person.style else None


def _names(ctx: ActionContext, ids: Sequence[str]) -> str:
    return " or ".join(sorted({ctx.by_id[i].name for i in ids}))


def _first(signals: Sequence[SignalLike]) -> SignalFacts:
    return signals[0].facts


def _introduction(ctx: ActionContext, path: IntroductionPath) -> tuple[str, ActionFacts]:
    """Ask the first intermediary to introduce our person to the next one on the path.

    ``S -> A -> T``: "Ask A to introduce S to T"; ``S -> A -> B -> T``: "Ask A to
    introduce S to B, who can introduce you to T"; each further hop adds one "who
    can introduce you to". Every pair named shares a tie of the path.
    """
    by_id = ctx.by_id
    ids = path.people
    seller, helper = ids[0], ids[1]
    asks = [Introduction(helper, seller, ids[2])]
    text = f"Ask {by_id[helper].name} to introduce {by_id[seller].name} to "
    rest = ids[2:]
    for i, pid in enumerate(rest):
        last = i == len(rest) - 1
        text += who(by_id[pid]) if last else by_id[pid].name
        if not last:
            text += ", who can introduce you to "
            asks.append(Introduction(pid, None, rest[i + 1]))
    names = " -> ".join(by_id[p].name for p in ids)
    label = " (passes a blocker)" if path.through_blocker else ""
    text += f": {names}, warmth {path.warmth:.2f}{label}"
    return text, ActionFacts(introductions=tuple(asks), path=tuple(ids))


def _own_tie(ctx: ActionContext, target: str) -> tuple[str, ActionFacts] | None:
    """What to do with our own tie to a customer we do not cover (None: no tie of ours).

    Stale: refresh it, with the days since the last contact; weak: warm it up.
    """
    g, by_id = ctx.graph, ctx.by_id
    t = who(by_id[target])
    covering = g.covering_ties(target)
    if covering:
        tie = covering[0]
        seller = tie.other(target)
        last = g.last_contact(target)
        days = f" (last contact {(ctx.deal.as_of() - last).days} days ago)" if last else ""
        facts = ActionFacts(our_ties=((seller, target),))
        return f"{by_id[seller].name} already knows {t}: refresh the tie{days}", facts
    ours = g.our_ties(target)
    if not ours:
        return None
    tie = ours[0]
    seller = tie.other(target)
    return (
        f"{by_id[seller].name} knows {t}, but only weakly ({tie.strength:.2f}): warm the tie up",
        ActionFacts(our_ties=((seller, target),)),
    )


def _reach(ctx: ActionContext, target: str) -> tuple[str, ActionFacts] | None:
    """The way in to a customer we do not cover: our own tie or an introduction."""
    if ctx.status_of(target) == "stale":
        return _own_tie(ctx, target)
    best = ctx.paths.get(target) or []
    if not best:
        return None
    if best[0].hops == 1:
        own = _own_tie(ctx, target)
        if own is not None:
            return own
        # The only direct tie is a reporting line, not one of our ties.
        seller = best[0].people[0]
        return (
            f"{ctx.by_id[seller].name} shares a reporting line with "
            f"{who(ctx.by_id[target])}: build a warm tie",
            ActionFacts(path=tuple(best[0].people)),
        )
    return _introduction(ctx, best[0])


def _answer_uncovered(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    pid = _first(signals).person
    if pid is None:
        return None
    target = ctx.by_id[pid]
    advice = _advice(target)
    found = _reach(ctx, pid)
    if found is not None:
        text, facts = found
        best = ctx.paths.get(pid) or []
        people = list(best[0].people[1:]) if facts.introductions else [pid]
        return Answer(text, people, advice, facts, target=pid)
    warmth = ctx.summarised.get(pid)
    if warmth is not None:
        return Answer(
            f"Find an introduction to {who(target)}: our warmest path has warmth "
            f"{warmth:.2f} (not listed: beyond the most influential decision-makers)",
            [pid],
            advice,
            target=pid,
        )
    return Answer(
        f"Find a way in to {who(target)}: no introduction path from our team yet; "
        "ask your allies who knows them",
        [pid],
        advice,
        target=pid,
    )


def _answer_stale(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None:
        return None
    target = ctx.by_id[f.person]
    sellers = [t.other(f.person) for t in ctx.graph.covering_ties(f.person)]
    via = f", via {_names(ctx, sellers)}" if sellers else ""
    text = f"Refresh the tie with {who(target)}" + (
        f" (last contact {f.days} days ago{via})" if f.days is not None else ""
    )
    facts = ActionFacts(our_ties=tuple((s, f.person) for s in sorted(set(sellers))))
    return Answer(text, [f.person], _advice(target), facts, target=f.person)


def _answer_unknown_stance(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    pid = _first(signals).person
    if pid is None:
        return None
    target = ctx.by_id[pid]
    sellers = sorted({t.other(pid) for t in ctx.graph.our_ties(pid)})
    via = f" (ask {_names(ctx, sellers)}, who knows them)" if sellers else ""
    facts = ActionFacts(our_ties=tuple((s, pid) for s in sellers))
    return Answer(
        f"Confirm where {who(target)} stands{via}",
        [pid],
        _advice(target),
        facts,
        target=pid,
        also=f"confirm where they stand{via}",
        also_facts=facts,
    )


def _answer_doubtful(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None:
        return None
    target = ctx.by_id[f.person]
    return Answer(
        f"Re-confirm {who(target)}'s stance: the last check is {f.days} days old",
        [f.person],
        _advice(target),
        target=f.person,
        also=f"re-confirm their stance (the last check is {f.days} days old)",
    )


def _allies_near(ctx: ActionContext, pid: str) -> list[str]:
    """The allies who know or influence a person, most influential first."""
    by_id = ctx.by_id
    near: set[str] = set()
    for t in ctx.graph.ties_of(pid):
        other = t.other(pid)
        if by_id[other].stance is not Stance.ALLY or other == pid:
            continue
        if t.kind == Kind.KNOWS or (t.kind == Kind.INFLUENCES and t.to == pid):
            near.add(other)
    return sorted(near, key=lambda a: (-by_id[a].influence, a))


def _win_over(ctx: ActionContext, pid: str) -> Answer:
    target = ctx.by_id[pid]
    allies = _allies_near(ctx, pid)
    if allies:
        ally = ctx.by_id[allies[0]]
        return Answer(
            f"Win over blocker {who(target)} through {who(ally)}, an ally close to them",
            [ally.id, pid],
            _advice(target),
            ActionFacts(ties=((ally.id, pid),)),
            target=pid,
            also=f"win them over through {who(ally)}, an ally close to them",
            also_facts=ActionFacts(ties=((ally.id, pid),)),
        )
    return Answer(
        f"Understand {who(target)}'s objections and find an ally who can reach them",
        [pid],
        _advice(target),
        target=pid,
        also="understand their objections and find an ally who can reach them",
    )


def _answer_dm_blocker(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    pid = _first(signals).person
    return None if pid is None else _win_over(ctx, pid)


def _answer_negative_support(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    blockers = sorted(
        (p for p in ctx.deal.customers() if p.stance is Stance.BLOCKER),
        key=lambda p: (-p.influence, p.id),
    )
    return _win_over(ctx, blockers[0].id) if blockers else None


def _answer_blocker_reach(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    """One action per blocker (one signal), naming every decision-maker their sway reaches."""
    by_id = ctx.by_id
    f = _first(signals)
    bid, dms = f.blocker, list(f.decision_makers)
    if bid is None or not dms:
        return None
    blocker = by_id[bid]
    over = _and([who(by_id[d]) for d in dms])
    first = by_id[dms[0]].name if len(dms) == 1 else "them"
    return Answer(
        f"Counter {who(blocker)}'s sway over {over}: reach {first} first with your "
        f"strongest ally, and answer {blocker.name}'s objections",
        [bid, *dms],
        _advice(by_id[dms[0]]),
        target=bid,
        also=f"counter their sway over {over}: reach {first} first with your strongest ally",
    )


def _answer_role_missing(signals: Sequence[SignalLike], _: ActionContext) -> Answer | None:
    """One action for every required role nobody holds (the signals share one group)."""
    roles = [s.facts.role for s in signals if s.facts.role is not None]
    if not roles:
        return None
    which = f"the role {roles[0]}" if len(roles) == 1 else f"the roles {_and(roles)}"
    return Answer(f"Find who holds {which} (ask your champion or coach)", [])


def _answer_role_uncovered(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if not f.holders:
        return None
    by_id = ctx.by_id
    best = max(f.holders, key=lambda p: (by_id[p].influence, p))
    text = f"Reach {who(by_id[best])}, who holds the role {f.role}"
    facts = ActionFacts()
    found = _reach(ctx, best)
    if found is not None:
        intro, facts = found
        text += f": {intro[0].lower()}{intro[1:]}" if intro.startswith("Ask ") else f": {intro}"
    return Answer(
        text, [best], _advice(by_id[best]), facts, target=best, also=f"they hold the role {f.role}"
    )


def _answer_no_champion(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    candidates = sorted(
        (p for p in ctx.deal.customers() if p.stance is Stance.ALLY),
        key=lambda p: (-p.influence, p.id),
    )
    if candidates:
        c = candidates[0]
        return Answer(
            f"Develop {who(c)} into a champion: an ally with influence {c.influence:g}",
            [c.id],
            _advice(c),
            target=c.id,
            also=f"develop them into a champion (an ally with influence {c.influence:g})",
        )
    return Answer("Find a champion: someone with power who will sell for us inside", [])


def _answer_close_passed(signals: Sequence[SignalLike], _: ActionContext) -> Answer | None:
    f = _first(signals)
    return Answer(
        f"Re-plan the close: the close date passed {f.days} days ago; find out what holds "
        "the decision up and agree a new date with the customer",
        [],
    )


def _answer_close_unrealistic(signals: Sequence[SignalLike], _: ActionContext) -> Answer | None:
    f = _first(signals)
    return Answer(
        f"Re-check the close date: {f.days} days left for steps that take at least "
        f"{f.threshold}; move the date, or find out what lets the customer decide faster",
        [],
    )


def _answer_no_coach(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    """Reach an ally coach we do not cover yet; else develop a covered ally; else find one."""
    by_id = ctx.by_id
    holders = sorted(_first(signals).holders, key=lambda p: (-by_id[p].influence, p))
    if holders:
        h = by_id[holders[0]]
        return Answer(
            f"Reach {who(h)}, an ally who can coach us: nobody we reach tells us the truth inside",
            [h.id],
            _advice(h),
            target=h.id,
            also="they can coach us: nobody we reach tells us the truth inside",
        )
    covered = sorted(
        (
            p
            for p in ctx.deal.customers()
            if p.stance is Stance.ALLY and ctx.status_of(p.id) == "covered"
        ),
        key=lambda p: (-p.influence, p.id),
    )
    if covered:
        c = covered[0]
        return Answer(
            f"Develop {who(c)} into a coach: an ally we reach who can tell us the truth inside "
            "(the budget, the process, where each person stands)",
            [c.id],
            _advice(c),
            target=c.id,
            also="develop them into a coach, who tells us the truth inside",
        )
    return Answer(
        "Find a coach: someone inside who tells us the truth (the budget, the process, "
        "where each person stands)",
        [],
    )


def _answer_single_threaded(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    reached = set(_first(signals).reached)
    nxt = sorted(
        (p for p in ctx.deal.customers() if p.id not in reached and p.stance is not Stance.BLOCKER),
        key=lambda p: (-p.influence, p.id),
    )[:3]
    if not nxt:
        return None
    return Answer(
        "Multi-thread the deal: build ties with " + ", ".join(who(p) for p in nxt),
        [p.id for p in nxt],
    )


def _answer_conflict(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    """One action per ally (one signal), naming every decision-maker they are at odds with."""
    f = _first(signals)
    if f.ally is None or not f.decision_makers:
        return None
    ally = ctx.by_id[f.ally]
    dms = [ctx.by_id[d] for d in f.decision_makers]
    to = " or ".join(who(d) for d in dms)
    return Answer(
        f"Do not let {who(ally)} carry our case to {to}: they are at odds; find another voice",
        [ally.id, *(d.id for d in dms)],
        _advice(dms[0]),
        target=dms[0].id,
        also=f"do not let {who(ally)} carry our case to {'them' if len(dms) == 1 else to} "
        "(they are at odds)",
    )


def _answer_hidden(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    pid = _first(signals).person
    if pid is None:
        return None
    target = ctx.by_id[pid]
    return Answer(
        f"Engage {who(target)}: more influential than rated",
        [pid],
        _advice(target),
        target=pid,
        also="engage them: they are more influential than rated",
    )


def _answer_isolated(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    pid = _first(signals).person
    if pid is None:
        return None
    return Answer(
        f"Map who {who(ctx.by_id[pid])} works with, reports to and listens to",
        [pid],
        target=pid,
        also="map who they work with, report to and listen to",
    )


def _answer_no_decision_maker(signals: Sequence[SignalLike], _: ActionContext) -> Answer | None:
    return Answer("Identify the decision-maker and the economic buyer (who signs, who pays)", [])


# -- the key-account method's signals (found by analysis/method_signals.py) -------


def _item_name(item: str | None) -> str:
    return f"the {(item or '?').replace('_', ' ')}"


def _refusal_name(kind: str) -> str:
    return kind.replace("_", " ")


def _information_gap_message(f: SignalFacts, people: People) -> str:
    what = _item_name(f.item)
    if f.days is None:
        return f"The deal is at step {f.step} and we do not know {what}: the step requires it."
    source = f" (from {_name(people, f.source)})" if f.source is not None else ""
    return (
        f"What we know of {what} is {f.days} days old{source}: at step {f.step} it should "
        f"be at most {f.threshold} days old."
    )


def _competitor_favoured_message(f: SignalFacts, people: People) -> str:
    why = (
        "is a decision-maker and"
        if f.reason == "decision-maker"
        else f"is the most influential customer ({_g(f.influence)}) and"
    )
    return f"{_who(people, f.person)} {why} favours {f.competitor}."


def _small_player_message(f: SignalFacts, people: People) -> str:
    reached = _and([_who(people, r) for r in f.reaches])
    return (
        f"{_who(people, f.person)} has little stated influence ({_g(f.influence)}) but is "
        f"close to {reached}; nobody on our team reaches them and their stance is unknown."
    )


def _open_refusal_message(f: SignalFacts, people: People) -> str:
    kinds = _and([_refusal_name(k) for k in f.refusals])
    tail = "it is not resolved" if len(f.refusals) == 1 else "none is resolved"
    return f"{_who(people, f.person)} said {kinds}, and {tail}."


def _person_left_message(f: SignalFacts, people: People) -> str:
    p = people.get(f.person) if f.person is not None else None
    ours = p is not None and p.side is Side.SELLER
    who_left = f"{_who(people, f.person)}{' (our team)' if ours else ''}"
    return (
        f"{who_left} has left: their ties no longer count for coverage and they are no "
        "introduction path's hop."
    )


def _insider(ctx: ActionContext) -> Person | None:
    """The covered ally who tells us the truth (coach, else champion), most influential first."""
    for role in (Role.COACH, Role.CHAMPION):
        # The few who qualify are sorted, not every customer.
        found = [
            p
            for p in ctx.deal.customers()
            if role in p.roles
            and p.stance is Stance.ALLY
            and not p.has_left
            and ctx.status_of(p.id) == "covered"
        ]
        if found:
            return min(found, key=lambda p: (-p.influence, p.id))
    return None


def _answer_information_gap(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    """One action for every gap in the checklist (the signals share one group)."""
    order = {item: i for i, item in enumerate(CHECKLIST_ITEMS)}
    gaps = sorted((s.facts for s in signals), key=lambda f: order.get(f.item or "", len(order)))
    missing = [f for f in gaps if f.days is None]
    stale = [f for f in gaps if f.days is not None]
    if not missing and not stale:
        return None
    parts = []
    if missing:
        parts.append("find out " + _and([_item_name(f.item) for f in missing]))
    if stale:
        again = [
            _item_name(f.item)
            + (f" (from {ctx.by_id[f.source].name})" if f.source in ctx.by_id else "")
            for f in stale
        ]
        parts.append("re-check " + _and(again))
    insider = _insider(ctx)
    ask = (
        f"ask {who(insider)}, who tells us the truth inside"
        if insider is not None
        else "ask a coach or champion inside"
    )
    step = _first(signals).step
    text = f"Fill the information gaps of step {step}: " + "; ".join(parts) + f" ({ask})"
    return Answer(text, [insider.id] if insider is not None else [])


def _answer_competitor_favoured(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None:
        return None
    target = ctx.by_id[f.person]
    return Answer(
        f"Find out why {who(target)} favours {f.competitor} and answer it: learn what they "
        f"value in {f.competitor}, and shape the criteria with our strengths",
        [f.person],
        _advice(target),
        target=f.person,
        also=f"find out why they favour {f.competitor} and answer it",
    )


def _answer_small_player(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None or not f.reaches:
        return None
    target = ctx.by_id[f.person]
    close = ctx.by_id[f.reaches[0]].name
    return Answer(
        f"Win over {who(target)}, who is close to {close}: meet them, learn what they need "
        "and treat them with respect (small players open doors)",
        [f.person],
        _advice(target),
        target=f.person,
        also=f"win them over (they are close to {close})",
    )


def _answer_open_refusal(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None or not f.refusals:
        return None
    target = ctx.by_id[f.person]
    advice = "; ".join(REFUSAL_ADVICE[RefusalKind(k)] for k in f.refusals)
    return Answer(
        f"Answer {who(target)}'s refusal, {advice}",
        [f.person],
        _advice(target),
        target=f.person,
        also=f"answer their refusal, {advice}",
    )


def _answer_no_buying_signal(signals: Sequence[SignalLike], _: ActionContext) -> Answer | None:
    return Answer(
        "Test the deal with a next step: ask for a technical meeting with more of their "
        "people, or an introduction to a more senior manager, and see whether they take it",
        [],
    )


def _answer_person_left(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    pid = _first(signals).person
    if pid is None:
        return None
    gone = ctx.by_id[pid]
    if gone.side is Side.SELLER:
        text = f"Hand {who(gone)}'s relationships to someone on our team who is still here"
    else:
        text = f"Find who took over from {who(gone)} and add them to the map"
    return Answer(text, [pid], target=pid)


#: Whose cadence a person's is, as a message says it ("the cadence for decision-makers").
CADENCE_WORDS: dict[str, str] = {
    "top_decision_maker": "the top decision-maker",
    Role.DECISION_MAKER.value: "decision-makers",
    Role.ECONOMIC_BUYER.value: "economic buyers",
    Role.TECHNICAL_BUYER.value: "technical buyers",
    Role.USER.value: "users",
    Role.CHAMPION.value: "champions",
    Role.COACH.value: "coaches",
    Role.INFLUENCER.value: "influencers",
    Role.GATEKEEPER.value: "gatekeepers",
    Role.PROCUREMENT.value: "procurement",
    Role.LEGAL.value: "legal",
}


def _cadence_message(f: SignalFacts, people: People) -> str:
    whose = CADENCE_WORDS.get(f.cadence_role or "", f.cadence_role or "?")
    return (
        f"No touch with {_who(people, f.person)} for {f.days} days; the cadence for "
        f"{whose} is {f.threshold}."
    )


def _cooling_message(f: SignalFacts, people: People) -> str:
    return (
        f"{_name(people, f.seller)}'s tie to {_who(people, f.person)} is cooling: warmth "
        f"{f.before or 0:.2f} on {f.since}, {f.now or 0:.2f} now ({f.days} days)."
    )


def _single_seller_message(f: SignalFacts, people: People) -> str:
    dms = _and([_who(people, d) for d in f.decision_makers])
    many = "decision-makers" if len(f.decision_makers) > 1 else "decision-maker"
    return (
        f"{_who(people, f.seller)} holds every warm tie to the {many} we reach ({dms}): "
        "if they leave, the deal has no way in."
    )


def _answer_cadence(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None:
        return None
    target = ctx.by_id[f.person]
    ties = ctx.graph.covering_ties(f.person) or ctx.graph.our_ties(f.person)
    sellers = sorted({t.other(f.person) for t in ties})
    via = f" (with {_names(ctx, sellers)})" if sellers else ""
    facts = ActionFacts(our_ties=tuple((s, f.person) for s in sellers))
    return Answer(
        f"Visit {who(target)}{via}: no touch for {f.days} days, the cadence is {f.threshold} days",
        [f.person],
        _advice(target),
        facts,
        target=f.person,
        also=f"visit them (no touch for {f.days} days, the cadence is {f.threshold})",
    )


def _answer_cooling(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.person is None or f.seller is None:
        return None
    target, seller = ctx.by_id[f.person], ctx.by_id[f.seller]
    facts = ActionFacts(our_ties=((seller.id, f.person),))
    return Answer(
        f"Warm up {seller.name}'s tie to {who(target)}: visit, or do one thing for them "
        f"(warmth {f.before or 0:.2f} to {f.now or 0:.2f} in {f.days} days)",
        [f.person],
        _advice(target),
        facts,
        target=f.person,
        also=f"warm up {seller.name}'s cooling tie to them",
        also_facts=facts,
    )


def _answer_single_seller(signals: Sequence[SignalLike], ctx: ActionContext) -> Answer | None:
    f = _first(signals)
    if f.seller is None or not f.decision_makers:
        return None
    seller = ctx.by_id[f.seller]
    dms = _and([who(ctx.by_id[d]) for d in f.decision_makers])
    return Answer(
        f"Have {seller.name} bring a second person of our team to {dms}: today only "
        f"{seller.name} holds a warm tie to them",
        [f.seller, *f.decision_makers],
        facts=ActionFacts(our_ties=tuple((f.seller, d) for d in f.decision_makers)),
    )


# -- the registry -------------------------------------------------------------

_SPECS = (
    SignalSpec(
        "no-decision-maker",
        "high",
        "deal",
        "no decision-maker is identified",
        lambda f, p: (
            "Nobody is identified as a decision-maker: find who gives the final yes "
            "and who signs off the budget."
        ),
        _answer_no_decision_maker,
    ),
    SignalSpec(
        "decision-maker-uncovered",
        "high",
        "person",
        (
            "a decision-maker is uncovered (one per person; not the top decision-maker: "
            "`top-decision-maker-uncovered`)"
        ),
        lambda f, p: (
            f"{_who(p, f.person)} is a decision-maker and nobody on our team has a warm tie "
            "to them."
        ),
        _answer_uncovered,
        weight=_weight_person,
    ),
    SignalSpec(
        "close-date-passed",
        "high",
        "deal",
        (
            "the deal's close date is before `as_of` and its step is not yet `commitment` "
            "or `implementation` (nor won or lost; a deal with no step counts)"
        ),
        _close_passed_message,
        _answer_close_passed,
    ),
    SignalSpec(
        "close-date-unrealistic",
        "medium",
        "deal",
        (
            "the close date is fewer days away than `step_min_days` gives the steps after "
            "the deal's step, up to `commitment` (not when the close date has passed)"
        ),
        _close_unrealistic_message,
        _answer_close_unrealistic,
    ),
    SignalSpec(
        "top-decision-maker-uncovered",
        "high",
        "person",
        (
            "the top decision-maker is uncovered (instead of `decision-maker-uncovered` "
            "for them; points doubled from step `tender` on)"
        ),
        _top_uncovered_message,
        _answer_uncovered,
        weight=_weight_top_decision_maker,
    ),
    SignalSpec(
        "no-coach",
        "medium",
        "deal",
        (
            "no covered ally holds the role `coach` or `champion` (not when `role-uncovered` "
            "or `stale-relationship` says we do not reach an ally champion)"
        ),
        lambda f, p: (
            "No ally we reach holds the role coach or champion: nobody inside tells us the truth."
        ),
        _answer_no_coach,
    ),
    SignalSpec(
        "decision-maker-blocker",
        "high",
        "person",
        "a decision-maker is a blocker",
        lambda f, p: f"{_who(p, f.person)} is a decision-maker and a blocker.",
        _answer_dm_blocker,
        weight=_weight_person,
    ),
    SignalSpec(
        "role-missing",
        "medium",
        "role",
        (
            "a required role has no holder (one per role; not `champion`, which "
            "`no-champion` says, nor, with `no-decision-maker`, the decision-maker's and "
            "economic buyer's)"
        ),
        lambda f, p: f"Nobody holds the role {f.role}: find out who it is.",
        _answer_role_missing,
        group=lambda f: "roles",
    ),
    SignalSpec(
        "role-uncovered",
        "medium",
        "role",
        (
            "none of a required role's holders is covered: all uncovered, or reached only "
            "through stale ties (one per role; not when each holder has a signal of their "
            "own saying so: `decision-maker-uncovered`, `top-decision-maker-uncovered` or "
            "`stale-relationship`)"
        ),
        _role_uncovered_message,
        _answer_role_uncovered,
        weight=_weight_holders,
    ),
    SignalSpec(
        "no-champion",
        "medium",
        "deal",
        "no ally holds the role `champion`",
        lambda f, p: "No ally holds the role champion: nobody with power is selling for us inside.",
        _answer_no_champion,
    ),
    SignalSpec(
        "single-threaded",
        "high",
        "deal",
        "fewer covered customers than `min_threads`",
        _single_threaded_message,
        _answer_single_threaded,
        weight=_weight_threads,
    ),
    SignalSpec(
        "blocker-influences-decision-maker",
        "high",
        "person",
        (
            "a blocker's sway reaches a decision-maker directly or through one person, "
            "along `influences` ties or the reporting line (one per blocker, naming every "
            "decision-maker reached)"
        ),
        _blocker_message,
        _answer_blocker_reach,
        weight=_weight_decision_makers,
    ),
    SignalSpec(
        "unknown-stance",
        "medium",
        "person",
        "a decision-maker, or anyone with influence >= 0.6, has stance unknown",
        _unknown_stance_message,
        _answer_unknown_stance,
        weight=_weight_person,
    ),
    SignalSpec(
        "stale-relationship",
        "medium",
        "person",
        "a decision-maker or a champion is covered only by stale ties",
        lambda f, p: (
            f"Our ties to {f.reason} {_who(p, f.person)} have gone stale"
            + (f" (last contact {f.days} days ago)." if f.days is not None else ".")
        ),
        _answer_stale,
        weight=_weight_person,
    ),
    SignalSpec(
        "doubtful-assessment",
        "low",
        "person",
        (
            "a decision-maker's known stance was assessed more than `assessment_stale_days` "
            "ago (an unknown one is `unknown-stance`)"
        ),
        lambda f, p: (
            f"{_who(p, f.person)}'s stance ({f.stance}) was last confirmed {f.days} days ago."
        ),
        _answer_doubtful,
        weight=_weight_person,
    ),
    SignalSpec(
        "negative-support",
        "high",
        "deal",
        "support is below zero",
        lambda f, p: (
            f"Support is {f.support or 0:+.2f}: weighted by influence, blockers outweigh allies."
        ),
        _answer_negative_support,
        weight=_weight_support,
    ),
    SignalSpec(
        "ally-conflicts-with-decision-maker",
        "medium",
        "person",
        (
            "an ally has a `conflicts_with` tie to a decision-maker (one per ally, naming "
            "every such decision-maker)"
        ),
        _conflict_message,
        _answer_conflict,
        weight=_weight_decision_makers,
    ),
    SignalSpec(
        "hidden-influencer",
        "info",
        "person",
        (
            "a customer ranks in the top three by network influence while their stated "
            "influence is at or below the customers' median"
        ),
        lambda f, p: (
            f"{_who(p, f.person)} ranks #{f.rank} by network influence but is rated only "
            f"{_g(f.influence)}: their word may count more than it seems."
        ),
        _answer_hidden,
        weight=_weight_person,
    ),
    SignalSpec(
        "isolated-person",
        "info",
        "person",
        "a customer with no ties at all",
        lambda f, p: f"{_who(p, f.person)} has no ties at all in the map.",
        _answer_isolated,
        weight=_weight_person,
    ),
    # -- the key-account method's signals (analysis/method_signals.py) -----------
    SignalSpec(
        "information-gap",
        "medium",
        "item",
        (
            "an item of the information checklist the deal's step requires (policy "
            "`checklist`) is missing, or older than `fact_stale_days` (one per item)"
        ),
        _information_gap_message,
        _answer_information_gap,
        group=lambda f: "facts",
    ),
    SignalSpec(
        "competitor-favoured",
        "high",
        "person",
        "a decision-maker, or the customer of the highest stated influence, favours a competitor",
        _competitor_favoured_message,
        _answer_competitor_favoured,
        weight=_weight_person,
    ),
    SignalSpec(
        "small-player-unengaged",
        "low",
        "person",
        (
            "a customer below the customers' median stated influence, whose `influences` or "
            "`reports_to` ties reach a decision-maker or a technical buyer, is uncovered and "
            "of unknown stance"
        ),
        _small_player_message,
        _answer_small_player,
        weight=_weight_person,
    ),
    SignalSpec(
        "open-refusal",
        "medium",
        "person",
        (
            "a customer gave a refusal (no need, no trust, no budget, no hurry) that is not "
            "resolved (one per person)"
        ),
        _open_refusal_message,
        _answer_open_refusal,
        weight=_weight_person,
    ),
    SignalSpec(
        "no-recent-buying-signal",
        "medium",
        "deal",
        (
            "at step `tender`, `commitment` or `implementation`, no customer gave a buying "
            "signal within `buying_signal_days` before `as_of`"
        ),
        lambda f, p: (
            f"The deal is at step {f.step} and no customer gave a buying signal in the last "
            f"{f.days} days."
        ),
        _answer_no_buying_signal,
    ),
    SignalSpec(
        "person-left",
        "low",
        "person",
        "a person has `status: left` (one per person)",
        _person_left_message,
        _answer_person_left,
        weight=_weight_person,
    ),
    # -- cadence and concentration (analysis/cadence.py; deals with touchpoints) -----
    SignalSpec(
        "cadence-missed",
        "medium",
        "person",
        (
            "in a deal with touchpoints, our last contact with a customer is more days ago "
            "than the shortest cadence of their roles (policy `cadence_days`, "
            "`top_decision_maker_cadence_days`; one per person; not when "
            "`stale-relationship` says it)"
        ),
        _cadence_message,
        _answer_cadence,
        weight=_weight_person,
    ),
    SignalSpec(
        "single-seller-dependency",
        "medium",
        "deal",
        (
            "in a deal with touchpoints, we cover at least one decision-maker and every "
            "warm tie to the decision-makers we cover is one seller's"
        ),
        _single_seller_message,
        _answer_single_seller,
    ),
    SignalSpec(
        "cooling-tie",
        "low",
        "person",
        (
            "a tie of ours to a customer is cooling: its warmth fell by more than "
            "`cooling_share` over `cooling_period_days` (one per seller and customer)"
        ),
        _cooling_message,
        _answer_cooling,
        weight=_weight_person,
    ),
)

#: Every signal code and its spec, in the order ``risk_signals`` looks for them.
SIGNALS: Mapping[str, SignalSpec] = {s.code: s for s in _SPECS}
