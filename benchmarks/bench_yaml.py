"""Benchmark: what each YAML reader of ``influence._yaml.load`` gains, in ``read_deal``.

``load`` tries yaml-rs (Rust) when its gate says it reads the file as libyaml
would, then libyaml's event loop (``_load_events``), then PyYAML's general
composer and constructor (``Loader12``). This times ``read_deal`` (median CPU
time, less disturbed by other work on a shared machine) of generated deals of
30, 300 and 3,000 people in two styles: the block style ``influence`` writes
(yaml-rs reads it) and the flow style of hand-written files such as the bundled
examples (one ``{...}`` per person and tie: the gate sends it to libyaml), each
with the default readers, without yaml-rs, and with the general loader only.

The targets the fast readers serve: a 3,000-person YAML deal read in at most
2 s (issue 2, ``bench_read.py``) and 10,000 deals of 30 people reviewed in at
most 60 s on 2 cores (issue 5, ``bench_review.py``).

Run: ``python benchmarks/bench_yaml.py [--repeat 7] [--sizes 30 300 3000]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from benchmarks.generate import generate_deal
from influence import _yaml, read_deal


def _no_native(text: str) -> Any:
    return _yaml._NO_KEY


def _no_events(text: str) -> Any:
    raise _yaml._Unusual


@contextmanager
def _readers(native: bool, events: bool) -> Iterator[None]:
    saved = _yaml._load_native, _yaml._load_events
    if not native:
        _yaml._load_native = _no_native
    if not events:
        _yaml._load_events = _no_events
    try:
        yield
    finally:
        _yaml._load_native, _yaml._load_events = saved


MODES = {"default": (True, True), "no yaml-rs": (False, True), "general only": (False, False)}


def _median_cpu(run: Callable[[], object], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="*", default=[30, 300, 3000])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="influence-bench-yaml-"))
    print(f"{'people':>7} {'style':>6} {'reader':>8} " + " ".join(f"{m:>13}" for m in MODES))
    for n in args.sizes:
        data = generate_deal(n, seed=7, ties_per_person=10.0)
        styles = {
            "block": _yaml.dump(data),
            "flow": yaml.dump(
                data,
                Dumper=_yaml.Dumper12,
                sort_keys=False,
                allow_unicode=True,
                default_flow_style=None,
                width=100,
            ),
        }
        for style, text in styles.items():
            path = folder / f"deal-{n}-{style}.yaml"
            path.write_text(text, encoding="utf-8")
            native = not _yaml._native_may_differ(text) and _yaml._native_is_safe(text)
            times = {}
            expected = read_deal(path)
            repeat = args.repeat if n < 3000 else max(3, args.repeat // 2)
            for mode, (rs, events) in MODES.items():
                with _readers(rs, events):
                    assert read_deal(path) == expected, mode
                    times[mode] = _median_cpu(lambda p=path: read_deal(p), repeat)
            cells = " ".join(f"{times[m] * 1000:>11.1f}ms" for m in MODES)
            print(f"{n:>7} {style:>6} {'yaml-rs' if native else 'libyaml':>8} {cells}", flush=True)


if __name__ == "__main__":
    main()
