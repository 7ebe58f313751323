"""Tie warmth from evidence: the stated strength, the touchpoints, and their decay.

The one rule for a tie's *effective* strength and last contact (docs/analysis.md,
"Warmth from touchpoints"); its weights and half-lives are policy. The deal graph
reads it for every tie (:mod:`influence.graph`), so coverage, paths, reports,
tooltips and exports all see the same number, and :func:`explain` says it in one
sentence.

A tie with no touchpoints is left as written: its effective strength is its stated
strength and its last contact the stated ``last_contact`` (the identity, so deals
without touchpoints give the same results as before). A tie with touchpoints (every
touchpoint whose ``people`` hold both ends) gets:

- ``E = g * sum(weight[kind] * r * 0.5 ** (days / half_life[kind]))`` over its
  touchpoints up to ``as_of``: ``days`` since each one; ``weight`` is the policy's
  ``touch_weight`` and ``half_life`` its ``touch_half_life_days``; ``r`` is 1, or
  the policy's ``one_way_weight`` (0.25) for an e-mail or message we sent on a tie
  where they never wrote back (one-way mail counts little); ``g = 0.5 + 0.5 *
  min(1, age / tie_age_full_days)``, where ``age`` is the days since the tie's first
  touchpoint (a tie known for half a year counts its evidence in full, a new one half).
- ``evidence = E / (1 + E)`` (more evidence, warmer, never above 1).
- ``freshness = 0.5 ** (days since the last touchpoint / its kind's half-life)``:
  staleness as a continuous decay, not a cliff.
- ``effective = 1 - (1 - stated * freshness) * (1 - evidence)``, rounded to 3 places.
- The effective last contact is the latest touchpoint's date.

Examples:
    >>> from datetime import date
    >>> from influence.model import Touchpoint
    >>> t = Touchpoint.model_validate({"date": "2026-11-19", "kind": "meeting",
    ...                                "people": ["li", "bo"]})
    >>> w = tie_warmth(0.9, None, [t], date(2026, 11, 20))
    >>> w.effective, w.last_contact, w.last_kind.value
    (0.931, datetime.date(2026, 11, 19), 'meeting')
    >>> explain(w)
    '0.93: stated strong (0.90); 1 meeting, the last 1 day ago; half-life 180 days'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from operator import attrgetter
from typing import NamedTuple

from influence.model import (
    DEFAULT_TOUCH_HALF_LIFE_DAYS,
    DEFAULT_TOUCH_WEIGHT,
    DIRECTED_TOUCHES,
    STRENGTH_WORDS,
    Deal,
    Direction,
    Policy,
    Relationship,
    TouchKind,
    Touchpoint,
)

__all__ = [
    "Trend",
    "Warmth",
    "deal_warmth",
    "explain",
    "explain_trend",
    "last_touch",
    "may_cool",
    "tie_warmth",
    "touchpoints_by_pair",
    "trend",
    "warmth_of",
]

_NAMES: dict[TouchKind, tuple[str, str]] = {
    TouchKind.MEETING: ("meeting", "meetings"),
    TouchKind.CALL: ("call", "calls"),
    TouchKind.EMAIL: ("e-mail", "e-mails"),
    TouchKind.MESSAGE: ("message", "messages"),
    TouchKind.VISIT: ("visit", "visits"),
    TouchKind.EVENT: ("event", "events"),
    TouchKind.FAVOUR: ("favour", "favours"),
    TouchKind.GIFT: ("gift", "gifts"),
}


class Warmth(NamedTuple):
    """A tie's warmth and what it is made of (see the module docs)."""

    effective: float
    """0..1: the strength every analysis reads."""
    stated: float
    """The strength written in the file."""
    last_contact: date | None
    """The latest touchpoint, else the stated ``last_contact``."""
    counts: tuple[tuple[TouchKind, int], ...]
    """Touchpoints per kind, in :class:`TouchKind` order (kinds with none left out)."""
    replied: bool
    """True when they wrote back at least once (e-mail or message received)."""
    half_life: int | None
    """The half-life of the last touchpoint's kind, in days; None without touchpoints."""
    days: int | None
    """Days from the last touchpoint to ``as_of``; None without touchpoints."""
    last_kind: TouchKind | None = None
    """The last touchpoint's kind (the one whose half-life is ``half_life``); None without."""

    @property
    def evidence(self) -> bool:
        """True when touchpoints back the warmth (else it is the stated strength)."""
        return bool(self.counts)


