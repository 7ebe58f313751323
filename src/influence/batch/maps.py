"""The review's HTML report on disk: the report and, beside it, one map per deal.

:func:`write_review_html` writes the page of
:func:`influence.render.review.to_review_html` and draws the per-deal maps
(:func:`influence.render.html.to_html`) from the deal files on the batch
engine's workers (:func:`influence.batch.engine.run_chunks`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from influence.analysis.portfolio import PortfolioReview
from influence.batch.engine import run_chunks
from influence.model import Policy
from influence.render.review import to_review_html

__all__ = ["BACK_LINK_TEXT", "MAP_NAME_BYTES", "with_back_link", "write_review_html"]


#: Longest map file name, in bytes of UTF-8 (file systems allow 255; a zip or a share less).
MAP_NAME_BYTES = 100


def _map_names(review: PortfolioReview) -> dict[str, str]:
    """A safe, unique file name per deal file: the slug of the deal id, then -2, -3...

    Names are at most :data:`MAP_NAME_BYTES` bytes; a longer slug is cut and
    ends with a hash of the whole slug, so that the names stay distinct.

    Examples:
        >>> from influence import review
        >>> r = review(["examples/saas-small.yaml"], workers=1)
        >>> long = r.deals[0].model_copy(update={"id": "账" * 80, "file": "b.yaml"})
        >>> names = _map_names(r.model_copy(update={"deals": [r.deals[0], long, long]}))
        >>> [len(n.encode()) <= MAP_NAME_BYTES for n in names.values()]
        [True, True]
    """
    from influence.model import slugify

    taken: set[str] = set()
    out: dict[str, str] = {}
    for d in review.deals:
        base = slugify(d.id) or "deal"
        name, n = _fit(base), 1
        while name.casefold() in taken:
            n += 1
            name = _fit(f"{base}-{n}")
        taken.add(name.casefold())
        out[d.file] = name + ".html"
    return out


def _fit(stem: str) -> str:
    """``stem`` if ``stem.html`` fits in :data:`MAP_NAME_BYTES`, else its start and a hash.

    Examples:
        >>> _fit("acme-erp")
        'acme-erp'
        >>> len(_fit("账" * 80).encode()), _fit("账" * 80) == _fit("账" * 80)
        (95, True)
    """
    import hashlib

    limit = MAP_NAME_BYTES - len(".html")
    raw = stem.encode()
    if len(raw) <= limit:
        return stem
    digest = hashlib.sha256(raw).hexdigest()[:10]
    head = raw[: limit - len(digest) - 1].decode(errors="ignore").rstrip("-")
    return f"{head}-{digest}"


#: What a worker sends back for one deal: ``(file, map name, page, why there is no page)``.
_MapRow = tuple[str, str, str | None, str]


#: Text of the link from each deal's map back to the review page.
BACK_LINK_TEXT = "\u2190 Pipeline review"


def with_back_link(page: str, href: str, *, text: str = BACK_LINK_TEXT) -> str:
    """Return the map ``page`` with a link back to the review at the top of its body.

    ``href`` is relative (the review beside the maps' folder); both strings are
    escaped. The link is plain markup: no script, no style, nothing the map's
    Content-Security-Policy would refuse. It goes first in the page's
    ``<header>`` (which has the map's padding), else right after ``<body>``; a
    page with neither is returned as it is.

    Examples:
        >>> page = with_back_link("<html><body><p>map</p></body></html>", "../review.html")
        >>> page.split("<nav")[1].split(">")[1]
        '<a href="../review.html" rel="up"'
        >>> with_back_link("no body", "../r.html")
        'no body'
    """
    from html import escape

    body = page.find("<body>")
    if body < 0:
        return page
    # The first <header> after <body>: user strings are escaped, so none can fake one.
    tag = "<header>"
    at = page.find(tag, body)
    if at < 0:
        tag, at = "<body>", body
    link = (
        f'\n<nav class="back"><a href="{escape(href, quote=True)}" rel="up">'
        f"{escape(text, quote=False)}</a></nav>"
    )
    end = at + len(tag)
    return page[:end] + link + page[end:]


def _map_chunk(
    items: Sequence[tuple[str, str, str]], policy: Policy | None, back: str | None = None
) -> list[_MapRow]:
    """Render maps in a worker: ``(file, name, page or None, why not)`` per deal.

    Items are ``(file as found, map name, absolute path)``. A deal that cannot
    be drawn, whatever the reason, only loses its map, and the reason is kept.
    ``back`` is the relative link of the review, written at the top of each map.
    """
    from influence.errors import DealFileError
    from influence.io import read_deal
    from influence.render.html import to_html

    out: list[_MapRow] = []
    for file, name, path in items:
        page: str | None = None
        why = ""
        try:
            page = to_html(read_deal(path), policy=policy)
            if back is not None:
                page = with_back_link(page, back)
        except DealFileError as err:  # changed or removed since it was reviewed
            first = err.problems[0].message if err.problems else "invalid deal file"
            why = f"the file cannot be read now ({first})"
        except Exception as err:  # the report is still written, without this map
            why = f"drawing it failed ({type(err).__name__}: {str(err)[:200]})"
        out.append((file, name, page, why))
    return out


def _map_crash(item: tuple[str, str, str], reason: str) -> _MapRow:
    """No map for a deal whose worker died while drawing it."""
    return (item[0], item[1], None, f"the worker crashed while drawing it ({reason})")


def write_review_html(
    review: PortfolioReview,
    path: str | os.PathLike[str],
    *,
    maps: bool = True,
    policy: Policy | None = None,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_missing_map: Callable[[str, str], None] | None = None,
) -> list[Path]:
    """Write the HTML report and, beside it, one interactive map per deal.

    The maps go to ``<folder of path>/<stem>-maps/<deal id slug>.html`` and the
    report links them with relative URLs, each map linking back to the report
    (``../review.html``, see :func:`with_back_link`), so the folder can be
    zipped and shared. Maps are drawn by :func:`influence.render.html.to_html` from the
    deal files, on the same workers as the review.

    Args:
        review: The review.
        path: The report's file, such as ``review.html``.
        maps: Write the maps (each is self-contained, about 1 MB).
        policy: The team policy, for the maps' analysis.
        workers: Worker processes for the maps; default: one per core.
        dask: A Dask scheduler address or ``"local"`` (see :func:`influence.review`).
        progress: Called as ``progress(done, total)`` while maps are written.
        on_missing_map: Called as ``on_missing_map(file, reason)`` for each deal
            whose map could not be drawn (a file changed or removed since the
            review, a worker that died); the report then shows that deal without
            a link. The CLI prints each as a warning.

    Returns:
        The files written: the report first, then the maps.

    Examples:
        >>> import pathlib, tempfile
        >>> from influence import review
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "review.html"
        >>> written = write_review_html(review(["examples"], workers=1), out, workers=1)
        >>> [p.name for p in written][:2]
        ['review.html', 'donghai-wms.html']
        >>> 'href="review-maps/harbourfront-planning.html"' in out.read_text(encoding="utf-8")
        True
        >>> 'href="../review.html"' in written[1].read_text(encoding="utf-8")
        True
    """
    from urllib.parse import quote

    from influence.io import write_text

    target = Path(path)
    folder = target.parent
    links: dict[str, str] = {}
    written: list[Path] = []
    if maps and review.deals:
        map_dir = folder / f"{target.stem}-maps"
        map_dir.mkdir(parents=True, exist_ok=True)
        names = _map_names(review)
        # Absolute paths for the workers: a Dask worker's folder is not ours.
        items = [(f, name, os.path.abspath(f)) for f, name in sorted(names.items())]
        back = quote(f"../{target.name}")  # each map links back to the report
        for rows in run_chunks(
            _map_chunk,
            items,
            policy,
            back,
            workers=workers,
            dask=dask,
            progress=progress,
            chunk_size=16,
            on_crash=_map_crash,
        ):
            for file, name, page, why in rows:
                if page is None:
                    if on_missing_map is not None:
                        on_missing_map(file, why)
                    continue
                out = map_dir / name
                write_text(out, page)
                written.append(out)
                links[file] = quote(f"{map_dir.name}/{name}")
        written.sort()
    write_text(target, to_review_html(review, maps=links))
    return [target, *written]
