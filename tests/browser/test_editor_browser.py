"""The served map page edits the deal: one uvicorn server for the module, chromium.

After each edit the file on disk validates, differs from the old one only in the
lines the edit is about (difflib), and the page shows the risk and signals that
``influence analyze --json`` gives for the file. Each test starts from the example
file as shipped.
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
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from influence.model import INFLUENCE_WORDS
from tests.browser.conftest import ARGS, CHROMIUM, _need_browser
from tests.conftest import ROOT

TOKEN = "editor-test-token-0123456789"
EDITOR = "() => document.documentElement.getAttribute('data-editor') === '1'"
EXAMPLE = ROOT / "examples" / "saas-small.yaml"
# Hostile notes: markup that would run if set as HTML, the end of a script element,
# and control characters (bell, escape, delete, a line separator).
HOSTILE = (
    "</script><img src=x onerror=alert(1)><script>alert(2)</script> & \"'\x07\x1b[31m\x7f\u2028end"
)


@contextlib.contextmanager
def _serve(folder: Path, *, read_only: bool = False) -> Iterator[tuple[str, Path]]:
    pytest.importorskip("uvicorn")
    import uvicorn

    from influence.serve import create_app

    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
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


@dataclass
class Tab:
    """One browser session on the map page, and what it did that it must not."""

    page: Any
    escaped: list[str] = field(default_factory=list)  # requests that left the server
    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # confirmations and alerts
    accept: bool = True  # the answer to a confirmation


@pytest.fixture
def path(served: tuple[str, Path]) -> Path:
    """The served deal file, as shipped again."""
    target = served[1] / EXAMPLE.name
    shutil.copy(EXAMPLE, target)
    return target


@pytest.fixture
def open_tab(chromium: Any, served: tuple[str, Path]) -> Iterator[Callable[..., Tab]]:
    contexts: list[Any] = []

    def _open(base: str | None = None) -> Tab:
        base = base or served[0]
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        tab = Tab(context.new_page())

        def route(r: Any) -> None:
            if r.request.url.startswith(base + "/"):
                r.continue_()
            else:
                tab.escaped.append(r.request.url)
                r.abort()

        def dialog(d: Any) -> None:
            tab.dialogs.append(f"{d.type}: {d.message}")
            d.accept() if tab.accept else d.dismiss()

        tab.page.route("**/*", route)
        tab.page.on("dialog", dialog)
        tab.page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        tab.page.on("pageerror", lambda e: tab.errors.append(f"pageerror: {e}"))
        tab.page.goto(f"{base}/deals/{EXAMPLE.name}?token={TOKEN}")
        tab.page.wait_for_function(EDITOR, timeout=60_000)
        return tab

    yield _open
    for context in contexts:
        context.close()


def _open(chromium: Any, base: str) -> tuple[Any, list[str]]:
    """A page on its own context (the tests of the drag modes and read-only)."""
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
    page.goto(f"{base}/deals/{EXAMPLE.name}?token={TOKEN}")
    page.wait_for_function(EDITOR, timeout=60_000)
    return page, escaped


def _influence(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "influence", *map(str, args)], capture_output=True, text=True
    )


def _analyze(path: Path) -> dict[str, Any]:
    out = _influence("analyze", "--json", path)
    assert out.returncode == 0, out.stderr
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


def _edit(page: Any, action: Callable[[], None]) -> None:
    """Do what sends an edit, and wait for the page to show the file's new version."""
    old = _version(page)
    action()
    _version_changes(page, old)


def _data(path: Path) -> dict[str, Any]:
    """The deal as the file holds it (influence.io.to_data), after it validates."""
    from influence.io import check_deal, to_data

    result = check_deal(path)
    assert result.ok and result.deal is not None, [str(p) for p in result.errors]
    return to_data(result.deal)


def _same_deal(a: dict[str, Any], b: dict[str, Any]) -> None:
    """The same people and ties, whatever their order (an undone removal appends)."""
    assert {p["id"]: p for p in a["people"]} == {p["id"]: p for p in b["people"]}
    ties = [Counter(json.dumps(t, sort_keys=True) for t in d["relationships"]) for d in (a, b)]
    assert ties[0] == ties[1]
    assert {k: v for k, v in a.items() if k not in ("people", "relationships")} == {
        k: v for k, v in b.items() if k not in ("people", "relationships")
    }


