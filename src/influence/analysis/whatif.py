"""What-if: run the analysis as if some stances or ties were different.

Assumptions are short strings a rep can type on the command line:

=========================  =================================================
``zhang-min=ally``         Zhang Min's stance becomes ally
``zhang-min.influence=high``  her influence becomes high (0.85); also ``.stance``
``li-wei~chen-ceo=strong``  Li Wei gets a recent ``knows`` tie to Chen Jun (default strong)
``liu-ops>chen-ceo=0.7``   Liu gets an ``influences`` tie to Chen Jun
=========================  =================================================
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from influence.analysis.paths import IntroductionPath
from influence.analysis.report import DealReport, Signal, analyze
from influence.errors import InfluenceError
from influence.model import (
    INFLUENCE_WORDS,
    STRENGTH_WORDS,
    Deal,
    Kind,
    Policy,
    Relationship,
    Stance,
)

__all__ = [
    "Assumption",
    "AssumptionError",
    "PathChange",
    "WhatIf",
    "apply_assumptions",
    "parse_assumption",
    "what_if",
]

ASSUMPTION_HELP = (
    "ID=STANCE (zhang-min=ally), ID.stance=STANCE, ID.influence=0.9|high, "
    "A~B[=STRENGTH] for a recent knows tie (li-wei~chen-ceo=strong), "
    "A>B[=STRENGTH] for an influences tie"
)

_TIE = re.compile(r"^\s*([^~>=\s]+)\s*([~>])\s*([^=\s]+)\s*(?:=\s*(\S+))?\s*$")
_FIELD = re.compile(r"^\s*([^.=\s]+)\s*(?:\.(stance|influence))?\s*=\s*(\S+)\s*$")


class AssumptionError(InfluenceError, ValueError):
    """An assumption that cannot be read or applied."""


class Assumption(BaseModel):
    """One what-if assumption, parsed.

    Examples:
        >>> parse_assumption("zhang-min=ally").value
        'ally'
        >>> a = parse_assumption("li-wei~chen-ceo")
        >>> (a.kind, a.person, a.other, a.value)
        ('knows', 'li-wei', 'chen-ceo', '0.9')
    """

    model_config = ConfigDict(frozen=True)

    text: str
    kind: Literal["stance", "influence", "knows", "influences"]
    person: str
    other: str | None = None
    value: str


def parse_assumption(text: str) -> Assumption:
    """Parse one assumption string (see the module docs for the syntax).

    Examples:
        >>> a = parse_assumption("zhang-min.influence=high")
        >>> (a.kind, a.person, a.value)
        ('influence', 'zhang-min', '0.85')

    Raises:
        AssumptionError: the text is not an assumption; the message shows the syntax.
    """
    tie = _TIE.match(text)
    if tie:
        a, arrow, b, value = tie.groups()
        strength = _number(value or "strong", STRENGTH_WORDS, "strength", text)
        kind: Literal["knows", "influences"] = "knows" if arrow == "~" else "influences"
        return Assumption(text=text, kind=kind, person=a, other=b, value=str(strength))
    field = _FIELD.match(text)
    if field:
        pid, name, value = field.groups()
        if name == "influence":
            number = _number(value, INFLUENCE_WORDS, "influence", text)
            return Assumption(text=text, kind="influence", person=pid, value=str(number))
        try:
            stance = Stance(value.lower())
        except ValueError:
            from influence._suggest import did_you_mean

            raise AssumptionError(
                f"{text!r}: {value!r} is not a stance; expected ally, neutral, blocker or "
                f"unknown{did_you_mean(value, [s.value for s in Stance])}"
            ) from None
        return Assumption(text=text, kind="stance", person=pid, value=stance.value)
    raise AssumptionError(f"cannot read the assumption {text!r}; write {ASSUMPTION_HELP}")


def _number(value: str, words: dict[str, float], what: str, text: str) -> float:
    if value.lower() in words:
        return words[value.lower()]
    try:
        number = float(value)
    except ValueError:
        raise AssumptionError(
            f"{text!r}: {value!r} is not a {what}; expected 0..1 or {', '.join(words)}"
        ) from None
    if not 0 <= number <= 1:
        raise AssumptionError(f"{text!r}: {what} must be from 0 to 1, not {value}")
    return number


def apply_assumptions(deal: Deal, assumptions: list[Assumption]) -> Deal:
    """Return a copy of the deal with the assumptions applied; the deal itself is unchanged.

    Raises:
        UnknownPersonError: an assumption names a person the deal does not hold.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x"}, "people": [{"name": "Ann"}]})
        >>> apply_assumptions(deal, [parse_assumption("ann=ally")]).person("ann").stance.value
        'ally'
    """
    data = deal.model_dump(by_alias=True)
    people = {p["id"]: p for p in data["people"]}
    for a in assumptions:
        deal.person(a.person)  # raises UnknownPersonError with a did-you-mean
        if a.other is not None:
            deal.person(a.other)
        if a.kind == "stance":
            people[a.person]["stance"] = a.value
            people[a.person]["assessed"] = deal.as_of()
        elif a.kind == "influence":
            people[a.person]["influence"] = float(a.value)
        else:
            assert a.other is not None
            if a.person == a.other:
                raise AssumptionError(f"{a.text!r}: a tie needs two different people")
            kind = Kind(a.kind)
            data["relationships"] = [
                r
                for r in data["relationships"]
                if not (
                    r["kind"] == kind
                    and (
                        (r["from"], r["to"]) == (a.person, a.other)
                        or (kind is Kind.KNOWS and (r["from"], r["to"]) == (a.other, a.person))
                    )
                )
            ]
            data["relationships"].append(
                Relationship(
                    **{"from": a.person},
                    to=a.other,
                    kind=kind,
                    strength=float(a.value),
                    last_contact=deal.as_of(),
                    context="what-if",
                ).model_dump(by_alias=True)
            )
    data["deal"]["as_of"] = deal.as_of()
    return Deal.model_validate(data)


class PathChange(BaseModel):
    """How the best introduction path to one person changes."""

    model_config = ConfigDict(frozen=True)

    target: str
    before: IntroductionPath | None
    after: IntroductionPath | None


class WhatIf(BaseModel):
    """The analysis before and after the assumptions, and what changed."""

    model_config = ConfigDict(frozen=True)

    assumptions: list[str]
    before: DealReport
    after: DealReport
    score_change: int
    new_signals: list[Signal]
    resolved_signals: list[Signal]
    path_changes: list[PathChange]

    def to_data(self) -> dict[str, Any]:
        """Return what changed as plain data: the ``what_if`` key of ``analyze --assume --json``.

        The report after the assumptions is :attr:`after`; this holds the score and
        grade before, the change, the new and resolved signals and the path changes.

        Examples:
            >>> from influence.model import Deal
            >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
            ...     "people": [{"name": "Li", "side": "seller"},
            ...                {"name": "Chen", "roles": ["decision_maker"]}]})
            >>> data = what_if(deal, ["li~chen=strong"]).to_data()
            >>> list(data)  # doctest: +NORMALIZE_WHITESPACE
            ['score_before', 'grade_before', 'score_change', 'new_signals',
             'resolved_signals', 'path_changes']
            >>> data["score_change"] < 0
            True
        """
        return {
            "score_before": self.before.risk.score,
            "grade_before": self.before.risk.grade,
            "score_change": self.score_change,
            "new_signals": [s.model_dump(mode="json") for s in self.new_signals],
            "resolved_signals": [s.model_dump(mode="json") for s in self.resolved_signals],
            "path_changes": [c.model_dump(mode="json") for c in self.path_changes],
        }


def what_if(
    deal: Deal, assumptions: list[str | Assumption], policy: Policy | None = None
) -> WhatIf:
    """Analyse the deal as it is and as if the assumptions held; report the differences.

    Args:
        deal: The deal.
        assumptions: Assumption strings (see the module docs) or parsed assumptions.
        policy: The team policy.

    Returns:
        Both reports, the change in risk score, new and resolved signals, and the
        best path to every person whose best path changed.

    Raises:
        AssumptionError: an assumption cannot be read.
        UnknownPersonError: an assumption names an unknown person.

    Examples:
        >>> from influence.model import Deal
        >>> deal = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20"},
        ...     "people": [{"name": "Li", "side": "seller"},
        ...                {"name": "Chen", "roles": ["decision_maker"], "stance": "blocker"}]})
        >>> result = what_if(deal, ["chen=ally", "li~chen=strong"])
        >>> sorted(s.code for s in result.resolved_signals)  # still single-threaded
        ['decision-maker-blocker', 'isolated-person', 'negative-support', \
'top-decision-maker-uncovered']
        >>> result.score_change < 0
        True
    """
    parsed = [a if isinstance(a, Assumption) else parse_assumption(a) for a in assumptions]
    changed = apply_assumptions(deal, parsed)
    before = analyze(deal, policy)
    after = analyze(changed, policy)
    after = after.model_copy(update={"assumptions": [a.text for a in parsed]})

    old = {s.identity(): s for s in before.signals}
    new = {s.identity(): s for s in after.signals}
    changes: list[PathChange] = []
    for target in sorted(set(before.paths) | set(after.paths)):
        old_best = before.paths.get(target) or []
        new_best = after.paths.get(target) or []
        b = old_best[0] if old_best else None
        a = new_best[0] if new_best else None
        if b != a:
            changes.append(PathChange(target=target, before=b, after=a))
    return WhatIf(
        assumptions=[a.text for a in parsed],
        before=before,
        after=after,
        score_change=after.risk.score - before.risk.score,
        new_signals=[s for k, s in new.items() if k not in old],
        resolved_signals=[s for k, s in old.items() if k not in new],
        path_changes=changes,
    )