def tie_warmth(
    stated: float,
    last_contact: date | None,
    touches: Sequence[Touchpoint],
    as_of: date,
    *,
    policy: Policy | None = None,
) -> Warmth:
    """The warmth of one tie from its stated strength and its touchpoints.

    Touchpoints after ``as_of`` are left out. No touchpoints: the stated values.
    The weights, half-lives, one-way share and full age are the policy's
    (``touch_weight``, ``touch_half_life_days``, ``one_way_weight``,
    ``tie_age_full_days``; default: :class:`~influence.model.Policy`'s defaults).

    Examples:
        >>> from datetime import date
        >>> tie_warmth(0.6, None, [], date(2026, 11, 20)).effective
        0.6
    """
    rules = policy if policy is not None else Policy()
    weights = {**DEFAULT_TOUCH_WEIGHT, **rules.touch_weight}
    halves = {**DEFAULT_TOUCH_HALF_LIFE_DAYS, **rules.touch_half_life_days}
    today = as_of.toordinal()
    # Each touchpoint's day, kind and direction as columns (read at C speed).
    days = list(map(date.toordinal, map(attrgetter("date"), touches)))
    kinds = list(map(attrgetter("kind"), touches))
    directions = list(map(attrgetter("direction"), touches))
    if max(days, default=today + 1) > today:  # some after as_of (or none): left out
        keep = [i for i, day in enumerate(days) if day <= today]
        days = [days[i] for i in keep]
        kinds = [kinds[i] for i in keep]
        directions = [directions[i] for i in keep]
    if not days:
        return Warmth(stated, stated, last_contact, (), False, None, None)
    # Only e-mails and messages have a direction that bears on warmth: the mail we sent
    # counts one_way_weight on a tie where they never wrote back (a favour's or a gift's
    # direction says who did it, for the favours ledger: never warmth).
    received = Direction.RECEIVED
    replied = received in directions and any(
        d is received and k in DIRECTED_TOUCHES for d, k in zip(directions, kinds, strict=True)
    )
    one_way = 1.0 if replied else rules.one_way_weight
    sent = Direction.SENT
    mass = 0.0
    for day, kind, direction in zip(days, kinds, directions, strict=True):
        w = weights[kind] * 0.5 ** ((today - day) / halves[kind])
        mass += w * one_way if direction is sent and kind in DIRECTED_TOUCHES else w
    counts = Counter(kinds)
    first, last_day = min(days), max(days)
    last_kinds = [k for day, k in zip(days, kinds, strict=True) if day == last_day]
    mass *= 0.5 + 0.5 * min(1.0, (today - first) / rules.tie_age_full_days)
    evidence = mass / (1.0 + mass)
    # Of several kinds on the last day, the least weighted one's half-life (then by name).
    last_kind = max(last_kinds, key=lambda k: (-weights[k], k.value))
    ago = today - last_day
    half = halves[last_kind]
    fresh = 0.5 ** (ago / half)
    effective = round(1.0 - (1.0 - stated * fresh) * (1.0 - evidence), 3)
    ordered = tuple((k, counts[k]) for k in TouchKind if k in counts)
    last = date.fromordinal(last_day)
    return Warmth(effective, stated, last, ordered, replied, half, ago, last_kind)