def _step(page: Any, path: Path, before: str, about: Callable[[str], bool]) -> str:
    """After an edit: the file validates, only lines ``about`` the edit changed, the page agrees."""
    after = path.read_text(encoding="utf-8")
    changed = _changed(before, after)
    assert changed and all(about(line) for line in changed), changed
    _data(path)
    _page_shows_the_analysis(page, path)
    return after


def _pick(page: Any, pid: str) -> None:
    page.select_option("#editor-person", pid)
    assert page.input_value('#editor-card [name="name"]')


def _card(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        control = f'#editor-card [name="{name}"]'
        if page.eval_on_selector(control, "c => c.tagName") == "SELECT":
            page.select_option(control, value)
        else:
            page.fill(control, value)
    page.click('#editor-card button[type="submit"]')


def _cli_message(args: list[str | Path]) -> str:
    """The message the CLI gives for the same bad edit: its first located problem's words."""
    out = _influence(*args)
    assert out.returncode == 3, (out.returncode, out.stderr)
    first = out.stderr.splitlines()[0]
    return first.split(": ", 2)[2]


def _beside(page: Any, form: str, name: str) -> str:
    selector = f"#{form}-{name}-error"
    page.wait_for_function(
        "(s) => document.querySelector(s).textContent !== ''", arg=selector, timeout=30_000
    )
    assert page.get_attribute(f'#{form} [name="{name}"]', "aria-invalid") == "true"
    return str(page.inner_text(selector))


# ------------------------------------------------------------------------- the card


def test_stance_card_fields_hostile_notes_and_undo(
    open_tab: Callable[..., Tab], path: Path
) -> None:
    tab = open_tab()
    page = tab.page
    original = path.read_text(encoding="utf-8")
    _pick(page, "tom-becker")

    # one click sets the stance: the stance line only
    _edit(page, lambda: page.click('button[data-stance="blocker"]'))
    blocked = _step(page, path, original, lambda line: line.strip(" +-").startswith("stance:"))
    assert page.input_value('#editor-card [name="stance"]') == "blocker"  # still Tom

    # the card: three fields at once, their lines only (comments elsewhere kept)
    _edit(
        page,
        lambda: _card(
            page, {"title": "Shift Lead", "influence": "medium", "roles": "user, influencer"}
        ),
    )
    carded = _step(
        page,
        path,
        blocked,
        lambda line: line.strip(" +-").split(":")[0] in ("title", "influence", "roles"),
    )
    assert "    title: Shift Lead" in carded and "roles: [user, influencer]" in carded
    tom = next(p for p in _data(path)["people"] if p["id"] == "tom-becker")
    assert (tom["title"], tom["influence"], tom["roles"]) == (
        "Shift Lead",
        INFLUENCE_WORDS["medium"],
        ["user", "influencer"],
    )

    # hostile notes: written as text, read back the same, never run
    _edit(page, lambda: _card(page, {"notes": HOSTILE}))
    noted = _step(page, path, carded, lambda line: line.strip(" +-").startswith("notes:"))
    tom = next(p for p in _data(path)["people"] if p["id"] == "tom-becker")
    assert tom["notes"] == HOSTILE
    assert page.input_value('#editor-card [name="notes"]') == HOSTILE
    assert (
        page.evaluate("() => document.querySelectorAll('img[src=x], #editor script').length") == 0
    )
    _ready(page)  # the map's own card shows the notes as text, too
    page.mouse.click(*_person_xy(page, "tom-becker"))
    page.wait_for_function("() => !document.querySelector('#detail').hidden", timeout=10_000)
    assert "<img src=x onerror=alert(1)>" in page.inner_text("#detail")
    assert (
        page.evaluate("() => document.querySelectorAll('img[src=x], #detail script').length") == 0
    )
    assert [d for d in tab.dialogs if d.startswith("alert")] == []

    # undo, one edit at a time, each the version check's edit: back to the shipped bytes
    _edit(page, lambda: page.click("#editor-undo"))
    assert path.read_text(encoding="utf-8") == carded
    _page_shows_the_analysis(page, path)
    _edit(page, lambda: page.click("#editor-undo"))
    assert path.read_text(encoding="utf-8") == blocked
    _edit(page, lambda: page.click("#editor-undo"))
    assert path.read_text(encoding="utf-8") == original
    _page_shows_the_analysis(page, path)
    assert page.inner_text("#editor-undo") == "Undo"
    assert noted != original and tab.escaped == [] and tab.errors == []


def test_invalid_input_is_shown_beside_the_field_in_the_clis_words(
    open_tab: Callable[..., Tab], path: Path, tmp_path: Path
) -> None:
    page = open_tab().page
    before = path.read_bytes()
    copy = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, copy)
    _pick(page, "tom-becker")
    for name, bad in [
        ("influence", "hgh"),
        ("assessed", "2026-13-45"),
        ("reports_to", "maria-lopes"),
    ]:
        page.reload()
        page.wait_for_function(EDITOR, timeout=60_000)
        _card(page, {name: bad})
        shown = _beside(page, "editor-card", name)
        assert shown == _cli_message(["person", "set", copy, "tom-becker", f"{name}={bad}"])
        assert "edit refused" in page.inner_text("#editor-card output.editor-error")
        assert page.input_value(f'#editor-card [name="{name}"]') == bad  # kept, to correct
        assert path.read_bytes() == before

    # a tie's field: the card of Nina's tie to Tom
    page.reload()
    page.wait_for_function(EDITOR, timeout=60_000)
    page.select_option("#editor-tie-pick", label="Nina Patel knows Tom Becker")
    page.fill('#editor-tie-card [name="strength"]', "strongest")
    page.click('#editor-tie-card button[type="submit"]')
    shown = _beside(page, "editor-tie-card", "strength")
    assert shown == _cli_message(
        ["tie", "set", copy, "nina-patel", "tom-becker", "strength=strongest"]
    )

    # a new tie to nobody, and a new person's bad influence
    page.fill('#editor-tie [name="to"]', "gregg-hall")
    page.click('#editor-tie button[type="submit"]')
    assert _beside(page, "editor-tie", "to") == _cli_message(
        ["tie", "add", copy, "tom-becker", "gregg-hall"]
    )
    page.fill('#editor-add [name="name"]', "Quinn Example")
    page.fill('#editor-add [name="influence"]', "hgh")
    page.click('#editor-add button[type="submit"]')
    assert _beside(page, "editor-add", "influence") == _cli_message(
        ["person", "add", copy, "--name", "Quinn Example", "--influence", "hgh"]
    )
    assert path.read_bytes() == before


