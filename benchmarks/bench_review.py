"""Benchmark: ``influence review`` of 10,000 generated deals of 30 people, 1 worker vs 2.

Targets (issue 5), on this 2-core machine: 10,000 deals reviewed in at most 60 s;
2 workers at least 1.7x as fast as 1; peak memory at most 1 GB. Issue 10: the
parallelism pays at moderate sizes too, 2,000 deals with 2 workers at least
1.6x as fast as with 1.

What is timed: the command a manager runs, ``influence review DIR --json -q
--workers N`` with stdout to /dev/null, from start to exit (interpreter start,
worker start, reading, analysis, JSON out). Deal generation is not timed.
Memory: the peak, sampled every 50 ms, of the summed resident set size (RSS) of
the command and every process under it (the forkserver and the workers). RSS
counts pages the processes share once per process, so the sum over-states the
memory really used.

Three measurements, each run side by side (1 worker, then 2, repeated):
1,000 deals, ``--repeat`` runs each (medians); 2,000 deals (``--moderate``),
``--repeat-moderate`` runs each (medians, and the median of the per-pair
ratios); then 10,000 deals, one run each (``--moderate-only`` skips the 1,000
and 10,000). ``--compare SRC`` also runs the 2,000-deal pairs with the sources
in SRC (another checkout's ``src``), alternating with these, and prints both
ratios side by side. The files are read once before any timing, so that every
run finds them in the page cache.

Run: ``python benchmarks/bench_review.py [--deals 10000] [--small 1000] [--repeat 3]
[--moderate 2000] [--repeat-moderate 5] [--moderate-only] [--compare SRC]
[--data DIR]`` (``--data`` keeps the generated deals there for the next run).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import Pool
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import verdict
from benchmarks.generate import dump_deal, generate_deal

PEOPLE = 30
INFLUENCE = [sys.executable, "-m", "influence"]


def _write_deals(job: tuple[str, int, int]) -> int:
    folder, start, stop = job
    for k in range(start, stop):
        deal = generate_deal(PEOPLE, seed=k + 1, deal_id=f"deal-{k + 1:05d}")
        Path(folder, f"deal-{k + 1:05d}.yaml").write_text(dump_deal(deal), encoding="utf-8")
    return stop - start


def generate(folder: Path, n: int) -> None:
    """Write ``n`` deals of 30 people (seeds 1..n) unless the folder already holds them."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("deal-*.yaml"))) == n:
        return
    start = time.perf_counter()
    step = 250
    jobs = [(str(folder), a, min(a + step, n)) for a in range(0, n, step)]
    with Pool(os.cpu_count() or 1) as pool:
        pool.map(_write_deals, jobs)
    print(f"generated {n:,} deals of {PEOPLE} people in {time.perf_counter() - start:.0f} s")


def _tree_rss(pid: int, cpu: dict[int, float]) -> int:
    """Bytes of RSS of ``pid`` and all its descendants (0 once it is gone).

    Also records each process's CPU seconds so far in ``cpu`` (psutil only).
    """
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with dask[distributed]
        return _tree_rss_proc(pid)
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # a worker may exit between the two calls
            total += proc.memory_info().rss
            times = proc.cpu_times()
            cpu[proc.pid] = times.user + times.system
    return total


def _tree_rss_proc(pid: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0"))
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(kids)
        frontier += kids
    return sum(rss.get(p, 0) for p in tree)


class Run(NamedTuple):
    """One ``influence review`` run."""

    wall: float  #: seconds
    peak: int  #: the peak of the summed RSS, bytes
    cpu: float  #: CPU seconds of the command and its workers
    load: float  #: the machine's load average over the run (other programs included)
    parent: float  #: CPU seconds of the command's own process (sampled: low by < 50 ms)


def run(folder: Path, workers: int, src: Path | None = None) -> Run:
    """One ``influence review`` run. ``src``: run those sources instead."""
    command = [*INFLUENCE, "review", str(folder), "--json", "-q", "--workers", str(workers)]
    env = None
    if src is not None:
        env = dict(os.environ, PYTHONPATH=str(src))
    peak = 0
    cpu: dict[int, float] = {}
    loads: list[float] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    ) as proc:
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid, cpu))
                loads.append(os.getloadavg()[0])
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"influence review failed ({proc.returncode}): {err.decode()[-2000:]}")
    # Exact: the CPU of the command and of every process it waited for (its workers).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    load = statistics.mean(loads or [0.0])
    return Run(elapsed, peak, total or sum(cpu.values()), load, cpu.get(proc.pid, 0.0))


def linked(big: Path, folder: Path, n: int) -> Path:
    """``folder`` with links to the first ``n`` deals of ``big``."""
    folder.mkdir(exist_ok=True)
    for path in sorted(big.glob("deal-*.yaml"))[:n]:
        link = folder / path.name
        if not link.exists():
            link.symlink_to(path)
    return folder


