"""The map's "Key-account method" block says what the report (and the terminal) says.

The block reads the report's own fields (step, temperature, top_decision_maker,
facts, competitors, left, warnings); these tests read the page as parsed HTML and
hold each row against the report and, word for word, against the terminal's
``method_lines``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from influence import Deal, analyze, read_deal, to_html
from influence.render import html as maps
from influence.render._text import method_lines
from tests.conftest import EXAMPLES
from tests.render.test_html import page_data, parse
from tests.render.test_method_section import _deal as method_deal


class _Rows(HTMLParser):
    """The ``<li data-method>`` rows of ``section#method``: (attributes, text, buttons)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[dict[str, str | None], str, list[dict[str, str | None]]]] = []
        self.sections: list[str | None] = []
        self._in_method = False
        self._row: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
            self._in_method = a.get("id") == "method"
        elif self._in_method and tag == "li" and "data-method" in a:
            self._row = a
            self.rows.append((a, "", []))
        elif self._row is not None and tag == "button":
            self.rows[-1][2].append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._row = None
        elif tag == "section":
            self._in_method = False

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            attrs, text, buttons = self.rows[-1]
            self.rows[-1] = (attrs, text + data, buttons)


def method_rows(page: str) -> _Rows:
    parser = _Rows()
    parser.feed(page)
    parser.close()
    assert parser.sections.count("method") == 1, "one Key-account method block"
    return parser


def _cases() -> list[Any]:
    return [pytest.param(lambda p=p: read_deal(p), id=p.stem) for p in EXAMPLES] + [
        pytest.param(method_deal, id="facts-competitors-left")
    ]


@pytest.mark.parametrize("make", _cases())
def test_the_block_lists_the_report_s_step_temperature_top_dm_and_facts(make: Any) -> None:
    deal: Deal = make()
    report = analyze(deal)
    page = to_html(deal, report)
    rows = method_rows(page).rows
    kinds = [a["data-method"] for a, _, _ in rows]
    # The same rows, in the same order and the same words, as the terminal's section.
    said = [" ".join(t.split()) for a, t, _ in rows if a["data-method"] != "warning"]
    assert said == method_lines(report)
    step = rows[kinds.index("step")][1]
    assert step == f"Step {report.step}; temperature {report.temperature} degrees"
    (_, top_text, buttons) = rows[kinds.index("top")]
    assert report.top_decision_maker is not None
    person = next(p for p in deal.people if p.id == report.top_decision_maker)
    assert person.name in top_text
    # The name is a link that selects them, as the Reach next entries do.
    assert [b.get("data-person") for b in buttons] == [report.top_decision_maker]
    facts = [(a["data-item"], a["data-state"]) for a, _, _ in rows if a["data-method"] == "fact"]
    expected = [
        (f.item, "stale" if f.stale else "known" if f.known else "missing")
        for f in report.facts
        if f.known or f.required
    ]
    assert facts == expected and facts
    # The map marks the same person as the top decision-maker, and only them.
    nodes = page_data(page)["nodes"]
    tops = [n["id"] for n in nodes if n["person"].get("top")]
    assert tops == [report.top_decision_maker]
    crowned = [n["id"] for n in nodes if maps.TOP_MARK in n["label"]]
    assert crowned == tops


def test_the_block_follows_reach_next_and_precedes_the_controls() -> None:
    page = to_html(method_deal())
    sections = method_rows(page).sections
    assert sections.index("reach") + 1 == sections.index("method")
    assert page.index('id="reach"') < page.index('id="method"') < page.index('class="controls"')


def test_facts_competitors_and_people_who_left() -> None:
    deal = method_deal()
    report = analyze(deal)
    assert report.left == ["old"] and report.competitors
    page = to_html(deal, report)
    rows = {a["data-method"]: text for a, text, _ in method_rows(page).rows}
    assert rows["competitor"] == "Competitor Acme Valves (incumbent): favoured by Zhang Min (CFO)"
    assert rows["left"] == "Left the company: Qian Bo"
    budget = [(a, text) for a, text, _ in method_rows(page).rows if a.get("data-item") == "budget"]
    ((attrs, text),) = budget
    assert attrs["data-state"] == "known"
    assert "CNY 2m approved" in text and "Wu Lan (Secretary)" in text and "30 days old" in text
    # People who left are drawn faded with a dotted ring and say so in their label;
    # nobody else is.
    nodes = {n["id"]: n for n in page_data(page)["nodes"]}
    assert nodes["old"]["opacity"] == maps.LEFT_OPACITY
    assert nodes["old"]["shapeProperties"]["borderDashes"] == [2, 4]
    assert nodes["old"]["label"].endswith("(left)") and nodes["old"]["person"].get("left")
    assert [i for i, n in nodes.items() if "opacity" in n or n["person"].get("left")] == ["old"]
    # The legend explains both marks.
    legend = page[page.index("<h2>Legend</h2>") :]
    assert "the top decision-maker" in legend and "left the company" in legend


