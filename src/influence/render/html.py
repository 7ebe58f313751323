"""The interactive HTML map: one self-contained page per deal, safe to open and to share.

In Python: :func:`to_html` (the page as a string) and :func:`deal_map` (a
:class:`DealMap` that shows inline in Jupyter). In the CLI: ``influence map``.

How the page is made, and why:

* **pyvis builds the node and edge data** (a directed ``pyvis.network.Network``,
  so parallel ties of different kinds between the same pair survive); its own
  page writers are never used (``show``/``write_html`` write a ``lib/`` folder
  into the working directory and pull Bootstrap and tom-select from the network).
* **The page comes from our own Jinja2 template** with autoescaping on. The
  vis-network script and stylesheet are inlined from ``_assets/`` (vendored
  with their licence), so the page needs no network at all; a
  Content-Security-Policy meta tag forbids any request and lets only our two
  inline scripts run, by hash.
* **Every user string is data, never markup.** The data is one JSON document in
  a ``<script type="application/json">`` element with ``<``, ``>``, ``&``,
  U+2028 and U+2029 escaped, read with ``JSON.parse``; tooltips and panels are
  built with ``textContent`` and handed to vis-network as DOM elements.
* **Deterministic.** Positions are computed here (``org``: a layered tree by
  ``reports_to``; ``force``: a seeded spring layout, or above :data:`BIG_MAP`
  people a cheaper seeded one), numbers are rounded and JSON keys sorted, so
  the same input gives the same file, byte for byte. The browser runs no
  physics at all, at any size: the first draw is the settled map, and a
  5,000-person map opens in seconds.

Encoding: stance by colour (Okabe-Ito, safe for colour-blind readers) and a
mark in the label (``✓`` ally, ``○`` neutral, ``✗`` blocker, ``?`` unknown);
influence by size; side by shape (customer dot, our team square, partner
diamond); decision-makers marked ``★`` with a thicker ring; coverage by the
ring (solid covered, dashed stale, none uncovered); a decision-maker nobody on our
team reaches gets a ring and a halo in :data:`NOT_REACHED_COLOUR` that stay visible
at every zoom, the loudest marks on the map; the report's top decision-maker
marked ``♛``; people who left faded, with a dotted ring and ``(left)``; each
tie kind its own line style, colour and arrow.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

from influence._gc import gc_paused
from influence.analysis.models import Action
from influence.analysis.paths import IntroductionPath, introduction_paths, paths_message
from influence.analysis.report import SEVERITY_ORDER, DealReport, analyze
from influence.graph import deal_graph, is_symmetric
from influence.model import Deal, Kind, Person, Policy, Side, Stance
from influence.render._page import content_security_policy, csp_hash, markup, page_template
from influence.render._text import KEY_REASON_WORDS, VERBS, money_text
from influence.warmth import explain_trend, last_touch

__all__ = [
    "BIG_MAP",
    "FOCUS_FROM",
    "KIND_STYLES",
    "LEFT_OPACITY",
    "NOT_REACHED_COLOUR",
    "STANCE_COLOURS",
    "DealMap",
    "Layout",
    "deal_map",
    "map_positions",
    "to_html",
]

Layout = Literal["org", "force"]

#: Above this many people, ties are drawn solid and hidden while dragging or zooming.
BIG_MAP = 300
#: Above this many people the map opens in focus: decision-makers, blockers, people
#: on paths and their managers (a checkbox shows everyone).
FOCUS_FROM = 300

#: Okabe-Ito colours by stance; our own team is always blue.
STANCE_COLOURS: dict[str, str] = {
    "ally": "#009E73",
    "neutral": "#56B4E9",
    "blocker": "#D55E00",
    "unknown": "#BBBBBB",
}
STANCE_MARKS: dict[str, str] = {"ally": "✓", "neutral": "○", "blocker": "✗", "unknown": "?"}
SELLER_COLOUR = "#0072B2"
SIDE_SHAPES: dict[str, str] = {"customer": "dot", "seller": "square", "partner": "diamond"}
PATH_COLOUR = "#E69F00"
#: The ring (and, round a decision-maker, the halo) of a person nobody on our team
#: reaches: Okabe-Ito's reddish purple, used for nothing else on the map.
NOT_REACHED_COLOUR = "#CC79A7"
#: A cooling tie (docs/analysis.md "Trend and cooling") is drawn in Okabe-Ito's sky blue,
#: a cool colour, with short dashes (solid on a big map, which draws every tie solid).
COOLING_STYLE: dict[str, Any] = {"color": "#56B4E9", "dashes": [4, 4]}
#: A person who left the company is drawn faded (this opacity), with a dotted ring.
LEFT_OPACITY = 0.4
#: The mark of the top decision-maker in their label and in the legend.
TOP_MARK = "♛"

#: Line style of each tie kind: colour, dash pattern (False: solid) and arrows.
KIND_STYLES: dict[str, dict[str, Any]] = {
    "knows": {"color": "#555555", "dashes": False, "arrows": ""},
    "influences": {
        "color": "#0072B2",
        "dashes": [10, 6],
        "arrows": {"to": {"enabled": True, "type": "arrow"}},
    },
    "reports_to": {
        "color": "#888888",
        "dashes": [2, 5],
        "arrows": {"to": {"enabled": True, "type": "triangle"}},
    },
    "conflicts_with": {
        "color": "#D55E00",
        "dashes": [12, 4, 2, 4],
        "arrows": {
            "to": {"enabled": True, "type": "bar"},
            "from": {"enabled": True, "type": "bar"},
        },
    },
}
_ARROWS = {"knows": "", "influences": "to", "reports_to": "to", "conflicts_with": "to, from"}
KIND_WORDS: dict[str, str] = {
    "knows": "knows (both ways)",
    "influences": "influences (arrow: who is swayed)",
    "reports_to": "reports to (arrow: the manager)",
    "conflicts_with": "conflicts with",
}
#: Contexts kept in a redacted map: the documented vocabulary, which names nobody.
SAFE_CONTEXTS = frozenset(
    {"classmate", "hometown", "family", "friend", "former_colleague", "partner"}
)

_X_UNIT = 190.0  # px between neighbours in the org chart
_Y_UNIT = 180.0  # px between levels
_GRID_ROW = 0.8  # rows of a grid of direct reports, in levels
_GRID_MIN = 4  # a manager with this many reports who manage nobody gets a grid
_ASPECT = 1.6  # the shape the org chart aims at: width / height, in px
_LABEL_MAX = 60
_LABEL_THRESHOLD = 9  # px on screen below which vis-network draws no label
_BIG_LABEL = 28  # font px (at zoom 1) of the people whose labels show zoomed out


# ----------------------------------------------------------------------------- public


@dataclass(frozen=True)
class DealMap:
    """A rendered map: the page, plus an inline view for Jupyter.

    Attributes:
        html: The complete, self-contained HTML page.
        deal_id: The deal's id.
        people: How many people the map shows.

    Examples:
        >>> m = DealMap("<!DOCTYPE html><title>x</title>", "tiny", 1)
        >>> m._repr_html_().startswith("<iframe")
        True
        >>> "&lt;title&gt;" in m._repr_html_()
        True
    """

    html: str
    deal_id: str
    people: int = field(default=0)

    def _repr_html_(self) -> str:
        # A sandboxed iframe (scripts on, no same-origin): the page keeps its own CSP
        # and cannot touch the notebook.
        return (
            f'<iframe title="influence map: {html.escape(self.deal_id)}" '
            'sandbox="allow-scripts" style="width:100%;height:760px;border:1px solid #ccc" '
            f'srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )

    def __str__(self) -> str:
        return self.html


def to_html(
    deal: Deal,
    report: DealReport | None = None,
    *,
    path_to: Sequence[str] | None = None,
    layout: Layout = "org",
    redact: bool = False,
    keep_titles: bool = False,
    policy: Policy | None = None,
    seed: int = 7,
) -> str:
    """Return the deal as one self-contained, offline, interactive HTML page.

    Args:
        deal: The deal.
        report: Its analysis; default: ``analyze(deal, policy)``.
        path_to: Ids of people whose introduction paths to highlight; default:
            the report's paths to the decision-makers we do not cover.
        layout: ``"org"`` (a tree by ``reports_to``) or ``"force"`` (seeded).
        redact: For sharing outside the team: names become initials, ids
            become ``p1``, ``p2``..., notes are dropped, titles and the account
            name too (unless ``keep_titles``), and tie contexts outside the
            documented vocabulary (``classmate``, ``hometown``...) become
            ``other``. Signal and action sentences stay whole, their roles
            included, with every name put as initials (a sentence that would
            still name someone is replaced by its code and the initials).
        keep_titles: With ``redact``, keep job titles and the account name.
        policy: The team policy (the deal's own ``policy:`` wins), for the
            analysis and for ``path_to``.
        seed: Seed of the ``force`` layout.

    Returns:
        The page. The same arguments always give the same string.

    Raises:
        UnknownPersonError: an id in ``path_to`` is not in the deal (with the
            closest id as a suggestion).
        ValueError: ``layout`` is neither ``"org"`` nor ``"force"``.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({
        ...     "deal": {"name": "Tiny <deal>", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li Wei", "side": "seller"},
        ...                {"name": "Chen Jun", "roles": ["decision_maker"]}],
        ...     "relationships": [{"from": "li-wei", "to": "chen-jun", "strength": 0.3}],
        ... })
        >>> page = to_html(deal)
        >>> page.startswith("<!DOCTYPE html>")
        True
        >>> "Tiny &lt;deal&gt;" in page and "<deal>" not in page
        True
        >>> "https://" in page.split("<script")[0]
        False
        >>> page == to_html(deal)
        True
    """
    if layout not in ("org", "force"):
        raise ValueError(f"layout must be 'org' or 'force', not {layout!r}")
    with gc_paused():
        if report is None:
            report = analyze(deal, policy)
        paths = _paths(deal, report, path_to, policy)
        names = _display_names(deal, redact)
        titles = not redact or keep_titles
        say = _sayer(deal, names[1], redact=redact, keep_titles=keep_titles)
        data = _map_data(
            deal,
            report,
            paths,
            names,
            layout=layout,
            redact=redact,
            titles=titles,
            say=say,
            seed=seed,
            policy=policy,
        )
        return _page(deal, report, data, names, redact=redact, titles=titles, say=say)


def deal_map(
    deal: Deal,
    report: DealReport | None = None,
    *,
    path_to: Sequence[str] | None = None,
    layout: Layout = "org",
    redact: bool = False,
    keep_titles: bool = False,
    policy: Policy | None = None,
    seed: int = 7,
) -> DealMap:
    """Return the map of a deal as a :class:`DealMap` (shows inline in Jupyter).

    Takes the same arguments as :func:`to_html`.

    Returns:
        The map; ``.html`` is the page :func:`to_html` returns.

    Raises:
        UnknownPersonError: an id in ``path_to`` is not in the deal.
        ValueError: an unknown ``layout``.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "Tiny"}, "people": [{"name": "Ann"}]})
        >>> m = deal_map(deal)
        >>> m.people, m.deal_id
        (1, 'tiny')
    """
    page = to_html(
        deal,
        report,
        path_to=path_to,
        layout=layout,
        redact=redact,
        keep_titles=keep_titles,
        policy=policy,
        seed=seed,
    )
    return DealMap(page, deal.id, len(deal.people))


def map_positions(
    deal: Deal, layout: Layout = "org", *, seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Return where each person is drawn, in pixels, keyed by id in file order.

    ``org`` lays out the ``reports_to`` forest in levels, managers above their
    reports (a manager with many reports who manage nobody gets them in a
    grid), one block per side: our team, partners, then the customer. ``force``
    is ``networkx.spring_layout`` seeded with ``seed``, then each person (the most
    influential first) moved to the nearest free cell of the org chart's grid, so
    no two labels overlap (the page, which knows the report, gives the large labels
    of decision-makers, people on best paths and blockers two cells, one above the
    other; without it everyone gets one); above :data:`BIG_MAP`
    people, where that gets slow, the org tree drawn in rings, each person then
    pulled toward the people they are tied to (seeded jitter, a fixed number of
    rounds). Coordinates are rounded to 0.1 px.

    Args:
        deal: The deal.
        layout: ``"org"`` or ``"force"``.
        seed: Seed of the ``force`` layout.

    Returns:
        ``{person id: (x, y)}``; y grows downward, as on screen.

    Raises:
        ValueError: an unknown ``layout``.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [
        ...     {"name": "Boss"}, {"name": "Ann", "reports_to": "boss"},
        ...     {"name": "Bo", "reports_to": "boss"}]})
        >>> pos = map_positions(deal)
        >>> pos["boss"][1] < pos["ann"][1] == pos["bo"][1]
        True
        >>> pos["ann"][0] < pos["boss"][0] < pos["bo"][0]
        True
    """
    if layout == "org":
        return _org_positions(deal)
    if layout == "force":
        if len(deal.people) > BIG_MAP:
            return _big_force_positions(deal, seed)
        return _spring_positions(deal, seed)
    raise ValueError(f"layout must be 'org' or 'force', not {layout!r}")