def test_tie_card_edit_kind_change_delete_and_undo(
    open_tab: Callable[..., Tab], path: Path
) -> None:
    tab = open_tab()
    page = tab.page
    original = path.read_text(encoding="utf-8")
    start = _data(path)
    _pick(page, "tom-becker")
    page.select_option("#editor-tie-pick", label="Nina Patel knows Tom Becker")
    assert page.input_value('#editor-tie-card [name="last_contact"]') == "2026-10-21"

    def card(values: dict[str, str]) -> None:
        for name, value in values.items():
            if name == "kind":
                page.select_option(f'#editor-tie-card [name="{name}"]', value)
            else:
                page.fill(f'#editor-tie-card [name="{name}"]', value)
        page.click('#editor-tie-card button[type="submit"]')

    _edit(page, lambda: card({"strength": "0.45", "context": "loading dock"}))
    tied = _step(
        page,
        path,
        original,
        lambda line: line.strip(" +-").split(":")[0] in ("strength", "context"),
    )
    assert "    strength: 0.45" in tied and "    context: loading dock" in tied

    # another kind, in place: one edit, only the kind line changes, the tie keeps its place
    page.select_option("#editor-tie-pick", label="Nina Patel knows Tom Becker")
    _edit(page, lambda: card({"kind": "influences"}))
    retyped = _changed(tied, path.read_text(encoding="utf-8"))
    assert "+    kind: influences" in retyped, retyped
    assert all(line[1:].strip().startswith("kind:") for line in retyped), retyped
    kinds = {(t["from"], t["to"], t["kind"]): t for t in _data(path)["relationships"]}
    assert ("nina-patel", "tom-becker", "knows") not in kinds
    moved = kinds[("nina-patel", "tom-becker", "influences")]
    assert (moved["strength"], moved["context"], moved["last_contact"]) == (
        0.45,
        "loading dock",
        "2026-10-21",
    )
    _page_shows_the_analysis(page, path)
    assert page.inner_text("#editor-undo") == "Undo (2)"  # the set, and the kind change (one)

    page.select_option("#editor-tie-pick", label="Nina Patel influences Tom Becker")
    kinded = path.read_text(encoding="utf-8")
    _edit(page, lambda: page.click("#editor-tie-delete"))
    assert tab.dialogs[-1] == "confirm: Delete the tie Nina Patel influences Tom Becker?"
    assert not any(
        t["from"] == "nina-patel" and t["to"] == "tom-becker" for t in _data(path)["relationships"]
    )
    removed = _changed(kinded, path.read_text(encoding="utf-8"))
    assert removed and all(line.startswith("-") for line in removed), removed
    _page_shows_the_analysis(page, path)

    for _ in range(3):
        _edit(page, lambda: page.click("#editor-undo"))
        _data(path)
        _page_shows_the_analysis(page, path)
    _same_deal(_data(path), start)
    assert tab.escaped == [] and tab.errors == []


