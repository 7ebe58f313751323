"""The review on a Dask LocalCluster gives the same report as serially and on processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import dump_deal, generate_pipeline

from influence.batch.review import review
from tests.conftest import EXAMPLES
from tests.crashing import DEATHS, crash_env, write_deals

pytest.importorskip("dask.distributed")


@pytest.mark.slow
def test_serial_processes_and_dask_give_identical_reports(tmp_path: Path, cli: Any) -> None:
    for deal in generate_pipeline(5, people_per_deal=12, seed=21):
        (tmp_path / f"{deal['deal']['id']}.yaml").write_text(dump_deal(deal), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("deal: {name: [}\n", encoding="utf-8")
    paths = [tmp_path, EXAMPLES[0]]
    serial = review(paths, workers=1).to_data()
    processes = review(paths, workers=2, chunk_size=1).to_data()
    on_dask = review(paths, workers=2, dask="local", chunk_size=1).to_data()
    assert serial == processes == on_dask
    assert len(serial["deals"]) == 6 and len(serial["errors"]) == 1
    # The same through the command line, exit code included.
    result = cli("review", *paths, "--json", "--dask", "local", "--workers", "2")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == serial


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_domain_error(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("influence.batch.engine.DASK_CONNECT_TIMEOUT", "1s")
    result = cli("review", EXAMPLES[0], "--dask", "tcp://127.0.0.1:9")
    assert result.exit_code == 4
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.mark.slow
def test_a_real_cluster_reviews_relative_paths_and_lists_the_deals_that_kill_workers(
    tmp_path: Path,
) -> None:
    """`dask scheduler` and `dask worker` on loopback; the worker runs in another folder."""
    dask_command = Path(sys.executable).with_name("dask")
    if not dask_command.exists():
        pytest.skip("no `dask` command beside this Python")
    env = crash_env(tmp_path / "site")
    # A task whose worker dies is tried on allowed-failures + 1 workers (4 by default) before
    # it is a KilledWorker, and each death costs a worker restart (~2 s here): 1, not 4, to
    # keep the test short (the default passes too, in ~90 s: the same code path, 4x the deaths).
    scheduler_env = env | {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    good, bad = write_deals(tmp_path / "deals", 1000, list(DEATHS))
    elsewhere = tmp_path / "worker-folder"
    elsewhere.mkdir()
    scheduler_file = tmp_path / "scheduler.json"
    log = (tmp_path / "cluster.log").open("wb")
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            subprocess.Popen(
                [
                    *(dask_command, "scheduler", "--host", "127.0.0.1", "--port", "0"),
                    *("--no-dashboard", "--scheduler-file", scheduler_file),
                ],
                cwd=elsewhere,
                env=scheduler_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text():
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert started[0].poll() is None, "the scheduler stopped"
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        started.append(
            subprocess.Popen(
                [
                    *(dask_command, "worker", "--scheduler-file", scheduler_file),
                    *("--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1"),
                    "--no-dashboard",
                ],
                cwd=elsewhere,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        run = subprocess.run(
            [*(sys.executable, "-m", "influence", "review", "deals"), "--dask", address, "--json"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        for process in reversed(started):
            _stop(process)
        log.close()
    assert run.returncode == 3, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    data = json.loads(run.stdout)
    assert sorted(d["file"] for d in data["deals"]) == [f"deals/{n}" for n in good]
    reason = "the Dask worker died each time; see its log"
    expected = {
        f"deals/{name}": [f"deals/{name}: the worker crashed while analysing this file ({reason})"]
        for name in bad
    }
    assert {e["file"]: e["messages"] for e in data["errors"]} == expected