# ----------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class _Target:
    target: str
    paths: list[IntroductionPath]
    max_hops: int
    avoid_blockers: bool


def _paths(
    deal: Deal,
    report: DealReport,
    path_to: Sequence[str] | None,
    policy: Policy | None,
) -> list[_Target]:
    """The paths to highlight: to ``path_to``, or the report's own."""
    effective = deal.effective_policy(policy)
    hops, avoid = effective.max_hops, effective.avoid_blockers
    if not path_to:
        return [_Target(t, list(ps), hops, avoid) for t, ps in report.paths.items()]
    targets = list(dict.fromkeys(path_to))
    for t in targets:
        deal.person(t)  # UnknownPersonError, with a did-you-mean, before any work
    out = []
    for t in targets:
        found = introduction_paths(
            deal,
            t,
            k=effective.paths_per_target,
            max_hops=effective.max_hops,
            avoid_blockers=effective.avoid_blockers,
            policy=policy,
        )
        out.append(_Target(t, found, hops, avoid))
    return out


# ----------------------------------------------------------------------------- layouts


def _managers(deal: Deal) -> dict[str, str]:
    """Each person's manager (the deal graph's rule)."""
    return deal_graph(deal).managers()


@dataclass
class _Block:
    """A node's subtree in the org chart, in grid units."""

    width: float = 1.0
    height: float = 1.0  # levels, the node's own included
    rows: list[list[tuple[str, float, float]]] = field(default_factory=list)  # (item, w, h)
    leaves: list[str] = field(default_factory=list)  # shown as a grid
    cols: int = 0
    widest: float = 0.0  # the widest row of items in the subtree, unwrapped


