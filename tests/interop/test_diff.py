"""``influence diff`` on two versions with known changes reports exactly them, from files,
pipes, /dev/stdin and git (``<(git show HEAD:deal.yaml)``), as text or sorted JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from influence.analysis.report import analyze
from influence.errors import DealFileError
from influence.interop.diff import diff_deals, read_deal_sniffed, to_text
from influence.io import parse_deal, read_deal
from tests.conftest import EXAMPLES

INFLUENCE = str(Path(sys.executable).parent / "influence")

OLD = """\
version: 1
deal:
  name: ACME ERP replacement
  account: ACME Manufacturing
  stage: evaluation
  owner: li-wei
  as_of: 2026-11-20
people:
  - {id: chen-ceo, name: Chen Jun, title: CEO, roles: [decision_maker], influence: high,
     stance: neutral, assessed: 2026-10-01}
  - {id: zhang-cfo, name: Zhang Min, title: CFO, roles: [economic_buyer, decision_maker],
     influence: 0.9, stance: neutral, assessed: 2026-10-02, reports_to: chen-ceo}
  - {id: wang-fang, name: Wang Fang, title: Head of IT, roles: [technical_buyer],
     influence: 0.6, stance: ally, reports_to: chen-ceo}
  - {id: zhao-lei, name: Zhao Lei, title: IT Manager, roles: [user], reports_to: wang-fang}
  - {id: li-wei, name: Li Wei, side: seller}
  - {id: sun-yu, name: Sun Yu, side: seller}
relationships:
  - {from: li-wei, to: wang-fang, strength: strong, last_contact: 2026-11-02}
  - {from: li-wei, to: zhang-cfo, strength: weak, last_contact: 2026-09-15}
  - {from: wang-fang, to: chen-ceo, kind: influences, strength: 0.7}
  - {from: sun-yu, to: chen-ceo, kind: knows, strength: 0.4, last_contact: 2026-11-10}
"""

# The same deal, reordered and rewritten, with these changes and no other:
#   + person liu-yang (reports to chen-ceo: a reports_to tie added)
#   - person zhao-lei (and with them their reports_to tie)
#   ~ zhang-cfo: stance neutral -> ally
#   ~ wang-fang: roles + champion
#   ~ chen-ceo: influence 0.85 -> 0.95
#   + tie li-wei knows chen-ceo
#   - tie wang-fang influences chen-ceo
#   ~ tie li-wei knows zhang-cfo: strength 0.3 -> 0.6 (written the other way round)
NEW = """\
version: 1
deal:
  name: ACME ERP replacement
  account: ACME Manufacturing
  stage: evaluation
  owner: li-wei
  as_of: 2026-11-20
people:
  - {id: li-wei, name: Li Wei, side: seller}
  - {id: sun-yu, name: Sun Yu, side: seller}
  - {id: wang-fang, name: Wang Fang, title: Head of IT, roles: [champion, technical_buyer],
     influence: 0.6, stance: ally, reports_to: chen-ceo}
  - {id: zhang-cfo, name: Zhang Min, title: CFO, roles: [decision_maker, economic_buyer],
     influence: 0.9, stance: ally, assessed: 2026-10-02, reports_to: chen-ceo}
  - {id: chen-ceo, name: Chen Jun, title: CEO, roles: [decision_maker], influence: 0.95,
     stance: neutral, assessed: 2026-10-01}
  - {id: liu-yang, name: Liu Yang, title: CTO, reports_to: chen-ceo}
relationships:
  - {from: sun-yu, to: chen-ceo, strength: 0.4, last_contact: 2026-11-10}
  - {from: zhang-cfo, to: li-wei, strength: 0.6, last_contact: 2026-09-15}
  - {from: wang-fang, to: li-wei, strength: strong, last_contact: 2026-11-02}
  - {from: li-wei, to: chen-ceo, strength: 0.8, last_contact: 2026-11-18}
