"""One YAML dialect for every path: YAML 1.2 core schema on libyaml's C parser.

PyYAML's own resolvers follow YAML 1.1, where ``NO`` is false and ``012`` is
octal. A rep typing ``name: NO`` means the text. This module's loader and
dumper resolve plain scalars by the YAML 1.2 core schema only; dates stay text
and the models parse them. Both the fast reading path and the located-error
path use the same loader, and edits re-read what they write through it, so a
file means the same thing everywhere. Block-style files (what influence writes)
are read by yaml-rs, a Rust parser, when nothing in them could read otherwise
(see :func:`_native_may_differ`): the same data, about 3x sooner.
"""

from __future__ import annotations

import functools
import re
import threading
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
#: Lists and mappings nest at most this deep (a deal file needs 4 levels).
MAX_DEPTH = 64
#: A whole number in a file has at most this many digits (a float field holds ~309).
MAX_NUMBER_DIGITS = 400
_IMPLICIT = [
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789.")),
]


class Resolver12(BaseResolver):
    """Resolve plain scalars by the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[Any, Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Resolve a node's tag, remembering plain scalars (ids and words repeat a lot)."""
        if kind is ScalarNode and implicit[0]:
            return _PLAIN_TAGS.get(value) or _plain_tag(value)
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


for _tag, _regexp, _first in _IMPLICIT:
    Resolver12.add_implicit_resolver(_tag, _regexp, _first)


class NumberTooLargeError(ValueError):
    """A whole number with more digits than :data:`MAX_NUMBER_DIGITS`.

    Python refuses to turn one of over 4,300 digits into text at all, so even an
    error message quoting it would fail; this error says how long it is instead.
    """

    def __init__(self, value: str) -> None:
        self.digits = _digits(value)
        super().__init__(
            f"a number of {self.digits:,} digits is too large; a deal file's numbers "
            f"have at most {MAX_NUMBER_DIGITS} digits"
        )


def _digits(value: str) -> int:
    return len(value.lstrip("+-").removeprefix("0o").removeprefix("0x"))


def _int(value: str) -> int:
    if len(value) > MAX_NUMBER_DIGITS and _digits(value) > MAX_NUMBER_DIGITS:
        raise NumberTooLargeError(value)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _float(value: str) -> float:
    value = value.lower()
    if value.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    if value == ".nan":
        return float("nan")
    return float(value)


class DuplicateKeyError(ConstructorError):
    """A mapping names the same key twice: the second would silently win."""


class NestingError(yaml.MarkedYAMLError):
    """Lists and mappings nested deeper than :data:`MAX_DEPTH`, found before building them."""

    def __init__(self, mark: Any) -> None:
        super().__init__(
            problem=(
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep here "
                "(the limit; a deal file needs 4)"
            ),
            problem_mark=mark,
        )


# Tags SafeConstructor knows that no field of a deal file holds: refused with their
# line and column rather than turned into bytes, datetimes or sets.
_REFUSED_TAGS = ("binary", "timestamp", "omap", "pairs", "set")


