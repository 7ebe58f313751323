"""Touchpoints: the model, sidecar files, ``touch add`` and ``touch import``."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from influence import read_deal
from influence.errors import DealFileError, ReadOnlyFileError, UnknownPersonError
from influence.interop.edit import EditValueError
from influence.interop.touch import TouchImportError, add_touchpoint, import_touchpoints
from influence.io import check_deal, deal_schema, dump_deal, parse_deal
from influence.model import Deal, Direction, TouchKind, Touchpoint

DATA = Path(__file__).resolve().parents[1] / "data" / "touch"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    target = tmp_path / "deal.yaml"
    shutil.copy(DATA / "deal.yaml", target)
    return target


def _source(path: Path, name: str) -> Path:
    target = path.parent / name
    shutil.copy(DATA / name, target)
    return target


def _only_inserted(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if any line was changed or removed."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        assert op in ("equal", "insert"), (op, a[i1:i2], b[j1:j2])
        if op == "insert":
            added += b[j1:j2]
    return added


# -- the model -------------------------------------------------------------------------


BASE = """\
deal: {name: T}
people:
  - {name: Ann, side: seller, emails: [Ann@Acme.COM]}
  - {name: Bo}
  - {name: Cy, side: seller}
relationships:
  - {from: ann, to: bo}
  - {from: cy, to: bo}
