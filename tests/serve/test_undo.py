"""Every edit answers the steps that undo it; run through the API they put the data back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from influence import read_deal
from influence.interop.edit import parse_editable
from influence.io import to_data
from influence.serve.undo import snapshot, undo_steps
from tests.conftest import EXAMPLES

ENTERPRISE = "enterprise-committee.yaml"


def _route(key: str, step: dict[str, Any], version: str) -> tuple[str, str, dict[str, Any]]:
    """The request the editor page sends for an undo step (its `request` function)."""
    api = f"/api/deals/{key}"
    fields = step.get("fields", {})
    tie = f"{api}/ties/{step.get('from')}/{step.get('to')}"
    if step["op"] == "person-add":
        return "POST", f"{api}/people", {"json": {"version": version, "fields": fields}}
    if step["op"] == "person-set":
        body = {"version": version, "changes": fields}
        return "PATCH", f"{api}/people/{step['person']}", {"json": body}
    if step["op"] == "person-rm":
        return "DELETE", f"{api}/people/{step['person']}", {"params": {"version": version}}
    if step["op"] == "tie-add":
        body = {"version": version, "from": step["from"], "to": step["to"], "kind": step["kind"]}
        return "POST", f"{api}/ties", {"json": {**body, "fields": fields}}
    params = {"kind": step["kind"]}
    if step["op"] == "tie-set":
        body = {"version": version, "changes": fields}
        return "PATCH", tie, {"params": params, "json": body}
    assert step["op"] == "tie-rm", step
    return "DELETE", tie, {"params": {**params, "version": version}}


def _undo(client: Any, key: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Run an edit's undo steps one after another, each on the version the last left."""
    version = answer["version"]
    for step in answer["undo"]:
        method, url, options = _route(key, step, version)
        done = client.request(method, url, **options)
        assert done.status_code == 200, (step, done.json())
        version = done.json()["version"]
    return dict(client.get(f"/api/deals/{key}").json())


def _same_deal(a: dict[str, Any], b: dict[str, Any]) -> None:
    """The same deal whatever the order of its people and ties (an undone removal appends)."""
    assert {p["id"]: p for p in a["deal"].get("people", [])} == {
        p["id"]: p for p in b["deal"].get("people", [])
    }
    ties = [
        Counter(repr(sorted(t.items())) for t in d["deal"].get("relationships", [])) for d in (a, b)
    ]
    assert ties[0] == ties[1]
    rest = [
        {k: v for k, v in d["deal"].items() if k not in ("people", "relationships")} for d in (a, b)
    ]
    assert rest[0] == rest[1]


def _read(client: Any, key: str) -> dict[str, Any]:
    return dict(client.get(f"/api/deals/{key}").json())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_removing_anyone_with_cascade_is_undone(example: Path, client: Any) -> None:
    key = example.name
    for pid in [p.id for p in read_deal(example).people]:
        start = _read(client, key)
        done = client.delete(
            f"/api/deals/{key}/people/{pid}", params={"version": start["version"], "cascade": True}
        )
        answer = done.json()
        if done.status_code == 422:  # still named elsewhere (a fact's source): nothing written
            assert answer["code"] == "invalid-edit" and _read(client, key) == start
            continue
        assert answer["written"] and answer["undo"][0]["op"] == "person-add", answer
        back = _undo(client, key, answer)
        # what the undo says it cannot restore is only what no edit route writes...
        for missing in answer["undo_missing"]:
            who, field = missing.split(".")
            assert field in ("owner", "refusals", "buying_signals"), missing
            if who == "deal":
                assert start["deal"]["deal"]["owner"] == pid
                back["deal"]["deal"]["owner"] = pid
            else:
                assert who == pid
                person = next(p for p in back["deal"]["people"] if p["id"] == pid)
                old = next(p for p in start["deal"]["people"] if p["id"] == pid)
                person[field] = old[field]
        # ... and everything else is back
        _same_deal(start, back)