def _shelves(
    items: list[tuple[str, float, float]], wrap_at: float
) -> list[list[tuple[str, float, float]]]:
    """Children blocks in one row, or in rows (shelves) about ``wrap_at`` slots wide."""
    rows: list[list[tuple[str, float, float]]] = [[]] if items else []
    used = 0.0
    for item in items:
        if rows[-1] and used + item[1] > wrap_at:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += item[1]
    return rows


def _blocks(
    children: dict[str, list[str]],
    roots: Iterable[str],
    wrap_at: float,
    unwrapped: dict[str, _Block] | None = None,
) -> dict[str, _Block]:
    """Every subtree's block, bottom-up (iteratively: a reporting chain may be long).

    ``unwrapped``: the blocks at ``wrap_at=math.inf``; a subtree none of whose rows
    is wider than ``wrap_at`` does not wrap, so its blocks are taken from there.
    """
    blocks: dict[str, _Block] = dict(unwrapped) if unwrapped else {}

    def fits(node: str) -> bool:
        return unwrapped is not None and unwrapped[node].widest <= wrap_at

    stack: list[tuple[str, bool]] = [(r, False) for r in roots if not fits(r)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children[node] if not fits(c))
            continue
        block = _Block()
        kids = children[node]
        leaves = [c for c in kids if not children[c]]
        items: list[tuple[str, float, float]] = []
        if len(leaves) >= _GRID_MIN:
            block.leaves, block.cols = leaves, math.ceil(math.sqrt(len(leaves)))
            rows = (len(leaves) - 1) // block.cols
            items.append(("", float(block.cols), 1.0 + rows * _GRID_ROW))
        grid = set(block.leaves)
        items += [(c, blocks[c].width, blocks[c].height) for c in kids if c not in grid]
        block.rows = _shelves(items, wrap_at)
        block.widest = max(
            [sum(w for _, w, _ in items)] + [blocks[c].widest for c in kids if c not in grid]
        )
        if block.rows:
            block.width = max(1.0, max(sum(w for _, w, _ in row) for row in block.rows))
            block.height = 1.0 + sum(max(h for _, _, h in row) for row in block.rows)
        blocks[node] = block
    return blocks


