"""Every endpoint answers what the CLI prints for the same job; edits keep bytes and versions."""

from __future__ import annotations

import difflib
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from influence import check_deal, read_deal
from influence.analysis.paths import introduction_paths
from tests.conftest import EXAMPLES

ENTERPRISE = "enterprise-committee.yaml"


def _version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_list_deals_gives_every_file_with_its_version(client: Any, deals: Path) -> None:
    listed = client.get("/api/deals").json()["deals"]
    assert [d["file"] for d in listed] == sorted(p.name for p in EXAMPLES)
    for d in listed:
        path = deals / d["file"]
        assert d["version"] == _version(path)
        assert d["ok"] and d["people"] == len(read_deal(path).people)
        assert d["summary"] == check_deal(d["path"]).summary()


def test_read_one_deal_holds_its_data_and_version(client: Any, deals: Path) -> None:
    from influence.io import to_data

    body = client.get(f"/api/deals/{ENTERPRISE}").json()
    assert body["version"] == _version(deals / ENTERPRISE)
    assert body["deal"] == to_data(read_deal(deals / ENTERPRISE))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_analyze_is_byte_for_byte_the_cli_json(
    example: Path, client: Any, deals: Path, cli: Any
) -> None:
    printed = cli("analyze", deals / example.name, "--json")
    assert printed.exit_code == 0
    answer = client.get(f"/api/deals/{example.name}/analyze")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.content == printed.stdout_bytes


def test_analyze_with_assume_and_what_if_are_the_cli_json(
    client: Any, deals: Path, cli: Any
) -> None:
    assume = ["li-wei~chen-jun=strong", "zhang-min=ally"]
    args = [a for x in assume for a in ("--assume", x)]
    printed = cli("analyze", deals / ENTERPRISE, "--json", *args)
    query = "&".join(f"assume={x}" for x in assume)
    answer = client.get(f"/api/deals/{ENTERPRISE}/analyze?{query}")
    assert answer.content == printed.stdout_bytes
    alone = client.get(f"/api/deals/{ENTERPRISE}/what-if?{query}").json()
    assert alone == json.loads(printed.stdout)["what_if"]
    bad = client.get(f"/api/deals/{ENTERPRISE}/what-if?assume=nobody=ally")
    assert bad.status_code in (404, 422) and "nobody" in bad.json()["message"]


def test_analyze_uses_the_served_policy(
    deals: Path, make_client: Any, client: Any, tmp_path: Path
) -> None:
    from influence import analyze, read_policy
    from influence._json import model_json

    policy = tmp_path / "team.yaml"
    policy.write_text("min_threads: 9\nmax_hops: 2\nstale_after_days: 1\n", encoding="utf-8")
    client = make_client(deals, policy=read_policy(policy))
    answer = client.get(
        f"/api/deals/{ENTERPRISE}/analyze",
        headers={"Authorization": "Bearer test-token-0123456789"},
    )
    report = analyze(read_deal(deals / ENTERPRISE), read_policy(policy))
    assert json.loads(answer.text) == json.loads(model_json(report))
    assert answer.text != client.get(f"/api/deals/{ENTERPRISE}/analyze").text


def test_paths_are_the_cli_paths(client: Any, deals: Path, cli: Any) -> None:
    printed = json.loads(cli("paths", deals / ENTERPRISE, "chen-jun", "--json").stdout)
    answer = client.get(f"/api/deals/{ENTERPRISE}/paths/chen-jun").json()
    assert answer["target"] == "chen-jun" and answer["paths"] == printed["paths"]
    assert answer["paths"], "the example has paths to its CEO"
    two = client.get(f"/api/deals/{ENTERPRISE}/paths/chen-jun?k=1&max_hops=3").json()
    expected = introduction_paths(read_deal(deals / ENTERPRISE), "chen-jun", k=1, max_hops=3)
    assert two["paths"] == [p.model_dump(mode="json") for p in expected]
    missing = client.get(f"/api/deals/{ENTERPRISE}/paths/chen-jnu")
    assert missing.status_code == 404 and "did you mean 'chen-jun'" in missing.json()["message"]


def test_review_is_the_cli_review(client: Any, deals: Path, cli: Any) -> None:
    printed = json.loads(cli("review", deals, "--json", "--workers", "1", "-q").stdout)
    answer = client.get("/api/review").json()
    assert [d["id"] for d in answer["deals"]] == [d["id"] for d in printed["deals"]]
    assert answer["totals"] == printed["totals"]