def deal_warmth(
    deal: Deal, policy: Policy | None = None, *, as_of: date | None = None
) -> dict[int, Warmth]:
    """The warmth of every declared relationship with touchpoints, by its place in the file.

    A touchpoint belongs to every relationship whose two ends are both among its
    ``people``. Relationships without touchpoints up to ``as_of`` are left out
    (their warmth is their stated strength). ``policy``: the team's; the deal's own ``policy:``
    overrides it, as for every analysis. ``as_of``: the day to measure from (default:
    the deal's ``as_of``; an earlier day gives the warmth as it was then, which is
    how :func:`trend` sees a tie cooling).

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Bo"}],
        ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.5}],
        ...     "touchpoints": [{"date": "2026-11-19", "kind": "call", "people": ["li", "bo"]}]})
        >>> deal_warmth(deal)[0].effective
        0.613
        >>> deal_warmth(deal, as_of=date(2026, 11, 1))  # before the call: as written
        {}
    """
    if not deal.touchpoints:
        return {}
    rules = deal.effective_policy(policy)
    day = as_of if as_of is not None else deal.as_of()
    return warmth_of(deal.relationships, deal.touchpoints, day, rules)


def touchpoints_by_pair(touches: Sequence[Touchpoint]) -> dict[tuple[str, str], list[Touchpoint]]:
    """The touchpoints of each pair of people, the pair's ids sorted, in the given order.

    The one rule of whom a touchpoint touches: every pair of its people (a meeting
    of three is a touch between each two of them). Warmth and ``diff`` read it here.

    Examples:
        >>> from influence.model import Touchpoint
        >>> t = Touchpoint.model_validate(
        ...     {"date": "2026-11-01", "kind": "meeting", "people": ["li", "zhang", "an"]}
        ... )
        >>> sorted(touchpoints_by_pair([t]))
        [('an', 'li'), ('an', 'zhang'), ('li', 'zhang')]
    """
    of_pair: dict[tuple[str, str], list[Touchpoint]] = {}
    for t, people in zip(touches, map(attrgetter("people"), touches), strict=True):
        if len(people) == 2:  # the usual case: one pair (the model keeps ids unique)
            a, b = people
            of_pair.setdefault((a, b) if a < b else (b, a), []).append(t)
            continue
        people = sorted(people)
        for x, a in enumerate(people):
            for b in people[x + 1 :]:
                of_pair.setdefault((a, b), []).append(t)
    return of_pair


def warmth_of(
    rels: Sequence[Relationship], touches: Sequence[Touchpoint], as_of: date, rules: Policy
) -> dict[int, Warmth]:
    """:func:`deal_warmth` of these relationships and touchpoints, on ``as_of``, by ``rules``."""
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rels):
        a, b = sorted((r.from_, r.to))
        by_pair.setdefault((a, b), []).append(i)
    # The touchpoints of each pair of people first, then of each tie between them.
    of_pair = touchpoints_by_pair(touches)
    found: dict[int, list[Touchpoint]] = {}
    for pair, touched in of_pair.items():
        for i in by_pair.get(pair, ()):
            found[i] = touched
    out = {}
    for i, touched in sorted(found.items()):
        warmth = tie_warmth(rels[i].strength, rels[i].last_contact, touched, as_of, policy=rules)
        if warmth.evidence:  # touchpoints only after as_of: as written, left out
            out[i] = warmth
    return out


class Trend(NamedTuple):
    """How a tie's warmth moved over the policy's ``cooling_period_days`` (see :func:`trend`)."""

    before: float
    """The effective strength on ``since`` (the stated strength if no touchpoint was yet)."""
    now: float
    """The effective strength on ``as_of``."""
    since: date
    """``as_of`` minus ``cooling_period_days``."""
    cooling: bool
    """True when the warmth fell by more than ``cooling_share`` of what it was."""

    @property
    def change(self) -> float:
        """``now - before``, rounded to 3 places (negative: cooler)."""
        return round(self.now - self.before, 3)


