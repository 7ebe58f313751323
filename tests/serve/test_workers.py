"""``influence serve --workers N``: several processes, one printed token, refusals logged."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def _get(url: str, headers: dict[str, str]) -> int:
    for _ in range(200):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5):
                return 200
        except urllib.error.HTTPError as err:
            err.close()
            return err.code
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_two_workers_answer_with_the_one_printed_token_kept_out_of_argv() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "influence", "serve", "examples", "--port", "0", "--workers", "2"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        assert proc.stderr is not None
        url = token = ""
        deadline = time.monotonic() + 60
        while not url and time.monotonic() < deadline:
            match = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)", proc.stderr.readline())
            if match:
                url, token = match.group(1), match.group(2)
        assert url, "no URL printed"
        auth = {"Authorization": f"Bearer {token}"}
        assert [_get(url + "api/versions", auth) for _ in range(20)] == [200] * 20
        assert _get(url + "api/deals", {}) == 401
        assert _get(url + "api/deals", {"Authorization": "Bearer wrong-0123456789abcdef"}) == 403
        # The first worker may answer before the second has started (a loaded machine).
        deadline = time.monotonic() + 60
        while True:
            workers = [p for p in _children(proc.pid) if b"spawn_main" in _cmdline(p)]
            if len(workers) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        for pid in [proc.pid, *workers]:
            assert token.encode() not in _cmdline(pid)
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.stderr is not None
    log = proc.stderr.read()
    proc.stderr.close()
    assert token not in log  # printed once, in the URL read above
    refused = [line for line in log.splitlines() if " refused " in line]
    assert len(refused) == 2, log  # logged by the worker that answered


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.slow
def test_the_load_test_script_runs_and_loses_no_edit() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_serve.py"), "--quick", "--big", "40"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stale version refused with 409: yes" in result.stdout
    assert re.search(r"edits present: (\d+)/\1, lost: 0 ", result.stdout), result.stdout