"""


def test_touchpoints_inline_are_read_with_their_fields() -> None:
    deal = parse_deal(
        BASE
        + "touchpoints:\n"
        + "  - {date: 2026-11-02, kind: email, people: [ann, bo], direction: received,"
        + " channel: Outlook, notes: re budget, source: 'mail:x@y'}\n"
    )
    (t,) = deal.touchpoints
    assert (t.date, t.kind.value, t.people, t.direction and t.direction.value) == (
        date(2026, 11, 2),
        "email",
        ["ann", "bo"],
        "received",
    )
    assert (t.channel, t.notes, t.source) == ("Outlook", "re budget", "mail:x@y")
    assert deal.person("ann").emails == ["ann@acme.com"]  # lower-cased


@pytest.mark.parametrize(
    ("touch", "field", "message"),
    [
        (
            "{date: 2026-11-02, kind: visit, people: [ann, bob]}",
            "touchpoints[0].people[1]",
            "no person 'bob' in this deal; did you mean 'bo'?",
        ),
        (
            "{date: 2026-11-02, kind: visit, people: [ann]}",
            "touchpoints[0].people",
            "at least two different people",
        ),
        (
            "{date: 2026-11-02, kind: visit, people: [ann, ann]}",
            "touchpoints[0].people",
            "at least two different people",
        ),
        (
            "{date: 2026-11-02, kind: visit, people: [bo, bo, bo]}",
            "touchpoints[0].people",
            "at least two different people",
        ),
        (
            "{date: 2026-11-02, kind: call, people: [ann, bo], direction: sent}",
            "touchpoints[0]",
            "direction is for email, message, favour and gift touchpoints, not call",
        ),
        (
            "{date: 2026-11-02, kind: lunch, people: [ann, bo]}",
            "touchpoints[0].kind",
            "'lunch' is not a touchpoint kind",
        ),
        (
            "{date: 2026-02-30, kind: call, people: [ann, bo]}",
            "touchpoints[0].date",
            "is not a date",
        ),
        (
            "{date: 2026-11-02, kind: call, people: [ann, bo], where: x}",
            "touchpoints[0].where",
            "unknown field 'where'",
        ),
    ],
)
def test_bad_touchpoints_are_located(touch: str, field: str, message: str) -> None:
    text = BASE + "touchpoints:\n  - " + touch + "\n"
    with pytest.raises(DealFileError) as err:
        parse_deal(text, source="t.yaml")
    problems = [p for p in err.value.problems if p.field == field]
    assert problems, err.value.problems
    assert message in problems[0].message
    assert problems[0].line == 10


def test_a_touchpoint_needs_one_of_our_people() -> None:
    text = BASE.replace("{name: Cy, side: seller}", "{name: Cy}")
    text += "touchpoints:\n  - {date: 2026-11-02, kind: visit, people: [bo, cy]}\n"
    with pytest.raises(DealFileError) as err:
        parse_deal(text, source="t.yaml")
    (problem,) = err.value.problems
    assert (problem.line, problem.field) == (10, "touchpoints[0].people")
    assert "one of our people" in problem.message


@pytest.mark.parametrize("bad", ["ann", "ann@", "@x.com", "a b@x.com", "a@x", "<a@x.com>"])
def test_emails_are_validated_loosely(bad: str) -> None:
    with pytest.raises(ValidationError, match="is not an e-mail address"):
        Deal.model_validate({"deal": {"name": "x"}, "people": [{"name": "A", "emails": [bad]}]})


def test_a_deal_without_touchpoints_writes_and_reads_as_before() -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        deal = read_deal(example)
        assert deal.touchpoints == []
        text = dump_deal(deal)
        assert "touchpoints" not in text and "emails" not in text
        assert parse_deal(text) == deal


def test_schema_covers_touchpoints_and_emails() -> None:
    schema = deal_schema()
    options = schema["properties"]["touchpoints"]["anyOf"]
    assert options[0]["type"] == "array"
    assert options[1]["type"] == "string"
    touch = schema["definitions"]["Touchpoint"]
    assert set(touch["properties"]) == {
        "date",
        "kind",
        "people",
        "direction",
        "channel",
        "notes",
        "source",
        "in_reply_to",
    }
    assert set(touch["required"]) == {"date", "kind", "people"}
    assert "emails" in schema["definitions"]["Person"]["properties"]
    jsonschema = pytest.importorskip("jsonschema")
    data = {
        "deal": {"name": "T"},
        "people": [{"name": "A", "emails": ["a@x.com"]}],
        "touchpoints": [{"date": "2026-01-02", "kind": "gift", "people": ["a", "b"]}],
    }
    jsonschema.validate(data, schema)
    jsonschema.validate({**data, "touchpoints": "history.jsonl"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "touchpoints": [{"date": "x", "kind": "lunch"}]}, schema)


# -- sidecar files -----------------------------------------------------------------------


def _sidecar_deal(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(BASE + f"touchpoints: {name}\n", encoding="utf-8")
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(content, encoding="utf-8")
    return path


def test_a_csv_sidecar_is_read_beside_the_deal(tmp_path: Path) -> None:
    path = _sidecar_deal(
        tmp_path,
        "history/touch.csv",
        "date,kind,people,notes\n2026-11-02,visit,ann;bo,'=cmd\n\n2026-11-03,gift,cy;bo,tea\n",
    )
    deal = read_deal(path)
    assert [(t.date.day, t.kind.value, t.people, t.notes) for t in deal.touchpoints] == [
        (2, "visit", ["ann", "bo"], "=cmd"),
        (3, "gift", ["cy", "bo"], "tea"),
    ]


def test_a_jsonl_sidecar_is_read(tmp_path: Path) -> None:
    rows = [
        {"date": "2026-11-02", "kind": "message", "people": ["ann", "bo"], "direction": "sent"},
        {"date": "2026-11-04", "kind": "favour", "people": ["bo", "cy"], "notes": "中文"},
    ]
    path = _sidecar_deal(tmp_path, "t.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    deal = read_deal(path)
    assert [t.model_dump(mode="json", exclude_none=True) for t in deal.touchpoints] == rows


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        (
            "t.csv",
            "date,kind,people\n2026-11-02,visit,ann;bo\n2026-11-02,visit,ann;boo\n",
            3,
            "no person 'boo' in this deal; did you mean 'bo'?",
        ),
        ("t.csv", "date,kind,people\n2026-11-31,visit,ann;bo\n", 2, "is not a date"),
        ("t.csv", "date,kind,people,mood\n", 1, "unknown column 'mood'"),
        ("t.csv", 'date,kind,people\n2026-11-02,"visit,ann;bo\n', 2, "cannot read this row"),
        ("t.csv", "date,kind,people\n2026-11-02,visit\n", 2, "row has 2 values"),
        ("t.csv", "date,kind,people\n2026-11-02,vi\x00sit,ann;bo\n", 2, "NUL"),
        (
            "t.jsonl",
            '{"date": "2026-11-02", "kind": "visit", "people": ["ann", "bo"]}\n[1]\n',
            2,
            "one JSON object",
        ),
        ("t.jsonl", '{"date": NaN}\n', 1, "not a JSON line"),
        ("t.jsonl", "[" * 100_000 + "\n", 1, "nested too deeply"),
        (
            "t.jsonl",
            '\n\n{"date": "2026-11-02", "kind": "visit", "people": "ann"}\n',
            3,
            "at least two different people",
        ),
    ],
)
def test_sidecar_problems_are_located_in_the_sidecar(
    tmp_path: Path, name: str, content: str, line: int, message: str
) -> None:
    path = _sidecar_deal(tmp_path, name, content)
    result = check_deal(path)
    assert not result.ok
    problem = next(p for p in result.errors if message in p.message)
    assert (Path(problem.file).name, problem.line) == (name, line)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../outside.csv", "inside the deal file's folder"),
        ("/etc/passwd.csv", "inside the deal file's folder"),
        ("notes.txt", "the name of a .csv or .jsonl file"),
        ("missing.csv", "no such file"),
    ],
)
def test_sidecar_names_are_checked(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(BASE + f"touchpoints: {json.dumps(name)}\n", encoding="utf-8")
    result = check_deal(path)
    assert not result.ok
    assert any(message in p.message for p in result.errors), result.errors


def test_a_sidecar_named_in_text_without_a_file_is_an_error() -> None:
    with pytest.raises(DealFileError, match="given as text"):
        parse_deal(BASE + "touchpoints: t.csv\n")


def test_a_huge_sidecar_is_refused_by_the_size_limit(tmp_path: Path) -> None:
    from influence.io import set_max_file_size

    path = _sidecar_deal(tmp_path, "t.csv", "date,kind,people\n" + "x" * 5000 + "\n")
    old = set_max_file_size(1000)
    try:
        result = check_deal(path)
    finally:
        set_max_file_size(old)
    assert not result.ok
    assert any("t.csv" in p.file and "1 KB limit" in str(p) for p in result.errors), result.errors


# -- touch add ---------------------------------------------------------------------------


def test_touch_add_appends_only_new_lines(deal: Path) -> None:
    before = deal.read_text(encoding="utf-8")
    add_touchpoint(deal, ["li-wei", "zhang-min"], kind="visit", date="2026-11-02", notes="tea")
    add_touchpoint(
        deal, ["chen-jing", "liu-yang"], kind="email", date=date(2026, 11, 3), direction="sent"
    )
    after = deal.read_text(encoding="utf-8")
    assert _only_inserted(before, after) == [
        "touchpoints:\n",
        "  - date: 2026-11-02\n",
        "    kind: visit\n",
        "    people: [li-wei, zhang-min]\n",
        "    notes: tea\n",
        "  - date: 2026-11-03\n",
        "    kind: email\n",
        "    people: [chen-jing, liu-yang]\n",
        "    direction: sent\n",
    ]
    assert [t.kind.value for t in read_deal(deal).touchpoints] == ["visit", "email"]


def test_touch_add_inserts_into_a_list_in_the_middle_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    text = BASE + (
        "touchpoints:   # the history\n"
        "  - date: 2026-10-01   # kick-off\n"
        "    kind: meeting\n"
        "    people: [ann, bo]\n"
        "policy:\n"
        "  max_hops: 3\n"
    )
    path.write_text(text, encoding="utf-8")
    add_touchpoint(path, ["cy", "bo"], kind="gift", date="today", notes='mooncakes: "best"')
    added = _only_inserted(text, path.read_text(encoding="utf-8"))
    assert added == [
        f"  - date: {date.today().isoformat()}\n",
        "    kind: gift\n",
        "    people: [cy, bo]\n",
        '    notes: "mooncakes: \\"best\\""\n',
    ]
    assert read_deal(path).touchpoints[1].notes == 'mooncakes: "best"'


def test_touch_add_to_a_json_deal(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    data = parse_deal(BASE)
    path.write_text(dump_deal(data, "json"), encoding="utf-8")
    add_touchpoint(path, ["ann", "bo"], kind="call", date="2026-11-02")
    assert json.loads(path.read_text(encoding="utf-8"))["touchpoints"] == [
        {"date": "2026-11-02", "kind": "call", "people": ["ann", "bo"]}
    ]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_touch_add_appends_to_the_sidecar_and_leaves_the_deal(tmp_path: Path, fmt: str) -> None:
    first = (
        "date,kind,people,direction,channel,notes,source\n2026-10-01,visit,ann;bo,,,,\n"
        if fmt == "csv"
        else '{"date": "2026-10-01", "kind": "visit", "people": ["ann", "bo"]}\n'
    )
    path = _sidecar_deal(tmp_path, f"t.{fmt}", first)
    deal_before = path.read_bytes()
    result = add_touchpoint(
        path,
        ["ann", "bo"],
        kind="message",
        direction="received",
        channel="WeChat",
        notes='=1+2, "quoted"',
        date="2026-11-02",
    )
    assert Path(result.file).name == f"t.{fmt}"
    assert path.read_bytes() == deal_before
    after = (tmp_path / f"t.{fmt}").read_text(encoding="utf-8")
    assert after.startswith(first)
    assert after.count("\n") == first.count("\n") + 1
    last = read_deal(path).touchpoints[-1]
    assert (last.kind.value, last.direction and last.direction.value, last.channel, last.notes) == (
        "message",
        "received",
        "WeChat",
        '=1+2, "quoted"',
    )
    if fmt == "csv":
        assert "'=1+2" in after  # escaped: no spreadsheet runs it


def test_a_csv_sidecar_keeps_its_own_columns_and_refuses_a_value_it_has_no_column_for(
    tmp_path: Path,
) -> None:
    first = "date,people,kind,notes\n2026-10-01,ann;bo,visit,\n"
    path = _sidecar_deal(tmp_path, "t.csv", first)
    add_touchpoint(path, ["ann", "bo"], kind="call", notes="ok", date="2026-11-02")
    sidecar = tmp_path / "t.csv"
    assert sidecar.read_text(encoding="utf-8") == first + "2026-11-02,ann;bo,call,ok\n"
    held = sidecar.read_bytes()
    with pytest.raises(EditValueError, match=r"t\.csv:1: the header has no column direction, "):
        add_touchpoint(
            path, ["ann", "bo"], kind="email", direction="sent", in_reply_to="mail:x@bo.cn"
        )
    assert sidecar.read_bytes() == held
    # With every column, the reply is written and read back.
    full = "date,kind,people,direction,channel,notes,source,in_reply_to\n"
    path = _sidecar_deal(tmp_path, "t.csv", full)
    add_touchpoint(path, ["ann", "bo"], kind="email", direction="sent", in_reply_to="mail:x@bo.cn")
    assert read_deal(path).touchpoints[-1].in_reply_to == "mail:x@bo.cn"


def test_touch_add_to_an_empty_csv_sidecar_writes_the_header(tmp_path: Path) -> None:
    path = _sidecar_deal(tmp_path, "t.csv", "")
    add_touchpoint(path, ["ann", "bo"], kind="visit", date="2026-11-02")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == (
        "date,kind,people,direction,channel,notes,source,in_reply_to\n"
        "2026-11-02,visit,ann;bo,,,,,\n"
    )


def test_touch_add_refuses_bad_input_and_writes_nothing(deal: Path) -> None:
    before = deal.read_bytes()
    with pytest.raises(UnknownPersonError, match="did you mean 'zhang-min'"):
        add_touchpoint(deal, ["li-wei", "zhang-mn"], kind="visit")
    with pytest.raises(EditValueError, match="one of our people"):
        add_touchpoint(deal, ["zhang-min", "liu-yang"], kind="visit")
    with pytest.raises(EditValueError, match=r"not a touchpoint kind; .* did you mean 'visit'"):
        add_touchpoint(deal, ["li-wei", "zhang-min"], kind="vist")
    with pytest.raises(EditValueError, match="for email, message, favour and gift"):
        add_touchpoint(deal, ["li-wei", "zhang-min"], kind="visit", direction="sent")
    with pytest.raises(EditValueError, match="is not a date"):
        add_touchpoint(deal, ["li-wei", "zhang-min"], kind="visit", date="yesterday")
    with pytest.raises(EditValueError, match="two different people"):
        add_touchpoint(deal, ["li-wei", "li-wei"], kind="visit")
    assert deal.read_bytes() == before


def test_touch_add_refuses_a_read_only_file_unless_forced(deal: Path) -> None:
    deal.chmod(stat.S_IRUSR)
    try:
        if os.access(deal, os.W_OK) and os.geteuid() == 0:
            pass  # root can write anyway: the check is on the mode, which stays read-only
        with pytest.raises(ReadOnlyFileError):
            add_touchpoint(deal, ["li-wei", "zhang-min"], kind="visit")
        add_touchpoint(deal, ["li-wei", "zhang-min"], kind="visit", force=True)
        assert stat.S_IMODE(deal.stat().st_mode) == stat.S_IRUSR
    finally:
        deal.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert len(read_deal(deal).touchpoints) == 1


# -- touch import ------------------------------------------------------------------------


def _dates(result: object) -> list[str]:
    return [t.date.isoformat() for t in result.touchpoints]  # type: ignore[attr-defined]


def test_google_calendar_export(deal: Path) -> None:
    result = import_touchpoints(deal, [_source(deal, "google.ics")])
    weekly = [t for t in result.touchpoints if t.people == ["li-wei", "zhang-min"]]
    # Mondays from 5 October; 12 October excluded (EXDATE); 19 October moved to the 20th;
    # 1 December is after the deal's as_of (20 November).
    assert _dates(type("R", (), {"touchpoints": weekly})) == [
        "2026-10-05",
        "2026-10-20",
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
    ]
    assert all(t.kind.value == "meeting" for t in result.touchpoints)
    moved = weekly[1]
    assert moved.source == "ics:5k2l9qv0h8sd7ghk3a1b@google.com/2026-10-19T10:00:00+08:00"
    (walk,) = [t for t in result.touchpoints if t.date == date(2026, 11, 3)]
    # Wang Fang by name (accents ignored); Liu Yang declined; Zhou Qiang is not mapped.
    assert walk.people == ["li-wei", "wang-fang"]
    assert result.unmapped == {"hengda-valve.cn": ["zhou.qiang@hengda-valve.cn"]}
    assert result.ignored == 1  # the cancelled budget review
    assert result.added == 7 and result.written


def test_outlook_calendar_export(deal: Path) -> None:
    result = import_touchpoints(deal, [_source(deal, "outlook.ics")])
    # Six Thursdays from 3 September (COUNT=6); 17 September excluded; 24 moved to 25.
    assert _dates(result) == ["2026-09-03", "2026-09-10", "2026-09-25", "2026-10-01", "2026-10-08"]
    assert {tuple(t.people) for t in result.touchpoints} == {("chen-jing", "liu-yang")}
    assert result.unmapped == {"hengda-valve.cn": ["sun.hao@hengda-valve.cn"]}


def test_reimport_is_a_no_op(deal: Path) -> None:
    sources = [_source(deal, n) for n in ("google.ics", "outlook.ics", "encoded.eml")]
    first = import_touchpoints(deal, sources)
    after_first = deal.read_bytes()
    again = import_touchpoints(deal, sources)
    assert first.added == 13 and again.added == 0 and not again.written
    assert again.skipped == 13
    assert deal.read_bytes() == after_first


def test_import_appends_only_new_lines_to_the_deal(deal: Path) -> None:
    before = deal.read_text(encoding="utf-8")
    import_touchpoints(deal, [_source(deal, "outlook.ics")])
    added = _only_inserted(before, deal.read_text(encoding="utf-8"))
    assert added[0] == "touchpoints:\n" and len(added) == 1 + 5 * 4


def test_dry_run_writes_nothing(deal: Path) -> None:
    before = deal.read_bytes()
    result = import_touchpoints(deal, [_source(deal, "google.ics")], dry_run=True)
    assert result.added == 7 and not result.written
    assert deal.read_bytes() == before


def test_encoded_headers_are_decoded_and_bodies_never_read(deal: Path) -> None:
    result = import_touchpoints(deal, [_source(deal, "encoded.eml")])
    (mail,) = result.touchpoints
    # From 张敏 (upper-case address), to 李伟 (gb2312), cc Wang Fāng by name.
    assert mail.people == ["zhang-min", "li-wei", "wang-fang"]
    assert mail.direction is not None and mail.direction.value == "received"
    assert mail.source == "mail:CAF=abc123@mail.hengda-valve.cn"
    assert result.unmapped == {"hengda-valve.cn": ["ma.li@hengda-valve.cn"]}
    assert "evil.example" not in json.dumps(result.unmapped)


def test_header_injection_in_an_encoded_name_makes_no_address(deal: Path) -> None:
    result = import_touchpoints(deal, [_source(deal, "injected.eml")])
    assert result.added == 0
    assert result.unmapped == {"hengda-valve.cn": ["hu.jun@hengda-valve.cn"]}
    (line,) = result.unmatched
    assert line.startswith(f"{deal.parent / 'injected.eml'}:1 (message 1): email on 2026-11-11")
    assert "evil" not in line


def _mbox(path: Path, count: int) -> Path:
    """A generated mailbox: our two sellers and five customer people, some not mapped."""
    ours = ["li.wei@acme-soft.com", "chen.jing@acme-soft.com"]
    theirs = [
        "zhang.min@hengda-valve.cn",
        "liu.yang@hengda-valve.cn",
        "zhou.qiang@hengda-valve.cn",
        "sun.hao@hengda-valve.cn",
        "ma.li@hengda-valve.cn",
        "hu.jun@hengda-valve.cn",
        "xu.bo@hengda-valve.cn",
    ]
    with path.open("wb") as out:
        for i in range(count):
            we, they = ours[i % 2], theirs[i % len(theirs)]
            sender, to = (we, they) if i % 3 else (they, we)
            day = 1 + i % 28
            out.write(
                f"From {sender} Mon Oct {day:2d} 09:00:00 2026\n"
                f"From: <{sender}>\n"
                f"To: {to}\n"
                f"Date: {'Mon' if i % 2 else 'Tue'}, {day} Oct 2026 09:{i % 60:02d}:00 +0800\n"
                f"Message-ID: <m-{i:04d}@acme-soft.com>\n"
                "Subject: generated\n"
                "\n"
                "Hello,\n"
                "From the body: a line that starts with From but follows no blank line\n"
                ">From an escaped line\n"
                "\n".encode()
            )
    return path


def test_an_mbox_of_a_thousand_messages(deal: Path) -> None:
    box = _mbox(deal.parent / "inbox.mbox", 1000)
    result = import_touchpoints(deal, [box])
    # Mapped: messages with zhang.min (i % 7 == 0) and liu.yang (i % 7 == 1), each with
    # li-wei (even i) or chen-jing (odd i), both of whom are ours.
    expected = [i for i in range(1000) if i % 7 in (0, 1)]
    assert result.added == len(expected)
    by_source = {t.source: t for t in result.touchpoints}
    for i in expected:
        touch = by_source[f"mail:m-{i:04d}@acme-soft.com"]
        assert touch.direction is not None
        assert touch.direction.value == ("sent" if i % 3 else "received")
    assert len(result.unmatched) == 1000 - len(expected)
    assert result.unmapped == {
        "hengda-valve.cn": [
            "hu.jun@hengda-valve.cn",
            "ma.li@hengda-valve.cn",
            "sun.hao@hengda-valve.cn",
            "xu.bo@hengda-valve.cn",
            "zhou.qiang@hengda-valve.cn",
        ]
    }
    again = import_touchpoints(deal, [box])
    assert again.added == 0 and again.skipped == len(expected)


def test_in_reply_to_is_read_and_a_sent_folder_alone_is_not_one_way(deal: Path) -> None:
    """A Sent folder: Li's replies name Zhang's messages (not in it) by In-Reply-To, folded,
    bare, or with several ids (the first counts); a follow-up names Li's own message."""
    sent = deal.parent / "sent.mbox"
    headers = [
        ("s1", "In-Reply-To: <z1@hengda-valve.cn>"),
        ("s2", "In-Reply-To:\n <z2@hengda-valve.cn> <z0@hengda-valve.cn>"),
        ("s3", "in-reply-to: z3@hengda-valve.cn"),
        ("s4", "In-Reply-To: <s1@acme-soft.com>"),
        ("s5", ""),
    ]
    with sent.open("w", encoding="utf-8") as out:
        for day, (mid, reply) in enumerate(headers, 2):
            out.write(
                f"From li.wei@acme-soft.com Mon Nov {day:2d} 09:00:00 2026\n"
                "From: Li Wei <li.wei@acme-soft.com>\nTo: zhang.min@hengda-valve.cn\n"
                f"Date: {day} Nov 2026 09:00:00 +0800\nMessage-ID: <{mid}@acme-soft.com>\n"
                + (reply + "\n" if reply else "")
                + "Subject: re\n\nbody\n\n"
            )
    result = import_touchpoints(deal, [sent])
    got = {t.source: (t.direction and t.direction.value, t.in_reply_to) for t in result.touchpoints}
    assert got == {
        "mail:s1@acme-soft.com": ("sent", "mail:z1@hengda-valve.cn"),
        "mail:s2@acme-soft.com": ("sent", "mail:z2@hengda-valve.cn"),
        "mail:s3@acme-soft.com": ("sent", "mail:z3@hengda-valve.cn"),
        "mail:s4@acme-soft.com": ("sent", "mail:s1@acme-soft.com"),
        "mail:s5@acme-soft.com": ("sent", None),
    }
    written = read_deal(deal)
    assert [t.in_reply_to for t in written.touchpoints[-5:]] == [v[1] for v in got.values()]
    # Only our mail with Zhang, all sent: her messages are not here, our replies show them.
    from influence import DealGraph

    graph = DealGraph(written)
    tie = next(t for t in graph.ties if {t.from_, t.to} == {"li-wei", "zhang-min"})
    assert "5 replied e-mails" in str(graph.explanation(tie))
    assert import_touchpoints(deal, [sent]).added == 0


