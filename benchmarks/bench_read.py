"""Benchmark: read + validate deal files of 30, 300 and 3,000 people.

Targets (issue 2): a 3,000-person deal with about 30,000 ties is read and
validated in at most 2 s, and at most 10x a plain ``json.load`` of the same data.

Run: ``python benchmarks/bench_read.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import side_by_side, verdict
from benchmarks.generate import generate_deal
from influence import read_deal
from influence._yaml import dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="*", default=[30, 300, 3000])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="influence-bench-read-"))
    print(
        f"{'people':>7} {'ties':>7} {'json.load':>10} {'read json':>10} {'ratio':>6} "
        f"{'read yaml':>10}  target"
    )
    for n in args.sizes:
        data = generate_deal(n, seed=7, ties_per_person=10.0)
        ties = len(data["relationships"])
        jpath = folder / f"deal-{n}.json"
        ypath = folder / f"deal-{n}.yaml"
        jpath.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        ypath.write_text(dump(data), encoding="utf-8")
        assert len(read_deal(jpath).people) == n and read_deal(ypath) == read_deal(jpath)

        def plain_json(path: Path = jpath) -> object:
            with path.open(encoding="utf-8") as handle:
                return json.load(handle)

        times = side_by_side(
            {
                "json.load": plain_json,
                "read json": lambda p=jpath: read_deal(p),
                "read yaml": lambda p=ypath: read_deal(p),
            },
            args.repeat,
        )
        ratio = times["read json"] / times["json.load"]
        target = ""
        if n >= 3000:
            target = (
                f"read json {verdict(times['read json'], 2.0)} (<= 2 s), "
                f"ratio {verdict(ratio, 10.0)} (<= 10x); "
                f"read yaml {verdict(times['read yaml'], 2.0)} (<= 2 s)"
            )
        print(
            f"{n:>7} {ties:>7} {times['json.load']:>9.4f}s {times['read json']:>9.4f}s "
            f"{ratio:>5.1f}x {times['read yaml']:>9.4f}s  {target}"
        )


if __name__ == "__main__":
    main()
