"""Edits of a deal file: only the intended lines change, invalid edits are refused located,
a concurrent change is caught, and a process killed mid-edit leaves the old or the new file.

Exit codes of ``influence person|tie add|set|rm`` (the README lists them): 0 done;
2 an unknown field or kind, or FIELD=VALUE without '='; 3 the file cannot be read or
the edit would make it invalid (the located problems, nothing written); 4 an unknown
person or tie, a person still referred to (without --cascade), a tie that is already
there, or a file that changed on disk while the edit ran.
"""

from __future__ import annotations

import difflib
import json
import random
import re
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from influence.interop.edit import (
    EditConflictError,
    EditValueError,
    InvalidEditError,
    PersonInUseError,
    TieExistsError,
    UnknownTieError,
    parse_editable,
    read_editable,
    remove_person,
    set_person,
    write_editable,
)
from influence.io import find_deal_files, parse_deal, read_deal
from tests.conftest import EXAMPLES, ROOT

TODAY = date.today().isoformat()

DEAL = """\
# ACME ERP replacement: the buying committee as we know it on 2026-11-20.
# Owner: Li Wei. Keep this file in git; `influence diff` shows what changed.
version: 1

deal:
  name: ACME ERP replacement   # as in the CRM
  account: ACME Manufacturing
  stage: evaluation
  value: 480000
  currency: USD
  owner: li-wei
  as_of: 2026-11-20

people:
  # --- Customer ---------------------------------------------------------
  - id: chen-ceo
    name: Chen Jun            # 陈军
    title: CEO
    roles: [decision_maker]
    influence: high           # = 0.85
    stance: neutral
    style: driver

  - id: zhang-cfo
    name: Zhang Min
    title: CFO
    roles: [economic_buyer]
    influence: 0.9
    stance: neutral           # met twice; undecided
    assessed: 2026-10-02
    reports_to: chen-ceo
    notes: >-
      Cares about payback period.
      Wants a business case by December.

  - id: wang-fang
    name: "Wang Fang"
    title: 'Head of IT'
    roles:
      - technical_buyer
    stance: ally
    reports_to: chen-ceo
    notes: |
      Ran the pilot.
      Knows Li Wei from Haier.

  - {id: zhao-lei, name: Zhao Lei, title: IT Manager, reports_to: wang-fang, stance: unknown}

  # --- Our team ---------------------------------------------------------
  - id: li-wei
    name: Li Wei
    side: seller
  - id: sun-yu       # solutions engineer
    name: Sun Yu
    side: seller

relationships:
  # Our coverage.
  - from: li-wei
    to: wang-fang
    kind: knows
    strength: strong          # = 0.9
    context: former_colleague
    last_contact: 2026-11-02
    notes: Worked together at Haier.
  - {from: li-wei, to: zhang-cfo, strength: weak, last_contact: 2026-09-15}
  - from: sun-yu
    to: zhao-lei
    strength: 0.6

  # Inside the customer.
  - from: wang-fang
    to: chen-ceo
    kind: influences
    strength: 0.7   # he listens to her on IT

policy:
  coverage_strength: 0.5   # team default
# end of file
"""


