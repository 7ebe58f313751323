"""One YAML dialect for every path: YAML 1.2 core schema on libyaml's C parser.

PyYAML's own resolvers follow YAML 1.1, where ``NO`` is false and ``012`` is
octal. A rep typing ``name: NO`` means the text. This module's loader and
dumper resolve plain scalars by the YAML 1.2 core schema only; dates stay text
and the models parse them. Both the fast reading path and the located-error
path use the same loader, and edits re-read what they write through it, so a
file means the same thing everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from yaml._yaml import CParser as _Parser
else:
    try:  # libyaml's C parser and composer: ~8x faster than the pure-Python ones.
        from yaml._yaml import CParser as _Parser
    except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml

        class _Parser(
            yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer
        ):
            def __init__(self, stream: str) -> None:
                yaml.reader.Reader.__init__(self, stream)
                yaml.scanner.Scanner.__init__(self)
                yaml.parser.Parser.__init__(self)
                yaml.composer.Composer.__init__(self)


from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_IMPLICIT = [
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789.")),
]


class Resolver12(BaseResolver):
    """Resolve plain scalars by the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[Any, Any] = {}

    def __init__(self) -> None:
        super().__init__()
        self._plain: dict[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Resolve a node's tag, remembering plain scalars (ids and words repeat a lot)."""
        if kind is ScalarNode and implicit[0]:
            tag = self._plain.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                if len(value) <= 64:
                    self._plain[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


for _tag, _regexp, _first in _IMPLICIT:
    Resolver12.add_implicit_resolver(_tag, _regexp, _first)


class DuplicateKeyError(ConstructorError):
    """A mapping names the same key twice: the second would silently win."""


class Constructor12(SafeConstructor):
    """SafeConstructor with YAML 1.2 numbers and no silent duplicate keys."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value, 10)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        value = str(self.construct_scalar(node)).lower()
        if value.endswith(".inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        if value == ".nan":
            return float("nan")
        return float(value)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = key_node.value
                if key in seen and key != "<<":
                    raise DuplicateKeyError(
                        "while reading a mapping",
                        seen[key].start_mark,
                        f"the key {key!r} appears twice; the second would silently replace "
                        "the first",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


Constructor12.add_constructor("tag:yaml.org,2002:int", Constructor12.construct_yaml_int)  # type: ignore[type-var]
Constructor12.add_constructor("tag:yaml.org,2002:float", Constructor12.construct_yaml_float)  # type: ignore[type-var]


class Loader12(_Parser, Constructor12, Resolver12):
    """The one loader every reading path uses."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Constructor12.__init__(self)
        Resolver12.__init__(self)


class Dumper12(yaml.SafeDumper):
    """SafeDumper that also quotes anything YAML 1.2 would read as a non-string.

    It keeps PyYAML's 1.1 resolvers too, so a string such as ``NO`` or ``0o17``
    is quoted and reads back as text under either schema.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


for _tag, _regexp, _first in _IMPLICIT:
    Dumper12.add_implicit_resolver(_tag, _regexp, _first)


# Characters YAML folds or strips inside plain, single-quoted and block scalars:
# only double quotes (with escapes) carry them through unchanged.
_FRAGILE = frozenset("\r\x85\u2028\u2029\ufeff\t")


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style: str | None = None
    if any(c in _FRAGILE or (not c.isprintable() and c != "\n") for c in data):
        style = '"'
    elif "\n" in data and data == data.strip():
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


Dumper12.add_representer(str, _str_presenter)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALARS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    "tag:yaml.org,2002:null": lambda _value: None,
    "tag:yaml.org,2002:bool": lambda value: value[0] in "tT",
}


class _Unusual(Exception):
    """The document needs the general composer and constructor (rare YAML, or an error)."""


def _load_events(text: str) -> Any:
    """Build plain data straight from libyaml's events: the common case, ~4x faster.

    Composing nodes costs a Python object with two marks per scalar; a deal
    file of 3,000 people has 300,000 of them. This reads the same events and
    builds what :class:`Constructor12` builds for the core schema's tags,
    aliases included (as shared objects). Anything else (explicit tags, merge
    keys, complex keys, duplicate keys, several documents, any error) raises
    :class:`_Unusual`, and :func:`load` redoes the file the general way, which
    also words every error with its line and column.
    """
    parser = Loader12(text)
    resolver = parser.resolve
    scalar_int = parser.construct_yaml_int
    scalar_float = parser.construct_yaml_float
    anchors: dict[str, Any] = {}
    # Each frame: [container, pending key or _NO_KEY]; the root frame holds a list.
    root: list[Any] = []
    stack: list[list[Any]] = [[root, _NO_KEY]]
    documents = 0

    def add(value: Any) -> None:
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is _NO_KEY:
            if isinstance(value, (dict, list)) or value == "<<" or value in container:
                raise _Unusual
            frame[1] = value
        else:
            container[frame[1]] = value
            frame[1] = _NO_KEY

    try:
        while True:
            event: Any = parser.get_event()
            if event is None:
                break
            kind = type(event)
            if kind is yaml.ScalarEvent:
                tag = event.tag
                value = event.value
                if tag is None or tag == "!":
                    if event.implicit[0] and tag is None:
                        tag = resolver(ScalarNode, value, (True, False))
                    else:
                        tag = _STR
                if tag == _STR:
                    data: Any = value
                elif tag in _SCALARS:
                    data = _SCALARS[tag](value)
                elif tag == "tag:yaml.org,2002:int":
                    data = scalar_int(ScalarNode(tag, value))
                elif tag == "tag:yaml.org,2002:float":
                    data = scalar_float(ScalarNode(tag, value))
                else:
                    raise _Unusual
                if event.anchor is not None:
                    anchors[event.anchor] = data
                add(data)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                mapping = kind is yaml.MappingStartEvent
                if event.tag not in (None, "!", _MAP if mapping else _SEQ):
                    raise _Unusual
                container: Any = {} if mapping else []
                if event.anchor is not None:
                    anchors[event.anchor] = container
                add(container)
                stack.append([container, _NO_KEY])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _Unusual
                add(anchors[event.anchor])
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Unusual
    except yaml.YAMLError as err:
        raise _Unusual from err
    finally:
        parser.dispose()
    return root[0] if root else None


_NO_KEY = object()


def load(text: str) -> Any:
    """Load one YAML document with the 1.2 core schema."""
    try:
        return _load_events(text)
    except (_Unusual, RecursionError):
        pass
    loader = Loader12(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """Compose one YAML document into nodes that carry line and column marks."""
    loader = Loader12(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def dump(data: Any) -> str:
    """Dump plain data as block-style YAML that :func:`load` reads back equal."""
    return yaml.dump(
        data,
        Dumper=Dumper12,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


__all__ = ["Dumper12", "DuplicateKeyError", "Loader12", "compose", "dump", "load"]
_ = (SequenceNode,)
