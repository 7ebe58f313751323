r"""Export a deal to graph tools and spreadsheets: GraphML, GEXF, node-link JSON, CSV, XLSX...

Every format carries the same people and ties: the deal's relationships plus the
``reports_to`` shorthand of each person (an edge with ``declared`` false). Node
ids are person ids. Output is deterministic: people and ties in file order.

Attributes in GraphML and GEXF (what Gephi, igraph, networkx and yEd read):

* people: ``label`` (the name, for Gephi), ``name``, ``title``, ``side``,
  ``roles`` (comma-joined), ``influence`` (a double), ``stance``, ``assessed``
  (ISO date), ``style``, ``reports_to``, ``notes``;
* ties (all directed; GEXF edge ids ``e0``, ``e1``...): ``kind``, ``strength`` and
  ``weight`` (the same double; Gephi lays out by weight), ``context``,
  ``last_contact`` (ISO date), ``notes``, ``declared`` and ``symmetric``
  (booleans; ``symmetric`` is true for ``knows`` and ``conflicts_with``, which
  hold both ways whatever the arrow says).

Values are never null: an empty value is left out, and readers see no attribute
(networkx) or an empty string (igraph). Characters XML cannot carry (control
characters other than tab and newline) become U+FFFD.

CSV and XLSX are spreadsheets: a text cell that a spreadsheet could run as a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR) gets a
leading apostrophe, and ``influence import`` removes it again (the rule, and
the other cells it applies to, in :mod:`influence._cells`).

Examples:
    >>> from influence.io import parse_deal
    >>> deal = parse_deal('''
    ... deal: {name: Tiny}
    ... people: [{name: Ann, title: CEO}, {name: Bo, side: seller}]
    ... relationships: [{from: bo, to: ann, strength: strong}]
    ... ''')
    >>> print(to_dot(deal), end="")
    digraph "tiny" {
      graph [label="Tiny", labelloc=t, rankdir=LR, fontname="Helvetica"];
      node [shape=box, style="rounded,filled", fontname="Helvetica"];
      edge [fontname="Helvetica", fontsize=10];
      subgraph "cluster_customer" {
        label="Customer";
        "ann" [label="Ann\nCEO", fillcolor="#ffffff"];
      }
      subgraph "cluster_seller" {
        label="Our team";
        "bo" [label="Bo", fillcolor="#ffffff"];
      }
      "bo" -> "ann" [label="knows 0.9", dir=none];
    }
"""

from __future__ import annotations

import io as _stdio
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from pydantic import BaseModel

from influence._cells import csv_text, escape_cell, xlsx_text
from influence.graph import is_symmetric, to_networkx
from influence.model import PERSON_KEYS, TIE_KEYS, Deal, Side

__all__ = [
    "EDGE_ATTRIBUTES",
    "NODE_ATTRIBUTES",
    "to_csv",
    "to_dot",
    "to_gexf",
    "to_graphml",
    "to_mermaid",
    "to_node_link_data",
    "to_node_link_json",
    "to_xlsx",
]

#: Person attributes in GraphML and GEXF, with their types.
NODE_ATTRIBUTES: dict[str, str] = {
    "label": "string",
    "name": "string",
    "title": "string",
    "side": "string",
    "roles": "string",
    "influence": "double",
    "stance": "string",
    "assessed": "string",
    "style": "string",
    "reports_to": "string",
    "notes": "string",
}
#: Tie attributes in GraphML and GEXF, with their types.
EDGE_ATTRIBUTES: dict[str, str] = {
    "kind": "string",
    "strength": "double",
    "weight": "double",
    "context": "string",
    "last_contact": "string",
    "notes": "string",
    "declared": "boolean",
    "symmetric": "boolean",
}
#: The people sheet's columns: every field of a person. The dated lists of the
#: key-account method (``refusals``, ``buying_signals``) are a JSON list in their cell
#: (``[{"kind": "no_budget", "as_of": "2026-11-05"}]``), which the import reads back.
PEOPLE_COLUMNS = PERSON_KEYS
TIE_COLUMNS = TIE_KEYS

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: str) -> str:
    return _XML_BAD.sub("\ufffd", value)


