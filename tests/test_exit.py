"""The command line leaves one deal's objects to the OS: output and exit codes stay whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from influence import _exit
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "enterprise-committee.yaml"


def run(*args: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "influence", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )


def python(code: str) -> list[str]:
    """Run Python code in a fresh process; return the words it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_nothing_is_kept_unless_enabled_and_in_a_scope() -> None:
    before = _exit.kept()
    _exit.keep(object())
    with _exit.keeping():
        _exit.keep(object())  # not enabled in this process (the test runner)
    assert _exit.kept() == before


def test_a_fork_keeps_nothing() -> None:
    code = (
        "import os, sys\n"
        "from influence import _exit\n"
        "_exit.enable()\n"
        "with _exit.keeping():\n"
        "    _exit.keep(1)\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        _exit.keep(2)\n"
        "        os._exit(_exit.kept())\n"
        "    _, status = os.waitpid(pid, 0)\n"
        "_exit.keep(3)  # outside the scope\n"
        "print(os.waitstatus_to_exitcode(status), _exit.kept())\n"
    )
    assert python(code) == ["1", "1"]  # the child kept only what was kept before


def test_analyze_prints_everything_and_exits_with_its_code() -> None:
    done = run("analyze", "--json", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # complete: flushed before the process ended
    assert report["deal"]["id"] == "harbourfront-planning" and report["actions"]
    tripped = run("analyze", "--json", "--fail-on", "low", str(EXAMPLE))
    assert tripped.returncode == 1 and json.loads(tripped.stdout) == report


def test_validate_of_one_file_and_of_a_bad_one(tmp_path: Path) -> None:
    good = run("validate", str(EXAMPLE))
    assert good.returncode == 0 and good.stdout.startswith("ok")
    bad = tmp_path / "bad.yaml"
    bad.write_text("deal: {name: x}\npeople: [{name: A, influence: 7}]\n", encoding="utf-8")
    done = run("validate", str(bad))
    assert done.returncode == 3 and "bad.yaml:2" in done.stderr


def test_a_pause_leaves_nothing_frozen_and_cycles_collectable() -> None:
    import gc
    import weakref

    from influence._gc import gc_paused

    class Node:
        pass

    def cycle() -> weakref.ref[Node]:
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        return weakref.ref(a)

    gc.unfreeze()  # whatever an earlier test in this process froze
    with gc_paused():
        watch = cycle()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.collect()
    assert watch() is None  # the cycle made while paused was collected
    # Objects frozen before (a review's forked worker): left frozen, the rest as before.
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        with gc_paused():
            watch = cycle()
        assert 0 < gc.get_freeze_count() <= frozen  # not unfrozen (freed ones leave it)
        gc.collect()
        assert watch() is None
    finally:
        gc.unfreeze()


def test_a_command_about_one_deal_freezes_instead_of_walking() -> None:
    code = (
        "import gc\n"
        "from influence import _exit\n"
        "from influence._gc import gc_paused\n"
        "_exit.enable()\n"
        "with gc_paused():\n"
        "    pass\n"
        "before = gc.get_freeze_count()\n"
        "with _exit.keeping():\n"
        "    with gc_paused():\n"
        "        data = [{'a': [i]} for i in range(1000)]\n"
        "print(before, gc.get_freeze_count() > 2000)\n"
    )
    assert python(code) == ["0", "True"]
