"""The ``influence serve`` command: the deal files of a folder in the browser and as a JSON API."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from influence.cli._app import EXIT_DOMAIN, EXIT_USAGE, _err, _errors, _fail, app
from influence.cli.analyze import load_policy


def _url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the URL is printed (so ``--port 0`` shows its port)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        _fail(f"error: cannot listen on {host}:{port}: {err.strerror or err}", EXIT_DOMAIN)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _LogLine(logging.Formatter):
    """``2026-12-02T15:04:05Z WARNING refused ...``: UTC, one line per record."""

    converter = staticmethod(time.gmtime)

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")


def _log_to_stderr() -> None:
    """The server's log (refused requests: logger ``influence.serve``) on stderr, timestamped."""
    logger = logging.getLogger("influence.serve")
    if not any(getattr(h, "_influence", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_LogLine())
        handler._influence = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


@app.command()
def serve(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH", help="Folders (searched recursively) or deal files; default: ."
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            help="The address to listen on; another than loopback needs --token or --auth."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port; 0 picks a free one.")] = (
        8765
    ),
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the printed URL in the web browser.")
    ] = False,
    policy: Annotated[
        Path | None, typer.Option(help="A team policy file; each deal's own policy: wins.")
    ] = None,
    since: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="A saved review (influence review --json): the dashboard and /api/review "
            "show what changed since.",
        ),
    ] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Refuse every edit (403).")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN",
            envvar="INFLUENCE_TOKEN",
            show_envvar=False,
            help="The token every request needs (or INFLUENCE_TOKEN, which ps does not show); "
            "default: a new random one, in the printed URL.",
        ),
    ] = None,
    auth: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="A file of tokens, one a line (# comments): any is accepted, so each client "
            "can have its own; instead of --token. Keep it private (chmod 600).",
        ),
    ] = None,
    cors: Annotated[
        str | None,
        typer.Option(
            metavar="ORIGIN",
            help="Let web pages of this origin call the API (https://crm.example); default: none.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes sharing the port (each runs the library on its own "
            "thread); edits of one file still take turns on its lock.",
        ),
    ] = 1,
) -> None:
    """Serve the deal files under PATH: their maps in the browser and a JSON API.

    Prints the URL to open, with a random token (required on every request;
    the page keeps it in a cookie, API clients send Authorization: Bearer
    TOKEN). /review is the pipeline dashboard: the deals ranked by risk, each
    linking to its editable map, reloaded within seconds when a file changes.
    The API is described at /api/openapi.json. Edits keep every comment
    and untouched byte of the file and are refused (409) when the file changed
    since the client read it. Needs pip install "influence[serve]".

    Examples:

    \b
      influence serve deals/
      influence serve deals/ --port 9000 --open --policy team.yaml
      influence serve deals/ --read-only
      influence serve deals/ --workers 2
      influence serve deals/ --since last-week.json
      influence serve deals/ --host 0.0.0.0 --auth ~/.config/influence/tokens
    """
    from influence.serve import (
        MIN_TOKEN,
        is_loopback,
        is_origin,
        new_token,
        read_tokens,
        require_serve,
    )

    with _errors():
        require_serve()
    folders = [str(p) for p in paths] if paths else ["."]
    missing = [p for p in folders if not Path(p).exists()]
    if missing:
        _fail("no such file or folder: " + ", ".join(missing), EXIT_USAGE)
    if token is not None and auth is not None:
        _fail("error: give --token or --auth, not both", EXIT_USAGE)
    if not is_loopback(host) and token is None and auth is None:
        _fail(
            f"error: --host {host} makes the deals reachable from other machines: give the "
            "token they must send explicitly with --token TOKEN or --auth FILE (or listen "
            "on 127.0.0.1)",
            EXIT_USAGE,
        )
    if token is not None and len(token) < MIN_TOKEN:
        _fail(f"error: --token must be at least {MIN_TOKEN} characters", EXIT_USAGE)
    if cors is not None and not is_origin(cors.rstrip("/")):
        _fail(
            f"error: --cors takes one origin, such as https://crm.example (not {cors!r})",
            EXIT_USAGE,
        )
    with _errors():
        tokens = read_tokens(auth) if auth is not None else [token or new_token()]
    team = load_policy(policy)
    from influence.serve import create_app

    with _errors():
        application = create_app(
            folders,
            token=tokens,
            read_only=read_only,
            policy=team,
            cors=cors,
            host=host,
            since=since,
        )
    sock = _bind(host, port)
    _err(
        f"Serving {len(application.state.deals.files.list())} deal files from "
        f"{', '.join(folders)}{' (read-only)' if read_only else ''}"
    )
    if auth is None:
        url = _url(host, sock.getsockname()[1], tokens[0])
        _err(f"Open this URL (it holds the token; keep it private):\n\n    {url}\n")
    else:
        url = _url(host, sock.getsockname()[1], "TOKEN")
        n = len(tokens)
        _err(
            f"Open this URL with one of the {n} token{'s' * (n != 1)} of {auth} as "
            f"TOKEN:\n\n    {url}\n"
        )
    _log_to_stderr()
    _err("Press Ctrl-C to stop.")
    if open_browser and auth is not None:
        _err("--open: not with --auth (the URL holds no token); open it with yours")
    elif open_browser:
        import webbrowser

        webbrowser.open(url)
    if workers == 1:
        import uvicorn

        uvicorn.Server(_config(application)).run(sockets=[sock])
        return
    from uvicorn.supervisors import Multiprocess

    # Each worker is a fresh process that makes its own app (_worker_app) from these
    # settings, inherited through the environment: the tokens never reach argv (ps).
    os.environ[_WORKER_ENV] = json.dumps(
        {
            "paths": folders,
            "tokens": tokens,
            "read_only": read_only,
            "policy": None if policy is None else str(policy),
            "cors": cors,
            "host": host,
            "since": None if since is None else str(since),
        }
    )
    config = _config("influence.cli.serve:_worker_app", factory=True, workers=workers)
    Multiprocess(config, sockets=[sock]).run()


def _config(application: Any, **more: Any) -> Any:
    """The uvicorn settings of ``influence serve`` (one worker or several)."""
    import uvicorn

    return uvicorn.Config(
        application,
        log_level="warning",
        access_log=False,  # an access log would write the token of ?token= URLs
        server_header=False,
        proxy_headers=False,
        lifespan="off",
        **more,
    )


#: The environment variable that hands ``serve --workers N``'s settings to each worker.
_WORKER_ENV = "INFLUENCE_SERVE_WORKER"


def _worker_app() -> object:
    """The app of one ``serve --workers N`` process, made from the parent's settings."""
    from influence.serve import create_app

    settings = json.loads(os.environ.pop(_WORKER_ENV))
    _log_to_stderr()
    policy = settings["policy"]
    return create_app(
        settings["paths"],
        token=settings["tokens"],
        read_only=settings["read_only"],
        policy=load_policy(None if policy is None else Path(policy)),
        cors=settings["cors"],
        host=settings["host"],
        since=settings["since"],
    )
