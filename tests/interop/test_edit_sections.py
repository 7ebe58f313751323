"""Edits that compose only the items they are about give what the whole-file way gives.

An edit of a person composes a skeleton of the file (the person, the first and
last items of each big list), not the whole file, and reads the new text once.
The whole-file way (every edit on a full copy of the data, the whole file
composed) is what it replaces and still falls back to: on many files and many
random edits, both must leave the same text, data, change lines and errors.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import dump_deal, generate_deal

from influence import _yaml
from influence.interop import edit
from influence.interop.edit import EditableDeal, parse_editable, read_editable, write_editable
from influence.io import _check_text, read_deal
from tests.conftest import EXAMPLES

# A hand-written file in the layouts reps use: comments between and inside items,
# blank lines between items, a flow item, a block scalar, a multi-line flow list, an
# anchor and its alias, and people after relationships.
HAND = """\
version: 1   # the format
# relationships first: this team writes the ties before the people
relationships:
  # ours
  - {from: li-wei, to: ann, kind: knows, strength: 0.8}

  - from: bo
    to: ann
    kind: reports_to
    context: &fair "Hannover fair"   # met there
  - from: li-wei
    to: cy
    context: *fair
  - from: cy
    to: bo
    strength: 0.4

deal:
  name: Hand written
  owner: li-wei
  as_of: 2026-11-20

people:
  # --- customer -------------------------------------------------------
  - id: ann            # the champion
    name: Ann
    title: CFO
    roles: [decision_maker,
            economic_buyer]
    notes: |
      Wants a payback estimate.

      - not a list item: a line of her notes
  - {id: bo, name: Bo, title: Controller}

  - id: cy
    name: Cy
    stance: neutral
  # --- ours -----------------------------------------------------------
  - id: li-wei
    name: Li Wei
    side: seller
"""

# The scan takes the second line of this quoted text for an item of the list: the
# skeleton reads otherwise than the file, and the edit composes the whole file.
QUOTED = """\
deal: {name: Quoted}
people:
- id: a
  name: A
  notes: "first line
- id: fake, still the notes"
- id: b
  name: B
- id: c
  name: C
- id: d
  name: D
"""

# The same in the middle of the list, where the item is left out of the composed text.
QUOTED_MIDDLE = """\
deal: {name: Quoted}
people:
- id: a
  name: A
- id: b
  name: B
  notes: 'one line
- id: fake, still the notes'
- id: c
  name: C
- {id: d, name: D}
- id: e
  name: E
relationships:
- {from: a, to: b}
- {from: b, to: c}
- {from: c, to: d}
- {from: d, to: e}
"""

_FIELDS: dict[str, list[Any]] = {
    "stance": ["ally", "neutral", "blocker", "unknown", ""],
    "notes": ["round trip", "a: b # not a comment", "two\nlines", "", "Zhang Min's 'note'"],
    "title": ["CFO", "Head of IT", ""],
    "influence": ["high", 0.35, "low", ""],
    "roles": ["decision_maker, champion", ["user"], ""],
    "assessed": ["2026-11-04", ""],
}
_TIE_FIELDS: dict[str, list[Any]] = {
    "strength": ["strong", 0.5, "weak", ""],
    "context": ["trade fair", "", "ex-colleagues, 2019"],
    "last_contact": ["2026-10-01", ""],
}


def _documents() -> list[tuple[str, str]]:
    docs = [("hand", HAND), ("quoted", QUOTED), ("quoted-middle", QUOTED_MIDDLE)]
    docs.append(("hand-crlf", HAND.replace("\n", "\r\n")))
    docs += [(path.name, path.read_text(encoding="utf-8")) for path in EXAMPLES]
    for n, seed in ((4, 1), (30, 2)):
        docs.append((f"generated-{n}", dump_deal(generate_deal(n, seed=seed))))
    docs.append(("indented", _indented(dump_deal(generate_deal(12, seed=5)))))
    return docs


def _indented(text: str) -> str:
    """The top-level lists indented by two, a blank line and a comment before each item."""
    lines = []
    in_list = False
    for line in text.splitlines(keepends=True):
        if not line.startswith((" ", "-")):
            in_list = line.rstrip().endswith(":") and line.split(":")[0] != "deal"
        elif in_list:
            if line.startswith("- "):
                lines.append("\n  # next\n")
            line = "  " + line
        lines.append(line)
    return "".join(lines)


@contextmanager
def _whole_file_way(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every edit the whole-file way (the skeleton refused: the fallback runs)."""

    def refuse(*args: Any) -> Any:
        raise RuntimeError("the whole-file way")

    with monkeypatch.context() as m:
        m.setattr(edit, "_skeleton", refuse)
        yield


