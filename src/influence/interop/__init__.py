r"""Getting deals in and out: CRM import, graph-tool export, safe edits and diffs.

* :mod:`influence.interop.importing`: CSV / XLSX exports of Salesforce and
  HubSpot (and a plain template) to a :class:`~influence.model.Deal`.
* :mod:`influence.interop.export`: GraphML, GEXF, node-link JSON, CSV, Mermaid, DOT.
* :mod:`influence.interop.edit`: add, change and remove people and ties in a
  deal file, keeping every untouched byte, validating before an atomic write.
* :mod:`influence.interop.diff`: what changed between two versions of a deal.
* :mod:`influence.interop.touch`: touchpoints added by hand or imported from
  calendars (``.ics``), mail headers (``.mbox``, ``.eml``) and CRM activity exports.

Names are imported lazily (PEP 562): ``import influence.interop`` is cheap, and
the command line loads only the module a command needs.

Examples:
    >>> from influence.interop import to_mermaid
    >>> from influence.io import parse_deal
    >>> print(to_mermaid(parse_deal("deal: {name: Tiny}\npeople: [{name: Ann}]")), end="")
    flowchart LR
      subgraph customer["Customer"]
        p0["Ann"]
      end
      classDef unknown fill:#ffffff,stroke:#888888
      class p0 unknown
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from influence.errors import InfluenceError

__all__ = [
    "DealDiff",
    "EditConflictError",
    "EditResult",
    "EditValueError",
    "EditableDeal",
    "ImportMappingError",
    "ImportResult",
    "InteropError",
    "MissingDependencyError",
    "PersonExistsError",
    "PersonInUseError",
    "TieExistsError",
    "TouchImportError",
    "TouchResult",
    "UnknownTieError",
    "add_person",
    "add_tie",
    "add_touchpoint",
    "detect_format",
    "diff_deals",
    "import_deal",
    "import_touchpoints",
    "infer_from_title",
    "parse_editable",
    "read_deal_sniffed",
    "read_editable",
    "read_table",
    "remove_person",
    "remove_tie",
    "set_person",
    "set_tie",
    "to_csv",
    "to_dot",
    "to_gexf",
    "to_graphml",
    "to_mermaid",
    "to_node_link_data",
    "to_node_link_json",
    "to_text",
    "to_xlsx",
    "write_editable",
    "write_imported",
]


class InteropError(InfluenceError):
    """The root of the errors of import, export, edits and diffs (CLI exit code 4)."""


class MissingDependencyError(InteropError):
    """An optional dependency (openpyxl for ``.xlsx``, icalendar for ``.ics``) is not installed."""


# name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "ImportMappingError": "influence.interop.importing",
    "ImportResult": "influence.interop.importing",
    "detect_format": "influence.interop.importing",
    "import_deal": "influence.interop.importing",
    "infer_from_title": "influence.interop.importing",
    "read_table": "influence.interop.importing",
    "write_imported": "influence.interop.importing",
    "to_csv": "influence.interop.export",
    "to_dot": "influence.interop.export",
    "to_gexf": "influence.interop.export",
    "to_graphml": "influence.interop.export",
    "to_mermaid": "influence.interop.export",
    "to_node_link_data": "influence.interop.export",
    "to_node_link_json": "influence.interop.export",
    "to_xlsx": "influence.interop.export",
    "EditConflictError": "influence.interop.edit",
    "EditResult": "influence.interop.edit",
    "EditValueError": "influence.interop.edit",
    "EditableDeal": "influence.interop.edit",
    "PersonExistsError": "influence.interop.edit",
    "PersonInUseError": "influence.interop.edit",
    "TieExistsError": "influence.interop.edit",
    "UnknownTieError": "influence.interop.edit",
    "add_person": "influence.interop.edit",
    "add_tie": "influence.interop.edit",
    "parse_editable": "influence.interop.edit",
    "read_editable": "influence.interop.edit",
    "remove_person": "influence.interop.edit",
    "remove_tie": "influence.interop.edit",
    "set_person": "influence.interop.edit",
    "set_tie": "influence.interop.edit",
    "write_editable": "influence.interop.edit",
    "TouchImportError": "influence.interop.touch",
    "TouchResult": "influence.interop.touch",
    "add_touchpoint": "influence.interop.touch",
    "import_touchpoints": "influence.interop.touch",
    "DealDiff": "influence.interop.diff",
    "diff_deals": "influence.interop.diff",
    "read_deal_sniffed": "influence.interop.diff",
    "to_text": "influence.interop.diff",
}

if TYPE_CHECKING:
    from influence.interop.diff import DealDiff, diff_deals, read_deal_sniffed, to_text
    from influence.interop.edit import (
        EditableDeal,
        EditConflictError,
        EditResult,
        EditValueError,
        PersonExistsError,
        PersonInUseError,
        TieExistsError,
        UnknownTieError,
        add_person,
        add_tie,
        parse_editable,
        read_editable,
        remove_person,
        remove_tie,
        set_person,
        set_tie,
        write_editable,
    )
    from influence.interop.export import (
        to_csv,
        to_dot,
        to_gexf,
        to_graphml,
        to_mermaid,
        to_node_link_data,
        to_node_link_json,
        to_xlsx,
    )
    from influence.interop.importing import (
        ImportMappingError,
        ImportResult,
        detect_format,
        import_deal,
        infer_from_title,
        read_table,
        write_imported,
    )
    from influence.interop.touch import (
        TouchImportError,
        TouchResult,
        add_touchpoint,
        import_touchpoints,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'influence.interop' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
