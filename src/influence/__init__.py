"""influence: model a B2B deal as a graph of the people who decide it.

The library is the product; the ``influence`` command is a thin face over it.
Names are imported lazily (PEP 562) so that the command line starts quickly.

Examples:
    >>> import influence
    >>> deal = influence.read_deal("examples/saas-small.yaml")
    >>> report = influence.analyze(deal)
    >>> report.risk.grade in ("low", "medium", "high")
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "InfluenceError": "influence.errors",
    "DealFileError": "influence.errors",
    "UnknownPersonError": "influence.errors",
    "DealLockError": "influence.errors",
    "ReadOnlyFileError": "influence.errors",
    "InterruptedWriteError": "influence.errors",
    "Problem": "influence.errors",
    "Deal": "influence.model",
    "DealInfo": "influence.model",
    "Person": "influence.model",
    "Relationship": "influence.model",
    "Policy": "influence.model",
    "Side": "influence.model",
    "Role": "influence.model",
    "Stance": "influence.model",
    "Kind": "influence.model",
    "Style": "influence.model",
    "slugify": "influence.model",
    "deal_from_data": "influence.model",
    "CheckResult": "influence.io",
    "check_deal": "influence.io",
    "read_deal": "influence.io",
    "parse_deal": "influence.io",
    "write_deal": "influence.io",
    "create_app": "influence.serve",
    "dump_deal": "influence.io",
    "read_policy": "influence.io",
    "parse_policy": "influence.io",
    "find_deal_files": "influence.io",
    "deal_schema": "influence.io",
    "deal_lock": "influence.io",
    "lock_path": "influence.io",
    "to_networkx": "influence.graph",
    "DealGraph": "influence.graph",
    "Tie": "influence.graph",
    "deal_graph": "influence.graph",
    "DealReport": "influence.analysis.report",
    "Signal": "influence.analysis.report",
    "Action": "influence.analysis.report",
    "Risk": "influence.analysis.report",
    "Coverage": "influence.analysis.report",
    "InfluenceScore": "influence.analysis.report",
    "PersonRow": "influence.analysis.report",
    "analyze": "influence.analysis.report",
    "Hop": "influence.analysis.paths",
    "IntroductionPath": "influence.analysis.paths",
    "introduction_paths": "influence.analysis.paths",
    "introduction_paths_to": "influence.analysis.paths",
    "PathsSummary": "influence.analysis.paths",
    "paths_message": "influence.analysis.paths",
    "PathIndex": "influence.analysis.paths",
    "coverage": "influence.analysis.coverage",
    "person_coverage": "influence.analysis.coverage",
    "role_coverage": "influence.analysis.coverage",
    "coverage_score": "influence.analysis.coverage",
    "decision_makers": "influence.analysis.coverage",
    "support": "influence.analysis.coverage",
    "network_influence": "influence.analysis.network",
    "hidden_influencers": "influence.analysis.network",
    "risk_signals": "influence.analysis.risk",
    "deal_risk": "influence.analysis.risk",
    "SIGNAL_CODES": "influence.analysis.risk",
    "next_actions": "influence.analysis.actions",
    "what_if": "influence.analysis.whatif",
    "WhatIf": "influence.analysis.whatif",
    "Assumption": "influence.analysis.whatif",
    "AssumptionError": "influence.analysis.whatif",
    "parse_assumption": "influence.analysis.whatif",
    "apply_assumptions": "influence.analysis.whatif",
    "to_terminal": "influence.render.terminal",
    "to_markdown": "influence.render.markdown",
    "to_graphml": "influence.interop.export",
    "to_gexf": "influence.interop.export",
    "to_mermaid": "influence.interop.export",
    "to_dot": "influence.interop.export",
    "to_csv": "influence.interop.export",
    "to_xlsx": "influence.interop.export",
    "to_node_link_json": "influence.interop.export",
    "to_node_link_data": "influence.interop.export",
    "import_deal": "influence.interop.importing",
    "ImportResult": "influence.interop.importing",
    "diff_deals": "influence.interop.diff",
    "DealDiff": "influence.interop.diff",
    "add_person": "influence.interop.edit",
    "set_person": "influence.interop.edit",
    "remove_person": "influence.interop.edit",
    "add_tie": "influence.interop.edit",
    "set_tie": "influence.interop.edit",
    "remove_tie": "influence.interop.edit",
    "read_editable": "influence.interop.edit",
    "write_editable": "influence.interop.edit",
    "EditResult": "influence.interop.edit",
    "to_html": "influence.render.html",
    "deal_map": "influence.render.html",
    "DealMap": "influence.render.html",
    "review": "influence.batch.review",
    "review_deal": "influence.analysis.portfolio",
    "compare": "influence.analysis.portfolio",
    "load_review_json": "influence.batch.review",
    "PortfolioReview": "influence.analysis.portfolio",
    "ReviewedDeal": "influence.analysis.portfolio",
    "ReviewError": "influence.analysis.portfolio",
    "DealChange": "influence.analysis.portfolio",
    "Totals": "influence.analysis.portfolio",
    "Trend": "influence.analysis.portfolio",
    "DaskUnavailableError": "influence.batch.engine",
    "WorkerError": "influence.batch.engine",
    "whatif_text": "influence.render.terminal",
    "paths_text": "influence.render.terminal",
    "signals_at_or_above": "influence.analysis.severity",
    "fails_on": "influence.analysis.severity",
    "format_of": "influence.io",
    "starter_deal": "influence.io",
    "to_review_terminal": "influence.render.review",
    "to_review_markdown": "influence.render.review",
    "to_review_csv": "influence.render.review",
    "to_review_html": "influence.render.review",
    "write_review_html": "influence.batch.maps",
    "assemble_review": "influence.analysis.portfolio",
}

__all__ = [
    "SIGNAL_CODES",
    "Action",
    "Assumption",
    "AssumptionError",
    "CheckResult",
    "Coverage",
    "DaskUnavailableError",
    "Deal",
    "DealChange",
    "DealDiff",
    "DealFileError",
    "DealGraph",
    "DealInfo",
    "DealLockError",
    "DealMap",
    "DealReport",
    "EditResult",
    "Hop",
    "ImportResult",
    "InfluenceError",
    "InfluenceScore",
    "InterruptedWriteError",
    "IntroductionPath",
    "Kind",
    "PathIndex",
    "PathsSummary",
    "Person",
    "PersonRow",
    "Policy",
    "PortfolioReview",
    "Problem",
    "ReadOnlyFileError",
    "Relationship",
    "ReviewError",
    "ReviewedDeal",
    "Risk",
    "Role",
    "Side",
    "Signal",
    "Stance",
    "Style",
    "Tie",
    "Totals",
    "Trend",
    "UnknownPersonError",
    "WhatIf",
    "WorkerError",
    "__version__",
    "add_person",
    "add_tie",
    "analyze",
    "apply_assumptions",
    "assemble_review",
    "check_deal",
    "compare",
    "coverage",
    "coverage_score",
    "create_app",
    "deal_from_data",
    "deal_graph",
    "deal_lock",
    "deal_map",
    "deal_risk",
    "deal_schema",
    "decision_makers",
    "diff_deals",
    "dump_deal",
    "fails_on",
    "find_deal_files",
    "format_of",
    "hidden_influencers",
    "import_deal",
    "introduction_paths",
    "introduction_paths_to",
    "load_review_json",
    "lock_path",
    "network_influence",
    "next_actions",
    "parse_assumption",
    "parse_deal",
    "parse_policy",
    "paths_message",
    "paths_text",
    "person_coverage",
    "read_deal",
    "read_editable",
    "read_policy",
    "remove_person",
    "remove_tie",
    "review",
    "review_deal",
    "risk_signals",
    "role_coverage",
    "set_person",
    "set_tie",
    "signals_at_or_above",
    "slugify",
    "starter_deal",
    "support",
    "to_csv",
    "to_dot",
    "to_gexf",
    "to_graphml",
    "to_html",
    "to_markdown",
    "to_mermaid",
    "to_networkx",
    "to_node_link_data",
    "to_node_link_json",
    "to_review_csv",
    "to_review_html",
    "to_review_markdown",
    "to_review_terminal",
    "to_terminal",
    "to_xlsx",
    "what_if",
    "whatif_text",
    "write_deal",
    "write_editable",
    "write_review_html",
]

if TYPE_CHECKING:
    from influence.analysis.actions import (
        next_actions,
    )
    from influence.analysis.coverage import (
        coverage,
        coverage_score,
        decision_makers,
        person_coverage,
        role_coverage,
        support,
    )
    from influence.analysis.network import (
        hidden_influencers,
        network_influence,
    )
    from influence.analysis.paths import (
        Hop,
        IntroductionPath,
        PathIndex,
        PathsSummary,
        introduction_paths,
        introduction_paths_to,
        paths_message,
    )
    from influence.analysis.portfolio import (
        DealChange,
        PortfolioReview,
        ReviewedDeal,
        ReviewError,
        Totals,
        Trend,
        assemble_review,
        compare,
        review_deal,
    )
    from influence.analysis.report import (
        Action,
        Coverage,
        DealReport,
        InfluenceScore,
        PersonRow,
        Risk,
        Signal,
        analyze,
    )
    from influence.analysis.risk import (
        SIGNAL_CODES,
        deal_risk,
        risk_signals,
    )
    from influence.analysis.severity import (
        fails_on,
        signals_at_or_above,
    )
    from influence.analysis.whatif import (
        Assumption,
        AssumptionError,
        WhatIf,
        apply_assumptions,
        parse_assumption,
        what_if,
    )
    from influence.batch.engine import (
        DaskUnavailableError,
        WorkerError,
    )
    from influence.batch.maps import (
        write_review_html,
    )
    from influence.batch.review import (
        load_review_json,
        review,
    )
    from influence.errors import (
        DealFileError,
        DealLockError,
        InfluenceError,
        InterruptedWriteError,
        Problem,
        ReadOnlyFileError,
        UnknownPersonError,
    )
    from influence.graph import (
        DealGraph,
        Tie,
        deal_graph,
        to_networkx,
    )
    from influence.interop.diff import (
        DealDiff,
        diff_deals,
    )
    from influence.interop.edit import (
        EditResult,
        add_person,
        add_tie,
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
        ImportResult,
        import_deal,
    )
    from influence.io import (
        CheckResult,
        check_deal,
        deal_lock,
        deal_schema,
        dump_deal,
        find_deal_files,
        format_of,
        lock_path,
        parse_deal,
        parse_policy,
        read_deal,
        read_policy,
        starter_deal,
        write_deal,
    )
    from influence.model import (
        Deal,
        DealInfo,
        Kind,
        Person,
        Policy,
        Relationship,
        Role,
        Side,
        Stance,
        Style,
        deal_from_data,
        slugify,
    )
    from influence.render.html import (
        DealMap,
        deal_map,
        to_html,
    )
    from influence.render.markdown import (
        to_markdown,
    )
    from influence.render.review import (
        to_review_csv,
        to_review_html,
        to_review_markdown,
        to_review_terminal,
    )
    from influence.render.terminal import (
        paths_text,
        to_terminal,
        whatif_text,
    )
    from influence.serve import create_app


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'influence' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