def trend(now: Warmth, before: Warmth | None, stated: float, since: date, rules: Policy) -> Trend:
    """The one cooling rule: warmth fell by more than ``cooling_share`` since ``since``.

    ``before``: the tie's warmth on ``since`` (None: it had no touchpoint yet, so it
    was its stated strength). A tie is **cooling** when ``now < before x (1 -
    cooling_share)``.

    Examples:
        >>> from datetime import date
        >>> now = Warmth(0.5, 0.9, date(2026, 9, 1), (), False, 180, 80)
        >>> was = Warmth(0.7, 0.9, date(2026, 9, 1), (), False, 180, 50)
        >>> t = trend(now, was, 0.9, date(2026, 10, 21), Policy())
        >>> t.cooling, t.change
        (True, -0.2)
    """
    was = before.effective if before is not None else stated
    cooling = now.effective < was * (1.0 - rules.cooling_share)
    return Trend(was, now.effective, since, cooling)


def may_cool(now: float, rules: Policy) -> bool:
    """False when a tie this warm now cannot be cooling, whatever it was before.

    Warmth is never above 1, so a tie at least ``1 - cooling_share`` warm now has
    not fallen by more than ``cooling_share`` of what it was (:func:`trend`'s rule):
    its trend need not be computed to know it is not cooling.

    Examples:
        >>> may_cool(0.95, Policy()), may_cool(0.85, Policy())
        (False, True)
    """
    return now < 1.0 - rules.cooling_share


def _word(stated: float) -> str:
    for word, value in STRENGTH_WORDS.items():
        if abs(value - stated) < 1e-9:
            return f"{word} ({stated:.2f})"
    return f"{stated:.2f}"


def _plural(kind: TouchKind, n: int, replied: bool) -> str:
    one, many = _NAMES[kind]
    noun = one if n == 1 else many
    if kind in DIRECTED_TOUCHES:
        noun = ("replied " if replied else "one-way ") + noun
    return f"{n} {noun}"


def _join(parts: Iterable[str]) -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(warmth: Warmth) -> str:
    """One sentence saying where a tie's warmth comes from (the same in every output).

    Examples:
        >>> explain(Warmth(0.6, 0.6, None, (), False, None, None))
        '0.60: stated medium (0.60); no touchpoints'
    """
    head = f"{warmth.effective:.2f}: stated {_word(warmth.stated)}"
    if not warmth.counts:
        return f"{head}; no touchpoints"
    days = warmth.days
    ago = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    what = _join(_plural(k, n, warmth.replied) for k, n in warmth.counts)
    return f"{head}; {what}, the last {ago}; half-life {warmth.half_life} days"


def explain_trend(t: Trend) -> str:
    """A tie's trend in words, the same in every output: now, then, and whether it cools.

    Examples:
        >>> from datetime import date
        >>> explain_trend(Trend(0.903, 0.795, date(2026, 10, 21), True))
        '0.80, was 0.90 on 2026-10-21: cooling'
        >>> explain_trend(Trend(0.642, 0.597, date(2026, 10, 21), False))
        '0.60, was 0.64 on 2026-10-21: not cooling'
    """
    state = "cooling" if t.cooling else "not cooling"
    return f"{t.now:.2f}, was {t.before:.2f} on {t.since.isoformat()}: {state}"


def last_touch(warmth: Warmth) -> str | None:
    """The last touchpoint in words (``'call on 2026-10-16'``); None without touchpoints.

    Examples:
        >>> from datetime import date
        >>> w = Warmth(0.8, 0.9, date(2026, 10, 16), (), False, 120, 35, TouchKind.CALL)
        >>> last_touch(w)
        'call on 2026-10-16'
    """
    if warmth.last_kind is None or warmth.last_contact is None:
        return None
    return f"{_NAMES[warmth.last_kind][0]} on {warmth.last_contact.isoformat()}"