def _org_units(deal: Deal) -> dict[str, tuple[float, float]]:
    """The org chart in grid units: x in slots, y in levels."""
    boss = _managers(deal)
    order = [p.id for p in deal.people]
    side = {p.id: p.side.value for p in deal.people}
    children: dict[str, list[str]] = {pid: [] for pid in order}
    for pid in order:
        if pid in boss:
            children[boss[pid]].append(pid)
    # One virtual root per side holds the people who report to nobody (not drawn);
    # its name is one no person has.
    virtual = {}
    for group in ("seller", "partner", "customer"):
        name = f"\0{group}"
        while name in side:
            name += "\0"
        virtual[group] = name
    for group, root in virtual.items():
        children[root] = [pid for pid in order if pid not in boss and side[pid] == group]

    def shape(blocks: dict[str, _Block]) -> tuple[float, float, float, float]:
        """Widths of the band (our team + partners) and the customer block; heights."""
        sellers, partners = blocks[virtual["seller"]], blocks[virtual["partner"]]
        seller_w = sellers.width if sellers.rows else 0.0
        partner_w = partners.width if partners.rows else 0.0
        band_w = seller_w + partner_w + (1.0 if seller_w and partner_w else 0.0)
        band_h = max(sellers.height, partners.height) - 1.0
        customers = blocks[virtual["customer"]]
        return band_w, band_h, customers.width, customers.height - 1.0

    # Rows of subtrees wider than the page wrap into shelves: try a few shelf
    # widths and keep the one whose shape is closest to a screen's.
    best: tuple[float, dict[str, _Block]] | None = None
    unwrapped = _blocks(children, virtual.values(), math.inf)
    for wrap_at in (math.inf, 256.0, 128.0, 64.0, 32.0, 16.0):
        blocks = (
            unwrapped
            if wrap_at == math.inf
            else _blocks(children, virtual.values(), wrap_at, unwrapped)
        )
        band_w, band_h, cust_w, cust_h = shape(blocks)
        aspect = (max(band_w, cust_w) * _X_UNIT) / (max(1.0, band_h + cust_h + 1.0) * _Y_UNIT)
        misfit = abs(math.log(aspect / _ASPECT))
        if best is None or misfit < best[0] - 1e-9:
            best = (misfit, blocks)
    assert best is not None
    blocks = best[1]

    pos: dict[str, tuple[float, float]] = {}

    def place(root: str, x0: float, y0: float) -> None:
        todo = [(root, x0, y0)]
        while todo:
            node, left, top = todo.pop()
            block = blocks[node]
            if node in side:
                pos[node] = (left + block.width / 2, top)
            y = top + 1.0
            for row in block.rows:
                cursor = left + (block.width - sum(w for _, w, _ in row)) / 2
                for item, w, _ in row:
                    if item:
                        todo.append((item, cursor, y))
                    else:
                        for i, leaf in enumerate(block.leaves):
                            cols = block.cols
                            pos[leaf] = (cursor + i % cols + 0.5, y + (i // cols) * _GRID_ROW)
                    cursor += w
                y += max(h for _, _, h in row)

    # Our team and partners in a band above the customer's organisation.
    band_w, band_h, cust_w, _ = shape(blocks)
    sellers = blocks[virtual["seller"]]
    seller_w = sellers.width if sellers.rows else 0.0
    shift = max(0.0, (cust_w - band_w) / 2)
    place(virtual["seller"], shift, -1.0)
    place(virtual["partner"], shift + seller_w + (1.0 if seller_w else 0.0), -1.0)
    top = band_h + 0.5 if band_h > 0 else 0.0
    place(virtual["customer"], max(0.0, (band_w - cust_w) / 2), top - 1.0)
    return {pid: pos[pid] for pid in order}


def _org_positions(deal: Deal) -> dict[str, tuple[float, float]]:
    return {
        pid: (round(x * _X_UNIT, 1), round(y * _Y_UNIT, 1))
        for pid, (x, y) in _org_units(deal).items()
    }


def _tie_weights(deal: Deal) -> dict[tuple[str, str], float]:
    """Undirected pair -> the strongest tie between them (every kind, shorthand too)."""
    weights: dict[tuple[str, str], float] = {}
    for t in deal_graph(deal).ties:
        a, b = t.from_, t.to
        key = (a, b) if a <= b else (b, a)
        weights[key] = max(weights.get(key, 0.0), t.strength, 0.05)
    return weights


def _spring_positions(
    deal: Deal, seed: int, tall: AbstractSet[str] = frozenset()
) -> dict[str, tuple[float, float]]:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(p.id for p in deal.people)
    for (a, b), w in sorted(_tie_weights(deal).items()):
        g.add_edge(a, b, weight=w)
    if not len(g):
        return {}
    raw = nx.spring_layout(g, seed=seed, iterations=100, weight="weight")
    # Spread so that each person has about three cells of the org chart's grid to pick
    # from, then give everyone a cell of their own (see _own_cells).
    scale = 0.5 * math.sqrt(3.0 * len(g) * _X_UNIT * _Y_UNIT) + 100.0
    spread = {p.id: (float(raw[p.id][0]) * scale, float(raw[p.id][1]) * scale) for p in deal.people}
    order = sorted(deal.people, key=lambda p: -p.influence)  # stable: file order on ties
    return _own_cells(spread, [p.id for p in order], tall)


def _own_cells(
    pos: Mapping[str, tuple[float, float]],
    order: Sequence[str],
    tall: AbstractSet[str] = frozenset(),
) -> dict[str, tuple[float, float]]:
    """Move each person to the nearest free cell of the org chart's grid, in ``order``.

    Two people then stand at least :data:`_X_UNIT` apart across or :data:`_Y_UNIT`
    apart down, as in the org layout, so no two labels overlap (a label is at most
    ``_X_UNIT - 16`` px wide and fits in a level). Deterministic: the free cells are
    searched in rings around the person's spot, the nearest first (the first found on
    a tie). A ``tall`` person (a large label, which wraps to more lines) takes their
    cell and the one below it. Returns positions in ``pos``'s key order.

    >>> _own_cells({"a": (0.0, 0.0), "b": (10.0, 5.0)}, ["a", "b"])
    {'a': (0.0, 0.0), 'b': (0.0, 180.0)}
    """
    taken: set[tuple[int, int]] = set()
    out: dict[str, tuple[float, float]] = {}
    for pid in order:
        x, y = pos[pid]
        cx, cy = round(x / _X_UNIT), round(y / _Y_UNIT)
        r = 0
        while True:
            best: tuple[float, int, int] | None = None
            for i in range(cx - r, cx + r + 1):
                for j in range(cy - r, cy + r + 1):
                    if max(abs(i - cx), abs(j - cy)) != r or (i, j) in taken:
                        continue
                    if pid in tall and (i, j + 1) in taken:
                        continue
                    d = (i * _X_UNIT - x) ** 2 + (j * _Y_UNIT - y) ** 2
                    if best is None or d < best[0]:
                        best = (d, i, j)
            if best is not None:
                break
            r += 1
        taken.add((best[1], best[2]))
        if pid in tall:
            taken.add((best[1], best[2] + 1))
        out[pid] = (round(best[1] * _X_UNIT, 1), round(best[2] * _Y_UNIT, 1))
    return {pid: out[pid] for pid in pos}


def _big_force_positions(deal: Deal, seed: int) -> dict[str, tuple[float, float]]:
    import numpy as np

    units = _org_units(deal)
    ids = list(units)
    index = {pid: i for i, pid in enumerate(ids)}
    xy = np.array([units[pid] for pid in ids], dtype=float)
    span = float(xy[:, 0].max()) + 1.0
    angle = 2.0 * math.pi * xy[:, 0] / span
    radius = 1.0 + xy[:, 1]
    rng = np.random.default_rng(seed)
    anchor = np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))
    anchor += rng.normal(scale=0.15, size=anchor.shape)
    pairs = sorted(_tie_weights(deal).items())
    if pairs:
        a = np.array([index[x] for (x, _), _ in pairs] + [index[y] for (_, y), _ in pairs])
        b = np.array([index[y] for (_, y), _ in pairs] + [index[x] for (x, _), _ in pairs])
        w = np.array([s for _, s in pairs] * 2)
        degree = np.bincount(a, weights=w, minlength=len(ids))
        tied = degree > 0
        pos = anchor.copy()
        for _ in range(25):
            mean = pos.copy()
            for axis in (0, 1):
                pull = np.bincount(a, weights=w * pos[b, axis], minlength=len(ids))
                mean[tied, axis] = pull[tied] / degree[tied]
            pos = 0.55 * anchor + 0.45 * mean
    else:
        pos = anchor
    scale = 60.0 * math.sqrt(len(ids)) / max(1.0, float(np.abs(pos).max()))
    return {
        pid: (round(float(pos[i, 0]) * scale, 1), round(float(pos[i, 1]) * scale, 1))
        for i, pid in enumerate(ids)
    }


# ----------------------------------------------------------------------------- data


class _NodeIds(dict[Any, None]):
    """pyvis keeps node ids in a list and tests membership on every add: O(n) each.

    This stand-in keeps them in insertion order and answers ``in`` from a hash
    table (at C speed: pyvis asks twice per tie), so building a 5,000-person map
    stays linear.
    """

    def append(self, item: Any) -> None:
        self[item] = None


def _initials(name: str) -> str:
    parts = name.split()
    if len(parts) > 1:
        return "".join(p[0].upper() for p in parts)
    return name[:1].upper()


def _display_names(deal: Deal, redact: bool) -> tuple[dict[str, str], dict[str, str]]:
    """(page id by person id, shown name by person id)."""
    if not redact:
        return {p.id: p.id for p in deal.people}, {p.id: p.name for p in deal.people}
    ids = {p.id: f"p{i}" for i, p in enumerate(deal.people, start=1)}
    seen: dict[str, int] = defaultdict(int)
    names = {}
    for p in deal.people:
        short = _initials(p.name)
        seen[short] += 1
        names[p.id] = short if seen[short] == 1 else f"{short} {seen[short]}"
    return ids, names