def test_the_unmapped_report_groups_addresses_by_domain(deal: Path) -> None:
    from typer.testing import CliRunner

    from influence.cli import app

    box = _mbox(deal.parent / "inbox.mbox", 100)
    run = CliRunner().invoke(app, ["touch", "import", str(deal), str(box), "--dry-run"])
    assert run.exit_code == 0, run.output
    assert (
        "5 people at hengda-valve.cn you have not mapped: hu.jun@hengda-valve.cn, "
        "ma.li@hengda-valve.cn, sun.hao@hengda-valve.cn, xu.bo@hengda-valve.cn, "
        "zhou.qiang@hengda-valve.cn"
    ) in run.output
    assert run.output.splitlines()[0].startswith("would add 30 touchpoints")
    as_json = CliRunner().invoke(app, ["touch", "import", str(deal), str(box), "--json"])
    data = json.loads(as_json.stdout)
    assert (data["added"], data["written"], len(data["unmatched"])) == (30, True, 70)
    assert data["unmapped"]["hengda-valve.cn"][0] == "hu.jun@hengda-valve.cn"


def test_salesforce_tasks_and_events(deal: Path) -> None:
    result = import_touchpoints(
        deal, [_source(deal, "salesforce-tasks.csv"), _source(deal, "salesforce-events.csv")]
    )
    got = [(t.date.isoformat(), t.kind.value, t.people, t.source) for t in result.touchpoints]
    assert got == [
        ("2026-10-15", "call", ["li-wei", "zhang-min"], "salesforce:00T5g00000KmA1aEAF"),
        ("2026-10-16", "email", ["chen-jing", "liu-yang"], "salesforce:00T5g00000KmA1bEAF"),
        ("2026-10-28", "visit", ["li-wei", "zhang-min"], "salesforce:00U5g00000Pq01aEAB"),
        ("2026-11-05", "call", ["li-wei", "wang-fang"], "salesforce:00T5g00000KmA1dEAF"),
        ("2026-11-12", "meeting", ["chen-jing", "liu-yang"], "salesforce:00U5g00000Pq02aEAB"),
    ]
    assert result.ignored == 1  # the task not started yet
    (warning,) = result.warnings
    assert (Path(warning.file).name, warning.line) == ("salesforce-tasks.csv", 7)
    assert "'2026-13-45' is not a date" in warning.message
    assert result.unmapped == {"hengda-valve.cn": ["hu.jun@hengda-valve.cn"]}


