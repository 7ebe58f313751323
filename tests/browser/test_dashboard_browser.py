"""The served pipeline dashboard (/review) in chromium: live, and linking to the editable maps.

A file saved elsewhere (a new deal, a deal turning risky, a deal removed) shows on
the open page within seconds, ranked as ``influence review`` ranks it; a deal's
link opens its map with the editor. No request leaves the server, no console error.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from influence.batch.review import review_run
from tests.browser.conftest import ARGS, CHROMIUM, _need_browser
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.browser

TOKEN = "dashboard-test-token-0123456789"
LIVE = "() => document.documentElement.getAttribute('data-live') === '1'"
#: The most seconds a change may take to show (the page asks every 2 s).
WITHIN = 6


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    pytest.importorskip("uvicorn")
    import uvicorn

    from influence.serve import create_app

    folder = tmp_path_factory.mktemp("pipeline")
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(folder, token=TOKEN), host="127.0.0.1", port=port, log_level="error"
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
def chromium() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _ranked(page: Any) -> list[str]:
    """The deals' names in the table's order, as the page shows them."""
    return list(
        page.eval_on_selector_all(
            "span.clip2.name a", "links => links.map(a => a.textContent.trim())"
        )
    )


def _expected(folder: Path) -> list[str]:
    files = sorted(str(p) for p in folder.iterdir() if p.suffix == ".yaml")
    return [d.name for d in review_run(files, workers=1).result.deals]


def _shows(page: Any, names: list[str]) -> float:
    """Seconds until the page's ranking is ``names`` (fails after WITHIN seconds)."""
    start = time.monotonic()
    while time.monotonic() - start < WITHIN:
        try:
            page.wait_for_function(LIVE, timeout=2_000)
            if _ranked(page) == names:
                return time.monotonic() - start
        except Exception:
            pass
        time.sleep(0.2)
    raise AssertionError(f"after {WITHIN} s the page ranks {_ranked(page)}, not {names}")


def test_the_dashboard_follows_the_folder_and_links_to_the_editor(
    chromium: Any, served: tuple[str, Path]
) -> None:
    base, folder = served
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    escaped: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(base + "/"):
            r.continue_()
        else:
            escaped.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/review?token={TOKEN}")
    page.wait_for_function(LIVE, timeout=60_000)
    assert _ranked(page) == _expected(folder)

    # A deal saved by something else appears, ranked.
    (folder / "fresh.yaml").write_text(
        "deal: {name: Fresh Deal, as_of: 2026-11-20}\n"
        "people:\n  - {name: Ana Ruiz, roles: [decision_maker], stance: blocker}\n",
        encoding="utf-8",
    )
    took = _shows(page, _expected(folder))
    assert "Fresh Deal" in _ranked(page) and took < WITHIN
    # A deal edited elsewhere moves; a deal removed goes.
    small = folder / "saas-small.yaml"
    small.write_text(small.read_text("utf-8").replace("stance: ally", "stance: blocker"), "utf-8")
    (folder / "manufacturing-key-account.yaml").unlink()
    _shows(page, _expected(folder))

    # Each deal links to its editable map.
    page.click("span.clip2.name a >> text=Fresh Deal")
    page.wait_for_url(f"{base}/deals/fresh.yaml")
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-editor') === '1'", timeout=60_000
    )
    assert not escaped, escaped
    assert not errors, errors
    context.close()
