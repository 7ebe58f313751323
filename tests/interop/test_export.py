"""Exports read back by tools we did not write: networkx, python-igraph, an XML parser, csv.

Every format must hold the same people (ids), the same ties (from, to, kind) and the
same attributes as the deal. The expected values are built from the Deal model
here, not from the graph the exporters use. igraph has no GEXF reader (its
``Read_*`` methods cover GraphML, GML, Pajek, ... but not GEXF), so GEXF is read
with networkx and with a plain ElementTree parse.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from influence.interop.export import (
    to_csv,
    to_dot,
    to_gexf,
    to_graphml,
    to_mermaid,
    to_node_link_data,
    to_node_link_json,
)
from influence.io import parse_deal, read_deal
from influence.model import DEFAULT_STRENGTH, SYMMETRIC_KINDS, Deal, Kind
from tests.conftest import EXAMPLES, ROOT

igraph = pytest.importorskip("igraph")

# Names that try to break every syntax: quotes, brackets, pipes, markup, a newline,
# a backslash at the very end (which ends a DOT string early if written as \\),
# a Mermaid entity, other scripts.
HOSTILE = r"""
deal: {name: 'Hostile "deal" <x> & {y}', account: 'ACME "Group" [CN]'}
people:
  - id: q
    name: 'Quote "Q" O''Brien'
    title: 'Head of IT [acting] | interim'
  - id: a
    name: "Angle <b>bold</b> & co; end"
    title: "line one\nline two"
  - id: b
    name: 'Back\slash ends\'
    title: '#35; --> x--x ]] }} ;'
  - id: c
    name: 张敏 😀
    side: seller
    notes: "Tab\there, quote \" and apostrophe '"
  - id: d
    name: 'subgraph end'
    side: partner
    reports_to: q
relationships:
  - {from: c, to: q, strength: strong, context: 'old "friend"', last_contact: 2026-11-02}
  - {from: a, to: q, kind: influences, strength: 0.7, notes: '<note> & "more"'}
  - {from: b, to: a, kind: conflicts_with}
  - {from: b, to: a, kind: knows, strength: 0.25}
  - {from: q, to: b, kind: reports_to, strength: 0.4}
