"""The HTML map in a real browser: Debian's /usr/bin/chromium driven by Playwright.

No browser is downloaded. Every request that would leave the page is aborted
and counted; console errors (a Content-Security-Policy violation is one) and
uncaught exceptions are collected; dialogs are recorded and dismissed.

Locally these tests skip when chromium or Playwright is missing; in CI
(``CI`` set) they fail instead, so a broken set-up cannot pass unseen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from influence import Deal, read_deal, to_html
from influence.render.html import BIG_MAP
from tests.browser.conftest import SHOTS, Session
from tests.conftest import EXAMPLES, ROOT
from tests.render.test_html import HOSTILE, hostile_deal, page_data

pytestmark = pytest.mark.browser

# How much of the map's canvas is drawn, and in how many colours (sampled).
CANVAS_STATS = """() => {
  const canvas = document.querySelector('#map canvas');
  const ctx = canvas.getContext('2d');
  const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let inked = 0, total = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 7) {
    total += 1;
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 0 && (r < 240 || g < 240 || b < 240)) {
      inked += 1;
      colours.add((r >> 3) + ',' + (g >> 3) + ',' + (b >> 3));
    }
  }
  return {inked: inked / total, colours: colours.size, width: canvas.width};
}"""


def _screen_xy(s: Session, node_id: str) -> tuple[float, float]:
    return tuple(  # type: ignore[return-value]
        s.js(
            """(id) => {
              const net = window.influenceMap.network;
              const p = net.canvasToDOM(net.getPositions([id])[id]);
              const box = document.querySelector('#map canvas').getBoundingClientRect();
              return [box.left + p.x, box.top + p.y];
            }""",
            node_id,
        )
    )


def _tooltip(s: Session, expected: str) -> str:
    s.page.wait_for_function(
        """(want) => {
          const tip = document.querySelector('div.vis-tooltip');
          return tip && tip.style.visibility !== 'hidden' && tip.textContent.includes(want);
        }""",
        arg=expected,
        timeout=5_000,
    )
    text: str = s.js("() => document.querySelector('div.vis-tooltip').textContent")
    return text


# ----------------------------------------------------------------------------- every example


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_renders_offline(
    example: Path,
    open_map: Callable[..., Session],
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Made by the CLI twice in an empty folder: the same bytes, and nothing else written.
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    runs = []
    for _ in range(2):
        assert cli("map", example, "-o", "map.html").exit_code == 0
        runs.append((work / "map.html").read_bytes())
    first = runs[0]
    assert runs[1] == first
    assert os.listdir(work) == ["map.html"]

    deal = read_deal(example)
    s = open_map(work / "map.html")
    assert s.js("window.influenceMap.nodes.length") == len(deal.people)
    data = page_data(first.decode("utf-8"))
    assert s.js("window.influenceMap.edges.length") == len(data["edges"])
    stats = s.js(CANVAS_STATS)
    assert stats["inked"] > 0.005 and stats["colours"] >= 6, stats
    SHOTS.mkdir(exist_ok=True)
    shot = SHOTS / f"map-{example.stem}.png"
    png = s.page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes() == png and png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert s.escaped == []
    assert s.errors == []
    assert s.dialogs == []


@pytest.mark.parametrize("layout", ["force", "org"])
def test_layouts_and_redaction_render_without_errors(
    layout: str, open_map: Callable[..., Session]
) -> None:
    deal = read_deal(ROOT / "examples" / "enterprise-committee.yaml")
    s = open_map(to_html(deal, layout=layout, redact=True))  # type: ignore[arg-type]
    assert s.js("window.influenceMap.nodes.length") == len(deal.people)
    first = deal.people[0]
    x, y = _screen_xy(s, "p1")
    s.page.mouse.move(x, y, steps=3)
    initials = "".join(w[0].upper() for w in first.name.split())
    text = _tooltip(s, initials)
    assert first.name not in text and first.title and first.title not in text
    assert s.js(CANVAS_STATS)["inked"] > 0.005
    assert s.escaped == [] and s.errors == [] and s.dialogs == []


def test_big_map_draws_with_physics_off(open_map: Callable[..., Session]) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate_deal

    deal = Deal.model_validate(generate_deal(BIG_MAP + 100, seed=9, ties_per_person=4))
    s = open_map(to_html(deal))
    assert s.js("window.influenceMap.nodes.length") == len(deal.people)
    assert s.js("window.influenceMap.network.physics.options.enabled") is False
    assert s.js(CANVAS_STATS)["inked"] > 0.002
    # No hover styling (it would redraw every tie on every mouse move), yet tooltips work.
    assert s.js("window.influenceMap.data.options.interaction.hover") is False
    s.page.uncheck("input[data-view=focus]")  # a big map opens in focus: everyone now
    person = deal.people[len(deal.people) // 2]
    s.js("(id) => window.influenceMap.network.focus(id, {scale: 1.5})", person.id)
    x, y = _screen_xy(s, person.id)
    s.page.mouse.move(x, y, steps=3)
    assert person.name in _tooltip(s, person.name)
    assert s.escaped == [] and s.errors == []


# Every pixel of the map's canvas, kept in the page under the given name.
SNAPSHOT = """(name) => {
  const canvas = document.querySelector('#map canvas');
  window[name] = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
}"""
# The share of pixels where two snapshots differ by more than 64 in a channel.
DIFFERENT = """([a, b]) => {
  const x = window[a], y = window[b];
  let off = 0;
  for (let i = 0; i < x.length; i += 4) {
    if (Math.max(Math.abs(x[i] - y[i]), Math.abs(x[i + 1] - y[i + 1]),
                 Math.abs(x[i + 2] - y[i + 2]), Math.abs(x[i + 3] - y[i + 3])) > 64) off += 1;
  }
  return off / (x.length / 4);
}"""


VIEW = (
    "() => [window.influenceMap.network.getScale(), window.influenceMap.network.getViewPosition()]"
)
MOVE_TO = """([scale, position]) =>
  window.influenceMap.network.moveTo({scale, position, animation: false})"""
# The layer drawn ahead dropped: the view's ties drawn afresh, as without it.
AFRESH = "() => { window.influenceMap.bulk.drop(); window.influenceMap.network.redraw(); }"


def _next_draw(s: Session, script: str, arg: Any = None) -> None:
    """Runs ``script`` and waits for the map's next draw."""
    s.js(
        "() => { window.__drawn = false;"
        " window.influenceMap.network.once('afterDrawing', () => { window.__drawn = true; }); }"
    )
    s.js(script, arg)
    s.page.wait_for_function("() => window.__drawn === true", timeout=30_000)