def _random_edit(rng: random.Random, doc: EditableDeal) -> Callable[[EditableDeal], Any]:
    ids = [i for i in doc.person_ids() if i]
    ties = [
        (r.get("from"), r.get("to"), r.get("kind", "knows"))
        for r in doc.data.get("relationships") or []
        if isinstance(r, dict)
    ]
    which = rng.choice(["set"] * 5 + ["add", "tie", "tie-set", "tie-rm", "rm"])
    if which == "set" or not ids:
        pid = rng.choice([ids[0], ids[-1], rng.choice(ids)]) if ids else "nobody"
        keys = rng.sample(sorted(_FIELDS), rng.randint(1, 3))
        changes = {k: rng.choice(_FIELDS[k]) for k in keys}
        if rng.random() < 0.1:
            changes["name"] = f"Renamed {rng.randint(1, 99)}"
        return lambda d: d.set_person(pid, changes)
    if which == "add":
        name = f"New Person {rng.randint(1, 10**6)}"
        fields = {"name": name, "title": "Buyer", "stance": rng.choice(_FIELDS["stance"])}
        return lambda d: d.add_person(fields)
    a, b = rng.choice(ids), rng.choice(ids)
    kind = rng.choice(["knows", "influences", "conflicts_with"])
    if which == "tie" or not ties:
        strength = rng.choice([0.2, "strong"])
        return lambda d: d.add_tie(a, b, kind=kind, strength=strength)
    f, t, k = rng.choice(ties)
    if which == "tie-set":
        key = rng.choice(sorted(_TIE_FIELDS))
        value = rng.choice(_TIE_FIELDS[key])
        return lambda d: d.set_tie(str(f), str(t), {key: value}, kind=str(k))
    if which == "tie-rm":
        return lambda d: d.remove_tie(str(f), str(t), kind=str(k))
    pid = rng.choice(ids)
    cascade = rng.random() < 0.8
    return lambda d: d.remove_person(pid, cascade=cascade)


def _outcome(doc: EditableDeal, change: Callable[[EditableDeal], Any]) -> tuple[Any, ...]:
    try:
        answer: Any = change(doc)
    except Exception as err:  # both ways must fail alike
        answer = (type(err).__name__, str(err))
    return answer, doc.text, doc.data, list(doc.changes)


