"""``influence serve``: the deal files of a folder as a local web page and a JSON API.

The API's functions are the CLI's (one truth): :func:`influence.io.check_deal`,
:func:`influence.analysis.report.analyze` and the report JSON of the docs,
introduction paths, what-if, the pipeline review and the byte-preserving edits of
:mod:`influence.interop.edit`. FastAPI and uvicorn are an optional extra
(``pip install "influence[serve]"``); this package imports them only when an app
is made, so ``import influence`` stays quick.

Security model (docs/api.md): loopback by default; a token on every request
(``?token=`` once, then an HttpOnly SameSite=Strict cookie, or
``Authorization: Bearer``); the Host header checked (DNS rebinding); the Origin
checked on every write (CSRF); no CORS headers unless asked for; only deal files
under the served paths; ``read_only`` refuses every write.

Examples:
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from influence.errors import DealFileError, Problem
from influence.interop import MissingDependencyError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from influence.model import Policy

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "INSTALL_HINT",
    "MIN_TOKEN",
    "create_app",
    "is_loopback",
    "is_origin",
    "new_token",
    "read_tokens",
    "require_serve",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
INSTALL_HINT = 'influence serve needs FastAPI and uvicorn: pip install "influence[serve]"'

#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether a host name or address means this machine only (``127.0.0.0/8``, ``::1``).

    Examples:
        >>> [is_loopback(h) for h in ("::1", "[::1]", "127.8.0.1", "example.com", "::")]
        [True, True, True, False, False]
    """
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: A token: printable ASCII without spaces (it travels in a header, a cookie and a URL).
_TOKEN = re.compile(r"[!-~]+")
#: Tokens shorter than this are refused: a guessable token guards nothing.
MIN_TOKEN = 16
_ORIGIN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")


def is_origin(value: str) -> bool:
    """Whether ``value`` is one web origin (``scheme://host[:port]``, no path), as ``--cors`` takes.

    ``*`` and ``null`` are not origins: each would let any page call the API.

    Examples:
        >>> [is_origin(o) for o in ("https://crm.example", "http://[::1]:8080", "*", "null")]
        [True, True, False, False]
        >>> is_origin("https://crm.example/path"), is_origin("crm.example")
        (False, False)
    """
    return _ORIGIN.fullmatch(value.lower()) is not None


def read_tokens(path: str | os.PathLike[str]) -> list[str]:
    r"""The tokens of a token file (``influence serve --auth FILE``): one a line.

    Blank lines and lines starting with ``#`` are skipped; each token is printable
    ASCII without spaces, at least 16 characters. One token per client (a CRM
    plug-in, a bot, a colleague) lets one be revoked without the others.

    Raises:
        DealFileError: the file cannot be read, holds no token, or a bad one (located;
            the message never repeats a token).

    Examples:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "tokens"
        >>> _ = f.write_text("# the CRM plug-in\ncrm-0123456789abcdef\n\nbot-0123456789abcdef\n")
        >>> read_tokens(f)
        ['crm-0123456789abcdef', 'bot-0123456789abcdef']
        >>> _ = f.write_text("short\n")
        >>> read_tokens(f)
        Traceback (most recent call last):
        ...
        influence.errors.DealFileError: ...:1:1: token: a token must be at least 16 characters
    """
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise DealFileError(name, [Problem(name, 0, 0, "", f"cannot read: {reason}")]) from None
    tokens: list[str] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if _TOKEN.fullmatch(text) is None:
            problems.append(
                Problem(name, number, 1, "token", "a token is printable ASCII without spaces")
            )
        elif len(text) < MIN_TOKEN:
            why = f"a token must be at least {MIN_TOKEN} characters"
            problems.append(Problem(name, number, 1, "token", why))
        else:
            tokens.append(text)
    if not tokens and not problems:
        problems.append(Problem(name, 0, 0, "", "no token in the file (one a line)"))
    if problems:
        raise DealFileError(name, problems)
    return list(dict.fromkeys(tokens))


def new_token() -> str:
    """A fresh random token for the served URL (``secrets.token_urlsafe``, 32 bytes).

    Examples:
        >>> len(new_token()) >= 43 and new_token() != new_token()
        True
    """
    return secrets.token_urlsafe(32)


def require_serve() -> None:
    """Raise :class:`MissingDependencyError` (with the install command) without FastAPI/uvicorn.

    Examples:
        >>> require_serve()  # installed here
    """
    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingDependencyError(f"{INSTALL_HINT} (missing: {', '.join(missing)})")


def create_app(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] = ".",
    *,
    token: str | Sequence[str],
    read_only: bool = False,
    policy: Policy | None = None,
    cors: str | None = None,
    host: str = DEFAULT_HOST,
    lock_wait: float = 2.0,
    since: str | os.PathLike[str] | None = None,
) -> FastAPI:
    """Return the ASGI app (FastAPI) that serves the deal files under ``paths``.

    Args:
        paths: Folders (searched recursively) or deal files; only the deal files
            under them are served.
        token: Required on every request (bearer header, cookie, or ``?token=``); or
            several tokens (one per client), any of which is accepted.
        read_only: Refuse every write (403).
        policy: The team policy for analyses (each deal's own ``policy:`` wins).
        cors: One origin (``https://crm.example``, see :func:`is_origin`) allowed to
            call the API from a browser; default: no CORS headers at all.
        host: The address the server listens on: Host headers naming it (or a
            loopback name) are accepted; ``0.0.0.0``/``::`` accept any Host.
        lock_wait: Seconds an edit waits for another edit's lock before a 423.
        since: A saved review (``influence review --json``): the review and the
            dashboard say what changed since it (as ``influence review --since``).

    Returns:
        The app, for uvicorn or ``fastapi.testclient.TestClient``.

    Raises:
        MissingDependencyError: FastAPI is not installed (the message says how).
        DealFileError: ``since`` is not a review (its problems located).
        ValueError: no token, an empty one, or a ``cors`` that is not one origin.

    Examples:
        >>> app = create_app("examples", token="t0k", read_only=True)
        >>> sorted(app.openapi()["paths"])[:3]
        ['/api/deals', '/api/deals/{file}', '/api/deals/{file}/analyze']
    """
    require_serve()
    tokens = [token] if isinstance(token, str) else list(token)
    if not tokens or not all(tokens):
        raise ValueError("the token must not be empty")
    if cors is not None and not is_origin(cors.rstrip("/")):
        raise ValueError(f"--cors takes one origin, such as https://crm.example, not {cors!r}")
    if since is not None:
        from influence.batch.review import load_review_json

        load_review_json(since)  # refused now, not on the first request
    from influence.serve._app import build_app

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return build_app(
        list(paths),
        tokens=tokens,
        read_only=read_only,
        policy=policy,
        cors=cors,
        host=host,
        lock_wait=lock_wait,
        since=since,
    )
