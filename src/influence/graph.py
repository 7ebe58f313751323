"""The deal graph: every rule about ties, in one place, built once per deal.

A :class:`DealGraph` (from :func:`deal_graph`) is what every analysis, the map,
the exports and the diff read. It owns these rules, and no other module
decides them:

* **The ties.** Every declared relationship, in file order, then each
  person's ``reports_to`` shorthand (a ``reports_to`` tie, strength 0.6,
  ``declared`` false), unless a declared ``reports_to`` between the same two
  people in the same direction exists. Repeats of one kind between one pair
  are already merged by the model (the stronger strength and the later
  contact win).
* **Warmth from touchpoints** (docs/analysis.md, "Warmth from touchpoints"). In
  a deal with touchpoints, a declared tie with touchpoints has its effective
  strength and last contact (:func:`influence.warmth.deal_warmth`, with the
  policy's weights and half-lives) as its :attr:`Tie.strength` and
  :attr:`Tie.last_contact`, which everything below reads;
  :meth:`DealGraph.warmth` and :meth:`DealGraph.explanation` say what they are
  made of. Every other tie, and every tie of a deal without touchpoints, is as
  written.
* **Symmetric kinds.** ``knows`` and ``conflicts_with`` hold both ways
  (:attr:`Tie.symmetric`, :func:`is_symmetric`); ``influences`` and
  ``reports_to`` are directed.
* **Our tie** (docs/analysis.md, "Our tie"). Our tie to a customer is a
  ``knows`` or ``influences`` tie between that customer and a seller-side
  person, either direction, any strength (:meth:`DealGraph.our_ties`). It
  *covers* when its strength is at least ``coverage_strength``
  (:meth:`DealGraph.covering_ties`); a covering tie is *fresh* when its
  ``last_contact`` is unknown or within ``stale_after_days`` of ``as_of``. A tie
  with touchpoints instead covers when its effective or its stated strength
  reaches ``coverage_strength``, and is fresh while its effective strength does
  (staleness decays with it, no cliff). A
  customer is ``covered`` with a fresh covering tie, ``stale`` with covering
  ties that are all stale, else ``uncovered``
  (:meth:`DealGraph.coverage_status`). Their *last contact*
  (:meth:`DealGraph.last_contact`) is the latest ``last_contact`` over the
  covering ties, else over our ties.
* **Usable ties for paths** (:attr:`USABLE_KINDS`): ``knows``, ``influences``
  and ``reports_to``, either way round, strength above 0; between two people
  with several, the warmest counts.
* **Who left** (:attr:`DealGraph.left`). A tie with a person of ``status:
  left`` at either end stays a tie of the deal (the map, the exports and the
  diff show it) but counts for nothing: it is no tie of ours, so it covers
  nobody and a customer who left is ``uncovered``, and it is no usable tie,
  so a person who left is never a path hop (:meth:`DealGraph.counts`,
  :meth:`DealGraph.counting`).

The networkx view (:meth:`DealGraph.to_networkx`, :func:`to_networkx`) is one
``networkx.MultiDiGraph``. Nodes are person ids, in file order, with these
attributes:

============== ==========================================================
``name``       the person's name
``title``      job title or ``None``
``side``       ``"customer"``, ``"seller"`` or ``"partner"``
``roles``      tuple of role values
``influence``  stated influence, 0..1
``stance``     ``"ally"``, ``"neutral"``, ``"blocker"`` or ``"unknown"``
``style``      social style or ``None``
``person``     the :class:`~influence.model.Person` itself
============== ==========================================================

Edges are keyed by kind (``"knows"``, ``"influences"``, ``"reports_to"``,
``"conflicts_with"``), so the same pair can hold several kinds at once. A
relationship ``from -> to`` is one edge in that direction; symmetric kinds are
stored once, in the direction written. Edge attributes: ``kind``,
``strength``, ``context``, ``last_contact``, ``notes``, and ``declared``
(False for edges made from the shorthand); ``strength`` and ``last_contact``
are the ties' effective ones (as written, in a deal without touchpoints).

Examples:
    >>> from influence.model import Deal
    >>> deal = Deal.model_validate({
    ...     "deal": {"name": "Tiny", "as_of": "2026-11-20"},
    ...     "people": [{"name": "Ann", "reports_to": "bo"}, {"name": "Bo"},
    ...                {"name": "Li", "side": "seller"}],
    ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.8,
    ...                        "last_contact": "2026-11-02"}],
    ... })
    >>> g = deal_graph(deal)
    >>> [(t.from_, t.to, t.kind.value, t.declared) for t in g.ties]
    [('li', 'bo', 'knows', True), ('ann', 'bo', 'reports_to', False)]
    >>> g.coverage_status("bo"), g.coverage_status("ann"), g.last_contact("bo")
    ('covered', 'uncovered', datetime.date(2026, 11, 2))
    >>> list(to_networkx(deal).edges(keys=True))
    [('ann', 'bo', 'reports_to'), ('li', 'bo', 'knows')]
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from influence.errors import UnknownPersonError
from influence.model import (
    DEFAULT_STRENGTH,
    SYMMETRIC_KINDS,
    Deal,
    Kind,
    Policy,
    Side,
    Touchpoint,
    tie_numbers,
)
from influence.warmth import TouchColumns, Trend, Warmth, explain, trend, warmth_of

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "COLUMNS_FROM",
    "KIND_CODES",
    "OUR_TIE_KINDS",
    "USABLE_KINDS",
    "CoverageStatus",
    "DealGraph",
    "Tie",
    "TieColumns",
    "deal_graph",
    "is_stale",
    "is_symmetric",
    "to_networkx",
]

#: The kinds of tie that count as "our tie" to a customer.
OUR_TIE_KINDS = frozenset({Kind.KNOWS, Kind.INFLUENCES})
#: The kinds of tie an introduction path may use, either way round.
USABLE_KINDS = frozenset({Kind.KNOWS, Kind.INFLUENCES, Kind.REPORTS_TO})
_V = TypeVar("_V")
#: A customer's coverage: see the module docs.
CoverageStatus = Literal["covered", "stale", "uncovered"]


def is_symmetric(kind: str) -> bool:
    """True for kinds that hold both ways (``knows``, ``conflicts_with``).

    Examples:
        >>> is_symmetric("knows"), is_symmetric("influences")
        (True, False)
    """
    return Kind(kind) in SYMMETRIC_KINDS


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


class Tie(NamedTuple):
    """One tie of the deal: a declared relationship or a ``reports_to`` shorthand.

    Examples:
        >>> t = Tie("ann", "bo", Kind.KNOWS, 0.5, None, None, None, True, 0)
        >>> t.other("bo"), t.symmetric
        ('ann', True)
    """

    from_: str
    """Id of the person the tie starts at (as written)."""
    to: str
    """Id of the person the tie ends at."""
    kind: Kind
    """knows, influences, reports_to or conflicts_with."""
    strength: float
    """0..1."""
    context: str | None
    """classmate, hometown, ..."""
    last_contact: date | None
    """When they last spoke."""
    notes: str | None
    """Free text."""
    declared: bool
    """False for a person's ``reports_to`` shorthand."""
    index: int | None  # type: ignore[assignment]  # shadows tuple.index, by contract
    """Its place in ``deal.relationships``, or None for the shorthand."""

    def other(self, person_id: str) -> str:
        """The other end of the tie, seen from ``person_id``."""
        return self.to if person_id == self.from_ else self.from_

    @property
    def symmetric(self) -> bool:
        """True when the tie holds both ways (``knows``, ``conflicts_with``)."""
        return self.kind in SYMMETRIC_KINDS


