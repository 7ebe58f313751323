"""Benchmark: ``influence touch import`` of 100,000 mail headers or calendar events.

Target (issue 13): importing 100,000 calendar events or mail headers into a
300-person deal in at most 10 s and 500 MB. The deal (20 of ours, 280 of
theirs, each with an e-mail address) and the sources are generated into a
temporary folder: an mbox of N messages between our people and theirs (one in
ten to an address not in the deal), and an ``.ics`` of N single events with an
organiser and two attendees. Each import runs as a whole process on a fresh copy
of the deal (so every run adds N touchpoints); the script prints the median
wall time, CPU time (user + system) and peak memory (max RSS) of ``--repeat``
runs, and checks the count added.

``--src`` runs other source trees side by side (a worktree of main as the
base): the runs alternate between the trees, so the machine's load falls on
each alike, and the last columns give each tree's median against the first's.
Each tree must add the same touchpoints (the JSON each prints is compared).

Run: ``python benchmarks/bench_touch.py [--count 100000] [--repeat 3] [--sources mbox ics]
[--src /path/to/base/src /path/to/new/src]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import verdict

SRC = Path(__file__).resolve().parent.parent / "src"
OURS, THEIRS = 20, 280


def write_deal(path: Path) -> None:
    """The deal in block style, as ``influence import -o`` writes one (read by the fast reader)."""
    lines = ["deal:", "  name: Bench", "  as_of: 2026-11-20", "people:"]
    for i in range(OURS):
        lines += [f"  - id: s{i}", f"    name: Seller {i}", "    side: seller"]
        lines += ["    emails:", f"      - s{i}@ours.com"]
    for i in range(THEIRS):
        lines += [
            f"  - id: c{i}",
            f"    name: Customer {i}",
            "    emails:",
            f"      - c{i}@theirs.cn",
        ]
    lines.append("relationships:")
    for i in range(THEIRS):
        lines += [f"  - from: s{i % OURS}", f"    to: c{i}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _day(i: int) -> date:
    return date(2026, 11, 20) - timedelta(days=i % 900)


def write_mbox(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            we = f"s{i % OURS}@ours.com"
            they = f"c{i % THEIRS}@theirs.cn" if i % 10 else f"new{i % 50}@theirs.cn"
            sender, to = (we, they) if i % 2 else (they, we)
            d = _day(i)
            out.write(
                f"From {sender} {d:%a %b %d} 09:00:00 {d.year}\n"
                f"From: Someone <{sender}>\nTo: {to}\nCc: s{(i + 1) % OURS}@ours.com\n"
                f"Subject: message {i}\nDate: {d:%a, %d %b %Y} 09:00:00 +0800\n"
                f"Message-ID: <m{i}@bench>\nContent-Type: text/plain\n\n"
                "Hello,\nthis body is never read.\n\n"
            )


def write_ics(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n")
        for i in range(count):
            d = _day(i)
            they = f"c{i % THEIRS}@theirs.cn" if i % 10 else f"new{i % 50}@theirs.cn"
            out.write(
                "BEGIN:VEVENT\r\n"
                f"UID:e{i}@bench\r\nDTSTAMP:20261120T000000Z\r\n"
                f"DTSTART:{d:%Y%m%d}T020000Z\r\nDTEND:{d:%Y%m%d}T030000Z\r\n"
                f"SUMMARY:Meeting {i}\r\n"
                f"ORGANIZER;CN=Seller:mailto:s{i % OURS}@ours.com\r\n"
                f"ATTENDEE;CN=Them;PARTSTAT=ACCEPTED:mailto:{they}\r\n"
                f"ATTENDEE;CN=Also;PARTSTAT=ACCEPTED:mailto:c{(i + 7) % THEIRS}@theirs.cn\r\n"
                "END:VEVENT\r\n"
            )
        out.write("END:VCALENDAR\r\n")


def run(cmd: list[str], src: Path = SRC) -> tuple[float, float, float, int, str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return (
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
        out,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sources", nargs="+", default=["mbox", "ics"])
    parser.add_argument("--src", nargs="+", type=Path, default=[SRC], help="source trees")
    args = parser.parse_args()
    exe = shutil.which("influence", path=str(Path(sys.executable).parent)) or "influence"
    folder = Path(tempfile.mkdtemp(prefix="bench-touch-"))
    trees: list[Path] = args.src
    try:
        base = folder / "base.yaml"
        write_deal(base)
        writers = {"mbox": write_mbox, "ics": write_ics}
        print(f"touch import of {args.count:,} records into a {OURS + THEIRS}-person deal")
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if len(trees) > 1:
            for i, tree in enumerate(trees):
                print(f"  tree {i}: {tree}")
        print(
            f"{'source':8} {'tree':>4} {'wall s':>8} {'cpu s':>8} {'max MB':>8}  "
            "target <= 10 s, 500 MB"
        )
        for kind in args.sources:
            source = folder / f"source.{kind}"
            writers[kind](source, args.count)
            runs: dict[int, list[tuple[float, float, float, int]]] = {
                i: [] for i in range(len(trees))
            }
            outputs: dict[int, str] = {}
            for n in range(args.repeat):
                for i, tree in enumerate(trees):
                    deal = folder / f"deal{n}-{i}.yaml"
                    shutil.copy(base, deal)
                    cmd = [exe, "--max-file-size", "1GB", "touch", "import", str(deal), str(source)]
                    wall, cpu, rss, code, out = run([*cmd, "--json"], tree)
                    if code != 0:
                        raise SystemExit(f"{kind}: exit {code} (tree {i})")
                    data = json.loads(out)
                    data.pop("file")
                    outputs.setdefault(i, json.dumps(data, sort_keys=True))
                    runs[i].append((wall, cpu, rss, data["added"]))
                    deal.unlink()
            if len(set(outputs.values())) > 1:
                raise SystemExit(f"{kind}: the trees added different touchpoints")
            first: tuple[float, float, float] | None = None
            for i in range(len(trees)):
                wall = statistics.median(r[0] for r in runs[i])
                cpu = statistics.median(r[1] for r in runs[i])
                rss = statistics.median(r[2] for r in runs[i])
                added = runs[i][0][3]
                ratio = ""
                if first is None:
                    first = (wall, cpu, rss)
                else:
                    ratio = (
                        f"; x{first[0] / wall:.1f} wall, x{first[1] / cpu:.1f} cpu, "
                        f"{rss / first[2]:.0%} memory of tree 0"
                    )
                print(
                    f"{kind:8} {i:4} {wall:8.2f} {cpu:8.2f} {rss:8.0f}  {verdict(wall, 10)} / "
                    f"{verdict(rss, 500)}; {added:,} added, "
                    f"{source.stat().st_size / 1e6:.0f} MB source{ratio}"
                )
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