def test_a_set_is_undone_to_the_old_values_and_absent_fields(client: Any, deals: Path) -> None:
    start = _read(client, ENTERPRISE)
    pid = start["deal"]["people"][0]["id"]
    before = (deals / ENTERPRISE).read_text(encoding="utf-8")
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/people/{pid}",
        json={
            "version": start["version"],
            "changes": {"stance": "blocker", "needs": "a quiet quarter", "notes": "<b>x</b>\u0007"},
        },
    ).json()
    [step] = answer["undo"]
    assert step["op"] == "person-set" and step["person"] == pid
    assert step["fields"]["needs"] is None  # absent before: the undo removes it
    _undo(client, ENTERPRISE, answer)
    after = (deals / ENTERPRISE).read_text(encoding="utf-8")
    _same_deal(start, _read(client, ENTERPRISE))
    assert "needs:" not in after and after.count("\n") <= before.count("\n") + 1


def test_tie_set_add_and_rm_are_undone(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    original = path.read_text(encoding="utf-8")
    start = _read(client, ENTERPRISE)
    tie = start["deal"]["relationships"][0]
    a, b, kind = tie["from"], tie["to"], tie["kind"]
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/ties/{a}/{b}",
        params={"kind": kind},
        json={"version": start["version"], "changes": {"context": "choir", "strength": "0.1"}},
    ).json()
    assert [s["op"] for s in answer["undo"]] == ["tie-set"]
    _undo(client, ENTERPRISE, answer)
    _same_deal(start, _read(client, ENTERPRISE))

    # another kind, in place: one request, one write, one step back
    before = path.read_text(encoding="utf-8")
    other = next(k for k in ("influences", "knows") if k != kind)
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/ties/{a}/{b}",
        params={"kind": kind},
        json={"version": _read(client, ENTERPRISE)["version"], "changes": {"kind": other}},
    ).json()
    assert answer["changes"] == [f"set tie {a} {kind} {b} kind: {kind!r} -> {other!r}"]
    first = _read(client, ENTERPRISE)["deal"]["relationships"][0]
    assert (first["from"], first["to"], first["kind"]) == (a, b, other)
    assert answer["undo"] == [
        {"op": "tie-set", "from": a, "to": b, "kind": other}
        | {"person": None, "fields": {"kind": snapshot(parse_editable(before)).ties[0].get("kind")}}
    ]
    _undo(client, ENTERPRISE, answer)
    assert path.read_text(encoding="utf-8") == before  # undone byte for byte
    # a kind that is already between the two is refused, and nothing is written
    now = _read(client, ENTERPRISE)
    client.post(
        f"/api/deals/{ENTERPRISE}/ties",
        json={"version": now["version"], "from": a, "to": b, "kind": other},
    ).raise_for_status()
    held = path.read_bytes()
    refused = client.patch(
        f"/api/deals/{ENTERPRISE}/ties/{a}/{b}",
        params={"kind": kind},
        json={"version": _read(client, ENTERPRISE)["version"], "changes": {"kind": other}},
    )
    assert refused.status_code == 422 and refused.json()["code"] == "tie-exists", refused.json()
    assert path.read_bytes() == held
    client.delete(
        f"/api/deals/{ENTERPRISE}/ties/{a}/{b}",
        params={"kind": other, "version": _read(client, ENTERPRISE)["version"]},
    ).raise_for_status()

    now = _read(client, ENTERPRISE)
    answer = client.delete(
        f"/api/deals/{ENTERPRISE}/ties/{a}/{b}", params={"kind": kind, "version": now["version"]}
    ).json()
    assert [s["op"] for s in answer["undo"]] == ["tie-add"]
    _undo(client, ENTERPRISE, answer)
    _same_deal(start, _read(client, ENTERPRISE))

    people = [p["id"] for p in start["deal"]["people"]]
    now = _read(client, ENTERPRISE)
    pair = next(
        (x, y)
        for x in people
        for y in people
        if x != y
        and not any(
            {t["from"], t["to"]} == {x, y} and t["kind"] == "knows"
            for t in now["deal"]["relationships"]
        )
    )
    added = path.read_text(encoding="utf-8")
    answer = client.post(
        f"/api/deals/{ENTERPRISE}/ties",
        json={"version": now["version"], "from": pair[0], "to": pair[1], "kind": "knows"},
    ).json()
    assert answer["undo"] == [
        {"op": "tie-rm", "from": pair[0], "to": pair[1], "kind": "knows"}
        | {"person": None, "fields": {}}
    ]
    _undo(client, ENTERPRISE, answer)
    assert path.read_text(encoding="utf-8") == added  # an add is undone byte for byte
    assert original != added  # (the tie removed and added back moved to the end)