def changes(old: str, new: str) -> list[tuple[list[str], list[str]]]:
    """Each changed run of lines as (old lines, new lines), line endings included."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [(a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


@pytest.fixture
def deal_file(write: Any) -> Path:
    path: Path = write(DEAL)
    assert read_deal(path).person("zhang-cfo").stance.value == "neutral"
    return path


# -- the commands in the issue ----------------------------------------------------------


def test_person_set_from_the_issue(cli: Any, deal_file: Path) -> None:
    result = cli("person", "set", deal_file, "zhang-cfo", "stance=ally", "assessed=today")
    assert result.exit_code == 0, result.stderr
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            [
                "    stance: neutral           # met twice; undecided\n",
                "    assessed: 2026-10-02\n",
            ],
            ["    stance: ally           # met twice; undecided\n", f"    assessed: {TODAY}\n"],
        )
    ]
    assert comments(new) == comments(DEAL)
    person = read_deal(deal_file).person("zhang-cfo")
    assert (person.stance.value, person.assessed) == ("ally", date.today())
    assert "set zhang-cfo.stance: 'neutral' -> 'ally'" in result.stderr


def test_tie_add_from_the_issue(cli: Any, deal_file: Path) -> None:
    result = cli(
        "tie", "add", deal_file, "li-wei", "chen-ceo",
        "--kind", "knows", "--strength", "strong", "--last-contact", "today",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            [],
            [
                "  - from: li-wei\n",
                "    to: chen-ceo\n",
                "    kind: knows\n",
                "    strength: strong\n",
                f"    last_contact: {TODAY}\n",
            ],
        )
    ]
    # Appended after the last tie, before the blank line and policy:
    assert "    strength: 0.7   # he listens to her on IT\n  - from: li-wei\n" in new
    tie = read_deal(deal_file).relationships[-1]
    assert (tie.from_, tie.to, tie.strength, tie.last_contact) == (
        "li-wei",
        "chen-ceo",
        0.9,
        date.today(),
    )


# -- every other edit changes only its own lines ----------------------------------------


def test_person_add(cli: Any, deal_file: Path) -> None:
    result = cli(
        "person", "add", deal_file, "--name", "Liu Yang", "--title", "CTO",
        "--role", "technical_buyer", "--role", "user", "--influence", "high",
        "--stance", "neutral", "--reports-to", "chen-ceo", "--notes", 'Says "maybe": often',
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            [],
            [
                "  - id: liu-yang\n",
                "    name: Liu Yang\n",
                "    title: CTO\n",
                "    roles: [technical_buyer, user]\n",
                "    influence: high\n",
                "    stance: neutral\n",
                "    reports_to: chen-ceo\n",
                '    notes: "Says \\"maybe\\": often"\n',
            ],
        )
    ]
    assert read_deal(deal_file).person("liu-yang").notes == 'Says "maybe": often'


def test_person_set_replaces_a_block_scalar_and_keeps_the_blank_line(
    cli: Any, deal_file: Path
) -> None:
    assert cli("person", "set", deal_file, "zhang-cfo", "notes=Signed off.").exit_code == 0
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            [
                "    notes: >-\n",
                "      Cares about payback period.\n",
                "      Wants a business case by December.\n",
            ],
            ["    notes: Signed off.\n"],
        )
    ]


def test_person_set_in_a_flow_mapping_and_removing_a_field(cli: Any, deal_file: Path) -> None:
    assert cli("person", "set", deal_file, "zhao-lei", "stance=blocker", "title=").exit_code == 0
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            [
                "  - {id: zhao-lei, name: Zhao Lei, title: IT Manager, reports_to: wang-fang, "
                "stance: unknown}\n"
            ],
            ["  - {id: zhao-lei, name: Zhao Lei, reports_to: wang-fang, stance: blocker}\n"],
        )
    ]
    removed = cli("person", "set", deal_file, "wang-fang", "roles=", "notes=")
    assert removed.exit_code == 0, removed.stderr
    assert changes(new, deal_file.read_text(encoding="utf-8")) == [
        (["    roles:\n", "      - technical_buyer\n"], []),
        (["    notes: |\n", "      Ran the pilot.\n", "      Knows Li Wei from Haier.\n"], []),
    ]


def test_person_set_a_new_field_goes_in_the_spec_order(cli: Any, deal_file: Path) -> None:
    assert cli("person", "set", deal_file, "chen-ceo", "assessed=2026-11-19").exit_code == 0
    assert changes(DEAL, deal_file.read_text(encoding="utf-8")) == [
        ([], ["    assessed: 2026-11-19\n"])
    ]
    assert "    stance: neutral\n    assessed: 2026-11-19\n    style: driver\n" in (
        deal_file.read_text(encoding="utf-8")
    )


def test_renaming_pins_the_id(cli: Any, deal_file: Path, write: Any) -> None:
    path = write("deal: {name: T}\npeople:\n  - name: Ann Lee\n    title: CFO\n", "t.yaml")
    assert cli("person", "set", path, "ann-lee", "name=Ann Li").exit_code == 0
    assert path.read_text(encoding="utf-8") == (
        "deal: {name: T}\npeople:\n  - name: Ann Li\n    id: ann-lee\n    title: CFO\n"
    )
    assert read_deal(path).person("ann-lee").name == "Ann Li"


def test_tie_set_and_rm(cli: Any, deal_file: Path) -> None:
    # knows holds both ways: named the other way round, the tie is found.
    result = cli("tie", "set", deal_file, "zhang-cfo", "li-wei", "strength=0.8", "context=golf")
    assert result.exit_code == 0, result.stderr
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            ["  - {from: li-wei, to: zhang-cfo, strength: weak, last_contact: 2026-09-15}\n"],
            [
                "  - {from: li-wei, to: zhang-cfo, strength: 0.8, context: golf, "
                "last_contact: 2026-09-15}\n"
            ],
        )
    ]
    gone = cli("tie", "rm", deal_file, "wang-fang", "chen-ceo", "--kind", "influences")
    assert gone.exit_code == 0, gone.stderr
    assert changes(new, deal_file.read_text(encoding="utf-8")) == [
        (
            [
                "  - from: wang-fang\n",
                "    to: chen-ceo\n",
                "    kind: influences\n",
                "    strength: 0.7   # he listens to her on IT\n",
            ],
            [],
        )
    ]
    shorthand = cli("tie", "rm", deal_file, "zhang-cfo", "chen-ceo", "--kind", "reports_to")
    assert shorthand.exit_code == 0
    assert read_deal(deal_file).person("zhang-cfo").reports_to is None


def test_tie_set_gives_a_tie_another_kind_in_place(cli: Any, deal_file: Path) -> None:
    result = cli("tie", "set", deal_file, "zhang-cfo", "li-wei", "kind=influences")
    assert result.exit_code == 0, result.stderr
    new = deal_file.read_text(encoding="utf-8")
    assert changes(DEAL, new) == [
        (
            ["  - {from: li-wei, to: zhang-cfo, strength: weak, last_contact: 2026-09-15}\n"],
            [
                "  - {from: li-wei, to: zhang-cfo, kind: influences, strength: weak, "
                "last_contact: 2026-09-15}\n"
            ],
        )
    ]
    # influences has a direction: the tie keeps the one it was written with
    ties = {(r.from_, r.to, r.kind.value) for r in read_deal(deal_file).relationships}
    assert ("li-wei", "zhang-cfo", "influences") in ties
    assert not {("li-wei", "zhang-cfo", "knows"), ("zhang-cfo", "li-wei", "knows")} & ties
    # a kind already between the two is refused, with nothing written
    after = deal_file.read_bytes()
    cli("tie", "add", deal_file, "li-wei", "zhang-cfo", "--kind", "knows")
    held = deal_file.read_bytes()
    again = cli("tie", "set", deal_file, "li-wei", "zhang-cfo", "kind=knows", "--kind=influences")
    assert again.exit_code != 0 and "already a knows tie" in again.stderr
    assert "Traceback" not in again.stderr and deal_file.read_bytes() == held
    cli("tie", "rm", deal_file, "li-wei", "zhang-cfo", "--kind", "knows")
    assert deal_file.read_bytes() == after
    # kind= goes back to the default by taking the key away: the file as it was
    back = cli("tie", "set", deal_file, "li-wei", "zhang-cfo", "kind=", "--kind", "influences")
    assert back.exit_code == 0, back.stderr
    assert changes(after.decode("utf-8"), deal_file.read_text(encoding="utf-8")) == [
        (
            [
                "  - {from: li-wei, to: zhang-cfo, kind: influences, strength: weak, "
                "last_contact: 2026-09-15}\n"
            ],
            ["  - {from: li-wei, to: zhang-cfo, strength: weak, last_contact: 2026-09-15}\n"],
        )
    ]


ZHANG = """\
  - id: zhang-cfo
    name: Zhang Min
    title: CFO
    roles: [economic_buyer]
    influence: 0.9
    stance: neutral           # met twice; undecided
    assessed: 2026-10-02
    reports_to: chen-ceo
    notes: >-
      Cares about payback period.
      Wants a business case by December.

