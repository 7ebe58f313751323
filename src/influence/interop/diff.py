r"""What changed between two versions of a deal: people, ties, and the risk they make.

People are matched by id and ties by ``(from, to, kind)``; ``knows`` and
``conflicts_with`` hold both ways, so ``a knows b`` and ``b knows a`` are one
tie. A person's ``reports_to`` shorthand is a ``reports_to`` tie here, as in the
graph. The risk part runs the analysis on both versions and reports the grade,
score and signals that appeared or went away.

Examples:
    >>> from influence.io import parse_deal
    >>> old = parse_deal("deal: {name: T}\npeople: [{name: Ann, stance: neutral}, {name: Bo}]")
    >>> new = parse_deal('''
    ... deal: {name: T}
    ... people: [{name: Ann, stance: ally}, {name: Bo}, {name: Cy}]
    ... relationships: [{from: bo, to: ann}]
    ... ''')
    >>> print(to_text(diff_deals(old, new, risk=False)), end="")
    + person cy (Cy)
    ~ person ann: stance 'neutral' -> 'ally'
    + tie ann knows bo (0.5)
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from influence.errors import DealFileError
from influence.graph import DealGraph, deal_graph
from influence.graph import Tie as GraphTie
from influence.io import DEAL_SUFFIXES, _check_text, format_of, read_text
from influence.model import (
    CHECKLIST_ITEMS,
    PERSON_KEYS,
    TIE_DETAILS,
    BuyingSignal,
    Competitor,
    Deal,
    DealInfo,
    Fact,
    Person,
    Policy,
    Refusal,
    Side,
    Touchpoint,
    slugify,
)
from influence.warmth import explain, touchpoints_by_pair

if TYPE_CHECKING:
    from influence.analysis.report import DealReport

__all__ = [
    "DealDiff",
    "FieldChange",
    "PersonChange",
    "PersonRef",
    "RiskChange",
    "SignalRef",
    "Tie",
    "TieChange",
    "TouchpointCount",
    "WarmthChange",
    "diff_deals",
    "read_deal_sniffed",
    "to_text",
]

Value = str | float | list[str] | None

#: Person fields a diff compares (``reports_to`` is compared as a tie).
PERSON_FIELDS: tuple[str, ...] = tuple(k for k in PERSON_KEYS if k not in ("id", "reports_to"))
#: Deal fields a diff compares.
DEAL_FIELDS: tuple[str, ...] = (
    "name",
    "account",
    "stage",
    "value",
    "currency",
    "close_date",
    "owner",
    "as_of",
)
#: Tie fields a diff compares.
TIE_FIELDS: tuple[str, ...] = TIE_DETAILS


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class FieldChange(_Result):
    """One field's old and new value (None: not set)."""

    field: str
    old: Value
    new: Value


class PersonRef(_Result):
    """A person added or removed."""

    id: str
    name: str


class PersonChange(_Result):
    """A person whose fields changed."""

    id: str
    name: str
    changes: list[FieldChange]


class Tie(_Result):
    """A tie added or removed; symmetric kinds list their ends sorted."""

    from_: str = Field(alias="from")
    to: str
    kind: str
    strength: float
    context: str | None = None
    last_contact: date | None = None


class TieChange(_Result):
    """A tie whose strength, context, last contact or notes changed."""

    from_: str = Field(alias="from")
    to: str
    kind: str
    changes: list[FieldChange]


class TouchpointCount(_Result):
    """Touchpoints added or removed between one of ours and one of theirs: how many, when."""

    people: list[str] = Field(description="The two people's ids, sorted.")
    count: int
    first: date = Field(description="The earliest day among them.")
    last: date = Field(description="The latest day among them.")


class WarmthChange(_Result):
    """A tie whose effective strength moved (docs/analysis.md, "Warmth from touchpoints")."""

    from_: str = Field(alias="from")
    to: str
    kind: str
    old: float = Field(description="The effective strength in the old version.")
    new: float = Field(description="The effective strength in the new version.")
    old_explanation: str = Field(description="The old warmth in one sentence.")
    explanation: str = Field(description="The new warmth in one sentence.")


