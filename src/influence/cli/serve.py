"""The ``influence serve`` command: the deal files of a folder in the browser and as a JSON API."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

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


@app.command()
def serve(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH", help="Folders (searched recursively) or deal files; default: ."
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="The address to listen on; another than loopback needs --token.")
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
    cors: Annotated[
        str | None,
        typer.Option(
            metavar="ORIGIN",
            help="Let web pages of this origin call the API (https://crm.example); default: none.",
        ),
    ] = None,
) -> None:
    """Serve the deal files under PATH: their maps in the browser and a JSON API.

    Prints the URL to open, with a random token (required on every request;
    the page keeps it in a cookie, API clients send Authorization: Bearer
    TOKEN). The API is described at /api/openapi.json. Edits keep every comment
    and untouched byte of the file and are refused (409) when the file changed
    since the client read it. Needs pip install "influence[serve]".

    Examples:

    \b
      influence serve deals/
      influence serve deals/ --port 9000 --open --policy team.yaml
      influence serve deals/ --read-only
    """
    from influence.serve import is_loopback, new_token, require_serve

    with _errors():
        require_serve()
    folders = [str(p) for p in paths] if paths else ["."]
    missing = [p for p in folders if not Path(p).exists()]
    if missing:
        _fail("no such file or folder: " + ", ".join(missing), EXIT_USAGE)
    if not is_loopback(host) and token is None:
        _fail(
            f"error: --host {host} makes the deals reachable from other machines: give the "
            "token they must send explicitly with --token TOKEN (or listen on 127.0.0.1)",
            EXIT_USAGE,
        )
    if token is not None and len(token) < 16:
        _fail("error: --token must be at least 16 characters", EXIT_USAGE)
    team = load_policy(policy)
    secret = token or new_token()
    import uvicorn

    from influence.serve import create_app

    application = create_app(
        folders, token=secret, read_only=read_only, policy=team, cors=cors, host=host
    )
    sock = _bind(host, port)
    url = _url(host, sock.getsockname()[1], secret)
    _err(
        f"Serving {len(application.state.deals.files.list())} deal files from "
        f"{', '.join(folders)}{' (read-only)' if read_only else ''}"
    )
    _err(f"Open this URL (it holds the token; keep it private):\n\n    {url}\n")
    _err("Press Ctrl-C to stop.")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(
        application,
        log_level="warning",
        access_log=False,  # an access log would write the token of ?token= URLs
        server_header=False,
        proxy_headers=False,
        lifespan="off",
    )
    uvicorn.Server(config).run(sockets=[sock])