def test_hubspot_engagements(deal: Path) -> None:
    result = import_touchpoints(deal, [_source(deal, "hubspot-engagements.csv")])
    got = [
        (t.date.isoformat(), t.kind.value, t.people, t.direction and t.direction.value, t.source)
        for t in result.touchpoints
    ]
    assert got == [
        # hs_timestamp in milliseconds: 2026-10-15T05:00:00Z
        ("2026-10-15", "email", ["chen-jing", "liu-yang"], "received", "hubspot:70002"),
        ("2026-10-20", "email", ["li-wei", "zhang-min"], "sent", "hubspot:70001"),
        ("2026-11-02", "call", ["li-wei", "zhang-min"], None, "hubspot:70003"),
        ("2026-11-04", "meeting", ["chen-jing", "liu-yang"], None, "hubspot:70005"),
    ]
    assert result.ignored == 1  # the note
    assert result.unmapped == {"hengda-valve.cn": ["ma.li@hengda-valve.cn"]}


def test_import_into_a_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    text = (DATA / "deal.yaml").read_text(encoding="utf-8") + "touchpoints: history.jsonl\n"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "history.jsonl").write_text("", encoding="utf-8")
    result = import_touchpoints(path, [_source(path, "outlook.ics")])
    assert Path(result.file).name == "history.jsonl" and result.added == 5
    assert path.read_text(encoding="utf-8") == text
    assert len((tmp_path / "history.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert import_touchpoints(path, [_source(path, "outlook.ics")]).added == 0


# -- hostile input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cal.ics", b"not a calendar\n", "not an iCalendar file"),
        ("cal.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026XX01\r\n", "cannot read"),
        ("box.mbox", b"Subject: no envelope line\n\nbody\n", "not an mbox file"),
        ("box.mbox", b"", "no message"),
        ("one.eml", b"\r\nonly a body\r\n", "no headers"),
        ("acts.csv", b"Subject,Owner\nx,y\n", "not a CRM activity export"),
        ("notes.txt", b"hello\n", "unknown kind of source"),
    ],
)
def test_unreadable_sources_stop_the_import_and_write_nothing(
    deal: Path, name: str, content: bytes, message: str
) -> None:
    good = _source(deal, "google.ics")
    bad = deal.parent / name
    bad.write_bytes(content)
    before = deal.read_bytes()
    with pytest.raises(TouchImportError) as err:
        import_touchpoints(deal, [good, bad])
    assert any(message in p.message and p.file == str(bad) for p in err.value.problems), (
        err.value.problems
    )
    assert deal.read_bytes() == before


