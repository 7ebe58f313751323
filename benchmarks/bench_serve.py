"""Benchmark: ``influence serve`` under load, on loopback, with 2 uvicorn workers.

Targets (issue 14): ``GET .../analyze`` of a 30-person deal sustains at least 300
requests/s with p99 <= 50 ms; an edit round trip (the edit request, which
validates and writes the file, then the analysis the page shows after it, as
the editor panel does) takes p95 <= 50 ms on a 30-person deal and <= 1.5 s on a
3,000-person deal; 1,000 edits from 10 concurrent clients, each on its own deal,
leave every file valid and no edit lost.

The deals are generated (``benchmarks/generate.py``) into a temporary folder;
the server is the real command, ``influence serve FOLDER --port 0 --workers 2``,
as a child process, its token handed over in ``INFLUENCE_TOKEN``. The load
generator is a bounded pool of threads, each with its own ``httpx`` client and
connection: a fixed number of clients, a fixed duration or count, loopback only.
The client runs on the same machine as the server, so its own CPU time counts
against the figures; the load average is printed beside them.

Run: ``python benchmarks/bench_serve.py [--duration 10] [--clients 8] [--edits 1000]``
(``--quick`` for a few requests of each kind: a smoke run, no verdicts kept).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import verdict
from benchmarks.generate import dump_deal, generate_deal

SRC = Path(__file__).resolve().parent.parent / "src"
TOKEN = "bench-serve-token-0123456789abcdef"
_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, nearest rank."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def write_deals(folder: Path, concurrent: int, big: int) -> None:
    """The served deals: one to analyse, two to edit (30 and ``big`` people), one per client."""
    (folder / "analyze30.yaml").write_text(dump_deal(generate_deal(30, seed=1)), encoding="utf-8")
    (folder / "edit30.yaml").write_text(dump_deal(generate_deal(30, seed=2)), encoding="utf-8")
    (folder / "editbig.yaml").write_text(dump_deal(generate_deal(big, seed=3)), encoding="utf-8")
    for i in range(concurrent):
        deal = generate_deal(30, seed=100 + i, deal_id=f"client-{i}")
        (folder / f"client{i}.yaml").write_text(dump_deal(deal), encoding="utf-8")


@contextmanager
def serving(folder: Path, workers: int) -> Iterator[str]:
    """Run ``influence serve`` on a free loopback port; yield its base URL."""
    env = {**os.environ, "INFLUENCE_TOKEN": TOKEN}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "influence", "serve", str(folder), "--port", "0"]
    command += ["--host", "127.0.0.1", "--workers", str(workers)]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        assert proc.stderr is not None
        for line in proc.stderr:
            match = _URL.search(line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise SystemExit(f"influence serve did not start (exit {proc.wait()})")
        # Keep reading its log, so a full pipe never blocks the server.
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def client(base: str) -> Any:
    import httpx

    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30.0)


def wait_ready(base: str, workers: int) -> None:
    """Until the server answers (a few requests, so each worker has likely started)."""
    import httpx

    deadline = time.monotonic() + 60
    with client(base) as c:
        ok = 0
        while ok < 4 * workers:
            try:
                ok += c.get("/api/versions").status_code == 200
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("influence serve does not answer") from None
                time.sleep(0.2)


def analyze_load(
    base: str, clients: int, duration: float, cap: int
) -> tuple[int, float, list[float]]:
    """``clients`` threads asking for the analysis for ``duration`` s (at most ``cap`` in all)."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def run() -> None:
        mine: list[float] = []
        bad = 0
        with client(base) as c:
            c.get("/api/deals/analyze30.yaml/analyze")  # connect and warm up
            start.wait()
            while time.perf_counter() < stop_at[0] and len(mine) < cap // clients:
                t = time.perf_counter()
                r = c.get("/api/deals/analyze30.yaml/analyze")
                mine.append(time.perf_counter() - t)
                bad += r.status_code != 200
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + duration + 60  # set for real once all are connected
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + duration
    for t in threads:
        t.join()
    return sum(errors), time.perf_counter() - began, latencies


def edit_round_trips(base: str, key: str, repeat: int) -> list[float]:
    """Times of ``repeat`` edits (a person's notes set) each followed by the analysis."""
    times = []
    with client(base) as c:
        got = c.get(f"/api/deals/{key}")
        got.raise_for_status()
        version = got.json()["version"]
        person = got.json()["deal"]["people"][-1]["id"]
        for i in range(repeat):
            t = time.perf_counter()
            r = c.patch(
                f"/api/deals/{key}/people/{person}",
                json={"version": version, "changes": {"notes": f"round trip {i}"}},
            )
            r.raise_for_status()
            version = r.json()["version"]
            c.get(f"/api/deals/{key}/analyze").raise_for_status()
            times.append(time.perf_counter() - t)
        stale = c.patch(
            f"/api/deals/{key}/people/{person}",
            json={"version": "0" * 64, "changes": {"notes": "stale"}},
        )
        if stale.status_code != 409:
            raise SystemExit(f"an edit on a stale version got {stale.status_code}, not 409")
    return times


