"""The command line: validate, new, schema, version, analyze, paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

import pytest

from tests.conftest import EXAMPLES

ROOT_EXAMPLE = next(p for p in EXAMPLES if p.stem == "enterprise-committee")


def test_version(cli: Any) -> None:
    from influence import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"influence {__version__}"


def test_new_then_validate(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    result = cli("new", path, "--name", 'ACME "ERP": phase 2')
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.count("#") > 5  # commented for a rep
    check = cli("validate", path)
    assert check.exit_code == 0, check.stderr
    assert check.stdout.startswith(f"ok   {path}: 4 people, 2 relationships")
    from influence import read_deal

    assert read_deal(path).deal.name == 'ACME "ERP": phase 2'


def test_new_refuses_to_overwrite(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("keep me", encoding="utf-8")
    result = cli("new", path)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "keep me"
    assert cli("new", tmp_path / "acme.json").exit_code == 2


def test_schema_is_draft07_without_prefix_items(cli: Any) -> None:
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = result.stdout
    assert "prefixItems" not in text and "$defs" not in text
    person = schema["definitions"]["Person"]
    assert person["additionalProperties"] is False
    assert {"type": "string", "enum": ["low", "medium", "high"]} in person["properties"][
        "influence"
    ]["anyOf"]
    assert schema["definitions"]["Relationship"]["properties"]["from"]


def test_schema_validates_the_examples(cli: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(cli("schema").stdout)
    for path in EXAMPLES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))
        jsonschema.validate(data, schema)


def test_validate_examples(cli: Any) -> None:
    assert len(EXAMPLES) >= 3
    result = cli("validate", *EXAMPLES)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(EXAMPLES)


def test_validate_json_output(cli: Any, write: Any) -> None:
    bad = write("deal: {name: X}\npeople: [{name: A, stance: alli}]\n")
    result = cli("validate", "--json", bad)
    assert result.exit_code == 3
    [entry] = json.loads(result.stdout)
    assert entry["ok"] is False
    [problem] = entry["problems"]
    assert (problem["line"], problem["field"]) == (2, "people[0].stance")


def test_analyze_terminal_fits_100_columns(cli: Any) -> None:
    for path in EXAMPLES:
        result = cli("analyze", path)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        # Columns on screen: CJK characters take two.
        assert max(sum(1 + (east_asian_width(c) in "WF") for c in line) for line in lines) <= 100
        assert all(line == line.rstrip() for line in lines)  # no trailing blanks in diffs
        assert "…" not in result.stdout  # wrapped, never cut
        assert "Risk" in result.stdout and "Next actions" in result.stdout
        assert "\x1b[" not in result.stdout  # no colour when not a terminal


def test_analyze_json_equals_library(cli: Any) -> None:
    from influence import analyze, read_deal

    path = EXAMPLES[0]
    result = cli("analyze", path, "--json")
    assert json.loads(result.stdout) == analyze(read_deal(path)).model_dump(mode="json")


def test_analyze_fail_on(cli: Any) -> None:
    from influence import analyze, read_deal

    for path in EXAMPLES:
        severities = {s.severity for s in analyze(read_deal(path)).signals}
        result = cli("analyze", path, "--json", "--fail-on", "high")
        assert result.exit_code == (1 if "high" in severities else 0)
        if "high" in severities:
            assert "--fail-on high" in result.stderr
        json.loads(result.stdout)  # the report is still printed


def test_analyze_assume(cli: Any) -> None:
    from influence import analyze, read_deal

    path = EXAMPLES[0]
    report = analyze(read_deal(path))
    target = report.decision_makers[0]
    seller = next(p.id for p in report.people if p.side == "seller")
    result = cli(
        "analyze", path, "--json", "--assume", f"{target}=ally", "-a", f"{seller}~{target}"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["assumptions"] == [f"{target}=ally", f"{seller}~{target}"]
    assert data["coverage"]["people"][target] == "covered"
    assert data["what_if"]["score_before"] == report.risk.score
    text = cli("analyze", path, "--assume", f"{target}=ally").stdout
    assert "What changes if" in text
    bad = cli("analyze", path, "--assume", "nobody-here=ally")
    assert bad.exit_code == 4 and "no person 'nobody-here'" in bad.stderr


def test_analyze_markdown(cli: Any) -> None:
    result = cli("analyze", EXAMPLES[0], "--markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# ")
    assert "## Signals" in result.stdout and "## Next actions" in result.stdout


def test_analyze_bad_file_exit_3(cli: Any, write: Any) -> None:
    result = cli("analyze", write("deal: {name: X}\npeople: [{name: A, stance: alli}]\n"))
    assert result.exit_code == 3
    assert ":2:" in result.stderr and "did you mean 'ally'" in result.stderr


def test_analyze_policy_file(cli: Any, write: Any) -> None:
    policy = write("min_threads: 99\n", "team.yaml")
    data = json.loads(cli("analyze", EXAMPLES[0], "--json", "--policy", policy).stdout)
    assert "single-threaded" in [s["code"] for s in data["signals"]]
    bad = write("min_thread: 2\n", "bad-team.yaml")
    result = cli("analyze", EXAMPLES[0], "--policy", bad)
    assert result.exit_code == 3
    assert "did you mean 'min_threads'" in result.stderr


def test_paths_unknown_target(cli: Any) -> None:
    from influence import read_deal

    deal = read_deal(EXAMPLES[0])
    real = next(p.id for p in deal.people if p.side.value == "customer")
    result = cli("paths", EXAMPLES[0], real[:-1] + "x")
    assert result.exit_code == 4
    assert f"did you mean {real!r}" in result.stderr


def test_paths_json_shape(cli: Any) -> None:
    from influence import analyze, read_deal

    for path in EXAMPLES:
        report = analyze(read_deal(path))
        for target in report.paths:
            result = cli("paths", path, target, "--json")
            assert result.exit_code == 0
            data = json.loads(result.stdout)
            assert data["target"] == target
            assert data["paths"] == [p.model_dump(mode="json") for p in report.paths[target]]


def test_python_dash_m_and_help_examples() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "influence", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("validate", "new", "schema", "analyze", "paths"):
        assert command in out


def test_cli_start_up_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; import influence.cli; "
        "heavy = [m for m in ('networkx', 'pyvis', 'IPython', 'scipy', 'jinja2', 'yaml', "
        "'dask', 'distributed', 'openpyxl', 'ruamel', 'pydantic', 'markdown_it') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_command_leaves_its_objects_to_the_exit_not_to_the_collector() -> None:
    # Shutting down, the cyclic collector would walk every live object again (~0.15 s
    # after a big map): the console script freezes them first, whatever the exit code.
    code = (
        "import atexit, gc, sys; "
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0)); "
        "sys.argv = ['influence'] + sys.argv[1:]; "
        "from influence.cli import main; main()"
    )
    for args, status in ((["--help"], 0), (["validate", "no-such-file.yaml", "x.json"], 3)):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == status, out.stderr
        assert out.stdout.splitlines()[-1] == "frozen True"
    # A command about one deal goes further: its objects are left to the OS, and the
    # process ends without a shut-down at all (influence._exit), its output complete.
    out = subprocess.run(
        [sys.executable, "-c", code, "validate", "no-such-file.yaml"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 3 and "no such file" in out.stderr
    assert out.stdout.splitlines() == ["FAIL no-such-file.yaml: 1 error"]  # no atexit


BLOCKED = """
deal: {name: Blocked}
people:
  - {id: me, name: Me, side: seller}
  - {id: bo, name: Bo, stance: blocker}
  - {id: chen, name: Chen, roles: [decision_maker]}
