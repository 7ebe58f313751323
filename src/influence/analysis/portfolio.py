"""Pipeline review: every deal of a team ranked by risk, with why, and what changed.

:func:`review` reads many deal files (files, folders searched recursively, globs),
analyses each one as :func:`influence.analyze` does (without the introduction
paths and next actions, which a ranking does not need; the risk, signals,
coverage and support are the same), and returns a :class:`PortfolioReview`:
the deals most at risk first, the files that could not be read with their
located problems, totals by grade, the signals most common across the pipeline
and, given a previous review, what changed since.

The work runs serially, in worker processes (the default: one per core) or on a
Dask distributed cluster, with identical results. Files are sent to the
workers in chunks, a bounded number at a time, and workers send back one
compact row per deal, so memory stays bounded however large the pipeline.
Whatever goes wrong with one deal, an exception in its analysis or a worker
that dies on it (a segfault), only that deal is lost: it is listed under
``errors`` and the review completes (see :func:`run_chunks`).

Order of the deals (stable, documented in the README): risk score, highest
first; then value, highest first (a deal without a value counts as 0); then
deal id; then file.

Examples:
    >>> result = review(["examples"], workers=1)
    >>> [d.risk.grade for d in result.deals]  # the three examples: one of each
    ['high', 'medium', 'low']
    >>> result.totals.by_grade["high"].deals, result.errors
    (1, [])
"""

from __future__ import annotations

import collections
import glob
import itertools
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from influence._gc import gc_paused
from influence.analysis.report import SEVERITY_ORDER, Grade, Severity, signal_identity
from influence.errors import DealFileError, InfluenceError, Problem
from influence.model import Deal, Policy

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future
    from multiprocessing.connection import Connection

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DaskUnavailableError",
    "DealChange",
    "GradeTotal",
    "PortfolioReview",
    "ReviewError",
    "ReviewRisk",
    "ReviewedDeal",
    "SignalBrief",
    "SignalCount",
    "StanceChange",
    "Totals",
    "Trend",
    "WorkerError",
    "compare",
    "load_review_json",
    "review",
    "review_deal",
    "review_files",
    "run_chunks",
]

#: Deal files sent to a worker at a time (fewer when there are few files).
DEFAULT_CHUNK_SIZE = 32
#: Chunks in flight per worker: enough to keep every worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
#: Modules a forkserver imports before it forks the workers.
WORKER_PRELOAD = [
    "influence.analysis.portfolio",
    "influence.analysis.coverage",
    "influence.analysis.network",
    "influence.analysis.risk",
    "influence.io",
    "numpy",
]
#: How long to try to reach a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT = "10s"
#: Longest exception message kept in a deal's error (its type is always given).
MESSAGE_LIMIT = 300
#: Key used for the value of deals that name no currency.
NO_CURRENCY = "none"
#: Grades from worst to best: the order of ``Totals.by_grade``.
GRADES: tuple[Grade, ...] = ("high", "medium", "low")
#: How many signal codes a deal row explains in ``top_signals`` (one message each).
TOP_SIGNALS = 3

Progress = Callable[[int, int], None]


# -- the result models ---------------------------------------------------------------


class _Row(BaseModel):
    # Unknown keys are ignored, so a review written by a newer version still loads (--since).
    model_config = ConfigDict(frozen=True)


class ReviewRisk(_Row):
    """The deal's risk score (0-100) and grade, as in its :class:`~influence.DealReport`."""

    score: int = Field(ge=0, le=100)
    grade: Grade


class SignalBrief(_Row):
    """One signal of a deal: code, severity, the people it concerns, one sentence."""

    code: str
    severity: Severity
    people: list[str]
    message: str
    role: str | None = Field(default=None, description="For role-missing and role-uncovered.")

    def identity(self) -> tuple[str, ...]:
        """What makes it the same signal in two reviews: see ``Signal.identity``.

        Examples:
            >>> a = SignalBrief(code="single-threaded", severity="high", people=[], message="")
            >>> a.identity()
            ('single-threaded',)
        """
        return signal_identity(self.code, self.role, self.people)