"""


def _generated() -> Deal:
    from benchmarks.generate import dump_deal, generate_deal

    return parse_deal(dump_deal(generate_deal(120, seed=11, ties_per_person=4)))


DEALS: dict[str, Callable[[], Deal]] = {
    **{p.stem: (lambda p=p: read_deal(p)) for p in EXAMPLES},
    "hostile": lambda: parse_deal(HOSTILE, source="hostile.yaml"),
    "generated-120": _generated,
}


@pytest.fixture(params=sorted(DEALS))
def deal(request: pytest.FixtureRequest) -> Deal:
    return DEALS[request.param]()


def test_the_three_examples_are_covered() -> None:
    assert len(EXAMPLES) >= 3
    assert {p.stem for p in EXAMPLES} <= set(DEALS)


# -- what every format must hold, from the model ----------------------------------------

Person = dict[str, Any]
TieKey = tuple[str, str, str]


def expected_people(deal: Deal) -> dict[str, Person]:
    return {
        p.id: {
            "name": p.name,
            "title": p.title or "",
            "side": p.side.value,
            "roles": tuple(r.value for r in p.roles),
            "influence": p.influence,
            "stance": p.stance.value,
            "assessed": p.assessed.isoformat() if p.assessed else "",
            "style": p.style.value if p.style else "",
            "reports_to": p.reports_to or "",
            "notes": p.notes or "",
        }
        for p in deal.people
    }


def _key(a: str, b: str, kind: str) -> TieKey:
    if Kind(kind) in SYMMETRIC_KINDS:
        a, b = sorted((a, b))
    return a, b, kind


def expected_ties(deal: Deal) -> dict[TieKey, dict[str, Any]]:
    """Relationships, plus each reports_to shorthand that no relationship repeats."""
    out: dict[TieKey, dict[str, Any]] = {}
    for p in deal.people:
        if p.reports_to:
            out[_key(p.id, p.reports_to, "reports_to")] = {
                "strength": DEFAULT_STRENGTH[Kind.REPORTS_TO],
                "context": "",
                "last_contact": "",
                "notes": "",
                "declared": False,
            }
    for r in deal.relationships:
        out[_key(r.from_, r.to, r.kind.value)] = {
            "strength": r.strength,
            "context": r.context or "",
            "last_contact": r.last_contact.isoformat() if r.last_contact else "",
            "notes": r.notes or "",
            "declared": True,
        }
    return out


def _people_from(nodes: dict[str, dict[str, Any]]) -> dict[str, Person]:
    """Attributes as a reader gives them, normalised: missing text is "", roles a tuple."""
    out: dict[str, Person] = {}
    for pid, attrs in nodes.items():
        roles = attrs.get("roles") or ""
        out[pid] = {
            "name": attrs["name"],
            "title": attrs.get("title") or "",
            "side": attrs["side"],
            "roles": tuple(roles)
            if isinstance(roles, list)
            else tuple(r for r in roles.split(",") if r),
            "influence": float(attrs["influence"]),
            "stance": attrs["stance"],
            "assessed": attrs.get("assessed") or "",
            "style": attrs.get("style") or "",
            "reports_to": attrs.get("reports_to") or "",
            "notes": attrs.get("notes") or "",
        }
    return out


def _ties_from(edges: list[tuple[str, str, dict[str, Any]]]) -> dict[TieKey, dict[str, Any]]:
    out: dict[TieKey, dict[str, Any]] = {}
    for a, b, attrs in edges:
        key = _key(a, b, attrs["kind"])
        assert key not in out, f"tie {key} twice"
        out[key] = {
            "strength": float(attrs["strength"]),
            "context": attrs.get("context") or "",
            "last_contact": attrs.get("last_contact") or "",
            "notes": attrs.get("notes") or "",
            "declared": attrs["declared"] in (True, "true"),
        }
    return out


# -- GraphML ----------------------------------------------------------------------------


def test_graphml_read_by_networkx(deal: Deal, tmp_path: Path) -> None:
    path = tmp_path / "deal.graphml"
    path.write_text(to_graphml(deal), encoding="utf-8")
    g = nx.read_graphml(path)
    assert g.is_directed()
    assert list(g.nodes) == [p.id for p in deal.people]
    assert _people_from(dict(g.nodes(data=True))) == expected_people(deal)
    assert _ties_from(list(g.edges(data=True))) == expected_ties(deal)
    for pid, attrs in g.nodes(data=True):
        assert attrs["label"] == deal.person(pid).name  # Gephi's label
    for _, _, attrs in g.edges(data=True):
        assert attrs["weight"] == attrs["strength"]
        assert attrs["symmetric"] is (Kind(attrs["kind"]) in SYMMETRIC_KINDS)
    assert g.graph["name"] == deal.deal.name
    assert g.graph["id"] == deal.id


def test_graphml_read_by_igraph(deal: Deal, tmp_path: Path) -> None:
    path = tmp_path / "deal.graphml"
    path.write_text(to_graphml(deal), encoding="utf-8")
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.is_directed()
    ids = g.vs["id"]
    assert ids == [p.id for p in deal.people]
    nodes = {v["id"]: v.attributes() for v in g.vs}
    assert _people_from(nodes) == expected_people(deal)
    edges = [(ids[e.source], ids[e.target], e.attributes()) for e in g.es]
    assert _ties_from(edges) == expected_ties(deal)
    # igraph types the attributes from the keys: numbers are numbers, flags booleans.
    assert all(isinstance(v, float) and not math.isnan(v) for v in g.vs["influence"])
    assert all(isinstance(v, bool) for v in g.es["declared"])
    assert g["name"] == deal.deal.name


# -- GEXF -------------------------------------------------------------------------------


def test_gexf_read_by_networkx(deal: Deal, tmp_path: Path) -> None:
    path = tmp_path / "deal.gexf"
    path.write_text(to_gexf(deal), encoding="utf-8")
    g = nx.read_gexf(path)
    assert g.is_directed()
    assert list(g.nodes) == [p.id for p in deal.people]
    nodes = {pid: {**attrs, "name": attrs["name"]} for pid, attrs in g.nodes(data=True)}
    assert _people_from(nodes) == expected_people(deal)
    assert _ties_from(list(g.edges(data=True))) == expected_ties(deal)
    for pid, attrs in g.nodes(data=True):
        assert attrs["label"] == deal.person(pid).name
    for _, _, attrs in g.edges(data=True):
        assert attrs["weight"] == attrs["strength"] and attrs["label"] == attrs["kind"]


def test_gexf_read_by_a_plain_xml_parser(deal: Deal) -> None:
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.fromstring(to_gexf(deal).encode("utf-8"))
    assert root.get("version") == "1.2"
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("defaultedgetype") == "directed"
    titles: dict[str, dict[str, tuple[str, str]]] = {}
    for block in graph.findall("g:attributes", ns):
        titles[block.get("class", "")] = {
            a.get("id", ""): (a.get("title", ""), a.get("type", ""))
            for a in block.findall("g:attribute", ns)
        }

    def values(element: ET.Element, cls: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for v in element.findall("g:attvalues/g:attvalue", ns):
            title, kind = titles[cls][v.get("for", "")]
            raw = v.get("value", "")
            out[title] = float(raw) if kind == "double" else raw
        return out

    nodes = {}
    for n in graph.findall("g:nodes/g:node", ns):
        attrs = values(n, "node")
        assert n.get("label") == attrs["name"]
        nodes[n.get("id", "")] = attrs
    assert list(nodes) == [p.id for p in deal.people]
    assert _people_from(nodes) == expected_people(deal)
    edges = []
    for e in graph.findall("g:edges/g:edge", ns):
        attrs = values(e, "edge")
        assert float(e.get("weight", "nan")) == attrs["strength"]
        edges.append((e.get("source", ""), e.get("target", ""), attrs))
    assert _ties_from(edges) == expected_ties(deal)
    ids = [e.get("id") for e in graph.findall("g:edges/g:edge", ns)]
    assert len(set(ids)) == len(ids)


def test_xml_formats_replace_characters_xml_cannot_hold() -> None:
    deal = parse_deal('deal: {name: T}\npeople: [{name: "Bell\\a here", notes: "nul\\0"}]')
    for text in (to_graphml(deal), to_gexf(deal)):
        root = ET.fromstring(text.encode("utf-8"))  # well-formed
        assert "Bell\ufffd here" in ET.tostring(root, encoding="unicode")


# -- node-link JSON ---------------------------------------------------------------------


def test_node_link_json_read_by_networkx(deal: Deal) -> None:
    data = json.loads(to_node_link_json(deal))
    g = nx.node_link_graph(data, edges="edges")
    assert g.is_directed() and g.is_multigraph()
    assert list(g.nodes) == [p.id for p in deal.people]
    assert _people_from(dict(g.nodes(data=True))) == expected_people(deal)
    assert _ties_from(list(g.edges(data=True))) == expected_ties(deal)
    # JSON can say "a list" and "nothing": roles stay a list, empty values null.
    for node in data["nodes"]:
        assert isinstance(node["roles"], list)
        assert all(v != "" for v in node.values())
    assert [(a, b, k) for a, b, k in g.edges(keys=True)] == [
        (e["source"], e["target"], e["kind"]) for e in data["edges"]
    ]
    assert data == to_node_link_data(deal)


# -- CSV --------------------------------------------------------------------------------


def test_csv_read_by_the_csv_module(deal: Deal) -> None:
    people_csv, ties_csv = to_csv(deal)
    people = list(csv.DictReader(io.StringIO(people_csv)))
    assert [row["id"] for row in people] == [p.id for p in deal.people]
    nodes = {
        row["id"]: {**row, "roles": [r for r in row["roles"].split(";") if r]} for row in people
    }
    assert _people_from(nodes) == expected_people(deal)
    ties = list(csv.DictReader(io.StringIO(ties_csv)))
    # The ties file holds the relationships; reports_to shorthands stay in the people file.
    assert [(t["from"], t["to"], t["kind"]) for t in ties] == [
        (r.from_, r.to, r.kind.value) for r in deal.relationships
    ]
    assert [float(t["strength"]) for t in ties] == [r.strength for r in deal.relationships]
    assert [t["last_contact"] for t in ties] == [
        r.last_contact.isoformat() if r.last_contact else "" for r in deal.relationships
    ]
    assert [t["notes"] for t in ties] == [r.notes or "" for r in deal.relationships]


# -- Mermaid and DOT: syntax that no name can break ------------------------------------

_MERMAID_LINE = re.compile(
    r"^(?:flowchart LR"
    r'|  subgraph (?:customer|seller|partner)\["(?P<side>[^"\[\]|<>{}]*)"\]'
    r'|    p(?P<node>\d+)\["(?P<label>[^"\[\]|{}]*)"\]'
    r"|  end"
    r'|  p(?P<a>\d+) (?P<arrow><-->|-\.->|-->|x--x)\|"(?P<kind>\w+) (?P<strength>[0-9.]+)"\| '
    r"p(?P<b>\d+)"
    r"|  classDef (?:ally|neutral|blocker|unknown) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6}"
    r"|  class p\d+(?:,p\d+)* (?:ally|neutral|blocker|unknown))$"
)


def _mermaid_decode(text: str) -> str:
    text = text.replace("<br/>", "\n")
    assert "<" not in text and ">" not in text
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def test_mermaid_syntax_and_escaping(deal: Deal) -> None:
    text = to_mermaid(deal)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR" and text.endswith("\n")
    labels: dict[int, str] = {}
    edges = []
    depth = 0
    for line in lines:
        match = _MERMAID_LINE.match(line)
        assert match, f"not Mermaid we write: {line!r}"
        if match.group("side") is not None:
            depth += 1
        elif line == "  end":
            depth -= 1
        elif match.group("node") is not None:
            assert depth == 1
            labels[int(match.group("node"))] = _mermaid_decode(match.group("label"))
        elif match.group("a") is not None:
            edges.append((int(match.group("a")), int(match.group("b")), match.group("kind")))
    assert depth == 0
    people = {i: p for i, p in enumerate(deal.people)}
    assert sorted(labels) == sorted(people)
    for i, p in people.items():
        assert labels[i] == p.name + (f"\n{p.title}" if p.title else "")
    got = sorted(_key(people[a].id, people[b].id, k) for a, b, k in edges)
    assert got == sorted(expected_ties(deal))


def _dot_tokens(text: str) -> list[str]:
    """Graphviz's lexer, enough for what we write: inside a quoted string a
    backslash escapes the next character (``\\"`` is a quote, ``\\\\`` a backslash)."""
    tokens: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            j = i + 1
            while True:
                if j >= len(text):
                    raise AssertionError(f"unterminated string at {i}")
                if text[j] == "\\" and j + 1 < len(text):
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    j += 1
            tokens.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("->", i):
            tokens.append("->")
            i += 2
        elif ch in "{}[];=,":
            tokens.append(ch)
            i += 1
        else:
            m = re.match(r"[A-Za-z0-9_#.]+", text[i:])
            assert m, f"unexpected {text[i : i + 20]!r}"
            tokens.append(m.group(0))
            i += len(m.group(0))
    return tokens


def _dot_unquote(token: str) -> str:
    assert token.startswith('"') and token.endswith('"')
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            nxt = body[i + 1]
            assert nxt in '"\\n', f"an unexpected escape \\{nxt} in a DOT string"
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def test_dot_syntax_and_escaping(deal: Deal) -> None:
    tokens = _dot_tokens(to_dot(deal))
    assert tokens[0] == "digraph" and _dot_unquote(tokens[1]) == deal.id
    assert tokens[2] == "{" and tokens[-1] == "}"
    depth = 0
    for t in tokens:
        depth += {"{": 1, "}": -1}.get(t, 0)
        assert depth >= 0
    assert depth == 0
    # Statements: "id" [label="...", ...]; and "a" -> "b" [label="kind n", ...];
    nodes: dict[str, str] = {}
    edges = []
    for i, t in enumerate(tokens):
        if t == "->":
            label = _dot_unquote(tokens[i + 5])
            assert tokens[i + 2 : i + 5] == ["[", "label", "="]
            edges.append(
                _key(_dot_unquote(tokens[i - 1]), _dot_unquote(tokens[i + 1]), label.split()[0])
            )
        elif (
            t.startswith('"')
            and tokens[i + 1 : i + 4] == ["[", "label", "="]
            and tokens[i - 1] != "->"
            and (i + 5 >= len(tokens) or tokens[i + 5] != "->")
        ):
            nodes[_dot_unquote(t)] = _dot_unquote(tokens[i + 4])
    assert nodes == {p.id: p.name + (f"\n{p.title}" if p.title else "") for p in deal.people}
    assert sorted(edges) == sorted(expected_ties(deal))


_HAVE_DOT = any((Path(d) / "dot").exists() for d in os.environ.get("PATH", "").split(os.pathsep))


@pytest.mark.skipif(
    not _HAVE_DOT and not os.environ.get("CI"),
    reason="Graphviz's dot is not installed (.ci/run installs it; in CI this test runs)",
)
def test_graphviz_renders_the_hostile_deal(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    deal = parse_deal(HOSTILE)
    result = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(deal), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # Every name is drawn as typed: one <text> element per label line.
    drawn = [el.text or "" for el in ET.fromstring(result.stdout).iter() if el.tag.endswith("text")]
    for person in deal.people:
        assert person.name in drawn, (person.name, drawn)


# -- determinism and the command line ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "mermaid", "dot"])
def test_output_is_the_same_in_every_process(fmt: str, tmp_path: Path) -> None:
    example = EXAMPLES[0]
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "influence", "export", str(example), "--format", fmt],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        runs.append(result.stdout)
    assert runs[0] == runs[1] and runs[0]


def test_every_exporter_is_deterministic_in_process(deal: Deal) -> None:
    for render in (to_graphml, to_gexf, to_node_link_json, to_mermaid, to_dot, to_csv):
        assert render(deal) == render(deal)  # type: ignore[operator]


def test_cli_export_writes_files(cli: Any, tmp_path: Path) -> None:
    example = EXAMPLES[0]
    deal = read_deal(example)
    out = tmp_path / "deal.gexf"
    result = cli("export", example, "--format", "gexf", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == to_gexf(deal)
    stdout = cli("export", example, "-f", "mermaid")
    assert stdout.exit_code == 0 and stdout.stdout == to_mermaid(deal)
    folder = tmp_path / "csv"
    folder.mkdir()
    assert cli("export", example, "--format", "csv", "-o", folder).exit_code == 0
    assert (folder / "people.csv").read_text(encoding="utf-8") == to_csv(deal)[0]
    assert (folder / "ties.csv").read_text(encoding="utf-8") == to_csv(deal)[1]
    assert cli("export", example, "--format", "csv", "-o", tmp_path / "acme").exit_code == 0
    assert (tmp_path / "acme-people.csv").exists() and (tmp_path / "acme-ties.csv").exists()


def test_cli_export_errors(cli: Any, tmp_path: Path, write: Any) -> None:
    example = EXAMPLES[0]
    no_output = cli("export", example, "--format", "csv")
    assert no_output.exit_code == 2 and "pass -o OUT" in no_output.stderr
    bad_format = cli("export", example, "--format", "pdf")
    assert bad_format.exit_code == 2
    bad = write("deal: {name: T}\npeople: [{name: A, stance: alli}]\n")
    result = cli("export", bad, "--format", "dot")
    assert result.exit_code == 3
    assert f"{bad}:2:" in result.stderr and "did you mean 'ally'" in result.stderr
    assert result.stdout == ""
