"""Our ties' warmth trend: :func:`tie_trends`, the rows of the report's ``tie_trends``.

The trend and the cooling rule are the deal graph's (:meth:`influence.graph.DealGraph.trend`,
docs/analysis.md "Trend and cooling"); this module only picks our ties and sorts them.
"""

from __future__ import annotations

from influence.analysis.models import TieTrend, checked
from influence.graph import deal_graph
from influence.model import Deal, Policy, Side
from influence.warmth import explain, explain_trend

__all__ = ["tie_trends"]


def tie_trends(deal: Deal, policy: Policy | None = None) -> list[TieTrend]:
    """Our ties with touchpoints, with their trend: cooling first, the biggest fall first.

    Our ties are those of docs/analysis.md "Our tie" (a seller-side person to a
    customer, neither of whom left); only those with touchpoints up to ``as_of`` have
    a trend. Sorted by cooling first, then the change (the biggest fall first), then
    customer id, seller id and kind. A deal without touchpoints: an empty list.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li", "side": "seller"}, {"name": "Bo"}],
        ...     "relationships": [{"from": "li", "to": "bo", "strength": 0.9}],
        ...     "touchpoints": [{"date": "2026-10-16", "kind": "call",
        ...                      "people": ["li", "bo"]}]})
        >>> (row,) = tie_trends(deal)
        >>> row.customer, row.seller, row.was, row.warmth, row.cooling, row.last_touch_kind
        ('bo', 'li', 0.903, 0.795, True, 'call')
    """
    if not deal.touchpoints:
        return []
    graph = deal_graph(deal, policy)
    rows = []
    for person in deal.people:
        if person.side is not Side.CUSTOMER or person.id in graph.left:
            continue
        for tie in graph.our_ties(person.id):
            found = graph.trend(tie)
            if found is None:
                continue
            warmth = graph.warmth(tie)
            rows.append(
                checked(
                    TieTrend,
                    customer=person.id,
                    seller=tie.other(person.id),
                    kind=tie.kind.value,
                    warmth=found.now,
                    was=found.before,
                    since=found.since,
                    change=found.change,
                    cooling=found.cooling,
                    last_touch=warmth.last_contact,
                    last_touch_kind=warmth.last_kind.value if warmth.last_kind else None,
                    trend=explain_trend(found),
                    explanation=explain(warmth),
                )
            )
    rows.sort(key=lambda r: (not r.cooling, r.change, r.customer, r.seller, r.kind))
    return rows