class StanceChange(_Row):
    """A person whose stance changed between two reviews."""

    id: str
    before: str
    after: str


class SignalRef(_Row):
    """A signal as the trend names it: code, people, role (the wording may age)."""

    code: str
    people: list[str]
    role: str | None = None


class DealChange(_Row):
    """What changed in one deal since the previous review.

    ``status`` is ``new`` for a deal the previous review did not have (the
    ``*_before`` fields are then None and the lists empty), ``changed`` when
    anything below differs, ``unchanged`` otherwise.
    """

    status: Literal["new", "changed", "unchanged"]
    grade_before: Grade | None = None
    score_before: int | None = None
    score_change: int = Field(default=0, description="Score now minus score before.")
    new_signals: list[SignalRef] = Field(default_factory=list)
    resolved_signals: list[SignalRef] = Field(default_factory=list)
    stance_changes: list[StanceChange] = Field(default_factory=list)
    people_added: list[str] = Field(default_factory=list)
    people_gone: list[str] = Field(default_factory=list)


class ReviewedDeal(_Row):
    """One deal's row in the review."""

    id: str
    file: str = Field(description="The deal file, as found.")
    name: str
    account: str | None = None
    stage: str | None = None
    value: float | None = None
    currency: str | None = None
    close_date: date | None = None
    as_of: date
    owner: str | None = None
    risk: ReviewRisk
    signals: list[str] = Field(description="Signal codes, each once, worst severity first.")
    top_signals: list[str] = Field(
        description="Why, in brief: the first message of each of the three worst signal codes."
    )
    uncovered_decision_makers: list[str] = Field(
        description="Decision-makers not covered (stale or uncovered)."
    )
    decision_makers: list[str]
    coverage: float = Field(description="Coverage score, 0..1.")
    support: float = Field(description="Support, -1..1.")
    signal_details: list[SignalBrief] = Field(description="Every signal, worst first.")
    people: dict[str, str] = Field(description="Every person's stance, by id: for the trend.")
    change: DealChange | None = Field(
        default=None, description="What changed since the previous review (with since only)."
    )


class ReviewError(_Row):
    """A file the review could not use, with every located problem."""

    file: str
    messages: list[str] = Field(description="FILE:LINE:COL: field: message, one per problem.")


class GradeTotal(_Row):
    """Deals of one grade: how many, and their value per currency."""

    deals: int
    value: dict[str, float] = Field(description="Sum of values by currency.")


class SignalCount(_Row):
    """How common one signal is across the pipeline."""

    code: str
    severity: Severity
    deals: int = Field(description="Deals with this signal.")
    count: int = Field(description="Signals with this code (some deals have several).")


class Totals(_Row):
    """Pipeline totals: deals and value by grade, the most common signals."""

    deals: int
    errors: int = Field(description="Files that could not be reviewed.")
    value: dict[str, float] = Field(description="Total value by currency.")
    by_grade: dict[Grade, GradeTotal] = Field(description="high, medium, low.")
    signals: list[SignalCount] = Field(
        description="Every signal code seen, most deals first, then severity, then code."
    )


class Trend(_Row):
    """Deals that appeared or disappeared since the previous review."""

    since: str | None = Field(default=None, description="The previous review's file.")
    appeared: list[str]
    disappeared: list[str]