relationships:
  - {from: me, to: bo, strength: 0.9}
  - {from: bo, to: chen, strength: 0.9}
"""


def test_paths_messages_on_stderr(cli: Any, write: Any) -> None:
    path = write(BLOCKED)
    # Only a path through the blocker: shown, labelled, and explained on stderr.
    result = cli("paths", path, "chen", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["people"] for p in data["paths"]] == [["me", "bo", "chen"]]
    assert data["paths"][0]["through_blocker"] is True
    assert data["paths"][0]["steps"][0]["from"] == "me"
    assert "no blocker-free path to chen within 4 hops" in result.stderr
    # Asking for blockers explicitly: the same path, no complaint.
    allowed = cli("paths", path, "chen", "--allow-blockers")
    assert allowed.exit_code == 0
    assert allowed.stdout.startswith("1. Me -> Bo -> Chen")
    assert allowed.stderr == ""
    # Too few hops: nothing at all, and stderr says so.
    none = cli("paths", path, "chen", "--max-hops", "1", "--json")
    assert none.exit_code == 0
    assert json.loads(none.stdout)["paths"] == []
    assert "no path to chen within 1 hop" in none.stderr


def _widest(text: str) -> int:
    return max(sum(1 + (east_asian_width(c) in "WF") for c in line) for line in text.splitlines())


def test_analyze_width_from_the_terminal_or_columns_or_option(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    path = EXAMPLES[0]
    assert 90 < _widest(cli("analyze", path).stdout) <= 100  # into a pipe: 100
    monkeypatch.setenv("COLUMNS", "72")
    assert 60 < _widest(cli("analyze", path).stdout) <= 72  # into a pipe: $COLUMNS
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr("influence.cli.analyze._stdout_is_tty", lambda: True)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback: os.terminal_size((84, 30)))
    on_tty = cli("analyze", path)
    assert 70 < _widest(on_tty.stdout) <= 84  # the terminal's width
    assert "\x1b[" not in on_tty.stdout  # NO_COLOR (set for every test)
    assert _widest(cli("analyze", path, "--width", "120").stdout) > 100  # the option wins
    assert cli("analyze", path, "--width", "5").exit_code == 2
    review = cli("review", ROOT_EXAMPLE.parent, "-q", "--workers", "1")
    assert 70 < _widest(review.stdout) <= 84  # review's table too


def test_analyze_colours_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from influence.cli import app

    def run() -> str:
        # color=True: the runner passes colour codes through, as a terminal would get them
        result = CliRunner().invoke(app, ["analyze", str(ROOT_EXAMPLE)], color=True)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    monkeypatch.setattr("influence.cli.analyze._stdout_is_tty", lambda: True)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    coloured = run()
    assert "\x1b[32mally" in coloured and "\x1b[31muncovered" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("influence.cli.analyze._stdout_is_tty", lambda: False)
    assert "\x1b[" not in run()  # into a pipe


def test_analyze_verbose_shows_the_score_formula(cli: Any) -> None:
    from influence import analyze, read_deal

    explanation = " ".join(analyze(read_deal(ROOT_EXAMPLE)).risk.explanation.split())
    plain = cli("analyze", ROOT_EXAMPLE).stdout
    verbose = cli("analyze", ROOT_EXAMPLE, "--verbose")
    assert verbose.exit_code == 0
    assert explanation not in " ".join(plain.split())
    assert explanation in " ".join(verbose.stdout.split())


def test_analyze_markdown_brief(cli: Any) -> None:
    from influence import analyze, read_deal, to_markdown

    for path in EXAMPLES:
        result = cli("analyze", path, "--markdown", "--brief")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == to_markdown(analyze(read_deal(path)), brief=True)
    bad = cli("analyze", EXAMPLES[0], "--brief")
    assert bad.exit_code == 2 and "--brief" in bad.stderr