def test_delete_a_person_with_ties_and_undo(open_tab: Callable[..., Tab], path: Path) -> None:
    tab = open_tab()
    page = tab.page
    original = path.read_text(encoding="utf-8")
    start = _data(path)
    report = _analyze(path)
    # a click on Tom on the map picks him in the panel; his card on the map links to it
    _pick(page, "priya-shah")
    _ready(page)
    page.mouse.click(*_person_xy(page, "tom-becker"))
    page.wait_for_function(
        "() => document.querySelector('#editor-person').value === 'tom-becker'", timeout=10_000
    )
    assert page.input_value('#editor-card [name="name"]') == "Tom Becker"
    page.click("#detail #editor-edit-card")
    assert page.evaluate("() => document.activeElement.name") == "name"
    tab.accept = False  # no at the confirmation: nothing is sent
    page.click("#editor-delete")
    page.wait_for_timeout(500)
    assert path.read_text(encoding="utf-8") == original and len(tab.dialogs) == 1
    tab.accept = True
    _edit(page, lambda: page.click("#editor-delete"))
    assert tab.dialogs[-1].startswith("confirm: Delete Tom Becker?\nThis also removes the tie ")
    assert "Tom Becker knows Aisha Okafor" in tab.dialogs[-1]
    data = _data(path)
    assert "tom-becker" not in {p["id"] for p in data["people"]}
    assert not any("tom-becker" in (t["from"], t["to"]) for t in data["relationships"])
    removed = _changed(original, path.read_text(encoding="utf-8"))
    assert all(line.startswith("-") for line in removed), removed  # removals only
    _page_shows_the_analysis(page, path)

    _edit(page, lambda: page.click("#editor-undo"))
    _same_deal(_data(path), start)
    _page_shows_the_analysis(page, path)
    again = _analyze(path)
    assert (again["risk"], again["signals"]) == (report["risk"], report["signals"])
    assert tab.escaped == [] and tab.errors == []


# ------------------------------------------------------------------- two sessions


def test_an_undo_on_a_stale_version_is_refused_and_kept(
    open_tab: Callable[..., Tab], path: Path
) -> None:
    page = open_tab().page
    original = path.read_text(encoding="utf-8")
    _pick(page, "tom-becker")
    _edit(page, lambda: page.click('button[data-stance="blocker"]'))
    page.evaluate("() => { window.location.reload = () => {}; }")  # the poll must not reload
    by_hand = path.read_text(encoding="utf-8") + "# by hand\n"
    path.write_text(by_hand, encoding="utf-8")
    page.click("#editor-undo")
    page.wait_for_function(
        "() => document.querySelector('#editor-undo-error').getAttribute('data-error')"
        " === 'stale-version'",
        timeout=30_000,
    )
    assert "changed since version" in page.inner_text("#editor-undo-error")
    assert path.read_text(encoding="utf-8") == by_hand  # nothing written, nothing merged
    assert page.inner_text("#editor-undo") == "Undo (1)"  # the undo is kept, to try again
    page.reload()
    page.wait_for_function(EDITOR, timeout=60_000)
    assert page.inner_text("#editor-undo") == "Undo (1)"  # kept for the tab
    _edit(page, lambda: page.click("#editor-undo"))
    assert path.read_text(encoding="utf-8") == original + "# by hand\n"
    assert page.inner_text("#editor-undo") == "Undo"
    _page_shows_the_analysis(page, path)