def _warmth_key(policy: Policy) -> tuple[object, ...]:
    """The policy values a tie's warmth depends on (graphs that share ties agree on them)."""
    return (
        tuple(sorted(policy.touch_weight.items())),
        tuple(sorted(policy.touch_half_life_days.items())),
        policy.one_way_weight,
        policy.tie_age_full_days,
    )


def _contact_key(tie: Tie) -> int:
    return tie.last_contact.toordinal() if tie.last_contact is not None else 0


def _by_other(person_id: str) -> Callable[[Tie], tuple[str, str]]:
    def key(tie: Tie) -> tuple[str, str]:
        return tie.other(person_id), tie.kind.value

    return key


#: From this many ties, the graph reads them as numpy columns (:meth:`DealGraph.columns`)
#: where a loop over every tie would be slow; below, one by one (numpy's fixed cost per
#: call, and its import, would outweigh a small deal's loop). The answers are the same.
COLUMNS_FROM = 2_000
#: Each kind's number in :attr:`TieColumns.kind`.
KIND_CODES: dict[Kind, int] = {
    Kind.KNOWS: 0,
    Kind.INFLUENCES: 1,
    Kind.REPORTS_TO: 2,
    Kind.CONFLICTS_WITH: 3,
}


class TieColumns(NamedTuple):
    """Every tie as numpy arrays, entry ``i`` for ``ties[i]`` (:meth:`DealGraph.columns`).

    People are numbered in file order; an end that is no person of the deal
    (only in a deal built without validation) is ``-1``.
    """

    a: Any
    """int64: the number of the person the tie starts at (``from_``)."""
    b: Any
    """int64: the number of the person it ends at (``to``)."""
    kind: Any
    """int8: the kind, as :data:`KIND_CODES` numbers it."""
    strength: Any
    """float64: the strength."""


