"""The batch engine: run a function over many items, serially, on processes or on Dask.

:func:`run_chunks` is the engine of :func:`influence.review` and of the
review's maps. Items go out in chunks, a bounded number in flight, and results
come back as chunks finish. A worker that dies on an item (a segfault, the
out-of-memory killer) loses only that item (see :func:`run_chunks`).

Examples:
    >>> sorted(x for chunk in run_chunks(_double, [1, 2, 3], workers=1) for x in chunk)
    [2, 4, 6]
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from influence.errors import InfluenceError

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future
    from multiprocessing.connection import Connection

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DaskUnavailableError",
    "Progress",
    "WorkerError",
    "forked_workers",
    "run_chunks",
    "start_early",
]

#: Deal files sent to a worker at a time (fewer when there are few files).
DEFAULT_CHUNK_SIZE = 32
#: Chunks in flight per worker: enough to keep every worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
#: Modules a forkserver imports before it forks the workers.
WORKER_PRELOAD = [
    "influence.analysis.coverage",
    "influence.analysis.network",
    "influence.analysis.risk",
    "influence.io",
    "influence.batch.review",
    "numpy",
    "yaml_rs",
]
#: How long to try to reach a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT = "10s"

Progress = Callable[[int, int], None]


class DaskUnavailableError(InfluenceError):
    """``dask=...`` was asked for but Dask is not installed or its scheduler is unreachable."""


class WorkerError(InfluenceError):
    """Worker processes die as they start, before any deal; the review cannot complete.

    Most often a script that calls :func:`review` with several workers without
    ``if __name__ == "__main__":`` around its top level: Python's multiprocessing
    runs the script again in each worker, which then tries to start workers of its
    own. Otherwise the system stops every worker (out of memory, a limit). A
    worker that dies on one deal is not this error: that deal is listed under
    ``errors`` and the review goes on.
    """


# -- engines -------------------------------------------------------------------------

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_chunks(
    function: Callable[..., list[Result]],
    items: Sequence[Item],
    *args: Any,
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_crash: Callable[[Item, str], Result] | None = None,
) -> Iterator[list[Result]]:
    """Run ``function(chunk, *args)`` over ``items`` in chunks, serially, on processes or Dask.

    The engine of :func:`review` (and of the review's maps). ``function`` must
    be importable by the workers (defined at module level) and return one
    result per item of its chunk. At most two chunks per worker are in flight,
    so memory stays bounded; results come back as chunks finish, so callers
    sort them.

    A worker that dies (a segfault, ``os._exit``, the system's out-of-memory
    killer) loses only its own item: the chunks it interrupted are run again,
    one item at a time, on fresh workers, until the item that kills its worker
    when it is alone is known; its result is then ``on_crash(item, reason)``,
    with a reason such as ``signal SIGSEGV``. When nothing dies this costs
    nothing. In this process (one worker, or a single chunk) there is nothing
    to isolate.

    Args:
        function: Called as ``function(chunk, *args)`` with a list of items.
        items: The work.
        *args: Passed to every call (they must pickle).
        workers: Processes; default: one per available core; ``1`` (or a single
            chunk) runs in this process. With ``dask="local"``: the cluster's workers.
        dask: A Dask scheduler address, or ``"local"`` for a LocalCluster.
        progress: Called as ``progress(done, total)``: first ``(0, total)``,
            then after every chunk, ending with ``(total, total)``.
        chunk_size: Items per chunk at most (fewer when there are few items,
            so that every worker gets several chunks).
        on_crash: The result of an item whose worker dies while it runs alone;
            without it, such a death raises :class:`WorkerError`.

    Yields:
        Each chunk's results, in the order the chunks finish (an interrupted
        chunk's come back later, in smaller pieces).

    Raises:
        DaskUnavailableError: Dask is not installed, or the scheduler cannot be reached.
        WorkerError: worker processes die as they start, before any item (a
            script without a ``__main__`` guard), or one dies and there is no
            ``on_crash``.
        ValueError: ``workers`` or ``chunk_size`` below 1.

    Examples:
        >>> sorted(x for chunk in run_chunks(_double, [1, 2, 3], workers=1) for x in chunk)
        [2, 4, 6]
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    n_workers = workers or _cpu_count()
    # Serially, small last chunks would only cost progress calls: nothing waits for them.
    chunks = _chunks(items, chunk_size, n_workers, small_tail=dask is not None or n_workers > 1)
    crash = on_crash or _no_crash
    results: Iterator[list[Result]]
    if dask is not None or (n_workers > 1 and len(chunks) > 1):
        # Workers read files with this process's size limit, not their own default.
        from influence.io import max_file_size

        args = (function, max_file_size(), *args)
        function = _with_file_limit
    if dask is not None:
        results = _run_dask(function, chunks, args, dask, n_workers, crash)
    elif n_workers == 1 or len(chunks) <= 1:
        results = (function(c, *args) for c in chunks)
    else:
        results = _run_processes(function, chunks, args, n_workers, crash)
    done = 0
    if progress is not None:
        progress(0, len(items))
    for rows in results:
        done += len(rows)
        if progress is not None:
            progress(done, len(items))
        yield rows


def _chunks(
    items: Sequence[Item], chunk_size: int, workers: int, *, small_tail: bool = True
) -> list[list[Item]]:
    """Cut ``items`` in chunks of at most ``chunk_size``, smaller at the end.

    Every worker gets several chunks (about four each when items are few).
    With ``small_tail``, the last chunks in flight, one per worker and one more,
    are a quarter of the size, so that the workers finish together instead of
    one waiting for another's last big chunk.

    Examples:
        >>> [len(c) for c in _chunks(list(range(100)), 32, 2)]
        [13, 13, 13, 13, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
        >>> [len(c) for c in _chunks(list(range(5)), 32, 2)]
        [1, 1, 1, 1, 1]
        >>> [len(c) for c in _chunks(list(range(10)), 3, 1, small_tail=False)]
        [3, 3, 3, 1]
    """
    size = max(1, min(chunk_size, math.ceil(len(items) / (workers * 4))))
    small = max(1, size // 4)
    tail = min(len(items), (workers + 1) * size) if small_tail and small < size else 0
    head = (len(items) - tail) // size * size
    out = [list(items[i : min(i + size, head)]) for i in range(0, head, size)]
    out += [list(items[i : i + small]) for i in range(head, len(items), small)]
    return out


def _with_file_limit(
    chunk: list[Item], function: Callable[..., list[Result]], limit: int, *args: Any
) -> list[Result]:
    """Run ``function(chunk, *args)`` in a worker with the caller's largest file size."""
    from influence.io import set_max_file_size

    old = set_max_file_size(limit)
    try:
        return function(chunk, *args)
    finally:
        set_max_file_size(old)


def _double(chunk: list[int]) -> list[int]:
    return [2 * x for x in chunk]


def _no_crash(item: object, reason: str) -> Any:
    raise WorkerError(f"a worker process died ({reason}) while working on {item!r}")


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def forked_workers() -> Iterator[None]:
    """Inside, worker processes may be forked from this process, warm, when that is safe.

    For a program whose main module is guarded and that runs no threads of its
    own, such as the ``influence`` command (which uses it): a forked worker
    starts at once with every module this process has imported, instead of
    waiting for a forkserver to import them (about a second of start-up, which
    a review of a few thousand deals notices). It is safe only on Linux and
    while this process runs a single thread, so each pool checks that as it
    starts and otherwise uses the forkserver. Outside, workers always come from the
    forkserver: they never inherit a caller's state, and a script without
    ``if __name__ == "__main__":`` gets a :class:`WorkerError` that says so.

    Examples:
        >>> with forked_workers():
        ...     chunks = list(run_chunks(_double, [1, 2, 3], workers=2, chunk_size=1))
        >>> sorted(x for chunk in chunks for x in chunk)
        [2, 4, 6]
    """
    global _forking
    _forking += 1
    try:
        yield
    finally:
        _forking -= 1


#: How many :func:`forked_workers` blocks are open (workers may then be forked).
_forking = 0


def _context() -> multiprocessing.context.BaseContext:
    """The start method for the next pool: fork when allowed and safe, else forkserver."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    # Forking a process that runs threads (a progress bar, a Dask client, the caller's
    # own) can deadlock: only within forked_workers() and with this thread alone; and
    # only on Linux (macOS's system libraries are not safe to use after a fork).
    linux = sys.platform.startswith("linux")
    if _forking and linux and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        # The server imports these once and forks warm workers from itself (instead of
        # the caller's __main__; each worker still runs it, as __mp_main__, see WorkerError).
        multiprocessing.set_forkserver_preload(WORKER_PRELOAD)
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")  # pragma: no cover - macOS and Windows


def start_early(workers: int | None = None, dask: str | None = None) -> None:
    """Start the forkserver now, so that it imports its modules while the caller works on.

    :func:`run_chunks` would start it at its first pool and wait for it (most
    of a second of imports); started before the caller finds its files, that
    time overlaps the caller's own. Does nothing when the workers would not
    come from a forkserver (one worker, Dask, :func:`forked_workers`); calling
    it again does nothing either.

    Args:
        workers: The workers the run will have (default: one per core).
        dask: The run's Dask address, if any.

    Examples:
        >>> start_early(workers=1)  # one worker: nothing to start
    """
    n = workers if workers is not None else _cpu_count()
    if dask is not None or n < 2:
        return
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _worker_start() -> None:
    """Run first in each pool worker: the collector on (a forked worker inherits it paused).

    The objects inherited from a fork are frozen, so that the collector never
    walks them (and never copies their pages).
    """
    import gc

    gc.freeze()
    gc.enable()


def _run_processes(
    function: Callable[..., list[Result]],
    chunks: list[list[Item]],
    args: tuple[Any, ...],
    workers: int,
    on_crash: Callable[[Item, str], Result],
) -> Iterator[list[Result]]:
    """Run the chunks on a process pool; isolate the items whose worker dies.

    First every chunk, a bounded number in flight. A death breaks the whole pool
    and fails every chunk in flight, so those are run again item by item on a
    new pool; an item whose run a death interrupted again is then run alone in a
    process of its own, whose exit status names the culprit for certain.
    """
    interrupted: list[list[Item]] = []
    # At the first death, before any rerun: do workers start at all?
    yield from _pool_pass(
        function, chunks, args, workers, interrupted, lambda: _check_workers_start(_context())
    )
    if not interrupted:
        return
    alone = [c[0] for c in interrupted if len(c) == 1]
    singles = [[item] for c in interrupted if len(c) > 1 for item in c]
    again: list[list[Item]] = []
    yield from _pool_pass(function, singles, args, workers, again)
    for item in alone + [c[0] for c in again]:
        yield _run_alone(function, item, args, _context(), on_crash)


def _pool_pass(
    function: Callable[..., list[Result]],
    chunks: list[list[Item]],
    args: tuple[Any, ...],
    workers: int,
    interrupted: list[list[Item]],
    on_first_death: Callable[[], None] | None = None,
) -> Iterator[list[Result]]:
    """Yield each chunk's results; add the chunks a dead worker interrupted to ``interrupted``.

    After a death the pool is broken: a new one takes the chunks not yet sent
    (each pool picks its start method as it starts, see :func:`_context`).
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queue = collections.deque(chunks)
    limit = workers * IN_FLIGHT_PER_WORKER
    while queue:
        pending: dict[Future[list[Result]], list[Item]] = {}
        with ProcessPoolExecutor(
            max_workers=min(workers, len(queue)), mp_context=_context(), initializer=_worker_start
        ) as pool:
            try:
                while queue and len(pending) < limit:
                    pending[pool.submit(function, queue[0], *args)] = queue[0]
                    queue.popleft()
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        rows = future.result()  # raises BrokenProcessPool after a death
                        del pending[future]
                        yield rows
                        if queue:
                            pending[pool.submit(function, queue[0], *args)] = queue[0]
                            queue.popleft()
            except BrokenProcessPool:
                if on_first_death is not None:
                    on_first_death()
                    on_first_death = None
                for future, chunk in pending.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        yield future.result()  # done before the death
                    else:
                        interrupted.append(chunk)


def _probe() -> None:
    """Nothing: a worker that runs it has started (see :func:`_check_workers_start`)."""


def _check_workers_start(context: multiprocessing.context.BaseContext) -> None:
    """Raise :class:`WorkerError` when a new worker process dies before it runs anything.

    Then no item is to blame: every worker dies as it starts. Most often a script
    without ``if __name__ == "__main__":``, which each worker runs again and
    which then tries to start workers of its own.
    """
    process = context.Process(target=_probe, daemon=True)  # type: ignore[attr-defined]
    process.start()
    process.join()
    if process.exitcode != 0:
        raise WorkerError(
            "a worker process died as it started, so the review cannot complete. From a "
            'script, put the call under `if __name__ == "__main__":` (each worker runs the '
            "script's top level again), or pass workers=1 (--workers 1); otherwise the "
            f"system stopped the worker ({_exit_reason(process.exitcode)})"
        )


def _alone(send: Connection, function: Callable[..., list[Any]], item: Any, args: Any) -> None:
    """Run one item in a process of its own and send its results back (see :func:`_run_alone`)."""
    send.send(function([item], *args))
    send.close()


def _run_alone(
    function: Callable[..., list[Result]],
    item: Item,
    args: tuple[Any, ...],
    context: multiprocessing.context.BaseContext,
    on_crash: Callable[[Item, str], Result],
) -> list[Result]:
    """Run ``item`` alone in a new process: its results, or ``on_crash`` if the process dies."""
    receive, send = context.Pipe(duplex=False)
    process = context.Process(  # type: ignore[attr-defined]
        target=_alone, args=(send, function, item, args), daemon=True
    )
    process.start()
    send.close()  # so that receiving ends (EOFError) when the process dies
    try:
        rows: list[Result] | None = receive.recv()
    except EOFError:
        rows = None
    finally:
        receive.close()
    process.join()
    if rows is None:
        return [on_crash(item, _exit_reason(process.exitcode))]
    return rows


def _exit_reason(code: int | None) -> str:
    """Say how a process ended: ``signal SIGSEGV``, ``exit code 9``.

    Examples:
        >>> _exit_reason(-11), _exit_reason(9)
        ('signal SIGSEGV', 'exit code 9')
    """
    import signal

    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _run_dask(
    function: Callable[..., list[Result]],
    chunks: list[list[Item]],
    args: tuple[Any, ...],
    address: str,
    workers: int,
    on_crash: Callable[[Item, str], Result],
) -> Iterator[list[Result]]:
    """Run the chunks on a Dask cluster, a bounded number in flight; yield as they finish.

    A chunk whose workers keep dying ends as a ``KilledWorker`` (after the
    scheduler's ``allowed-failures`` retries); its items are then sent again one
    per task, one at a time, so that a ``KilledWorker`` names its item for
    certain (other tasks on a dying worker count its death too).
    """
    try:
        import dask.distributed
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise DaskUnavailableError(
            'Dask is not installed; install it with: pip install "influence[dask]"'
        ) from None
    dd: Any = dask.distributed  # partly typed: keep mypy --strict to our own code
    cluster = None
    try:
        if address == "local":
            cluster = dd.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = dd.Client(cluster)
        else:
            client = dd.Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, ValueError, TypeError) as err:
        if cluster is not None:
            cluster.close()
        raise DaskUnavailableError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    try:
        info = client.scheduler_info()["workers"].values()
        limit = max(1, sum(w.get("nthreads", 1) for w in info)) * IN_FLIGHT_PER_WORKER
        queue = iter(chunks)
        sent: dict[Any, list[Item]] = {}

        def submit(chunk: list[Item]) -> Any:
            future = client.submit(function, chunk, *args, pure=False)
            sent[future] = chunk
            return future

        killed: list[list[Item]] = []
        running = dd.as_completed([submit(c) for c in itertools.islice(queue, limit)])
        for future in running:
            chunk = sent.pop(future)
            try:
                rows: list[Result] | None = future.result()
            except KilledWorker:
                rows = None
                killed.append(chunk)
            future.release()
            nxt = next(queue, None)
            if nxt is not None:
                running.add(submit(nxt))
            if rows is not None:
                yield rows
        for item in (item for chunk in killed for item in chunk):
            future = client.submit(function, [item], *args, pure=False, retries=0)
            try:
                rows = future.result()
            except KilledWorker:
                rows = [on_crash(item, "the Dask worker died each time; see its log")]
            future.release()
            yield rows
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
