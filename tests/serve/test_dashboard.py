"""The pipeline dashboard (/review): the review page of the folder, live, linking the maps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from influence.batch.review import review_run
from influence.render.review import to_review_html
from influence.serve.dashboard import DASHBOARD_JS, dashboard_page
from tests.conftest import EXAMPLES
from tests.serve.conftest import AUTH

ENTERPRISE = "enterprise-committee.yaml"


def _table_links(page: str) -> list[str]:
    """The map links of the ranked table's rows, in the table's order."""
    return re.findall(r'<span class="clip2 name"><a href="/deals/([^"]+)">', page)


def test_the_dashboard_is_the_review_page_of_the_folder_with_links_to_the_maps(
    client: Any, deals: Path
) -> None:
    answer = client.get("/review")
    assert answer.status_code == 200
    files = sorted(str(deals / p.name) for p in EXAMPLES)
    run = review_run(files, workers=1)
    versions = client.get("/api/versions").json()["versions"]
    maps = {str(deals / k): "/deals/" + quote(k) for k in versions}
    # The page influence review writes, with the served maps' links, plus only the poll layer.
    assert answer.text == dashboard_page(to_review_html(run.result, maps=maps), versions)
    ranked = [quote(Path(d.file).name) for d in run.result.deals]
    assert _table_links(answer.text) == ranked and len(ranked) == len(EXAMPLES)
    for path in EXAMPLES:
        assert client.get(f"/deals/{quote(path.name)}").status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert 'href="/review"' in client.get("/").text


def test_versions_follow_every_change_of_the_folder(client: Any, deals: Path) -> None:
    before = client.get("/api/versions").json()["versions"]
    listed = {d["file"]: d["version"] for d in client.get("/api/deals").json()["deals"]}
    assert before == listed  # the same versions as the list, without parsing a file
    (deals / "new.yaml").write_text("deal: {name: New}\npeople: [{name: A B}]\n", "utf-8")
    with (deals / ENTERPRISE).open("a", encoding="utf-8") as f:
        f.write("# a comment saved by a text editor\n")
    (deals / "saas-small.yaml").unlink()
    after = client.get("/api/versions").json()["versions"]
    assert set(after) == set(before) - {"saas-small.yaml"} | {"new.yaml"}
    assert after[ENTERPRISE] != before[ENTERPRISE]
    assert after["manufacturing-key-account.yaml"] == before["manufacturing-key-account.yaml"]


def test_the_page_carries_the_versions_it_was_made_from_as_inert_json(
    tmp_path: Path, make_client: Any
) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    hostile = "<script>alert(1)<script>.yaml"
    (folder / hostile).write_text("deal: {name: '<img src=x onerror=1>'}\n", "utf-8")
    client = make_client(folder)
    client.headers.update(AUTH)
    page = client.get("/review").text
    data = re.search(
        r'<script type="application/json" id="influence-dashboard">(.*?)</script>', page
    )
    assert data is not None
    assert json.loads(data.group(1))["versions"] == client.get("/api/versions").json()["versions"]
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert page.count("<script>") == 2  # the review page's own script, and the poll
    assert _table_links(page) == [quote(hostile)]
    assert DASHBOARD_JS in page


def test_since_compares_with_a_saved_review(tmp_path: Path, deals: Path, make_client: Any) -> None:
    saved = tmp_path / "last-week.json"
    before = review_run([str(deals / p.name) for p in EXAMPLES], workers=1).result
    saved.write_text(json.dumps(before.to_data()), "utf-8")
    text = (deals / ENTERPRISE).read_text("utf-8")
    (deals / ENTERPRISE).write_text(text.replace("stance: ally", "stance: blocker", 1), "utf-8")
    (deals / "saas-small.yaml").unlink()
    client = make_client(deals, since=saved)
    client.headers.update(AUTH)
    review = client.get("/api/review").json()
    assert review["changes"]["disappeared"] and review["changes"]["since"] == str(saved)
    page = client.get("/review").text
    assert str(saved) in page and "since" in page
    plain = make_client(deals)
    plain.headers.update(AUTH)
    assert "changes" not in plain.get("/api/review").json()


def test_a_since_that_is_not_a_review_is_refused_at_start(
    tmp_path: Path, deals: Path, cli: Any
) -> None:
    from influence.errors import DealFileError
    from influence.serve import create_app

    bad = tmp_path / "bad.json"
    bad.write_text('{"deals": []}', "utf-8")
    with pytest.raises(DealFileError):
        create_app(deals, token="t" * 20, since=bad)
    result = cli("serve", str(deals), "--since", bad)
    assert result.exit_code == 3 and str(bad) in result.stderr


def test_an_empty_folder_has_an_empty_dashboard(tmp_path: Path, make_client: Any) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a deal", "utf-8")
    client = make_client(folder)
    client.headers.update(AUTH)
    assert client.get("/review").status_code == 200
    assert client.get("/api/versions").json() == {"versions": {}}
