"""The command line is a thin face: what it prints is what a library function returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import influence
from influence import (
    SIGNAL_CODES,
    Signal,
    analyze,
    check_deal,
    fails_on,
    introduction_paths,
    paths_text,
    read_deal,
    signals_at_or_above,
    starter_deal,
    what_if,
    whatif_text,
)
from influence.analysis.severity import SEVERITIES
from tests.conftest import EXAMPLES

ENTERPRISE = Path("examples/enterprise-committee.yaml")
ASSUME = ["li-wei~chen-jun=strong", "zhang-min=ally"]


def test_analyze_assume_prints_whatif_text(cli: Any) -> None:
    deal = read_deal(ENTERPRISE)
    expected = whatif_text(what_if(deal, ASSUME))
    args = [a for x in ASSUME for a in ("--assume", x)]
    result = cli("analyze", ENTERPRISE, *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("\n\n" + expected + "\n")
    assert "What changes if li-wei~chen-jun=strong; zhang-min=ally:" in expected
    markdown = cli("analyze", ENTERPRISE, "--markdown", *args)
    assert markdown.stdout.endswith(expected + "\n")


def test_analyze_assume_json_holds_whatif_data(cli: Any) -> None:
    result = what_if(read_deal(ENTERPRISE), ASSUME)
    args = [a for x in ASSUME for a in ("--assume", x)]
    printed = json.loads(cli("analyze", ENTERPRISE, "--json", *args).stdout)
    assert printed["what_if"] == result.to_data()
    assert printed["what_if"]["score_before"] - printed["risk"]["score"] == -result.score_change


def test_paths_prints_paths_text(cli: Any) -> None:
    deal = read_deal(ENTERPRISE)
    found = introduction_paths(deal, "chen-jun", k=3)
    assert found, "the example has paths to its CEO"
    text = paths_text(found, deal)
    assert text.count("\n") == len(found) + sum(len(p.steps) for p in found)
    assert text.startswith("1. ") and f"{len(found)}. " in text
    result = cli("paths", ENTERPRISE, "chen-jun")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == text


def test_paths_text_of_no_path_is_empty() -> None:
    assert paths_text([], read_deal(ENTERPRISE)) == ""


@pytest.mark.parametrize("strict", [False, True])
def test_validate_prints_summaries_and_json_is_to_data(cli: Any, write: Any, strict: bool) -> None:
    warned = write(
        "deal: {name: W}\npeople:\n  - name: Ann\n  - {name: Bo, side: seller}\n", "warned.yaml"
    )
    broken = write("deal: {name: B, owner: nobody}\n", "broken.yaml")
    files = [*EXAMPLES, warned, broken]
    flags = ["--strict"] if strict else []
    results = [check_deal(f) for f in files]
    assert results[-2].warnings and not results[-2].errors
    text = cli("validate", *flags, *files)
    assert text.stdout == "".join(r.summary(strict=strict) + "\n" for r in results)
    assert text.stdout.splitlines()[-2].startswith("FAIL" if strict else "ok  ")
    printed = cli("validate", "--json", *flags, *files)
    assert json.loads(printed.stdout) == [r.to_data() for r in results]
    assert printed.exit_code == text.exit_code == 3
    assert [r.passed(strict=strict) for r in results[-2:]] == [not strict, False]


def test_thresholds_keep_the_severities_at_or_above() -> None:
    signals = [
        Signal(code=code, severity=sev, people=[], message="")
        for code, sev in zip(sorted(SIGNAL_CODES), [*SEVERITIES] * 10, strict=False)
    ]
    assert SEVERITIES == ("high", "medium", "low", "info")
    kept = [len(signals_at_or_above(signals, sev)) for sev in SEVERITIES]
    assert kept == sorted(kept) and kept[-1] == len(signals)
    assert {s.severity for s in signals_at_or_above(signals, "medium")} == {"high", "medium"}
    with pytest.raises(ValueError, match="'severe' is not a severity"):
        signals_at_or_above(signals, "severe")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("severity", ["high", "medium", "low", "info"])
def test_fail_on_exits_1_exactly_when_fails_on(cli: Any, example: Path, severity: str) -> None:
    report = analyze(read_deal(example))
    result = cli("analyze", example, "--json", "--fail-on", severity)
    assert result.exit_code == (1 if fails_on(report, severity) else 0), result.stderr
    worst = signals_at_or_above(report.signals, severity)
    if worst:
        assert f"{len(worst)} signal" in result.stderr


def test_new_writes_the_starter_deal(cli: Any, tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "acme.yml"
    assert cli("new", path, "--name", "ACME: ERP").exit_code == 0
    assert path.read_text(encoding="utf-8") == starter_deal(path, "ACME: ERP")
    text = starter_deal("x.yaml", today=date(2026, 1, 31))
    assert "influence validate x.yaml" in text and "2026-01-31" in text
    assert read_deal(path).deal.name == "ACME: ERP"


def test_the_library_faces_are_exported() -> None:
    names = ("whatif_text", "paths_text", "signals_at_or_above", "fails_on", "format_of")
    for name in (*names, "starter_deal", "deal_from_data"):
        assert name in influence.__all__
        assert getattr(influence, name).__doc__
