"""A client of the app on a copy of the examples, with the token."""

from __future__ import annotations

import contextlib
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

with warnings.catch_warnings():
    # starlette's test client asks for httpx2 instead of httpx; httpx 0.28 works.
    warnings.filterwarnings("ignore", message=".*install `httpx2`")
    from fastapi.testclient import TestClient

from influence.serve import create_app
from tests.conftest import EXAMPLES

TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:8765"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    folder = tmp_path / "deals"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    # Each client is entered: one event loop (and its worker threads) for its life.
    with contextlib.ExitStack() as stack:

        def make(root: Any, **options: Any) -> TestClient:
            options.setdefault("token", TOKEN)
            return stack.enter_context(TestClient(create_app(root, **options), base_url=BASE))

        yield make


@pytest.fixture
def client(deals: Path, make_client: Callable[..., TestClient]) -> TestClient:
    c = make_client(deals)
    c.headers.update(AUTH)
    return c
