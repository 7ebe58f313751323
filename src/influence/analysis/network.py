"""Network influence: stated influence as the prior, the ties as evidence.

A personalised PageRank over the customers: each person's stated influence is
their prior, and influence flows to whoever sways, manages or is tied to
influential people. ``A influences B`` moves B's weight to A; ``A reports_to
M`` moves A's weight to M; ``knows`` moves weight both ways; each in proportion
to the tie's strength. ``conflicts_with`` carries none. With equal stated
influence, the person at the centre of the most ties ranks first.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from itertools import chain, compress
from operator import itemgetter
from typing import Any

from influence.analysis.models import InfluenceScore, checked
from influence.graph import COLUMNS_FROM, KIND_CODES, Tie, deal_graph
from influence.model import Deal, Kind, Policy, Side

__all__ = ["hidden_influencers", "network_influence"]

#: Fewer customers than this and "top three" means nothing: no hidden influencers.
MIN_CUSTOMERS_FOR_HIDDEN = 5
#: From this many flows, PageRank's sparse matrix is scipy's: its product, in C, pays
#: for its import (~0.2 s) many times over; below, numpy's arrays, the same floats.
SCIPY_PAGERANK_FROM = 200_000
#: Up to this many customers, PageRank runs on a dense matrix (see :func:`_pagerank_dense`).
DENSE_PAGERANK_MAX = 400


def network_influence(deal: Deal, policy: Policy | None = None) -> list[InfluenceScore]:
    """Return every customer's network influence (scores sum to 1), best rank first.

    Args:
        deal: The deal.
        policy: The team policy; only the ties' warmth from touchpoints reads it (the
            deal's own ``policy:`` overrides it).

    Returns:
        One :class:`InfluenceScore` per customer, sorted by rank; ties in score are
        ranked by id so the order is stable.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"},
        ...     "people": [{"name": n} for n in "ABCD"],
        ...     "relationships": [{"from": "a", "to": x} for x in "bcd"]})
        >>> [(s.id, s.rank) for s in network_influence(deal)][:2]
        [('a', 1), ('b', 2)]
    """
    customers = [p for p in deal.people if p.side is Side.CUSTOMER]
    if not customers:
        return []
    # Customers are numbered in id order, PageRank's node order.
    nodes = sorted(p.id for p in customers)
    pos = {pid: i for i, pid in enumerate(nodes)}
    rows, cols, data = _flows(deal, pos, policy)
    prior = [0.0] * len(nodes)
    for p in customers:
        prior[pos[p.id]] = p.influence + 0.01
    total = sum(p.influence + 0.01 for p in customers)
    personalization = [v / total for v in prior]
    values = (
        _pagerank_arrays(len(nodes), rows, cols, data, personalization)
        if len(data)
        else personalization
    )
    scores = dict(zip(nodes, values, strict=True))
    order = sorted(nodes, key=lambda i: (-round(scores[i], 9), i))
    return [
        checked(InfluenceScore, id=pid, score=round(scores[pid], 4), rank=n)
        for n, pid in enumerate(order, start=1)
    ]


def _flows(deal: Deal, pos: dict[str, int], policy: Policy | None = None) -> tuple[Any, Any, Any]:
    """The weight each customer sends each other customer, as ``(rows, cols, weights)`` arrays.

    The ties are the deal graph's (:attr:`~influence.graph.DealGraph.ties`: the
    declared ones, then the ``reports_to`` shorthands). Flows of parallel ties add
    up in that order, and pairs come in the order they first appear, exactly as
    adding them one by one to a dict would: the same floats whatever the deal's
    size. Computed with numpy, a handful of passes at C speed.
    """
    import numpy as np

    graph = deal_graph(deal, policy)
    if graph.tie_count() < _NUMPY_FLOWS_FROM:
        return _flows_one_by_one(graph.ties, pos)
    cols = graph.columns()
    count = len(cols.kind)
    # Each person's customer number (or -1), by file order; the extra entry is for -1.
    customer = np.full(len(deal.people) + 1, -1, dtype=np.int64)
    for i, p in enumerate(deal.people):
        if p.id in pos:
            customer[i] = pos[p.id]
    a, b = customer[cols.a], customer[cols.b]
    knows, influences, conflicts = (
        KIND_CODES[k] for k in (Kind.KNOWS, Kind.INFLUENCES, Kind.CONFLICTS_WITH)
    )
    kind, strength = cols.kind, cols.strength
    usable = (a >= 0) & (b >= 0) & (strength > 0) & (kind != conflicts)
    # Each tie makes up to two flows, in this order: a symmetric tie (knows) a->b then
    # b->a, influences b->a (B's weight moves to A), reports_to a->b; conflicts none.
    src = np.empty(2 * count, dtype=np.int64)
    dst = np.empty(2 * count, dtype=np.int64)
    src[0::2] = np.where(kind == influences, b, a)
    dst[0::2] = np.where(kind == influences, a, b)
    src[1::2], dst[1::2] = b, a
    keep = np.empty(2 * count, dtype=bool)
    keep[0::2] = usable
    keep[1::2] = usable & (kind == knows)
    weight = np.repeat(strength, 2)[keep]
    n = len(pos)
    keys = src[keep] * n + dst[keep]
    pairs, first, which = np.unique(keys, return_index=True, return_inverse=True)
    # Element by element, in order (as np.add.at, ten times faster): the same floats.
    sums = np.bincount(which.ravel(), weights=weight, minlength=len(pairs)).astype(float)
    order = np.argsort(first, kind="stable")
    pairs = pairs[order]
    return pairs // n, pairs % n, sums[order]


#: From this many ties, :func:`_flows` adds them up with numpy; below, one by one
#: (numpy's fixed cost per call would outweigh a small deal's loop).
_NUMPY_FLOWS_FROM = COLUMNS_FROM


def _flows_one_by_one(ties: tuple[Tie, ...], pos: dict[str, int]) -> tuple[Any, Any, Any]:
    """:func:`_flows` for a small deal: the ties added to a dict one at a time, in order."""
    import numpy as np

    influences, reports, conflicts = Kind.INFLUENCES, Kind.REPORTS_TO, Kind.CONFLICTS_WITH
    weights: dict[tuple[int, int], float] = {}
    get = weights.get
    for tie in ties:
        i, j = pos.get(tie.from_), pos.get(tie.to)
        strength, kind = tie.strength, tie.kind
        if i is None or j is None or strength <= 0 or kind is conflicts:
            continue
        if kind is influences:
            weights[j, i] = get((j, i), 0.0) + strength
        elif kind is reports:
            weights[i, j] = get((i, j), 0.0) + strength
        else:
            weights[i, j] = get((i, j), 0.0) + strength
            if tie.symmetric:
                weights[j, i] = get((j, i), 0.0) + strength
    count = len(weights)
    rows = np.fromiter(map(itemgetter(0), weights), dtype=np.int64, count=count)
    cols = np.fromiter(map(itemgetter(1), weights), dtype=np.int64, count=count)
    return rows, cols, np.fromiter(weights.values(), dtype=float, count=count)


def _pagerank(
    nodes: list[str], weights: dict[tuple[str, str], float], personalization: dict[str, float]
) -> dict[str, float]:
    """:func:`_pagerank_arrays` on named nodes and a dict of weights (in its order)."""
    import numpy as np

    index = {v: i for i, v in enumerate(nodes)}
    rows = np.array([index[a] for a, _ in weights], dtype=np.intp)
    cols = np.array([index[b] for _, b in weights], dtype=np.intp)
    data = np.array(list(weights.values()), dtype=float)
    scores = _pagerank_arrays(
        len(nodes), rows, cols, data, [personalization.get(v, 0.0) for v in nodes]
    )
    return dict(zip(nodes, scores, strict=True))


def _pagerank_arrays(
    n: int, rows: Any, cols: Any, data: Any, personalization: list[float]
) -> list[float]:
    """``networkx.pagerank`` (alpha 0.85, tol 1e-10) with the same arithmetic, on our own matrix.

    Nodes are ``0..n-1``; the weight ``data[k]`` flows from ``rows[k]`` to ``cols[k]``.
    Building a networkx graph only to have networkx turn it into a matrix costs
    more than the iterations: ~2 ms instead of ~0.3 ms for a deal's few dozen
    customers (a dense matrix), 0.55 s instead of 0.1 s for 4,400 customers
    (sparse, above :data:`DENSE_PAGERANK_MAX`: numpy arrays in CSR order). The steps are
    networkx's ``_pagerank_scipy`` one for one (row-normalised weights,
    personalised teleport, dangling nodes sent along the personalisation, L1
    convergence test), so the scores agree with it to ~1e-16, far below the 4
    decimals reported (a test compares them).
    """
    import numpy as np

    alpha, tol, max_iter = 0.85, 1e-10, 500
    step: Callable[[Any], Any]
    if n <= DENSE_PAGERANK_MAX:
        a = np.zeros((n, n))
        a[rows, cols] = data
        out = a.sum(axis=1)
        scale = _invert(out)
        a *= scale[:, None]
        step = a.__rmatmul__  # x @ a
    elif len(data) > SCIPY_PAGERANK_FROM:
        import scipy.sparse  # type: ignore[import-untyped]

        matrix = scipy.sparse.csr_array((data, (rows, cols)), shape=(n, n))
        out = np.asarray(matrix.sum(axis=1)).ravel()
        scale = _invert(out)
        matrix = scipy.sparse.csr_array(matrix.multiply(scale[:, None]))
        step = matrix.__rmatmul__  # x @ matrix
    else:
        # The sparse matrix in numpy alone (importing scipy.sparse costs ~0.2 s): the
        # entries in row-major order, as a scipy CSR matrix keeps them, so every sum
        # adds the same floats in the same order as scipy's (row sums by reduceat;
        # x @ a adds each column's entries row by row, as bincount does).
        order = np.lexsort((cols, rows))
        rows, cols, data = rows[order], cols[order], data[order]
        starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        out = np.zeros(n)
        out[rows[starts]] = np.add.reduceat(data, starts)
        scale = _invert(out)
        weights = data * scale[rows]

        def step(x: Any) -> Any:
            return np.bincount(cols, weights=weights * x[rows], minlength=n)

    p = np.array(personalization, dtype=float)
    p /= p.sum()
    dangling = np.where(out == 0)[0]
    x = np.repeat(1.0 / n, n)
    for _ in range(max_iter):
        last = x
        x = alpha * (step(x) + sum(x[dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return [float(s) for s in x]
    raise ArithmeticError(f"PageRank did not converge in {max_iter} iterations")  # pragma: no cover


def _invert(out: Any) -> Any:
    """1/x where x is not 0, else 0 (rows with no outgoing weight stay empty)."""
    scale = out.copy()
    scale[out != 0] = 1.0 / out[out != 0]
    return scale


def hidden_influencers(deal: Deal, scores: list[InfluenceScore] | None = None) -> list[str]:
    """Return customers in the network-influence top three whose stated influence is low.

    "Low" means at or below the median of the customers' stated influence. Only
    people with at least one tie to another customer count (without ties the
    network adds no evidence to the stated influence), and a deal with fewer than
    five customers has none (everyone would be in the top three).

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"},
        ...     "people": [{"name": "Hub", "influence": 0.2}]
        ...         + [{"name": n, "influence": v} for n, v in zip("ABCDE", (.5, .6, .7, .8, .9))],
        ...     "relationships": [{"from": "hub", "to": x} for x in "abcde"]})
        >>> hidden_influencers(deal)
        ['hub']
    """
    customers = [p for p in deal.people if p.side is Side.CUSTOMER]
    if len(customers) < MIN_CUSTOMERS_FOR_HIDDEN:
        return []
    scores = scores if scores is not None else network_influence(deal)
    median = statistics.median(p.influence for p in customers)
    stated = {p.id: p.influence for p in customers}
    # The ties between two customers other than conflicts, as arrays.
    import numpy as np

    cols = deal_graph(deal).columns()
    customer = np.fromiter(
        chain((p.side is Side.CUSTOMER for p in deal.people), (False,)), bool, len(deal.people) + 1
    )
    between = customer[cols.a] & customer[cols.b] & (cols.kind != KIND_CODES[Kind.CONFLICTS_WITH])
    ids = [p.id for p in deal.people]
    tied_at = np.zeros(len(ids) + 1, dtype=bool)  # the last entry: an unknown end
    tied_at[cols.a[between]] = True
    tied_at[cols.b[between]] = True
    tied = set(compress(ids, tied_at[:-1].tolist()))
    return sorted(s.id for s in scores if s.rank <= 3 and stated[s.id] <= median and s.id in tied)
