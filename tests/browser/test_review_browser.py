"""The review page in a real browser (Debian's /usr/bin/chromium, driven by Playwright).

A generated pipeline of 50 deals plus the examples, compared with the week
before (see ``tests/render/test_review_html.py``): sorting by a click, compact
rows, a page that fits 1,280 px with ``--since``, the detail on demand, and
each deal map's link back to the review. No request may leave the page and no
console error (a Content-Security-Policy violation is one) may happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from influence.analysis.portfolio import PortfolioReview, changed_deals
from influence.batch.maps import write_review_html
from influence.batch.review import review
from tests.browser.conftest import SHOTS
from tests.conftest import EXAMPLES
from tests.render.test_review_html import write_weeks

pytestmark = pytest.mark.browser

#: The tallest a closed row may be, in CSS pixels (two lines of text; it was ~250).
ROW_HEIGHT = 60
WIDTH = 1280


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[PortfolioReview, Path]:
    root = tmp_path_factory.mktemp("review-browser")
    week1, week2 = write_weeks(root, n_deals=50)
    result = review([week2], workers=1, since=review([week1], workers=1))
    out = root / "review.html"
    write_review_html(result, out, maps=False)
    return result, out


@dataclass
class Page:
    page: Any
    escaped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Page]]:
    contexts: list[Any] = []

    def _open(path: Path, folder: Path | None = None, width: int = WIDTH) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        session = Page(page)
        allowed = (folder or path.parent).resolve().as_uri() + "/"

        def route(r: Any) -> None:
            if r.request.url.split("#")[0].startswith(allowed):
                r.continue_()
            else:
                session.escaped.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: session.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: session.errors.append(f"pageerror: {e}"))
        page.goto(path.resolve().as_uri())
        return session

    yield _open
    for context in contexts:
        context.close()


ROWS = """() => Array.from(document.querySelectorAll('#deals tbody.deal')).map(b => {
  const r = b.rows[0];
  const cells = r.cells;
  const risk = cells[6].getAttribute('data-sort');
  const value = cells[3];
  return {rank: +b.dataset.rank, score: +risk, value: value.getAttribute('data-sort'),
          currency: value.getAttribute('data-currency'),
          height: r.getBoundingClientRect().height,
          detail: b.rows[1].getBoundingClientRect().height,
          detailHidden: b.rows[1].hidden};
})"""


def test_first_click_on_risk_sorts_the_riskiest_first(
    pipeline: tuple[PortfolioReview, Path], open_page: Callable[..., Page]
) -> None:
    result, out = pipeline
    s = open_page(out)
    before = s.js(ROWS)
    assert [r["rank"] for r in before] == list(range(1, len(result.deals) + 1))
    s.page.click("#deals thead th:nth-child(7) button")
    assert s.js("() => document.querySelector('#deals thead th:nth-child(7)').ariaSort") == (
        "descending"
    )
    rows = s.js(ROWS)
    keys = [(-r["score"], r["rank"]) for r in rows]
    assert keys == sorted(keys)  # riskiest first; ties in the review's rank
    assert rows[0]["score"] == max(r["score"] for r in rows)
    s.page.click("#deals thead th:nth-child(7) button")
    rows = s.js(ROWS)
    keys = [(r["score"], r["rank"]) for r in rows]
    assert keys == sorted(keys)
    assert s.escaped == [] and s.errors == []


def test_value_sorts_by_currency_then_amount(
    pipeline: tuple[PortfolioReview, Path], open_page: Callable[..., Page]
) -> None:
    result, out = pipeline
    currencies = {d.currency for d in result.deals if d.value is not None}
    assert len(currencies) >= 3  # USD, EUR and CNY: a mix that must not interleave
    s = open_page(out)
    for direction in ("ascending", "descending"):
        s.page.click("#deals thead th:nth-child(4) button")
        rows = s.js(ROWS)
        valued = [r for r in rows if r["currency"]]
        groups = [r["currency"] for r in valued]
        order = list(dict.fromkeys(groups))
        assert order == sorted(order)  # each currency once, in one block, alphabetical
        assert all(not r["currency"] for r in rows[len(valued) :])  # no value: last
        for currency in order:
            amounts = [float(r["value"]) for r in valued if r["currency"] == currency]
            assert amounts == sorted(amounts, reverse=direction == "descending")
    assert s.escaped == [] and s.errors == []


def test_rows_are_compact_and_the_page_fits_1280_px_with_since(
    pipeline: tuple[PortfolioReview, Path], open_page: Callable[..., Page]
) -> None:
    result, out = pipeline
    assert result.changes is not None
    s = open_page(out)
    width = s.js("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, width
    table = s.js(
        "() => { const w = document.querySelector('.table-wrap');"
        " return [w.scrollWidth, w.clientWidth]; }"
    )
    assert table[0] <= table[1], table  # the table does not scroll sideways either
    rows = s.js(ROWS)
    assert len(rows) == len(result.deals) == 50 + len(EXAMPLES)
    assert max(r["height"] for r in rows) <= ROW_HEIGHT, sorted(r["height"] for r in rows)[-3:]
    assert all(r["detailHidden"] and r["detail"] == 0 for r in rows)
    SHOTS.mkdir(exist_ok=True)
    s.page.screenshot(path=str(SHOTS / "review-since-1280.png"), full_page=False)
    assert s.escaped == [] and s.errors == []


def test_the_detail_opens_on_a_click_and_moves_with_its_row(
    pipeline: tuple[PortfolioReview, Path], open_page: Callable[..., Page]
) -> None:
    result, out = pipeline
    s = open_page(out)
    first = result.deals[0]
    toggle = "#deal-1 button.open"
    detail = "#detail-1"
    assert not s.page.is_visible(detail)
    s.page.click(toggle)
    assert s.page.is_visible(detail)
    assert s.page.get_attribute(toggle, "aria-expanded") == "true"
    text = s.page.inner_text(detail)
    assert first.top_signals[0] in text
    assert all(s.message in text for s in first.signal_details)
    # Sorted by risk ascending (twice), the open detail still follows its own row.
    s.page.click("#deals thead th:nth-child(7) button")
    s.page.click("#deals thead th:nth-child(7) button")
    follows = s.js(
        "() => { const d = document.getElementById('detail-1');"
        " return d.previousElementSibling === document.querySelector('#deal-1 tr.row'); }"
    )
    assert follows
    s.page.click(toggle)
    assert not s.page.is_visible(detail)
    # A deal named under "Changed since" opens on its link, in view.
    worst = changed_deals(result)[0]
    rank = next(n for n, d in enumerate(result.deals, start=1) if d is worst)
    s.page.click(f'#changed a[href="#deal-{rank}"]')
    assert s.page.is_visible(f"#detail-{rank}")
    # Closed again, it reopens on the same link, though the hash no longer changes.
    s.page.click(f"#deal-{rank} button.open")
    assert not s.page.is_visible(f"#detail-{rank}")
    s.page.click(f'#changed a[href="#deal-{rank}"]')
    assert s.page.is_visible(f"#detail-{rank}")
    box = s.js(
        "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
        " const h = document.querySelector('#deals thead th').getBoundingClientRect();"
        " return [h.bottom, r.top, window.innerHeight]; }",
        f"deal-{rank}",
    )
    assert 0 <= box[0] <= box[1] < box[2]  # below the sticky heading, in the viewport
    SHOTS.mkdir(exist_ok=True)
    s.page.screenshot(path=str(SHOTS / "review-detail.png"), full_page=False)
    assert s.escaped == [] and s.errors == []


def test_each_deal_map_links_back_to_the_review(
    tmp_path: Path, open_page: Callable[..., Page]
) -> None:
    out = tmp_path / "review.html"
    written = write_review_html(review(EXAMPLES, workers=1), out, workers=1)
    assert len(written) == 1 + len(EXAMPLES)
    s = open_page(written[1], folder=tmp_path)
    link = s.page.locator("nav.back a")
    assert link.count() == 1 and link.is_visible()
    box = link.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900  # above the fold
    link.click()
    s.page.wait_for_url(out.resolve().as_uri())
    assert s.page.locator("#deals tbody.deal").count() == len(EXAMPLES)
    assert s.escaped == [] and s.errors == []