"""


def test_person_rm_without_ties(cli: Any, deal_file: Path) -> None:
    tie = "  - {from: li-wei, to: zhang-cfo, strength: weak, last_contact: 2026-09-15}\n"
    text = DEAL.replace(tie, "")
    deal_file.write_text(text, encoding="utf-8")
    result = cli("person", "rm", deal_file, "zhang-cfo")
    assert result.exit_code == 0, result.stderr
    # The person's lines go with one of the two blank lines around them; all else stays.
    assert ZHANG in text
    assert deal_file.read_text(encoding="utf-8") == text.replace(ZHANG, "")


def test_person_rm_with_ties_is_refused_with_the_ties_listed(cli: Any, deal_file: Path) -> None:
    result = cli("person", "rm", deal_file, "wang-fang")
    assert result.exit_code == 4
    assert result.stderr.strip() == (
        "error: 'wang-fang' is still referred to: tie li-wei knows wang-fang; "
        "tie wang-fang influences chen-ceo; zhao-lei.reports_to; remove those first, "
        "or pass --cascade to remove them with the person"
    )
    assert deal_file.read_text(encoding="utf-8") == DEAL


def test_person_rm_cascade_removes_the_ties_and_nothing_else(cli: Any, deal_file: Path) -> None:
    result = cli("person", "rm", deal_file, "wang-fang", "--cascade")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[:4] == [
        "removed tie li-wei knows wang-fang",
        "removed tie wang-fang influences chen-ceo",
        "removed zhao-lei.reports_to",
        "removed person 'wang-fang'",
    ]
    expected = DEAL
    for gone in (
        """\
  - id: wang-fang
    name: "Wang Fang"
    title: 'Head of IT'
    roles:
      - technical_buyer
    stance: ally
    reports_to: chen-ceo
    notes: |
      Ran the pilot.
      Knows Li Wei from Haier.

