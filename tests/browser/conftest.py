"""What the browser tests share: Debian's chromium driven by Playwright, one page a test.

No browser is downloaded. Every request that would leave the page is aborted
and counted; console errors (a Content-Security-Policy violation is one) and
uncaught exceptions are collected; dialogs are recorded and dismissed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = ROOT / "build"
# Functions, not expressions: Playwright polls an expression with eval(), which the
# page's Content-Security-Policy (rightly) forbids.
DRAWN = "() => document.documentElement.getAttribute('data-drawn') === '1'"
SETTLED = "() => document.documentElement.getAttribute('data-settled') === '1'"


def _need_browser() -> None:
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the machine
        problem = "Playwright for Python is not installed (pip install -e '.[dev]')"
    if problem is None and not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Session:
    page: Any
    url: str
    escaped: list[str] = field(default_factory=list)  # requests that would leave the page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@pytest.fixture
def open_map(browser: Any, tmp_path: Path) -> Iterator[Callable[..., Session]]:
    contexts: list[Any] = []

    def _open(
        page_html: str | Path, name: str = "map", viewport: tuple[int, int] = (1400, 900)
    ) -> Session:
        if isinstance(page_html, Path):
            path = page_html
        else:
            path = tmp_path / f"{name}.html"
            path.write_text(page_html, encoding="utf-8")
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        page = context.new_page()
        session = Session(page, path.resolve().as_uri())

        def route(r: Any) -> None:
            if r.request.url == session.url:
                r.continue_()
            else:
                session.escaped.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: session.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: session.errors.append(f"pageerror: {e}"))
        page.on("dialog", lambda d: (session.dialogs.append(d.message), d.dismiss()))
        page.goto(session.url)
        page.wait_for_function(DRAWN, timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        return session

    yield _open
    for context in contexts:
        context.close()