def test_bad_messages_are_skipped_with_located_warnings(deal: Path) -> None:
    box = deal.parent / "bad.mbox"
    box.write_bytes(
        b"From x Mon Oct  5 09:00:00 2026\n"
        b"From: li.wei@acme-soft.com\nTo: zhang.min@hengda-valve.cn\n"
        b"Date: the day after tomorrow\nMessage-ID: <a@x>\n\nbody\n\n"
        b"From x Mon Oct  5 09:00:00 2026\n"
        b"From: li.wei@acme-soft.com\nTo: \xc0\xc1 Zhang <zhang.min@hengda-valve.cn>\n"
        b"Date: Mon, 5 Oct 2026 09:00:00 +0800\nMessage-ID: <b@x>\n\nbody\n\n"
        b"From x Mon Oct  5 09:00:00 2026\n"
        b"From: li.wei@acme-soft.com\nTo: zhang.min@hengda-valve.cn\nMessage-ID: <c@x>\n\n"
        b"From x Mon Oct  5 09:00:00 2026\n"
        b"From: li.wei@acme-soft.com\nX-Long: " + b"a" * 300_000 + b"\nDate: Mon, 5 Oct 2026"
        b" 09:00:00 +0800\nTo: zhang.min@hengda-valve.cn\nMessage-ID: <d@x>\n\nbody\n"
    )
    result = import_touchpoints(deal, [box])
    assert [t.source for t in result.touchpoints] == ["mail:b@x"]
    shown = [(w.line, w.field, w.message) for w in result.warnings]
    assert shown == [
        (1, "message 1", "Date 'the day after tomorrow' is not a date: skipped"),
        (9, "message 2", "a header is not UTF-8; read with replacement characters"),
        (17, "message 3", "no Date header: skipped"),
        (22, "message 4", "headers longer than 256 KB: skipped"),
    ]
    assert all(w.file == str(box) for w in result.warnings)


