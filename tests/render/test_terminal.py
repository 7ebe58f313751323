"""The terminal report leads with the answer, fits its width and never splits a word."""

from __future__ import annotations

import re
from pathlib import Path
from unicodedata import east_asian_width

import pytest
from hypothesis import given
from hypothesis import strategies as st

from influence import Deal, analyze, read_deal, to_terminal
from influence.analysis.report import DealReport
from influence.render._text import TOP, top_reasons
from tests.conftest import EXAMPLES

WIDTHS = (80, 100)
#: The first screen: a terminal of 24 or 25 lines.
SCREEN = 25
BOX = re.compile(r"^[─━═\-]+$")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _columns(line: str) -> int:
    return sum(1 + (east_asian_width(c) in "WF") for c in line)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _tokens(text: str) -> set[str]:
    return {t for t in text.split() if not BOX.match(t)}


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def report(request: pytest.FixtureRequest) -> DealReport:
    path: Path = request.param
    return analyze(read_deal(path))


def _first_action_line(lines: list[str]) -> int:
    """1-based line of action 1: the first ``1.`` after the "Next actions" heading."""
    heading = next(i for i, line in enumerate(lines) if line.startswith("Next actions"))
    return next(i for i in range(heading, len(lines)) if lines[i].lstrip().startswith("1. ")) + 1


@pytest.mark.parametrize("width", WIDTHS)
def test_the_actions_start_on_the_first_screen(report: DealReport, width: int) -> None:
    lines = to_terminal(report, width=width).splitlines()
    assert report.actions, "every example has something to do"
    assert _first_action_line(lines) <= SCREEN
    # Before the actions: the grade and score, then the main reasons in plain words.
    first = "\n".join(lines[: _first_action_line(lines)])
    assert f"Risk {report.risk.grade.upper()} {report.risk.score}/100" in first
    for signal in top_reasons(report):
        assert _flat(signal.message) in _flat(first)
    # The top actions come before any detail; the others after the signals.
    text = "\n".join(lines)
    detail = text.index("Role coverage")
    for n, action in enumerate(report.actions):
        at = _flat(text).index(_flat(action.text))
        assert (at < _flat(text).index("Role coverage")) == (n < TOP)
    assert text.index("Signals (") > detail
    assert "Introduction paths" in text[detail:]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_word_is_split_and_no_line_is_too_long(report: DealReport, width: int) -> None:
    text = to_terminal(report, width=width)
    lines = text.splitlines()
    assert max(_columns(line) for line in lines) <= width
    # Unwrapped, every word is whole: each token of the wrapped text must be one of them.
    whole = _tokens(to_terminal(report, width=10_000))
    split = sorted(_tokens(text) - whole)
    assert split == [], f"words split at {width} columns: {split[:10]}"
    # Every person, signal and action is there, its words in order.
    flat = _flat(text)
    for item in [*report.signals, *report.actions]:
        words = item.message if hasattr(item, "message") else item.text
        assert _flat(words) in flat


def test_a_long_word_is_folded_only_when_longer_than_the_line() -> None:
    long = "x" * 130
    deal = Deal.model_validate(
        {
            "deal": {"name": "d", "as_of": "2026-11-20"},
            "people": [
                {"name": "Seller", "side": "seller"},
                {
                    "id": "dm",
                    "name": "Dee " + long,
                    "title": "Chief Executive Officer",
                    "roles": ["decision_maker"],
                },
            ],
        }
    )
    text = to_terminal(analyze(deal), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Chief Executive Officer" in text  # its neighbours stay whole
    assert long not in text and long[:70] in text  # folded, not cut


def test_a_terminal_too_narrow_for_the_table_lists_the_people(report: DealReport) -> None:
    text = to_terminal(report, width=40)
    assert max(_columns(line) for line in text.splitlines()) <= 40
    people = text[text.index("People on the customer side") : text.index("Signals (")]
    assert "Coverage" not in people.splitlines()[1]  # no table header
    for p in report.people:
        if p.side == "customer":
            assert _flat(p.name) in _flat(people)


def test_the_score_formula_only_when_verbose(report: DealReport) -> None:
    explanation = _flat(report.risk.explanation)
    assert explanation not in _flat(to_terminal(report))
    verbose = to_terminal(report, verbose=True)
    assert explanation in _flat(verbose)
    assert _flat(verbose).index(explanation) < _flat(verbose).index("Next actions")


def test_stance_and_coverage_words_are_coloured_only_when_asked(report: DealReport) -> None:
    plain = to_terminal(report)
    assert "\x1b" not in plain
    coloured = to_terminal(report, color=True)
    styles: dict[str, set[str]] = {}
    for match in re.finditer(
        r"\x1b\[([0-9;]*)m(ally|blocker|covered|uncovered|stale) *\x1b\[0m", coloured
    ):
        styles.setdefault(match.group(2), set()).add(match.group(1))
    words = {p.stance for p in report.people if p.side == "customer"} & {"ally", "blocker"}
    words |= {p.coverage for p in report.people if p.coverage} - {None}
    for word in words:
        assert word in styles, word
    green, red, yellow = "32", "31", "33"
    for word, code in [
        ("ally", green),
        ("covered", green),
        ("blocker", red),
        ("uncovered", red),
        ("stale", yellow),
    ]:
        for sgr in styles.get(word, set()):
            assert sgr.split(";")[-1] == code, (word, sgr)
    assert SGR.sub("", coloured).replace(" Risk", "Risk", 1).split() == plain.split()


@pytest.mark.parametrize("width", [60, *WIDTHS])
def test_paths_and_whatif_text_wrap_between_words(width: int) -> None:
    from influence import introduction_paths, paths_text, what_if, whatif_text

    for path in EXAMPLES:
        deal = read_deal(path)
        report = analyze(deal)
        for target in report.decision_makers:
            found = introduction_paths(deal, target, k=3)
            whole, wrapped = paths_text(found, deal), paths_text(found, deal, width=width)
            assert max((_columns(line) for line in wrapped.splitlines()), default=0) <= width
            assert wrapped.split() == whole.split()  # the same words, none split
            assert wrapped.count("\n") >= whole.count("\n")
        seller = next(p.id for p in report.people if p.side == "seller")
        result = what_if(deal, [f"{seller}~{d}=strong" for d in report.decision_makers])
        whole, wrapped = whatif_text(result), whatif_text(result, width=width)
        assert max(_columns(line) for line in wrapped.splitlines()) <= width
        assert wrapped.split() == whole.split()


@given(
    st.lists(st.text(alphabet="abc张é-", min_size=1, max_size=30), min_size=1, max_size=30),
    st.integers(min_value=20, max_value=100),
)
def test_wrap_line_keeps_every_word_and_folds_only_words_longer_than_a_line(
    words: list[str], width: int
) -> None:
    from rich.cells import cell_len

    from influence.render._text import wrap_line

    line = "  " + " ".join(words)
    wrapped = wrap_line(line, width, "    ")
    lines = wrapped.split("\n")
    assert all(cell_len(x) <= width for x in lines)
    if all(cell_len(w) <= width - 4 for w in words):
        assert wrapped.split() == line.split()
    else:
        assert "".join(wrapped.split()) == "".join(line.split())
