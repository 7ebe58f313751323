"""Benchmark: CLI start-up.

Target (issue 2): ``influence --help`` takes at most 1.5x the time of
``python -c "import pydantic, typer"``.

Run: ``python benchmarks/bench_startup.py [--repeat 21]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import side_by_side, verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    script = Path(sys.executable).with_name("influence")
    commands = {
        "import pydantic, typer": [sys.executable, "-c", "import pydantic, typer"],
        "influence --help": [str(script), "--help"],
        "influence --version": [str(script), "--version"],
        "python -m influence --help": [sys.executable, "-m", "influence", "--help"],
    }

    def runner(cmd: list[str]) -> object:
        return lambda: subprocess.run(cmd, capture_output=True, check=True)

    times = side_by_side({name: runner(cmd) for name, cmd in commands.items()}, args.repeat)
    base = times["import pydantic, typer"]
    for name, t in times.items():
        print(f"{name:<28} median {t * 1000:7.1f} ms  ratio {t / base:4.2f}x")
    ratio = times["influence --help"] / base
    print(f"target: influence --help <= 1.5x -> {ratio:.2f}x {verdict(ratio, 1.5)}")


if __name__ == "__main__":
    main()