def test_a_mailbox_is_streamed_bodies_and_long_lines_are_not_kept(deal: Path) -> None:
    box = deal.parent / "big.mbox"
    with box.open("wb") as out:
        out.write(
            b"From x Mon Oct  5 09:00:00 2026\nFrom: li.wei@acme-soft.com\n"
            b"To: zhang.min@hengda-valve.cn\nDate: Mon, 5 Oct 2026 09:00:00 +0800\n"
            b"Message-ID: <big@x>\n\n"
        )
        chunk = b"b" * (1 << 20)
        for _ in range(8):  # an 8 MB body line without a line break
            out.write(chunk)
        out.write(b"\n\nFrom x Mon Oct  6 09:00:00 2026\nFrom: li.wei@acme-soft.com\n")
        out.write(b"To: zhang.min@hengda-valve.cn\nDate: Tue, 6 Oct 2026 09:00:00 +0800\n")
        out.write(b"Message-ID: <after@x>\n\nbody\n")
    result = import_touchpoints(deal, [box])
    assert [t.source for t in result.touchpoints] == ["mail:big@x", "mail:after@x"]


def test_a_malformed_ics_date_and_a_fifo_are_refused(deal: Path) -> None:
    fifo = deal.parent / "pipe.mbox"
    os.mkfifo(fifo)
    with pytest.raises(TouchImportError, match="not a regular file"):
        import_touchpoints(deal, [fifo])


