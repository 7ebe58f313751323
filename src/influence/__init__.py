"""influence: model a B2B deal as a graph of the people who decide it.

The library is the product; the ``influence`` command is a thin face over it.
Names are imported lazily so that the command line starts quickly.

Examples:
    >>> import influence
    >>> deal = influence.read_deal("examples/saas-small.yaml")
    >>> deal.deal.name
    'Northwind analytics platform'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "InfluenceError": "influence.errors",
    "DealFileError": "influence.errors",
    "UnknownPersonError": "influence.errors",
    "Problem": "influence.errors",
    # model
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
    # io
    "CheckResult": "influence.io",
    "check_deal": "influence.io",
    "read_deal": "influence.io",
    "parse_deal": "influence.io",
    "write_deal": "influence.io",
    "dump_deal": "influence.io",
    "read_policy": "influence.io",
    "parse_policy": "influence.io",
    "find_deal_files": "influence.io",
    "deal_schema": "influence.io",
    # graph
    "to_networkx": "influence.graph",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from influence.errors import DealFileError, InfluenceError, Problem, UnknownPersonError
    from influence.graph import to_networkx
    from influence.io import (
        CheckResult,
        check_deal,
        deal_schema,
        dump_deal,
        find_deal_files,
        parse_deal,
        parse_policy,
        read_deal,
        read_policy,
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
        slugify,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'influence' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