class PortfolioReview(_Row):
    """A pipeline review: ranked deals, unreadable files, totals, and the trend."""

    deals: list[ReviewedDeal]
    errors: list[ReviewError]
    totals: Totals
    changes: Trend | None = None

    def to_data(self) -> dict[str, Any]:
        """Return the review as the JSON ``influence review --json`` prints.

        ``changes`` (at the top) and ``change`` (in each deal) are present only
        when the review was compared with a previous one.

        Examples:
            >>> data = review(["examples/saas-small.yaml"], workers=1).to_data()
            >>> sorted(data)
            ['deals', 'errors', 'totals']
            >>> sorted(data["deals"][0]["risk"])
            ['grade', 'score']
        """
        data = self.model_dump(mode="json")
        if self.changes is None:
            del data["changes"]
            for deal in data["deals"]:
                del deal["change"]
        return data

    def iter_json(self) -> Iterator[str]:
        """Yield the text of :meth:`to_data` as JSON, in pieces: one deal a line.

        Never builds the whole text, so printing 10,000 deals stays quick and
        small; ``"".join(review.iter_json())`` parses to :meth:`to_data`.

        Examples:
            >>> import json
            >>> result = review(["examples"], workers=1)
            >>> text = "".join(result.iter_json())
            >>> json.loads(text) == result.to_data()
            True
            >>> text.splitlines()[1].startswith('{"id":"harbourfront-planning"')
            True
        """
        exclude = None if self.changes is not None else {"change"}
        yield '{"deals": ['
        for n, deal in enumerate(self.deals):
            yield ("\n" if n == 0 else ",\n") + deal.model_dump_json(exclude=exclude)
        yield '\n],\n"errors": ['
        for n, error in enumerate(self.errors):
            yield ("\n" if n == 0 else ",\n") + error.model_dump_json()
        yield '\n],\n"totals": ' + self.totals.model_dump_json()
        if self.changes is not None:
            yield ',\n"changes": ' + self.changes.model_dump_json()
        yield "}\n"


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


# -- one deal ------------------------------------------------------------------------


def review_deal(deal: Deal, policy: Policy | None = None, *, file: str = "") -> ReviewedDeal:
    """Return one deal's review row: risk, signals, coverage, support, stances.

    The risk, signals, coverage and support are those of :func:`influence.analyze`
    (the same functions, the same policy); introduction paths and next actions,
    which a ranking does not need, are not computed.

    Args:
        deal: The deal.
        policy: The team policy; the deal's own ``policy:`` overrides it.
        file: The deal's file, for the row.

    Returns:
        The row.

    Examples:
        >>> from influence import analyze, read_deal
        >>> deal = read_deal("examples/saas-small.yaml")
        >>> row = review_deal(deal, file="examples/saas-small.yaml")
        >>> row.risk.score == analyze(deal).risk.score
        True
    """
    from influence.analysis.report import assess
    from influence.analysis.risk import deal_risk

    _, cov, sup, dms, _, _, signals = assess(deal, policy)
    risk = deal_risk(signals)
    details = sorted(
        (
            SignalBrief(
                code=s.code, severity=s.severity, people=s.people, message=s.message, role=s.role
            )
            for s in signals
        ),
        key=_signal_order,
    )
    codes = list(dict.fromkeys(s.code for s in details))
    info = deal.deal
    return ReviewedDeal(
        id=deal.id,
        file=file,
        name=info.name,
        account=info.account,
        stage=info.stage,
        value=info.value,
        currency=info.currency,
        close_date=info.close_date,
        as_of=deal.as_of(),
        owner=info.owner,
        risk=ReviewRisk(score=risk.score, grade=risk.grade),
        signals=codes,
        top_signals=[
            next(s.message for s in details if s.code == code) for code in codes[:TOP_SIGNALS]
        ],
        uncovered_decision_makers=cov.uncovered(dms),
        decision_makers=dms,
        coverage=cov.score,
        support=sup,
        signal_details=details,
        people={p.id: p.stance.value for p in sorted(deal.people, key=lambda p: p.id)},
    )


