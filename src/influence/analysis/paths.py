"""Introduction paths: the warmest ways from our team to a person we have not reached.

A path runs from a seller-side person to the target through ``knows``,
``influences`` and ``reports_to`` ties, each usable both ways (never
``conflicts_with``), and never through a person who left (the deal graph's
rule, :meth:`~influence.graph.DealGraph.counts`). Its warmth is the product of
its ties' strengths; between two people with several usable ties the warmest
counts.

In Python: :func:`introduction_paths`. In the CLI: ``influence paths DEAL TARGET``.

How it is computed, and what is cached:

* A :class:`PathIndex` holds a deal's people and usable ties (the deal graph's
  :attr:`~influence.graph.DealGraph.ties` of the kinds in
  :data:`~influence.graph.USABLE_KINDS`) as a weighted graph (a tie of
  strength ``s`` costs ``-log(s)``, so the warmest path is the cheapest).
  Building it reads every tie once; :func:`path_index` keeps it with the deal graph
  (:func:`~influence.graph.deal_graph`), which holds the
  indexes of the last few deals, keyed by the deal object itself and checked
  against its ``people`` and ``relationships`` lists (the same lists, of the same
  lengths), so a second question about the same deal costs only the search.
  A deal changed in place in another way (a stance or a strength reassigned)
  after its first question needs a fresh ``PathIndex(deal)``, which
  :func:`introduction_paths` accepts in place of the deal. The library itself
  never changes a deal in place: what-if works on copies.
* The search is exact. A label-setting search outward from the target finds,
  for every person near it and every number of hops left, the cheapest walk to
  the target (a lower bound that knows the hop limit); an A* search over simple
  paths from our team, guided by that bound, then meets it. Both stop as soon as
  nothing left can beat the k-th best path found, so the work stays near the
  target even in a deal of 100,000 people.
* Warmth is rounded to 12 significant digits before paths are compared, so two
  paths made of the same strengths in a different order tie exactly and the
  tie-breaks (fewer hops, then the ids along the path) decide.
* Many targets at once (:func:`introduction_paths_to`, which ``analyze`` uses):
  one pass from our whole team, hop by hop over every tie (numpy arrays, built
  once per index), gives every person's warmest path warmth within the hop
  limit. Targets it cannot reach get ``[]`` without a search of their own; only
  the first ``limit`` targets are searched in full, and the others are
  summarised by that warmth in a :class:`PathsSummary`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from heapq import heappop, heappush, heapreplace
from itertools import pairwise
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from influence._gc import gc_paused
from influence.errors import UnknownPersonError
from influence.graph import KIND_CODES, USABLE_KINDS, DealGraph, Tie, deal_graph
from influence.model import Deal, Kind, Policy, Side, Stance

__all__ = [
    "Hop",
    "IntroductionPath",
    "ManyPaths",
    "PathIndex",
    "PathsSummary",
    "introduction_paths",
    "introduction_paths_to",
    "path_index",
    "paths_message",
]


class Hop(BaseModel):
    """One step of a path: who introduces whom, and how they know each other."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True, frozen=True)

    from_: str = Field(alias="from", description="The person who makes the introduction.")
    to: str = Field(description="The person introduced to.")
    kind: str = Field(description="The tie used: knows, influences or reports_to.")
    forward: bool = Field(
        description=(
            "True when the tie is written from -> to (always, for a knows tie, which holds "
            "both ways); False when it is used backwards."
        )
    )
    strength: float = Field(description="The tie's strength, 0..1.")
    context: str | None = Field(default=None, description="classmate, hometown, ...")
    last_contact: date | None = Field(default=None, description="When they last spoke.")
    explanation: str | None = Field(
        default=None,
        description=(
            "The tie's strength in one sentence (influence.warmth.explain), in a deal with "
            "touchpoints; left out of the JSON in a deal without, where it is as written."
        ),
        exclude_if=lambda text: text is None,
    )


