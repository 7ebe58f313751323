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
