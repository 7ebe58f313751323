"""The map of a deal with touchpoints says where each tie's warmth comes from (a browser)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from influence import read_deal, to_html
from influence.model import Touchpoint
from tests.browser.conftest import Session
from tests.browser.test_map_browser import FREE_TIE
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def test_a_clicked_tie_shows_its_warmth_sentence(open_map: Callable[..., Session]) -> None:
    deal = read_deal(ROOT / "examples" / "enterprise-committee.yaml")
    visit = Touchpoint.model_validate(
        {"date": "2026-11-19", "kind": "visit", "people": ["li-wei", "daniel-wong"]}
    )
    deal = deal.model_copy(update={"touchpoints": [visit]})
    s = open_map(to_html(deal))
    found = s.js(FREE_TIE)
    assert found is not None
    edge_id, x, y = found
    s.page.mouse.click(x, y)
    detail = s.page.text_content("#detail")
    tie = s.js("(id) => window.influenceMap.data.edges.find(e => e.id === id).tie", edge_id)
    # Every tie of a deal with touchpoints carries its sentence, touched or not.
    assert tie["warmth"].startswith(f"{tie['strength']:.2f}: stated ")
    assert f"warmth: {tie['warmth']}" in detail
    touched = s.js(
        "() => window.influenceMap.data.edges.map(e => e.tie.warmth)"
        ".filter(w => w.includes('1 visit, the last 1 day ago'))"
    )
    assert len(touched) == 1
    assert s.errors == []