def _review_chunk(files: Sequence[tuple[str, str]], policy: Policy | None) -> list[tuple[str, str]]:
    """Review a chunk of ``(file as found, absolute path)`` pairs in a worker.

    Each row comes back as compact JSON text. Whatever goes wrong with one deal
    (a located problem, or any exception: a recursion or memory limit, a bug)
    becomes that file's error row, so the rest of the chunk is still reviewed.
    Module level, so that worker processes and Dask workers can import it.
    """
    out: list[tuple[str, str]] = []
    with gc_paused():
        for file, path in files:
            try:
                out.append(_review_one(file, path, policy))
            except Exception as err:  # one deal must not stop the review
                out.append(_error_row(file, _failure_message(err)))
    return out


def _review_one(file: str, path: str, policy: Policy | None) -> tuple[str, str]:
    from influence.io import check_deal

    result = check_deal(path)
    if result.deal is None or result.errors:
        # Read by its absolute path (a Dask worker's folder is not ours), shown as found.
        messages = [str(replace(p, file=file) if p.file == path else p) for p in result.errors]
        return ("error", ReviewError(file=file, messages=messages).model_dump_json())
    row = review_deal(result.deal, policy, file=file)
    return ("deal", row.model_dump_json(exclude={"change"}))


def _error_row(file: str, message: str) -> tuple[str, str]:
    messages = [str(Problem(file, 0, 0, "", message))]
    return ("error", ReviewError(file=file, messages=messages).model_dump_json())


def _failure_message(err: Exception) -> str:
    """Say why one deal's analysis stopped: the exception's type and (short) message."""
    text = " ".join(str(err).split())
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 3] + "..."
    what = f"{type(err).__name__}: {text}" if text else type(err).__name__
    if isinstance(err, InfluenceError):
        return f"cannot analyse this file: {text}"
    if isinstance(err, MemoryError):
        return f"the analysis ran out of memory ({what})"
    return f"the analysis failed ({what}); this is a bug in influence, please report it"


def _crash_row(item: tuple[str, str], reason: str) -> tuple[str, str]:
    """The error row of a file whose worker died while analysing it (see :func:`run_chunks`)."""
    return _error_row(item[0], f"the worker crashed while analysing this file ({reason})")


# -- many deals ----------------------------------------------------------------------


