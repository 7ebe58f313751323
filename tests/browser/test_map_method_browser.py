"""The map's "Key-account method" block in a real browser (issue 12, point 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from influence import Deal, analyze, to_html
from influence.render.html import LEFT_OPACITY
from tests.browser.conftest import Session
from tests.render.test_method_section import _deal as method_deal

pytestmark = pytest.mark.browser


def _deal() -> Deal:
    """The method deal, with a path to the chairman through the secretary, and one more."""
    data = method_deal().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["relationships"].append({"from": "sec", "to": "chair", "strength": 0.6})
    data["people"].append({"id": "eng", "name": "Sun Hao", "title": "Engineer"})
    return Deal.model_validate(data)


OPACITY = "(id) => window.influenceMap.network.body.nodes[id].options.opacity"


def test_the_block_is_visible_names_the_top_dm_and_selects_them(
    open_map: Callable[..., Session],
) -> None:
    deal = _deal()
    report = analyze(deal)
    assert report.top_decision_maker == "chair" and report.left == ["old"]
    s = open_map(to_html(deal, report), "method")
    block = s.page.locator("#method")
    block.scroll_into_view_if_needed()
    assert block.is_visible()
    text = block.text_content() or ""
    assert "Key-account method" in text
    assert f"Step {report.step}; temperature {report.temperature} degrees" in text
    assert "Top decision-maker: Huang Jianguo (Chairman)" in text
    assert "Left the company: Qian Bo" in text
    # Reach next still leads the panel.
    reach_top = s.js("() => document.querySelector('#reach').getBoundingClientRect().top")
    method_top = s.js("() => document.querySelector('#method').getBoundingClientRect().top")
    assert reach_top < method_top
    s.page.locator("#method button[data-person='chair']").click()
    assert s.js("() => window.influenceMap.network.getSelectedNodes()") == ["chair"]
    card = s.page.locator("#detail")
    assert card.is_visible() and "the top decision-maker" in (card.text_content() or "")
    # Someone who left is drawn faded, and stays faded after a path dims and undims the map.
    assert s.js(OPACITY, "old") == LEFT_OPACITY
    s.page.locator("#reach li[data-path]").first.click()
    on_path = s.js("() => window.influenceMap.network.getSelectedNodes()")
    off_path = [p.id for p in deal.people if p.id not in on_path and p.id != "old"]
    assert "old" not in on_path and off_path
    assert [s.js(OPACITY, x) for x in ["old", *off_path]] == [0.3] * (1 + len(off_path))
    s.page.keyboard.press("Escape")  # closes the card
    s.page.keyboard.press("Escape")  # clears the path
    assert s.js(OPACITY, "old") == LEFT_OPACITY
    assert {s.js(OPACITY, x) for x in off_path} == {1}
    assert s.errors == [] and s.escaped == [] and s.dialogs == []
