"""The served map page edits the deal: one uvicorn server for the module, chromium.

After each edit the file on disk validates, differs from the old one only in the
lines the edit is about, and the page shows the risk ``influence analyze`` gives.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARGS, CHROMIUM, _need_browser
from tests.conftest import ROOT

TOKEN = "editor-test-token-0123456789"
EDITOR = "() => document.documentElement.getAttribute('data-editor') === '1'"


@contextlib.contextmanager
def _serve(folder: Path, *, read_only: bool = False) -> Iterator[tuple[str, Path]]:
    pytest.importorskip("uvicorn")
    import uvicorn

    from influence.serve import create_app

    shutil.copy(ROOT / "examples" / "saas-small.yaml", folder / "saas-small.yaml")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(folder, token=TOKEN, read_only=read_only),
            host="127.0.0.1",
            port=port,
            log_level="error",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", folder
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with _serve(tmp_path_factory.mktemp("deals")) as where:
        yield where


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(chromium: Any, base: str) -> tuple[Any, list[str]]:
    escaped: list[str] = []
    page = chromium.new_context().new_page()

    def route(r: Any) -> None:
        if r.request.url.startswith(base + "/"):
            r.continue_()
        else:
            escaped.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{base}/deals/saas-small.yaml?token={TOKEN}")
    page.wait_for_function(EDITOR, timeout=60_000)
    return page, escaped


def _analyze(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "influence", "analyze", "--json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


def _changed(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _version_changes(page: Any, old: str) -> None:
    page.wait_for_function(
        "(old) => { const v = document.documentElement.getAttribute('data-version');"
        " return v && v !== old && document.documentElement.getAttribute('data-editor') === '1'; }",
        arg=old,
        timeout=30_000,
    )


def _version(page: Any) -> str:
    return str(page.evaluate("() => document.documentElement.getAttribute('data-version')"))


def test_set_stance_hostile_notes_and_undo(chromium: Any, served: tuple[str, Path]) -> None:
    base, folder = served
    path = folder / "saas-small.yaml"
    page, escaped = _open(chromium, base)
    person = page.eval_on_selector("#editor-person", "s => s.value")
    before = path.read_text(encoding="utf-8")

    old = _version(page)
    page.click('button[data-stance="blocker"]')
    _version_changes(page, old)
    after = path.read_text(encoding="utf-8")
    changed = _changed(before, after)
    assert changed and all("stance" in line for line in changed), changed
    report = _analyze(path)
    assert report["risk"]["score"] is not None
    assert json.dumps(report["risk"]["score"]) in page.content() or str(
        report["risk"]["score"]
    ) in page.inner_text("body")

    hostile = "</script><img src=x onerror=alert(1)> & \"'"
    old = _version(page)
    page.select_option("#editor-person", person)
    page.fill('#editor-set input[name="field"]', "notes")
    page.fill('#editor-set input[name="value"]', hostile)
    page.click('#editor-set button[type="submit"]')
    _version_changes(page, old)
    third = path.read_text(encoding="utf-8")
    notes_diff = _changed(after, third)
    # one hunk: the old notes (a folded block, its lines) out, the new notes line in
    added = [line for line in notes_diff if line.startswith("+")]
    assert len(added) == 1 and added[0].lstrip("+ ").startswith("notes:"), notes_diff
    assert notes_diff[0].lstrip("- ").startswith("notes:"), notes_diff
    assert json.loads(json.dumps(_analyze(path)["risk"]))  # the file still validates
    assert page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0

    old = _version(page)
    page.click("#editor-undo")
    _version_changes(page, old)
    assert "onerror" not in path.read_text(encoding="utf-8")
    assert escaped == []


def test_invalid_input_refused_beside_the_field(chromium: Any, served: tuple[str, Path]) -> None:
    base, folder = served
    path = folder / "saas-small.yaml"
    before = path.read_bytes()
    page, _ = _open(chromium, base)
    page.fill('#editor-set input[name="field"]', "stance")
    page.fill('#editor-set input[name="value"]', "alley")
    page.click('#editor-set button[type="submit"]')
    page.wait_for_function(
        "() => document.querySelector('#editor-set output').textContent.includes('stance')",
        timeout=30_000,
    )
    assert path.read_bytes() == before


def test_stale_version_is_refused_and_file_change_appears(
    chromium: Any, served: tuple[str, Path]
) -> None:
    base, folder = served
    path = folder / "saas-small.yaml"
    first, _ = _open(chromium, base)
    second, _ = _open(chromium, base)
    old = _version(first)
    first.click('button[data-stance="ally"]')
    _version_changes(first, old)
    kept = path.read_bytes()
    # the second page still holds the old version: stop its poll from reloading first
    second.evaluate("() => { window.location.reload = () => {}; }")
    second.fill('#editor-set input[name="field"]', "title")
    second.fill('#editor-set input[name="value"]', "Chief")
    second.click('#editor-set button[type="submit"]')
    second.wait_for_function(
        "() => document.querySelector('#editor-set output').getAttribute('data-error')"
        " === 'stale-version'",
        timeout=30_000,
    )
    assert path.read_bytes() == kept
    # a text editor changes the file: the page reloads the new version
    old = _version(first)
    path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    _version_changes(first, old)


# ----------------------------------------------------------------------- drag on the map


def _page_shows_the_analysis(page: Any, path: Path) -> None:
    """The page's risk and its signals (severity, code, how many) are `analyze --json`'s."""
    from influence.analysis.models import SEVERITY_ORDER

    report = _analyze(path)
    risk = report["risk"]
    assert page.inner_text("header .risk") == f"risk {risk['grade'].upper()} {risk['score']}/100"
    shown = page.evaluate(
        "() => [...document.querySelectorAll('header details.signals li:not(.muted)')]"
        ".map(li => [li.querySelector('.sev').textContent, li.querySelector('code').textContent])"
    )
    ranked = sorted(report["signals"], key=lambda s: SEVERITY_ORDER.get(s["severity"], 9))
    assert shown == [[s["severity"], s["code"]] for s in ranked[:5]]
    if ranked:
        total = page.inner_text("header details.signals summary b")
        assert total.startswith(f"{len(ranked)} risk signal"), total
    else:
        assert "No risk signals." in page.inner_text("header")


def _person_xy(page: Any, pid: str) -> tuple[float, float]:
    """Where person ``pid`` is on the screen; the point must be the map's, not the panel's."""
    x, y, on_map = page.evaluate(
        """(id) => { const net = window.influenceMap.network;
          const p = net.canvasToDOM(net.getPositions([id])[id]);
          const box = document.querySelector('#map canvas').getBoundingClientRect();
          const x = box.left + p.x, y = box.top + p.y;
          return [x, y, document.elementFromPoint(x, y).tagName === 'CANVAS']; }""",
        pid,
    )
    assert on_map, (pid, x, y)
    return float(x), float(y)


def _drag(page: Any, a: str, b: str) -> None:
    ax, ay = _person_xy(page, a)
    bx, by = _person_xy(page, b)
    page.mouse.move(ax, ay)
    page.mouse.down()
    page.mouse.move(bx, by, steps=12)
    page.mouse.up()


def _empty_xy(page: Any) -> tuple[float, float]:
    """A point of the map with nobody under it, clear of the editor panel."""
    x, y = page.evaluate(
        """() => { const net = window.influenceMap.network;
          const box = document.querySelector('#map canvas').getBoundingClientRect();
          for (let gy = 30; gy < box.height - 30; gy += 20) {
            for (let gx = 30; gx < box.width - 30; gx += 20) {
              const x = box.left + gx, y = box.top + gy, el = document.elementFromPoint(x, y);
              const pt = net.DOMtoCanvas({x: gx, y: gy});
              const near = net.body.nodeIndices.some((id) => {
                const b = net.getBoundingBox(id);
                return pt.x > b.left - 30 && pt.x < b.right + 30 && pt.y > b.top - 30
                  && pt.y < b.bottom + 30; });
              if (el && el.tagName === 'CANVAS' && !near) return [x, y];
            }
          }
          return [null, null]; }"""
    )
    assert x is not None, "no empty spot on the map"
    return float(x), float(y)


def _still(page: Any) -> None:
    """Wait until nobody moves (a drag restarts the layout's physics for a while)."""
    still = page.evaluate(
        """() => new Promise((done) => {
          const net = window.influenceMap.network;
          let last = JSON.stringify(net.getPositions()), same = 0, ticks = 0;
          const tick = () => {
            const now = JSON.stringify(net.getPositions());
            same = now === last ? same + 1 : 0;
            last = now;
            if (same >= 5) done(true); else if (++ticks > 600) done(false);
            else setTimeout(tick, 50);
          };
          tick(); })"""
    )
    assert still, "the map kept moving"


def _canvas_at(page: Any, x: float, y: float) -> dict[str, float]:
    """The map's point under the screen point (x, y)."""
    at: dict[str, float] = page.evaluate(
        """([x, y]) => { const box = document.querySelector('#map canvas').getBoundingClientRect();
          return window.influenceMap.network.DOMtoCanvas({x: x - box.left, y: y - box.top}); }""",
        [x, y],
    )
    return at


def _distance(a: dict[str, float], b: dict[str, float]) -> float:
    return float(((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5)


def _near(a: dict[str, float], b: dict[str, float], within: float) -> bool:
    return _distance(a, b) < within


def _where(page: Any, pid: str) -> dict[str, float]:
    at: dict[str, float] = page.evaluate(
        "(id) => window.influenceMap.network.getPositions([id])[id]", pid
    )
    return at


def _ready(page: Any) -> None:
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-settled') === '1'", timeout=60_000
    )
    _still(page)
    # every person in the left part of the map, clear of the editor panel
    page.evaluate("() => window.influenceMap.network.fit({animation: false})")
    box = page.evaluate("() => document.querySelector('#editor').getBoundingClientRect().left")
    page.evaluate(
        """(left) => { const net = window.influenceMap.network;
          const w = document.querySelector('#map canvas').getBoundingClientRect();
          const scale = net.getScale() * Math.min(1, (left - w.left - 40) / w.width);
          net.moveTo({scale: scale, animation: false});
          const c = net.DOMtoCanvas({x: (left - w.left) / 2, y: w.height / 2});
          const now = net.getViewPosition();
          const mid = net.DOMtoCanvas({x: w.width / 2, y: w.height / 2});
          net.moveTo({position: {x: now.x - (c.x - mid.x), y: now.y - (c.y - mid.y)},
                      scale: scale, animation: false}); }""",
        box,
    )


def test_drag_a_tie_a_manager_and_undo_them(chromium: Any, served: tuple[str, Path]) -> None:
    base, folder = served
    path = folder / "saas-small.yaml"
    page, escaped = _open(chromium, base)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _ready(page)
    before = path.read_text(encoding="utf-8")

    # Without a mode a drag is the map's own: the person moves, nothing is written.
    start = _where(page, "tom-becker")
    ex, ey = _empty_xy(page)
    tx, ty = _person_xy(page, "tom-becker")
    page.mouse.move(tx, ty)
    page.mouse.down()
    page.mouse.move(ex, ey, steps=12)
    away = _where(page, "tom-becker")  # read before the release: the layout then moves on
    page.mouse.up()
    assert _distance(away, start) > 0.5 * _distance(_canvas_at(page, ex, ey), start)
    page.wait_for_timeout(300)
    assert path.read_text(encoding="utf-8") == before
    _ready(page)
    start, greg = _where(page, "tom-becker"), _where(page, "greg-hall")
    far = _distance(start, greg)

    # Add tie (keyboard T): press on Tom, release on Greg; the tie form opens for them.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("t")
    assert page.get_attribute("#editor-mode-tie", "aria-pressed") == "true"
    _drag(page, "tom-becker", "greg-hall")
    page.wait_for_function(
        "() => document.querySelector('#editor-tie input[name=to]').value === 'greg-hall'"
    )
    assert page.eval_on_selector("#editor-person", "s => s.value") == "tom-becker"
    # the dragged person went back where they were (the layout may nudge them a little)
    assert _near(_where(page, "tom-becker"), start, far / 4)
    assert page.evaluate("() => document.activeElement.name") == "kind"
    page.keyboard.press("Escape")  # leaves the mode; the form keeps what the drag filled in
    assert page.get_attribute("#editor-mode-tie", "aria-pressed") == "false"
    page.fill('#editor-tie input[name="kind"]', "knows")
    page.fill('#editor-tie input[name="strength"]', "0.4")
    page.fill('#editor-tie input[name="context"]', "warehouse rota")
    page.fill('#editor-tie input[name="last_contact"]', "2026-11-01")
    old = _version(page)
    page.click('#editor-tie button[type="submit"]')
    _version_changes(page, old)
    tied = path.read_text(encoding="utf-8")
    changed = _changed(before, tied)
    assert all(line.startswith("+") for line in changed), changed
    pairs = sorted(tuple(line[1:].strip(" -").split(": ", 1)) for line in changed)
    assert pairs == [
        ("context", "warehouse rota"),
        ("from", "tom-becker"),
        ("kind", "knows"),
        ("last_contact", "2026-11-01"),
        ("strength", "0.4"),
        ("to", "greg-hall"),
    ], changed
    _page_shows_the_analysis(page, path)

    # Set manager (its button): drop Tom onto Priya; his reports_to line changes, only it.
    _ready(page)
    page.click("#editor-mode-manager")
    assert page.get_attribute("#editor-mode-manager", "aria-pressed") == "true"
    # In a mode the background still pans, and a drop beside everyone writes nothing.
    ex, ey = _empty_xy(page)
    view = page.evaluate("() => window.influenceMap.network.getViewPosition()")
    page.mouse.move(ex, ey)
    page.mouse.down()
    page.mouse.move(ex + 60, ey + 40, steps=8)
    page.mouse.up()
    assert page.evaluate("() => window.influenceMap.network.getViewPosition()") != view
    _ready(page)
    ex, ey = _empty_xy(page)
    tx, ty = _person_xy(page, "tom-becker")
    at = _where(page, "tom-becker")
    away = _canvas_at(page, ex, ey)
    page.mouse.move(tx, ty)
    page.mouse.down()
    page.mouse.move(ex, ey, steps=12)
    page.mouse.up()
    assert "Drop onto another person" in page.inner_text("#editor-drag")
    assert _near(_where(page, "tom-becker"), at, _distance(at, away) / 4)
    page.wait_for_timeout(300)
    assert path.read_text(encoding="utf-8") == tied
    _ready(page)
    old = _version(page)
    _drag(page, "tom-becker", "priya-shah")
    _version_changes(page, old)
    managed = path.read_text(encoding="utf-8")
    assert _changed(tied, managed) == [
        "-    reports_to: maria-lopez",
        "+    reports_to: priya-shah",
    ]
    _page_shows_the_analysis(page, path)

    # Undo: the manager first, then the tie (an add: undone by removing it).
    old = _version(page)
    page.click("#editor-undo")
    _version_changes(page, old)
    assert path.read_text(encoding="utf-8") == tied
    _page_shows_the_analysis(page, path)
    old = _version(page)
    page.click("#editor-undo")
    _version_changes(page, old)
    assert path.read_text(encoding="utf-8") == before
    _page_shows_the_analysis(page, path)
    assert escaped == [] and errors == []


def test_undo_removes_an_added_person(chromium: Any, served: tuple[str, Path]) -> None:
    base, folder = served
    path = folder / "saas-small.yaml"
    page, _ = _open(chromium, base)
    before = path.read_text(encoding="utf-8")
    page.fill('#editor-add input[name="name"]', "Quinn Example")
    page.fill('#editor-add input[name="title"]', "CFO")
    old = _version(page)
    page.click('#editor-add button[type="submit"]')
    _version_changes(page, old)
    added = _changed(before, path.read_text(encoding="utf-8"))
    assert added and all(line.startswith("+") for line in added), added
    assert any("Quinn Example" in line for line in added)
    _page_shows_the_analysis(page, path)
    old = _version(page)
    page.click("#editor-undo")
    _version_changes(page, old)
    assert path.read_text(encoding="utf-8") == before
    _page_shows_the_analysis(page, path)


def test_read_only_has_no_drag_modes(
    chromium: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with _serve(tmp_path_factory.mktemp("read-only"), read_only=True) as (base, folder):
        path = folder / "saas-small.yaml"
        before = path.read_bytes()
        page, escaped = _open(chromium, base)
        _ready(page)
        assert page.is_disabled("#editor-mode-tie") and page.is_disabled("#editor-mode-manager")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("m")
        assert page.get_attribute("#editor-mode-manager", "aria-pressed") == "false"
        _drag(page, "tom-becker", "priya-shah")
        page.wait_for_timeout(300)
        assert path.read_bytes() == before and escaped == []
