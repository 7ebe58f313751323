"""Deal files that kill the worker reviewing them, for the review's isolation tests.

No hook in the library: :func:`crash_env` writes a ``sitecustomize.py`` that
every Python started with that environment imports (worker processes inherit
it, forkserver and Dask workers too). It wraps ``influence.io.check_deal`` so
that a file whose name contains a key of :data:`DEATHS` kills its process the
way the value says, and one named after :data:`FAILURES` raises.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import ROOT

#: File name part -> how the worker dies, as the review reports it.
DEATHS = {
    "crash-segv": "signal SIGSEGV",
    "crash-abort": "signal SIGABRT",
    "crash-bus": "signal SIGBUS",
    "crash-kill": "signal SIGKILL",  # what the out-of-memory killer sends
    "crash-exit": "exit code 9",
}
#: File name part -> the exception its analysis raises.
FAILURES = {
    "crash-recursion": "RecursionError",
    "crash-bug": "RuntimeError",
    "crash-memory": "MemoryError",
    "crash-value": "ValueError",
}

SITECUSTOMIZE = '''\
"""Test only: kill or fail the process reviewing a crash-* deal file."""
import os
import signal


def _install():
    import influence.io

    real = influence.io.check_deal

    def check_deal(path, **options):
        name = os.path.basename(str(path))
        if "crash-segv" in name:
            os.kill(os.getpid(), signal.SIGSEGV)
        if "crash-abort" in name:
            os.abort()
        if "crash-bus" in name:
            os.kill(os.getpid(), signal.SIGBUS)
        if "crash-kill" in name:
            os.kill(os.getpid(), signal.SIGKILL)
        if "crash-exit" in name:
            os._exit(9)
        if "crash-recursion" in name:
            raise RecursionError("maximum recursion depth exceeded")
        if "crash-bug" in name:
            raise RuntimeError("an invented bug")
        if "crash-memory" in name:
            raise MemoryError()
        if "crash-value" in name:
            raise ValueError("a value no one expected")
        return real(path, **options)

    influence.io.check_deal = check_deal


_install()
'''

SMALL_DEAL = ROOT / "examples" / "saas-small.yaml"  # no deal.id: the file name is the id


def crash_env(folder: Path) -> dict[str, str]:
    """The environment of a process whose Pythons import the crashing sitecustomize."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(folder), str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["NO_COLOR"] = "1"
    return env


def write_deals(folder: Path, good: int, bad: list[str]) -> tuple[list[str], list[str]]:
    """Write ``good`` small deals and one per name in ``bad``; return both lists of names.

    The bad ones sort among the good ones, spread out, so that each shares a
    chunk with good deals.
    """
    folder.mkdir(parents=True, exist_ok=True)
    good_names = [f"deal-{k:04d}.yaml" for k in range(1, good + 1)]
    step = good // (len(bad) + 1)
    bad_names = [f"deal-{(n + 1) * step:04d}-{b}.yaml" for n, b in enumerate(bad)]
    for name in good_names + bad_names:
        shutil.copyfile(SMALL_DEAL, folder / name)
    return good_names, bad_names