def test_an_added_person_is_undone_byte_for_byte(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    before = path.read_bytes()
    version = _read(client, ENTERPRISE)["version"]
    answer = client.post(
        f"/api/deals/{ENTERPRISE}/people",
        json={"version": version, "fields": {"name": "Quinn Example", "title": "CFO"}},
    ).json()
    assert [(s["op"], s["person"]) for s in answer["undo"]] == [("person-rm", "quinn-example")]
    _undo(client, ENTERPRISE, answer)
    assert path.read_bytes() == before


def test_an_undo_on_a_stale_version_is_refused(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    start = _read(client, ENTERPRISE)
    pid = start["deal"]["people"][0]["id"]
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/people/{pid}",
        json={"version": start["version"], "changes": {"title": "Chief"}},
    ).json()
    path.write_text(path.read_text(encoding="utf-8") + "# by hand\n", encoding="utf-8")
    kept = path.read_bytes()
    method, url, options = _route(ENTERPRISE, answer["undo"][0], answer["version"])
    refused = client.request(method, url, **options)
    assert refused.status_code == 409 and refused.json()["code"] == "stale-version"
    assert path.read_bytes() == kept


def test_what_no_edit_can_restore_is_named() -> None:
    doc = parse_editable(
        "deal: {name: T, owner: ann}\n"
        "people:\n"
        "  - name: Ann\n"
        "    side: seller\n"
        "  - name: Bo\n"
        "    refusals:\n"
        "      - {date: 2026-01-02, reason: no-budget}\n"
    )
    before = snapshot(doc)
    doc.remove_person("ann", cascade=True)
    doc.remove_person("bo")
    undo = undo_steps(before, snapshot(doc))
    assert sorted(undo.missing) == ["bo.refusals", "deal.owner"]
    assert [(s["op"], s["fields"]) for s in undo.steps] == [
        ("person-add", {"id": "ann", "name": "Ann", "side": "seller"}),
        ("person-add", {"id": "bo", "name": "Bo"}),
    ]


def test_a_name_change_is_undone_without_touching_the_pinned_id() -> None:
    doc = parse_editable("deal: {name: T}\npeople:\n  - name: Ann\n")
    before = snapshot(doc)
    doc.set_person("ann", {"name": "Ann Lee"})
    assert undo_steps(before, snapshot(doc)).steps == [
        {"op": "person-set", "person": "ann", "fields": {"name": "Ann"}}
    ]


def test_undo_keeps_file_data_not_the_models_defaults(client: Any, deals: Path) -> None:
    """An absent influence or strength is undone to absent, not to the model's default."""
    start = _read(client, ENTERPRISE)
    raw = parse_editable((deals / ENTERPRISE).read_text(encoding="utf-8"))
    people = raw.data["people"]
    i = next(i for i, p in enumerate(people) if "influence" not in p)
    pid = raw.person_ids()[i]
    assert "influence" in to_data(read_deal(deals / ENTERPRISE))["people"][i]  # the default
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/people/{pid}",
        json={"version": start["version"], "changes": {"influence": "high"}},
    ).json()
    assert answer["undo"][0]["fields"] == {"influence": None}
