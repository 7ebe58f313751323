"""A tie's warmth as docs/analysis.md writes it, touch by touch: the tests' oracle.

Written apart from :mod:`influence.warmth` (no numpy, no columns), for the tests
that check the deal graph against the rule as written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from influence.model import Policy, TouchKind


def warmth_by_the_docs(
    stated: float,
    touches: list[dict[str, Any]],
    as_of: date,
    deal: list[dict[str, Any]],
    rules: Policy | None = None,
) -> float:
    """docs/analysis.md's formula, touch by touch (``rules``: the default policy).

    ``touches``: the tie's; ``deal``: every touchpoint of the deal (whose sources are ours).
    """
    rules = rules or Policy()
    up_to = [t for t in touches if date.fromisoformat(t["date"]) <= as_of]
    if not up_to:
        return stated
    directed = {"email", "message"}
    mine = {t.get("source") for t in deal if t.get("direction") == "sent"} - {None}
    replied = any(
        t["kind"] in directed
        and (
            t.get("direction") == "received"
            or (
                t.get("direction") == "sent"
                and t.get("in_reply_to") is not None
                and t["in_reply_to"] not in mine
            )
        )
        for t in up_to
    )
    mass = 0.0
    for t in up_to:
        kind = TouchKind(t["kind"])
        days = (as_of - date.fromisoformat(t["date"])).days
        w = rules.touch_weight[kind] * 0.5 ** (days / rules.touch_half_life_days[kind])
        one_way = t["kind"] in directed and t.get("direction") == "sent" and not replied
        mass += w * (rules.one_way_weight if one_way else 1.0)
    first = min(date.fromisoformat(t["date"]) for t in up_to)
    mass *= 0.5 + 0.5 * min(1.0, (as_of - first).days / rules.tie_age_full_days)
    evidence = mass / (1.0 + mass)
    last = max(date.fromisoformat(t["date"]) for t in up_to)
    on_last = [TouchKind(t["kind"]) for t in up_to if date.fromisoformat(t["date"]) == last]
    kind = max(on_last, key=lambda k: (-rules.touch_weight[k], k.value))
    fresh = 0.5 ** ((as_of - last).days / rules.touch_half_life_days[kind])
    return round(1.0 - (1.0 - stated * fresh) * (1.0 - evidence), 3)