def test_invalid_deal_answers_422_with_located_problems(client: Any, deals: Path) -> None:
    (deals / "bad.yaml").write_text(
        "deal: {name: Bad}\npeople:\n  - name: Ann\n    stance: alli\n", encoding="utf-8"
    )
    answer = client.get("/api/deals/bad.yaml")
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid-deal"
    (problem,) = body["problems"]
    assert problem["line"] == 4 and problem["field"] == "people[0].stance"
    assert problem["text"] == str(check_deal(deals / "bad.yaml").errors[0])
    assert "ally" in problem["message"]  # the did-you-mean
    assert client.get("/api/deals/bad.yaml/analyze").status_code == 422
    listed = {d["file"]: d for d in client.get("/api/deals").json()["deals"]}
    assert listed["bad.yaml"]["ok"] is False and listed["bad.yaml"]["errors"] == 1


def _changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_person_set_changes_only_its_line_and_answers_the_new_version(
    client: Any, deals: Path
) -> None:
    path = deals / ENTERPRISE
    old = path.read_text(encoding="utf-8")
    version = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/people/zhang-min",
        json={"version": version, "changes": {"stance": "ally"}},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["written"] and body["version"] == _version(path) != version
    assert body["changes"] == ["set zhang-min.stance: 'neutral' -> 'ally'"]
    changed = _changed_lines(old, path.read_text(encoding="utf-8"))
    assert len(changed) == 2 and all("stance:" in line for line in changed), changed
    assert read_deal(path).person("zhang-min").stance.value == "ally"


