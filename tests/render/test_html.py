"""The HTML map: offline, safe, deterministic, with the encoding the issue asks for.

What a browser does with the page is tested in test_map_browser.py; these tests
read the page as text and as parsed HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from influence import Deal, DealMap, UnknownPersonError, analyze, deal_map, read_deal, to_html
from influence.render import html as maps
from tests.conftest import EXAMPLES, ROOT

HOSTILE = [
    "<img src=x onerror=window.__pwned=1>",
    "</script><script>window.__pwned=1</script>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "\"'><b onmouseover=alert(1)>x</b>",
    "张伟",
    "🙂 emoji",
    "{{7*7}}",
    "<!-- comment",
    "line\u2028sep\u2029para",
    "&amp; &lt;",
]


def hostile_deal() -> Deal:
    """A deal whose every string field holds text that tries to become markup or script."""
    sides = ["seller", "customer", "customer", "partner"]
    stances = ["ally", "blocker", "neutral", "unknown"]
    people: list[dict[str, Any]] = []
    for i, text in enumerate(HOSTILE):
        people.append(
            {
                "id": f"{text}#{i}",
                "name": f"{text} {i}",
                "title": text,
                "side": sides[i % 4],
                "roles": ["decision_maker"] if sides[i % 4] == "customer" else [],
                "stance": stances[i % 4],
                "influence": 0.3 + 0.05 * i,
                "notes": f"note {text}",
                "assessed": "2026-10-01",
                "style": "driver",
            }
        )
    # Ids that are also names of JavaScript's object internals.
    for i, special in enumerate(("__proto__", "constructor", "toString")):
        people.append({"id": special, "name": f"{special} {i}", "title": special})
    ids = [p["id"] for p in people]
    relationships = []
    for i in range(len(ids) - 1):
        relationships.append(
            {
                "from": ids[i],
                "to": ids[i + 1],
                "kind": ["knows", "influences", "reports_to", "knows"][i % 4],
                "strength": 0.8,
                "context": HOSTILE[i % len(HOSTILE)],
                "notes": f"tie {HOSTILE[-1 - i % len(HOSTILE)]}",
                "last_contact": "2026-11-01",
            }
        )
    relationships.append({"from": ids[0], "to": ids[2], "kind": "conflicts_with"})
    return Deal.model_validate(
        {
            "deal": {
                "id": HOSTILE[1],
                "name": "Deal " + HOSTILE[0] + HOSTILE[7],
                "account": HOSTILE[2],
                "stage": HOSTILE[3],
                "currency": HOSTILE[4],
                "value": 1000,
                "owner": ids[0],
                "as_of": "2026-11-20",
            },
            "people": people,
            "relationships": relationships,
        }
    )


class _Page(HTMLParser):
    """Every tag, attribute and script of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._in: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = dict(attrs)
            self.scripts.append((self._in, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def page_data(page: str) -> dict[str, Any]:
    parsed = parse(page)
    (data,) = [text for attrs, text in parsed.scripts if attrs.get("id") == "map-data"]
    result: dict[str, Any] = json.loads(data)
    return result


# ----------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def committee() -> Deal:
    return read_deal(ROOT / "examples" / "enterprise-committee.yaml")


def test_examples_exist() -> None:
    # The browser tests render every example; without examples they would test nothing.
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_person_and_tie_is_in_the_data(path: Path) -> None:
    deal = read_deal(path)
    data = page_data(to_html(deal))
    assert [n["id"] for n in data["nodes"]] == [p.id for p in deal.people]
    shorthand = {(p.id, p.reports_to) for p in deal.people if p.reports_to}
    declared = {(r.from_, r.to) for r in deal.relationships if r.kind.value == "reports_to"}
    assert len(data["edges"]) == len(deal.relationships) + len(shorthand - declared)
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])


