"""Pipeline review: ranking, broken files, trend, engines, progress and every face."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import dump_deal, generate_pipeline, mutate_deal

from influence import analyze, read_deal
from influence.analysis.portfolio import PortfolioReview, change_order, compare, review_deal
from influence.batch.engine import run_chunks
from influence.batch.files import review_files
from influence.batch.maps import write_review_html
from influence.batch.review import load_review_json, review
from influence.errors import DealFileError
from influence.render.review import (
    _md,
    to_review_csv,
    to_review_html,
    to_review_markdown,
    to_review_terminal,
)
from tests.conftest import EXAMPLES
from tests.crashing import DEATHS, FAILURES, crash_env, write_deals

BROKEN = {
    "bad-stance.yaml": (
        "deal: {name: Bad stance}\npeople:\n  - {name: Ann, stance: alli}\n",
        3,  # the line of the located problem: Ann's stance
    ),
    "bad-syntax.yaml": ("deal: {name: Broken\npeople: []\n", 2),  # the { is unclosed there
    "bad-tag.yaml": ("deal: {name: !!int twelve}\n", 1),  # an explicit tag that cannot hold
    "unknown-tie.json": (
        '{"deal": {"name": "Tie"},\n "people": [{"name": "Ann"}],\n'
        ' "relationships": [{"from": "ann", "to": "bob"}]}\n',
        3,  # the tie to nobody
    ),
}


def write_pipeline(folder: Path, deals: list[dict[str, Any]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for deal in deals:
        path = folder / f"{deal['deal']['id']}.yaml"
        path.write_text(dump_deal(deal), encoding="utf-8")
        paths.append(path)
    return paths


#: The deals of the ``pipeline`` folder: six generated ones and the examples.
PIPELINE_DEALS = 6 + len(EXAMPLES)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six generated deals of 14 people, one of them in a nested folder, plus the examples."""
    folder = tmp_path_factory.mktemp("pipeline")
    deals = generate_pipeline(6, people_per_deal=14, seed=3)
    paths = write_pipeline(folder, deals)
    nested = folder / "emea" / "q3"
    nested.mkdir(parents=True)
    paths[0].rename(nested / paths[0].name)
    for example in EXAMPLES:
        shutil.copy(example, folder / example.name)
    return folder


# -- one deal, as analyze sees it ------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_row_says_what_analyze_says(path: Path) -> None:
    deal = read_deal(path)
    report = analyze(deal)
    row = review_deal(deal, file=str(path))
    assert (row.risk.score, row.risk.grade) == (report.risk.score, report.risk.grade)
    assert [(s.code, s.people, s.message) for s in row.signal_details] == [
        (s.code, s.people, s.message) for s in report.signals
    ]
    assert row.coverage == report.coverage.score and row.support == report.support
    assert row.uncovered_decision_makers == sorted(report.paths)  # paths go to exactly those
    assert row.people == {p.id: p.stance for p in report.people}
    assert row.signals == list(dict.fromkeys(s.code for s in report.signals))
    # Why, in brief: one message for each of the three worst codes.
    assert [next(s.code for s in report.signals if s.message == m) for m in row.top_signals] == (
        row.signals[:3]
    )


def test_generated_rows_match_analyze(pipeline: Path) -> None:
    for path in review_files([pipeline]):
        deal = read_deal(path)
        row, report = review_deal(deal), analyze(deal)
        assert row.risk.score == report.risk.score
        assert [s.identity() for s in row.signal_details] == [s.identity() for s in report.signals]


# -- which files ----------------------------------------------------------------------


def test_folders_are_searched_recursively_and_globs_expanded(pipeline: Path) -> None:
    everything = review_files([pipeline])
    assert len(everything) == PIPELINE_DEALS
    assert any("emea/q3/" in f for f in everything)
    assert everything == sorted(everything)
    assert review_files([f"{pipeline}/**/*.yaml"]) == everything  # a quoted glob
    assert len(review_files([f"{pipeline}/*.yaml"])) == PIPELINE_DEALS - 1  # '*': one folder
    # Given twice, or as a file inside a given folder: once.
    assert review_files([pipeline, pipeline, everything[0]]) == everything


def test_hidden_files_and_other_extensions_are_skipped(tmp_path: Path) -> None:
    [deal] = write_pipeline(tmp_path, generate_pipeline(1, people_per_deal=6, seed=1))
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("deal: {name: X}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a deal\n", encoding="utf-8")
    assert review_files([tmp_path]) == [str(deal)]


# -- the review -----------------------------------------------------------------------