def test_every_edit_endpoint_lands_and_validates(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    base = f"/api/deals/{ENTERPRISE}"

    def version() -> str:
        return str(client.get(base).json()["version"])

    steps = [
        ("post", f"{base}/people", {"fields": {"name": "Quinn Example", "title": "CTO"}}),
        (
            "post",
            f"{base}/ties",
            {"from": "li-wei", "to": "quinn-example", "fields": {"strength": 0.6}},
        ),
        ("patch", f"{base}/ties/li-wei/quinn-example", {"changes": {"strength": "strong"}}),
        ("delete", f"{base}/ties/li-wei/quinn-example", None),
        ("delete", f"{base}/people/quinn-example", None),
    ]
    original = path.read_bytes()
    for method, url, body in steps:
        before = path.read_text(encoding="utf-8")
        v = version()
        if body is None:
            answer = client.request(method, url, params={"version": v})
        else:
            answer = client.request(method, url, json={"version": v, **body})
        assert answer.status_code == 200, (url, answer.text)
        assert answer.json()["changes"], url
        # a person add names the id it gave (the editor's undo removes that person)
        added = "quinn-example" if url.endswith("/people") and method == "post" else None
        assert answer.json()["added"] == added, url
        assert check_deal(path).ok
        assert _changed_lines(before, path.read_text(encoding="utf-8")), url
    assert read_deal(path).person("li-wei").id == "li-wei"
    assert path.read_bytes() == original  # added then removed: back byte for byte


def test_a_stale_version_is_refused_with_409_and_nothing_is_lost(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    stale = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    # Someone else's edit lands first (a text editor, another browser).
    edited = path.read_text(encoding="utf-8").replace("\n", "\n# a note\n", 1)
    path.write_text(edited, encoding="utf-8")
    answer = client.patch(
        f"/api/deals/{ENTERPRISE}/people/zhang-min",
        json={"version": stale, "changes": {"stance": "blocker"}},
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "stale-version"
    assert answer.json()["version"] == _version(path)
    assert path.read_text(encoding="utf-8") == edited  # nothing written, the other edit kept
    for method, url in (("delete", "people/zhang-min"), ("delete", "ties/li-wei/chen-jun")):
        again = client.request(method, f"/api/deals/{ENTERPRISE}/{url}", params={"version": stale})
        assert again.status_code == 409
    assert path.read_text(encoding="utf-8") == edited


def test_two_concurrent_edits_never_lose_one(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    version = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    people = ["zhang-min", "li-wei"]
    answers: dict[str, Any] = {}
    start = threading.Barrier(len(people))

    def edit(person: str) -> None:
        start.wait()
        answers[person] = client.patch(
            f"/api/deals/{ENTERPRISE}/people/{person}",
            json={"version": version, "changes": {"notes": f"edited by {person}"}},
        )

    threads = [threading.Thread(target=edit, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409]  # both read one version: one lands, one is told
    deal = read_deal(path)
    landed = [p for p in people if answers[p].status_code == 200]
    assert [p for p in people if deal.person(p).notes == f"edited by {p}"] == landed
    assert answers[landed[0]].json()["version"] == _version(path)


def test_concurrent_edits_each_with_a_fresh_version_all_land(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    names = [f"Person {n}" for n in range(6)]

    def add(name: str) -> None:
        for _ in range(50):  # re-read and retry on 409, as a client does
            v = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
            r = client.post(
                f"/api/deals/{ENTERPRISE}/people", json={"version": v, "fields": {"name": name}}
            )
            if r.status_code == 200:
                return
            assert r.status_code in (409, 423), r.text

    threads = [threading.Thread(target=add, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    have = {p.name for p in read_deal(path).people}
    assert set(names) <= have


def test_invalid_edits_answer_422_with_located_problems(client: Any, deals: Path) -> None:
    path = deals / ENTERPRISE
    before = path.read_bytes()
    v = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    bad = client.patch(
        f"/api/deals/{ENTERPRISE}/people/zhang-min",
        json={"version": v, "changes": {"stance": "alli"}},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid-edit"
    (problem,) = body["problems"]
    assert problem["field"].endswith(".stance") and problem["line"] > 0
    assert "ally" in problem["message"]
    assert problem["text"].startswith(f"{path}:{problem['line']}:")
    unknown_field = client.patch(
        f"/api/deals/{ENTERPRISE}/people/zhang-min", json={"version": v, "changes": {"stanse": "x"}}
    )
    assert unknown_field.status_code == 422 and "stance" in unknown_field.json()["message"]
    tie_to_nobody = client.post(
        f"/api/deals/{ENTERPRISE}/ties", json={"version": v, "from": "li-wei", "to": "chen-jnu"}
    )
    assert tie_to_nobody.status_code in (404, 422)
    assert "chen-jun" in tie_to_nobody.text
    in_use = client.delete(f"/api/deals/{ENTERPRISE}/people/li-wei", params={"version": v})
    assert in_use.status_code == 422
    no_body = client.post(f"/api/deals/{ENTERPRISE}/people", json={"fields": {"name": "X"}})
    assert no_body.status_code == 422 and no_body.json()["code"] == "invalid-request"
    assert path.read_bytes() == before


def test_a_busy_lock_answers_423(deals: Path, make_client: Any) -> None:
    from influence import deal_lock

    client = make_client(deals, lock_wait=0.05)
    client.headers["Authorization"] = "Bearer test-token-0123456789"
    v = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    held = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with deal_lock(deals / ENTERPRISE):
            held.set()
            done.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    try:
        answer = client.patch(
            f"/api/deals/{ENTERPRISE}/people/zhang-min",
            json={"version": v, "changes": {"stance": "ally"}},
        )
    finally:
        done.set()
        t.join()
    assert answer.status_code == 423
    assert answer.json()["code"] == "locked" and "lock" in answer.json()["message"]


def test_openapi_describes_every_endpoint(client: Any) -> None:
    doc = client.get("/api/openapi.json").json()
    ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    assert ops == {
        ("GET", "/api/deals"),
        ("GET", "/api/deals/{file}"),
        ("GET", "/api/deals/{file}/analyze"),
        ("GET", "/api/deals/{file}/what-if"),
        ("GET", "/api/deals/{file}/paths/{target}"),
        ("GET", "/api/review"),
        ("GET", "/api/versions"),
        ("POST", "/api/deals/{file}/people"),
        ("PATCH", "/api/deals/{file}/people/{person_id}"),
        ("DELETE", "/api/deals/{file}/people/{person_id}"),
        ("POST", "/api/deals/{file}/ties"),
        ("PATCH", "/api/deals/{file}/ties/{from_id}/{to_id}"),
        ("DELETE", "/api/deals/{file}/ties/{from_id}/{to_id}"),
    }
    for path, item in doc["paths"].items():
        for op in item.values():
            assert op.get("description") or op.get("summary"), path
    edit = doc["paths"]["/api/deals/{file}/people/{person_id}"]["patch"]
    assert {"409", "422", "423"} <= set(edit["responses"])


def test_every_answer_of_the_api_has_a_schema_in_the_document(client: Any) -> None:
    doc = client.get("/api/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                assert schema and schema != {}, (method, path, status)
    schemas = doc["components"]["schemas"]

    def ref(path: str) -> str:
        schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        return str(schema["schema"]["$ref"]).rsplit("/", 1)[1]

    analyze = schemas[ref("/api/deals/{file}/analyze")]
    assert {"risk", "signals", "actions", "what_if"} <= set(analyze["properties"])
    assert "what_if" not in analyze["required"] and "risk" in analyze["required"]
    what_if = schemas[ref("/api/deals/{file}/what-if")]
    assert set(what_if["required"]) == {
        "score_before",
        "grade_before",
        "score_change",
        "new_signals",
        "resolved_signals",
        "path_changes",
    }
    assert {"deals", "errors", "totals"} <= set(schemas[ref("/api/review")]["required"])


def test_a_framework_error_is_the_apis_json_error(client: Any) -> None:
    no_route = client.get("/api/nothing-here")
    assert no_route.status_code == 404 and no_route.json()["code"] == "not-found"
    wrong_method = client.put(f"/api/deals/{ENTERPRISE}/analyze")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method-not-allowed"
    assert "GET" in wrong_method.headers["allow"]
    not_json = client.post(
        f"/api/deals/{ENTERPRISE}/people",
        content=b"\x1e\xff\xfe",  # not UTF-8: the body cannot be parsed
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400 and not_json.json()["code"] == "invalid-request"
    for answer in (no_route, wrong_method, not_json):
        assert set(answer.json()) == {"code", "message", "problems"}


def test_pages_list_the_deals_and_serve_the_map(client: Any, deals: Path) -> None:
    from influence.render.html import to_html

    index = client.get("/")
    assert (
        index.status_code == 200 and "script-src 'none'" in index.headers["content-security-policy"]
    )
    for path in EXAMPLES:
        assert f'href="/deals/{path.name}"' in index.text
    page = client.get(f"/deals/{ENTERPRISE}")
    from influence.serve.editor import editor_page

    # the static page, plus only the editor layer
    assert page.text == editor_page(
        to_html(read_deal(deals / ENTERPRISE)), ENTERPRISE, read_only=False
    )
    csp = page.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'") and "frame-ancestors 'none'" in csp
    # the editor calls its own origin only
    assert "'unsafe-eval'" not in csp and "connect-src 'self'" in csp
    # its script (drag modes included) runs by its hash and writes no user string as markup
    from influence.render._page import csp_hash
    from influence.serve.editor import EDITOR_JS

    scripts = next(d for d in csp.split("; ") if d.startswith("script-src "))
    assert csp_hash(EDITOR_JS) in scripts.split() and "'unsafe-inline'" not in scripts
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function"):
        assert sink not in EDITOR_JS, sink


CHURN = """
import shutil, sys, tempfile, warnings
warnings.filterwarnings("ignore", message=".*install `httpx2`")
from fastapi.testclient import TestClient
from influence.serve import create_app
for n in range(25):  # a new app, and a new event loop per request, each time
    folder = tempfile.mkdtemp() + "/deals"
    shutil.copytree("examples", folder)
    client = TestClient(create_app(folder, token="t"), base_url="http://127.0.0.1")
    client.headers["Authorization"] = "Bearer t"
    for stance in ("ally", "neutral"):
        v = client.get("/api/deals/enterprise-committee.yaml").json()["version"]
        r = client.patch("/api/deals/enterprise-committee.yaml/people/zhang-min",
                         json={"version": v, "changes": {"stance": stance}})
        assert r.status_code == 200, r.text
print("done")
"""


def test_many_apps_and_event_loops_run_the_library_on_one_thread() -> None:
    # yaml-rs 0.1.6 crashed this process (a null pointer) when the edits ran on a fresh
    # thread per request or per app; the library's one long-lived thread does not.
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path("src").resolve()), os.getcwd()])}
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", CHURN],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "done"


def test_analyze_after_an_edit_and_after_an_outside_change_is_the_cli_json(
    client: Any, deals: Path, cli: Any
) -> None:
    # The server keeps each file's check and analysis per version: an edit made
    # through it, then a change made by hand, must each show in the next answer.
    path = deals / ENTERPRISE
    assert client.get(f"/api/deals/{ENTERPRISE}/analyze").status_code == 200  # kept
    version = client.get(f"/api/deals/{ENTERPRISE}").json()["version"]
    edited = client.patch(
        f"/api/deals/{ENTERPRISE}/people/zhang-min",
        json={"version": version, "changes": {"stance": "blocker"}},
    )
    assert edited.status_code == 200, edited.text
    answer = client.get(f"/api/deals/{ENTERPRISE}/analyze")
    assert answer.content == cli("analyze", path, "--json").stdout_bytes
    assert client.get(f"/api/deals/{ENTERPRISE}").json()["deal"] == to_data_of(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("stance: blocker", "stance: ally", 1), encoding="utf-8")
    again = client.get(f"/api/deals/{ENTERPRISE}/analyze")
    assert again.content == cli("analyze", path, "--json").stdout_bytes != answer.content
    listed = {d["file"]: d for d in client.get("/api/deals").json()["deals"]}
    assert listed[ENTERPRISE]["version"] == _version(path)
    assert listed[ENTERPRISE]["summary"] == check_deal(path).summary()


def to_data_of(path: Path) -> Any:
    from influence.io import to_data

    return to_data(read_deal(path))