""",
        """\
  - from: li-wei
    to: wang-fang
    kind: knows
    strength: strong          # = 0.9
    context: former_colleague
    last_contact: 2026-11-02
    notes: Worked together at Haier.
""",
        """\
  - from: wang-fang
    to: chen-ceo
    kind: influences
    strength: 0.7   # he listens to her on IT
""",
        "reports_to: wang-fang, ",
    ):
        assert expected.count(gone) == 1
        expected = expected.replace(gone, "")
    assert deal_file.read_text(encoding="utf-8") == expected
    deal = read_deal(deal_file)
    assert "wang-fang" not in deal.people_by_id()
    assert all("wang-fang" not in (r.from_, r.to) for r in deal.relationships)


def test_person_rm_cascade_of_the_owner(deal_file: Path) -> None:
    with pytest.raises(PersonInUseError, match=r"deal\.owner"):
        remove_person(deal_file, "li-wei")
    result = remove_person(deal_file, "li-wei", cascade=True)
    assert result.changes[-2:] == ["removed deal.owner", "removed person 'li-wei'"]
    assert result.deal.deal.owner is None
    assert "  owner: li-wei\n" not in deal_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_person_of_the_examples_takes_a_one_line_edit(example: Path, tmp_path: Path) -> None:
    """A stance change in the hand-written examples touches one line, whatever the layout."""
    original = example.read_text(encoding="utf-8")
    path = tmp_path / example.name
    for person in read_deal(example).people:
        path.write_text(original, encoding="utf-8")
        stance = "blocker" if person.stance.value != "blocker" else "ally"
        set_person(path, person.id, {"stance": stance})
        new = path.read_text(encoding="utf-8")
        got = changes(original, new)
        assert len(got) == 1 and len(got[0][1]) == 1, (person.id, got)
        assert len(got[0][0]) <= 1  # one line replaced, or one inserted
        assert comments(new) == comments(original)
        assert read_deal(path).person(person.id).stance.value == stance


# -- refused edits: located, and the file untouched -------------------------------------


def _line_of(text: str, fragment: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(fragment, start)].count("\n") + 1


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (
            ["person", "set", "zhang-cfo", "stance=friendly"],
            3,
            "{file}:{stance}:13: people[1].stance: 'friendly' is not a stance; expected one of "
            "ally, neutral, blocker, unknown",
        ),
        (
            ["person", "set", "zhang-cfo", "influence=11"],
            3,
            "{file}:{influence}:16: people[1].influence: 11.0 is out of range; expected a "
            "number from 0 to 1",
        ),
        (
            ["person", "set", "zhang-cfo", "stance=alli"],
            3,
            "did you mean 'ally'?",
        ),
        (
            ["tie", "add", "li-wei", "chen-ce0"],
            3,
            "relationships[4].to: no person 'chen-ce0' in this deal; did you mean 'chen-ceo'?",
        ),
        (
            ["person", "set", "zhang-cfo", "reports_to=zhang-cfo"],
            3,
            "people[1].reports_to: 'zhang-cfo' cannot report to themselves",
        ),
        (
            ["person", "set", "chen-ceo", "reports_to=zhang-cfo"],
            3,
            "reports_to cycle: chen-ceo -> zhang-cfo -> chen-ceo",
        ),
        (["person", "set", "zhang-cfo", "mood=happy"], 2, "'mood' is not a person field"),
        (["person", "set", "zhang-cfo", "stance"], 2, "expected KEY=VALUE"),
        (["person", "set", "zhang-cfo", "id=zhang-min"], 2, "an id cannot be changed"),
        (["tie", "add", "li-wei", "chen-ceo", "--kind", "likes"], 2, "not a relationship kind"),
        (["person", "set", "zhang-cf", "stance=ally"], 4, "did you mean 'zhang-cfo'?"),
        (["tie", "set", "li-wei", "chen-ceo", "strength=1"], 4, "no knows tie between"),
        (["tie", "add", "zhang-cfo", "li-wei"], 4, "there is already a knows tie"),
        (["person", "add", "--name", "Zhang Min", "--id", "zhang-cfo"], 4, "already in the deal"),
    ],
)
def test_refused_edits_leave_the_file_as_it_was(
    cli: Any, deal_file: Path, args: list[str], code: int, expected: str
) -> None:
    before = deal_file.read_bytes()
    result = cli(*args[:2], deal_file, *args[2:])
    assert result.exit_code == code, result.stderr
    message = expected.format(
        file=deal_file,
        stance=_line_of(DEAL, "stance: neutral  ", "id: zhang-cfo"),
        influence=_line_of(DEAL, "influence: 0.9"),
    )
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert deal_file.read_bytes() == before
    assert sorted(p.name for p in deal_file.parent.iterdir()) == [deal_file.name]
    if code == 3:
        assert "edit refused: the file would be invalid" in result.stderr


def test_invalid_edit_in_the_library_is_located_in_the_would_be_file(deal_file: Path) -> None:
    doc = read_editable(deal_file)
    doc.set_person("zhang-cfo", {"stance": "friendly"})
    with pytest.raises(InvalidEditError) as caught:
        write_editable(doc)
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (
        _line_of(DEAL, "stance: neutral  ", "id: zhang-cfo"),
        "people[1].stance",
    )
    assert deal_file.read_text(encoding="utf-8") == DEAL


def test_library_errors() -> None:
    doc = parse_editable(DEAL)
    with pytest.raises(TieExistsError):
        doc.add_tie("zhang-cfo", "li-wei")
    with pytest.raises(UnknownTieError, match="ties between them: knows"):
        doc.set_tie("li-wei", "zhang-cfo", {"strength": 1}, kind="influences")
    with pytest.raises(EditValueError, match="did you mean 'last_contact'"):
        doc.set_tie("li-wei", "zhang-cfo", {"last_contct": "today"})
    with pytest.raises(EditValueError, match="parsed from text"):
        write_editable(doc)


# -- the file changed on disk meanwhile --------------------------------------------------


def test_a_change_on_disk_between_read_and_write_is_refused(deal_file: Path) -> None:
    doc = read_editable(deal_file)
    doc.set_person("zhang-cfo", {"stance": "ally"})
    theirs = DEAL.replace("stage: evaluation", "stage: proposal")
    deal_file.write_text(theirs, encoding="utf-8")  # someone else saved meanwhile
    with pytest.raises(EditConflictError, match="changed on disk since it was read"):
        write_editable(doc)
    assert deal_file.read_text(encoding="utf-8") == theirs


def test_the_cli_refuses_a_concurrent_change(
    cli: Any, deal_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from influence.interop import edit

    real = edit.EditableDeal.set_person
    theirs = DEAL.replace("value: 480000", "value: 500000")

    def racing(self: edit.EditableDeal, *args: Any, **kwargs: Any) -> list[str]:
        done = real(self, *args, **kwargs)
        deal_file.write_text(theirs, encoding="utf-8")  # the editor saves mid-command
        return done

    monkeypatch.setattr(edit.EditableDeal, "set_person", racing)
    result = cli("person", "set", deal_file, "zhang-cfo", "stance=ally")
    assert result.exit_code == 4
    assert "changed on disk since it was read; nothing was written" in result.stderr
    assert deal_file.read_text(encoding="utf-8") == theirs


# -- files of other shapes ----------------------------------------------------------------


def test_json_files_are_edited_too(cli: Any, write: Any) -> None:
    data = parse_deal(DEAL).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["people"][0]["name"] = "陈军"
    original = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path = write(original, "deal.json")
    assert cli("person", "set", path, "zhang-cfo", "stance=ally").exit_code == 0
    new = path.read_text(encoding="utf-8")
    assert changes(original, new) == [
        (['      "stance": "neutral",\n'], ['      "stance": "ally",\n'])
    ]
    assert cli("tie", "add", path, "sun-yu", "chen-ceo", "--strength", "weak").exit_code == 0
    assert cli("person", "rm", path, "zhao-lei", "--cascade").exit_code == 0
    deal = read_deal(path)
    assert deal.person("zhang-cfo").stance.value == "ally"
    assert deal.person("chen-ceo").name == "陈军"  # not \\u-escaped
    assert "陈军" in path.read_text(encoding="utf-8")
    assert ("sun-yu", "chen-ceo", 0.3) in [(r.from_, r.to, r.strength) for r in deal.relationships]
    assert "zhao-lei" not in deal.people_by_id()
    assert list(json.loads(path.read_text(encoding="utf-8"))) == list(data)  # key order kept


def test_a_json_file_with_a_repeated_key_is_not_silently_fixed(cli: Any, write: Any) -> None:
    text = '{"deal": {"name": "T"}, "people": [{"name": "A", "stance": "ally", "stance": "no"}]}'
    path = write(text, "deal.json")
    result = cli("person", "set", path, "a", "title=CFO")
    assert result.exit_code == 3
    assert "the key 'stance' appears twice" in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_crlf_bom_and_mode_are_kept(cli: Any, write: Any) -> None:
    original = ("\ufeff" + DEAL).replace("\n", "\r\n").encode("utf-8")
    path = write(original)
    path.chmod(0o640)
    assert cli("person", "set", path, "zhang-cfo", "stance=ally").exit_code == 0
    assert cli("tie", "add", path, "sun-yu", "chen-ceo").exit_code == 0
    assert cli("person", "rm", path, "zhao-lei", "--cascade").exit_code == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line still ends in CRLF
    assert b"    stance: ally           # met twice; undecided\r\n" in raw
    assert b"  - from: sun-yu\r\n    to: chen-ceo\r\n    kind: knows\r\n" in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert read_deal(path).person("zhang-cfo").stance.value == "ally"


def test_a_symlinked_deal_stays_a_link(cli: Any, deal_file: Path) -> None:
    link = deal_file.with_name("link.yaml")
    link.symlink_to(deal_file.name)
    assert cli("person", "set", link, "zhang-cfo", "stance=ally").exit_code == 0
    assert link.is_symlink()
    assert read_deal(deal_file).person("zhang-cfo").stance.value == "ally"


def test_line_separators_inside_values_do_not_shift_edits(cli: Any, write: Any) -> None:
    # libyaml counts U+2028 and U+0085 as line breaks; offsets must not.
    text = DEAL.replace(
        "  - id: chen-ceo\n", '  - id: chen-ceo\n    notes: "odd\u2028breaks\u0085here"\n'
    )
    path = write(text)
    assert cli("person", "set", path, "zhang-cfo", "stance=ally").exit_code == 0
    assert changes(text, path.read_text(encoding="utf-8")) == [
        (
            ["    stance: neutral           # met twice; undecided\n"],
            ["    stance: ally           # met twice; undecided\n"],
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deal: {name: T}\n", "deal: {name: T}\npeople:\n  - id: ann\n    name: Ann\n"),
        (
            "deal: {name: T}\npeople: []  # none yet\n",
            "deal: {name: T}\npeople:  # none yet\n  - id: ann\n    name: Ann\n",
        ),
        ("deal: {name: T}\npeople:\n", "deal: {name: T}\npeople:\n  - id: ann\n    name: Ann\n"),
        ("{deal: {name: T}}", "{deal: {name: T}, people: [{id: ann, name: Ann}]}"),
        (
            "deal: {name: T}\npeople: [{name: Bo}]",
            "deal: {name: T}\npeople: [{name: Bo}, {id: ann, name: Ann}]",
        ),
    ],
)
def test_adding_to_other_layouts(text: str, expected: str) -> None:
    doc = parse_editable(text)
    doc.add_person({"name": "Ann"})
    assert doc.text == expected
    assert doc.check().deal is not None


def test_successful_edits_leave_no_temporary_files(cli: Any, deal_file: Path) -> None:
    for args in (
        ["person", "set", deal_file, "zhang-cfo", "stance=ally"],
        ["tie", "add", deal_file, "sun-yu", "chen-ceo"],
        ["person", "rm", deal_file, "zhao-lei", "--cascade"],
    ):
        assert cli(*args).exit_code == 0
    assert [p.name for p in deal_file.parent.iterdir()] == [deal_file.name]


# -- a real kill in the middle of an edit ----------------------------------------------------

# Runs the CLI with os.fsync and os.replace slowed down (and announced on stderr),
# so that kills land inside the write: before the rename (the temporary file is
# complete but not in place) and after it. The library itself has no test hooks.
_SLOW_WRITE = """
import os, sys, time
pause = float(sys.argv[1])
real_fsync, real_replace = os.fsync, os.replace
def fsync(fd):
    sys.stderr.write("fsync\\n"); sys.stderr.flush()
    time.sleep(pause)
    real_fsync(fd)