class _Ties:
    """A deal's ties, shared by the graphs of every policy: see :attr:`DealGraph.ties`.

    The declared relationships come first, in file order, then the shorthands.
    ``Tie`` objects (and the arrays) are made only when asked for: an analysis of
    a million ties reads them as columns and makes a ``Tie`` for few of them.
    """

    __slots__ = (
        "_by_person",
        "_columns",
        "_isolated",
        "_person_order",
        "_tuple",
        "index",
        "numbers",
        "rels",
        "shorthands",
        "touch_columns",
        "touches",
        "warmth",
        "warmth_key",
    )

    def __init__(
        self,
        deal: Deal,
        numbers: tuple[Any, Any] | None = None,
        policy: Policy | None = None,
    ) -> None:
        #: The declared ties' ends' places, when validation found them (deal_graph).
        self.numbers = numbers
        #: The deal's touchpoints read once as columns, for warmth on any day (None: none).
        self.touch_columns = TouchColumns(deal.touchpoints) if deal.touchpoints else None
        #: The warmth of each declared tie with touchpoints, by its place (none: as written).
        self.warmth: dict[int, Warmth] = (
            warmth_of(
                deal.relationships,
                deal.touchpoints,
                deal.as_of(),
                deal.effective_policy(policy),
                columns=self.touch_columns,
            )
            if deal.touchpoints
            else {}
        )
        #: The policy values that warmth was computed with (None: no touchpoints).
        self.warmth_key = _warmth_key(deal.effective_policy(policy)) if deal.touchpoints else None
        #: The deal's touchpoints (the list itself, not the deal), for warmth on other days.
        self.touches: Sequence[Touchpoint] = deal.touchpoints
        self.rels = tuple(deal.relationships)
        self.index = {p.id: i for i, p in enumerate(deal.people)}
        bosses = [(p.id, p.reports_to) for p in deal.people if p.reports_to]
        if bosses:
            rels = self.rels
            written = list(map(Kind.REPORTS_TO.__eq__, map(attrgetter("kind"), rels)))
            declared = set(
                zip(
                    compress(map(attrgetter("from_"), rels), written),
                    compress(map(attrgetter("to"), rels), written),
                    strict=False,
                )
            )
            bosses = [pair for pair in bosses if pair not in declared]
        self.shorthands: list[tuple[str, str]] = bosses
        self._tuple: tuple[Tie, ...] | None = None
        self._columns: TieColumns | None = None
        self._by_person: dict[str, list[int]] | None = None
        self._isolated: list[str] | None = None
        self._person_order: tuple[list[int], Any] | None = None

    def __len__(self) -> int:
        return len(self.rels) + len(self.shorthands)

    def isolated(self, side: dict[str, Side]) -> list[str]:
        """The customers with no tie at all, in file order (made once)."""
        if self._isolated is None:
            customer = Side.CUSTOMER
            if len(self) >= COLUMNS_FROM:
                # The columns are made for the analysis anyway: a set of a million ends is not.
                import numpy as np

                cols = self.columns()
                tied = np.zeros(len(self.index) + 1, dtype=bool)  # the last: an unknown end
                tied[cols.a] = True
                tied[cols.b] = True
                alone = zip(side.items(), tied.tolist(), strict=False)
                self._isolated = [pid for (pid, s), t in alone if s is customer and not t]
            else:
                ends = set(self.froms())
                ends.update(self.tos())
                self._isolated = [
                    pid for pid, s in side.items() if s is customer and pid not in ends
                ]
        return self._isolated

    def froms(self) -> Iterator[str]:
        """Every tie's ``from_``, in order."""
        return chain(map(attrgetter("from_"), self.rels), map(itemgetter(0), self.shorthands))

    def tos(self) -> Iterator[str]:
        """Every tie's ``to``, in order."""
        return chain(map(attrgetter("to"), self.rels), map(itemgetter(1), self.shorthands))

    def all(self) -> tuple[Tie, ...]:
        if self._tuple is None:
            rels = self.rels
            n = len(rels)
            # tuple.__new__ at C speed, not Tie's Python-level __new__: 1.4x faster.
            ties = list(
                map(
                    tuple.__new__,
                    repeat(Tie),
                    zip(
                        map(attrgetter("from_"), rels),
                        map(attrgetter("to"), rels),
                        map(attrgetter("kind"), rels),
                        map(attrgetter("strength"), rels),
                        map(attrgetter("context"), rels),
                        map(attrgetter("last_contact"), rels),
                        map(attrgetter("notes"), rels),
                        repeat(True, n),
                        range(n),
                        strict=True,
                    ),
                )
            )
            for i, w in self.warmth.items():
                ties[i] = ties[i]._replace(strength=w.effective, last_contact=w.last_contact)
            ties.extend(self._shorthand(a, b) for a, b in self.shorthands)
            self._tuple = tuple(ties)
        return self._tuple

    @staticmethod
    def _shorthand(a: str, b: str) -> Tie:
        reports = Kind.REPORTS_TO
        return Tie(a, b, reports, DEFAULT_STRENGTH[reports], None, None, None, False, None)

    def tie(self, i: int) -> Tie:
        """The tie ``i``, made on its own unless every tie is made already."""
        if self._tuple is not None:
            return self._tuple[i]
        n = len(self.rels)
        if i >= n:
            return self._shorthand(*self.shorthands[i - n])
        r = self.rels[i]
        w = self.warmth.get(i) if self.warmth else None
        if w is not None:
            strength, contact = w.effective, w.last_contact
            return Tie(r.from_, r.to, r.kind, strength, r.context, contact, r.notes, True, i)
        return Tie(r.from_, r.to, r.kind, r.strength, r.context, r.last_contact, r.notes, True, i)

    def columns(self) -> TieColumns:
        if self._columns is None:
            import numpy as np

            rels, index = self.rels, self.index
            count = len(self)
            n = len(rels)

            def ends(found: Iterator[str], known: Any = None) -> Any:
                if known is not None:  # the declared ties' ends, as validation found them
                    out = np.empty(count, dtype=np.int64)
                    out[:n] = known
                    out[n:] = [index[x] for x in found]
                    return out
                names = list(found)
                try:  # every end a person of the deal: plain lookups, the fastest
                    return np.fromiter(map(index.__getitem__, names), np.int64, count)
                except KeyError:  # a deal built without validation
                    return np.fromiter(map(index.get, names, repeat(-1)), np.int64, count)

            kind = np.full(count, KIND_CODES[Kind.REPORTS_TO], dtype=np.int8)
            kind[:n] = np.fromiter(
                map(KIND_CODES.__getitem__, map(attrgetter("kind"), rels)), np.int8, n
            )
            strength = np.full(count, DEFAULT_STRENGTH[Kind.REPORTS_TO])
            strength[:n] = np.fromiter(map(attrgetter("strength"), rels), float, n)
            for i, w in self.warmth.items():
                strength[i] = w.effective
            numbers = self.numbers
            if numbers is None:
                a, b = ends(self.froms()), ends(self.tos())
            else:
                a = ends(map(itemgetter(0), self.shorthands), numbers[0])
                b = ends(map(itemgetter(1), self.shorthands), numbers[1])
            self._columns = TieColumns(a, b, kind, strength)
        return self._columns

    def of_person(self, person_id: str) -> list[int]:
        """The numbers of a person's ties, in order."""
        if len(self) < COLUMNS_FROM:
            if self._by_person is None:
                by: dict[str, list[int]] = {pid: [] for pid in self.index}
                for i, (x, y) in enumerate(zip(self.froms(), self.tos(), strict=True)):
                    by[x].append(i)
                    if y != x:
                        by[y].append(i)
                self._by_person = by
            return self._by_person[person_id]
        # A big deal: the ties sorted by person once (arrays), each person's read on demand.
        if self._person_order is None:
            import numpy as np

            cols = self.columns()
            numbers = np.arange(len(cols.a))
            other = cols.b != cols.a
            person = np.concatenate((cols.a, cols.b[other]))
            order = np.argsort(person, kind="stable")
            where = np.searchsorted(person[order], np.arange(len(self.index) + 1))
            self._person_order = (where.tolist(), np.concatenate((numbers, numbers[other]))[order])
        starts, ties = self._person_order
        i = self.index[person_id]
        found: list[int] = ties[starts[i] : starts[i + 1]].tolist()
        return sorted(found)