def test_person_set_takes_emails_as_a_list(deal: Path) -> None:
    from influence.interop.edit import set_person

    result = set_person(deal, "wang-fang", {"emails": "Fang.Wang@hengda-valve.cn; w.fang@x.cn"})
    assert result.deal.person("wang-fang").emails == ["fang.wang@hengda-valve.cn", "w.fang@x.cn"]


def test_touch_add_records_a_favour_they_did_for_us(deal: Path) -> None:
    # The favours ledger (人情): a favour's direction says who did it.
    add_touchpoint(deal, ["li-wei", "zhang-min"], kind="favour", direction="received")
    added = read_deal(deal).touchpoints[-1]
    assert (added.kind.value, added.direction.value if added.direction else None) == (
        "favour",
        "received",
    )


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
def test_the_import_json_is_made_in_chunks_and_is_the_whole_json(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    from influence.cli import touch as cli_touch
    from influence.interop.touch import TouchResult, touch_items

    monkeypatch.setattr(cli_touch, "_CHUNK", 2)  # chunks of 2: every boundary is crossed
    touches = [
        Touchpoint(
            date=date(2026, 11, 1 + i),
            kind=TouchKind.EMAIL,
            people=["li-wei", "zhang-min"],
            direction=Direction.SENT,
            notes="“quoted”\u009b",
            source=f"mail:{i}",
        )
        for i in range(count)
    ]
    result = TouchResult("deal.yaml", touches, True)
    pieces = list(cli_touch._iter_json(result, False))
    whole = {**cli_touch._summary(result, False), "touchpoints": touch_items(touches)}
    assert "".join(pieces) == json.dumps(whole, indent=2, ensure_ascii=False)
    assert len(pieces) == (1 if count == 0 else 2 + (count + 1) // 2)
