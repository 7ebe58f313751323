"""The library's one thread in ``influence serve``: it reads with yaml-rs, and never crashes.

yaml-rs 0.1.6 kills the process when threads that used it come and go, so only
the main thread and threads that live as long as the process may use it; the
server's library thread is one (:func:`influence.serve._app._pool`).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from benchmarks.generate import dump_deal, generate_deal

from influence import _yaml
from influence.serve._app import _pool
from tests.serve.test_workers import ROOT, _env


def test_the_library_thread_reads_with_yaml_rs(monkeypatch: pytest.MonkeyPatch) -> None:
    text = dump_deal(generate_deal(12, seed=4))
    used: list[bool] = []
    real = _yaml._yaml_rs

    def spy() -> Any:
        used.append(True)
        return real()

    monkeypatch.setattr(_yaml, "_yaml_rs", spy)
    data = _pool().submit(_yaml.load, text).result()
    assert used  # yaml-rs read it
    assert data == _yaml._load_events(text)  # the data libyaml's events make


def test_the_library_thread_reads_and_edits_beside_short_threads_without_crashing() -> None:
    # As a server runs: the library thread reads and edits (yaml-rs) while request
    # threads start and end; then the process exits, the library thread last.
    script = """
import threading
from benchmarks.generate import dump_deal, generate_deal
from influence import _yaml
from influence.interop.edit import parse_editable
from influence.serve._app import _pool
text = dump_deal(generate_deal(30, seed=2))
assert not _yaml._native_may_differ(text)
done = []
def work(i):
    doc = parse_editable(text)
    doc.set_person(doc.person_ids()[-1], {"notes": f"seen {i}"})
    assert doc.check().ok and _yaml.load(doc.text)
    done.append(1)
for i in range(400):
    _pool().submit(work, i).result()
    t = threading.Thread(target=lambda: _yaml.load("a: 1"))
    t.start()
    t.join()
print(len(done))
"""
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
        env=_env(),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["400"]
