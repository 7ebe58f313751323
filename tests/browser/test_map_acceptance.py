"""The map leads with who we must reach (issue 11): acceptance in a real browser.

Run on the bundled examples and on generated deals of 60, 300 and 2,000 people
(``benchmarks/generate.py``). Screenshots go to ``build/`` (gitignored).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from influence import Deal, analyze, read_deal, to_html
from influence.render.html import NOT_REACHED_COLOUR, PATH_COLOUR, SELLER_COLOUR, STANCE_COLOURS
from tests.browser.conftest import SHOTS, Session
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.browser

#: name -> how to make the deal; the generated ones are seeded.
SIZES = {"gen60": 60, "gen300": 300, "gen2000": 2000}
DEALS = [p.stem for p in EXAMPLES] + list(SIZES)
#: How close (RGB distance) a pixel must be to a colour to count as that colour.
TOLERANCE = 30


@cache
def make_deal(name: str) -> Deal:
    if name in SIZES:
        sys.path.insert(0, str(ROOT))
        from benchmarks.generate import generate_deal

        return Deal.model_validate(generate_deal(SIZES[name], seed=1))
    return read_deal(ROOT / "examples" / f"{name}.yaml")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


# Pixels of the map's canvas in a ring round each of the given people, at the
# current view: how many are the given colour (within a small tolerance), and
# whether the person is inside the canvas.
RING_PIXELS = """([ids, rgb, tolerance]) => {
  const net = window.influenceMap.network;
  const canvas = document.querySelector('#map canvas');
  const ctx = canvas.getContext('2d');
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const out = {};
  for (const id of ids) {
    const dom = net.canvasToDOM(net.getPositions([id])[id]);
    const x0 = Math.round(dom.x * ratio), y0 = Math.round(dom.y * ratio);
    const inside = x0 >= 0 && y0 >= 0 && x0 < canvas.width && y0 < canvas.height;
    let hits = 0;
    if (inside) {
      const r = Math.round(40 * ratio);
      const {data} = ctx.getImageData(x0 - r, y0 - r, 2 * r + 1, 2 * r + 1);
      for (let i = 0; i < data.length; i += 4) {
        const d = Math.hypot(data[i] - rgb[0], data[i + 1] - rgb[1], data[i + 2] - rgb[2]);
        if (data[i + 3] > 200 && d < tolerance) hits += 1;
      }
    }
    out[id] = {inside, hits};
  }
  return out;
}"""


def _open_deal(open_map: Callable[..., Session], name: str, **kwargs: Any) -> Session:
    return open_map(to_html(make_deal(name)), name=name, **kwargs)


def _params() -> list[Any]:
    return [
        pytest.param(n, marks=pytest.mark.slow) if n == "gen2000" else pytest.param(n)
        for n in DEALS
    ]


# ----------------------------------------------------------------------------- the loudest mark


def test_not_reached_colour_is_distinct() -> None:
    mine = _rgb(NOT_REACHED_COLOUR)
    for other in [*STANCE_COLOURS.values(), SELLER_COLOUR, PATH_COLOUR, "#000000", "#FFFFFF"]:
        assert _distance(mine, _rgb(other)) > 2 * TOLERANCE, other


@pytest.mark.parametrize("name", _params())
def test_every_unreached_decision_maker_is_marked_at_the_default_zoom(
    name: str, open_map: Callable[..., Session]
) -> None:
    deal = make_deal(name)
    report = analyze(deal)
    unreached = [d for d in report.decision_makers if report.coverage.people[d] == "uncovered"]
    s = _open_deal(open_map, name)
    assert s.js("window.influenceMap.data.unreached") == unreached
    SHOTS.mkdir(exist_ok=True)
    s.page.screenshot(path=str(SHOTS / f"reach-{name}.png"))
    # The legend's mark is drawn in the same colour.
    legend = s.js(
        "() => [...document.querySelectorAll('.legend-unreached circle[stroke]')]"
        ".map(c => c.getAttribute('stroke'))"
    )
    assert legend == [NOT_REACHED_COLOUR]
    pixels = s.js(RING_PIXELS, [unreached, list(_rgb(NOT_REACHED_COLOUR)), TOLERANCE])
    for pid in unreached:
        assert pixels[pid]["inside"], pid
        assert pixels[pid]["hits"] >= 40, (pid, pixels[pid])
    # Distinct: a decision-maker we do reach has no such mark.
    reached = [d for d in report.decision_makers if report.coverage.people[d] == "covered"]
    if reached:
        others = s.js(RING_PIXELS, [reached, list(_rgb(NOT_REACHED_COLOUR)), TOLERANCE])
        for pid in reached:
            near = [u for u in unreached if _near(s, pid, u)]
            if not near:
                assert others[pid]["hits"] < 10, (pid, others[pid])
    assert s.escaped == [] and s.errors == []


def _near(s: Session, a: str, b: str) -> bool:
    distance: float = s.js(
        """([a, b]) => {
          const net = window.influenceMap.network;
          const p = net.getPositions([a, b]);
          const pa = net.canvasToDOM(p[a]), pb = net.canvasToDOM(p[b]);
          return Math.hypot(pa.x - pb.x, pa.y - pb.y);
        }""",
        [a, b],
    )
    return distance < 90