class IntroductionPath(BaseModel):
    """A chain of introductions from our team to a target, warmest first in any list."""

    model_config = ConfigDict(frozen=True)

    people: list[str] = Field(description="Person ids from the seller to the target.")
    warmth: float = Field(description="Product of the strengths of the ties, 0..1.")
    hops: int = Field(description="Number of ties (len(people) - 1).")
    through_blocker: bool = Field(description="True when an intermediary is a blocker.")
    blockers: list[str] = Field(default_factory=list, description="Blockers passed through.")
    steps: list[Hop] = Field(default_factory=list, description="Each hop, explained.")


# -- the index -----------------------------------------------------------------


#: Preference between equally warm parallel ties, for the hop's explanation.
_KIND_RANK = {Kind.KNOWS: 0, Kind.INFLUENCES: 1, Kind.REPORTS_TO: 2}
#: Paths whose costs (-log warmth) are this close may tie once warmth is rounded.
_MARGIN = 1e-9


class PathIndex:
    """A deal's people and usable ties, prepared once for many path questions.

    Build it with ``PathIndex(deal)`` (always fresh) or :func:`path_index`
    (cached); pass it to :func:`introduction_paths` in place of the deal. It is a
    snapshot: later changes to the deal do not reach it.

    Attributes:
        deal_id: The id of the deal it was built from.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({
        ...     "deal": {"name": "Tiny"},
        ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Chen"}],
        ...     "relationships": [{"from": "li", "to": "chen", "strength": 0.8}],
        ... })
        >>> index = PathIndex(deal)
        >>> len(index), index.deal_id
        (2, 'tiny')
        >>> [p.people for p in introduction_paths(index, "chen")]
        [['li', 'chen']]
    """

    __slots__ = (
        "__weakref__",
        "_adj",
        "_arrays",
        "_blockers",
        "_explain",
        "_ids",
        "_pairs",
        "_pos",
        "_sellers",
        "deal_id",
    )

    def __init__(self, deal: Deal, graph: DealGraph | None = None) -> None:
        # Building allocates a few objects per tie; pausing the cyclic garbage collector
        # keeps it from walking the whole deal again and again meanwhile (2-3x faster).
        with gc_paused():
            self._build(deal, graph if graph is not None else DealGraph(deal))

    def _build(self, deal: Deal, graph: DealGraph) -> None:
        import numpy as np

        people = deal.people
        ids = [p.id for p in people]
        pos = {pid: i for i, pid in enumerate(ids)}
        n = len(ids)
        # The deal graph's ties (the reports_to shorthands included) as columns.
        cols = graph.columns()
        a, b, strength = cols.a, cols.b, cols.strength
        usable = np.isin(cols.kind, [KIND_CODES[k] for k in USABLE_KINDS])
        usable &= (strength > 0) & (a >= 0) & (b >= 0)
        if graph.left:  # a person who left is never a hop: their ties do not count
            usable &= graph.counting()
        chosen = np.flatnonzero(usable)
        keys = (np.minimum(a, b) * n + np.maximum(a, b))[chosen]
        # The usable ties grouped by pair (keyed by a * n + b with a < b), in tie order
        # within a pair; one edge per pair, both ways, at the warmest of their strengths.
        order = np.argsort(keys, kind="stable")
        keys, grouped = keys[order], chosen[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        if not len(keys):
            starts = np.zeros(0, dtype=np.intp)
        pair_keys = keys[starts]
        best = np.maximum.reduceat(strength[grouped], starts) if len(starts) else np.zeros(0)
        log = math.log
        cost = np.array([-log(x) if x < 1 else 0.0 for x in best.tolist()], dtype=float)
        lo, hi = np.divmod(pair_keys, n)
        node = np.concatenate((lo, hi))
        other = np.concatenate((hi, lo))
        cost = np.concatenate((cost, cost))
        # Each person's neighbours, grouped by person; each group is sorted (cheapest
        # first, then by index) when a search first reaches that person.
        order = np.argsort(node, kind="stable")
        self._adj = _Adjacency(
            np.searchsorted(node[order], np.arange(n + 1)), cost[order], other[order]
        )
        self.deal_id: str = deal.id
        self._ids = ids
        self._pos = pos
        self._pairs = _Pairs(pair_keys, np.append(starts, len(grouped)), grouped, best, graph.tie)
        self._sellers = frozenset(i for i, p in enumerate(people) if p.side is Side.SELLER)
        self._blockers = frozenset(i for i, p in enumerate(people) if p.stance is Stance.BLOCKER)
        self._arrays: tuple[Any, Any, Any, Any] | None = None
        #: Each hop's tie, explained: only in a deal with touchpoints.
        self._explain = graph.explanation if graph.has_touchpoints() else None

    def _pair(self, a: int, b: int) -> list[Tie]:
        """The usable ties between two people, in tie order."""
        n = len(self._ids)
        return self._pairs.ties(a * n + b if a < b else b * n + a)

    def _best(self, a: int, b: int) -> float:
        """The warmest strength of the usable ties between two people."""
        n = len(self._ids)
        return self._pairs.best(a * n + b if a < b else b * n + a)

    def __len__(self) -> int:
        """The number of people."""
        return len(self._ids)

    def __repr__(self) -> str:
        return f"<PathIndex of deal {self.deal_id!r}: {len(self._ids)} people>"

    def _index_of(self, person_id: str) -> int:
        try:
            return self._pos[person_id]
        except KeyError:
            raise UnknownPersonError(person_id, self.deal_id, self._ids) from None


class _Adjacency:
    """Each person's usable ties as ``(cost, neighbour)`` lists, cheapest first.

    Held as flat arrays; a person's list is made the first time a search reaches
    them, so a question about a 100,000-person deal builds only the lists near it.
    """

    __slots__ = ("_cost", "_lists", "_other", "_starts")

    def __init__(self, starts: Any, cost: Any, other: Any) -> None:
        self._starts = starts.tolist()
        self._cost = cost
        self._other = other
        self._lists: dict[int, list[tuple[float, int]]] = {}

    def __getitem__(self, v: int) -> list[tuple[float, int]]:
        found = self._lists.get(v)
        if found is None:
            lo, hi = self._starts[v], self._starts[v + 1]
            found = sorted(
                zip(self._cost[lo:hi].tolist(), self._other[lo:hi].tolist(), strict=True)
            )
            self._lists[v] = found
        return found


class _Pairs:
    """The pairs with a usable tie, by key (``a * n + b``, ``a < b``), sorted.

    ``keys[j]`` is a pair, ``warmest[j]`` the strength of its warmest usable tie;
    its ties are the numbers ``ties[starts[j]:starts[j + 1]]``, in tie order.
    """

    __slots__ = ("_starts", "_tie", "_ties", "keys", "warmest")

    def __init__(
        self, keys: Any, starts: Any, ties: Any, warmest: Any, tie: Callable[[int], Tie]
    ) -> None:
        self.keys = keys
        self.warmest = warmest
        self._starts: list[int] = starts.tolist()
        self._ties = ties
        self._tie = tie

    def _at(self, key: int) -> int:
        import numpy as np

        j = int(np.searchsorted(self.keys, key))
        if j >= len(self.keys) or int(self.keys[j]) != key:
            raise KeyError(key)
        return j

    def ties(self, key: int) -> list[Tie]:
        """The usable ties of the pair, in tie order."""
        j = self._at(key)
        tie = self._tie
        return [tie(i) for i in self._ties[self._starts[j] : self._starts[j + 1]].tolist()]

    def best(self, key: int) -> float:
        """The strength of the pair's warmest usable tie."""
        return float(self.warmest[self._at(key)])


def path_index(deal: Deal, policy: Policy | None = None) -> PathIndex:
    """Return the :class:`PathIndex` of a deal, built on first use and then reused.

    The index is kept with the deal's graph (:func:`~influence.graph.deal_graph`),
    so it lives as long as that is cached: for the same deal object whose
    ``people`` and ``relationships`` are the same lists of the same lengths;
    other in-place changes are not noticed (build ``PathIndex(deal)`` then).

    Args:
        deal: The deal.
        policy: The team policy (the ties' warmth from touchpoints follows it); the
            deal's own ``policy:`` overrides it.

    Returns:
        The deal's index.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [{"name": "A"}]})
        >>> path_index(deal) is path_index(deal)
        True
    """
    graph = deal_graph(deal, policy)
    return graph.view("paths", lambda: PathIndex(deal, graph))


# -- the search ------------------------------------------------------------------


def _search(
    index: PathIndex,
    target: int,
    starts: frozenset[int],
    k: int,
    max_hops: int,
    excluded: frozenset[int],
) -> list[tuple[float, tuple[int, ...]]]:
    """Return ``(cost, path)`` for every path that may be among the k best (and a few more).

    Every simple path from a start to the target with at most ``max_hops`` ties,
    no start and no ``excluded`` person in between, whose cost is within
    ``_MARGIN`` of the k-th cheapest, is returned; nothing cheaper is missed.
    """
    adj = index._adj
    inf = math.inf
    limit = inf  # cost of the k-th cheapest path found so far, plus the margin
    kth: list[float] = []  # the k cheapest costs found, negated (a max-heap)
    found: list[tuple[float, tuple[int, ...]]] = []
    # Backward: Pareto labels (cost, hops) of walks from the target, in cost order.
    # labels[v] lists (hops, cost) with hops strictly falling as cost rises.
    labels: dict[int, list[tuple[int, float]]] = {}
    backward: list[tuple[float, int, int]] = [(0.0, 0, target)]
    # Forward: A* over simple paths from the starts; f = cost so far + bound to the target.
    forward: list[tuple[float, float, int, int, tuple[int, ...]]] = []
    seen_starts: set[int] = set()

    def bound(v: int, hops_left: int, radius: float) -> float:
        # Cheapest walk from v to the target within hops_left ties; walks not settled yet
        # cost at least the backward search's radius.
        for hops, cost in labels.get(v, ()):
            if hops <= hops_left:
                return cost
        return radius

    while backward or forward:
        fb = backward[0][0] if backward else inf
        ff = forward[0][0] if forward else inf
        if backward and fb <= ff:
            if fb > limit:
                break
            cost, hops, v = heappop(backward)
            if v in starts:
                if v not in seen_starts:
                    seen_starts.add(v)
                    heappush(forward, (cost, 0.0, 0, v, (v,)))
                continue
            own = labels.get(v)
            if own is None:
                labels[v] = [(hops, cost)]
            elif own[-1][0] <= hops:
                continue  # a cheaper walk with no more hops is already known
            else:
                own.append((hops, cost))
            nh = hops + 1
            for w, u in adj[v]:
                nc = cost + w
                if nc > limit:
                    break
                if u in starts:
                    if u not in seen_starts:
                        heappush(backward, (nc, nh, u))
                elif nh < max_hops and u != target and u not in excluded:
                    lab = labels.get(u)
                    if lab is None or lab[-1][0] > nh:
                        heappush(backward, (nc, nh, u))
            continue
        if ff > limit:
            break
        f, g, j, v, path = heappop(forward)
        if j:
            fresh = g + bound(v, max_hops - j, fb)
            if fresh > f:
                if fresh <= limit and fresh < inf:
                    heappush(forward, (fresh, g, j, v, path))
                continue
        nj = j + 1
        for w, u in adj[v]:
            ng = g + w
            if ng > limit:
                break
            if u == target:
                found.append((ng, (*path, target)))
                if len(kth) < k:
                    heappush(kth, -ng)
                    if len(kth) == k:
                        limit = _MARGIN - kth[0]
                elif ng < -kth[0]:
                    heapreplace(kth, -ng)
                    limit = _MARGIN - kth[0]
            elif nj < max_hops and u not in starts and u not in excluded and u not in path:
                nf = ng + bound(u, max_hops - nj, fb)
                if nf <= limit and nf < inf:
                    heappush(forward, (nf, ng, nj, u, (*path, u)))
    return [(c, p) for c, p in found if c <= limit]


def _rounded(warmth: float) -> float:
    """Warmth to 12 significant digits: the same strengths in any order give the same number."""
    return float(f"{warmth:.12g}")


def _warmth(index: PathIndex, nodes: tuple[int, ...]) -> float:
    """The product of the strengths along the path, multiplied in path order."""
    warmth = 1.0
    for a, b in pairwise(nodes):
        warmth *= index._best(a, b)
    return warmth


def _forward(tie: Tie, a: str) -> bool:
    """Whether a tie used from ``a`` is used as written; a ``knows`` holds both ways."""
    # The deal merges "A knows B" and "B knows A" keeping the first wording, so the
    # written direction of a knows tie would depend on the order of the file.
    return tie.symmetric or tie.from_ == a


def _hop(
    a: str, b: str, ties: Sequence[Tie], explain: Callable[[Tie], str | None] | None = None
) -> Hop:
    """The hop a -> b over the warmest of the ties between them (written a -> b first)."""
    tie = min(
        ties,
        key=lambda t: (
            -t.strength,
            not _forward(t, a),
            _KIND_RANK[t.kind],
            not t.declared,
        ),
    )
    return Hop(
        from_=a,
        to=b,
        kind=tie.kind.value,
        forward=_forward(tie, a),
        strength=tie.strength,
        context=tie.context,
        last_contact=tie.last_contact,
        explanation=explain(tie) if explain is not None else None,
    )


def _path(index: PathIndex, nodes: tuple[int, ...], blockers: frozenset[int]) -> IntroductionPath:
    ids = index._ids
    steps: list[Hop] = []
    warmth = 1.0
    for a, b in pairwise(nodes):
        hop = _hop(ids[a], ids[b], index._pair(a, b), index._explain)
        warmth *= hop.strength
        steps.append(hop)
    passed = [ids[v] for v in nodes[1:-1] if v in blockers]
    return IntroductionPath(
        people=[ids[v] for v in nodes],
        warmth=_rounded(warmth),
        hops=len(nodes) - 1,
        through_blocker=bool(passed),
        blockers=passed,
        steps=steps,
    )


def introduction_paths(
    deal: Deal | PathIndex,
    target: str,
    *,
    k: int = 3,
    max_hops: int = 4,
    avoid_blockers: bool = True,
    sources: Iterable[str] | None = None,
    policy: Policy | None = None,
) -> list[IntroductionPath]:
    """Return the k warmest introduction paths from our team to ``target``, best first.

    Best means warmest (the product of the ties' strengths), then fewer hops,
    then the ids along the path compared in order. A path never repeats a
    person, uses at most ``max_hops`` ties (``knows``, ``influences`` or
    ``reports_to``, either way round; never ``conflicts_with``; strength 0 ties
    are unusable), and starts at its only seller: a path through a second seller
    would be beaten by the one starting there. With ``sources``, paths start at
    one of them instead, and no other source is passed through (other sellers
    may be).

    Args:
        deal: The deal, or its :class:`PathIndex` (see :func:`path_index`) to skip
            re-reading a large deal on every question.
        target: Id of the person to reach.
        k: How many paths at most.
        max_hops: The longest path, in ties.
        avoid_blockers: No intermediary may be a blocker. When no such path exists
            within ``max_hops``, the best paths through a blocker are returned
            instead, each with ``through_blocker`` set and its ``blockers`` listed.
            When False, the plainly warmest paths, labelled the same way.
        sources: Ids of the people to start from (a single id may be given as a
            string); default: every seller-side person.
        policy: The team policy the ties' warmth from touchpoints follows (the
            deal's own ``policy:`` overrides it); not read when ``deal`` is an index.

    Returns:
        Up to ``k`` paths, best first; ``[]`` when no path exists within
        ``max_hops``, when the target is on our side, or when no source is left.

    Raises:
        UnknownPersonError: ``target`` or a source is not in the deal (with the
            closest id as a suggestion).
        ValueError: ``k`` or ``max_hops`` is below 1.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({
        ...     "deal": {"name": "Tiny"},
        ...     "people": [
        ...         {"name": "Li", "side": "seller"},
        ...         {"name": "Liu"},
        ...         {"name": "Bo", "stance": "blocker"},
        ...         {"name": "Chen"},
        ...     ],
        ...     "relationships": [
        ...         {"from": "li", "to": "liu", "strength": 0.9},
        ...         {"from": "liu", "to": "chen", "kind": "influences", "strength": 0.6},
        ...         {"from": "li", "to": "bo", "strength": 0.9},
        ...         {"from": "bo", "to": "chen", "strength": 0.9},
        ...     ],
        ... })
        >>> best = introduction_paths(deal, "chen")
        >>> [(p.people, p.warmth, p.hops) for p in best]
        [(['li', 'liu', 'chen'], 0.54, 2)]
        >>> best[0].steps[1].kind, best[0].steps[1].forward
        ('influences', True)
        >>> [(p.people, p.blockers) for p in introduction_paths(deal, "chen", avoid_blockers=False)]
        [(['li', 'bo', 'chen'], ['bo']), (['li', 'liu', 'chen'], [])]
        >>> introduction_paths(deal, "chen", max_hops=1)
        []
    """
    _check_options(k, max_hops)
    index = deal if isinstance(deal, PathIndex) else path_index(deal, policy)
    t = index._index_of(target)
    starts = index._sellers
    if isinstance(sources, str):
        sources = [sources]  # one id, not its letters
    if sources is not None:
        starts = frozenset(index._index_of(s) for s in sources)
    if t in index._sellers:
        return []
    return _answer(index, t, starts - {t}, k, max_hops, avoid_blockers)


def _check_options(k: int, max_hops: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    if max_hops < 1:
        raise ValueError(f"max_hops must be at least 1, not {max_hops}")


def _answer(
    index: PathIndex,
    t: int,
    starts: frozenset[int],
    k: int,
    max_hops: int,
    avoid_blockers: bool,
    *,
    free: bool = True,
) -> list[IntroductionPath]:
    """The answer of :func:`introduction_paths`; ``free=False``: no blocker-free path exists."""
    if not starts:
        return []
    found: list[tuple[float, tuple[int, ...]]] = []
    if free:
        found = _search(
            index, t, starts, k, max_hops, index._blockers if avoid_blockers else frozenset()
        )
    if not found and avoid_blockers:
        found = _search(index, t, starts, k, max_hops, frozenset())
    ids = index._ids
    ranked = sorted(
        (-_rounded(_warmth(index, nodes)), len(nodes), [ids[v] for v in nodes], nodes)
        for _, nodes in found
    )
    return [_path(index, nodes, index._blockers) for *_, nodes in ranked[:k]]


# -- many targets at once ---------------------------------------------------------


class PathsSummary(BaseModel):
    """What :func:`introduction_paths_to` did not search in full, summarised.

    Examples:
        >>> PathsSummary(targets=4210, shown=25, reachable=3, warmth={}).message()
        'paths shown for the 25 most influential of 4,210 uncovered decision-makers'
    """

    model_config = ConfigDict(frozen=True)

    targets: int = Field(description="How many targets were asked about.")
    shown: int = Field(description="How many were searched in full (the first, by priority).")
    reachable: int = Field(description="How many of the others have a path within the hop limit.")
    warmth: dict[str, float | None] = Field(
        description=(
            "Each target not searched in full: the warmth of its best path (what "
            "introduction_paths would list first), or None when it has none."
        )
    )

    def message(self, what: str = "uncovered decision-makers") -> str:
        """One line for the reports: how many targets got their paths."""
        return f"paths shown for the {self.shown:,} most influential of {self.targets:,} {what}"


class ManyPaths(NamedTuple):
    """The answer of :func:`introduction_paths_to`."""

    paths: dict[str, list[IntroductionPath]]
    """The paths of each target searched in full, in the order given."""
    summary: PathsSummary | None
    """The others, or None when every target was searched in full."""


def introduction_paths_to(
    deal: Deal | PathIndex,
    targets: Sequence[str],
    *,
    k: int = 3,
    max_hops: int = 4,
    avoid_blockers: bool = True,
    limit: int | None = None,
    policy: Policy | None = None,
) -> ManyPaths:
    """Return the introduction paths from our team to many targets, in one pass.

    Each target's paths are exactly what :func:`introduction_paths` returns for it
    (same options, every seller-side person a start). One pass over every tie
    first finds who can be reached at all and how warmly; unreachable targets
    cost nothing more, and only the first ``limit`` targets are searched in full:
    the others are summarised by the warmth of their best path.

    Args:
        deal: The deal, or its :class:`PathIndex`.
        targets: Ids of the people to reach, most important first (repeats are ignored).
        k: How many paths at most per target.
        max_hops: The longest path, in ties.
        avoid_blockers: As for :func:`introduction_paths`.
        limit: Search at most this many targets in full; default: all.
        policy: As for :func:`introduction_paths`.

    Returns:
        ``ManyPaths(paths, summary)``: ``paths`` holds the first ``limit``
        targets; ``summary`` the rest (None when there is no rest).

    Raises:
        UnknownPersonError: a target is not in the deal.
        ValueError: ``k``, ``max_hops`` or ``limit`` is below 1 (``limit`` may be 0).

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({
        ...     "deal": {"name": "Tiny"},
        ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Liu"}, {"name": "Chen"},
        ...                {"name": "Bo"}],
        ...     "relationships": [{"from": "li", "to": "liu", "strength": 0.8},
        ...                       {"from": "liu", "to": "chen", "strength": 0.5}],
        ... })
        >>> many = introduction_paths_to(deal, ["chen", "liu", "bo"], limit=1)
        >>> {t: [p.people for p in ps] for t, ps in many.paths.items()}
        {'chen': [['li', 'liu', 'chen']]}
        >>> many.summary.warmth
        {'liu': 0.8, 'bo': None}
    """
    _check_options(k, max_hops)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must not be negative, not {limit}")
    index = deal if isinstance(deal, PathIndex) else path_index(deal, policy)
    order = list(dict.fromkeys(index._index_of(t) for t in targets))
    starts = index._sellers
    excluded = index._blockers if avoid_blockers else frozenset()
    warm, reach = _best_warmth(index, starts, max_hops, excluded)
    any_warm = any_reach = None
    if avoid_blockers and excluded:
        any_warm, any_reach = _best_warmth(index, starts, max_hops, frozenset())
    ids = index._ids
    shown = order if limit is None else order[:limit]
    paths: dict[str, list[IntroductionPath]] = {}
    for t in shown:
        if t in starts or not (reach[t] or (any_reach is not None and any_reach[t])):
            paths[ids[t]] = []
        else:
            paths[ids[t]] = _answer(
                index, t, starts, k, max_hops, avoid_blockers, free=bool(reach[t])
            )
    rest = order[len(shown) :]
    if not rest:
        return ManyPaths(paths, None)
    warmth: dict[str, float | None] = {}
    for t in rest:
        best: float | None = None
        if t not in starts:
            if reach[t]:
                best = _rounded(float(warm[t]))
            elif any_reach is not None and any_warm is not None and any_reach[t]:
                best = _rounded(float(any_warm[t]))
        warmth[ids[t]] = best
    summary = PathsSummary(
        targets=len(order),
        shown=len(shown),
        reachable=sum(w is not None for w in warmth.values()),
        warmth=warmth,
    )
    return ManyPaths(paths, summary)


def _edge_arrays(index: PathIndex) -> tuple[Any, Any, Any, Any]:
    """Every usable tie both ways as numpy arrays grouped by the person reached (cached).

    Returns ``(source, strength, reached, group_starts)``: the ties sorted by the
    person they reach; ``reached`` holds each such person once, and
    ``group_starts`` where their ties begin.
    """
    if index._arrays is not None:
        return index._arrays
    import numpy as np

    n = len(index._ids)
    keys, strength = index._pairs.keys, index._pairs.warmest
    a, b = np.divmod(keys, n)
    src = np.concatenate((a, b))
    dst = np.concatenate((b, a))
    weight = np.concatenate((strength, strength))
    order = np.argsort(dst, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    if len(dst):
        group_starts = np.flatnonzero(np.concatenate(([True], dst[1:] != dst[:-1])))
    else:
        group_starts = np.zeros(0, dtype=np.intp)
    index._arrays = (src, weight, dst[group_starts], group_starts)
    return index._arrays


def _best_warmth(
    index: PathIndex, starts: frozenset[int], max_hops: int, excluded: frozenset[int]
) -> tuple[Any, Any]:
    """Every person's best path warmth from ``starts`` within ``max_hops``, and who is reached.

    Hop by hop, the warmest walk to each person with no start and no ``excluded``
    person in between. Removing a loop from a walk never makes it colder (every
    strength is at most 1; rounding is monotone), nor longer, so the warmest walk
    is as warm as the warmest simple path, and its warmth is the same float: the
    strengths multiplied in path order, as :func:`introduction_paths` does.
    """
    import numpy as np

    src, weight, reached, group_starts = _edge_arrays(index)
    n = len(index._ids)
    first = np.fromiter(starts, dtype=np.intp, count=len(starts))
    relay = np.ones(n, dtype=bool)
    relay[first] = False
    if excluded:
        relay[np.fromiter(excluded, dtype=np.intp, count=len(excluded))] = False
    best = np.zeros(n)
    hit = np.zeros(n, dtype=bool)
    if not len(src) or not len(first):
        return best, hit
    out = np.zeros(n)
    out[first] = 1.0
    out_hit = np.zeros(n, dtype=bool)
    out_hit[first] = True
    for _ in range(max_hops):
        layer = np.zeros(n)
        layer[reached] = np.maximum.reduceat(out[src] * weight, group_starts)
        np.maximum(best, layer, out=best)
        layer_hit = np.zeros(n, dtype=bool)
        layer_hit[reached] = np.logical_or.reduceat(out_hit[src], group_starts)
        hit |= layer_hit
        out = np.where(relay, best, 0.0)
        out[first] = 1.0
        out_hit = hit & relay
        out_hit[first] = True
    hit[first] = False
    return best, hit


def paths_message(
    paths: list[IntroductionPath], target: str, max_hops: int, *, avoid_blockers: bool = True
) -> str | None:
    """Return why an answer of :func:`introduction_paths` is empty or passes a blocker.

    Args:
        paths: The answer.
        target: Id of the person asked about.
        max_hops: The hop limit the answer was computed with.
        avoid_blockers: Whether it was computed avoiding blockers. Without, paths
            through a blocker are an ordinary answer and get no message.

    Returns:
        One sentence for stderr, or None when the answer needs no explanation.

    Examples:
        >>> paths_message([], "chen", 4)
        'no path to chen within 4 hops'
        >>> blocked = IntroductionPath(people=["li", "bo", "chen"], warmth=0.5, hops=2,
        ...                            through_blocker=True, blockers=["bo"])
        >>> paths_message([blocked], "chen", 4)
        'no blocker-free path to chen within 4 hops; showing the best paths through a blocker'
        >>> paths_message([blocked], "chen", 4, avoid_blockers=False) is None
        True
    """
    within = f"within {max_hops} hop{'s' * (max_hops != 1)}"
    if not paths:
        return f"no path to {target} {within}"
    if avoid_blockers and all(p.through_blocker for p in paths):
        return (
            f"no blocker-free path to {target} {within}; showing the best paths through a blocker"
        )
    return None


class PathOptions(NamedTuple):
    """The effective options of one paths question (the CLI's and the API's)."""

    k: int
    max_hops: int
    avoid_blockers: bool


def path_options(
    policy: Policy,
    *,
    k: int | None = None,
    max_hops: int | None = None,
    allow_blockers: bool = False,
) -> PathOptions:
    """Return the options a paths question runs with: the given ones, else the policy's.

    Args:
        policy: The deal's effective policy (``deal.effective_policy(team)``).
        k: Paths per target asked for, or None for the policy's.
        max_hops: Longest path asked for, or None for the policy's.
        allow_blockers: Let paths pass blockers whatever the policy says.

    Examples:
        >>> from influence.model import Policy
        >>> path_options(Policy(), max_hops=2, allow_blockers=True).avoid_blockers
        False
    """
    return PathOptions(
        k=k or policy.paths_per_target,
        max_hops=max_hops or policy.max_hops,
        avoid_blockers=False if allow_blockers else policy.avoid_blockers,
    )