def test_the_page_needs_no_network(committee: Deal) -> None:
    page = to_html(committee)
    parsed = parse(page)
    vendored = (maps.files("influence.render") / "_assets" / "vis-network.min.js").read_text(
        "utf-8"
    )
    # Three scripts: the data, vis-network (as vendored), ours; none loads a file.
    assert [a.get("type") for a, _ in parsed.scripts] == ["application/json", None, None]
    assert parsed.scripts[1][1] == vendored
    assert all("src" not in attrs for attrs, _ in parsed.scripts)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"link", "img", "iframe", "object", "embed", "base", "form", "audio"}
    # No URL anywhere but inside vis-network's own script (its licence header, the
    # SVG namespace): no CDN, no Bootstrap, no tom-select.
    outside = page.replace(vendored, "")
    assert "://" not in outside
    assert "bootstrap" not in page.lower() and "tom-select" not in page.lower()


def test_csp_forbids_requests_and_allows_only_our_scripts(committee: Deal) -> None:
    page = to_html(committee)
    parsed = parse(page)
    (csp,) = [
        a["content"]
        for tag, a in parsed.tags
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp is not None
    rules = dict(rule.strip().split(" ", 1) for rule in csp.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["connect-src"] == "'none'"
    assert "unsafe-inline" not in rules["script-src"] and "unsafe-eval" not in rules["script-src"]
    hashes = set(re.findall(r"'sha256-([^']+)'", rules["script-src"]))
    scripts = [text for attrs, text in parsed.scripts if attrs.get("type") is None]
    digests = {
        base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in scripts
    }
    assert hashes == digests
    # The policy comes before anything it governs.
    assert page.index("Content-Security-Policy") < page.index("<script")


def test_same_input_same_bytes_in_fresh_processes(tmp_path: Path) -> None:
    code = (
        "import sys; from influence import read_deal, to_html; "
        "sys.stdout.write(to_html(read_deal(sys.argv[1]), layout=sys.argv[2]))"
    )
    path = str(ROOT / "examples" / "enterprise-committee.yaml")
    for layout in ("org", "force"):
        outs = [
            subprocess.run(
                [sys.executable, "-c", code, path, layout],
                capture_output=True,
                check=True,
                env={**os.environ, "PYTHONHASHSEED": seed},
                cwd=tmp_path,
            ).stdout
            for seed in ("1", "2")
        ]
        assert outs[0] == outs[1]
        assert outs[0].startswith(b"<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == []


def test_nothing_is_written_by_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    deal = read_deal(ROOT / "examples" / "saas-small.yaml")
    to_html(deal)
    deal_map(deal, layout="force")
    assert list(tmp_path.iterdir()) == []


def test_pyvis_page_writers_are_never_called() -> None:
    source = Path(maps.__file__).read_text(encoding="utf-8")
    code = re.sub(r'""".*?"""', "", source, flags=re.S)  # docstrings may name them
    for name in ("write_html", "show(", "save_graph", "set_options", "from_nx", "generate_html"):
        assert name not in code
    assert "Network(directed=True)" in code


# ----------------------------------------------------------------------------- hostile text


def test_user_text_cannot_take_the_place_of_the_page_data() -> None:
    # The page data is put in where the template left a marker: the same text in a
    # deal name, a title or a note (shown in the header, or inside the data) stays text.
    slot = maps._DATA_SLOT
    deal = Deal.model_validate(
        {
            "deal": {"name": f"{slot} deal", "account": slot, "as_of": "2026-11-20"},
            "people": [
                {"name": "Ann", "side": "seller", "title": slot},
                {"name": "Bo", "roles": ["decision_maker"], "notes": slot},
            ],
            "relationships": [{"from": "ann", "to": "bo", "context": slot}],
        }
    )
    page = to_html(deal)
    assert slot not in page
    data = page_data(page)
    people = {n["id"]: n["person"] for n in data["nodes"]}
    assert people["ann"]["title"] == slot and people["bo"]["notes"] == slot
    assert [e["tie"]["context"] for e in data["edges"]] == [slot]
    assert f"{slot} deal" in "".join(parse(page).text)


def test_hostile_text_stays_text() -> None:
    deal = hostile_deal()
    page = to_html(deal)
    parsed = parse(page)
    # The parser sees only the template's own elements: no injected tag or handler.
    assert len(parsed.scripts) == 3
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert {tag for tag, _ in parsed.tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "div", "span",
        "ul", "li", "code", "main", "aside", "section", "input", "fieldset", "legend",
        "label", "h2", "b", "ol", "p", "svg", "circle", "rect", "polygon", "line", "script",
            "button", "details", "summary",
    }  # fmt: skip
    text = "".join(parsed.text)
    # The header, literally ({{7*7}} included: user text is never a template).
    assert "Deal " + HOSTILE[0] + HOSTILE[7] in text
    assert HOSTILE[2] in text and HOSTILE[3] in text
    # The data round-trips exactly, every string intact.
    data = page_data(page)
    people = {n["id"]: n["person"] for n in data["nodes"]}
    for p in deal.people:
        assert people[p.id]["name"] == p.name
        assert people[p.id]["title"] == p.title
        assert people[p.id]["notes"] == p.notes
    contexts = {e["tie"].get("context") for e in data["edges"]}
    assert set(HOSTILE[:-1]) <= contexts
    # Inside the JSON script nothing can end the element or start a comment.
    raw = page.split('id="map-data">', 1)[1].split("</script>", 1)[0]
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}


@given(st.text())
def test_script_json_is_inert_and_round_trips(text: str) -> None:
    out = maps._script_json({"k": text, text: [text]})
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(out) == {"k": text, text: [text]}


# ----------------------------------------------------------------------------- encoding


def test_encoding_by_stance_side_influence_and_role(committee: Deal) -> None:
    data = page_data(to_html(committee))
    report = analyze(committee)
    dms = set(report.decision_makers)
    people = committee.people_by_id()
    sizes = []
    for n in data["nodes"]:
        p = people[n["id"]]
        assert (
            n["shape"]
            == {"customer": "dot", "seller": "square", "partner": "diamond"}[p.side.value]
        )
        if p.side.value != "seller":
            assert n["color"]["background"] == maps.STANCE_COLOURS[p.stance.value]
            assert n["label"].startswith(maps.STANCE_MARKS[p.stance.value])  # second cue
        assert ("★" in n["label"]) == (p.id in dms)
        sizes.append((p.influence, n["size"]))
        dm_ring = n["borderWidth"] >= 4
        assert dm_ring == (p.id in dms)
    sizes.sort()
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(sizes))
    assert len(set(maps.STANCE_COLOURS.values())) == 4


def test_coverage_is_the_ring(committee: Deal) -> None:
    report = analyze(committee)
    data = page_data(to_html(committee, report))
    seen = set()
    for n in data["nodes"]:
        status = report.coverage.people.get(n["id"])
        if status is None:
            continue
        seen.add(status)
        dashed = n["shapeProperties"]["borderDashes"]
        ring = n["color"]["border"]
        if status == "covered":
            assert ring == "#000000" and dashed is False
        elif status == "stale":
            assert ring == "#000000" and dashed
        elif n["id"] in report.decision_makers:  # the loudest mark: "not reached"
            assert ring == maps.NOT_REACHED_COLOUR and n["borderWidth"] >= 5
        else:  # uncovered: the ring is the fill, so none shows
            assert ring == n["color"]["background"]
    assert {"covered", "uncovered"} <= seen
    unreached = [d for d in report.decision_makers if report.coverage.people[d] == "uncovered"]
    assert data["unreached"] == unreached and unreached
    assert data["colours"]["notReached"] == maps.NOT_REACHED_COLOUR


def test_each_tie_kind_has_its_own_line() -> None:
    styles = maps.KIND_STYLES
    assert len({json.dumps(s["dashes"]) for s in styles.values()}) == 4
    assert len({json.dumps(s["arrows"]) for s in styles.values()}) == 4
    assert len({s["color"] for s in styles.values()}) == 4


def test_tooltip_fields_are_all_in_the_data(committee: Deal) -> None:
    data = page_data(to_html(committee))
    fields = set(data["nodes"][0]["person"])
    assert {
        "name", "title", "roles", "influence", "network", "rank", "stance", "assessed",
        "style", "contact", "notes", "coverage", "dm",
    } <= fields  # fmt: skip
    js = (maps.files("influence.render") / "_assets" / "map.js").read_text("utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    assert "textContent" in js


# ----------------------------------------------------------------------------- layout


def test_org_layout_puts_managers_above_their_reports() -> None:
    deal = Deal.model_validate(
        {
            "deal": {"name": "org"},
            "people": [
                {"name": "Ceo"},
                *({"name": f"Vp{i}", "reports_to": "ceo"} for i in range(3)),
                *({"name": f"Ic{i}", "reports_to": f"vp{i % 3}"} for i in range(14)),
                {"name": "Rep", "side": "seller"},
                {"name": "Loner"},
            ],
        }
    )
    pos = maps.map_positions(deal, "org")
    for p in deal.people:
        if p.reports_to:
            assert pos[p.id][1] > pos[p.reports_to][1]
    assert pos["rep"][1] < pos["ceo"][1]  # our team above the customer
    assert len(set(pos.values())) == len(pos)  # nobody drawn on top of anybody


def test_org_layout_survives_a_long_chain() -> None:
    people = [{"name": "p0"}] + [
        {"name": f"p{i}", "reports_to": f"p{i - 1}"} for i in range(1, 3000)
    ]
    deal = Deal.model_validate({"deal": {"name": "chain"}, "people": people})
    pos = maps.map_positions(deal, "org")
    assert pos["p2999"][1] > pos["p0"][1]


def test_big_org_chart_wraps_to_a_screen_shape() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate_deal

    deal = Deal.model_validate(generate_deal(1500, seed=5, ties_per_person=2))
    pos = maps.map_positions(deal, "org")
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    aspect = (max(xs) - min(xs)) / (max(ys) - min(ys))
    assert 0.3 < aspect < 6
    assert len(set(pos.values())) == len(pos)


def test_force_layout_is_seeded() -> None:
    deal = read_deal(ROOT / "examples" / "enterprise-committee.yaml")
    a = maps.map_positions(deal, "force", seed=1)
    assert a == maps.map_positions(deal, "force", seed=1)
    assert a != maps.map_positions(deal, "force", seed=2)
    assert a != maps.map_positions(deal, "org")


def test_big_map_fixes_positions_and_turns_physics_off() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate_deal

    deal = Deal.model_validate(generate_deal(maps.BIG_MAP + 50, seed=2, ties_per_person=3))
    for layout in ("org", "force"):
        data = page_data(to_html(deal, layout=layout))  # type: ignore[arg-type]
        assert data["options"]["physics"]["enabled"] is False
        assert all("x" in n and "y" in n for n in data["nodes"])
        assert all(style["dashes"] is False for style in data["kinds"].values())
    small = read_deal(ROOT / "examples" / "saas-small.yaml")
    # The force layout too is computed here, settled before the first draw.
    force = page_data(to_html(small, layout="force"))
    assert force["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in force["nodes"])
    assert page_data(to_html(small, layout="org"))["options"]["physics"]["enabled"] is False


def test_unknown_layout() -> None:
    with pytest.raises(ValueError, match="layout"):
        to_html(read_deal(ROOT / "examples" / "saas-small.yaml"), layout="circle")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- paths


def _check_paths(deal: Deal, data: dict[str, Any]) -> None:
    edges = {e["id"]: e for e in data["edges"]}
    for target in data["paths"]:
        for path in target["paths"]:
            assert path["people"][-1] == target["target"]
            for step in path["steps"]:
                edge = edges[step["edge"]]
                assert {edge["from"], edge["to"]} == {step["from"], step["to"]}
                assert edge["tie"]["kind"] == step["kind"]
    # One path per target drawn by default (the best); the others on demand in the page.
    best = {h["edge"] for t in data["paths"] if t["paths"] for h in t["paths"][0]["steps"]}
    for e in data["edges"]:
        assert (e["tie"].get("path") is True) == (e["id"] in best)
        assert (e["width"] == 6) == (e["id"] in best)


def test_default_paths_are_the_reports(committee: Deal) -> None:
    report = analyze(committee)
    data = page_data(to_html(committee, report))
    assert [t["target"] for t in data["paths"]] == list(report.paths)
    assert report.paths  # the example has uncovered decision-makers
    _check_paths(committee, data)
    on_any = {h["edge"] for t in data["paths"] for p in t["paths"] for h in p["steps"]}
    last = data["edges"][-len(on_any) :]
    assert on_any and {e["id"] for e in last} == on_any  # drawn last, on top


def test_path_to(committee: Deal) -> None:
    target = next(p.id for p in committee.customers() if p.id not in analyze(committee).paths)
    data = page_data(to_html(committee, path_to=[target, target]))
    assert [t["target"] for t in data["paths"]] == [target]
    _check_paths(committee, data)


def test_path_to_unknown_person_suggests(committee: Deal) -> None:
    pid = committee.people[3].id
    with pytest.raises(UnknownPersonError, match=f"did you mean '{pid}'"):
        to_html(committee, path_to=[pid[:-1] + "x"])


# ----------------------------------------------------------------------------- redaction


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_header_folds_the_signals_into_one_line(path: Path) -> None:
    """The header's line: how many signals of each severity, then the most severe one."""
    deal = read_deal(path)
    report = analyze(deal)
    page = to_html(deal, report)
    summary = re.search(r'<details class="signals">\n<summary>(.*?)</summary>', page, re.S)
    assert summary, "the signals are folded under a one-line summary"
    line = html.unescape(re.sub(r"<[^>]+>", "", summary.group(1)))
    counts: dict[str, int] = {}
    for s in sorted(report.signals, key=lambda s: maps.SEVERITY_ORDER[s.severity]):
        counts[s.severity] = counts.get(s.severity, 0) + 1
    words = ", ".join(f"{n} {severity}" for severity, n in counts.items())
    total = len(report.signals)
    assert line.startswith(f"{total} risk signal{'s' * (total != 1)} ({words}): ")
    top = min(report.signals, key=lambda s: maps.SEVERITY_ORDER[s.severity])
    assert line.endswith(f"{top.severity} {top.message}")
    # The list itself is still in the page, inside the folded element.
    folded = page[summary.end() : page.index("</details>", summary.end())]
    assert folded.count("<li>") == min(5, total)


def test_redact_keeps_initials_and_roles_and_drops_titles(committee: Deal) -> None:
    page = to_html(committee, redact=True)
    data = page_data(page)
    text = "".join(parse(page).text)
    for p in committee.people:
        assert p.name not in page
        if len(p.id) > 4:
            assert f'"{p.id}"' not in page and p.id not in text
        if p.notes:
            assert p.notes not in page
        if p.title and len(p.title) > 12:  # (short titles such as "CEO" are words)
            assert p.title not in page, p.title
    assert committee.deal.account and committee.deal.account not in page
    assert all(n["person"]["title"] is None for n in data["nodes"])
    # Signals stay sentences: roles and initials, not bare codes.
    signals = [li for li in text.split("\n") if "decision-maker" in li]
    # (one signal for the blocker, naming every decision-maker it reaches, by initials)
    assert any("Blocker VT reaches 3 decision-makers: CJ" in li for li in signals), signals
    # The actions too, word for word but for the names.
    assert any(r["ask"].startswith("Ask KL to introduce LW to") for r in data["reach"])
    kept = to_html(committee, redact=True, keep_titles=True)
    kept_data = page_data(kept)
    assert [n["person"]["title"] for n in kept_data["nodes"]] == [p.title for p in committee.people]
    assert committee.deal.account in kept
    assert all(p.name not in kept for p in committee.people)
    names = [n["person"]["name"] for n in data["nodes"]]
    assert names[0] == "".join(w[0].upper() for w in committee.people[0].name.split())
    assert len(set(names)) == len(names)
    for e in data["edges"]:
        assert "notes" not in e["tie"]
        assert e["tie"].get("context") in maps.SAFE_CONTEXTS | {None, "other"}
    assert [n["id"] for n in data["nodes"]] == [f"p{i}" for i in range(1, len(names) + 1)]
    assert "redacted" in page


def test_redacted_hostile_deal_has_no_notes() -> None:
    data = page_data(to_html(hostile_deal(), redact=True))
    assert all(n["person"]["notes"] is None for n in data["nodes"])


# ----------------------------------------------------------------------------- Jupyter


def test_deal_map_shows_in_jupyter_sandboxed() -> None:
    m = deal_map(hostile_deal())
    assert isinstance(m, DealMap) and m.html == to_html(hostile_deal())
    frame = m._repr_html_()
    assert frame.startswith("<iframe") and frame.count("<") == 2  # the page is escaped
    assert 'sandbox="allow-scripts"' in frame and "allow-same-origin" not in frame
    parsed = parse(frame)
    assert parsed.tags[0][1]["srcdoc"] == m.html  # the browser gets the page back intact


def test_report_repr_html_escapes() -> None:
    table = analyze(hostile_deal())._repr_html_()
    parsed = parse(table)
    assert {tag for tag, _ in parsed.tags} == {"table", "tr", "th", "td"}
    assert HOSTILE[0] in "".join(parsed.text)


# ----------------------------------------------------------------------------- the CLI


def test_cli_writes_only_the_output_file_and_twice_the_same(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    src = ROOT / "examples" / "enterprise-committee.yaml"
    first = cli("map", src, "-o", "map.html")
    assert first.exit_code == 0, first.stderr
    assert "wrote map.html" in first.stderr and first.stdout == ""
    one = (tmp_path / "map.html").read_bytes()
    second = cli("map", src, "-o", "map.html")
    assert second.exit_code == 0
    assert sorted(os.listdir(tmp_path)) == ["map.html"]
    assert (tmp_path / "map.html").read_bytes() == one
    assert one.decode("utf-8") == to_html(read_deal(src))


def test_cli_options(cli: Any, tmp_path: Path) -> None:
    src = ROOT / "examples" / "enterprise-committee.yaml"
    deal = read_deal(src)
    target = deal.people[5].id
    out = tmp_path / "m.html"
    result = cli("map", src, "-o", out, "--path-to", target, "--layout", "force", "--redact")
    assert result.exit_code == 0, result.stderr
    assert out.read_text("utf-8") == to_html(deal, path_to=[target], layout="force", redact=True)


def test_cli_unknown_path_to_is_exit_4_with_a_suggestion(cli: Any, tmp_path: Path) -> None:
    src = ROOT / "examples" / "enterprise-committee.yaml"
    pid = read_deal(src).people[4].id
    result = cli("map", src, "-o", tmp_path / "m.html", "--path-to", pid + "x")
    assert result.exit_code == 4
    assert f"did you mean '{pid}'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_deal_is_exit_3_and_writes_nothing(cli: Any, write: Any, tmp_path: Path) -> None:
    bad = write("version: 1\ndeal: {name: x}\npeople:\n  - {name: A, stance: alli}\n")
    result = cli("map", bad, "-o", tmp_path / "m.html")
    assert result.exit_code == 3
    assert "did you mean 'ally'" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal.yaml"]


def test_cli_bad_policy_is_exit_3(cli: Any, write: Any, tmp_path: Path) -> None:
    policy = write("max_hops: many\n", "policy.yaml")
    src = ROOT / "examples" / "saas-small.yaml"
    result = cli("map", src, "-o", tmp_path / "m.html", "--policy", policy)
    assert result.exit_code == 3


def test_cli_unwritable_output_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    src = ROOT / "examples" / "saas-small.yaml"
    missing = cli("map", src, "-o", tmp_path / "nope" / "m.html")
    assert missing.exit_code == 2 and "no folder" in missing.stderr
    folder = cli("map", src, "-o", tmp_path)
    assert folder.exit_code == 2 and "is a folder" in folder.stderr


def test_cli_help_has_an_example(cli: Any) -> None:
    result = cli("map", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "influence map" in result.stdout


def test_cli_does_not_import_pyvis_at_start_up() -> None:
    code = "import sys, influence.cli; print('pyvis' in sys.modules, 'jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_every_tie_says_whether_it_was_declared(committee: Deal) -> None:
    # The tooltip says "from: the reports_to field" when `declared` is false; it was
    # written only when false, so the page showed that line on every tie.
    data = page_data(to_html(committee))
    declared = {(r.from_, r.to) for r in committee.relationships if r.kind.value == "reports_to"}
    shorthand = {(p.id, p.reports_to) for p in committee.people if p.reports_to} - declared
    assert shorthand and all(isinstance(e["tie"]["declared"], bool) for e in data["edges"])
    undeclared = {(e["from"], e["to"]) for e in data["edges"] if not e["tie"]["declared"]}
    assert undeclared == shorthand
    assert sum(not e["tie"]["declared"] for e in data["edges"]) == len(shorthand)
