"""The review's HTML page for a manager: what changed first, names, owner, next action, detail."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from benchmarks.generate import dump_deal, generate_pipeline, mutate_deal
from markupsafe import escape

from influence import analyze, read_deal
from influence.analysis.portfolio import PortfolioReview, change_order, changed_deals
from influence.batch.maps import with_back_link, write_review_html
from influence.batch.review import review
from influence.render.review import _md, to_review_html, to_review_markdown, to_review_terminal
from tests.conftest import EXAMPLES

HOSTILE = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
ZHANG_MIN = (
    "    stance: neutral\n    assessed: 2026-10-15\n    style: analytical\n    reports_to: chen-jun"
)


def write_weeks(root: Path, n_deals: int = 8) -> tuple[Path, Path]:
    """Week 1 and week 2 of a pipeline: a few generated deals mutated, and on Harbourfront
    (the enterprise example) the CFO Zhang Min, a decision-maker, turned from neutral to blocker.
    """
    week1, week2 = root / "week1", root / "week2"
    week1.mkdir()
    week2.mkdir()
    for n, deal in enumerate(generate_pipeline(n_deals, people_per_deal=16, seed=21)):
        name = f"{deal['deal']['id']}.yaml"
        (week1 / name).write_text(dump_deal(deal), encoding="utf-8")
        if n % 3 == 1:
            deal, _ = mutate_deal(deal, seed=n)
        (week2 / name).write_text(dump_deal(deal), encoding="utf-8")
    for example in EXAMPLES:
        shutil.copy(example, week1 / example.name)
        text = example.read_text(encoding="utf-8")
        if example.stem == "enterprise-committee":
            assert ZHANG_MIN in text
            text = text.replace(ZHANG_MIN, ZHANG_MIN.replace("neutral", "blocker"))
        (week2 / example.name).write_text(text, encoding="utf-8")
    return week1, week2


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> PortfolioReview:
    week1, week2 = write_weeks(tmp_path_factory.mktemp("weeks"))
    return review([week2], workers=1, since=review([week1], workers=1))


def deal_blocks(page: str) -> list[str]:
    return page.split('<tbody class="deal"')[1:]


def cell(block: str, css: str) -> str:
    found = re.search(rf'<td class="{css}"[^>]*>(.*?)</td>', block, re.S)
    assert found is not None, css
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_changed_since_leads_the_page_naming_deals_worst_first(compared: PortfolioReview) -> None:
    page = to_review_html(compared)
    top = page.index('<section id="changed"')
    assert top < page.index('<div class="cards">') < page.index('<table id="deals"')
    section = page[top : page.index("</section>", top)]
    items = re.findall(r'<li><a href="#deal-(\d+)">(.*?)</a>(.*?)</li>', section, re.S)
    listed = changed_deals(compared)
    assert len(items) == len(listed) >= 3  # every changed deal, by name
    rank = {id(d): n for n, d in enumerate(compared.deals, start=1)}
    for (anchor, name, rest), d in zip(items, listed, strict=True):
        assert int(anchor) == rank[id(d)] and f'id="deal-{anchor}"' in page
        assert unescape(name) == d.name
        assert d.change is not None
        assert unescape(rest).startswith(": " + d.change.items[0].text)
    # The decision-maker who turned blocker is the first thing said about Harbourfront...
    harbour = next(d for d in listed if d.id == "harbourfront-planning")
    assert harbour.change is not None
    assert harbour.change.items[0].text == "Zhang Min (decision-maker) neutral -> blocker"
    # ...and no deal with a milder worst change comes before it.
    worst = [change_order(d.change.items[0].kind) for d in listed if d.change]
    assert worst == sorted(worst) and worst[0] == change_order("decision-maker-blocker")


def test_the_other_faces_list_the_same_changes_in_the_same_order(
    compared: PortfolioReview,
) -> None:
    listed = [d.name for d in changed_deals(compared)]
    text = to_review_terminal(compared, width=400)
    said = [
        line.strip().split(":")[0]
        for line in text.split("worst first\n")[1].split("\n\n")[0].splitlines()
    ]
    assert said[: len(listed)] == listed
    md = to_review_markdown(compared)
    block = md.split("## Changed since")[1].split("\n\n", 2)[1]
    assert [line[2:].split(":")[0] for line in block.splitlines()] == [_md(n) for n in listed]


def test_rows_show_owner_next_action_and_names_not_ids(compared: PortfolioReview) -> None:
    page = to_review_html(compared)
    blocks = deal_blocks(page)
    assert len(blocks) == len(compared.deals)
    for block, d in zip(blocks, compared.deals, strict=True):
        row = block.split('<tr class="detail"')[0]
        owner = re.findall(r"<td><div class=\"clip2\">(.*?)</div></td>", row)[0]
        assert unescape(owner) == (d.names[d.owner] if d.owner else "")
        assert cell(row, "uncovered") == ", ".join(d.names[p] for p in d.uncovered_decision_makers)
        for pid in d.uncovered_decision_makers:
            assert pid not in row  # names, never ids, in the row
        assert cell(row, "next") == (d.next_action or "")
    harbour = next(d for d in compared.deals if d.id == "harbourfront-planning")
    report = analyze(read_deal(next(p for p in EXAMPLES if p.stem == "enterprise-committee")))
    assert harbour.next_action == report.actions[0].text
    assert harbour.names[harbour.owner or ""] == "Li Wei"


def test_detail_is_on_demand_and_says_why_and_every_change(compared: PortfolioReview) -> None:
    page = to_review_html(compared)
    for block, d in zip(deal_blocks(page), compared.deals, strict=True):
        assert 'aria-expanded="false"' in block
        detail = block.split('<tr class="detail"')[1]
        assert detail.split(">", 1)[0].endswith(" hidden")  # closed until clicked
        for message in d.top_signals:
            assert escape(message) in detail
        for s in d.signal_details:
            assert f"<code>{escape(s.code)}</code> {escape(s.message)}" in detail
        assert d.change is not None
        for item in d.change.items:
            assert escape(item.text) in detail


def test_value_sorts_by_currency_and_risk_starts_with_the_riskiest(
    compared: PortfolioReview,
) -> None:
    page = to_review_html(compared)
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert re.search(r'<th data-type="money"><button type="button">Value</button>', head)
    assert '<th data-type="number" data-first="descending"><button type="button">Risk' in head
    for block, d in zip(deal_blocks(page), compared.deals, strict=True):
        currency = "" if d.value is None else (d.currency or "none")
        assert f'data-currency="{currency}"' in block.split('<tr class="detail"')[0]
    # The note says how ties go without restating the ranking rule (the model owns it).
    assert "ties keep the review's rank (#)" in page


def test_the_page_is_the_same_bytes_and_keeps_its_guarantees(compared: PortfolioReview) -> None:
    page = to_review_html(compared)
    assert page == to_review_html(compared)
    assert page.count("<script") == 1 and "<script src" not in page
    assert "default-src 'none'" in page and "unsafe-inline" not in page
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    assert (
        "innerHTML" not in script and "eval(" not in script and "insertAdjacentHTML" not in script
    )


def test_hostile_names_in_changes_owner_and_actions_stay_text(tmp_path: Path) -> None:
    deal = generate_pipeline(1, people_per_deal=10, seed=4)[0]
    owner = deal["deal"]["owner"]
    for person in deal["people"]:
        person["name"] = f"{HOSTILE} {person['id']}"
    before, after = tmp_path / "a", tmp_path / "b"
    before.mkdir()
    after.mkdir()
    (before / "d.yaml").write_text(dump_deal(deal), encoding="utf-8")
    changed, _ = mutate_deal(deal, seed=3)
    (after / "d.yaml").write_text(dump_deal(changed), encoding="utf-8")
    result = review([after], workers=1, since=review([before], workers=1))
    row = result.deals[0]
    assert row.owner == owner and row.change is not None and row.change.items
    page = to_review_html(result)
    assert "<img" not in page and "</script><script>" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") > 5
    md = to_review_markdown(result)
    assert "<img" not in md


def test_each_map_links_back_to_the_review(tmp_path: Path) -> None:
    pytest.importorskip("influence.render.html")
    out = tmp_path / "week 1" / "pipeline review.html"
    out.parent.mkdir()
    result = review([EXAMPLES[0]], workers=1)
    written = write_review_html(result, out, workers=1)
    page = written[1].read_text(encoding="utf-8")
    link = re.search(r'<nav class="back"><a href="([^"]+)" rel="up">', page)
    assert link is not None and link.group(1) == "../pipeline%20review.html"
    from urllib.parse import unquote

    assert (written[1].parent / unquote(link.group(1))).resolve() == out.resolve()
    assert page.index('<nav class="back">') < page.index("<main")  # at the top
    assert page.count('<nav class="back">') == 1
    # The same bytes again, report and maps.
    again = tmp_path / "again" / "pipeline review.html"
    again.parent.mkdir()
    rewritten = write_review_html(result, again, workers=1)
    assert [p.read_bytes() for p in rewritten] == [p.read_bytes() for p in written]
    # Escaped whatever the review's name.
    assert with_back_link("<body>", '"><script>x</script>') == (
        '<body>\n<nav class="back"><a href="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" '
        'rel="up">\u2190 Pipeline review</a></nav>'
    )