def _plain(value: Any) -> Any:
    """A value as a graph file holds it: text, a float or a bool (None -> empty text)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | float | str):
        return value
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def _tables(
    deal: Deal,
) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str, dict[str, Any]]]]:
    """People and ties with every graph-file attribute, in file order."""
    g = to_networkx(deal)
    nodes: list[tuple[str, dict[str, Any]]] = []
    for pid, attrs in g.nodes(data=True):
        person = attrs["person"]
        values = {
            "label": person.name,
            "name": attrs["name"],
            "title": attrs["title"],
            "side": attrs["side"],
            "roles": attrs["roles"],
            "influence": float(attrs["influence"]),
            "stance": attrs["stance"],
            "assessed": person.assessed,
            "style": attrs["style"],
            "reports_to": person.reports_to,
            "notes": person.notes,
        }
        nodes.append((pid, {k: _plain(v) for k, v in values.items()}))
    edges: list[tuple[str, str, dict[str, Any]]] = []
    for a, b, attrs in g.edges(data=True):
        values = {
            "kind": attrs["kind"],
            "strength": float(attrs["strength"]),
            "weight": float(attrs["strength"]),
            "context": attrs["context"],
            "last_contact": attrs["last_contact"],
            "notes": attrs["notes"],
            "declared": bool(attrs["declared"]),
            "symmetric": is_symmetric(attrs["kind"]),
        }
        edges.append((a, b, {k: _plain(v) for k, v in values.items()}))
    return nodes, edges


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _xml_text(str(value))


def _xml(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return "<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root, encoding="unicode") + "\n"


def _graph_info(deal: Deal) -> dict[str, Any]:
    info = deal.deal.model_dump(mode="json", exclude_none=True)
    info["id"] = deal.id
    return {k: (float(v) if isinstance(v, int | float) else str(v)) for k, v in info.items()}


def to_graphml(deal: Deal) -> str:
    r"""Return the deal as GraphML (directed; see the module docs for the attributes).

    networkx (``read_graphml``), igraph (``Graph.Read_GraphML``), Gephi and yEd
    read it with every attribute.

    Args:
        deal: The deal.

    Returns:
        The GraphML document, UTF-8 XML text.

    Examples:
        >>> import io, networkx as nx
        >>> from influence.io import parse_deal
        >>> deal = parse_deal("deal: {name: T}\npeople: [{name: Ann, roles: [user]}]")
        >>> g = nx.read_graphml(io.BytesIO(to_graphml(deal).encode()))
        >>> g.nodes["ann"]["roles"], g.nodes["ann"]["influence"]
        ('user', 0.5)
    """
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element(
        "graphml",
        {
            "xmlns": ns,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{ns} {ns}/1.0/graphml.xsd",
        },
    )
    info = _graph_info(deal)
    for name, value in info.items():
        kind = "double" if isinstance(value, float) else "string"
        ET.SubElement(
            root, "key", {"id": f"g_{name}", "for": "graph", "attr.name": name, "attr.type": kind}
        )
    for name, kind in NODE_ATTRIBUTES.items():
        ET.SubElement(
            root, "key", {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": kind}
        )
    for name, kind in EDGE_ATTRIBUTES.items():
        ET.SubElement(
            root, "key", {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": kind}
        )
    graph = ET.SubElement(root, "graph", {"id": _xml_text(deal.id), "edgedefault": "directed"})
    for name, value in info.items():
        ET.SubElement(graph, "data", {"key": f"g_{name}"}).text = _text(value)
    nodes, edges = _tables(deal)
    for pid, attrs in nodes:
        node = ET.SubElement(graph, "node", {"id": _xml_text(pid)})
        for name in NODE_ATTRIBUTES:
            if attrs[name] != "":
                ET.SubElement(node, "data", {"key": f"n_{name}"}).text = _text(attrs[name])
    for a, b, attrs in edges:
        # No edge ids: igraph's reader would mix them up with the node ids.
        edge = ET.SubElement(graph, "edge", {"source": _xml_text(a), "target": _xml_text(b)})
        for name in EDGE_ATTRIBUTES:
            if attrs[name] != "":
                ET.SubElement(edge, "data", {"key": f"e_{name}"}).text = _text(attrs[name])
    return _xml(root)


def to_gexf(deal: Deal) -> str:
    r"""Return the deal as GEXF 1.2 (Gephi's format; see the module docs for the attributes).

    Node labels are names; edge labels are kinds and edge weights strengths, so
    Gephi shows and lays out the map without set-up. networkx's ``read_gexf``
    reads it back.

    Args:
        deal: The deal.

    Returns:
        The GEXF document, UTF-8 XML text.

    Examples:
        >>> import io, networkx as nx
        >>> from influence.io import parse_deal
        >>> deal = parse_deal(
        ...     "deal: {name: T}\npeople: [{name: Ann}, {name: Bo, reports_to: ann}]")
        >>> g = nx.read_gexf(io.BytesIO(to_gexf(deal).encode()))
        >>> [(a, b, d["kind"], d["declared"]) for a, b, d in g.edges(data=True)]
        [('bo', 'ann', 'reports_to', False)]
    """
    ns = "http://www.gexf.net/1.2draft"
    root = ET.Element(
        "gexf",
        {
            "xmlns": ns,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{ns} {ns}/gexf.xsd",
            "version": "1.2",
        },
    )
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "influence"
    ET.SubElement(meta, "description").text = _xml_text(deal.deal.name)
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    node_ids = {name: str(i) for i, name in enumerate(n for n in NODE_ATTRIBUTES if n != "label")}
    edge_ids = {name: str(i) for i, name in enumerate(n for n in EDGE_ATTRIBUTES if n != "weight")}
    for cls, ids, types in (
        ("node", node_ids, NODE_ATTRIBUTES),
        ("edge", edge_ids, EDGE_ATTRIBUTES),
    ):
        block = ET.SubElement(graph, "attributes", {"class": cls, "mode": "static"})
        for name, ident in ids.items():
            ET.SubElement(block, "attribute", {"id": ident, "title": name, "type": types[name]})
    nodes, edges = _tables(deal)
    node_block = ET.SubElement(graph, "nodes")
    for pid, attrs in nodes:
        node = ET.SubElement(
            node_block, "node", {"id": _xml_text(pid), "label": _xml_text(attrs["label"])}
        )
        _attvalues(node, ids=node_ids, attrs=attrs)
    edge_block = ET.SubElement(graph, "edges")
    for i, (a, b, attrs) in enumerate(edges):
        edge = ET.SubElement(
            edge_block,
            "edge",
            {
                "id": f"e{i}",
                "source": _xml_text(a),
                "target": _xml_text(b),
                "label": attrs["kind"],
                "weight": repr(attrs["weight"]),
            },
        )
        _attvalues(edge, ids=edge_ids, attrs=attrs)
    return _xml(root)


def _attvalues(parent: ET.Element, *, ids: dict[str, str], attrs: dict[str, Any]) -> None:
    values = ET.SubElement(parent, "attvalues")
    for name, ident in ids.items():
        if attrs[name] != "":
            ET.SubElement(values, "attvalue", {"for": ident, "value": _text(attrs[name])})


def to_node_link_data(deal: Deal) -> dict[str, Any]:
    r"""Return the deal as networkx node-link data (``networkx.node_link_graph`` reads it).

    A directed multigraph whose edge keys are the kinds; roles are lists, dates
    ISO text and empty values null (JSON can say so). The dict is built here, not
    by ``networkx.node_link_data``, so its shape does not change with the
    networkx version: ``{"directed", "multigraph", "graph", "nodes", "edges"}``,
    the edges under ``"edges"`` (read it with ``node_link_graph(data, edges="edges")``).

    Args:
        deal: The deal.

    Returns:
        A JSON-ready dict with ``nodes`` and ``edges``.

    Examples:
        >>> import networkx as nx
        >>> from influence.io import parse_deal
        >>> deal = parse_deal(
        ...     "deal: {name: T}\npeople: [{name: Ann}, {name: Bo, reports_to: ann}]")
        >>> g = nx.node_link_graph(to_node_link_data(deal), edges="edges")
        >>> list(g.edges(keys=True))
        [('bo', 'ann', 'reports_to')]
    """
    g = to_networkx(deal)
    nodes: list[dict[str, Any]] = []
    for pid, attrs in g.nodes(data=True):
        person = attrs["person"]
        nodes.append(
            {
                "id": pid,
                "name": person.name,
                "title": person.title,
                "side": person.side.value,
                "roles": [r.value for r in person.roles],
                "influence": person.influence,
                "stance": person.stance.value,
                "assessed": person.assessed.isoformat() if person.assessed else None,
                "style": person.style.value if person.style else None,
                "reports_to": person.reports_to,
                "notes": person.notes,
            }
        )
    edges: list[dict[str, Any]] = []
    for a, b, key, attrs in g.edges(keys=True, data=True):
        edges.append(
            {
                "source": a,
                "target": b,
                "key": key,
                "kind": attrs["kind"],
                "strength": attrs["strength"],
                "context": attrs["context"],
                "last_contact": (
                    attrs["last_contact"].isoformat() if attrs["last_contact"] else None
                ),
                "notes": attrs["notes"],
                "declared": attrs["declared"],
                "symmetric": is_symmetric(attrs["kind"]),
            }
        )
    return {
        "directed": True,
        "multigraph": True,
        "graph": _graph_info(deal),
        "nodes": nodes,
        "edges": edges,
    }


def to_node_link_json(deal: Deal) -> str:
    r"""Return :func:`to_node_link_data` as indented JSON text (UTF-8, keys in a fixed order).

    Examples:
        >>> import json
        >>> from influence.io import parse_deal
        >>> data = json.loads(to_node_link_json(parse_deal("deal: {name: T}\npeople: [{name: A}]")))
        >>> data["directed"], data["multigraph"], data["nodes"][0]["id"]
        (True, True, 'a')
    """
    return json.dumps(to_node_link_data(deal), indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> Any:
    """A people or ties value as a spreadsheet cell: a number, or escaped text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        if value and isinstance(value[0], BaseModel):  # refusals, buying signals: JSON
            items = [v.model_dump(mode="json", exclude_defaults=True) for v in value]
            return escape_cell(json.dumps(items, ensure_ascii=False, separators=(", ", ": ")))
        return escape_cell(";".join(getattr(v, "value", str(v)) for v in value))
    return escape_cell(str(getattr(value, "value", value)))


def _sheet_rows(deal: Deal) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """People and ties rows (a header first) in the plain import template's columns."""
    people = [PEOPLE_COLUMNS] + [
        tuple(_cell(getattr(p, column)) for column in PEOPLE_COLUMNS) for p in deal.people
    ]
    ties: list[tuple[Any, ...]] = [TIE_COLUMNS]
    for r in deal.relationships:
        data = r.model_dump(by_alias=True)
        ties.append(tuple(_cell(data[column]) for column in TIE_COLUMNS))
    return people, ties


def to_csv(deal: Deal) -> tuple[str, str]:
    r"""Return the deal as two CSV texts, people and ties, in the plain import template.

    ``influence import PEOPLE.csv --ties TIES.csv`` reads them back into the
    same people and ties (roles are ``;``-separated). The ties are the deal's
    relationships; the ``reports_to`` shorthand stays in the people's column.
    Text that a spreadsheet could run as a formula gets a leading ``'`` (see
    the module docs); a value with a comma, quote, CR or LF is quoted.

    Args:
        deal: The deal.

    Returns:
        ``(people_csv, ties_csv)``, each with a header line.

    Examples:
        >>> from influence.io import parse_deal
        >>> people, ties = to_csv(parse_deal(
        ...     "deal: {name: T}\npeople: [{name: Ann, roles: [user, coach]}, {name: Bo}]\n"
        ...     "relationships: [{from: ann, to: bo}]"))
        >>> print(people, end="")
        id,name,title,side,roles,influence,stance,assessed,style,reports_to,notes,emails,favours,needs,refusals,buying_signals,status
        ann,Ann,,customer,user;coach,0.5,unknown,,,,,,,,,,active
        bo,Bo,,customer,,0.5,unknown,,,,,,,,,,active
        >>> print(ties, end="")
        from,to,kind,strength,context,last_contact,notes
        ann,bo,knows,0.5,,,
        >>> print(to_csv(parse_deal("deal: {name: T}\npeople: [{name: '=1+2', id: x}]"))[0], end="")
        id,name,title,side,roles,influence,stance,assessed,style,reports_to,notes,emails,favours,needs,refusals,buying_signals,status
        x,'=1+2,,customer,,0.5,unknown,,,,,,,,,,active
    """
    people, ties = _sheet_rows(deal)
    return csv_text(people), csv_text(ties)


#: One fixed time for the zip entries and the document properties: the same bytes every run.
_XLSX_TIME = (2000, 1, 1, 0, 0, 0)


def to_xlsx(deal: Deal) -> bytes:
    r"""Return the deal as an XLSX workbook: a ``people`` sheet and a ``ties`` sheet.

    The sheets hold the columns of :func:`to_csv`; influence and strength are
    numbers, every other cell is text, escaped as in CSV (a leading ``'``
    before a formula start), so no cell is a formula. A CR and the control
    characters XML cannot hold are written as Excel writes them (``_x000D_``).
    ``influence import BOOK.xlsx --ties BOOK.xlsx`` reads it back (the people
    from the ``people`` sheet, the ties from the ``ties`` sheet). The bytes are
    the same on every run. Needs openpyxl (``pip install 'influence[xlsx]'``).

    Args:
        deal: The deal.

    Returns:
        The workbook file's bytes.

    Raises:
        MissingDependencyError: openpyxl is not installed.

    Examples:
        >>> import io, openpyxl
        >>> from influence.io import parse_deal
        >>> deal = parse_deal("deal: {name: T}\npeople: [{name: '@SUM(A1)', id: x}]")
        >>> book = openpyxl.load_workbook(io.BytesIO(to_xlsx(deal)))
        >>> book.sheetnames, [c.value for c in book["people"][2]][:2]
        (['people', 'ties'], ['x', "'@SUM(A1)"])
    """
    import zipfile
    from datetime import datetime

    try:
        import openpyxl
        from openpyxl.styles import Font
    except ImportError:
        from influence.interop import MissingDependencyError

        raise MissingDependencyError(
            "writing .xlsx files needs openpyxl; install it with "
            "pip install 'influence[xlsx]', or export --format csv"
        ) from None
    book = openpyxl.Workbook()
    book.properties.creator = "influence"
    book.properties.created = datetime(*_XLSX_TIME)
    first = book.active
    book.remove(first)
    for title, rows in zip(("people", "ties"), _sheet_rows(deal), strict=True):
        sheet = book.create_sheet(title)
        for row in rows:
            # openpyxl would store a text starting with "=" as a formula; escape_cell
            # has prefixed every such text with "'".
            sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    raw = _stdio.BytesIO()
    book.save(raw)
    # Same bytes every run: fixed entry times, and the save time out of the properties.
    out = _stdio.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_XLSX_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


# -- diagrams ---------------------------------------------------------------------------

_STANCE_COLOURS: dict[str, tuple[str, str]] = {
    "ally": ("#d4edda", "#2e7d32"),
    "neutral": ("#fff3cd", "#b8860b"),
    "blocker": ("#f8d7da", "#c62828"),
    "unknown": ("#ffffff", "#888888"),
}
_SIDE_TITLES: dict[Side, str] = {
    Side.CUSTOMER: "Customer",
    Side.PARTNER: "Partners",
    Side.SELLER: "Our team",
}
_MERMAID_SAFE = frozenset(" .,:/()-_'!?+=@")
_MERMAID_ARROWS: dict[str, str] = {
    "knows": "<-->",
    "influences": "-.->",
    "reports_to": "-->",
    "conflicts_with": "x--x",
}


def _mermaid_text(text: str) -> str:
    r"""Mermaid label text: letters, digits and plain punctuation kept, the rest as ``#N;``.

    Examples:
        >>> _mermaid_text('Wang "Boss" <IT> [x]\n张敏')
        'Wang #34;Boss#34; #60;IT#62; #91;x#93;<br/>张敏'
    """
    out: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        if ch == "\n":
            out.append("<br/>")
        elif ch.isalnum() or ch in _MERMAID_SAFE:
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def _sides(deal: Deal) -> list[Side]:
    present = {p.side for p in deal.people}
    return [s for s in (Side.CUSTOMER, Side.PARTNER, Side.SELLER) if s in present]


def _side_title(deal: Deal, side: Side) -> str:
    if side is Side.CUSTOMER and deal.deal.account:
        return deal.deal.account
    return _SIDE_TITLES[side]


def _number(value: float) -> str:
    return f"{value:g}"


def to_mermaid(deal: Deal) -> str:
    """Return the deal as a Mermaid flowchart, for wikis and Markdown that render Mermaid.

    One subgraph per side; node colour by stance; ``knows`` is ``<-->``,
    ``influences`` dotted, ``reports_to`` a plain arrow, ``conflicts_with``
    ``x--x``; each tie labelled with its kind and strength. Node ids are
    ``p0``, ``p1``... in file order, and every label is escaped, so no name can
    break the chart.

    Args:
        deal: The deal.

    Returns:
        The flowchart text (without the Markdown fence).

    Examples:
        >>> from influence.io import parse_deal
        >>> deal = parse_deal('''
        ... deal: {name: T}
        ... people: [{name: Ann, stance: ally}, {name: Bo, reports_to: ann, stance: ally}]
        ... ''')
        >>> print(to_mermaid(deal), end="")
        flowchart LR
          subgraph customer["Customer"]
            p0["Ann"]
            p1["Bo"]
          end
          p1 -->|"reports_to 0.6"| p0
          classDef ally fill:#d4edda,stroke:#2e7d32
          class p0,p1 ally
    """
    ids = {p.id: f"p{i}" for i, p in enumerate(deal.people)}
    lines = ["flowchart LR"]
    for side in _sides(deal):
        lines.append(f'  subgraph {side.value}["{_mermaid_text(_side_title(deal, side))}"]')
        for p in deal.people:
            if p.side is side:
                label = p.name + (f"\n{p.title}" if p.title else "")
                lines.append(f'    {ids[p.id]}["{_mermaid_text(label)}"]')
        lines.append("  end")
    g = to_networkx(deal)
    for a, b, attrs in g.edges(data=True):
        arrow = _MERMAID_ARROWS[attrs["kind"]]
        label = f"{attrs['kind']} {_number(attrs['strength'])}"
        lines.append(f'  {ids[a]} {arrow}|"{label}"| {ids[b]}')
    by_stance: dict[str, list[str]] = {}
    for p in deal.people:
        by_stance.setdefault(p.stance.value, []).append(ids[p.id])
    for stance, (fill, stroke) in _STANCE_COLOURS.items():
        if stance in by_stance:
            lines.append(f"  classDef {stance} fill:{fill},stroke:{stroke}")
    for stance in _STANCE_COLOURS:
        if stance in by_stance:
            lines.append(f"  class {','.join(by_stance[stance])} {stance}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    r"""A DOT double-quoted string: ``\`` and ``"`` escaped, line breaks as ``\n``.

    Graphviz's lexer reads ``\\`` as a backslash and ``\"`` as a quote, so a
    name ending in a backslash still ends its string; labels show both as typed
    (the export tests render a hostile deal with ``dot`` and read the SVG).

    Examples:
        >>> print(_dot_string('a "b" \\ c\nd\\'))
        "a \"b\" \\ c\nd\\"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n")
    return '"' + escaped.replace("\n", "\\n") + '"'


_DOT_STYLES: dict[str, str] = {
    "knows": "dir=none",
    "influences": "style=dashed",
    "reports_to": "",
    "conflicts_with": 'dir=none, color="#c62828", style=bold',
}


def to_dot(deal: Deal) -> str:
    r"""Return the deal as a Graphviz DOT digraph (``dot -Tsvg``).

    One cluster per side; nodes filled by stance; ``knows`` and
    ``conflicts_with`` drawn without arrowheads (they hold both ways),
    ``influences`` dashed. Every id and label is a quoted, escaped string.

    Args:
        deal: The deal.

    Returns:
        The DOT text.

    Examples:
        >>> from influence.io import parse_deal
        >>> deal = parse_deal('deal: {name: T}\npeople: [{name: "Ann \\"A\\" Lee"}]')
        >>> print(to_dot(deal).splitlines()[6])
            "ann-a-lee" [label="Ann \"A\" Lee", fillcolor="#ffffff"];
    """
    lines = [
        f"digraph {_dot_string(deal.id)} {{",
        f"  graph [label={_dot_string(deal.deal.name)}, labelloc=t, rankdir=LR, "
        'fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for side in _sides(deal):
        lines.append(f"  subgraph {_dot_string('cluster_' + side.value)} {{")
        lines.append(f"    label={_dot_string(_side_title(deal, side))};")
        for p in deal.people:
            if p.side is side:
                label = p.name + (f"\n{p.title}" if p.title else "")
                fill, _ = _STANCE_COLOURS[p.stance.value]
                lines.append(
                    f'    {_dot_string(p.id)} [label={_dot_string(label)}, fillcolor="{fill}"];'
                )
        lines.append("  }")
    g = to_networkx(deal)
    for a, b, attrs in g.edges(data=True):
        label = f"{attrs['kind']} {_number(attrs['strength'])}"
        style = _DOT_STYLES[attrs["kind"]]
        extra = f", {style}" if style else ""
        lines.append(f"  {_dot_string(a)} -> {_dot_string(b)} [label={_dot_string(label)}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