def test_deals_are_ranked_by_score_then_points_then_value_then_id(pipeline: Path) -> None:
    result = review([pipeline], workers=1)
    keys = [(-d.risk.score, -d.risk.points, -(d.value or 0), d.id) for d in result.deals]
    assert keys == sorted(keys)
    assert len(result.deals) == PIPELINE_DEALS and result.errors == []
    # the points are the report's
    for d in result.deals:
        assert d.risk.points == analyze(read_deal(d.file)).risk.points


def test_points_break_a_tie_of_scores_before_value() -> None:
    from influence.analysis.portfolio import ReviewRisk, assemble_review, rank_key

    row = review_deal(read_deal(EXAMPLES[0]), file="a")

    def at(points: int, value: float, deal_id: str) -> Any:
        risk = ReviewRisk(score=50, grade="medium", points=points)
        return row.model_copy(update={"risk": risk, "value": value, "id": deal_id})

    rows = [at(100, 9e9, "rich"), at(102, 1.0, "poor"), at(100, 5.0, "mid"), at(100, 5.0, "a-mid")]
    ranked = [d.id for d in assemble_review(rows).deals]
    assert ranked == ["poor", "rich", "a-mid", "mid"]
    assert ranked == [d.id for d in sorted(rows, key=rank_key)]


def test_totals_add_up(pipeline: Path) -> None:
    result = review([pipeline], workers=1)
    t = result.totals
    assert t.deals == PIPELINE_DEALS and t.errors == 0
    assert sum(g.deals for g in t.by_grade.values()) == PIPELINE_DEALS
    assert list(t.by_grade) == ["high", "medium", "low"]
    for currency, total in t.value.items():
        assert total == pytest.approx(
            sum(d.value or 0 for d in result.deals if (d.currency or "none") == currency)
        )
        assert total == pytest.approx(sum(g.value.get(currency, 0) for g in t.by_grade.values()))
    for s in t.signals:
        assert s.deals == sum(1 for d in result.deals if s.code in d.signals)
        assert s.count == sum(1 for d in result.deals for x in d.signal_details if x.code == s.code)
    order = [(-s.deals, s.code) for s in t.signals if s.severity == t.signals[0].severity]
    assert order == sorted(order)