def test_everyone_shown_copies_the_ties_drawn_ahead(open_map: Callable[..., Session]) -> None:
    """Focus off on a big map copies its ties drawn ahead while idle: the same picture."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate_deal

    deal = Deal.model_validate(generate_deal(BIG_MAP + 100, seed=9, ties_per_person=10))
    s = open_map(to_html(deal))
    s.page.wait_for_function("() => window.influenceMap.bulk.ready()", timeout=30_000)
    # Not used while some people are hidden (the focus): their ties are not all drawn.
    assert s.js("window.influenceMap.bulk.copied()") is False
    _next_draw(s, "() => document.querySelector('input[data-view=focus]').click()")
    assert s.js("window.influenceMap.nodes.get({filter: n => n.hidden}).length") == 0
    assert s.js("window.influenceMap.bulk.copied()") is True  # at the view that fits everyone
    ink = s.js(CANVAS_STATS)["inked"]
    _next_draw(s, AFRESH)
    assert s.js("window.influenceMap.bulk.copied()") is False
    assert abs(s.js(CANVAS_STATS)["inked"] - ink) < 0.1 * ink
    # At the view it was drawn ahead for: pixel for pixel what the ties drawn afresh make,
    # with a path selected too (its ties, left out of the layer, drawn over the copy).
    for select in [None, "() => window.influenceMap.selectPath(0, 0)"]:
        _next_draw(s, "() => document.querySelector('input[data-view=focus]').click()")
        s.page.wait_for_function("() => window.influenceMap.bulk.ready()", timeout=30_000)
        ahead = s.js(VIEW)  # the view (in focus) it was drawn ahead at
        _next_draw(s, "() => document.querySelector('input[data-view=focus]').click()")
        if select:
            _next_draw(s, select)
        _next_draw(s, MOVE_TO, ahead)
        assert s.js("window.influenceMap.bulk.copied()") is True
        s.js(SNAPSHOT, "__ahead")
        _next_draw(s, AFRESH)
        assert s.js("window.influenceMap.bulk.copied()") is False
        s.js(SNAPSHOT, "__afresh")
        assert s.js(CANVAS_STATS)["inked"] > 0.05  # ties drawn, not two empty canvases
        assert s.js(DIFFERENT, ["__ahead", "__afresh"]) < 0.002
        s.page.keyboard.press("Escape")
    assert s.escaped == [] and s.errors == []


# ----------------------------------------------------------------------------- hostile text


def test_hostile_text_never_runs_and_shows_literally(open_map: Callable[..., Session]) -> None:
    deal = hostile_deal()
    s = open_map(to_html(deal, layout="org"))
    page = s.page
    assert page.text_content("h1").startswith("Deal " + HOSTILE[0] + HOSTILE[7])
    header = page.text_content("header")
    assert HOSTILE[2] in header and HOSTILE[3] in header
    for person in deal.people:
        x, y = _screen_xy(s, person.id)
        page.mouse.move(x, y, steps=3)
        tip = _tooltip(s, person.name)
        assert person.title in tip and (person.notes or "") in tip
        page.mouse.click(x, y)
        detail = page.text_content("#detail")
        assert person.name in detail and (person.notes or "") in detail
        page.keyboard.press("Escape")  # the card, beside this person, may cover the next
        page.mouse.move(5, 5)
    # Ties: hover the middle of each straight tie; its tooltip holds its context literally.
    edges = s.js(
        """() => window.influenceMap.data.edges
             .filter(e => !e.smooth && e.tie.context)
             .map(e => [e.from, e.to, e.tie.context])"""
    )
    assert edges
    shown = 0
    for a, b, context in edges:
        (ax, ay), (bx, by) = _screen_xy(s, a), _screen_xy(s, b)
        page.mouse.move((ax + bx) / 2, (ay + by) / 2, steps=3)
        try:
            tip = _tooltip(s, context)
        except Exception:  # another tie crosses this point; the next one will show
            continue
        assert context in tip
        shown += 1
        page.mouse.move(5, 5)
    assert shown >= len(edges) // 2
    paths = page.text_content("aside")
    assert any(p.name in paths for p in deal.people)
    assert s.js("typeof window.__pwned") == "undefined"
    assert s.dialogs == []
    assert s.escaped == []
    assert s.errors == []


# ----------------------------------------------------------------------------- interaction


@pytest.fixture
def committee(open_map: Callable[..., Session]) -> tuple[Deal, Session]:
    deal = read_deal(ROOT / "examples" / "enterprise-committee.yaml")
    return deal, open_map(to_html(deal))


def test_search_finds_and_selects(committee: tuple[Deal, Session]) -> None:
    deal, s = committee
    person = deal.people[7]
    s.page.fill("#search", person.name.split()[-1].lower())
    s.page.press("#search", "Enter")
    selected = s.js("window.influenceMap.network.getSelectedNodes()")
    expected = [p.id for p in deal.people if person.name.split()[-1].lower() in p.name.lower()]
    assert sorted(selected) == sorted(expected) and person.id in selected
    assert s.page.text_content("#found").startswith(str(len(expected)))


def test_filters_hide_by_stance_and_side(committee: tuple[Deal, Session]) -> None:
    deal, s = committee
    s.page.uncheck("input[data-filter=stance][value=blocker]")
    s.page.uncheck("input[data-filter=side][value=partner]")
    hidden = s.js("window.influenceMap.nodes.get({filter: n => n.hidden}).map(n => n.id).sort()")
    expected = sorted(
        p.id
        for p in deal.people
        if p.side.value == "partner" or (p.side.value == "customer" and p.stance.value == "blocker")
    )
    assert hidden == expected and expected
    assert s.page.text_content("#shown").startswith(f"{len(deal.people) - len(expected)} of")
    s.page.check("input[data-filter=stance][value=blocker]")
    s.page.check("input[data-filter=side][value=partner]")
    assert s.js("window.influenceMap.nodes.get({filter: n => n.hidden}).length") == 0
    assert s.errors == []


def test_click_highlights_a_persons_ties(committee: tuple[Deal, Session]) -> None:
    deal, s = committee
    pid = deal.people[0].id
    x, y = _screen_xy(s, pid)
    s.page.mouse.click(x, y)
    selected = s.js("window.influenceMap.network.getSelectedEdges().sort()")
    ties = s.js(f"window.influenceMap.network.getConnectedEdges({pid!r}).sort()")
    assert selected == ties and ties
    assert f"{len(ties)} ties" in s.page.text_content("#detail")


FREE_TIE = """() => {
  // A tie whose midpoint shows only that tie (no person, no crossing tie there).
  const net = window.influenceMap.network;
  const box = document.querySelector('#map canvas').getBoundingClientRect();
  for (const e of window.influenceMap.data.edges) {
    if (e.smooth) continue;
    const pos = net.getPositions([e.from, e.to]);
    const mid = {x: (pos[e.from].x + pos[e.to].x) / 2, y: (pos[e.from].y + pos[e.to].y) / 2};
    const dom = net.canvasToDOM(mid);
    if (net.getNodeAt(dom) === undefined && net.getEdgeAt(dom) === e.id) {
      return [e.id, box.left + dom.x, box.top + dom.y];
    }
  }
  return null;
}"""


def test_click_a_tie_shows_it(committee: tuple[Deal, Session]) -> None:
    _, s = committee
    found = s.js(FREE_TIE)
    assert found is not None
    edge_id, x, y = found
    s.page.mouse.click(x, y)
    detail = s.page.text_content("#detail")
    tie = s.js("(id) => window.influenceMap.data.edges.find(e => e.id === id).tie", edge_id)
    assert detail.startswith("Tie") and f"strength: {tie['strength']:.2f}" in detail


def test_clicking_a_path_selects_it(committee: tuple[Deal, Session]) -> None:
    _, s = committee
    item = s.page.locator(".paths li[data-path]").first
    item.click()
    path = s.js("window.influenceMap.data.paths[0].paths[0]")
    assert sorted(s.js("window.influenceMap.network.getSelectedNodes()")) == sorted(path["people"])
    assert sorted(s.js("window.influenceMap.network.getSelectedEdges()")) == sorted(
        step["edge"] for step in path["steps"]
    )


def test_printable(committee: tuple[Deal, Session]) -> None:
    _, s = committee
    s.page.emulate_media(media="print")
    assert not s.page.is_visible(".controls")
    assert s.page.is_visible("#map canvas") and s.page.is_visible(".paths")
    pdf_free_height = s.js("document.querySelector('#map').getBoundingClientRect().height")
    assert pdf_free_height > 300
    # The header folds its signals into one line on screen; a printed page unfolds them.
    signals = "details.signals li"
    assert s.page.locator(signals).count() >= 2 and not s.page.is_visible(signals)
    s.js("() => window.dispatchEvent(new Event('beforeprint'))")
    assert s.page.locator(signals).first.is_visible()
    s.js("() => window.dispatchEvent(new Event('afterprint'))")
    assert not s.page.is_visible(signals)
    s.page.emulate_media(media="screen")
    s.page.click("details.signals summary")  # and a click unfolds them on screen
    assert s.page.locator(signals).first.is_visible()
    s.page.click("details.signals summary")
