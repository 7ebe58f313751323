"""Benchmark: ``influence validate`` and ``influence analyze --json`` of very large deals.

Targets (issue 15): validate + analyze of a 100,000-person deal with 1,000,000
ties in at most 20 s and 4 GB; a 1,000,000-person deal finishes (time and memory
reported).

The deals are JSON, as a CRM or HR export of that size would be (nobody types
100,000 people into YAML), written by ``benchmarks/generate.py`` to a temporary
folder, with 5% of the customers rated influential enough (0.8-1.0) to be
decision-makers (``--decision-share``), as in the deals that showed the problem:
thousands of uncovered decision-makers. Each command runs as a whole process;
the script prints the median wall time, the median CPU time (user + system, less
disturbed by other work on a shared machine) and the peak memory (max RSS) of
each. With ``--compare SRC`` the same commands also run with ``PYTHONPATH=SRC``
(say, a checkout of the main branch), interleaved run by run, and the ratios are
printed; ``--timeout`` stops a run that takes too long (reported as such).

Run: ``python benchmarks/bench_scale.py [--sizes 10000 100000 1000000] [--repeat 3]
[--compare /path/to/main/src]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import verdict
from benchmarks.generate import dump_deal, generate_deal

SRC = Path(__file__).resolve().parent.parent / "src"
#: Ties per person by deal size: 10 up to 100,000 people (1,000,000 ties); the
#: 1,000,000-person deal gets 2 (a deal of 10 million ties would not fit the
#: memory of the 2-core, 23 GB benchmark machine while it is generated).
TIES_PER_PERSON = {1_000_000: 2.0}


class Run(NamedTuple):
    """One process: wall and CPU seconds, peak RSS in MB, exit code (None: timed out)."""

    wall: float
    cpu: float
    rss_mb: float
    code: int | None


def run(cmd: list[str], src: Path, timeout: float) -> Run:
    """Run a command as its own process and measure it with ``wait4``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return Run(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, 0.0, None)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def _size_limit(exe: str, src: Path) -> list[str]:
    """``["--max-file-size", "4GB"]`` when that version of the CLI has the option."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    shown = subprocess.run([exe, "--help"], env=env, capture_output=True, text=True, check=False)
    return ["--max-file-size", "4GB"] if "--max-file-size" in shown.stdout else []


def median_run(runs: list[Run]) -> Run:
    """Medians of wall, CPU and RSS; the exit code of the worst run."""
    codes = [r.code for r in runs]
    code = None if None in codes else max(c for c in codes if c is not None)
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.rss_mb for r in runs),
        code,
    )


def show(label: str, r: Run) -> str:
    status = "timed out" if r.code is None else f"exit {r.code}"
    return (
        f"{label:<28} wall {r.wall:7.1f} s  cpu {r.cpu:7.1f} s  peak {r.rss_mb:7.0f} MB  ({status})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--repeat-big", type=int, default=1, help="runs at 1,000,000 people")
    parser.add_argument("--compare", type=Path, default=None, help="another src folder to time")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--decision-share", type=float, default=0.05)
    parser.add_argument("--keep", action="store_true", help="keep the generated deals")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="influence-bench-scale-"))
    exe = str(Path(sys.executable).with_name("influence"))
    sources = {"this": SRC}
    if args.compare is not None:
        sources["compare"] = args.compare.resolve()
    named = ", ".join(f"{k}={v}" for k, v in sources.items())
    print(f"deals in {folder} (JSON); sources: {named}")
    # Versions with a file size limit (default 50 MB) get it raised for these files.
    size_limit = {label: _size_limit(exe, src) for label, src in sources.items()}
    try:
        for n in args.sizes:
            ties = TIES_PER_PERSON.get(n, 10.0)
            start = time.perf_counter()
            share = args.decision_share
            data = generate_deal(n, seed=7, ties_per_person=ties, decision_share=share)
            path = folder / f"deal-{n}.json"
            path.write_text(dump_deal(data, "json"), encoding="utf-8")
            count = len(data["relationships"])
            del data
            print(
                f"\n{n:,} people, {count:,} ties, {path.stat().st_size / 1e6:,.0f} MB "
                f"(generated in {time.perf_counter() - start:.0f} s)"
            )
            repeat = args.repeat_big if n >= 1_000_000 else args.repeat
            commands = {
                "validate": ["validate", str(path)],
                "analyze --json": ["analyze", str(path), "--json"],
            }
            results: dict[tuple[str, str], list[Run]] = {}
            for _ in range(repeat):
                for name, cmd in commands.items():
                    for label, src in sources.items():
                        full = [exe, *size_limit[label], *cmd]
                        results.setdefault((name, label), []).append(run(full, src, args.timeout))
            medians = {key: median_run(runs) for key, runs in results.items()}
            for (name, label), r in medians.items():
                print(show(f"{name} [{label}]", r))
            for label in sources:
                v, a = medians["validate", label], medians["analyze --json", label]
                total = v.wall + a.wall
                peak = max(v.rss_mb, a.rss_mb)
                line = f"validate + analyze [{label}]: {total:.1f} s, peak {peak:.0f} MB"
                if n == 100_000:
                    line += (
                        f"  target <= 20 s {verdict(total, 20.0)}, <= 4 GB {verdict(peak, 4096.0)}"
                    )
                print(line)
            if "compare" in sources:
                for name in commands:
                    this, other = medians[name, "this"], medians[name, "compare"]
                    if other.code is None:
                        print(f"{name}: compare timed out after {args.timeout:.0f} s")
                    else:
                        print(
                            f"{name}: compare/this wall {other.wall / this.wall:.1f}x, "
                            f"cpu {other.cpu / this.cpu:.1f}x"
                        )
            if not args.keep:
                path.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