def test_json_shape(pipeline: Path, cli: Any) -> None:
    result = cli("review", pipeline, "--json", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert sorted(data) == ["deals", "errors", "totals"]
    assert data["errors"] == []
    for deal in data["deals"]:
        assert {
            "id",
            "file",
            "name",
            "account",
            "value",
            "currency",
            "stage",
            "close_date",
            "risk",
            "signals",
            "top_signals",
            "uncovered_decision_makers",
            "coverage",
            "support",
            "people",
            "step",
            "temperature",
            "left",
        } <= set(deal)
        assert "change" not in deal  # only with --since
        assert sorted(deal["risk"]) == ["grade", "points", "score"]
        assert all(isinstance(code, str) for code in deal["signals"])
        assert Path(deal["file"]).exists()
    assert sorted(data["totals"]) == ["by_grade", "by_step", "deals", "errors", "signals", "value"]
    # Reading it back gives the same review.
    assert PortfolioReview.model_validate(data).to_data() == data


def test_the_same_input_gives_the_same_output(pipeline: Path, cli: Any) -> None:
    files = review_files([pipeline])
    a = review(files, workers=1).to_data()
    b = review(list(reversed(files)), workers=1, chunk_size=2).to_data()
    assert a == b
    first = cli("review", pipeline, "--workers", "1")
    second = cli("review", pipeline, "--workers", "1")
    assert first.stdout == second.stdout
    for render in (to_review_terminal, to_review_markdown, to_review_csv, to_review_html):
        assert render(review(files, workers=1)) == render(review(files, workers=1))


def test_serial_and_processes_give_identical_reports(pipeline: Path) -> None:
    serial = review([pipeline], workers=1).to_data()
    processes = review([pipeline], workers=2, chunk_size=1).to_data()
    assert serial == processes


def test_the_command_prints_the_same_bytes_with_one_worker_or_two(tmp_path: Path) -> None:
    """Whole processes, as a manager runs them (workers forked): every face, byte for byte."""
    import subprocess
    import sys

    deals = generate_pipeline(40, people_per_deal=10, seed=11)
    deals[3]["deal"]["name"] = "Zoë \u202e Müller \x85 GmbH"  # escaped in every face
    write_pipeline(tmp_path / "deals", deals)
    (tmp_path / "deals" / "broken.yaml").write_text("deal: {name: [}\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    command = [sys.executable, "-m", "influence", "review", "deals", "-q", "--workers"]
    for face in ([], ["--json"], ["--csv"], ["--markdown"]):
        runs = [
            subprocess.run(
                [*command, str(workers), *face],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                timeout=120,
                check=False,
            )
            for workers in (1, 2)
        ]
        one, two = runs
        assert one.returncode == two.returncode == 3, one.stderr[-2000:]
        assert one.stdout == two.stdout, face
        assert one.stderr == two.stderr, face
        assert one.stdout.count(b"\n") > 40
    assert b"\\u202e" in one.stdout  # the last face, Markdown, escapes the bidi control


def test_the_json_printed_from_the_workers_text_is_that_of_the_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from influence._printable import printable_json
    from influence.batch import review as batch_review
    from influence.batch.review import ReviewRun, iter_review_json, review_run

    deals = generate_pipeline(30, people_per_deal=10, seed=5)
    deals[2]["deal"]["name"] = "Zoë \u202e \x9b31m \x7f"
    write_pipeline(tmp_path / "deals", deals)
    (tmp_path / "deals" / "broken \x85.yaml").write_text("deal: {name: [}\n", encoding="utf-8")
    (tmp_path / "last.json").write_text(json.dumps(review([tmp_path / "deals"]).to_data()))

    def expected(run: ReviewRun) -> str:
        return "".join(printable_json(piece) for piece in run.result.iter_json())

    for workers in (1, 2):
        run = review_run([tmp_path / "deals"], workers=workers, chunk_size=4)
        assert run.deal_json is not None and all(run.deal_json)
        assert "".join(iter_review_json(run)) == expected(run)
        assert "\\u202e" in expected(run) and "\\u0085" in expected(run)
        # A text missing is written again; a trend (since) has no texts at all.
        again = ReviewRun(run.result, ["", *run.deal_json[1:]])
        assert "".join(iter_review_json(again)) == expected(run)
    since = review_run([tmp_path / "deals"], workers=1, since=tmp_path / "last.json")
    assert since.deal_json is None and since.result.changes is not None
    assert "".join(iter_review_json(since)) == expected(since)
    # Texts beside a trend are not used: they have no "change".
    mixed = ReviewRun(since.result, [json.dumps({"id": d.id}) for d in since.result.deals])
    assert "".join(iter_review_json(mixed)) == expected(since)
    # Pieces of about a megabyte: the same text however it is cut.
    monkeypatch.setattr(batch_review, "JSON_PIECE", 1000)
    assert len(list(iter_review_json(run))) > 10
    assert "".join(iter_review_json(run)) == expected(run)


def test_a_team_policy_applies_to_every_deal(pipeline: Path, tmp_path: Path) -> None:
    lenient = tmp_path / "team.yaml"
    lenient.write_text("min_threads: 0\n", encoding="utf-8")
    from influence import read_policy

    before = review([pipeline], workers=1)
    after = review([pipeline], workers=1, policy=read_policy(lenient))
    assert any("single-threaded" in d.signals for d in before.deals)
    assert not any("single-threaded" in d.signals for d in after.deals)


# -- broken files ---------------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    write_pipeline(tmp_path, generate_pipeline(3, people_per_deal=8, seed=5))
    for name, (text, _) in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_broken_files_do_not_stop_the_review(mixed: Path, cli: Any) -> None:
    result = cli("review", mixed, "--json", "--workers", "2")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert len(data["deals"]) == 3
    assert [Path(e["file"]).name for e in data["errors"]] == sorted(BROKEN)
    for error in data["errors"]:
        name = Path(error["file"]).name
        line = BROKEN[name][1]
        located = f"{error['file']}:{line}:"
        assert any(m.startswith(located) for m in error["messages"]), error
        assert located in result.stderr  # on stderr too, as validate prints them
    assert f"{len(BROKEN)} files not reviewed" in result.stderr


def test_broken_files_are_listed_in_every_face(mixed: Path, cli: Any) -> None:
    table = cli("review", mixed, "--workers", "1")
    assert table.exit_code == 3
    assert "Not reviewed" in table.stdout and "bad-stance.yaml" in table.stdout
    md = cli("review", mixed, "--markdown", "--workers", "1")
    assert md.exit_code == 3 and "## Not reviewed" in md.stdout
    csv_out = cli("review", mixed, "--csv", "--workers", "1")
    assert csv_out.exit_code == 3 and len(csv_out.stdout.splitlines()) == 4  # header + 3 deals


def test_errors_win_over_fail_on(mixed: Path, cli: Any) -> None:
    assert cli("review", mixed, "--fail-on", "info", "-q").exit_code == 3


def test_fail_on(pipeline: Path, cli: Any) -> None:
    result = cli("review", pipeline, "--fail-on", "high", "--workers", "1")
    assert result.exit_code == 1
    assert "at or above high (--fail-on high)" in result.stderr
    low = cli("review", EXAMPLES[-1], "--fail-on", "high")  # saas-small: no high signal
    assert "high" not in {s.severity for s in review([EXAMPLES[-1]]).deals[0].signal_details}
    assert low.exit_code == 0


def test_a_path_that_does_not_exist_is_a_usage_error(pipeline: Path, cli: Any) -> None:
    result = cli("review", pipeline, "no/such/folder")
    assert result.exit_code == 2
    assert "no such file or folder: no/such/folder" in result.stderr
    assert result.stdout == ""


def test_nothing_to_review_is_a_usage_error(tmp_path: Path, cli: Any) -> None:
    empty = cli("review", tmp_path)
    assert empty.exit_code == 2 and "no deal files" in empty.stderr
    glob_none = cli("review", f"{tmp_path}/*.yaml")
    assert glob_none.exit_code == 2


def test_one_output_format_at_a_time(pipeline: Path, cli: Any) -> None:
    assert cli("review", pipeline, "--json", "--csv").exit_code == 2
    assert cli("review", pipeline, "-o", "review.pdf").exit_code == 2


def test_a_bad_policy_file_is_located(pipeline: Path, cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "team.yaml"
    bad.write_text("min_threads: many\n", encoding="utf-8")
    result = cli("review", pipeline, "--policy", bad)
    assert result.exit_code == 3
    assert f"{bad}:1:" in result.stderr


# -- the trend ------------------------------------------------------------------------


def test_since_reports_exactly_the_known_changes(tmp_path: Path, cli: Any) -> None:
    deals = generate_pipeline(5, people_per_deal=16, seed=11)
    week1, week2 = tmp_path / "week1", tmp_path / "week2"
    write_pipeline(week1, deals)
    last_week = tmp_path / "last-week.json"
    first = cli("review", week1, "--json", "--workers", "1")
    assert first.exit_code == 0, first.stderr
    last_week.write_text(first.stdout, encoding="utf-8")

    # This week: two deals changed (known mutations), one closed, one new, two untouched.
    changed = {}
    now = []
    for n, deal in enumerate(deals[:4]):
        if n in (0, 2):
            deal, changes = mutate_deal(deal, seed=100 + n)
            changed[deal["deal"]["id"]] = changes
        now.append(deal)
    gone_id = deals[4]["deal"]["id"]
    fresh = generate_pipeline(7, people_per_deal=16, seed=12)[6]
    now.append(fresh)
    write_pipeline(week2, now)

    result = cli("review", week2, "--json", "--since", last_week, "--workers", "2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["changes"] == {
        "since": str(last_week),
        "appeared": [fresh["deal"]["id"]],
        "disappeared": [gone_id],
        "changed": data["changes"]["changed"],
    }
    by_id = {d["id"]: d for d in data["deals"]}
    # The deals that changed or are new, named worst change first (CHANGE_KINDS).
    assert sorted(data["changes"]["changed"]) == sorted([*changed, fresh["deal"]["id"]])
    worst = [
        change_order(by_id[k]["change"]["items"][0]["kind"]) for k in data["changes"]["changed"]
    ]
    assert worst == sorted(worst)
    assert by_id[fresh["deal"]["id"]]["change"]["status"] == "new"
    old_deals = {d["deal"]["id"]: d for d in deals}
    for deal_id, row in by_id.items():
        if deal_id == fresh["deal"]["id"]:
            continue
        change = row["change"]
        known = changed.get(deal_id, {"stance_changes": {}, "added": [], "removed": []})
        assert {s["id"]: (s["before"], s["after"]) for s in change["stance_changes"]} == known[
            "stance_changes"
        ]
        assert change["people_added"] == known["added"]
        assert change["people_gone"] == known["removed"]
        # Grades and signals: what analyze says of each version, compared by identity.
        before = analyze(read_deal(week1 / f"{deal_id}.yaml"))
        after = analyze(read_deal(week2 / f"{deal_id}.yaml"))
        assert change["grade_before"] == before.risk.grade
        assert change["score_before"] == before.risk.score
        assert change["score_change"] == after.risk.score - before.risk.score
        was = {s.identity() for s in before.signals}
        is_ = {s.identity() for s in after.signals}
        assert {(s["code"], *s["people"]) for s in change["new_signals"]} | {
            (s["code"], s["role"]) for s in change["new_signals"] if s["role"]
        } >= is_ - was
        assert len(change["new_signals"]) == len(is_ - was)
        assert len(change["resolved_signals"]) == len(was - is_)
        if deal_id in changed:
            assert change["status"] == "changed"
        else:
            assert change["status"] == "unchanged"
            assert old_deals[deal_id] == next(d for d in now if d["deal"]["id"] == deal_id)
            assert change["new_signals"] == change["resolved_signals"] == []
            assert change["score_change"] == 0

    # The faces show it too, people by name.
    names = {p["id"]: p["name"] for d in now for p in d["people"]}
    table = cli("review", week2, "--since", last_week, "--workers", "1", "--width", "200")
    first = by_id[data["changes"]["changed"][0]]
    assert f"  {first['name']}: {first['change']['items'][0]['text']}" in table.stdout
    assert f"Disappeared: {gone_id}" in table.stdout
    md = cli("review", week2, "--since", last_week, "--markdown", "--workers", "1").stdout
    assert "| Change |" in md and f"**Disappeared:** {gone_id}".replace("-", "-") in md
    for mutated, known in changed.items():
        for person, (old, new) in known["stance_changes"].items():
            item = next(i for i in by_id[mutated]["change"]["items"] if i["people"] == [person])
            assert item["text"].endswith(f" {old} -> {new}")
            assert item["text"].startswith(names[person]) and person not in item["text"]
            assert _md(item["text"]) in md


def test_compare_matches_shared_ids_by_file() -> None:
    one = review([EXAMPLES[0]], workers=1)
    row = one.deals[0]
    twice = one.model_copy(
        update={"deals": [row, row.model_copy(update={"file": "copy/" + row.file})]}
    )
    result = compare(one, twice)
    assert result.changes is not None
    assert result.changes.appeared == [f"{row.id} (copy/{row.file})"]
    assert result.changes.disappeared == []


def test_a_bad_since_file_is_located(pipeline: Path, tmp_path: Path, cli: Any) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"deals": [\n  {"id": 1,}\n]}\n', encoding="utf-8")
    result = cli("review", pipeline, "--since", broken)
    assert result.exit_code == 3
    assert f"{broken}:2:" in result.stderr and "invalid JSON" in result.stderr
    report = tmp_path / "report.json"
    report.write_text(
        cli("analyze", EXAMPLES[0], "--json").stdout, encoding="utf-8"
    )  # an analyze report, not a review
    result = cli("review", pipeline, "--since", report)
    assert result.exit_code == 3
    assert "expected the JSON of `influence review --json`" in result.stderr
    missing = cli("review", pipeline, "--since", tmp_path / "nope.json")
    assert missing.exit_code == 3 and "no such file" in missing.stderr
    with pytest.raises(DealFileError):
        load_review_json(report)


# -- progress -------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_up_to_the_total(pipeline: Path, workers: int) -> None:
    seen: list[tuple[int, int]] = []
    review([pipeline], workers=workers, chunk_size=2, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, PIPELINE_DEALS) and seen[-1] == (PIPELINE_DEALS, PIPELINE_DEALS)
    counts = [d for d, _ in seen]
    assert counts == sorted(set(counts))  # strictly increasing
    assert {t for _, t in seen} == {PIPELINE_DEALS}


def test_run_chunks_progress_and_results() -> None:
    from influence.batch.engine import _double

    seen: list[int] = []
    out = run_chunks(
        _double, list(range(10)), workers=1, chunk_size=3, progress=lambda d, t: seen.append(d)
    )
    assert sorted(x for chunk in out for x in chunk) == [2 * x for x in range(10)]
    assert seen == [0, 3, 6, 9, 10]
    with pytest.raises(ValueError, match="workers must be at least 1"):
        next(run_chunks(_double, [1], workers=0))


def test_no_progress_bar_when_stderr_is_not_a_terminal(pipeline: Path, cli: Any) -> None:
    result = cli("review", pipeline, "--workers", "1")
    assert result.exit_code == 0
    assert "Reviewing" not in result.stderr and "\r" not in result.stderr


def test_progress_bar_on_a_terminal_unless_quiet(
    pipeline: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import influence.cli.review as command

    monkeypatch.setattr(command, "_stderr_is_tty", lambda: True)
    result = cli("review", pipeline, "--workers", "1", "--json")
    assert (
        "Reviewing [" in result.stderr
        and f"{PIPELINE_DEALS}/{PIPELINE_DEALS} 100%" in result.stderr
    )
    assert json.loads(result.stdout)["totals"]["deals"] == PIPELINE_DEALS  # stdout stays clean data
    quiet = cli("review", pipeline, "--workers", "1", "--quiet")
    assert "Reviewing" not in quiet.stderr


# -- Dask, when it is missing ------------------------------------------------------------


def test_dask_missing_says_how_to_install_it(
    pipeline: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    result = cli("review", pipeline, "--dask", "local")
    assert result.exit_code == 4
    assert 'pip install "influence[dask]"' in result.stderr


# -- workers that die ------------------------------------------------------------------


def test_an_unguarded_script_gets_a_worker_error_that_says_what_to_do(
    pipeline: Path, tmp_path: Path
) -> None:
    """Each worker runs the script's top level again and cannot start workers of its own."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import influence\n"
        "try:\n"
        f"    influence.review([{str(pipeline)!r}], workers=2, chunk_size=1)\n"
        "except influence.WorkerError as err:\n"
        "    print('WorkerError:', err)\n"
        "else:\n"
        "    print('no error')\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith(("WorkerError", "no"))]
    assert lines, run.stderr[-2000:]
    assert lines[-1].startswith("WorkerError: a worker process died")
    assert 'if __name__ == "__main__":' in lines[-1]


def test_the_same_script_guarded_runs(pipeline: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "guarded.py"
    script.write_text(
        "import influence\n"
        "if __name__ == '__main__':\n"
        f"    result = influence.review([{str(pipeline)!r}], workers=2, chunk_size=1)\n"
        "    print(len(result.deals), len(result.errors))\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [str(len(review([pipeline], workers=1).deals)), "0"]


# -- faces ----------------------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "deals"
    deal = generate_pipeline(1, people_per_deal=8, seed=9)[0]
    deal["deal"]["name"] = "=HYPERLINK(1) " + HOSTILE + " | *x* `y`"
    deal["deal"]["account"] = HOSTILE + " & co"
    deal["deal"]["stage"] = "@stage"
    deal["deal"]["id"] = "../../evil<id>"
    deal["people"][0]["name"] = HOSTILE
    folder.mkdir()
    (folder / "hostile.yaml").write_text(dump_deal(deal), encoding="utf-8")
    return folder


def test_terminal_table_fits_100_columns(pipeline: Path, hostile: Path) -> None:
    from rich.cells import cell_len

    for paths in ([pipeline], [hostile], [pipeline, hostile]):
        text = to_review_terminal(review(paths, workers=1))
        assert max(cell_len(line) for line in text.splitlines()) <= 100
    text = to_review_terminal(review([pipeline], workers=1), width=80)
    assert max(cell_len(line) for line in text.splitlines()) <= 80


@pytest.mark.parametrize("width", [80, 100])
def test_terminal_table_never_splits_a_word(width: int) -> None:
    from tests.conftest import ROOT

    result = review([str(ROOT / "examples")], workers=1)
    whole = set(to_review_terminal(result, width=10_000).split())
    text = to_review_terminal(result, width=width)
    split = {t for t in text.split() if set(t) != {"─"}} - whole
    assert split == set(), sorted(split)[:10]  # such as 'blocker-influences-decisi'


def test_csv_has_a_header_and_one_row_per_deal(pipeline: Path, hostile: Path) -> None:
    result = review([pipeline, hostile], workers=1)
    rows = list(csv.DictReader(io.StringIO(to_review_csv(result))))
    assert len(rows) == len(result.deals) == PIPELINE_DEALS + 1
    for row, deal in zip(rows, result.deals, strict=True):
        assert row["id"].lstrip("'") == deal.id
        assert row["signals"] == ";".join(deal.signals)
        assert int(row["score"]) == deal.risk.score and row["grade"] == deal.risk.grade
        assert row["uncovered_decision_makers"].split(";") == (
            deal.uncovered_decision_makers or [""]
        )
        if deal.value is not None:
            assert float(row["value"]) == deal.value
    evil = next(r for r in rows if "HYPERLINK" in r["name"])
    assert evil["name"].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert evil["stage"] == "'@stage"


def test_markdown_is_a_table_with_inert_cells(pipeline: Path, hostile: Path) -> None:
    result = review([pipeline, hostile], workers=1)
    md = to_review_markdown(result)
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == PIPELINE_DEALS + 1
    header = next(line for line in md.splitlines() if line.startswith("| # |"))
    columns = header.count(" | ")
    for row in rows:  # no cell breaks out of its column
        assert len(re.findall(r"(?<!\\) \| ", row)) == columns
    assert "<img" not in md and "<script" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md


def test_html_report_escapes_every_user_string(hostile: Path, tmp_path: Path) -> None:
    result = review([hostile], workers=1)
    page = to_review_html(result)
    assert "<img" not in page
    assert "</script><script>" not in page
    assert page.count("<script") == 1  # ours only
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/script&gt;&lt;script&gt;" in page
    assert "onerror=alert(1)>" not in page


def test_html_report_is_offline(pipeline: Path) -> None:
    page = to_review_html(review([pipeline], workers=1))
    assert '<meta http-equiv="Content-Security-Policy"' in page
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = csp.group(1)
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    # The inline script and style are allowed by hash, and only they.
    import base64
    import hashlib

    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for text in (script, style):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "innerHTML" not in script and "eval(" not in script


def test_html_report_charts_are_svg(pipeline: Path) -> None:
    result = review([pipeline], workers=1)
    page = to_review_html(result)
    currencies = {d.currency or "no currency" for d in result.deals if d.value}
    assert len(currencies) > 1  # the fixture has several: one chart each, and the bars
    assert page.count("<svg") == 1 + len(currencies)
    for currency in currencies:
        assert f'aria-label="Risk score against deal value in {currency}"' in page
        chart = page.split(f'aria-label="Risk score against deal value in {currency}"')[1]
        chart = chart.split("</svg>")[0]
        dots = [d for d in result.deals if d.value and (d.currency or "no currency") == currency]
        assert chart.count('<circle class="dot') == len(dots)  # never another currency's
    valued = sum(1 for d in result.deals if d.value)
    assert page.count('<circle class="dot') == valued
    assert page.count('<rect class="bar') == min(12, len(result.totals.signals))


def test_report_with_maps_written_beside_it(hostile: Path, pipeline: Path, tmp_path: Path) -> None:
    pytest.importorskip("influence.render.html")
    out = tmp_path / "out" / "review.html"
    out.parent.mkdir()
    result = review([pipeline, hostile], workers=1)
    written = write_review_html(result, out, workers=2)
    assert written[0] == out
    maps = written[1:]
    assert len(maps) == len(result.deals)
    assert all(m.parent == out.parent / "review-maps" for m in maps)
    page = out.read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', page)
    assert sorted(set(links)) == sorted(f"review-maps/{m.name}" for m in maps)
    for link in links:
        assert not link.startswith(("/", "http")) and ".." not in link
        assert (out.parent / link).is_file()
    # A hostile deal id makes a safe file name inside the maps folder.
    assert all(m.resolve().is_relative_to(out.parent.resolve()) for m in maps)
    assert "<img" not in "".join(m.read_text(encoding="utf-8") for m in maps)


def test_long_deal_ids_get_short_distinct_map_names(tmp_path: Path, cli: Any) -> None:
    """Ids of ~80 CJK characters (240 bytes) that differ only at the end, and a short one."""
    pytest.importorskip("influence.render.html")
    folder = tmp_path / "deals"
    ids = ["账" * 80 + "甲", "账" * 80 + "乙", "账" * 80 + "甲-2", "short"]
    deals = generate_pipeline(len(ids), people_per_deal=6, seed=5)
    for n, (deal, deal_id) in enumerate(zip(deals, ids, strict=True)):
        deal["deal"]["id"] = deal_id
        (folder / f"d{n}").mkdir(parents=True)
        (folder / f"d{n}" / "deal.yaml").write_text(dump_deal(deal), encoding="utf-8")
    names = []
    for run in ("a", "b"):  # twice: the same names
        out = tmp_path / run / "review.html"
        out.parent.mkdir()
        result = cli("review", folder, "-o", out, "--workers", "2", "-q")
        assert result.exit_code == 0, result.stderr
        names.append(sorted(p.name for p in (out.parent / "review-maps").iterdir()))
    assert names[0] == names[1]
    assert len(set(names[0])) == len(ids) and "short.html" in names[0]
    assert all(len(n.encode()) <= 100 and n.endswith(".html") for n in names[0])
    assert all(n.startswith("账" * 20) for n in names[0] if n != "short.html")


def test_report_cli_writes_the_report(pipeline: Path, tmp_path: Path, cli: Any) -> None:
    out = tmp_path / "review.html"
    result = cli("review", pipeline, "-o", out, "--no-maps", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert out.is_file() and not (tmp_path / "review-maps").exists()
    assert f"wrote {out}" in result.stderr
    assert "Pipeline review" in result.stdout  # the table still goes to stdout


def test_review_json_round_trips_through_a_file(pipeline: Path, tmp_path: Path) -> None:
    result = review([pipeline], workers=1)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(result.to_data()), encoding="utf-8")
    assert load_review_json(path) == result
    same = review([pipeline], workers=1, since=path)
    assert same.changes is not None and same.changes.since == str(path)
    assert {d.change.status for d in same.deals if d.change} == {"unchanged"}


# The page's sorting, rows, width, detail and map links in a browser:
# tests/browser/test_review_browser.py.


# -- deals that crash their worker -----------------------------------------------------


def _die_on_13_and_37(chunk: list[int]) -> list[int]:
    """Double each item; a process given 13 or 37 dies there (as a segfault would)."""
    if 13 in chunk or 37 in chunk:
        os._exit(7)
    return [2 * x for x in chunk]


def _crashed(item: int, reason: str) -> int:
    return -item if reason == "exit code 7" else 0


def test_run_chunks_isolates_the_items_that_kill_their_worker() -> None:
    # 13 and 37 are in different chunks, in flight together: every chunk their deaths
    # interrupted is run again, and only they are blamed.
    out = run_chunks(_die_on_13_and_37, list(range(50)), workers=2, chunk_size=5, on_crash=_crashed)
    results = sorted(x for chunk in out for x in chunk)
    assert results == sorted([-13, -37] + [2 * x for x in range(50) if x not in (13, 37)])


def test_run_chunks_without_on_crash_raises_a_worker_error() -> None:
    from influence import WorkerError

    with pytest.raises(WorkerError, match=r"died \(exit code 7\)"):
        list(run_chunks(_die_on_13_and_37, list(range(20)), workers=2, chunk_size=2))


@pytest.mark.parametrize(("kind", "expected"), sorted(FAILURES.items()))
def test_any_exception_in_one_deal_is_listed_and_the_review_goes_on(
    kind: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import influence.io

    real = influence.io.check_deal
    names = {"crash-recursion": RecursionError("too deep"), "crash-bug": RuntimeError("bug")}
    names |= {"crash-memory": MemoryError(), "crash-value": ValueError("odd")}

    def check_deal(path: str, **options: Any) -> Any:
        if kind in path:
            raise names[kind]
        return real(path, **options)

    monkeypatch.setattr(influence.io, "check_deal", check_deal)
    good, bad = write_deals(tmp_path, 3, [kind])
    result = review([tmp_path], workers=1)
    assert sorted(Path(d.file).name for d in result.deals) == good
    [error] = result.errors
    assert Path(error.file).name == bad[0]
    [message] = error.messages
    assert message.startswith(f"{error.file}: ")
    assert expected in message
    assert ("please report it" in message) == (kind != "crash-memory")


@pytest.mark.slow
def test_a_review_lists_the_deals_that_crash_their_worker_and_reports_the_rest(
    tmp_path: Path,
) -> None:
    """1,000 good deals and 5 that kill their worker process (one by segfault): exit 3."""
    import subprocess
    import sys

    good, bad = write_deals(tmp_path / "deals", 1000, list(DEATHS))
    run = subprocess.run(
        [sys.executable, "-m", "influence", "review", "deals", "--json", "--workers", "2"],
        cwd=tmp_path,
        env=crash_env(tmp_path / "site"),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 3, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    data = json.loads(run.stdout)
    assert sorted(d["file"] for d in data["deals"]) == [f"deals/{n}" for n in good]
    expected = {
        f"deals/{name}": [
            f"deals/{name}: the worker crashed while analysing this file ({DEATHS[kind]})"
        ]
        for name, kind in zip(bad, DEATHS, strict=True)
    }
    assert {e["file"]: e["messages"] for e in data["errors"]} == expected
    assert data["totals"]["errors"] == 5
    for messages in expected.values():
        assert messages[0] in run.stderr


def test_a_map_that_cannot_be_drawn_is_reported_with_why(tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    result = review([folder], workers=1)
    gone = folder / EXAMPLES[0].name
    gone.unlink()  # removed after the review, before its map
    missing: list[tuple[str, str]] = []
    out = tmp_path / "review.html"
    written = write_review_html(
        result, out, workers=1, on_missing_map=lambda f, why: missing.append((f, why))
    )
    [(file, why)] = missing
    assert file == str(gone)
    assert why.startswith("the file cannot be read now (cannot read the file")
    assert len(written) == len(result.deals)  # the report and every other map
    page = out.read_text(encoding="utf-8")
    links = set(re.findall(r'<a href="(review-maps/[^"]+)">', page))
    assert links == {f"review-maps/{p.name}" for p in written[1:]}
    assert len(links) == len(result.deals) - 1


def test_the_command_warns_of_each_missing_map(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import influence.render.html as html

    real = html.to_html

    def fails_for_one(deal: Any, *args: Any, **kwargs: Any) -> str:
        if deal.id == "saas-small":
            raise RuntimeError("no layout")
        return real(deal, *args, **kwargs)

    monkeypatch.setattr(html, "to_html", fails_for_one)
    out = tmp_path / "review.html"
    result = cli("review", *map(str, EXAMPLES), "--workers", "1", "-o", str(out))  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    saas = next(str(p) for p in EXAMPLES if p.stem == "saas-small")
    assert f"warning: {saas}: no map: drawing it failed (RuntimeError: no layout)" in result.stderr
    assert f"and {len(EXAMPLES) - 1} maps in" in result.stderr
