r"""What undoes an edit of the served editor: the edits that put the file's data back.

An edit of the API (person or tie add, set, rm) answers with the steps that undo
it, found by comparing the file's data before and after the edit: a person set
is undone by setting the old values again (null where the field was absent), a
removal by adding back what it removed (the person, then their ties, then the
``reports_to`` of the people who reported to them), an add by removing it. The
editor page keeps these on its undo stack and runs them through the same edit
routes, with the version check, so an undo is an edit like any other: validated,
byte-preserving, refused on a stale version. What no edit route can put back
(the deal's owner, a person's refusals or buying signals) is named in
``missing``, never dropped silently.

Examples:
    >>> from influence.interop.edit import parse_editable
    >>> doc = parse_editable("deal: {name: T}\npeople:\n  - {name: Ann, stance: ally}\n")
    >>> before = snapshot(doc)
    >>> _ = doc.set_person("ann", {"stance": "blocker", "title": "CFO"})
    >>> undo_steps(before, snapshot(doc)).steps
    [{'op': 'person-set', 'person': 'ann', 'fields': {'stance': 'ally', 'title': None}}]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from influence.interop.edit import EditableDeal

__all__ = ["Snapshot", "Undo", "snapshot", "undo_steps"]

#: The order undo steps run in: people first (ties refer to them), removals last.
_ORDER = ("person-add", "tie-add", "person-set", "tie-set", "tie-rm", "person-rm")
_TIE_ENDS = ("from", "to", "kind")


@dataclass(frozen=True)
class Snapshot:
    """The parts of a deal file's data an edit of the editor can change.

    Each person and tie is a shallow copy: an edit replaces values, never changes
    one in place, so the snapshot stays as it was however the edit goes.
    """

    ids: list[str]
    people: list[Any]
    ties: list[Any]
    owner: Any


@dataclass
class Undo:
    """The steps that undo an edit, and what they cannot put back.

    Attributes:
        steps: Edits in the API's terms, run in order: ``op`` (person-add,
            person-set, person-rm, tie-add, tie-set, tie-rm), ``person`` or the
            tie's ``from``, ``to`` and ``kind``, and ``fields`` (a person's or
            tie's fields to add, or the changes of a set).
        missing: What the steps cannot restore, such as ``deal.owner`` or
            ``ann.refusals``.
    """

    steps: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def snapshot(doc: EditableDeal) -> Snapshot:
    r"""The people, ties and owner of an editable deal as they are now.

    Args:
        doc: The deal file open for edits.

    Returns:
        A snapshot that later edits of ``doc`` leave as it is.

    Examples:
        >>> from influence.interop.edit import parse_editable
        >>> snapshot(parse_editable("deal: {name: T}\npeople: [{name: Ann Lee}]")).ids
        ['ann-lee']
    """
    data = doc.data
    people = data.get("people")
    ties = data.get("relationships")
    info = data.get("deal")
    return Snapshot(
        ids=doc.person_ids(),
        people=[_copy(p) for p in people] if isinstance(people, list) else [],
        ties=[_copy(t) for t in ties] if isinstance(ties, list) else [],
        owner=info.get("owner") if isinstance(info, dict) else None,
    )


def _copy(item: Any) -> Any:
    return dict(item) if isinstance(item, dict) else item


def _plain(value: Any) -> bool:
    """Whether an edit route can write ``value`` back: a scalar, or a list of scalars."""
    if isinstance(value, list):
        return all(not isinstance(v, list | dict) for v in value)
    return not isinstance(value, dict)


def _fields(
    item: dict[str, Any], skip: tuple[str, ...], who: str, missing: list[str]
) -> dict[str, Any]:
    out = {}
    for key, value in item.items():
        if key in skip:
            continue
        if _plain(value):
            out[key] = value
        else:
            missing.append(f"{who}.{key}")
    return out


def _tie_label(tie: dict[str, Any]) -> str:
    return f"tie {tie.get('from')} {tie.get('kind', 'knows')} {tie.get('to')}"


def _tie_step(op: str, tie: dict[str, Any], fields: dict[str, Any] | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {
        "op": op,
        "from": str(tie.get("from")),
        "to": str(tie.get("to")),
        "kind": str(tie.get("kind", "knows")),
    }
    if fields is not None:
        step["fields"] = fields
    return step


def _tie_changes(before: list[Any], after: list[Any]) -> tuple[list[Any], list[Any], list[int]]:
    """Ties removed, ties added, and indexes changed in place, from before to after.

    An edit removes ties, appends them, or changes one in place, so one walk in
    file order finds which (the lists are long in a big deal: no quadratic diff).
    """
    if len(before) == len(after):
        return [], [], [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
    removed: list[Any] = []
    j = 0
    for tie in before:
        if j < len(after) and after[j] == tie:
            j += 1
        else:
            removed.append(tie)
    return removed, after[j:], []


def undo_steps(before: Snapshot, after: Snapshot) -> Undo:
    r"""The edits that take a deal's data from ``after`` back to ``before``.

    Args:
        before: The snapshot taken before the edit.
        after: The snapshot taken after it.

    Returns:
        The steps, in the order they must run, and what they cannot restore.

    Examples:
        >>> from influence.interop.edit import parse_editable
        >>> doc = parse_editable('''\
        ... deal: {name: T}
        ... people:
        ...   - {name: Ann}
        ...   - {name: Bo, title: CFO, reports_to: ann}
        ... relationships:
        ...   - {from: ann, to: bo, strength: strong}
        ... ''')
        >>> before = snapshot(doc)
        >>> _ = doc.remove_person("ann", cascade=True)
        >>> for step in undo_steps(before, snapshot(doc)).steps:
        ...     print(step["op"], step.get("person") or step["from"], step["fields"])
        person-add ann {'id': 'ann', 'name': 'Ann'}
        tie-add ann {'strength': 'strong'}
        person-set bo {'reports_to': 'ann'}
    """
    undo = Undo()
    old = dict(zip(before.ids, before.people, strict=False))
    new = dict(zip(after.ids, after.people, strict=False))
    steps: list[dict[str, Any]] = []
    for pid, person in old.items():
        if not isinstance(person, dict):
            continue
        if pid not in new:
            fields = _fields(person, ("id",), pid, undo.missing)
            steps.append({"op": "person-add", "person": pid, "fields": {"id": pid, **fields}})
            continue
        now = new[pid]
        if person == now or not isinstance(now, dict):
            continue
        changes = {
            key: person.get(key)
            for key in {**person, **now}
            if key != "id" and person.get(key) != now.get(key)
        }
        for key in [k for k, v in changes.items() if not _plain(v)]:
            undo.missing.append(f"{pid}.{key}")
            del changes[key]
        if changes:
            steps.append({"op": "person-set", "person": pid, "fields": changes})
    for pid in new:
        if pid not in old:
            steps.append({"op": "person-rm", "person": pid})
    removed, added, changed = _tie_changes(before.ties, after.ties)
    for tie in removed:
        if isinstance(tie, dict):
            steps.append(
                _tie_step("tie-add", tie, _fields(tie, _TIE_ENDS, _tie_label(tie), undo.missing))
            )
    for i in changed:
        b, a = before.ties[i], after.ties[i]
        if isinstance(b, dict) and isinstance(a, dict):
            keys = [k for k in {**b, **a} if k not in _TIE_ENDS and b.get(k) != a.get(k)]
            back = {k: b.get(k) for k in keys}
            if a.get("kind", "knows") != b.get("kind", "knows"):  # found by its new kind
                back["kind"] = b.get("kind")  # None where it was not written: knows, by default
            steps.append(_tie_step("tie-set", a, back))
    for tie in added:
        if isinstance(tie, dict):
            steps.append(_tie_step("tie-rm", tie))
    if before.owner != after.owner:
        undo.missing.append("deal.owner")
    undo.steps = sorted(steps, key=lambda s: _ORDER.index(s["op"]))
    return undo
