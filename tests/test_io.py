"""Every error class of the deal-file spec: exit 3, the exact line, the suggestion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from influence import Deal, DealFileError, check_deal, parse_deal, read_deal

GOOD_HEAD = """\
version: 1
deal:
  name: ACME ERP
  as_of: 2026-11-20
people:
  - id: li-wei
    name: Li Wei
    side: seller
  - id: zhang-min
    name: Zhang Min
    roles: [economic_buyer]
"""
# line numbers below:   1 version, 2 deal, 3 name, 4 as_of, 5 people,
# 6 - id: li-wei, 7 name, 8 side, 9 - id: zhang-min, 10 name, 11 roles

CASES: list[tuple[str, str, int, str]] = [
    # (name, text appended to GOOD_HEAD or full text, expected line, expected fragment)
    (
        "yaml-syntax",
        GOOD_HEAD + "    stance: [ally\n",
        13,
        "invalid YAML",
    ),
    (
        "unknown-top-level-key",
        GOOD_HEAD + "relationship:\n  - {from: li-wei, to: zhang-min}\n",
        12,
        "unknown field 'relationship'; did you mean 'relationships'?",
    ),
    (
        "unknown-person-field",
        GOOD_HEAD + "    stanse: ally\n",
        12,
        "unknown field 'stanse'; did you mean 'stance'?",
    ),
    (
        "missing-name",
        GOOD_HEAD + "  - id: ghost\n    title: CTO\n",
        12,
        "people[2].name: required field 'name' is missing",
    ),
    (
        "duplicate-id",
        GOOD_HEAD + "  - id: zhang-min\n    name: Zhang Min Two\n",
        12,
        "duplicate person id 'zhang-min' (first used by people[1])",
    ),
    (
        "unknown-person-in-relationship",
        GOOD_HEAD + "relationships:\n  - from: li-wei\n    to: zhang-mim\n",
        14,
        "no person 'zhang-mim' in this deal; did you mean 'zhang-min'?",
    ),
    (
        "unknown-reports-to",
        GOOD_HEAD + "    reports_to: chen-jn\n  - id: chen-jun\n    name: Chen Jun\n",
        12,
        "people[1].reports_to: no person 'chen-jn' in this deal; did you mean 'chen-jun'?",
    ),
    (
        "unknown-owner",
        GOOD_HEAD.replace("  as_of: 2026-11-20\n", "  as_of: 2026-11-20\n  owner: li-we\n"),
        5,
        "deal.owner: no person 'li-we' in this deal; did you mean 'li-wei'?",
    ),
    (
        "self-relationship",
        GOOD_HEAD + "relationships:\n  - {from: li-wei, to: zhang-min}\n"
        "  - {from: zhang-min, to: zhang-min, kind: influences}\n",
        14,
        "a relationship from 'zhang-min' to itself",
    ),
    (
        "influence-out-of-range",
        GOOD_HEAD + "    influence: 1.5\n",
        12,
        "1.5 is out of range; expected a number from 0 to 1",
    ),
    (
        "strength-out-of-range",
        GOOD_HEAD + "relationships:\n  - from: li-wei\n    to: zhang-min\n    strength: -0.2\n",
        15,
        "out of range",
    ),
    (
        "unknown-stance",
        GOOD_HEAD + "    stance: alli\n",
        12,
        "'alli' is not a stance; expected one of ally, neutral, blocker, unknown; "
        "did you mean 'ally'?",
    ),
    (
        "unknown-role",
        GOOD_HEAD + "  - name: Chen Jun\n    roles: [decision-maker]\n",
        13,
        "'decision-maker' is not a role; expected one of decision_maker",
    ),
    (
        "unknown-kind",
        GOOD_HEAD + "relationships:\n  - from: li-wei\n    to: zhang-min\n    kind: know\n",
        15,
        "did you mean 'knows'?",
    ),
    (
        "unknown-influence-word",
        GOOD_HEAD + "    influence: hgih\n",
        12,
        "'hgih' is not a valid influence; expected a number from 0 to 1 or one of low, "
        "medium, high; did you mean 'high'?",
    ),
    (
        "reports-to-cycle",
        GOOD_HEAD
        + "    reports_to: chen-jun\n  - id: chen-jun\n    name: Chen Jun\n"
        + "    reports_to: zhang-min\n",
        15,
        "reports_to cycle: chen-jun -> zhang-min -> chen-jun",
    ),
    (
        "bad-date",
        GOOD_HEAD + "    assessed: 2026-13-45\n",
        12,
        "is not a date; expected YYYY-MM-DD",
    ),
    (
        "duplicate-key",
        GOOD_HEAD + "    stance: ally\n    stance: blocker\n",
        13,
        "the key 'stance' appears twice",
    ),
    (
        "unsupported-version",
        GOOD_HEAD.replace("version: 1", "version: 2"),
        1,
        "unsupported version 2",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_each_error_is_located_with_a_suggestion(
    cli: Any, write: Any, name: str, text: str, line: int, fragment: str
) -> None:
    path = write(text)
    result = cli("validate", path)
    assert result.exit_code == 3
    assert f"{path}:{line}:" in result.stderr, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"FAIL {path}" in result.stdout


def test_all_problems_reported_at_once(write: Any) -> None:
    text = GOOD_HEAD + "    stance: alli\n  - name: Chen\n    influence: 3\n"
    text += "relationships:\n  - {from: li-wei, to: nobody}\n"
    result = check_deal(write(text))
    messages = [str(p) for p in result.errors]
    assert len(messages) == 3, messages
    assert [p.line for p in result.errors] == [12, 14, 16]
    assert [p.field for p in result.errors] == [
        "people[1].stance",
        "people[2].influence",
        "relationships[0].to",
    ]


def test_json_errors_have_lines(write: Any) -> None:
    path = write(
        '{\n  "deal": {"name": "X"},\n  "people": [\n    {"name": "A",\n'
        '     "stance": "aly"}\n  ]\n}\n',
        "deal.json",
    )
    [problem] = check_deal(path).errors
    assert (problem.line, problem.field) == (5, "people[0].stance")
    assert "did you mean 'ally'?" in problem.message


def test_json_syntax_error(write: Any, cli: Any) -> None:
    path = write('{"deal": {"name": "X"},\n "people": [,]}\n', "deal.json")
    result = cli("validate", path)
    assert result.exit_code == 3
    assert f"{path}:2:" in result.stderr and "invalid JSON" in result.stderr


def test_empty_file(write: Any, cli: Any) -> None:
    for text in ("", "   \n\n", "# only a comment\n"):
        path = write(text)
        result = cli("validate", path)
        assert result.exit_code == 3
        assert "the file is empty" in result.stderr


def test_not_utf8(write: Any, cli: Any) -> None:
    path = write(GOOD_HEAD.encode() + b"    notes: caf\xe9\n")
    result = cli("validate", path)
    assert result.exit_code == 3
    assert f"{path}:12:" in result.stderr
    assert "not UTF-8" in result.stderr and "0xe9" in result.stderr


def test_alias_bomb_is_refused_quickly(write: Any, cli: Any) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = "deal: {name: bomb}\nx:\n  " + "\n  ".join(lines) + "\n"
    path = write(bomb)
    # 9**12 values: had the bomb been expanded, this test would never finish.
    result = cli("validate", path)
    assert result.exit_code == 3
    assert "aliases" in result.stderr and "would expand" in result.stderr


@pytest.mark.parametrize(("levels", "refused"), [(60, False), (64, True), (1_500, True)])
def test_a_chain_of_aliases_is_held_to_the_nesting_limit(
    write: Any, levels: int, refused: bool
) -> None:
    # Each person's notes wrap the one before: text 3 levels deep, data up to `levels`
    # deeper. 1,500 levels would be a deep recursion in any reader that recursed.
    lines = ["deal: {name: chain}", "people:", "  - name: P0", "    notes: &n0 [x]"]
    for i in range(1, levels):
        lines += [f"  - name: P{i}", f"    notes: &n{i} [*n{i - 1}]"]
    result = check_deal(write("\n".join(lines) + "\n"))
    messages = [p.message for p in result.errors]
    deep = [m for m in messages if "levels deep" in m]
    assert bool(deep) is refused
    if refused:
        assert messages == deep and "aliases" in deep[0] and "64" in deep[0]
    else:  # within the limit: the data's own problem (notes are text) is told instead
        assert messages and all("expected text" in m for m in messages)


def test_not_a_mapping(write: Any) -> None:
    [problem] = check_deal(write("- just\n- a list\n")).errors
    assert "expected a mapping" in problem.message


def test_missing_file_and_bad_suffix(cli: Any, tmp_path: Path) -> None:
    result = cli("validate", tmp_path / "nope.yaml", tmp_path / "deal.txt")
    assert result.exit_code == 3
    assert "no such file" in result.stderr
    assert "unknown file type '.txt'" in result.stderr


def test_warnings_do_not_fail_unless_strict(cli: Any, write: Any) -> None:
    text = GOOD_HEAD.replace("    side: seller\n", "    side: seller\n    roles: [champion]\n")
    path = write(text)
    result = cli("validate", path)
    assert result.exit_code == 0
    assert "warning: " in result.stderr
    assert "isolated" in result.stderr  # zhang-min has no ties
    assert "holds buying roles" in result.stderr
    assert cli("validate", "--strict", path).exit_code == 3


def test_read_deal_raises_with_every_problem(write: Any) -> None:
    with pytest.raises(DealFileError) as info:
        read_deal(write(GOOD_HEAD + "    stance: alli\n    style: drivr\n"))
    assert [p.line for p in info.value.problems] == [12, 13]
    assert "did you mean 'driver'?" in str(info.value)


def test_parse_deal_names_the_source() -> None:
    with pytest.raises(DealFileError) as info:
        parse_deal("deal: {}\n", source="inline.yaml")
    assert str(info.value).startswith("inline.yaml:1:")
    assert "required field 'name' is missing" in str(info.value)


def test_many_unknown_ids_are_all_reported_and_suggestions_stop_at_a_budget() -> None:
    from influence._suggest import Suggester
    from influence.model import integrity_problems

    ids = [f"person-{i:04d}" for i in range(300)]
    ties = [(f"persn-{i:04d}", ids[0], "knows") for i in range(1, 40)]
    problems = integrity_problems(ids, [None] * len(ids), ties, None)
    assert [loc for loc, _ in problems] == [f"relationships[{i}].from" for i in range(39)]
    assert problems[0][1] == "no person 'persn-0001' in this deal; did you mean 'person-0001'?"
    # Each question compares with every id: a budget of two questions, then none.
    ask = Suggester(ids, budget=600)
    assert ask.did_you_mean("persn-0001") == "; did you mean 'person-0001'?"
    assert ask.did_you_mean("persn-0002") == "; did you mean 'person-0002'?"
    assert ask.did_you_mean("persn-0003") == ""
    assert ask.did_you_mean("persn-0001") == "; did you mean 'person-0001'?"  # asked before


# -- big JSON files: parsed without a hook, repeated keys still found ---------------


def _big_json(**extra: Any) -> dict[str, Any]:
    """A deal of 40 people (more than 64 brackets: the fast way to parse)."""
    people: list[dict[str, Any]] = [{"id": f"p{i}", "name": f"P {i}"} for i in range(40)]
    people[0]["side"] = "seller"
    ties = [
        {"from": "p0", "to": f"p{i}", "context": 'a "quoted": {key} [x] \\ '} for i in range(1, 40)
    ]
    return {"deal": {"name": "Big: one"}, "people": people, "relationships": ties, **extra}


def test_a_big_json_file_without_repeats_is_read_as_it_is() -> None:
    import json

    from influence.io import _json_shape

    data = _big_json()
    text = json.dumps(data, indent=1)
    deep, colons, long_number = _json_shape(text)
    keys = 3 + 1 + sum(map(len, data["people"])) + sum(map(len, data["relationships"]))
    assert deep is None and colons == keys == 202  # none of the colons in the strings
    assert not long_number
    deal = parse_deal(text, "json")
    assert len(deal.people) == 40 and deal.relationships[0].context.startswith('a "quoted"')


@pytest.mark.parametrize(
    "repeat",
    [
        ('"to": "p1",', '"to": "p1", "to": "p2",'),  # in a relationship
        ('"name": "Big: one"', '"name": "Big: one", "name": "Big"'),  # in deal
        ('"name": "P 3"', '"name": {"a": 1, "a": 2}'),  # in an object where none belongs
    ],
    ids=["relationship", "deal", "nested"],
)
def test_a_big_json_file_with_a_repeated_key_is_refused(repeat: tuple[str, str]) -> None:
    import json

    text = json.dumps(_big_json())
    assert repeat[0] in text
    with pytest.raises(DealFileError) as err:
        parse_deal(text.replace(repeat[0], repeat[1], 1), "json")
    assert "appears twice in one object" in str(err.value)


def test_the_colons_counted_are_the_keys_of_any_json() -> None:
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from influence.io import _json_shape

    texts = st.text(alphabet=st.sampled_from('ab:"\\{}[],  é'), max_size=6)
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | texts,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
        max_leaves=30,
    )

    def keys(value: Any) -> int:
        if isinstance(value, dict):
            return len(value) + sum(keys(v) for v in value.values())
        if isinstance(value, list):
            return sum(keys(v) for v in value)
        return 0

    @settings(max_examples=300, deadline=None)
    @given(values, st.booleans())
    def check(value: Any, ascii_only: bool) -> None:
        padded = [value, *([[]] * 70)]  # more than 64 brackets: the colons are counted
        text = json.dumps(padded, ensure_ascii=ascii_only)
        assert _json_shape(text)[:2] == (None, keys(value))
        # From the file's bytes (as a file is checked), the same answer.
        assert _json_shape(text, text.encode()) == _json_shape(text)

    check()


def _file_of_a_megabyte() -> str:
    """JSON of a deal of more than 1,000,000 characters: read from its bytes."""
    import json

    data = _big_json()
    data["deal"]["id"] = "big-one"  # not the file's name: the same deal as from text
    for p in data["people"]:
        p["notes"] = 'é x: [y] {z} \\ " ' * 2_200
    text = json.dumps(data, indent=1, ensure_ascii=False)
    assert len(text) > 1_000_000
    return text


@pytest.mark.parametrize(
    "change",
    [
        ("", ""),  # as it is
        ('"to": "p1",', '"to": "p1", "to": "p2",'),  # a repeated key
        ('"to": "p1"', '"to": "nobody"'),  # an unknown person (located from the text)
        ('"name": "P 3"', '"name": ' + "[" * 70 + "1" + "]" * 70),  # nested too deep
        ('"name": "P 3"', '"name": "P 3",'),  # a syntax error
        ('"side": "seller"', '"side": "sellr"'),  # a field's error
    ],
    ids=["good", "repeated-key", "unknown-person", "deep", "syntax", "field"],
)
def test_a_big_json_file_read_from_its_bytes_is_told_as_its_text_is(
    tmp_path: Path, change: tuple[str, str]
) -> None:
    text = _file_of_a_megabyte()
    assert change[0] in text
    text = text.replace(change[0], change[1], 1)
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    from_file = check_deal(path)
    try:
        expected: Any = parse_deal(text, "json", source=str(path))
    except DealFileError as err:
        expected = err.problems
    if isinstance(expected, Deal):
        assert from_file.ok and from_file.deal == expected
    else:
        assert not from_file.ok and from_file.problems == expected
    # With a byte order mark, the same.
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert check_deal(path).problems == from_file.problems


def test_a_big_json_file_that_is_not_utf8_is_told_so(tmp_path: Path) -> None:
    raw = _file_of_a_megabyte().encode().replace("é".encode(), b"\xe9", 1)
    path = tmp_path / "big.json"
    path.write_bytes(raw)
    problems = check_deal(path).problems
    assert len(problems) == 1 and "not UTF-8 text (byte 0xe9)" in problems[0].message


def test_a_big_json_file_with_a_huge_number_is_located_as_a_small_one_is() -> None:
    import json

    data = _big_json()
    data["people"][5]["influence"] = 7  # a placeholder for the number
    text = json.dumps(data, indent=1).replace('"influence": 7', '"influence": ' + "9" * 401)
    with pytest.raises(DealFileError) as err:
        parse_deal(text, "json")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "9" * 401 in row)
    assert f":{line}:" in str(err.value) and "digits" in str(err.value)
    # Long runs of digits in a string are only text: read the standard library's way.
    data = _big_json()
    data["people"][5]["notes"] = "1" * 500
    assert parse_deal(json.dumps(data), "json").people[5].notes == "1" * 500


def test_the_fast_json_parser_gives_the_standard_librarys_values() -> None:
    import json

    from influence.io import _json_fast

    data = _big_json()
    data["people"][1].update(influence=0.1 + 0.2, notes='é \u2028 😀 \x00 "q"', title=None)
    data["deal"]["value"] = 123456789012345678901234567890
    text = json.dumps(data, ensure_ascii=False)
    assert _json_fast(text) == json.loads(text)
    assert _json_fast(json.dumps(data, ensure_ascii=True)) == json.loads(text)
    assert _json_fast(text.encode()) == json.loads(text)  # a file's bytes: the same values
    for bad in ('{"a": NaN}', '{"a": Infinity}', '{"a": 1,}', '{"a": "\t"}', "{'a': 1}"):
        assert _json_fast(bad) is None


def test_repeated_ties_of_a_big_deal_are_merged_as_in_a_small_one() -> None:
    from influence.model import Relationship, merge_repeated_ties

    people = [{"id": f"p{i}", "name": f"P {i}"} for i in range(60)]
    ties = [
        {"from": f"p{i}", "to": f"p{j}", "kind": kind}
        for i in range(60)
        for j, kind in ((i + 1, "knows"), (i + 2, "influences"), (i + 3, "conflicts_with"))
        if j < 60
    ] * 12  # every tie twelve times: repeats
    ties += [{"from": "p5", "to": "p4", "strength": 0.9}]  # knows holds both ways
    ties += [{"from": "p9", "to": "p7", "kind": "influences"}]  # a new, directed tie
    deal = Deal.model_validate({"deal": {"name": "x"}, "people": people, "relationships": ties})
    assert len(ties) >= 2_000  # the big way: repeats looked for among numbers
    expected = merge_repeated_ties(Relationship.model_validate(t) for t in ties)
    assert deal.relationships == expected
    assert len(expected) == 59 + 58 + 57 + 1
    assert next(r for r in deal.relationships if {r.from_, r.to} == {"p4", "p5"}).strength == 0.9