class Constructor12(SafeConstructor):
    """SafeConstructor with YAML 1.2 numbers and no silent duplicate keys."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        try:
            return _int(str(self.construct_scalar(node)))
        except NumberTooLargeError as err:
            raise ConstructorError(None, None, str(err), node.start_mark) from None
        except ValueError:  # only with an explicit tag, such as !!int abc
            raise ConstructorError(
                None, None, f"{node.value!r} is not a whole number", node.start_mark
            ) from None

    def construct_yaml_float(self, node: ScalarNode) -> float:
        try:
            return _float(str(self.construct_scalar(node)))
        except ValueError:  # only with an explicit tag, such as !!float abc
            raise ConstructorError(
                None, None, f"{node.value!r} is not a number", node.start_mark
            ) from None

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

    def construct_refused(self, node: Node) -> Any:
        """Refuse a tag that no field of a deal file holds, at its line and column."""
        tag = str(node.tag)
        if tag.startswith("tag:yaml.org,2002:"):
            tag = "!!" + tag.removeprefix("tag:yaml.org,2002:")
        raise ConstructorError(
            None,
            None,
            f"the tag {tag} is not allowed: a deal file holds only text, numbers, "
            "true/false, lists and mappings; remove the tag",
            node.start_mark,
        )


Constructor12.add_constructor("tag:yaml.org,2002:int", Constructor12.construct_yaml_int)  # type: ignore[type-var]
for _name in _REFUSED_TAGS:
    Constructor12.add_constructor(f"tag:yaml.org,2002:{_name}", Constructor12.construct_refused)  # type: ignore[type-var]
Constructor12.add_constructor(None, Constructor12.construct_refused)  # type: ignore[type-var]
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
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_MAP_TAGS = (None, "!", _MAP)  # the tags a mapping or list may carry on the event path
_SEQ_TAGS = (None, "!", _SEQ)

# The tag of a plain scalar depends on its text alone (the 1.2 core schema's
# implicit resolvers, no path resolvers): remember it across files, where ids,
# words and dates repeat.
_RESOLVER = Resolver12()
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 100_000


def _plain_tag(value: str) -> str:
    # BaseResolver's own resolve: Resolver12's would come back here.
    tag: str = BaseResolver.resolve(_RESOLVER, ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if len(value) <= 64:
        if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
            _PLAIN_TAGS.clear()
        _PLAIN_TAGS[value] = tag
    return tag


class _Unusual(Exception):
    """The document needs the general composer and constructor (rare YAML, or an error)."""


def _load_events(text: str) -> Any:
    """Build plain data straight from libyaml's events: the common case, ~5x faster.

    Composing nodes costs a Python object with two marks per scalar; a deal
    file of 3,000 people has 300,000 of them. This reads the same events and
    builds what :class:`Constructor12` builds for the core schema's tags,
    aliases included (as shared objects). Anything else (explicit tags, merge
    keys, complex keys, duplicate keys, several documents, any error) raises
    :class:`_Unusual`, and :func:`load` redoes the file the general way, which
    also words every error with its line and column. The loop is written flat
    (no helper calls per value): it runs once per event.

    Kept for a target (``benchmarks/bench_yaml.py``): a 3,000-person deal read in at
    most 2 s (issue 2) whenever yaml-rs declines the file (flow mappings, block
    scalars...: every bundled example is such a file): about 1.0 s of CPU with
    this loop, 2.2 s to 2.9 s with the general loader alone.
    """
    parser = _Parser(text)
    get_event = parser.get_event
    plain_tags = _PLAIN_TAGS
    anchors: dict[str, Any] = {}
    root: list[Any] = []
    # The open containers above the current one, each with whether it is a list and
    # (a mapping's) the texts of its keys so far: the general constructor finds
    # duplicate keys by their text (1 and "1", or .nan twice, are duplicates to it).
    stack: list[tuple[Any, bool, set[str]]] = []
    container: Any = root
    is_list = True
    texts: set[str] = set()
    key: Any = _NO_KEY  # the pending key of the current mapping
    documents = 0
    data: Any
    key_text: Any
    try:
        while True:
            event: Any = get_event()
            if event is None:
                break
            kind = type(event)
            if kind is yaml.ScalarEvent:
                tag = event.tag
                key_text = value = event.value
                if tag is None and event.implicit[0]:
                    tag = plain_tags.get(value) or _plain_tag(value)
                elif tag is None or tag == "!":
                    tag = _STR
                if tag == _STR:
                    data = value
                elif tag == _INT_TAG:
                    data = _int(value)
                elif tag == _FLOAT_TAG:
                    data = _float(value)
                elif tag == _NULL_TAG:
                    data = None
                elif tag == _BOOL_TAG:
                    data = value[0] in "tT"
                else:
                    raise _Unusual
                if event.anchor is not None:
                    if event.anchor in anchors:  # the composer refuses a second &name
                        raise _Unusual
                    anchors[event.anchor] = data
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                mapping = kind is yaml.MappingStartEvent
                if event.tag not in (_MAP_TAGS if mapping else _SEQ_TAGS):
                    raise _Unusual
                data = {} if mapping else []
                if event.anchor is not None:
                    if event.anchor in anchors:  # the composer refuses a second &name
                        raise _Unusual
                    anchors[event.anchor] = data
                if is_list:
                    container.append(data)
                elif key is _NO_KEY:  # a mapping or list as a key
                    raise _Unusual
                else:
                    container[key] = data
                stack.append((container, is_list, texts))
                if len(stack) > MAX_DEPTH:  # before anything recursive reads it
                    raise NestingError(event.start_mark)
                container, is_list, key = data, not mapping, _NO_KEY
                texts = set()
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                container, is_list, texts = stack.pop()
                key = _NO_KEY
                continue
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _Unusual
                data = anchors[event.anchor]
                key_text = _NO_KEY  # an alias as a key: the general way
            else:
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _Unusual
                continue
            # A scalar or an alias: an item, a key, or the value of the pending key.
            if is_list:
                container.append(data)
            elif key is _NO_KEY:
                if key_text is _NO_KEY or key_text in texts or data == "<<" or data in container:
                    raise _Unusual
                texts.add(key_text)
                key = data
            else:
                container[key] = data
                key = _NO_KEY
    except NestingError:
        raise
    except (yaml.YAMLError, ValueError) as err:  # ValueError: !!int abc and the like
        raise _Unusual from err
    finally:
        parser.dispose()
    return root[0] if root else None


_NO_KEY = object()


# The native reader: yaml-rs (Rust, saphyr's YAML 1.2 parser) builds the data about
# 3.5x faster than libyaml's events reach Python. It reads some documents its own
# way, so it only gets the ones where it agrees with the reader above; anything
# it might read differently goes the libyaml way, and so does anything it
# refuses, so that every error is libyaml's, with its line and column. Found by
# comparing the two on over a million generated and mutated documents and on every
# character in several contexts (tests/test_yaml_reader.py keeps checking), it differs on:
# - numbers: 1_000, 0b101, 0B1, 0X1F, 0x1F_, +0x1 are numbers to it, text to the
#   1.2 core schema;
# - tags (unknown ones silently dropped), anchors (aliases copied, where io's size
#   check counts shared data; a recursive one read as null), directives, block
#   scalars (a final line break added at the end of the file), document markers
#   after the start, flow mappings (multi-line keys, collections as keys read as
#   tuples and frozensets), empty keys (a line starting with ":"), and "k:" right
#   before "," or "]" in a flow sequence: libyaml refuses most of these;
# - duplicate keys, which PyYAML's constructor finds by their text: .nan twice (NaN
#   is no NaN's equal) or 1 and "1" are two keys to yaml-rs, so quoted keys go the
#   libyaml way;
# - characters: control characters, DEL, C1 (NEL too), LS, PS, BOM, U+FFFE,
#   U+FFFF, tabs, a bare CR: libyaml refuses some and breaks lines at others.
# So files with flow mappings ({...}) or block scalars (|, >) are read by libyaml;
# flow sequences ([a, b]) are fine. Several documents come back as a list, so
# only a mapping is taken.
# Kept for a target (benchmarks/bench_yaml.py): the review of 10,000 deals of 30
# people in at most 60 s on 2 cores (issue 5). It reads such a deal in about 3 ms
# of CPU where the event loop takes 5.5 ms: some 13 s, with 2 workers, of the
# review's measured 25 to 38 s.


@functools.cache
def _yaml_rs() -> Any:
    """The yaml_rs module, imported on the first read (not when influence starts)."""
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - a platform without a yaml-rs wheel
        return None
    return yaml_rs


_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r" + bytes(range(0x80, 0x100))
_ODD_UTF8 = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef(?:\xbb\xbf|\xbf[\xbe\xbf])")
_ODD_UNDERSCORE = re.compile(r"_(?:[-+0-9.]|(?<=[-+0-9.]_))")  # apart: each starts with
_ODD_RADIX = re.compile(r"0[bBoOxX]")  # a literal, which the regex engine finds fast
_ODD_COLON = re.compile(r":(?<=[\s\[,]:)|:[,\]]")
_INDICATOR = re.compile(r"[!&?%|>](?<=[\s\[,][!&?%|>])")
_FLOW_KEY = re.compile(r"\][ ]*:")
_QUOTED_KEY_D = re.compile(r'"[ ]*:')  # apart, as above
_QUOTED_KEY_S = re.compile(r"'[ ]*:")


def _native_may_differ(text: str) -> bool:
    """Whether yaml-rs might read ``text`` otherwise than libyaml (see above).

    Plain substring tests first, regular expressions that start with a literal
    next: ~0.3 ms for a 35 KB deal file.
    """
    try:
        raw = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if raw.translate(None, _PLAIN_BYTES) or (not text.isascii() and _ODD_UTF8.search(raw)):
        return True
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    if (
        "{" in text
        or text[:1] in ("!", "&", "?", "%", ":", "|", ">")
        or text.startswith("...")
        or "\n..." in text
        or "\n---" in text
        or ".nan" in text
        or ".NaN" in text
        or ".NAN" in text
    ):
        return True
    if any(c in text for c in "!&?%|>") and _INDICATOR.search(text):
        return True
    if "]" in text and _FLOW_KEY.search(text):
        return True
    if _QUOTED_KEY_D.search(text) or _QUOTED_KEY_S.search(text):
        return True
    return bool(_ODD_COLON.search(text) or _ODD_UNDERSCORE.search(text) or _ODD_RADIX.search(text))


# yaml-rs recurses on nesting: 20,000 nested "- " on one line overflow its stack and
# kill the process. It only reads what is provably at most MAX_DEPTH deep; libyaml's
# event loop, which does not recurse, measures everything else (and stops at the
# limit with the line and column). The bound: a block list or mapping starts at
# its line's indentation or after the indicators that lead the line ("- - ", "? ",
# ": "), and each nesting level of two needs one more column, so lines led by fewer
# than _BLOCK_LEAD such characters nest block collections at most 2 x _BLOCK_LEAD
# deep (a run of "- " after a key on the same line is refused by both parsers before
# they recurse). Flow lists ("{" never takes this path) add at most one level per "[" that
# is not closed on its own line by a "]" with no quote, bracket or comment between.
# yaml-rs also reads a number of any length into an int, which Python then cannot
# print: a run of more than MAX_NUMBER_DIGITS digits goes the libyaml way.
_BLOCK_LEAD = 24
_DEEP_LEAD = re.compile(rf"\n[ ?:-]{{{_BLOCK_LEAD}}}")
_SIMPLE_FLOW = re.compile(r"\[[^\[\]\n\"'#]*\]")
_DIGITS_AS_ZERO = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS = b"0" * (MAX_NUMBER_DIGITS + 1)


def _native_is_safe(text: str) -> bool:
    """Whether ``text`` is provably within :data:`MAX_DEPTH` and number limits for yaml-rs."""
    if _DEEP_LEAD.search(text) or _DEEP_LEAD.match("\n" + text[: _BLOCK_LEAD + 1]):
        return False
    if _LONG_DIGITS in text.encode().translate(_DIGITS_AS_ZERO):
        return False
    if "[" not in text:
        return True
    flow = text.count("[")
    if flow > MAX_DEPTH - 2 * _BLOCK_LEAD:
        unclosed = _SIMPLE_FLOW.sub("", text)
        flow = unclosed.count("[") + (len(unclosed) != len(text))
    return 2 * _BLOCK_LEAD + flow <= MAX_DEPTH


def _check_depth(text: str) -> None:
    """Raise :class:`NestingError` if ``text`` nests deeper than :data:`MAX_DEPTH`.

    libyaml's events, without building anything: the general composer that runs
    after this recurses once per level. A syntax error ends the check early; the
    composer then stops at the same place.
    """
    parser = _Parser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return
            kind = type(event)
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                depth += 1
                if depth > MAX_DEPTH:
                    raise NestingError(event.start_mark)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                depth -= 1
    except NestingError:
        raise
    except yaml.MarkedYAMLError as err:
        # libyaml's own guard, which its scanner can reach first on "[[[[..."
        if "maximum nesting depth" in str(err.problem):
            raise NestingError(err.problem_mark) from None
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()


#: Threads other than the main one that live as long as the process and may use yaml-rs.
_LONG_LIVED: set[int] = set()


def use_native_on_this_thread() -> None:
    """Let the calling thread read with yaml-rs: call it only on a thread that never ends.

    yaml-rs 0.1.6 kills the process when threads that used it come and go (see
    :func:`_load_native`); one thread that lives as long as the process does not
    (``influence serve`` runs the library on one such thread, for every request).
    """
    _LONG_LIVED.add(threading.get_ident())


def _load_native(text: str) -> Any:
    """The data yaml-rs reads, or :data:`_NO_KEY` when libyaml must read ``text``.

    Only on the main thread, or on a thread that said it lives as long as the
    process (:func:`use_native_on_this_thread`): yaml-rs 0.1.6 kills the process
    (a segmentation fault) when threads that used it come and go, within a few
    hundred short threads (a server's or an embedding program's thread pool).
    Other threads read with libyaml, which gives the same data and errors.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        and threading.get_ident() not in _LONG_LIVED
    ):
        return _NO_KEY
    native = _yaml_rs()
    if native is None or _native_may_differ(text) or not _native_is_safe(text):
        return _NO_KEY
    try:
        data = native.loads(
            text,
            parse_datetime=False,
            duplicate_key_policy=native.DuplicateKeyPolicy.Error,
        )
    except Exception:  # any refusal: libyaml words it
        return _NO_KEY
    except BaseException as err:  # a Rust panic arrives as a BaseException
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        return _NO_KEY
    return data if type(data) is dict else _NO_KEY