def _clip(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _context(context: str | None, redact: bool) -> str | None:
    if context is None or not redact:
        return context
    return context if context in SAFE_CONTEXTS else "other"


def _node_style(p: Person, dm: bool, cover: str | None, left: bool = False) -> dict[str, Any]:
    fill = SELLER_COLOUR if p.side is Side.SELLER else STANCE_COLOURS[p.stance.value]
    ring, width = "#222222", 1
    dashes: list[int] | bool = False
    if cover == "covered":
        ring, width = "#000000", 2
    elif cover == "stale":
        ring, width, dashes = "#000000", 2, [5, 4]
    elif cover == "uncovered" and dm:
        # A decision-maker nobody on our team reaches: the "not reached" ring, and a
        # halo the page draws at a size that shows at every zoom.
        ring, width = NOT_REACHED_COLOUR, 2
    elif cover == "uncovered":
        ring, width = fill, 1  # no visible ring: nobody on our team reaches them
    if left:
        # Left the company: their coverage does not count (the report's ``left``);
        # drawn faded with a dotted ring.
        ring, width, dashes = "#222222", 2, [2, 4]
    if dm:
        width += 3
    style: dict[str, Any] = {
        "shape": SIDE_SHAPES[p.side.value],
        "size": round(8 + 22 * p.influence, 1),
        "borderWidth": width,
        "borderWidthSelected": width + 2,
        "shapeProperties": {"borderDashes": dashes},
        "color": {
            "background": fill,
            "border": ring,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"},
        },
    }
    if left:
        style["opacity"] = LEFT_OPACITY
    return style


def _label(
    p: Person, name: str, dm: bool, titles: bool = True, *, top: bool = False, left: bool = False
) -> str:
    mark = "■" if p.side is Side.SELLER else STANCE_MARKS[p.stance.value]
    marks = ("★ " if dm else "") + (f"{TOP_MARK} " if top else "")
    first = f"{mark} {marks}{_clip(name)}{' (left)' if left else ''}"
    return f"{first}\n{_clip(p.title)}" if p.title and titles else first


def _sayer(
    deal: Deal, shown: Mapping[str, str], *, redact: bool, keep_titles: bool
) -> Callable[[str, Sequence[str]], str]:
    """How the page says an analysis sentence: as it is, or redacted.

    Redacted, every ``Name (Title)`` and ``Name`` becomes the person's initials
    (``Initials (Title)`` with ``keep_titles``) and the account name "the
    account"; roles and the rest of the sentence stay. A sentence that would
    still hold a name (or, without ``keep_titles``, a title or the account) is
    replaced by the people's initials alone.
    """
    if not redact:
        return lambda text, people: text
    swaps: dict[str, str] = {}
    leaks: set[str] = set()
    for p in deal.people:
        short = shown[p.id]
        if p.title:
            swaps[f"{p.name} ({p.title})"] = f"{short} ({p.title})" if keep_titles else short
            if not keep_titles:
                leaks.add(p.title)
        swaps.setdefault(p.name, short)
        leaks.add(p.name)
    account = deal.deal.account
    if account and not keep_titles:
        swaps.setdefault(account, "the account")
        leaks.add(account)
    if not swaps:
        return lambda text, people: text
    words = sorted(swaps, key=lambda w: (-len(w), w))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
    leak_list = sorted(leaks, key=lambda w: (-len(w), w))

    def say(text: str, people: Sequence[str]) -> str:
        out = pattern.sub(lambda m: swaps[m.group(0)], text)
        if any(w in out for w in leak_list if len(w) > 2) or any(
            re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", out) for w in leak_list if len(w) <= 2
        ):
            return ", ".join(shown.get(x, "?") for x in people)
        return out

    return say


#: "Reach next" lists every decision-maker we do not reach, then this many more people.
_REACH_OTHERS = 3


def _reach_next(
    report: DealReport,
    path_data: list[dict[str, Any]],
    page_id: Mapping[str, str],
    shown: Mapping[str, str],
    say: Callable[[str, Sequence[str]], str],
) -> list[dict[str, Any]]:
    """The panel's "Reach next": each decision-maker we do not reach, then the top others.

    Each entry: the person, the best introducer, the one-line ask (the report's
    first action about them, word for word), and which drawn path it follows.
    """
    cover = report.coverage.people
    dms = set(report.decision_makers)
    unreached = [d for d in report.decision_makers if cover.get(d) == "uncovered"]
    first: dict[str, Action] = {}
    order = list(unreached)
    for a in report.actions:
        target = a.target  # whom the action is about, as the analysis says
        if target is None or target not in page_id:
            continue
        first.setdefault(target, a)
        if target not in order and len(order) < len(unreached) + _REACH_OTHERS:
            order.append(target)
    index = {t["target"]: i for i, t in enumerate(path_data)}
    out = []
    for pid in order:
        action = first.get(pid)
        ti = index.get(page_id[pid])
        drawn = path_data[ti] if ti is not None else None
        entry: dict[str, Any] = {
            "person": page_id[pid],
            "name": shown[pid],
            "dm": pid in dms,
            "unreached": cover.get(pid) == "uncovered" and pid in dms,
            "signal": action.signal if action else None,
            "by": None,
            "target": None,
            "path": None,
        }
        if action is not None:
            entry["ask"] = say(action.text, action.people)
            facts = action.facts
            if facts.introductions:
                entry["by"] = shown[facts.introductions[0].ask]
            elif facts.our_ties:
                entry["by"] = shown[facts.our_ties[0][0]]
        else:
            entry["ask"] = (drawn or {}).get("message") or "No introduction path found."
        if drawn is not None and drawn["paths"]:
            wanted = [page_id[x] for x in action.facts.path] if action else []
            entry["target"] = ti
            entry["path"] = next(
                (n for n, p in enumerate(drawn["paths"]) if p["people"] == wanted), 0
            )
        out.append(entry)
    return out


def _method_view(
    deal: Deal,
    report: DealReport,
    names: tuple[dict[str, str], dict[str, str]],
    *,
    redact: bool,
    titles: bool,
    say: Callable[[str, Sequence[str]], str],
) -> dict[str, Any]:
    """The panel's "Key-account method": the report's own fields, as the terminal reads them.

    Reads only ``step``, ``temperature``, ``top_decision_maker``, ``facts``,
    ``competitors``, ``left`` and ``warnings`` (nothing is recomputed, so the map
    says what the JSON and :func:`influence.render._text.method_lines` say), in
    the same rows: a fact we know (``known``, or ``stale`` when older than the
    policy allows) with its source and age, a required one we miss
    (``missing``). Redacted, people are their initials and a fact's own text
    is dropped, as notes are.
    """
    page_id, shown = names
    title_of = {p.id: p.title for p in deal.people} if titles else {}

    def who(pid: str) -> dict[str, Any]:
        known = pid in shown
        name = shown[pid] if known else ("?" if redact else pid)
        title = title_of.get(pid)
        return {
            "person": page_id[pid] if known else None,
            "label": f"{name} ({title})" if title else name,
        }

    top = None
    if report.top_decision_maker is not None:
        row = next((r for r in report.people if r.id == report.top_decision_maker), None)
        top = who(report.top_decision_maker)
        top["coverage"] = (row.coverage if row is not None else None) or "not covered"
    facts = []
    for fact in report.facts:
        if fact.known:
            facts.append(
                {
                    "item": fact.item,
                    "state": "stale" if fact.stale else "known",
                    "text": None if redact else (fact.text or ""),
                    "source": who(fact.source) if fact.source else None,
                    "age": f"{fact.age_days} days old" if fact.age_days is not None else "undated",
                }
            )
        elif fact.required:
            facts.append({"item": fact.item, "state": "missing"})
    return {
        "step": report.step,
        "temperature": report.temperature,
        "top": top,
        "facts": facts,
        "competitors": [
            {
                "name": c.name,
                "incumbent": c.incumbent,
                "fans": [who(i)["label"] for i in c.favoured_by],
            }
            for c in report.competitors
        ],
        "left": [who(i)["label"] for i in report.left],
        "warnings": [w for w in (say(w, ()) for w in report.warnings) if w],
        **_cadence_view(report, who),
    }


def _cadence_view(report: DealReport, who: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The block's visits per month per key person and favours ledger (人情).

    Only in a deal with touchpoints (the report's ``visits`` and ``favours``, read
    as :func:`influence.render._text.cadence_lines` reads them); nothing otherwise.
    """
    out: dict[str, Any] = {}
    if report.visits is not None:
        months = report.visits.months
        out["visits"] = {
            "span": f"{months[0]}..{months[-1]}" if months else "",
            "people": [
                {
                    **who(r.person),
                    "reason": KEY_REASON_WORDS[r.reason],
                    "counts": " ".join(str(n) for n in r.counts),
                    "total": r.total,
                    "last": r.last.isoformat() if r.last else "never",
                }
                for r in report.visits.people
            ],
        }
    if report.favours is not None:
        out["favours"] = [
            {
                **who(f.person),
                "favours_given": f.favours_given,
                "favours_asked": f.favours_asked,
                "gifts_given": f.gifts_given,
                "gifts_received": f.gifts_received,
                "last": f.last.isoformat() if f.last else "never",
            }
            for f in report.favours
        ]
    return out


def _file_name(text: str) -> str:
    """A file name from a deal id: letters, digits, ``-`` and ``_`` only.

    Examples:
        >>> _file_name("acme/2026 <x>")
        'acme-2026--x-'
    """
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)[:80] or "map"


def _tie_key(kind: str, a: str, b: str) -> tuple[str, str, str]:
    if is_symmetric(kind) and b < a:
        a, b = b, a
    return kind, a, b


def _map_data(
    deal: Deal,
    report: DealReport,
    targets: list[_Target],
    names: tuple[dict[str, str], dict[str, str]],
    *,
    layout: Layout,
    redact: bool,
    seed: int,
    policy: Policy | None = None,
    titles: bool = True,
    say: Callable[[str, Sequence[str]], str] | None = None,
) -> dict[str, Any]:
    from pyvis.network import Network

    page_id, shown = names
    rows = {r.id: r for r in report.people}
    net_scores = {s.id: s for s in report.network_influence}
    dms = set(report.decision_makers)
    cover = report.coverage.people
    graph = deal_graph(deal, policy)
    big = len(deal.people) > BIG_MAP
    # The key-account marks, from the report (never recomputed here).
    top_dm = report.top_decision_maker
    gone = set(report.left)

    # Whose labels show when zoomed out (the rest from about half size on): the
    # decision-makers, the blockers and the people on the paths drawn by default.
    on_best = {x for t in targets for path in t.paths[:1] for x in path.people}
    large = {
        p.id
        for p in deal.people
        if p.id in dms
        or p.id in on_best
        or (p.stance is Stance.BLOCKER and p.side is Side.CUSTOMER)
    }
    if layout == "force" and not big:
        # Their large labels need two cells of the grid (see _own_cells).
        positions = _spring_positions(deal, seed, tall=large)
    else:
        positions = map_positions(deal, layout, seed=seed)
    # Focus (the default above FOCUS_FROM people): the decision-makers, the blockers,
    # everyone on a path and the managers of all of them; the rest on demand.
    managers = graph.managers()
    core = set(dms) | {x for t in targets for path in t.paths for x in path.people}
    core |= {p.id for p in deal.people if p.stance is Stance.BLOCKER and p.side is Side.CUSTOMER}
    focus = core | {managers[x] for x in core if x in managers}
    focused = len(deal.people) > FOCUS_FROM
    net = Network(directed=True)
    net.node_ids = _NodeIds()
    for p in deal.people:
        row = rows.get(p.id)
        dm = p.id in dms
        score = net_scores.get(p.id)
        status = row.coverage if row else cover.get(p.id)
        person: dict[str, Any] = {
            "id": page_id[p.id],
            "name": shown[p.id],
            "title": p.title if titles else None,
            "side": p.side.value,
            "roles": [r.value for r in p.roles],
            "influence": round(p.influence, 3),
            "network": round(score.score, 3) if score else None,
            "rank": score.rank if score else None,
            "stance": p.stance.value,
            "assessed": _iso(p.assessed),
            "style": p.style.value if p.style else None,
            # Our last contact: the deal graph's, for customers (docs/analysis.md, "Our tie").
            "contact": _iso(graph.last_contact(p.id)) if p.side is Side.CUSTOMER else None,
            "notes": None if redact else p.notes,
            "coverage": status,
            "dm": dm,
        }
        # Written only when true (the page reads a missing key as false): a big map
        # has one top decision-maker and few people who left.
        top, left = p.id == top_dm, p.id in gone
        if top:
            person["top"] = True
        if left:
            person["left"] = True
        x, y = positions[p.id]
        net.add_node(
            page_id[p.id],
            label=_label(p, shown[p.id], dm, titles, top=top, left=left),
            x=x,
            y=y,
            person=person,
            **_node_style(p, dm, status, left),
        )
        if p.id in large:
            net.nodes[-1]["font"] = {"size": _BIG_LABEL}
        if focused and p.id not in focus:
            net.nodes[-1]["hidden"] = True

    # Every tie of every path is drawn last (on top) and can be highlighted; only the
    # best path to each target is drawn as a path by default, the others on demand.
    on_path = {
        _tie_key(h.kind, *((h.from_, h.to) if h.forward else (h.to, h.from_)))
        for target in targets
        for path in target.paths
        for h in path.steps
    }
    best = {
        _tie_key(h.kind, *((h.from_, h.to) if h.forward else (h.to, h.from_)))
        for target in targets
        for path in target.paths[:1]
        for h in path.steps
    }
    # The first tie of each highlighted key: what a path step's "edge" points at.
    edge_of: dict[tuple[str, str, str], str] = {}
    parallel: dict[tuple[str, str], int] = {}
    late: list[tuple[str, str, dict[str, Any]]] = []
    # (rounded strength, line width) by strength: a deal has few distinct strengths.
    rounded: dict[float, tuple[float, float]] = {}
    days: dict[date, str] = {}  # ISO dates, written once each
    # Per kind, once: its word, whether it holds both ways (the deal graph's rule), arrows.
    by_kind = {k: (k.value, is_symmetric(k.value), _ARROWS[k.value]) for k in Kind}
    add_edge = net.add_edge
    # A deal with touchpoints: each tie's warmth in one sentence (influence.warmth).
    explain = graph.explanation if graph.has_touchpoints() else None
    for i, (a, b, kind_of, strength, context, last_contact, notes, declared, _) in enumerate(
        graph.ties
    ):
        kind, symmetric, arrows = by_kind[kind_of]
        tie_id = f"e{i}"
        cached = rounded.get(strength) if type(strength) is float and strength else None
        if cached is None:  # (0.0 and -0.0 are one key but print apart: not cached)
            cached = (round(strength, 3), round(1 + 3 * strength, 2))
            if type(strength) is float and strength:
                rounded[strength] = cached
        tie: dict[str, Any] = {"kind": kind, "strength": cached[0]}
        if context is not None:
            context = _context(context, redact)
            if context:
                tie["context"] = context
        if last_contact:
            day = days.get(last_contact)
            if day is None:
                day = days[last_contact] = last_contact.isoformat()
            tie["contact"] = day
        if notes and not redact:
            tie["notes"] = notes
        if explain is not None:
            tie["warmth"] = explain(graph.tie(i))
            trend = graph.trend(graph.tie(i))
            if trend is not None:  # a tie with touchpoints: its trend and last touch
                tie["trend"] = explain_trend(trend)
                touch = last_touch(graph.warmth(graph.tie(i)))
                if touch is not None:
                    tie["touch"] = touch
                if trend.cooling:
                    tie["cooling"] = True
        # Always written: the page tells a shorthand by ``declared`` being false.
        tie["declared"] = declared
        # Line style, colour and arrow heads come from the kind (``kinds`` in the
        # page data); only what varies per tie is stored per tie.
        hot = False
        if on_path:
            key = (kind, b, a) if symmetric and b < a else (kind, a, b)
            hot = key in on_path
        k = 0
        if not big:
            pair = (a, b) if a <= b else (b, a)
            k = parallel.get(pair, 0)
            parallel[pair] = k + 1
        if not hot and not k:  # most ties: straight, not highlighted
            add_edge(page_id[a], page_id[b], id=tie_id, arrows=arrows, width=cached[1], tie=tie)
            continue
        options: dict[str, Any] = {"id": tie_id, "arrows": arrows, "width": cached[1], "tie": tie}
        if k:
            # Parallel ties of different kinds curve apart instead of overlapping
            # (not in a big map, where a long tie would arc across the page).
            clockwise = (k % 2 == 1) == (a <= b)
            options["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if clockwise else "curvedCCW",
                "roundness": round(0.25 * ((k + 1) // 2), 2),
            }
        if not hot:
            add_edge(page_id[a], page_id[b], **options)
            continue
        # On a path: drawn last, so on top; the best paths drawn as paths.
        if key in best:
            tie["path"] = True
            options["width"] = 6
            options["color"] = {"color": PATH_COLOUR}
        edge_of.setdefault(key, tie_id)
        late.append((page_id[a], page_id[b], options))
    for a, b, options in late:
        add_edge(a, b, **options)

    say_ = say if say is not None else _sayer(deal, shown, redact=redact, keep_titles=titles)
    path_data = []
    for target in targets:
        entries = []
        for path in target.paths:
            steps = []
            for h in path.steps:
                a, b = (h.from_, h.to) if h.forward else (h.to, h.from_)
                step = {
                    "from": page_id[h.from_],
                    "to": page_id[h.to],
                    "kind": h.kind,
                    "forward": h.forward,
                    "strength": round(h.strength, 3),
                    "context": _context(h.context, redact),
                    "contact": _iso(h.last_contact),
                    "edge": edge_of.get(_tie_key(h.kind, a, b)),
                }
                if h.explanation:  # a deal with touchpoints (influence.warmth)
                    step["warmth"] = h.explanation
                steps.append(step)
            entries.append(
                {
                    "people": [page_id[x] for x in path.people],
                    "warmth": round(path.warmth, 4),
                    "hops": path.hops,
                    "through_blocker": path.through_blocker,
                    "blockers": [page_id[x] for x in path.blockers],
                    "steps": steps,
                }
            )
        path_data.append(
            {
                "target": page_id[target.target],
                "paths": entries,
                "message": paths_message(
                    target.paths,
                    shown[target.target],
                    target.max_hops,
                    avoid_blockers=target.avoid_blockers,
                ),
            }
        )

    extra: dict[str, Any] = {}
    if explain is not None:
        # A deal with touchpoints: how a cooling tie is drawn, and the rule, for the legend.
        rule = graph.policy
        extra["cooling"] = {
            **COOLING_STYLE,
            "dashes": False if big else COOLING_STYLE["dashes"],
            "words": (
                f"cooling tie: warmth fell by more than {rule.cooling_share:.0%} "
                f"in {rule.cooling_period_days} days"
            ),
        }
    return {
        **extra,
        "kinds": _kind_styles(big),
        "nodes": net.nodes,
        "edges": net.edges,
        "paths": path_data,
        "options": _vis_options(layout, big),
        "big": big,
        # The decision-makers nobody on our team reaches, in the report's order: the
        # page draws their halo.
        "unreached": [page_id[d] for d in report.decision_makers if cover.get(d) == "uncovered"],
        "focus": [page_id[p.id] for p in deal.people if p.id in focus],
        "focused": focused,
        "colours": {"notReached": NOT_REACHED_COLOUR, "path": PATH_COLOUR},
        # The name of a saved PNG: the deal's id, or its page id when redacted.
        "file": "map" if redact else _file_name(deal.id),
        # The analysis's next actions (the terminal's words), and the panel's "Reach next".
        "actions": [
            {
                "text": say_(a.text, a.people),
                "signal": a.signal,
                "people": [page_id[x] for x in a.people if x in page_id],
            }
            for a in report.actions
        ],
        "reach": _reach_next(report, path_data, page_id, shown, say_),
    }


def _kind_styles(big: bool) -> dict[str, dict[str, Any]]:
    """Line styles by kind; a big map draws every line solid (dashes cost ~0.25 ms a line)."""
    if not big:
        return KIND_STYLES
    return {kind: {**style, "dashes": False} for kind, style in KIND_STYLES.items()}


def _vis_options(layout: Layout, big: bool) -> dict[str, Any]:
    # Every layout is final when the page opens (computed here, seeded): the browser
    # runs no physics, so nothing moves and the first draw is the settled map.
    del layout
    physics = False
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 120},
            "stabilization": {"enabled": physics, "iterations": 200, "fit": True},
        },
        "interaction": {
            # Hover styling redraws every tie: on a big map that is ~0.5 s a mouse move.
            # Tooltips do not need it.
            "hover": not big,
            "tooltipDelay": 120,
            "multiselect": True,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "keyboard": False,
            "navigationButtons": False,
        },
        "nodes": {
            "font": {"size": 18, "face": "sans-serif", "color": "#1a1a1a"},
            "widthConstraint": {"maximum": _X_UNIT - 16},
            # A label shows once it is this many px on screen: at the default zoom of
            # a committee only the important people's (_BIG_LABEL) are that big.
            "scaling": {"label": {"drawThreshold": _LABEL_THRESHOLD}},
        },
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1},
    }


# ----------------------------------------------------------------------------- the page


def _script_json(data: Any) -> str:
    r"""JSON that is inert inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\u003c``..., so the text can never close the
    element or open a comment; U+2028 and U+2029 are escaped as well.

    Examples:
        >>> _script_json({"a": "</script><b>&"})
        '{"a":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'
    """
    # check_circular off: the data is plain lists and dicts built by this module, never
    # cyclic, and the check costs a tenth of the encoding (~150,000 containers a big map).
    text = json.dumps(
        data,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
        check_circular=False,
    )
    # Each one looked for first: finding a character is ~10x faster than a replace
    # that finds none (a 12 MB page usually holds none of them).
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


@dataclass(frozen=True)
class _Assets:
    vis_js: str
    vis_css: str
    app_js: str
    app_css: str
    csp: str


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    folder = files("influence.render").joinpath("_assets")

    def read(name: str) -> str:
        return folder.joinpath(name).read_text(encoding="utf-8")

    vis_js, app_js = read("vis-network.min.js"), read("map.js")
    csp = content_security_policy(
        script_src=f"{csp_hash(vis_js)} {csp_hash(app_js)}",
        style_src="'unsafe-inline'",
        img_src="data:",
    )
    return _Assets(vis_js, read("vis-network.css"), app_js, read("map.css"), csp)


@lru_cache(maxsize=1)
def _template() -> Any:
    return page_template("influence.render", "_assets", "map.html.j2")


def _path_view(targets: list[dict[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The side panel's paths as plain text, from the page data (ids already redacted)."""
    out = []
    for t in targets:
        paths = []
        for n, p in enumerate(t["paths"]):
            summary = f"warmth {p['warmth']:.2f}, {p['hops']} hop{'s' * (p['hops'] != 1)}"
            if p["through_blocker"]:
                summary += ", through blocker " + ", ".join(names[b] for b in p["blockers"])
            steps = []
            for h in p["steps"]:
                extra = [f"{h['strength']:.2f}"]
                if h["context"]:
                    extra.append(h["context"])
                if h["contact"]:
                    extra.append(f"last contact {h['contact']}")
                verb = VERBS.get((h["kind"], h["forward"]), h["kind"])
                line = f"{names[h['from']]} {verb} {names[h['to']]} ({', '.join(extra)})"
                if h.get("warmth"):
                    line += f" - warmth {h['warmth']}"
                steps.append(line)
            paths.append(
                {
                    "index": n,
                    "chain": " → ".join(names[x] for x in p["people"]),
                    "summary": summary,
                    "steps": steps,
                    "blocked": p["through_blocker"],
                }
            )
        out.append(
            {
                "target": t["target"],
                "name": names[t["target"]],
                "message": t["message"],
                "paths": paths,
            }
        )
    return out


def _signal_view(report: DealReport, say: Callable[[str, Sequence[str]], str]) -> list[Any]:
    ranked = sorted(report.signals, key=lambda s: SEVERITY_ORDER.get(s.severity, 9))
    return [
        {"severity": s.severity, "code": s.code, "text": say(s.message, s.people)} for s in ranked
    ]


def _page(
    deal: Deal,
    report: DealReport,
    data: dict[str, Any],
    names: tuple[dict[str, str], dict[str, str]],
    *,
    redact: bool,
    titles: bool = True,
    say: Callable[[str, Sequence[str]], str] | None = None,
) -> str:
    """The page; ``names`` is :func:`_display_names`'s (page id, shown name by person id)."""
    assets = _assets()
    page_id, shown = names
    if say is None:
        say = _sayer(deal, shown, redact=redact, keep_titles=titles)
    signals = _signal_view(report, say)
    info = deal.deal
    context = {
        "csp": assets.csp,
        "vis_js": markup(assets.vis_js),
        "vis_css": markup(assets.vis_css),
        "app_js": markup(assets.app_js),
        "app_css": markup(assets.app_css),
        "data_json": markup(_DATA_SLOT),
        "deal": {
            "name": say(info.name, ()),
            "account": info.account if titles else None,
            "stage": info.stage,
            "value": money_text(info.value, info.currency),
            "close": _iso(info.close_date),
            "as_of": report.deal.as_of.isoformat(),
        },
        "risk": {"grade": report.risk.grade, "score": report.risk.score},
        "coverage": f"{report.coverage.score:.2f}",
        "support": f"{report.support:+.2f}",
        "signals": signals[:5],
        "more_signals": max(0, len(signals) - 5),
        # The header's one line: how many signals of each severity (most severe first).
        "signal_total": len(signals),
        "signal_counts": list(Counter(s["severity"] for s in signals).items()),
        "assumptions": [] if redact else list(report.assumptions),
        "paths": _path_view(data["paths"], {page_id[k]: v for k, v in shown.items()}),
        "reach": data["reach"],
        "method": _method_view(deal, report, names, redact=redact, titles=titles, say=say),
        "top_mark": TOP_MARK,
        "left_opacity": LEFT_OPACITY,
        "redacted": redact,
        "titles": titles,
        "people": len(deal.people),
        "ties": len(data["edges"]),
        "stances": [(s.value, STANCE_MARKS[s.value], STANCE_COLOURS[s.value]) for s in Stance],
        "sides": [s.value for s in Side],
        "seller_colour": SELLER_COLOUR,
        "path_colour": PATH_COLOUR,
        "not_reached": NOT_REACHED_COLOUR,
        "kinds": [
            (k.value, KIND_WORDS[k.value], style["color"], _dasharray(style["dashes"]))
            for k in Kind
            for style in [data["kinds"][k.value]]
        ],
        "big": data["big"],
        "cooling": (
            (
                data["cooling"]["words"],
                data["cooling"]["color"],
                _dasharray(data["cooling"]["dashes"]),
            )
            if "cooling" in data
            else None
        ),
        "focused": data["focused"],
        "shown": len(data["focus"]) if data["focused"] else len(deal.people),
    }
    # The page data (most of the page: 12 MB for 5,000 people) goes in after the
    # template, in one concatenation: through Jinja2 and markupsafe it was copied
    # three times more.
    rendered: str = _template().render(context)
    head, slot, tail = rendered.partition(_DATA_SLOT)
    assert slot and _DATA_SLOT not in tail, "the template has one data slot"
    return head + _script_json(data) + tail


#: Where the page data goes. No user text can hold it: the template escapes every "<".
_DATA_SLOT = "<influence-map-data/>"


def _dasharray(dashes: Any) -> str:
    return " ".join(str(d) for d in dashes) if dashes else "none"