def replace(src, dst):
    real_replace(src, dst)
    sys.stderr.write("replaced\\n"); sys.stderr.flush()
    time.sleep(pause)
os.fsync, os.replace = fsync, replace
sys.argv = ["influence", *sys.argv[2:]]
from influence.cli import main
main()
"""

# What a kill may leave: the temporary file, or the lock file of the killed edit
# (unlocked by the system as the process died, so it blocks nobody; see below).
_TEMP = re.compile(r"^\.deal\.yaml\.(?:[A-Za-z0-9_]+\.tmp|lock)$")


@pytest.mark.slow
def test_a_killed_edit_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    from benchmarks.generate import dump_deal, generate_deal

    folder = tmp_path / "deals"
    folder.mkdir()
    path = folder / "deal.yaml"
    big = generate_deal(3000, seed=7, ties_per_person=1)
    old = ("# a big deal, generated\n" + dump_deal(big)).encode()
    target = big["people"][40]["id"]
    edit = ["person", "set", str(path), target, "stance=blocker", "notes=killed?"]
    command = [sys.executable, "-m", "influence", *edit]

    # The edit run to the end once: the new content, and how long an edit takes.
    path.write_bytes(old)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    duration = time.perf_counter() - started
    new = path.read_bytes()
    assert new != old and b"notes: killed?" in new

    rng = random.Random(20261123)
    outcomes: dict[str, list[str]] = {"random": [], "in the write": []}

    def check_after_kill(kind: str) -> None:
        raw = path.read_bytes()
        assert raw in (old, new), f"{kind}: the file is neither the old nor the new one"
        outcomes[kind].append("new" if raw == new else "old")
        leftovers = [p.name for p in folder.iterdir() if p.name != "deal.yaml"]
        # A kill can leave the temporary or lock file: hidden, named after the deal, never read.
        assert all(_TEMP.match(name) for name in leftovers), leftovers
        assert list(find_deal_files([folder])) == [str(path)]
        path.write_bytes(old)

    # Kills at random moments of the whole command: start-up, parsing, validating, writing.
    for _ in range(10):
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        check_after_kill("random")

    # Kills inside the write: before the rename (old) and after it (new).
    pause = 0.4
    for fraction in rng.sample([0.2, 0.5, 0.8, 1.3, 1.7, 2.5], 6):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SLOW_WRITE, str(pause), *edit],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        assert proc.stderr.readline() == "fsync\n"  # the temporary file is written
        time.sleep(pause * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        check_after_kill("in the write")

    assert set(outcomes["in the write"]) == {"old", "new"}, outcomes
    read_deal(path)  # the old file, after the last kill: still a deal
    # Whatever the kills left, the next edit goes ahead without waiting.
    assert set_person(path, target, {"notes": "after the kills"}, wait=0).written
