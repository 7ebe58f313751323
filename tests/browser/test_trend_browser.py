"""The map draws a cooling tie distinctly and its tooltip says the trend (a browser).

The deal is tests/data/warmth/cooling.yaml without Zhao Lei (so no introduction path
is highlighted over the ties): Li Wei - Zhang Min is cooling (0.903 -> 0.795, hand-
computed in tests/analysis/test_trends.py), Chen Jing - Liu Yang is not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from influence import read_deal, to_html
from influence.model import Deal
from influence.render.html import COOLING_STYLE
from tests.browser.conftest import Session

pytestmark = pytest.mark.browser

DEAL = Path(__file__).resolve().parents[1] / "data" / "warmth" / "cooling.yaml"

# How many pixels near the middle of each tie are the given colour (small tolerance).
MID_PIXELS = """([ids, rgb, tolerance]) => {
  const m = window.influenceMap;
  const canvas = document.querySelector('#map canvas');
  const ctx = canvas.getContext('2d');
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const out = {};
  for (const id of ids) {
    const e = m.data.edges.find(x => x.id === id);
    const pos = m.network.getPositions([e.from, e.to]);
    const mid = {x: (pos[e.from].x + pos[e.to].x) / 2, y: (pos[e.from].y + pos[e.to].y) / 2};
    const dom = m.network.canvasToDOM(mid);
    const r = Math.round(12 * ratio);
    const x0 = Math.round(dom.x * ratio), y0 = Math.round(dom.y * ratio);
    const {data} = ctx.getImageData(x0 - r, y0 - r, 2 * r + 1, 2 * r + 1);
    let hits = 0;
    for (let i = 0; i < data.length; i += 4) {
      const d = Math.hypot(data[i] - rgb[0], data[i + 1] - rgb[1], data[i + 2] - rgb[2]);
      if (data[i + 3] > 200 && d < tolerance) hits += 1;
    }
    out[id] = hits;
  }
  return out;
}"""


def _deal() -> Deal:
    deal = read_deal(DEAL)
    return deal.model_copy(
        update={
            "people": [p for p in deal.people if p.id != "zhao-lei"],
            "relationships": [r for r in deal.relationships if "zhao-lei" not in (r.from_, r.to)],
        }
    )


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def _ids(s: Session) -> tuple[str, str]:
    edges = s.js("() => window.influenceMap.data.edges")
    cooling = [e["id"] for e in edges if e["tie"].get("cooling")]
    steady = [e["id"] for e in edges if "trend" in e["tie"] and not e["tie"].get("cooling")]
    assert len(cooling) == 1 and len(steady) == 1
    return cooling[0], steady[0]


def test_a_cooling_tie_is_drawn_dashed_in_a_cool_colour(
    open_map: Callable[..., Session],
) -> None:
    s = open_map(to_html(_deal()))
    cooling, steady = _ids(s)
    drawn = s.js(
        "(ids) => ids.map(id => { const e = window.influenceMap.edges.get(id);"
        " return [e.dashes, e.color.color]; })",
        [cooling, steady],
    )
    assert drawn[0] == [COOLING_STYLE["dashes"], COOLING_STYLE["color"]]
    assert drawn[1] == [False, "#555555"]  # a plain knows tie: solid grey
    # On the canvas: the cool colour around the cooling tie's middle, none around the other.
    hits = s.js(MID_PIXELS, [[cooling, steady], _rgb(COOLING_STYLE["color"]), 40])
    assert hits[cooling] > 0
    assert hits[steady] == 0
    legend = s.page.text_content(".legend-cooling")
    assert legend is not None and "cooling tie: warmth fell by more than 10% in 30 days" in legend
    assert s.errors == [] and s.escaped == []


def test_the_tooltip_says_the_trend_and_last_touch(open_map: Callable[..., Session]) -> None:
    s = open_map(to_html(_deal()))
    cooling, _ = _ids(s)
    s.js("(id) => window.influenceMap.network.selectEdges([id])", cooling)
    point = s.js(
        """(id) => {
      const m = window.influenceMap;
      const e = m.data.edges.find(x => x.id === id);
      const pos = m.network.getPositions([e.from, e.to]);
      const mid = {x: (pos[e.from].x + pos[e.to].x) / 2, y: (pos[e.from].y + pos[e.to].y) / 2};
      const dom = m.network.canvasToDOM(mid);
      const box = document.querySelector('#map canvas').getBoundingClientRect();
      return [box.left + dom.x, box.top + dom.y, m.network.getEdgeAt(dom)];
    }""",
        cooling,
    )
    x, y, under = point
    assert under == cooling
    s.page.mouse.click(x, y)
    detail = s.page.text_content("#detail") or ""
    assert "trend: 0.80, was 0.90 on 2026-10-21: cooling" in detail
    assert "last touch: call on 2026-10-16" in detail
    assert s.errors == []