"""

CHANGES = """\
+ person liu-yang (Liu Yang)
- person zhao-lei (Zhao Lei)
~ person chen-ceo: influence 0.85 -> 0.95
~ person wang-fang: roles [technical_buyer] -> [champion, technical_buyer]
~ person zhang-cfo: stance 'neutral' -> 'ally'
+ tie chen-ceo knows li-wei (0.8)
+ tie liu-yang reports_to chen-ceo (0.6)
- tie wang-fang influences chen-ceo (0.7)
- tie zhao-lei reports_to wang-fang (0.6)
~ tie li-wei knows zhang-cfo: strength 0.3 -> 0.6
"""


@pytest.fixture
def versions(write: Any) -> tuple[Path, Path]:
    return write(OLD, "old.yaml"), write(NEW, "new.yaml")


def test_exactly_the_known_changes() -> None:
    old, new = parse_deal(OLD), parse_deal(NEW)
    diff = diff_deals(old, new, risk=False)
    assert to_text(diff) == CHANGES
    assert diff.deal == []
    assert [p.id for p in diff.people_added] == ["liu-yang"]
    assert [p.id for p in diff.people_removed] == ["zhao-lei"]
    assert {p.id: [(c.field, c.old, c.new) for c in p.changes] for p in diff.people_changed} == {
        "chen-ceo": [("influence", 0.85, 0.95)],
        "wang-fang": [("roles", ["technical_buyer"], ["champion", "technical_buyer"])],
        "zhang-cfo": [("stance", "neutral", "ally")],
    }
    assert [(t.from_, t.to, t.kind) for t in diff.ties_added] == [
        ("chen-ceo", "li-wei", "knows"),
        ("liu-yang", "chen-ceo", "reports_to"),
    ]
    assert [(t.from_, t.to, t.kind) for t in diff.ties_removed] == [
        ("wang-fang", "chen-ceo", "influences"),
        ("zhao-lei", "wang-fang", "reports_to"),
    ]
    assert [(t.from_, t.to, t.kind, [(c.field, c.old, c.new) for c in t.changes])
            for t in diff.ties_changed] == [
        ("li-wei", "zhang-cfo", "knows", [("strength", 0.3, 0.6)])
    ]  # fmt: skip


def test_the_same_deal_rewritten_is_no_change() -> None:
    deal = parse_deal(OLD)
    # Reordered people, ties written the other way round, roles in another order.
    rewritten = deal.model_copy(
        update={
            "people": [
                p.model_copy(update={"roles": list(reversed(p.roles))})
                for p in reversed(deal.people)
            ],
            "relationships": [
                r.model_copy(update={"from_": r.to, "to": r.from_})
                if r.kind.value == "knows"
                else r
                for r in reversed(deal.relationships)
            ],
        }
    )
    diff = diff_deals(deal, rewritten)
    assert diff.is_empty
    assert diff.risk is not None and diff.risk.score_change == 0
    assert diff.risk.signals_added == diff.risk.signals_removed == []
    same = f"{diff.risk.new_grade} {diff.risk.new_score}"
    assert to_text(diff) == f"risk: {same} -> {same} (+0)\nno changes\n"


def test_the_risk_change_is_the_analysis_of_each_version() -> None:
    old, new = parse_deal(OLD), parse_deal(NEW)
    before, after = analyze(old), analyze(new)
    risk = diff_deals(old, new).risk
    assert risk is not None
    assert (risk.old_grade, risk.old_score) == (before.risk.grade, before.risk.score)
    assert (risk.new_grade, risk.new_score) == (after.risk.grade, after.risk.score)
    # Signals are matched by identity: a deal-wide signal whose people change is the same.
    was = {s.identity(): (s.code, tuple(s.people)) for s in before.signals}
    now = {s.identity(): (s.code, tuple(s.people)) for s in after.signals}
    assert [(s.code, tuple(s.people)) for s in risk.signals_added] == [
        now[k] for k in sorted(now.keys() - was.keys())
    ]
    assert [(s.code, tuple(s.people)) for s in risk.signals_removed] == [
        was[k] for k in sorted(was.keys() - now.keys())
    ]
    # These two versions do move the risk: the test is not vacuous.
    assert risk.signals_added or risk.signals_removed or risk.score_change


def test_example_against_a_known_mutation() -> None:
    from benchmarks.generate import generate_deal, mutate_deal

    base = generate_deal(80, seed=4)
    changed, known = mutate_deal(base, seed=9)
    diff = diff_deals(parse_deal(json.dumps(base), "json"), parse_deal(json.dumps(changed), "json"))
    assert [p.id for p in diff.people_added] == known["added"]
    assert [p.id for p in diff.people_removed] == known["removed"]
    assert {p.id: [(c.field, c.old, c.new) for c in p.changes] for p in diff.people_changed} == {
        pid: [("stance", a, b)] for pid, (a, b) in sorted(known["stance_changes"].items())
    }
    gone = known["removed"][0]
    assert all(gone in (t.from_, t.to) for t in diff.ties_removed)
    assert all(known["added"][0] in (t.from_, t.to) for t in diff.ties_added)
    assert diff.ties_changed == []


# -- the command line -------------------------------------------------------------------


def test_cli_text(cli: Any, versions: tuple[Path, Path]) -> None:
    result = cli("diff", *versions)
    assert result.exit_code == 0, result.stderr
    diff = diff_deals(parse_deal(OLD), parse_deal(NEW))
    assert diff.risk is not None
    # The answer first: the risk and its signals, then the changes.
    lines = result.stdout.splitlines(keepends=True)
    assert lines[0] == (
        f"risk: {diff.risk.old_grade} {diff.risk.old_score} -> {diff.risk.new_grade} "
        f"{diff.risk.new_score} ({diff.risk.score_change:+d})\n"
    )
    signals = len(diff.risk.signals_added) + len(diff.risk.signals_removed)
    assert all(line[2:].startswith("signal ") for line in lines[1 : 1 + signals])
    assert "".join(lines[1 + signals :]) == CHANGES


def test_cli_json_shape_is_stable_and_sorted(cli: Any, versions: tuple[Path, Path]) -> None:
    first = cli("diff", *versions, "--json")
    assert first.exit_code == 0, first.stderr
    again = cli("diff", *versions, "--json")
    assert first.stdout == again.stdout
    data = json.loads(first.stdout)
    assert list(data) == [
        "deal",
        "people_added",
        "people_removed",
        "people_changed",
        "ties_added",
        "ties_removed",
        "ties_changed",
        "risk",
    ]
    assert data["people_added"] == [{"id": "liu-yang", "name": "Liu Yang"}]
    assert data["ties_changed"] == [
        {
            "from": "li-wei",
            "to": "zhang-cfo",
            "kind": "knows",
            "changes": [{"field": "strength", "old": 0.3, "new": 0.6}],
        }
    ]
    assert data["ties_added"][0] == {
        "from": "chen-ceo",
        "to": "li-wei",
        "kind": "knows",
        "strength": 0.8,
        "context": None,
        "last_contact": "2026-11-18",
    }
    assert list(data["risk"]) == [
        "old_score",
        "new_score",
        "old_grade",
        "new_grade",
        "signals_added",
        "signals_removed",
        "old_step",
        "new_step",
    ]
    assert (data["risk"]["old_step"], data["risk"]["new_step"]) == ("criteria", "criteria")
    for key in ("people_added", "people_removed", "people_changed"):
        ids = [p["id"] for p in data[key]]
        assert ids == sorted(ids)
    for key in ("ties_added", "ties_removed", "ties_changed"):
        ends = [(t["from"], t["to"], t["kind"]) for t in data[key]]
        assert ends == sorted(ends)
    for key in ("signals_added", "signals_removed"):
        codes = [(s["code"], s["people"]) for s in data["risk"][key]]
        assert codes == sorted(codes)


def test_cli_identical_files(cli: Any) -> None:
    example = EXAMPLES[0]
    result = cli("diff", example, example)
    assert result.exit_code == 0
    assert result.stdout.startswith("risk: ") and result.stdout.endswith("(+0)\nno changes\n")


def test_cli_bad_version_is_located(cli: Any, write: Any) -> None:
    good = write(OLD, "old.yaml")
    bad = write(OLD.replace("stance: neutral, assessed: 2026-10-01", "stance: nuetral"), "b.yaml")
    result = cli("diff", good, bad)
    assert result.exit_code == 3
    assert f"{bad}:10:" in result.stderr and "did you mean 'neutral'?" in result.stderr
    assert result.stdout == ""


# -- versions from pipes: no file name, no extension ------------------------------------


def test_read_deal_sniffed_tells_json_from_yaml(tmp_path: Path) -> None:
    as_json = tmp_path / "HEAD~1"
    as_json.write_text(
        json.dumps(parse_deal(OLD).model_dump(mode="json", by_alias=True)), encoding="utf-8"
    )
    as_yaml = tmp_path / "HEAD~2"
    as_yaml.write_text(OLD, encoding="utf-8")
    assert read_deal_sniffed(as_json) == read_deal_sniffed(as_yaml) == parse_deal(OLD)
    broken = tmp_path / "63"
    broken.write_text("deal: {name: [}\n", encoding="utf-8")
    with pytest.raises(DealFileError) as caught:
        read_deal_sniffed(broken)
    assert caught.value.problems[0].file == str(broken)
    assert caught.value.problems[0].line == 1


def test_named_pipe(cli: Any, tmp_path: Path, write: Any) -> None:
    new = write(NEW, "new.yaml")
    fifo = tmp_path / "old-version"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as pipe:
            pipe.write(OLD)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        result = cli("diff", fifo, new)
    finally:
        writer.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("risk: ") and result.stdout.endswith(CHANGES)


def test_dev_stdin(write: Any) -> None:
    new = write(NEW, "new.yaml")
    result = subprocess.run(
        [INFLUENCE, "diff", "/dev/stdin", str(new)],
        input=OLD,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("risk: ") and result.stdout.endswith(CHANGES)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_process_substitution_from_git(tmp_path: Path) -> None:
    """The README's example, as written: ``influence diff <(git show HEAD:deal.yaml) deal.yaml``."""
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q")
    (repo / "deal.yaml").write_text(OLD, encoding="utf-8")
    git("add", "deal.yaml")
    git("commit", "-q", "-m", "first map")
    (repo / "deal.yaml").write_text(NEW, encoding="utf-8")
    result = subprocess.run(
        ["bash", "-c", f"{INFLUENCE} diff <(git show HEAD:deal.yaml) deal.yaml --json"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = diff_deals(parse_deal(OLD), read_deal(repo / "deal.yaml"))
    assert json.loads(result.stdout) == expected.model_dump(mode="json", by_alias=True)


def test_process_substitution_of_a_bad_version_names_the_pipe(tmp_path: Path) -> None:
    good = tmp_path / "deal.yaml"
    good.write_text(NEW, encoding="utf-8")
    result = subprocess.run(
        ["bash", "-c", f"{INFLUENCE} diff <(printf 'deal: {{name: T}}\\npeople: 3\\n') deal.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    first = result.stderr.splitlines()[0]
    assert first.startswith("/dev/fd/") and ":2:" in first and "expected a list" in first


# ----------------------------------------------------------------------------- key-account fields

METHOD_OLD = """\
deal:
  name: Valve plant MES
  stage: evaluation
  as_of: 2026-11-20
  facts:
    budget: {text: CNY 2m approved, source: sec, as_of: 2026-10-01}
    reason: {text: audit findings}
  competitors: [{name: Acme}]
people:
  - {name: Chair, roles: [decision_maker]}
  - {id: sec, name: Secretary, roles: [coach], stance: ally,
     refusals: [{kind: no_hurry, as_of: 2026-10-05}]}
  - {id: li, name: Li Wei, side: seller}
"""

METHOD_NEW = """\
deal:
  name: Valve plant MES
  stage: contract negotiation
  as_of: 2026-11-20
  facts:
    budget: {text: CNY 2.4m approved, source: sec, as_of: 2026-11-10}
    sticking_point: {text: payment terms}
  competitors: [{name: Acme, incumbent: true}, {name: Bolt}]
people:
  - {name: Chair, roles: [decision_maker], status: left}
  - {id: sec, name: Secretary, roles: [coach], stance: ally, favours: Bolt,
     refusals: [{kind: no_hurry, as_of: 2026-10-05, resolved: 2026-11-12}],
     buying_signals: [{kind: agreed_next_step, date: 2026-11-15}]}
  - {id: li, name: Li Wei, side: seller}
"""


def test_a_diff_names_changes_of_step_facts_competitors_refusals_signals_and_status() -> None:
    diff = diff_deals(parse_deal(METHOD_OLD), parse_deal(METHOD_NEW))
    assert [(c.field, c.old, c.new) for c in diff.deal] == [
        ("stage", "evaluation", "contract negotiation"),
        (
            "facts.budget",
            "CNY 2m approved (sec, 2026-10-01)",
            "CNY 2.4m approved (sec, 2026-11-10)",
        ),
        ("facts.reason", "audit findings", None),
        ("facts.sticking_point", None, "payment terms"),
        ("competitors", ["Acme"], ["Acme (incumbent)", "Bolt"]),
    ]
    changes = {p.id: [(c.field, c.old, c.new) for c in p.changes] for p in diff.people_changed}
    assert changes == {
        "chair": [("status", "active", "left")],
        "sec": [
            ("favours", None, "Bolt"),
            (
                "refusals",
                ["no_hurry 2026-10-05 (open)"],
                ["no_hurry 2026-10-05 (resolved 2026-11-12)"],
            ),
            ("buying_signals", [], ["agreed_next_step 2026-11-15"]),
        ],
    }
    assert diff.risk is not None
    assert (diff.risk.old_step, diff.risk.new_step) == ("criteria", "tender")
    text = to_text(diff)
    assert "step: criteria -> tender\n" in text
    assert "~ person chair: status 'active' -> 'left'" in text