class SignalRef(_Result):
    """A risk signal by its code and people."""

    code: str
    people: list[str]


class RiskChange(_Result):
    """The risk before and after."""

    old_score: int
    new_score: int
    old_grade: str
    new_grade: str
    signals_added: list[SignalRef] = Field(default_factory=list)
    signals_removed: list[SignalRef] = Field(default_factory=list)
    old_step: str | None = Field(
        default=None, description="The buying step the old version's stage maps to (None: none)."
    )
    new_step: str | None = Field(
        default=None, description="The buying step the new version's stage maps to (None: none)."
    )

    @property
    def score_change(self) -> int:
        """New score minus old."""
        return self.new_score - self.old_score


class DealDiff(_Result):
    """Everything that changed between two versions of a deal.

    ``model_dump(mode="json", by_alias=True)`` is what ``influence diff --json`` prints.
    """

    deal: list[FieldChange] = Field(default_factory=list)
    people_added: list[PersonRef] = Field(default_factory=list)
    people_removed: list[PersonRef] = Field(default_factory=list)
    people_changed: list[PersonChange] = Field(default_factory=list)
    ties_added: list[Tie] = Field(default_factory=list)
    ties_removed: list[Tie] = Field(default_factory=list)
    ties_changed: list[TieChange] = Field(default_factory=list)
    risk: RiskChange | None = Field(
        default=None, description="None when the risk was not computed."
    )
    # -- issue 13: touchpoints and warmth (left out of the JSON when empty) -----------
    touchpoints_added: list[TouchpointCount] = Field(
        default_factory=list,
        description="Touchpoints only the new version has, per pair of one of ours and another.",
        exclude_if=lambda rows: not rows,
    )
    touchpoints_removed: list[TouchpointCount] = Field(
        default_factory=list,
        description="Touchpoints only the old version has, per pair.",
        exclude_if=lambda rows: not rows,
    )
    warmth_changed: list[WarmthChange] = Field(
        default_factory=list,
        description="Ties of both versions, either with touchpoints, whose warmth moved.",
        exclude_if=lambda rows: not rows,
    )

    @property
    def is_empty(self) -> bool:
        """True when the two versions hold the same deal, people, ties and touchpoints."""
        return not (
            self.deal
            or self.people_added
            or self.people_removed
            or self.people_changed
            or self.ties_added
            or self.ties_removed
            or self.ties_changed
            or self.touchpoints_added
            or self.touchpoints_removed
            or self.warmth_changed
        )