def test_two_sessions_conflict_and_a_text_editor_change(
    open_tab: Callable[..., Tab], path: Path
) -> None:
    first, second = open_tab(), open_tab()
    _pick(first.page, "tom-becker")
    _edit(first.page, lambda: first.page.click('button[data-stance="ally"]'))
    kept = path.read_bytes()

    # the second page still holds the old version: it gets the conflict, nothing is lost
    second.page.evaluate("() => { window.location.reload = () => {}; }")  # its poll waits
    _pick(second.page, "tom-becker")
    _card(second.page, {"title": "Chief"})
    second.page.wait_for_function(
        "() => document.querySelector('#editor-card output.editor-error')"
        ".getAttribute('data-error') === 'stale-version'",
        timeout=30_000,
    )
    said = second.page.inner_text("#editor-card output.editor-error")
    assert "changed since version" in said and "nothing was written" in said
    assert path.read_bytes() == kept  # the first edit is on disk, the second not merged
    assert second.page.input_value('#editor-card [name="title"]') == "Chief"  # the input kept
    assert second.page.is_visible("#editor-stale")

    # reloaded, the second page redoes the edit on the new version: both are on disk
    second.page.goto(second.page.url)
    second.page.wait_for_function(EDITOR, timeout=60_000)
    _pick(second.page, "tom-becker")
    assert second.page.input_value('#editor-card [name="stance"]') == "ally"
    _edit(second.page, lambda: _card(second.page, {"title": "Chief"}))
    tom = next(p for p in _data(path)["people"] if p["id"] == "tom-becker")
    assert (tom["stance"], tom["title"]) == ("ally", "Chief")

    # a text editor changes the file: the first page reloads and shows it
    old = _version(first.page)
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Chief", "title: Head of Warehouse"),
        encoding="utf-8",
    )
    _version_changes(first.page, old)
    _pick(first.page, "tom-becker")
    assert first.page.input_value('#editor-card [name="title"]') == "Head of Warehouse"
    assert (
        first.page.evaluate(
            "() => window.influenceMap.data.nodes.find(n => n.id === 'tom-becker').person.title"
        )
        == "Head of Warehouse"
    )
    _page_shows_the_analysis(first.page, path)

    # with input not sent yet, a change on disk is said, not reloaded over the input
    _pick(first.page, "tom-becker")
    first.page.fill('#editor-card [name="needs"]', "a quieter rota")
    path.write_text(path.read_text(encoding="utf-8") + "# by hand\n", encoding="utf-8")
    first.page.wait_for_function(
        "() => !document.querySelector('#editor-stale').hidden", timeout=30_000
    )
    assert first.page.input_value('#editor-card [name="needs"]') == "a quieter rota"
    assert first.escaped == [] and second.escaped == []


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
        counts = Counter(s["severity"] for s in ranked)  # in rank order, as the page says them
        said = ", ".join(f"{n} {severity}" for severity, n in counts.items())
        assert f"({said}):" in page.inner_text("header details.signals summary"), said
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


def test_drag_a_tie_a_manager_and_undo_them(
    chromium: Any, served: tuple[str, Path], path: Path
) -> None:
    base = served[0]
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
    page.select_option('#editor-tie select[name="kind"]', "knows")
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


def test_undo_removes_an_added_person(chromium: Any, served: tuple[str, Path], path: Path) -> None:
    base = served[0]
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
    assert page.eval_on_selector("#editor-person", "s => s.value") == "quinn-example"
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
        # every control of the panel is off, the card's and the tie card's too
        assert (
            page.evaluate(
                "() => [...document.querySelectorAll('#editor :is(button, input, select,"
                " textarea)')].filter(c => !c.disabled && c.id !== 'editor-reload').length"
            )
            == 0
        )
        assert page.input_value('#editor-card [name="name"]')  # the card still shows the person
        assert path.read_bytes() == before and escaped == []