class DealGraph:
    """A deal's people and ties, with every rule about ties (see the module docs).

    Build it with :func:`deal_graph` (cached per deal and policy) or
    ``DealGraph(deal, policy)`` (always fresh). It is a snapshot: later changes
    to the deal do not reach it.

    Attributes:
        deal_id: The deal's id.
        policy: The effective policy (``coverage_strength``, ``stale_after_days``).
        as_of: The day ages are measured from.
        ties: Every tie (see the module docs for which, and in what order).
        side: Each person's side, by id, in file order.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({
        ...     "deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Ann", "side": "seller"}, {"name": "Bo"}],
        ...     "relationships": [{"from": "bo", "to": "ann", "strength": 0.3}],
        ... })
        >>> g = DealGraph(deal)
        >>> [t.from_ for t in g.our_ties("bo")], g.covering_ties("bo"), g.coverage_status("bo")
        (['bo'], [], 'uncovered')
        >>> len(g.ties_between("ann", "bo")), len(g.ties_of("ann"))
        (1, 1)
    """

    __slots__ = (
        "__weakref__",
        "_before",
        "_by_pair",
        "_covering",
        "_name",
        "_ours",
        "_people",
        "_status",
        "_ties",
        "_views",
        "as_of",
        "deal_id",
        "left",
        "policy",
        "side",
    )

    def __init__(
        self,
        deal: Deal,
        policy: Policy | None = None,
        *,
        _ties: _Ties | None = None,
        _views: dict[str, object] | None = None,
    ) -> None:
        # Not the deal itself: the cache must not keep a deal alive.
        self._people = tuple(deal.people)
        self._name = deal.deal.name
        self.deal_id: str = deal.id
        self.policy: Policy = deal.effective_policy(policy)
        self.as_of: date = deal.as_of()
        self.side: dict[str, Side] = {p.id: p.side for p in deal.people}
        #: The ids of the people who left their organisation: their ties count for nothing.
        self.left: frozenset[str] = frozenset(p.id for p in deal.people if p.has_left)
        self._ties = _ties if _ties is not None else _Ties(deal, policy=self.policy)
        self._by_pair: dict[tuple[str, str], list[Tie]] | None = None
        self._before: dict[int, Warmth] | None = None
        self._ours: dict[str, list[Tie]] | None = None
        self._covering: dict[str, list[Tie]] | None = None
        self._status: dict[str, CoverageStatus] | None = None
        # Structures other modules derive from the ties (the path index), shared by the
        # graphs of one deal under several policies.
        self._views: dict[str, object] = _views if _views is not None else {}

    def __repr__(self) -> str:
        return (
            f"<DealGraph of deal {self.deal_id!r}: {len(self.side)} people, {len(self._ties)} ties>"
        )

    @property
    def ties(self) -> tuple[Tie, ...]:
        """Every tie (see the module docs for which, and in what order)."""
        return self._ties.all()

    def tie(self, i: int) -> Tie:
        """The tie ``ties[i]`` (without making every other tie first)."""
        return self._ties.tie(i)

    def tie_count(self) -> int:
        """How many ties: ``len(ties)``, without making them."""
        return len(self._ties)

    def many_ties(self) -> bool:
        """True from :data:`COLUMNS_FROM` ties: then rules are applied to :meth:`columns`."""
        return len(self._ties) >= COLUMNS_FROM

    def columns(self) -> TieColumns:
        """The ties as numpy arrays (:class:`TieColumns`), made once per deal."""
        return self._ties.columns()

    def _check(self, person_id: str) -> None:
        if person_id not in self.side:
            raise UnknownPersonError(person_id, self.deal_id, list(self.side))

    # -- warmth --------------------------------------------------------------
    def has_touchpoints(self) -> bool:
        """True when the deal has touchpoints: then every tie's warmth is explained.

        Which ties they warm is :meth:`warmth`'s (:mod:`influence.warmth`).
        """
        return self._ties.warmth_key is not None

    def warmth(self, tie: Tie) -> Warmth:
        """What a tie's strength is made of: its touchpoints' :class:`~influence.warmth.Warmth`.

        A tie without touchpoints (or a ``reports_to`` shorthand) is as written: its
        stated strength and ``last_contact``, no evidence.

        Examples:
            >>> from influence.model import Deal
            >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
            ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Bo"}],
            ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.5}],
            ...     "touchpoints": [{"date": "2026-11-19", "kind": "call",
            ...                      "people": ["li", "bo"]}]})
            >>> g = DealGraph(deal)
            >>> g.ties[0].strength, g.warmth(g.ties[0]).stated
            (0.613, 0.5)
        """
        found = self._ties.warmth.get(tie.index) if tie.index is not None else None
        if found is not None:
            return found
        return Warmth(tie.strength, tie.strength, tie.last_contact, (), False, None, None)

    def explanation(self, tie: Tie) -> str | None:
        """A tie's warmth in one sentence (:func:`influence.warmth.explain`).

        None in a deal without touchpoints, where every strength is as written.
        """
        if not self.has_touchpoints():
            return None
        return explain(self.warmth(tie))

    def trend(self, tie: Tie) -> Trend | None:
        """How a tie's warmth moved over the policy's ``cooling_period_days``.

        The warmth on ``as_of`` against the warmth ``cooling_period_days`` before, and
        whether the tie is **cooling** (:func:`influence.warmth.trend`, the one rule).
        None for a tie without touchpoints up to ``as_of`` (its strength is as written,
        so it has no trend).

        Examples:
            >>> from influence.model import Deal
            >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
            ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Bo"}],
            ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.9}],
            ...     "touchpoints": [{"date": "2026-05-01", "kind": "meeting",
            ...                      "people": ["li", "bo"]}]})
            >>> g = DealGraph(deal)
            >>> t = g.trend(g.ties[0])
            >>> t.since, t.before, t.now, t.cooling
            (datetime.date(2026, 10, 21), 0.642, 0.597, False)
        """
        now = self._ties.warmth.get(tie.index) if tie.index is not None else None
        if now is None or tie.index is None:
            return None
        since = self.as_of - timedelta(days=self.policy.cooling_period_days)
        if self._before is None:
            self._before = warmth_of(
                self._ties.rels,
                self._ties.touches,
                since,
                self.policy,
                columns=self._ties.touch_columns,
            )
        r = self._ties.rels[tie.index]
        return trend(now, self._before.get(tie.index), r.strength, since, self.policy)

    # -- ties ----------------------------------------------------------------
    def ties_between(self, a: str, b: str) -> list[Tie]:
        """Every tie between two people, either direction, in :attr:`ties` order."""
        if self._by_pair is None:
            pairs: dict[tuple[str, str], list[Tie]] = {}
            for t in self.ties:
                x, y = t.from_, t.to
                pairs.setdefault((x, y) if x < y else (y, x), []).append(t)
            self._by_pair = pairs
        return list(self._by_pair.get((a, b) if a < b else (b, a), ()))

    def ties_of(self, person_id: str) -> list[Tie]:
        """Every tie with this person at either end, in :attr:`ties` order.

        Raises:
            UnknownPersonError: no such person.
        """
        self._check(person_id)
        tie = self._ties.tie
        return [tie(i) for i in self._ties.of_person(person_id)]

    def counts(self, tie: Tie) -> bool:
        """True unless a person at either end of the tie left (see "Who left" above).

        Examples:
            >>> from influence.model import Deal
            >>> g = DealGraph(Deal.model_validate({"deal": {"name": "x"}, "people": [
            ...     {"name": "A"}, {"name": "B", "status": "left"}],
            ...     "relationships": [{"from": "a", "to": "b"}]}))
            >>> g.left, g.counts(g.ties[0])
            (frozenset({'b'}), False)
        """
        left = self.left
        return not left or (tie.from_ not in left and tie.to not in left)

    def counting(self) -> Any:
        """Per tie of :meth:`columns`, whether it counts (numpy bool array): :meth:`counts`."""
        import numpy as np

        cols = self.columns()
        gone = np.zeros(len(self.side) + 1, dtype=bool)  # the last entry: an unknown end
        if self.left:
            index = {pid: i for i, pid in enumerate(self.side)}
            gone[[index[pid] for pid in self.left]] = True
        return ~(gone[cols.a] | gone[cols.b])

    # -- our tie -------------------------------------------------------------
    def _our(self) -> dict[str, list[Tie]]:
        if self._ours is None:
            side = self.side
            seller, customer = Side.SELLER, Side.CUSTOMER
            ours: dict[str, list[Tie]] = {pid: [] for pid, s in side.items() if s is customer}
            # A person who left is on no side here: their ties are nobody's (see counts).
            side = {pid: s for pid, s in side.items() if pid not in self.left}
            if self.many_ties():
                tie = self._ties.tie
                for i, cid in self._our_columns():
                    ours[cid].append(tie(i))
            else:
                for t in self.ties:
                    if t.kind not in OUR_TIE_KINDS:
                        continue
                    a, b = side.get(t.from_), side.get(t.to)
                    if a is seller and b is customer:
                        ours[t.to].append(t)
                    elif b is seller and a is customer:
                        ours[t.from_].append(t)
            for cid, found in ours.items():
                if len(found) > 1:
                    # warmest first, then the latest contact, then the seller's id and the kind
                    found.sort(key=_by_other(cid))
                    found.sort(key=_contact_key, reverse=True)
                    found.sort(key=attrgetter("strength"), reverse=True)
            self._ours = ours
        return self._ours

    def _our_columns(self) -> Iterator[tuple[int, str]]:
        """``(tie number, customer id)`` of our ties, in order: the rule above, as arrays."""
        import numpy as np

        cols = self.columns()
        ids = list(self.side)
        # Each person's side as a number; the extra last entry is for an unknown end (-1).
        # A person who left is on no side (2): their ties are nobody's (see counts).
        code = {Side.CUSTOMER: 0, Side.SELLER: 1}
        left = self.left
        found_sides = (2 if pid in left else code.get(s, 2) for pid, s in self.side.items())
        sides = np.fromiter(chain(found_sides, (2,)), np.int8, len(ids) + 1)
        ours = np.isin(cols.kind, [KIND_CODES[k] for k in OUR_TIE_KINDS])
        sa, sb = sides[cols.a], sides[cols.b]
        to_customer = ours & (sa == 1) & (sb == 0)
        from_customer = ours & (sb == 1) & (sa == 0)
        found = np.flatnonzero(to_customer | from_customer)
        customers = np.where(to_customer, cols.b, cols.a)[found]
        return zip(found.tolist(), map(ids.__getitem__, customers.tolist()), strict=True)

    def _customer(self, customer_id: str) -> None:
        self._check(customer_id)
        if self.side[customer_id] is not Side.CUSTOMER:
            raise ValueError(f"{customer_id!r} is not on the customer side of {self.deal_id!r}")

    def our_ties(self, customer_id: str) -> list[Tie]:
        """Our team's ties to a customer: ``knows`` or ``influences``, either way, any strength.

        Warmest first, then the latest contact, then the seller's id.

        Raises:
            UnknownPersonError: no such person.
            ValueError: the person is not on the customer side.
        """
        self._customer(customer_id)
        return list(self._our()[customer_id])

    def _cover(self) -> dict[str, list[Tie]]:
        if self._covering is None:
            threshold = self.policy.coverage_strength
            as_of, policy = self.as_of, self.policy
            out: dict[str, list[Tie]] = {}
            warmth = self._ties.warmth
            for cid, found in self._our().items():
                if warmth:
                    covering = [t for t in found if self._covers(t)]
                    covering.sort(key=self._is_stale)
                else:
                    covering = [t for t in found if t.strength >= threshold]
                    covering.sort(key=lambda t: is_stale(t.last_contact, as_of, policy))
                out[cid] = covering
            self._covering = out
        return self._covering

    def _covers(self, tie: Tie) -> bool:
        """At least ``coverage_strength`` warm now, or as stated (then it has cooled: stale)."""
        threshold = self.policy.coverage_strength
        if tie.strength >= threshold:
            return True
        w = self._ties.warmth.get(tie.index) if tie.index is not None else None
        return w is not None and w.stated >= threshold

    def _is_stale(self, tie: Tie) -> bool:
        """Stale: with touchpoints, cooled below ``coverage_strength``; else the days rule."""
        if tie.index is not None and tie.index in self._ties.warmth:
            return tie.strength < self.policy.coverage_strength
        return is_stale(tie.last_contact, self.as_of, self.policy)

    def covering_ties(self, customer_id: str) -> list[Tie]:
        """Our ties to a customer at least ``coverage_strength`` warm: fresh ones first.

        A tie with touchpoints covers when warm enough now or as stated (cooled: stale).

        Raises:
            UnknownPersonError: no such person.
            ValueError: the person is not on the customer side.
        """
        self._customer(customer_id)
        return list(self._cover()[customer_id])

    def warm_ties(self, customer_id: str) -> list[Tie]:
        """Our covering ties to a customer that are fresh: the ties that make them ``covered``.

        In :meth:`covering_ties` order (warmest first); empty when the customer is
        ``stale`` or ``uncovered``.

        Raises:
            UnknownPersonError: no such person.
            ValueError: the person is not on the customer side.

        Examples:
            >>> from influence.model import Deal
            >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
            ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Mo", "side": "seller"},
            ...                {"name": "Bo"}],
            ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.9},
            ...         {"from": "mo", "to": "bo", "strength": 0.9, "last_contact": "2026-01-05"}]})
            >>> [t.from_ for t in DealGraph(deal).warm_ties("bo")]
            ['li']
        """
        self._customer(customer_id)
        return [t for t in self._cover()[customer_id] if not self._is_stale(t)]

    def coverage(self) -> dict[str, CoverageStatus]:
        """Every customer's coverage status, keyed by id in file order."""
        if self._status is None:
            status: dict[str, CoverageStatus] = {}
            for cid, covering in self._cover().items():
                if not covering:
                    status[cid] = "uncovered"
                elif self._is_stale(covering[0]):
                    status[cid] = "stale"  # fresh ties sort first: none is fresh
                else:
                    status[cid] = "covered"
            self._status = status
        return dict(self._status)

    def coverage_status(self, customer_id: str) -> CoverageStatus:
        """``"covered"``, ``"stale"`` or ``"uncovered"`` (see the module docs).

        Raises:
            UnknownPersonError: no such person.
            ValueError: the person is not on the customer side.
        """
        self._customer(customer_id)
        self.coverage()
        assert self._status is not None
        return self._status[customer_id]

    def last_contact(self, customer_id: str) -> date | None:
        """Our last contact with a customer: the latest over covering ties, else over our ties.

        Raises:
            UnknownPersonError: no such person.
            ValueError: the person is not on the customer side.
        """
        self._customer(customer_id)
        for ties in (self._cover()[customer_id], self._our()[customer_id]):
            dates = [t.last_contact for t in ties if t.last_contact is not None]
            if dates:
                return max(dates)
        return None

    def isolated(self) -> list[str]:
        """The customers with no tie at all (of any kind, the shorthand included), file order.

        Examples:
            >>> from influence.model import Deal
            >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
            ...     {"name": "A", "reports_to": "b"}, {"name": "B"}, {"name": "C"}]})
            >>> DealGraph(deal).isolated()
            ['c']
        """
        return list(self._ties.isolated(self.side))

    def managers(self) -> dict[str, str]:
        """Each person's manager: their ``reports_to``, else their first declared such tie.

        Examples:
            >>> from influence.model import Deal
            >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
            ...     {"name": "A", "reports_to": "b"}, {"name": "B"}, {"name": "C"}],
            ...     "relationships": [{"from": "c", "to": "b", "kind": "reports_to"}]})
            >>> DealGraph(deal).managers()
            {'a': 'b', 'c': 'b'}
        """
        return dict(self.view("managers", self._managers))  # a copy: the caller's own

    def _managers(self) -> dict[str, str]:
        side = self.side
        boss = {p.id: p.reports_to for p in self._people if p.reports_to in side}
        reports = Kind.REPORTS_TO
        # The declared ties are the deal's relationships, in file order: read them as they
        # are, not as ``Tie`` objects (a million of those cost seconds to make).
        for r in self._ties.rels:
            if r.kind is reports and r.from_ not in boss and r.to in side:
                boss[r.from_] = r.to
        return {pid: b for pid, b in boss.items() if b is not None}

    # -- views ---------------------------------------------------------------
    def view(self, name: str, build: Callable[[], _V]) -> _V:
        """A structure derived from the ties (a path index...), built once per deal.

        It is kept with the ties, so every policy's graph of a deal shares it.

        Examples:
            >>> from influence.model import Deal
            >>> g = DealGraph(Deal.model_validate({"deal": {"name": "x"}}))
            >>> g.view("n", lambda: len(g.ties)), g.view("n", lambda: 99)
            (0, 0)
        """
        found = self._views.get(name)
        if found is None:
            found = self._views[name] = build()
        return found  # type: ignore[return-value]

    def to_networkx(self) -> nx.MultiDiGraph:
        """The networkx view (see the module docs), new on every call."""
        import networkx as nx

        g = nx.MultiDiGraph(deal_id=self.deal_id, name=self._name)
        for p in self._people:
            g.add_node(
                p.id,
                name=p.name,
                title=p.title,
                side=p.side.value,
                roles=tuple(r.value for r in p.roles),
                influence=p.influence,
                stance=p.stance.value,
                style=p.style.value if p.style else None,
                person=p,
            )
        # The shorthands first, then the declared ties in file order (the view's edge order).
        for t in _shorthand_first(self.ties):
            g.add_edge(
                t.from_,
                t.to,
                key=t.kind.value,
                kind=t.kind.value,
                strength=t.strength,
                context=t.context,
                last_contact=t.last_contact,
                notes=t.notes,
                declared=t.declared,
            )
        return g


