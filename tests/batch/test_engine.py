"""The batch layer: its place in the layers, the engine's start methods and chunks."""

from __future__ import annotations

import gc
import os
import random
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import influence
from influence._gc import gc_paused
from influence.analysis.portfolio import ReviewError, assemble_review, review_deal
from influence.batch import engine
from influence.batch.engine import _chunks, forked_workers, run_chunks
from influence.batch.review import review
from tests.conftest import EXAMPLES, ROOT

# -- the layers ----------------------------------------------------------------------


def _contracts() -> list[dict[str, object]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = data["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_batch_layer_sits_between_the_faces_and_the_cli() -> None:
    [layers] = [c for c in _contracts() if c["type"] == "layers" and "containers" not in c]
    order = layers["layers"]
    assert isinstance(order, list)
    assert order.index("influence.cli") < order.index("influence.batch")
    assert order.index("influence.batch") < order.index("influence.render | influence.interop")


def test_the_result_models_are_a_leaf_below_every_analysis() -> None:
    [inside] = [c for c in _contracts() if c.get("containers") == ["influence.analysis"]]
    order = [layer.split(" | ") for layer in inside["layers"]]  # type: ignore[union-attr]
    level = {name: i for i, names in enumerate(order) for name in names}
    for analysis in ("report", "actions", "risk", "coverage", "network", "whatif", "portfolio"):
        assert level[analysis] < level["models"], analysis
    import influence.analysis.models as models

    source = Path(models.__file__).read_text(encoding="utf-8")
    assert "from influence.analysis.signals import" in source  # the check reads real imports
    for analysis in ("report", "actions", "risk", "coverage", "network"):
        assert f"from influence.analysis.{analysis} import" not in source
        assert f"import influence.analysis.{analysis}" not in source


def test_analysis_and_render_are_forbidden_files_processes_and_dask() -> None:
    [forbidden] = [c for c in _contracts() if c["type"] == "forbidden"]
    assert set(forbidden["source_modules"]) == {"influence.analysis", "influence.render"}  # type: ignore[arg-type]
    assert {"influence.io", "multiprocessing", "concurrent", "dask", "distributed"} <= set(
        forbidden["forbidden_modules"]  # type: ignore[arg-type]
    )
    # Standard library and Dask modules are in the graph only with external packages.
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["tool"]["importlinter"]["include_external_packages"] is True


def test_the_public_names_keep_working_from_their_new_home() -> None:
    from influence.batch.engine import DaskUnavailableError, WorkerError
    from influence.batch.maps import write_review_html
    from influence.batch.review import load_review_json

    assert influence.review is review
    assert influence.load_review_json is load_review_json
    assert influence.write_review_html is write_review_html
    assert influence.WorkerError is WorkerError
    assert influence.DaskUnavailableError is DaskUnavailableError
    assert influence.assemble_review is assemble_review
    assert set(influence.__all__) <= set(dir(influence))
    for name in influence.__all__:
        assert getattr(influence, name) is not None


# -- assemble_review -----------------------------------------------------------------


def test_assemble_review_ranks_any_order_as_the_review_does() -> None:
    whole = review(["examples"], workers=1)
    rows = [review_deal(influence.read_deal(p), file=f"examples/{p.name}") for p in EXAMPLES]
    for seed in range(5):
        random.Random(seed).shuffle(rows)
        again = assemble_review(rows, list(reversed(whole.errors)))
        assert again == whole
    assert [d.risk.score for d in whole.deals] == sorted(
        (d.risk.score for d in whole.deals), reverse=True
    )


def test_assemble_review_sorts_errors_and_totals_values_by_currency() -> None:
    whole = review(["examples"], workers=1)
    deal = whole.deals[0]
    twin = deal.model_copy(update={"file": "z.yaml", "value": 5.0, "currency": "EUR"})
    cheap = deal.model_copy(update={"file": "a.yaml", "value": None, "currency": None})
    errors = [ReviewError(file=f, messages=[f"{f}: not a deal"]) for f in ("b", "c", "a")]
    result = assemble_review([cheap, twin, deal], errors)
    # Same score: the valued deal first, then the one without a value.
    assert [d.file for d in result.deals][-1] == "a.yaml"
    assert result.totals.value.get("EUR") == 5.0
    assert result.totals.deals == 3
    assert [e.file for e in result.errors] == ["a", "b", "c"]
    assert result.totals.errors == 3


# -- the engine ----------------------------------------------------------------------


def _gc_and_pid(chunk: list[int]) -> list[tuple[bool, int]]:
    """In a worker: is the collector on between chunks, and which process is this."""
    return [(gc.isenabled(), os.getpid()) for _ in chunk]


def test_forked_workers_fork_when_alone_and_use_the_forkserver_otherwise() -> None:
    script = (
        "import threading\n"
        "from influence.batch import engine\n"
        "print(engine._context().get_start_method())\n"
        "with engine.forked_workers():\n"
        "    print(engine._context().get_start_method())\n"
        "    t = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True)\n"
        "    t.start()\n"
        "    print(engine._context().get_start_method())\n"
        "print(engine._context().get_start_method())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["forkserver", "fork", "forkserver", "forkserver"]


def test_start_early_starts_the_forkserver_only_when_workers_will_come_from_it() -> None:
    script = (
        "from multiprocessing import forkserver\n"
        "from influence.batch import engine\n"
        "def running():\n"
        "    return forkserver._forkserver._forkserver_pid is not None\n"
        "engine.start_early(workers=1)\n"
        "engine.start_early(workers=2, dask='local')\n"
        "print(running())\n"
        "with engine.forked_workers():\n"
        "    engine.start_early(workers=2)\n"
        "print(running())\n"
        "engine.start_early(workers=2)\n"
        "print(running())\n"
        "pid = forkserver._forkserver._forkserver_pid\n"
        "engine.start_early(workers=2)\n"
        "print(forkserver._forkserver._forkserver_pid == pid)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "False", "True", "True"]


def test_a_thread_means_no_fork_even_inside_forked_workers() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        with forked_workers():
            assert engine._context().get_start_method() != "fork"
    finally:
        stop.set()
        thread.join()
    assert engine._forking == 0


def test_forked_workers_collect_garbage_and_give_the_same_results() -> None:
    with gc_paused(), forked_workers():  # the review pauses the collector around its pool
        out = [r for chunk in run_chunks(_gc_and_pid, list(range(40)), workers=2) for r in chunk]
    assert len(out) == 40
    assert all(enabled for enabled, _ in out)
    assert os.getpid() not in {pid for _, pid in out}  # run by workers, not here


def test_forked_workers_still_isolate_the_items_that_kill_their_worker() -> None:
    from tests.batch.test_review import _crashed, _die_on_13_and_37

    with forked_workers():
        out = run_chunks(
            _die_on_13_and_37, list(range(50)), workers=2, chunk_size=5, on_crash=_crashed
        )
        results = sorted(x for chunk in out for x in chunk)
    assert results == sorted([-13, -37] + [2 * x for x in range(50) if x not in (13, 37)])


def test_a_review_is_the_same_forked_or_not(tmp_path: Path) -> None:
    for p in EXAMPLES:
        for k in range(4):
            (tmp_path / f"{k}-{p.name}").write_bytes(p.read_bytes())
    plain = review([tmp_path], workers=2, chunk_size=2)
    with forked_workers():
        forked = review([tmp_path], workers=2, chunk_size=2)
    assert forked == plain
    assert plain.totals.deals == 4 * len(EXAMPLES)


@given(st.integers(0, 300), st.integers(1, 40), st.integers(1, 4))
def test_chunks_cover_every_item_once_in_order_and_never_exceed_the_size(
    n: int, chunk_size: int, workers: int
) -> None:
    items = list(range(n))
    chunks = _chunks(items, chunk_size, workers)
    assert [x for c in chunks for x in c] == items
    assert all(1 <= len(c) <= chunk_size for c in chunks)
    if n >= workers * 4:  # every worker gets several chunks
        assert len(chunks) >= min(2 * workers, -(-n // chunk_size))
    # the last chunks are never larger than the first: the workers finish together
    if chunks:
        assert len(chunks[-1]) <= len(chunks[0])


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_ends_at_the_total_with_small_last_chunks(workers: int) -> None:
    seen: list[int] = []
    list(
        run_chunks(
            engine._double, list(range(100)), workers=workers, progress=lambda d, t: seen.append(d)
        )
    )
    assert seen[0] == 0
    assert seen[-1] == 100
    assert seen == sorted(seen)
