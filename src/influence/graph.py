"""The graph view of a deal: one ``networkx.MultiDiGraph`` that every analysis shares.

This module is the only owner of node and edge attribute names.

Nodes are person ids, in file order, with these attributes:

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
relationship ``from -> to`` is one edge in that direction; symmetric kinds
(``knows``, ``conflicts_with``) are stored once, in the direction written, and
:func:`is_symmetric` tells how to read them. A ``reports_to`` shorthand on a
person becomes a ``reports_to`` edge. Edge attributes: ``kind``, ``strength``,
``context``, ``last_contact``, ``notes``, and ``declared`` (False for edges made
from the shorthand).

Examples:
    >>> from influence.model import Deal
    >>> deal = Deal.model_validate({
    ...     "deal": {"name": "Tiny"},
    ...     "people": [{"name": "Ann", "reports_to": "bo"}, {"name": "Bo"}],
    ... })
    >>> g = to_networkx(deal)
    >>> list(g.edges(keys=True))
    [('ann', 'bo', 'reports_to')]
"""

from __future__ import annotations

import networkx as nx

from influence.model import DEFAULT_STRENGTH, SYMMETRIC_KINDS, Deal, Kind

__all__ = ["is_symmetric", "to_networkx"]


def is_symmetric(kind: str) -> bool:
    """True for kinds that hold both ways (``knows``, ``conflicts_with``)."""
    return Kind(kind) in SYMMETRIC_KINDS


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
    g = nx.MultiDiGraph(deal_id=deal.id, name=deal.deal.name)
    for p in deal.people:
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
    for p in deal.people:
        if p.reports_to and not g.has_edge(p.id, p.reports_to, key=Kind.REPORTS_TO.value):
            g.add_edge(
                p.id,
                p.reports_to,
                key=Kind.REPORTS_TO.value,
                kind=Kind.REPORTS_TO.value,
                strength=DEFAULT_STRENGTH[Kind.REPORTS_TO],
                context=None,
                last_contact=None,
                notes=None,
                declared=False,
            )
    for r in deal.relationships:
        kind = r.kind.value
        a, b = r.from_, r.to
        if r.kind in SYMMETRIC_KINDS and g.has_edge(b, a, key=kind):
            a, b = b, a  # the model merged repeats; keep one edge per pair
        g.add_edge(
            a,
            b,
            key=kind,
            kind=kind,
            strength=r.strength,
            context=r.context,
            last_contact=r.last_contact,
            notes=r.notes,
            declared=True,
        )
    return g