def load(text: str) -> Any:
    """Load one YAML document with the 1.2 core schema.

    yaml-rs reads it when nothing in it could read otherwise, else libyaml's
    events, else (rare YAML, or an error) PyYAML's general constructor.
    """
    data = _load_native(text)
    if data is not _NO_KEY:
        return data
    try:
        return _load_events(text)
    except (_Unusual, RecursionError):
        pass
    _check_depth(text)
    loader = Loader12(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """Compose one YAML document into nodes that carry line and column marks.

    Raises:
        NestingError: the document nests deeper than :data:`MAX_DEPTH`.
    """
    if "{" in text or not _native_is_safe(text):  # else provably shallow: skip the events
        _check_depth(text)
    loader = Loader12(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def compose_data(text: str) -> tuple[Node | None, Any]:
    """Compose one document (as :func:`compose`) and construct its data from those nodes.

    Raises:
        NestingError: the document nests deeper than :data:`MAX_DEPTH`.
    """
    if "{" in text or not _native_is_safe(text):
        _check_depth(text)
    loader = Loader12(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
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


__all__ = [
    "MAX_DEPTH",
    "MAX_NUMBER_DIGITS",
    "Dumper12",
    "DuplicateKeyError",
    "Loader12",
    "NestingError",
    "NumberTooLargeError",
    "compose",
    "compose_data",
    "dump",
    "load",
    "use_native_on_this_thread",
]
_ = (SequenceNode,)
