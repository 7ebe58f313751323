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
  where they never wrote back (one-way mail counts little; they wrote back when the
  tie has a received one, or one of ours that answers, by ``in_reply_to``, a
  message that is not one we sent); ``g = 0.5 + 0.5 *
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

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import repeat
from operator import attrgetter, is_
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
    "TouchColumns",
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
    """True when they wrote back at least once (an e-mail or message received, or one
    of ours ``in_reply_to`` a message that is not ours)."""
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
    A message ``in_reply_to`` is ours when one of ``touches`` sent it (the deal graph
    asks all the deal's touchpoints: :class:`TouchColumns`).

    Examples:
        >>> from datetime import date
        >>> tie_warmth(0.6, None, [], date(2026, 11, 20)).effective
        0.6
    """
    rules = policy if policy is not None else Policy()
    found = TouchColumns(touches, by_pair=False).evidence(as_of, rules).get(0) if touches else None
    if found is None:
        return Warmth(stated, stated, last_contact, (), False, None, None)
    return _warmth(stated, found, as_of.toordinal(), rules)


class _Evidence(NamedTuple):
    """What one group of touchpoints up to a day adds up to (before the stated strength)."""

    mass: float  # sum of weight x r x 0.5 ** (days / half-life), before the age factor
    first: int  # ordinal of the first touchpoint
    last: int  # ordinal of the last one
    counts: tuple[tuple[TouchKind, int], ...]
    replied: bool
    last_kind: TouchKind


_KINDS = tuple(TouchKind)
_KIND_CODE = {k: i for i, k in enumerate(_KINDS)}


def _warmth(stated: float, found: _Evidence, today: int, rules: Policy) -> Warmth:
    """The module docs' formula, from a tie's stated strength and its evidence."""
    halves = {**DEFAULT_TOUCH_HALF_LIFE_DAYS, **rules.touch_half_life_days}
    mass = found.mass * (0.5 + 0.5 * min(1.0, (today - found.first) / rules.tie_age_full_days))
    evidence = mass / (1.0 + mass)
    ago = today - found.last
    half = halves[found.last_kind]
    fresh = 0.5 ** (ago / half)
    effective = round(1.0 - (1.0 - stated * fresh) * (1.0 - evidence), 3)
    last = date.fromordinal(found.last)
    return Warmth(effective, stated, last, found.counts, found.replied, half, ago, found.last_kind)


class TouchColumns:
    """Touchpoints as numpy columns, grouped by pair, read once for warmth on any day.

    One row per touchpoint and pair of its people (:func:`touchpoints_by_pair`, the
    one rule), or, with ``by_pair=False``, one group of all the touchpoints given (the
    touchpoints of one tie). The deal graph keeps one, so the warmth on ``as_of`` and
    on the trend's earlier day (:func:`trend`) read the touchpoints once. Every sum is
    made in the touchpoints' order, as the module docs' formula reads.

    Examples:
        >>> from datetime import date
        >>> from influence.model import Touchpoint
        >>> t = Touchpoint.model_validate({"date": "2026-11-19", "kind": "call",
        ...                                "people": ["li", "bo"]})
        >>> columns = TouchColumns([t])
        >>> columns.pairs
        {('bo', 'li'): 0}
        >>> columns.evidence(date(2026, 11, 18), Policy())  # before the call: nothing
        {}
    """

    __slots__ = ("answers", "day", "group", "kind", "pairs", "received", "sent")

    def __init__(self, touches: Sequence[Touchpoint], *, by_pair: bool = True) -> None:
        import numpy as np

        if by_pair:
            of_pair = touchpoints_by_pair(touches)
            groups: list[Sequence[Touchpoint]] = list(of_pair.values())
            #: Each pair of people (ids sorted) with touchpoints, and its group's number.
            self.pairs: dict[tuple[str, str], int] = {pair: i for i, pair in enumerate(of_pair)}
        else:
            groups = [touches]
            self.pairs = {}
        rows = [t for touched in groups for t in touched]
        n = len(rows)
        self.group = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        self.day = np.fromiter(map(date.toordinal, map(attrgetter("date"), rows)), np.int64, n)
        self.kind = np.fromiter(
            map(_KIND_CODE.__getitem__, map(attrgetter("kind"), rows)), np.int64, n
        )
        directed = np.isin(self.kind, [_KIND_CODE[k] for k in DIRECTED_TOUCHES])
        directions = list(map(attrgetter("direction"), rows))
        sent, received = Direction.SENT, Direction.RECEIVED
        self.sent = directed & np.fromiter(map(is_, directions, repeat(sent)), bool, n)
        self.received = directed & np.fromiter(map(is_, directions, repeat(received)), bool, n)
        # Ours that answer a message not ours (not one we sent, of those given): they wrote.
        mine = {t.source for t in touches if t.direction is sent and t.source is not None}
        replies = list(map(attrgetter("in_reply_to"), rows))
        self.answers = self.sent & np.fromiter(
            (r is not None and r not in mine for r in replies), bool, n
        )

    def evidence(self, as_of: date, rules: Policy) -> dict[int, _Evidence]:
        """The evidence of each group with touchpoints up to ``as_of``, by group number."""
        import numpy as np

        today = as_of.toordinal()
        weights = {**DEFAULT_TOUCH_WEIGHT, **rules.touch_weight}
        halves = {**DEFAULT_TOUCH_HALF_LIFE_DAYS, **rules.touch_half_life_days}
        group, day, kind, sent = self.group, self.day, self.kind, self.sent
        wrote = self.received | self.answers  # what shows they wrote back
        if len(day) and int(day.max()) > today:  # some after as_of: left out
            keep = day <= today
            group, day, kind = group[keep], day[keep], kind[keep]
            sent, wrote = sent[keep], wrote[keep]
        if not len(day):
            return {}
        size = int(self.group.max()) + 1
        replied = np.bincount(group[wrote], minlength=size) > 0
        weight = np.array([weights[k] for k in _KINDS], dtype=np.float64)
        half = np.array([halves[k] for k in _KINDS], dtype=np.float64)
        w = weight[kind] * 0.5 ** ((today - day) / half[kind])
        # The mail we sent counts one_way_weight on a tie where they never wrote back.
        one_way = np.where(sent & ~replied[group], rules.one_way_weight, 1.0)
        # bincount adds in row order, one row after the other, as the formula reads.
        mass = np.bincount(group, weights=w * one_way, minlength=size)
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        present = group[starts]
        first = np.minimum.reduceat(day, starts)
        last = np.maximum.reduceat(day, starts)
        count = np.bincount(group * len(_KINDS) + kind, minlength=size * len(_KINDS))
        count = count.reshape(size, len(_KINDS))
        # Of several kinds on the last day, the least weighted one's half-life (then by name).
        rank_of = sorted(range(len(_KINDS)), key=lambda c: (-weights[_KINDS[c]], _KINDS[c].value))
        rank = np.empty(len(_KINDS), dtype=np.int64)
        rank[rank_of] = np.arange(len(_KINDS))
        last_of = np.zeros(size, dtype=np.int64)
        last_of[present] = last
        on_last = day == last_of[group]
        best = np.full(size, -1, dtype=np.int64)
        np.maximum.at(best, group[on_last], rank[kind[on_last]])
        out = {}
        for g, lo, hi in zip(present.tolist(), first.tolist(), last.tolist(), strict=True):
            row = count[g].tolist()
            out[g] = _Evidence(
                float(mass[g]),
                lo,
                hi,
                tuple((k, n) for k, n in zip(_KINDS, row, strict=True) if n),
                bool(replied[g]),
                _KINDS[rank_of[int(best[g])]],
            )
        return out


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
    rels: Sequence[Relationship],
    touches: Sequence[Touchpoint],
    as_of: date,
    rules: Policy,
    *,
    columns: TouchColumns | None = None,
) -> dict[int, Warmth]:
    """:func:`deal_warmth` of these relationships and touchpoints, on ``as_of``, by ``rules``.

    ``columns``: these touchpoints as :class:`TouchColumns`, when already read.
    """
    if not touches:
        return {}
    cols = columns if columns is not None else TouchColumns(touches)
    found = cols.evidence(as_of, rules)
    today = as_of.toordinal()
    out = {}
    for i, r in enumerate(rels):
        a, b = r.from_, r.to
        g = cols.pairs.get((a, b) if a < b else (b, a))
        if g is not None and g in found:  # touchpoints only after as_of: as written, left out
            out[i] = _warmth(r.strength, found[g], today, rules)
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