def moderate(folder: Path, n: int, repeat: int, compare: Path | None) -> float:
    """The 2,000-deal pairs (1 worker then 2, alternating): print medians, return the ratio.

    With ``compare``, each round also runs the pair with those sources, so that
    both see the same load; the ratio of each is the median of its per-round
    ratios (robust to a busy moment), beside the ratio of the medians.
    """
    sources: dict[str, Path | None] = {"this": None}
    if compare is not None:
        sources = {"compare": compare, "this": None}
    runs: dict[tuple[str, int], list[Run]] = {(s, w): [] for s in sources for w in (1, 2)}
    loads: list[float] = []
    for _ in range(repeat):
        for label, src in sources.items():
            for workers in (1, 2):
                one_run = run(folder, workers, src)
                runs[label, workers].append(one_run)
                loads.append(one_run.load)
    ratio = 0.0
    for label in sources:
        one, two = [r.wall for r in runs[label, 1]], [r.wall for r in runs[label, 2]]
        ratio = statistics.median(a / b for a, b in zip(one, two, strict=True))
        name = f"{compare}" if label == "compare" else "these sources"
        print(
            f"{n:,} deals ({name}), median of {repeat}: 1 worker {statistics.median(one):6.2f} s, "
            f"2 workers {statistics.median(two):6.2f} s, speed-up {ratio:.2f}x "
            f"(ratio of medians {statistics.median(one) / statistics.median(two):.2f}x; "
            f"runs: {' '.join(f'{a:.1f}/{b:.1f}' for a, b in zip(one, two, strict=True))})"
        )
        cpu_one = statistics.median(r.cpu for r in runs[label, 1])
        parent = statistics.median(r.parent for r in runs[label, 2])
        workers_cpu = statistics.median(r.cpu - r.parent for r in runs[label, 2])
        # On two free cores the workers share the work; the command's own CPU (start-up,
        # finding the files, reading the rows, printing) is counted whole, as if serial.
        print(
            f"  CPU, medians: 1 worker {cpu_one:.2f} s; 2 workers: the command {parent:.2f} s, "
            f"its workers {workers_cpu:.2f} s; on 2 free cores 2 workers would take about "
            f"{parent + workers_cpu / 2:.2f} s: {cpu_one / (parent + workers_cpu / 2):.2f}x"
        )
    print(
        f"speed-up 2 workers / 1 at {n:,} deals: {ratio:6.2f}x  target >= 1.6x "
        f"{verdict(1.6, ratio)}   (mean load average during the runs "
        f"{statistics.mean(loads):.1f}; this benchmark alone: ~1 and ~2)"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--moderate", type=int, default=2_000)
    parser.add_argument("--repeat-moderate", type=int, default=5)
    parser.add_argument("--moderate-only", action="store_true")
    parser.add_argument("--compare", type=Path, default=None, help="other sources (a src folder)")
    parser.add_argument("--data", type=Path, default=None, help="keep generated deals here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.data or Path(tmp)
        big = base / f"review-{args.deals}"
        generate(big, args.deals)
        small = linked(big, base / f"review-{args.small}-of-{args.deals}", args.small)
        middle = linked(big, base / f"review-{args.moderate}-of-{args.deals}", args.moderate)
        print(f"machine: {os.cpu_count()} cores; {PEOPLE} people and ~300 ties per deal")
        # Read every file once, untimed, so that no run pays the disk and the others the
        # page cache (the 1-worker run, first, used to: 66 s of wall time for 54 s of CPU).
        warm = sum(len(p.read_bytes()) for p in big.glob("deal-*.yaml"))
        print(f"{args.deals:,} deal files, {warm / 2**20:.0f} MiB, read once into the page cache")

        moderate(middle, args.moderate, args.repeat_moderate, args.compare)
        if args.moderate_only:
            return
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for workers in (1, 2):
                times[workers].append(run(small, workers).wall)
        one, two = statistics.median(times[1]), statistics.median(times[2])
        print(
            f"{args.small:,} deals, median of {args.repeat}: 1 worker {one:6.2f} s, "
            f"2 workers {two:6.2f} s, speed-up {one / two:.2f}x"
        )

        one_big, mem_one, cpu_one, load_one, _ = run(big, 1)
        two_big, mem_two, cpu_two, load_two, _ = run(big, 2)
        speedup = one_big / two_big
        print(
            f"{args.deals:,} deals, one run each: 1 worker {one_big:6.1f} s "
            f"({one_big / args.deals * 1000:.1f} ms a deal), 2 workers {two_big:6.1f} s, "
            f"speed-up {speedup:.2f}x"
        )
        print(
            f"  CPU time of all processes: 1 worker {cpu_one:.0f} s, 2 workers {cpu_two:.0f} s "
            f"(2 free cores: >= {cpu_two / 2:.0f} s); mean load average during the runs "
            f"{load_one:.1f} and {load_two:.1f} (this benchmark alone: ~1 and ~2)"
        )
        print(
            f"{args.deals:,} deals with 2 workers: {two_big:6.1f} s   target <= 60 s "
            f"{verdict(two_big, 60.0)}"
        )
        print(
            f"speed-up 2 workers / 1:  {speedup:6.2f}x  target >= 1.7x "
            f"{verdict(1.7, speedup)}   ({args.small:,} deals: {one / two:.2f}x)"
        )
        peak = max(mem_one, mem_two)
        print(
            f"peak memory (summed RSS): 1 worker {mem_one / 2**20:.0f} MiB, 2 workers "
            f"{mem_two / 2**20:.0f} MiB   target <= 1 GB {verdict(peak, 1e9)}"
        )


if __name__ == "__main__":
    main()