def test_a_stale_fact_says_so() -> None:
    data = method_deal().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["deal"]["facts"]["budget"]["as_of"] = "2024-01-01"
    deal = Deal.model_validate(data)
    report = analyze(deal)
    (fact,) = [f for f in report.facts if f.item == "budget"]
    assert fact.stale
    rows = method_rows(to_html(deal, report)).rows
    ((attrs, text),) = [(a, t) for a, t, _ in rows if a.get("data-item") == "budget"]
    assert attrs["data-state"] == "stale" and text.rstrip().endswith(", stale)")


HOSTILE = "</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>"


def test_hostile_fact_competitor_and_names_stay_text() -> None:
    data = method_deal().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["deal"]["facts"]["budget"]["text"] = HOSTILE
    data["deal"]["competitors"][0]["name"] = HOSTILE
    for p in data["people"]:
        if p["id"] == "cfo":
            p["favours"] = HOSTILE
        if p["id"] in ("old", "chair"):
            p["name"] = HOSTILE + p["id"]
    deal = Deal.model_validate(data)
    page = to_html(deal)
    parsed = parse(page)
    assert len(parsed.scripts) == 3  # the page's own: data, vis-network, ours
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert "img" not in {tag for tag, _ in parsed.tags}
    rows = method_rows(page).rows
    texts = {a["data-method"]: t for a, t, _ in rows if a["data-method"] != "fact"}
    facts = {a["data-item"]: t for a, t, _ in rows if a["data-method"] == "fact"}
    assert HOSTILE in facts["budget"]
    assert texts["competitor"].startswith(f"Competitor {HOSTILE} (incumbent)")
    assert texts["left"] == f"Left the company: {HOSTILE}old"
    assert f"{HOSTILE}chair" in texts["top"]
    assert page == to_html(deal)


def test_redacted_block_names_nobody_and_drops_fact_text() -> None:
    deal = method_deal()
    page = to_html(deal, redact=True)
    rows = method_rows(page).rows
    text = " ".join(t for _, t, _ in rows)
    for p in deal.people:
        assert p.name not in text
        assert not p.title or p.title not in text
    assert "CNY 2m approved" not in text
    by = {a["data-method"]: (t, b) for a, t, b in rows}
    top_text, buttons = by["top"]
    assert "HJ" in top_text and buttons[0]["data-person"] == "p1"
    assert by["left"][0] == "Left the company: QB"
    assert "favoured by ZM" in by["competitor"][0]


def test_an_unmapped_stage_says_so_with_the_warning(tmp_path: Path) -> None:
    data = method_deal().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["deal"]["stage"] = "Somewhere odd"
    deal = Deal.model_validate(data)
    report = analyze(deal)
    assert report.step is None and report.warnings
    rows = method_rows(to_html(deal, report)).rows
    assert rows[0][1] == f"Step unmapped (see warnings); temperature {report.temperature} degrees"
    warnings = [" ".join(t.split()) for a, t, _ in rows if a["data-method"] == "warning"]
    assert warnings == report.warnings


def test_visits_and_the_favours_ledger_with_touchpoints_only() -> None:
    # The deal of tests/analysis/test_cadence.py: its visits and favours are worked out
    # by hand there; here the block says them in the terminal's words, name as a link.
    from tests.analysis.test_cadence import visits_deal

    deal = visits_deal()
    report = analyze(deal)
    page = to_html(deal, report)
    rows = method_rows(page).rows
    said = [" ".join(t.split()) for a, t, _ in rows if a["data-method"] != "warning"]
    assert said == method_lines(report)
    visits = [(t, b) for a, t, b in rows if a["data-method"] == "visits"]
    assert [" ".join(t.split()) for t, _ in visits] == [
        "Visits per month 2026-06..2026-11 to Chen Jun (CEO) (top decision-maker): "
        "2 0 0 0 1 1 (total 4; last 2026-11-20)",
        "Visits per month 2026-06..2026-11 to Zhang Min (decision-maker): "
        "0 0 0 1 1 0 (total 2; last 2026-10-15)",
        "Visits per month 2026-06..2026-11 to Xu Li (coach): 0 0 0 0 0 0 (total 0; last never)",
    ]
    assert [[x.get("data-person") for x in b] for _, b in visits] == [["chen"], ["zm"], ["sec"]]
    favours = [" ".join(t.split()) for a, t, _ in rows if a["data-method"] == "favours"]
    assert favours == [
        "Favours ledger (人情) with Chen Jun (CEO): favours given 0, asked 0; gifts given 1, "
        "received 0 (last 2026-08-01)",
        "Favours ledger (人情) with Zhang Min: favours given 2, asked 1; gifts given 1, "
        "received 0 (last 2026-10-20)",
    ]
    # Redacted, people are their initials, as everywhere on a redacted map.
    hidden = method_rows(to_html(deal, report, redact=True)).rows
    texts = " ".join(t for a, t, _ in hidden if a["data-method"] in ("visits", "favours"))
    assert "Zhang Min" not in texts and "Chen Jun" not in texts


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_deal_without_touchpoints_shows_no_visits_nor_favours(example: Path) -> None:
    deal = read_deal(example)
    assert not deal.touchpoints
    rows = method_rows(to_html(deal)).rows
    assert not [a for a, _, _ in rows if a["data-method"] in ("visits", "favours")]