def concurrent_edits(base: str, clients: int, per_client: int) -> tuple[float, int, list[str]]:
    """``clients`` threads, each adding ``per_client`` people to its own deal; the failures."""
    failures: list[str] = []
    conflicts = [0]
    lock = threading.Lock()

    def run(i: int) -> None:
        key = f"client{i}.yaml"
        with client(base) as c:
            version = c.get(f"/api/deals/{key}").json()["version"]
            for k in range(per_client):
                body = {"version": version, "fields": {"name": f"Bench Edit {i}-{k}"}}
                r = c.post(f"/api/deals/{key}/people", json=body)
                if r.status_code == 409:  # not expected: no one else edits this deal
                    with lock:
                        conflicts[0] += 1
                    version = c.get(f"/api/deals/{key}").json()["version"]
                    r = c.post(f"/api/deals/{key}/people", json={**body, "version": version})
                if r.status_code != 200:
                    with lock:
                        failures.append(f"{key} edit {k}: {r.status_code} {r.text[:200]}")
                    continue
                version = r.json()["version"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, conflicts[0], failures


def check_files(folder: Path, clients: int, per_client: int) -> tuple[int, int, list[str]]:
    """Every served file valid; every client's added people present: (files, edits, problems)."""
    from influence.io import check_deal

    problems: list[str] = []
    files = sorted(folder.glob("*.yaml"))
    found = 0
    for path in files:
        result = check_deal(path)
        if not result.ok or result.deal is None:
            problems.append(f"{path.name}: {result.summary()}")
    for i in range(clients):
        result = check_deal(folder / f"client{i}.yaml")
        names = {p.name for p in result.deal.people} if result.deal is not None else set()
        for k in range(per_client):
            if f"Bench Edit {i}-{k}" in names:
                found += 1
            else:
                problems.append(f"client{i}.yaml: edit {k} lost")
    return len(files), found, problems


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min), {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="threads asking for analyses")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of analyze load")
    parser.add_argument("--repeat", type=int, default=100, help="30-person edit round trips")
    parser.add_argument("--repeat-big", type=int, default=10, help="3,000-person round trips")
    parser.add_argument("--big", type=int, default=3000, help="people in the big edited deal")
    parser.add_argument("--edits", type=int, default=1000, help="edits from the 10 clients")
    parser.add_argument("--quick", action="store_true", help="a few requests of each kind")
    args = parser.parse_args(argv)
    concurrent = 10
    if args.quick:
        args.duration, args.repeat, args.repeat_big, args.edits = 1.0, 5, 1, 50
        args.big = min(args.big, 100)
    per_client = max(1, args.edits // concurrent)

    print(f"{load()} (before)")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        folder = Path(tmp)
        write_deals(folder, concurrent, args.big)
        with serving(folder, args.workers) as base:
            wait_ready(base, args.workers)
            errors, elapsed, lat = analyze_load(base, args.clients, args.duration, 200_000)
            rate = len(lat) / elapsed
            p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
            print(
                f"analyze, 30 people, {args.clients} clients, {args.workers} workers: "
                f"{len(lat)} requests in {elapsed:.1f} s ({errors} not 200)"
            )
            print(f"  {rate:7.0f} requests/s   (target >= 300: {'ok' if rate >= 300 else 'OVER'})")
            print(f"  p50 {p50:6.1f} ms")
            print(f"  p99 {p99:6.1f} ms   (target <= 50 ms: {verdict(p99, 50)})")

            small = edit_round_trips(base, "edit30.yaml", args.repeat)
            med, p95 = statistics.median(small) * 1000, percentile(small, 95) * 1000
            print(f"edit round trip (edit + analyze), 30 people, {len(small)} runs:")
            print(
                f"  median {med:6.1f} ms, p95 {p95:6.1f} ms   (target <= 50 ms: {verdict(p95, 50)})"
            )

            big = edit_round_trips(base, "editbig.yaml", args.repeat_big)
            med, p95 = statistics.median(big), percentile(big, 95)
            print(f"edit round trip (edit + analyze), {args.big:,} people, {len(big)} runs:")
            print(
                f"  median {med:6.2f} s, p95 {p95:6.2f} s   (target <= 1.5 s: {verdict(p95, 1.5)})"
            )
            print("  stale version refused with 409: yes")

            took, conflicts, failures = concurrent_edits(base, concurrent, per_client)
        files, found, problems = check_files(folder, concurrent, per_client)
        total = concurrent * per_client
        print(
            f"{total} edits (people added) from {concurrent} concurrent clients on distinct "
            f"deals: {took:.1f} s ({total / took:.0f} edits/s), {conflicts} conflicts"
        )
        for line in failures + problems:
            print(f"  {line}")
        lost = total - found
        holds = not failures and not problems
        print(
            f"  {files} files valid: {files - sum(1 for p in problems if 'lost' not in p)}, "
            f"edits present: {found}/{total}, lost: {lost}   ({'ok' if holds else 'OVER'})"
        )
    print(f"{load()} (after)")
    return 0 if holds else 1


if __name__ == "__main__":
    raise SystemExit(main())
