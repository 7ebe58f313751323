"""Pipeline review as a batch: read many deal files, review each on workers, load reviews.

:func:`review` reads many deal files (files, folders searched recursively,
globs; see :func:`~influence.batch.files.review_files`), reviews each one with
:func:`influence.analysis.portfolio.review_deal` on the engine of
:mod:`influence.batch.engine` (serially, in worker processes, or on Dask, with
identical results) and ranks them with
:func:`influence.analysis.portfolio.assemble_review`. Workers send back one
compact row per deal, so memory stays bounded however large the pipeline.
Whatever goes wrong with one deal, an exception in its analysis or a worker
that dies on it (a segfault), only that deal is lost: it is listed under
``errors`` and the review completes.

Examples:
    >>> result = review(["examples"], workers=1)
    >>> [d.risk.grade for d in result.deals]  # the four examples, riskiest first
    ['high', 'high', 'medium', 'medium']
    >>> result.totals.by_grade["high"].deals, result.errors
    (2, [])
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import NamedTuple

from pydantic import ValidationError

from influence._gc import gc_paused
from influence._printable import printable_json
from influence.analysis.portfolio import (
    PortfolioReview,
    ReviewedDeal,
    ReviewError,
    assemble_review,
    compare,
    review_deal,
)
from influence.batch.engine import DEFAULT_CHUNK_SIZE, Progress, run_chunks, start_early
from influence.batch.files import review_files
from influence.errors import DealFileError, InfluenceError, Problem
from influence.model import Policy

__all__ = ["ReviewRun", "iter_review_json", "load_review_json", "review", "review_run"]

#: Longest exception message kept in a deal's error (its type is always given).
MESSAGE_LIMIT = 300


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
        (4, [])
        >>> result.deals[0].risk.score >= result.deals[-1].risk.score
        True
    """
    return review_run(
        paths,
        policy=policy,
        workers=workers,
        dask=dask,
        since=since,
        progress=progress,
        chunk_size=chunk_size,
    ).result


class ReviewRun(NamedTuple):
    """A review and the JSON text of its deals as the workers wrote it (see :func:`review_run`)."""

    result: PortfolioReview
    #: The JSON of each of ``result.deals``, in order, controls escaped; None with a trend.
    deal_json: list[str] | None


def review_run(
    paths: Iterable[str | os.PathLike[str]],
    *,
    policy: Policy | None = None,
    workers: int | None = None,
    dask: str | None = None,
    since: PortfolioReview | str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ReviewRun:
    """Run :func:`review` and keep the JSON text of each deal's row for printing.

    The workers already write each row as JSON (that is how it comes back); the
    command prints those texts (:func:`iter_review_json`) instead of writing
    every row again after the last one is in. The arguments, the errors raised
    and ``result`` are those of :func:`review`.

    Examples:
        >>> run = review_run(["examples"], workers=1)
        >>> "".join(iter_review_json(run)) == "".join(run.result.iter_json())
        True
    """
    # The forkserver (if any) imports its modules while we find the files.
    start_early(workers, dask)
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
    texts: dict[int, str] = {}
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
                    deal = ReviewedDeal.model_validate_json(row)
                    deals.append(deal)
                    texts[id(deal)] = row
                else:
                    errors.append(ReviewError.model_validate_json(row))
    current = assemble_review(deals, errors)
    if previous is not None:
        return ReviewRun(compare(previous, current, since=since_label), None)
    # The ranked rows are the same objects (a row not found is written again when printed).
    return ReviewRun(current, [texts.get(id(d), "") for d in current.deals])


#: Characters of JSON text per piece that :func:`iter_review_json` yields (about).
JSON_PIECE = 1 << 20


def iter_review_json(run: ReviewRun) -> Iterator[str]:
    """Yield the JSON text of ``run.result``, controls escaped, in pieces of about a megabyte.

    The text of :meth:`~influence.analysis.portfolio.PortfolioReview.iter_json`
    passed through :func:`~influence._printable.printable_json`, byte for byte,
    with the deals' texts as the workers wrote them.

    Examples:
        >>> import json
        >>> run = review_run(["examples"], workers=1)
        >>> json.loads("".join(iter_review_json(run))) == run.result.to_data()
        True
    """
    result, texts = run
    if texts is None or result.changes is not None or len(texts) != len(result.deals):
        yield from (printable_json(piece) for piece in result.iter_json())
        return
    buffer = ['{"deals": [']
    size = 0
    for n, (deal, text) in enumerate(zip(result.deals, texts, strict=True)):
        buffer.append("\n" if n == 0 else ",\n")
        buffer.append(text or printable_json(deal.model_dump_json(exclude={"change"})))
        size += len(buffer[-1])
        if size >= JSON_PIECE:
            yield "".join(buffer)
            buffer, size = [], 0
    buffer.append('\n],\n"errors": [')
    for n, error in enumerate(result.errors):
        buffer.append(("\n" if n == 0 else ",\n") + printable_json(error.model_dump_json()))
    buffer.append('\n],\n"totals": ' + printable_json(result.totals.model_dump_json()) + "}\n")
    yield "".join(buffer)


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

    result = check_deal(path, warnings=False)  # a review lists errors only
    if result.deal is None or result.errors:
        # Read by its absolute path (a Dask worker's folder is not ours), shown as found.
        messages = [str(replace(p, file=file) if p.file == path else p) for p in result.errors]
        return ("error", ReviewError(file=file, messages=messages).model_dump_json())
    row = review_deal(result.deal, policy, file=file)
    # Printable already (it parses to the same row): the command prints it as it is.
    return ("deal", printable_json(row.model_dump_json(exclude={"change"})))


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
        4
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