def review_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the deal files a review of ``paths`` reads: each once, sorted.

    A file is taken as it is (whatever its extension: a wrong one is then
    reported as an error); a folder is searched recursively for ``.yaml``,
    ``.yml`` and ``.json`` files, skipping hidden ones; anything else with
    ``*``, ``?`` or ``[`` is a glob (``**`` matches folders at any depth; a
    folder it matches is searched). A path that exists nowhere is kept, so that
    the review lists it as unreadable.

    Examples:
        >>> review_files(["examples/*.yaml", "examples/saas-small.yaml"])[-1]
        'examples/saas-small.yaml'
    """
    from influence.io import DEAL_SUFFIXES, find_deal_files

    found: dict[str, str] = {}

    def add(name: str) -> None:
        found.setdefault(os.path.normcase(os.path.abspath(name)), name)

    for raw in paths:
        name = os.fspath(raw)
        if os.path.isdir(name) or os.path.isfile(name) or not glob.has_magic(name):
            for f in find_deal_files([name]):
                add(f)
            continue
        for match in sorted(glob.glob(name, recursive=True)):
            if os.path.isdir(match):
                for f in find_deal_files([match]):
                    add(f)
            elif Path(match).suffix.lower() in DEAL_SUFFIXES:
                add(match)
    return sorted(found.values())


def review(
    paths: Iterable[str | os.PathLike[str]],
    *,
    policy: Policy | None = None,
    workers: int | None = None,
    dask: str | None = None,
    since: PortfolioReview | str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> PortfolioReview:
    """Review many deals: rank them by risk, list unreadable files, total by grade.

    Args:
        paths: Deal files, folders (searched recursively) and globs; see
            :func:`review_files`.
        policy: The team policy; each deal's own ``policy:`` overrides it.
        workers: Worker processes; default: one per available core. ``1`` runs
            everything in this process. With ``dask``, the workers of a
            ``"local"`` cluster.
        dask: Run on a Dask distributed cluster instead: a scheduler address
            (``tcp://host:8786``; the deal files must be readable at the same
            absolute paths on its workers: relative ones are made absolute) or
            ``"local"`` to start a local cluster of ``workers`` processes. Needs
            ``pip install "influence[dask]"``.
        since: A previous review (or the file its JSON was written to): each deal
            then says what changed, and ``changes`` lists the deals that
            appeared or disappeared. See :func:`compare`.
        progress: Called as ``progress(done, total)`` with the number of files
            reviewed so far, increasing, last with ``done == total``.
        chunk_size: Files sent to a worker at a time (fewer when there are few
            files, so that every worker gets some).

    Returns:
        The review; the same whichever way it ran.

    Raises:
        DealFileError: ``since`` names a file that is not a review's JSON.
        DaskUnavailableError: ``dask`` was given but Dask is not installed, or
            the scheduler cannot be reached.
        WorkerError: worker processes die as they start. With several workers, a
            script must call ``review`` under ``if __name__ == "__main__":``, as with
            any use of Python's multiprocessing: each worker runs the script's top
            level. (A deal whose analysis fails or kills its worker, even by a
            segfault, is only listed under ``errors``.)
        ValueError: ``workers`` or ``chunk_size`` below 1.

    Examples:
        >>> result = review(["examples"], workers=1)
        >>> len(result.deals), result.errors
        (3, [])
        >>> result.deals[0].risk.score >= result.deals[-1].risk.score
        True
    """
    previous: PortfolioReview | None = None
    since_label: str | None = None
    if since is not None:
        if isinstance(since, PortfolioReview):
            previous = since
        else:
            since_label = os.fspath(since)
            previous = load_review_json(since)
    # Absolute paths for the workers: a Dask worker resolves a relative one in its own folder.
    files = [(f, os.path.abspath(f)) for f in review_files(paths)]
    deals: list[ReviewedDeal] = []
    errors: list[ReviewError] = []
    with gc_paused():
        for rows in run_chunks(
            _review_chunk,
            files,
            policy,
            workers=workers,
            dask=dask,
            progress=progress,
            chunk_size=chunk_size,
            on_crash=_crash_row,
        ):
            for kind, row in rows:
                if kind == "deal":
                    deals.append(ReviewedDeal.model_validate_json(row))
                else:
                    errors.append(ReviewError.model_validate_json(row))
    deals.sort(key=_rank_key)
    errors.sort(key=lambda e: e.file)
    current = PortfolioReview(deals=deals, errors=errors, totals=_totals(deals, errors))
    if previous is not None:
        return compare(previous, current, since=since_label)
    return current


def _rank_key(d: ReviewedDeal) -> tuple[int, float, str, str]:
    return (-d.risk.score, -(d.value or 0.0), d.id, d.file)


def _totals(deals: list[ReviewedDeal], errors: list[ReviewError]) -> Totals:
    def money(rows: Iterable[ReviewedDeal]) -> dict[str, float]:
        sums: dict[str, list[float]] = {}
        for d in rows:
            if d.value is not None:
                sums.setdefault(d.currency or NO_CURRENCY, []).append(d.value)
        return {c: math.fsum(v) for c, v in sorted(sums.items())}

    by_grade = {
        g: GradeTotal(
            deals=sum(1 for d in deals if d.risk.grade == g),
            value=money(d for d in deals if d.risk.grade == g),
        )
        for g in GRADES
    }
    with_code: Counter[str] = Counter()
    count: Counter[str] = Counter()
    severity: dict[str, Severity] = {}
    for d in deals:
        with_code.update(d.signals)
        for s in d.signal_details:
            count[s.code] += 1
            severity[s.code] = s.severity
    signals = sorted(
        (
            SignalCount(code=c, severity=severity[c], deals=n, count=count[c])
            for c, n in with_code.items()
        ),
        key=lambda s: (-s.deals, SEVERITY_ORDER[s.severity], s.code),
    )
    return Totals(
        deals=len(deals),
        errors=len(errors),
        value=money(deals),
        by_grade=by_grade,
        signals=signals,
    )


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
    size = max(1, min(chunk_size, math.ceil(len(items) / (n_workers * 4))))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
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


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # Not fork: forking a process that runs threads (a progress bar, a Dask client,
    # the caller's own) can deadlock. forkserver starts workers from a clean process.
    if "forkserver" in multiprocessing.get_all_start_methods():
        # The server imports these once and forks warm workers from itself (instead of
        # the caller's __main__; each worker still runs it, as __mp_main__, see WorkerError).
        multiprocessing.set_forkserver_preload(WORKER_PRELOAD)
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")  # pragma: no cover - macOS and Windows


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
    context = _context()
    interrupted: list[list[Item]] = []
    # At the first death, before any rerun: do workers start at all?
    yield from _pool_pass(
        function, chunks, args, workers, context, interrupted, lambda: _check_workers_start(context)
    )
    if not interrupted:
        return
    alone = [c[0] for c in interrupted if len(c) == 1]
    singles = [[item] for c in interrupted if len(c) > 1 for item in c]
    again: list[list[Item]] = []
    yield from _pool_pass(function, singles, args, workers, context, again)
    for item in alone + [c[0] for c in again]:
        yield _run_alone(function, item, args, context, on_crash)


def _pool_pass(
    function: Callable[..., list[Result]],
    chunks: list[list[Item]],
    args: tuple[Any, ...],
    workers: int,
    context: multiprocessing.context.BaseContext,
    interrupted: list[list[Item]],
    on_first_death: Callable[[], None] | None = None,
) -> Iterator[list[Result]]:
    """Yield each chunk's results; add the chunks a dead worker interrupted to ``interrupted``.

    After a death the pool is broken: a new one takes the chunks not yet sent.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queue = collections.deque(chunks)
    limit = workers * IN_FLIGHT_PER_WORKER
    while queue:
        pending: dict[Future[list[Result]], list[Item]] = {}
        with ProcessPoolExecutor(max_workers=min(workers, len(queue)), mp_context=context) as pool:
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


# -- the trend -----------------------------------------------------------------------


def compare(
    previous: PortfolioReview, current: PortfolioReview, *, since: str | None = None
) -> PortfolioReview:
    """Return ``current`` with what changed since ``previous``.

    Deals are matched by id (by id and file for an id that several files
    share). Each deal of ``current`` gets a :class:`DealChange`: its grade and
    score before, the signals that are new and those resolved (a signal is its
    code and people; its wording may age), stance changes, people added and
    people gone. ``changes`` lists the deals that appeared and disappeared.

    Args:
        previous: The earlier review (from :func:`load_review_json`).
        current: The review now.
        since: The previous review's file, for the record.

    Returns:
        A copy of ``current`` with ``change`` on every deal and ``changes`` set.

    Examples:
        >>> now = review(["examples"], workers=1)
        >>> same = compare(now, now)
        >>> {d.change.status for d in same.deals}, same.changes.appeared
        ({'unchanged'}, [])
    """
    shared = _duplicate_ids(previous) | _duplicate_ids(current)

    def key(d: ReviewedDeal) -> str:
        return f"{d.id} ({d.file})" if d.id in shared else d.id

    before = {key(d): d for d in previous.deals}
    now_keys = {key(d) for d in current.deals}
    deals = [
        d.model_copy(update={"change": _deal_change(before.get(key(d)), d)}) for d in current.deals
    ]
    trend = Trend(
        since=since,
        appeared=sorted(k for k in now_keys if k not in before),
        disappeared=sorted(k for k in before if k not in now_keys),
    )
    return current.model_copy(update={"deals": deals, "changes": trend})


def _duplicate_ids(r: PortfolioReview) -> set[str]:
    counts = Counter(d.id for d in r.deals)
    return {i for i, n in counts.items() if n > 1}


def _signal_order(s: SignalBrief) -> tuple[int, str, list[str], str, str]:
    return (SEVERITY_ORDER[s.severity], s.code, s.people, s.role or "", s.message)


def _deal_change(old: ReviewedDeal | None, new: ReviewedDeal) -> DealChange:
    if old is None:
        return DealChange(status="new")

    def by_identity(d: ReviewedDeal) -> dict[tuple[str, ...], SignalBrief]:
        return {s.identity(): s for s in d.signal_details}

    was, now = by_identity(old), by_identity(new)

    def ordered(items: dict[tuple[str, ...], SignalBrief], keys: set[Any]) -> list[SignalRef]:
        chosen = sorted((items[k] for k in keys), key=_signal_order)
        return [SignalRef(code=s.code, people=s.people, role=s.role) for s in chosen]

    new_signals = ordered(now, now.keys() - was.keys())
    resolved = ordered(was, was.keys() - now.keys())
    stances = [
        StanceChange(id=pid, before=old.people[pid], after=stance)
        for pid, stance in sorted(new.people.items())
        if pid in old.people and old.people[pid] != stance
    ]
    added = sorted(new.people.keys() - old.people.keys())
    gone = sorted(old.people.keys() - new.people.keys())
    score_change = new.risk.score - old.risk.score
    changed = bool(
        new_signals
        or resolved
        or stances
        or added
        or gone
        or score_change
        or old.risk.grade != new.risk.grade
    )
    return DealChange(
        status="changed" if changed else "unchanged",
        grade_before=old.risk.grade,
        score_before=old.risk.score,
        score_change=score_change,
        new_signals=new_signals,
        resolved_signals=resolved,
        stance_changes=stances,
        people_added=added,
        people_gone=gone,
    )


def load_review_json(path: str | os.PathLike[str]) -> PortfolioReview:
    """Read a review written by ``influence review --json`` (for ``since``).

    Args:
        path: The JSON file.

    Returns:
        The review it holds.

    Raises:
        DealFileError: the file cannot be read, is not JSON, or is not a review;
            each problem is located (line and column, or the field).

    Examples:
        >>> import json, pathlib, tempfile
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "last-week.json"
        >>> _ = out.write_text(json.dumps(review(["examples"], workers=1).to_data()))
        >>> len(load_review_json(out).deals)
        3
        >>> _ = out.write_text('{"deals": []}')
        >>> try:
        ...     load_review_json(out)
        ... except DealFileError as err:
        ...     print(str(err).replace(str(out), "last-week.json"))
        last-week.json: errors: required field 'errors' is missing; expected the JSON of \
`influence review --json`
        last-week.json: totals: required field 'totals' is missing; expected the JSON of \
`influence review --json`
    """
    from influence.io import read_text

    name = os.fspath(path)
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DealFileError(
            name, [Problem(name, err.lineno, err.colno, "", f"invalid JSON: {err.msg}")]
        ) from None
    except RecursionError:
        raise DealFileError(
            name, [Problem(name, 0, 0, "", "invalid JSON: nested too deeply")]
        ) from None
    hint = "; expected the JSON of `influence review --json`"
    if not isinstance(data, dict):
        raise DealFileError(name, [Problem(name, 1, 1, "", "not a review" + hint)])
    try:
        return PortfolioReview.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors(include_url=False):
            where = _field_path(e["loc"])
            if e["type"] == "missing":
                message = f"required field {e['loc'][-1]!r} is missing"
            else:
                message = str(e["msg"])
            problems.append(Problem(name, 0, 0, where, message + hint))
        raise DealFileError(name, sorted(set(problems))) from None


def _field_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