def _value(value: Any) -> Value:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        # Roles are a set: written in another order they are the same roles.
        return sorted(_item(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    return str(getattr(value, "value", value))


def _item(value: Any) -> str:
    """One entry of a list field in a line of its own words (refusals, buying signals...)."""
    if isinstance(value, Refusal):
        when = f" {value.as_of.isoformat()}" if value.as_of else ""
        if value.resolved is False:
            return f"{value.kind.value}{when} (open)"
        done = f" {value.resolved.isoformat()}" if isinstance(value.resolved, date) else ""
        return f"{value.kind.value}{when} (resolved{done})"
    if isinstance(value, BuyingSignal):
        return f"{value.kind.value} {value.date.isoformat()}"
    if isinstance(value, Competitor):
        return value.name + (" (incumbent)" if value.incumbent else "")
    return str(getattr(value, "value", value))


def _fact(fact: Fact | None) -> str | None:
    """A checklist fact as one value: its text, then who told us and when."""
    return None if fact is None else fact.summary()


def _deal_changes(old: DealInfo, new: DealInfo) -> list[FieldChange]:
    """The deal's own fields, then each checklist fact (``facts.budget``), then competitors."""
    out = _changes(old, new, DEAL_FIELDS)
    for item in CHECKLIST_ITEMS:
        a, b = _fact(old.facts.get(item)), _fact(new.facts.get(item))
        if a != b:
            out.append(FieldChange(field=f"facts.{item}", old=a, new=b))
    a_list, b_list = _value(old.competitors), _value(new.competitors)
    if a_list != b_list:
        out.append(FieldChange(field="competitors", old=a_list or None, new=b_list or None))
    return out


def _changes(old: Any, new: Any, fields: tuple[str, ...]) -> list[FieldChange]:
    out = []
    for name in fields:
        a, b = _value(getattr(old, name)), _value(getattr(new, name))
        if a != b:
            out.append(FieldChange(field=name, old=a, new=b))
    return out


def _ties(deal: Deal) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Ties keyed by (from, to, kind), symmetric kinds with their ends sorted."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for t in deal_graph(deal).ties:
        a, b = t.from_, t.to
        if t.symmetric:
            a, b = sorted((a, b))
        out[(a, b, t.kind.value)] = t._asdict()
    return out


def diff_deals(
    old: Deal, new: Deal, *, policy: Policy | None = None, risk: bool = True
) -> DealDiff:
    r"""Compare two versions of a deal.

    Args:
        old: The earlier version.
        new: The later version.
        policy: The team policy for the risk part (each deal's own ``policy:`` wins).
        risk: Also analyse both versions and compare grade, score and signals.

    Returns:
        The changes; people sorted by id, ties by ``(from, to, kind)`` and signals
        by code and people, so reordering a file changes nothing.

    Examples:
        >>> from influence.io import parse_deal
        >>> old = parse_deal("deal: {name: T}\npeople: [{name: A, influence: 0.5}]")
        >>> new = parse_deal("deal: {name: T}\npeople: [{name: A, influence: high}]")
        >>> diff_deals(old, new, risk=False).people_changed[0].changes
        [FieldChange(field='influence', old=0.5, new=0.85)]
        >>> diff_deals(old, old).risk.score_change
        0
    """
    before: dict[str, Person] = old.people_by_id()
    after: dict[str, Person] = new.people_by_id()
    added = [PersonRef(id=i, name=after[i].name) for i in sorted(after) if i not in before]
    removed = [PersonRef(id=i, name=before[i].name) for i in sorted(before) if i not in after]
    changed = []
    for pid in sorted(after):
        if pid in before:
            found = _changes(before[pid], after[pid], PERSON_FIELDS)
            if found:
                changed.append(PersonChange(id=pid, name=after[pid].name, changes=found))
    old_ties, new_ties = _ties(old), _ties(new)

    def tie(key: tuple[str, str, str], attrs: dict[str, Any]) -> Tie:
        return Tie.model_validate(
            {
                "from": key[0],
                "to": key[1],
                "kind": key[2],
                "strength": attrs["strength"],
                "context": attrs["context"],
                "last_contact": attrs["last_contact"],
            }
        )

    ties_changed = []
    for key, attrs in sorted(new_ties.items()):
        if key in old_ties:
            found = [
                FieldChange(field=f, old=_value(old_ties[key][f]), new=_value(attrs[f]))
                for f in TIE_FIELDS
                if _value(old_ties[key][f]) != _value(attrs[f])
            ]
            if found:
                ties_changed.append(
                    TieChange.model_validate(
                        {"from": key[0], "to": key[1], "kind": key[2], "changes": found}
                    )
                )
    touches_added, touches_removed = _touchpoints(old, new)
    return DealDiff(
        touchpoints_added=touches_added,
        touchpoints_removed=touches_removed,
        warmth_changed=_warmth_changes(old, new, policy),
        deal=_deal_changes(old.deal, new.deal),
        people_added=added,
        people_removed=removed,
        people_changed=changed,
        ties_added=[tie(k, a) for k, a in sorted(new_ties.items()) if k not in old_ties],
        ties_removed=[tie(k, a) for k, a in sorted(old_ties.items()) if k not in new_ties],
        ties_changed=ties_changed,
        risk=_risk(old, new, policy) if risk else None,
    )


def _touch_key(t: Touchpoint) -> tuple[object, ...]:
    """A touchpoint's identity: all it says, its people as a set."""
    return (
        t.date,
        t.kind.value,
        tuple(sorted(t.people)),
        t.direction.value if t.direction else None,
        t.channel,
        t.notes,
        t.source,
    )


def _touch_counts(deal: Deal, touches: list[Touchpoint]) -> list[TouchpointCount]:
    """Touchpoints per pair of one of ours (seller side) and one other person, sorted."""
    sides = {p.id: p.side for p in deal.people}
    days = {
        pair: [t.date for t in touched]
        for pair, touched in touchpoints_by_pair(touches).items()
        # one of ours and one other (not two of ours)
        if (sides.get(pair[0]) is Side.SELLER) + (sides.get(pair[1]) is Side.SELLER) == 1
    }
    return [
        TouchpointCount(people=list(pair), count=len(found), first=min(found), last=max(found))
        for pair, found in sorted(days.items())
    ]


def _touchpoints(old: Deal, new: Deal) -> tuple[list[TouchpointCount], list[TouchpointCount]]:
    """The touchpoints only the new version has, and only the old one has, per pair."""
    if not old.touchpoints and not new.touchpoints:
        return [], []
    from collections import Counter

    before = Counter(map(_touch_key, old.touchpoints))
    after = Counter(map(_touch_key, new.touchpoints))
    added, removed = [], []
    for t in new.touchpoints:
        key = _touch_key(t)
        if before[key] > 0:
            before[key] -= 1
        else:
            added.append(t)
    for t in old.touchpoints:
        key = _touch_key(t)
        if after[key] > 0:
            after[key] -= 1
        else:
            removed.append(t)
    return _touch_counts(new, added), _touch_counts(old, removed)


def _warmth_changes(old: Deal, new: Deal, policy: Policy | None) -> list[WarmthChange]:
    """Ties in both versions whose effective strength moved, when either has touchpoints."""
    if not old.touchpoints and not new.touchpoints:
        return []
    a, b = deal_graph(old, policy), deal_graph(new, policy)

    def by_key(graph: DealGraph) -> dict[tuple[str, str, str], GraphTie]:
        out: dict[tuple[str, str, str], GraphTie] = {}
        for t in graph.ties:
            x, y = sorted((t.from_, t.to)) if t.symmetric else (t.from_, t.to)
            out.setdefault((x, y, t.kind.value), t)
        return out

    before, after = by_key(a), by_key(b)
    out = []
    for key, tie in sorted(after.items()):
        was = before.get(key)
        if was is None:
            continue
        w_old, w_new = a.warmth(was), b.warmth(tie)
        if w_old.effective != w_new.effective:
            out.append(
                WarmthChange.model_validate(
                    {
                        "from": key[0],
                        "to": key[1],
                        "kind": key[2],
                        "old": w_old.effective,
                        "new": w_new.effective,
                        "old_explanation": explain(w_old),
                        "explanation": explain(w_new),
                    }
                )
            )
    return out


def _risk(old: Deal, new: Deal, policy: Policy | None) -> RiskChange:
    from influence.analysis.report import analyze

    a, b = analyze(old, policy), analyze(new, policy)
    before, after = _signals(a), _signals(b)
    return RiskChange(
        old_score=a.risk.score,
        new_score=b.risk.score,
        old_grade=a.risk.grade,
        new_grade=b.risk.grade,
        signals_added=[s for k, s in sorted(after.items()) if k not in before],
        signals_removed=[s for k, s in sorted(before.items()) if k not in after],
        old_step=a.step,
        new_step=b.step,
    )


def _signals(report: DealReport) -> dict[tuple[str, ...], SignalRef]:
    # Signal.identity: a deal-wide signal whose people change is still the same signal.
    out: dict[tuple[str, ...], SignalRef] = {}
    for s in report.signals:
        out.setdefault(s.identity(), SignalRef(code=s.code, people=list(s.people)))
    return out


def _show(value: Value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


def _fields(changes: list[FieldChange]) -> str:
    return "; ".join(f"{c.field} {_show(c.old)} -> {_show(c.new)}" for c in changes)


def _touches(c: TouchpointCount) -> str:
    """``touchpoints li-wei zhang-min: 3 (2026-10-01 to 2026-11-15)``."""
    when = c.first.isoformat()
    if c.last != c.first:
        when += f" to {c.last.isoformat()}"
    return f"touchpoints {c.people[0]} {c.people[1]}: {c.count} ({when})"


def to_text(diff: DealDiff) -> str:
    """Return a diff as lines for a terminal: ``+`` added, ``-`` removed, ``~`` changed.

    The answer first: the change in risk and the signals added and removed (when
    the diff has its risk part), then each change to the deal, its people and ties.

    Examples:
        >>> print(to_text(DealDiff()), end="")
        no changes
    """
    lines: list[str] = []
    risk = diff.risk
    if risk is not None:
        delta = risk.score_change
        lines.append(
            f"risk: {risk.old_grade} {risk.old_score} -> {risk.new_grade} {risk.new_score} "
            f"({delta:+d})"
        )
        if risk.old_step != risk.new_step:
            lines.append(f"step: {risk.old_step or '(none)'} -> {risk.new_step or '(none)'}")
        for s in risk.signals_added:
            lines.append(f"+ signal {s.code}" + (f" ({', '.join(s.people)})" if s.people else ""))
        for s in risk.signals_removed:
            lines.append(f"- signal {s.code}" + (f" ({', '.join(s.people)})" if s.people else ""))
    changes: list[str] = []
    if diff.deal:
        changes.append(f"~ deal: {_fields(diff.deal)}")
    changes += [f"+ person {p.id} ({p.name})" for p in diff.people_added]
    changes += [f"- person {p.id} ({p.name})" for p in diff.people_removed]
    changes += [f"~ person {p.id}: {_fields(p.changes)}" for p in diff.people_changed]
    changes += [f"+ tie {t.from_} {t.kind} {t.to} ({t.strength:g})" for t in diff.ties_added]
    changes += [f"- tie {t.from_} {t.kind} {t.to} ({t.strength:g})" for t in diff.ties_removed]
    changes += [f"~ tie {t.from_} {t.kind} {t.to}: {_fields(t.changes)}" for t in diff.ties_changed]
    changes += [f"+ {_touches(c)}" for c in diff.touchpoints_added]
    changes += [f"- {_touches(c)}" for c in diff.touchpoints_removed]
    changes += [
        f"~ warmth {w.from_} {w.kind} {w.to}: {w.old:g} -> {w.new:g} ({w.explanation})"
        for w in diff.warmth_changed
    ]
    lines += changes or ["no changes"]
    return "\n".join(lines) + "\n"


def read_deal_sniffed(path: str | os.PathLike[str]) -> Deal:
    """Read a deal from any path, telling YAML from JSON by the content when the name cannot.

    ``influence diff <(git show HEAD~1:deal.yaml) deal.yaml`` passes ``/dev/fd/63``,
    a path without an extension: text starting with ``{`` is read as JSON, anything
    else as YAML.

    Args:
        path: A file, a named pipe or ``/dev/fd/N``; read once.

    Returns:
        The deal.

    Raises:
        DealFileError: the file cannot be read or is not a valid deal (located).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "HEAD-deal"
        >>> _ = p.write_text('{"deal": {"name": "T"}}', encoding="utf-8")
        >>> read_deal_sniffed(p).deal.name
        'T'
    """
    name = str(path)
    text = read_text(path, streams=True)
    named = Path(name).suffix.lower() in DEAL_SUFFIXES
    default_id = slugify(Path(name).stem) if named else None
    result = _check_text(text, format_of(name, text), name, default_id)
    if not result.ok or result.deal is None:
        raise DealFileError(name, result.errors)
    return result.deal