def _shorthand_first(ties: Iterable[Tie]) -> list[Tie]:
    ties = list(ties)
    return [t for t in ties if not t.declared] + [t for t in ties if t.declared]


_CACHE_SIZE = 8
_Entry = tuple[
    "weakref.ref[Deal]", tuple[int, int, int, int, int, int], dict[tuple[object, ...], DealGraph]
]
_cache: OrderedDict[int, _Entry] = OrderedDict()


def _fingerprint(deal: Deal) -> tuple[int, int, int, int, int, int]:
    return (
        id(deal.people),
        len(deal.people),
        id(deal.relationships),
        len(deal.relationships),
        id(deal.touchpoints),
        len(deal.touchpoints),
    )


def deal_graph(deal: Deal, policy: Policy | None = None) -> DealGraph:
    """Return the :class:`DealGraph` of a deal and policy, built on first use and then reused.

    The last few deals' graphs are kept while the deals live, one per policy (the
    ties are shared by the policies that agree on the ties' warmth). A graph is
    reused only for the same deal object whose ``people``, ``relationships`` and
    ``touchpoints`` are the same lists of the same lengths;
    other in-place changes are not noticed (build ``DealGraph(deal)`` then).

    Args:
        deal: The deal.
        policy: Thresholds; default: the deal's policy over the defaults.

    Returns:
        The deal's graph.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [{"name": "A"}]})
        >>> deal_graph(deal) is deal_graph(deal)
        True
    """
    effective = deal.effective_policy(policy)
    wkey = _warmth_key(effective) if deal.touchpoints else None
    # The trend's period and share too: a graph of another cooling rule is another graph.
    pkey = (
        effective.coverage_strength,
        effective.stale_after_days,
        deal.as_of(),
        wkey,
        effective.cooling_period_days,
        effective.cooling_share,
    )
    key = id(deal)
    fingerprint = _fingerprint(deal)
    entry = _cache.get(key)
    if entry is not None and entry[0]() is deal and entry[1] == fingerprint:
        _cache.move_to_end(key)
        graphs = entry[2]
        found = graphs.get(pkey)
        if found is None:
            # The ties (and the views built on them) are shared by the graphs whose
            # policies agree on the ties' warmth; a deal without touchpoints: all of them.
            same = [g for g in graphs.values() if g._ties.warmth_key == wkey]
            if same:
                found = DealGraph(deal, effective, _ties=same[0]._ties, _views=same[0]._views)
            else:
                found = DealGraph(deal, effective, _ties=_Ties(deal, tie_numbers(deal), effective))
            graphs[pkey] = found
            while len(graphs) > _CACHE_SIZE:
                del graphs[next(iter(graphs))]
        return found
    # Validating a big deal found where each tie's ends stand: the ties' columns reuse it.
    graph = DealGraph(deal, effective, _ties=_Ties(deal, tie_numbers(deal), effective))

    def forget(ref: weakref.ref[Deal], key: int = key) -> None:
        current = _cache.get(key)
        if current is not None and current[0] is ref:
            del _cache[key]

    _cache[key] = (weakref.ref(deal, forget), fingerprint, {pkey: graph})
    _cache.move_to_end(key)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return graph


def to_networkx(deal: Deal) -> nx.MultiDiGraph:
    """Return the deal as a ``networkx.MultiDiGraph`` (see the module docs for attributes).

    The graph is new on every call: changing it never changes the deal.

    Args:
        deal: The deal.

    Returns:
        A multi-digraph keyed by relationship kind.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [{"name": "A"}]})
        >>> to_networkx(deal).nodes["a"]["stance"]
        'unknown'
    """
    return deal_graph(deal).to_networkx()
