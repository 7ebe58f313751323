"""The security model: token, Host, Origin, CORS, read-only, and only deal files under PATH."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.serve.conftest import AUTH, TOKEN

ENTERPRISE = "enterprise-committee.yaml"
READS = [
    "/",
    "/api/deals",
    f"/api/deals/{ENTERPRISE}",
    f"/api/deals/{ENTERPRISE}/analyze",
    f"/deals/{ENTERPRISE}",
    "/api/openapi.json",
    "/api/review",
    "/api/versions",
    "/review",
]


@pytest.mark.parametrize("url", READS)
def test_no_token_is_401_and_a_wrong_one_403_with_no_data(
    url: str, deals: Path, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(deals)
    with caplog.at_level(logging.WARNING, logger="influence.serve"):
        missing = client.get(url)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["code"] == "unauthorized"
    assert "refused GET" in caplog.text and TOKEN not in caplog.text
    for wrong in (
        {"Authorization": "Bearer nope"},
        {"Cookie": "influence_token=nope"},
    ):
        answer = client.get(url, headers=wrong)
        assert answer.status_code == 403
        assert set(answer.json()) == {"code", "message", "problems"}
        assert "Harbourfront" not in answer.text and "zhang" not in answer.text
    assert client.get(url + ("&" if "?" in url else "?") + "token=nope").status_code == 403


def test_the_url_token_becomes_a_strict_httponly_cookie(deals: Path, make_client: Any) -> None:
    client = make_client(deals)
    first = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    cookie = first.headers["set-cookie"]
    assert f"influence_token={TOKEN}" in cookie
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    # The client keeps the cookie: the pages and the API now answer without the token.
    assert client.get("/").status_code == 200
    assert client.get("/api/deals").status_code == 200
    assert client.get(f"/deals/{ENTERPRISE}").status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "192.168.1.9"]
)
def test_a_foreign_host_header_is_refused(host: str, client: Any) -> None:
    answer = client.get("/api/deals", headers={"Host": host})
    assert answer.status_code == 400 and answer.json()["code"] == "bad-host"
    assert "Harbourfront" not in answer.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"])
def test_loopback_host_headers_are_accepted(host: str, client: Any) -> None:
    assert client.get("/api/deals", headers={"Host": host}).status_code == 200


def test_the_listening_host_is_accepted_and_everywhere_accepts_any(
    deals: Path, make_client: Any
) -> None:
    named = make_client(deals, host="10.1.2.3")
    assert named.get("/api/deals", headers={**AUTH, "Host": "10.1.2.3:8765"}).status_code == 200
    assert named.get("/api/deals", headers={**AUTH, "Host": "10.1.2.4"}).status_code == 400
    anywhere = make_client(deals, host="0.0.0.0")
    assert anywhere.get("/api/deals", headers={**AUTH, "Host": "box.lan"}).status_code == 200
    assert anywhere.get("/api/deals", headers={"Host": "box.lan"}).status_code == 401


def _edit(client: Any, headers: dict[str, str]) -> Any:
    version = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    return client.patch(
        f"/api/deals/{ENTERPRISE}/people/zhang-min",
        json={"version": version, "changes": {"stance": "ally"}},
        headers=headers,
    )


def test_a_write_from_another_origin_is_refused(client: Any, deals: Path) -> None:
    before = (deals / ENTERPRISE).read_bytes()
    for origin in ("https://evil.example", "http://127.0.0.1:9999", "null"):
        answer = _edit(client, {"Origin": origin})
        assert answer.status_code == 403 and answer.json()["code"] == "bad-origin"
    assert (deals / ENTERPRISE).read_bytes() == before
    assert _edit(client, {"Origin": "http://127.0.0.1:8765"}).status_code == 200


def test_a_cookie_write_marked_cross_site_is_refused(deals: Path, make_client: Any) -> None:
    client = make_client(deals)
    client.get(f"/?token={TOKEN}")
    answer = _edit(client, {"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403
    assert _edit(client, {"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_no_cors_headers_unless_asked(deals: Path, make_client: Any) -> None:
    plain = make_client(deals)
    answer = plain.get("/api/deals", headers={**AUTH, "Origin": "https://crm.example"})
    assert not [h for h in answer.headers if h.lower().startswith("access-control-")]
    crm = make_client(deals, cors="https://crm.example")
    answer = crm.get("/api/deals", headers={**AUTH, "Origin": "https://crm.example"})
    assert answer.headers["access-control-allow-origin"] == "https://crm.example"
    other = crm.get("/api/deals", headers={**AUTH, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    crm.headers.update(AUTH)
    assert _edit(crm, {"Origin": "https://crm.example"}).status_code == 200
    assert _edit(crm, {"Origin": "https://evil.example"}).status_code == 403


def test_read_only_refuses_every_write(deals: Path, make_client: Any) -> None:
    client = make_client(deals, read_only=True)
    client.headers.update(AUTH)
    before = {p: p.read_bytes() for p in deals.iterdir()}
    v = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    base = f"/api/deals/{ENTERPRISE}"
    writes = [
        ("POST", f"{base}/people", {"version": v, "fields": {"name": "X Y"}}),
        ("PATCH", f"{base}/people/zhang-min", {"version": v, "changes": {"stance": "ally"}}),
        ("DELETE", f"{base}/people/zhang-min?version={v}", None),
        ("POST", f"{base}/ties", {"version": v, "from": "li-wei", "to": "zhang-min"}),
        ("PATCH", f"{base}/ties/li-wei/chen-jun", {"version": v, "changes": {"strength": 1}}),
        ("DELETE", f"{base}/ties/li-wei/chen-jun?version={v}", None),
    ]
    for method, url, body in writes:
        answer = client.request(method, url, json=body)
        assert answer.status_code in (403, 405), url
        assert answer.json()["code"] == "read-only"
    assert {p: p.read_bytes() for p in deals.iterdir()} == before
    assert client.get(f"{base}/analyze").status_code == 200


def _hostile(tmp_path: Path, deals: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("deal: {name: Secret}\npeople: [{name: Spy}]\n", encoding="utf-8")
    (deals / "link-out.yaml").symlink_to(secret)
    (deals / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    (deals / ".hidden.yaml").write_text("deal: {name: Hidden}\n", encoding="utf-8")
    (deals / ".git").mkdir()
    (deals / ".git" / "x.yaml").write_text("deal: {name: Git}\n", encoding="utf-8")
    (deals / "notes.txt").write_text("deal: {name: Text}\n", encoding="utf-8")
    (deals / "sub").mkdir()
    (deals / "sub" / "inner.yaml").write_text("deal: {name: Inner}\n", encoding="utf-8")
    (deals / "sub" / "link-in.yaml").symlink_to(deals / ENTERPRISE)


HOSTILE = [
    "../secret.yaml",
    "%2e%2e/secret.yaml",
    "%2E%2E%2Fsecret.yaml",
    "sub/../../secret.yaml",
    "sub/%2e%2e/%2e%2e/secret.yaml",
    "..%2fsecret.yaml",
    "link-out.yaml",
    "linked-folder/secret.yaml",
    ".hidden.yaml",
    ".git/x.yaml",
    "notes.txt",
    "sub/..%5c..%5csecret.yaml",
    "%00.yaml",
    "sub//inner.yaml",
]


def test_hostile_paths_are_not_served(
    tmp_path: Path, deals: Path, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _hostile(tmp_path, deals)
    with caplog.at_level(logging.WARNING, logger="influence.serve"):
        assert client.get("/api/deals/link-out.yaml").status_code == 404
    assert "refused 'link-out.yaml': not a deal file served here" in caplog.text
    secret = str(tmp_path / "secret.yaml")
    urls = [f"/api/deals/{h}" for h in HOSTILE] + [
        f"/api/deals/{secret}",
        f"/api/deals/{secret}/analyze",
    ]
    urls += [f"/deals/{h}" for h in HOSTILE] + [f"/api/deals/{h}/analyze" for h in HOSTILE]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code in (400, 404), (url, answer.status_code)
        assert "Spy" not in answer.text and "Secret" not in answer.text, url
        assert "Hidden" not in answer.text and "Git" not in answer.text, url
    v = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    for h in HOSTILE:
        edit = client.post(f"/api/deals/{h}/people", json={"version": v, "fields": {"name": "Z"}})
        assert edit.status_code in (400, 404, 405), h
    assert (tmp_path / "secret.yaml").read_text(encoding="utf-8").count("Spy") == 1
    listed = sorted(d["file"] for d in client.get("/api/deals").json()["deals"])
    assert listed == sorted(
        [
            ENTERPRISE,
            "late-stage-trouble.yaml",
            "manufacturing-key-account.yaml",
            "saas-small.yaml",
            "sub/inner.yaml",
            "sub/link-in.yaml",
        ]
    )
    assert client.get("/api/deals/sub/inner.yaml").status_code == 200
    # A link that stays inside the folder is served (it is one of its deals).
    assert client.get("/api/deals/sub/link-in.yaml").json()["deal"]["deal"]["id"]
    review = client.get("/api/review").text
    assert "Spy" not in review and "Hidden" not in review


def test_several_paths_are_prefixed_by_their_folder(tmp_path: Path, make_client: Any) -> None:
    for name in ("east", "west"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "d.yaml").write_text(f"deal: {{name: {name}}}\n", encoding="utf-8")
    client = make_client([tmp_path / "east", tmp_path / "west"])
    client.headers.update(AUTH)
    listed = [d["file"] for d in client.get("/api/deals").json()["deals"]]
    assert listed == ["east/d.yaml", "west/d.yaml"]
    assert client.get("/api/deals/west/d.yaml").json()["deal"]["deal"]["name"] == "west"
    assert client.get("/api/deals/d.yaml").status_code == 404


def test_pages_escape_user_strings(tmp_path: Path, make_client: Any) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "x.yaml").write_text(
        "deal: {name: '<script>alert(1)</script>'}\npeople: [{name: '<img src=x onerror=1>'}]\n",
        encoding="utf-8",
    )
    (folder / "bad.yaml").write_text("deal: {name: T}\npeople: [{name: A, stance: '<b>'}]\n")
    client = make_client(folder)
    client.headers.update(AUTH)
    index = client.get("/").text
    assert "<script>" not in index and "&lt;script&gt;" in index
    bad = client.get("/deals/bad.yaml")
    assert bad.status_code == 422 and "<b>" not in bad.text and "&lt;b&gt;" in bad.text
    page = client.get("/deals/x.yaml")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text


def test_the_cli_refuses_a_non_loopback_host_without_a_token(cli: Any) -> None:
    result = cli("serve", "examples", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "--token" in result.stderr


def test_a_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a)
    )
    result = cli("serve", "examples")
    assert result.exit_code == 4
    assert 'pip install "influence[serve]"' in result.stderr


def test_the_real_server_on_loopback_answers_only_with_the_token(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), os.getcwd()])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "influence", "serve", "examples", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)", line)
            if match:
                url, token = match.group(1), match.group(2)
        assert url, "no URL printed"
        assert len(token) >= 40
        body = b""
        for _ in range(100):
            try:
                request = urllib.request.Request(
                    url + "api/deals", headers={"Authorization": f"Bearer {token}"}
                )
                with urllib.request.urlopen(request, timeout=5) as answer:
                    body = answer.read()
                break
            except urllib.error.URLError as err:
                if isinstance(err, urllib.error.HTTPError):
                    raise
                time.sleep(0.1)
        assert b"enterprise-committee.yaml" in body
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "api/deals", timeout=5)
        assert refused.value.code == 401
        assert b"enterprise" not in refused.value.read()
        refused.value.close()
        with pytest.raises(urllib.error.HTTPError) as wrong:
            urllib.request.urlopen(url + "api/deals?token=wrong", timeout=5)
        assert wrong.value.code == 403
        wrong.value.close()
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "influence.serve"]


def test_every_refused_request_is_logged_with_its_reason_and_client(
    tmp_path: Path, deals: Path, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _hostile(tmp_path, deals)
    client = make_client(deals)
    client.headers.update(AUTH)
    read_only = make_client(deals, read_only=True)
    read_only.headers.update(AUTH)
    v = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    edit = {"version": v, "changes": {"stance": "ally"}}
    url = f"/api/deals/{ENTERPRISE}/people/zhang-min"
    refused = [
        (lambda: client.get("/api/deals", headers={"Authorization": ""}), "unauthorized"),
        (lambda: client.get("/api/deals", headers={"Authorization": "Bearer x"}), "forbidden"),
        (lambda: client.get("/api/deals", headers={"Host": "evil.example"}), "bad-host"),
        (
            lambda: client.patch(url, json=edit, headers={"Origin": "https://evil.example"}),
            "bad-origin",
        ),
        (lambda: read_only.patch(url, json=edit), "read-only"),
    ]
    for send, code in refused:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="influence.serve"):
            answer = send()
        assert answer.json()["code"] == code
        lines = _refusals(caplog)
        assert len(lines) == 1, (code, lines)
        assert lines[0].startswith("refused ") and f": {code} (" in lines[0]
        assert "from testclient" in lines[0] and TOKEN not in lines[0]
    for key in ("%2e%2e/secret.yaml", "link-out.yaml", "linked-folder/secret.yaml"):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="influence.serve"):
            assert client.get(f"/api/deals/{key}").status_code == 404
        assert any("not a deal file served here" in line for line in _refusals(caplog)), key
    # A path the client resolved (/api/deals/../x is /api/x) matches no route: logged too.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="influence.serve"):
        assert client.get("/api/deals/../secret.yaml").status_code == 404
    assert _refusals(caplog) == [
        "refused GET '/api/secret.yaml' from testclient: not-found (Not Found)"
    ]


def test_a_foreign_host_is_named_in_the_log(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="influence.serve"):
        client.get("/api/deals", headers={"Host": "rebind.evil.example"})
    assert "Host: 'rebind.evil.example'" in caplog.text


def test_a_path_of_control_characters_cannot_forge_a_log_line(
    deals: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from influence.serve import create_app

    app = create_app(deals, token=TOKEN)
    # (A newline is dropped by the URL parser; a terminal escape is not.)
    path = "/x\x1b[2K\r2026-12-02T00:00:00Z WARNING forged\x07"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8765")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with caplog.at_level(logging.WARNING, logger="influence.serve"):
        asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 401
    (line,) = _refusals(caplog)
    assert line.isprintable()
    assert line.startswith("refused GET '/x\\x1b[2K2026-12-02T00:00:00Z WARNING forged\\x07' from ")


def test_several_tokens_each_open_the_api_and_no_other(deals: Path, make_client: Any) -> None:
    tokens = ["crm-plugin-0123456789", "bot-0123456789abcdef"]
    client = make_client(deals, token=tokens)
    for t in tokens:
        answer = client.get("/api/deals", headers={"Authorization": f"Bearer {t}"})
        assert answer.status_code == 200 and answer.json()["deals"]
    for wrong in ("crm-plugin-012345678", tokens[0] + "x", tokens[1].upper(), ""):
        answer = client.get("/api/deals", headers={"Authorization": f"Bearer {wrong}"})
        assert answer.status_code in (401, 403) and "deals" not in answer.json()


def test_create_app_refuses_a_cors_that_is_not_one_origin(deals: Path) -> None:
    from influence.serve import create_app

    for bad in ("*", "null", "https://crm.example/path", "crm.example"):
        with pytest.raises(ValueError, match="one origin"):
            create_app(deals, token=TOKEN, cors=bad)
    with pytest.raises(ValueError, match="empty"):
        create_app(deals, token=[])


def test_the_cli_checks_auth_token_and_cors(cli: Any, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("# crm\ncrm-plugin-0123456789\n", encoding="utf-8")
    both = cli("serve", "examples", "--token", "t" * 20, "--auth", tokens)
    assert both.exit_code == 2 and "not both" in both.stderr
    star = cli("serve", "examples", "--cors", "*")
    assert star.exit_code == 2 and "one origin" in star.stderr
    bad = tmp_path / "bad"
    bad.write_text("ok-token-0123456789abc\nshort\nhas a space 0123456789\n", encoding="utf-8")
    refused = cli("serve", "examples", "--host", "0.0.0.0", "--auth", bad)
    assert refused.exit_code == 3
    assert f"{bad}:2:1: token: a token must be at least 16 characters" in refused.stderr
    assert f"{bad}:3:1: token: a token is printable ASCII without spaces" in refused.stderr
    assert "short" not in refused.stderr.replace("at least", "")
    empty = tmp_path / "empty"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    assert cli("serve", "examples", "--auth", empty).exit_code == 3


def _start(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), os.getcwd()])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "influence", "serve", "examples", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        match = re.search(r"http://[^:]+:(\d+)/", line)
        if match:
            return proc, f"http://127.0.0.1:{match.group(1)}/"
    proc.terminate()
    raise AssertionError("no URL printed")


def _get(url: str, headers: dict[str, str]) -> int:
    for _ in range(100):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5):
                return 200
        except urllib.error.HTTPError as err:
            err.close()
            return err.code
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_the_real_server_beyond_loopback_takes_the_tokens_of_auth_and_logs_refusals(
    tmp_path: Path,
) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("crm-plugin-0123456789\nbot-0123456789abcdef\n", encoding="utf-8")
    proc, url = _start(["--host", "0.0.0.0", "--auth", str(tokens)])
    try:
        for t in ("crm-plugin-0123456789", "bot-0123456789abcdef"):
            assert _get(url + "api/deals", {"Authorization": f"Bearer {t}"}) == 200
        assert _get(url + "api/deals", {"Authorization": "Bearer not-one-of-them-0123"}) == 403
        assert _get(url + "api/deals", {}) == 401
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.stderr is not None
    log = proc.stderr.read()
    proc.stderr.close()
    lines = [line for line in log.splitlines() if " refused " in line]
    assert len(lines) == 2, log
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING refused GET '/api/deals' from 127\.0\.0\.1: "
    assert re.match(stamp + "forbidden", lines[0]) and re.match(stamp + "unauthorized", lines[1])
    assert "crm-plugin" not in log and "bot-0123" not in log and "not-one-of-them" not in log
