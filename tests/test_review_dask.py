"""The review on a Dask LocalCluster gives the same report as serially and on processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import dump_deal, generate_pipeline

from influence.analysis.portfolio import review
from tests.conftest import EXAMPLES

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
    monkeypatch.setattr("influence.analysis.portfolio.DASK_CONNECT_TIMEOUT", "1s")
    result = cli("review", EXAMPLES[0], "--dask", "tcp://127.0.0.1:9")
    assert result.exit_code == 4
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