@pytest.mark.parametrize(("name", "text"), [pytest.param(*d, id=d[0]) for d in _documents()])
def test_edits_equal_the_whole_file_way(
    name: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(name)
    fast, whole = parse_editable(text), parse_editable(text)
    for _ in range(40 if name.startswith("generated") else 25):
        change = _random_edit(rng, fast)
        mine = _outcome(fast, change)
        with _whole_file_way(monkeypatch):
            theirs = _outcome(whole, change)
        assert mine == theirs
    assert fast.changes  # the edits did something
    result = fast.check()
    fresh = _check_text(fast.text, "yaml", fast.source, None)
    assert (result.deal, result.problems) == (fresh.deal, fresh.problems)


def test_edits_of_plain_layouts_compose_only_their_items(monkeypatch: pytest.MonkeyPatch) -> None:
    whole: list[str] = []
    composed: list[str] = []
    real_whole, real_compose = EditableDeal._apply_whole, _yaml.compose_data

    def spy_whole(self: EditableDeal, step: Any) -> None:
        whole.append("whole")
        real_whole(self, step)

    def spy_compose(text: str) -> Any:
        composed.append(text)
        return real_compose(text)

    monkeypatch.setattr(EditableDeal, "_apply_whole", spy_whole)
    monkeypatch.setattr(_yaml, "compose_data", spy_compose)
    for text in [HAND, dump_deal(generate_deal(30, seed=2)), *(p.read_text() for p in EXAMPLES)]:
        doc = parse_editable(text)
        ids = doc.person_ids()
        for pid in (ids[0], ids[len(ids) // 2], ids[-1]):
            doc.set_person(pid, {"notes": "seen", "stance": "ally"})
        doc.add_person({"name": "Zed Quist"})
        doc.add_tie(ids[1], "zed-quist")
        doc.set_tie(ids[1], "zed-quist", {"strength": "strong"})
        doc.remove_person("zed-quist", cascade=True)
        assert doc.check().ok
    assert whole == []  # no edit fell back to the whole-file way
    assert composed


def test_the_composed_text_leaves_out_the_other_people() -> None:
    text = dump_deal(generate_deal(30, seed=2))
    doc = parse_editable(text)
    middle = doc.person_ids()[15]
    seen: list[str] = []
    real = _yaml.compose_data

    def spy(composed: str) -> Any:
        seen.append(composed)
        return real(composed)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(_yaml, "compose_data", spy)
        doc.set_person(middle, {"stance": "blocker"})
    composed = seen[0]  # then the new text, to prove the rest unchanged
    people = [p["id"] for p in _yaml.load(composed)["people"]]
    ids = doc.person_ids()
    assert people == [ids[0], middle, ids[-1]]
    assert len(composed) < len(text) / 3


def test_a_misread_layout_composes_the_whole_file() -> None:
    doc = parse_editable(QUOTED)
    doc.set_person("c", {"stance": "ally"})
    assert doc.data["people"][0]["notes"] == "first line - id: fake, still the notes"
    assert doc.text == QUOTED.replace("  name: C\n", "  name: C\n  stance: ally\n")


def test_an_edit_of_an_aliased_value_is_checked_against_every_alias() -> None:
    # The anchor's value changes the alias too: the data copied along the edited path
    # alone would not say so, and the whole-file way (a full copy) decides.
    text = "deal: {name: T}\npeople:\n- id: a\n  name: &n Ann\n- id: b\n  name: *n\n- id: c\n"
    doc = parse_editable(text)
    with pytest.raises(edit.InteropError, match="cannot be made safely"):
        doc.set_person("a", {"name": "Anna"})
    assert doc.text == text  # nothing changed


def _big_reads(monkeypatch: pytest.MonkeyPatch, size: int) -> list[str]:
    """The texts of at least ``size`` characters that ``_yaml.load`` reads from now on."""
    reads: list[str] = []
    real = _yaml.load

    def spy(text: str) -> Any:
        if len(text) >= size:
            reads.append(text)
        return real(text)

    monkeypatch.setattr(_yaml, "load", spy)
    return reads


def test_an_edit_reads_no_whole_text_but_the_file_it_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(dump_deal(generate_deal(30, seed=2)), encoding="utf-8")
    reads = _big_reads(monkeypatch, 1000)
    doc = read_editable(path)
    assert len(reads) == 1  # the file, once
    ids = doc.person_ids()
    doc.set_person(ids[4], {"stance": "blocker", "title": "COO"})
    doc.add_tie(ids[4], ids[9], strength="weak")
    doc.remove_person(ids[7], cascade=True)
    result = write_editable(doc)
    # No edit read the whole new text, and neither did its validation: the rest of
    # the file is the same bytes, proven so.
    assert len(reads) == 1
    # The next edit of those bytes (a server's next request) does not read them again.
    again = read_editable(path)
    assert len(reads) == 1 and again.data is doc.data
    assert result.deal == read_deal(path) and doc.data == _yaml.load(path.read_text("utf-8"))
    # Bytes written by someone else are read.
    path.write_text(path.read_text(encoding="utf-8").replace("COO", "CTO"), encoding="utf-8")
    reads.clear()
    changed = read_editable(path)
    assert len(reads) == 1
    assert changed.data["people"][4]["title"] == "CTO"
