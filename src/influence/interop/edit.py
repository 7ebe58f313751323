r"""Edit a deal file in place: add, change and remove people and ties, losing no byte.

A rep keeps a commented, hand-formatted deal file; an edit must change only what
it is asked to change. So a YAML edit is a splice: the file is composed with the
one YAML 1.2 loader (:mod:`influence._yaml`), which knows where every key and
value starts and ends, and only those characters are replaced, inserted or
removed. Comments, blank lines, quoting, key order and indentation elsewhere stay
byte for byte. After each splice the new text must hold exactly the data the
edit meant, or the edit stops: the items of the big lists the edit touched, with
their neighbours and all outside those lists, are read again, and every other
item is proven to be the same bytes at the same place as before (or, with
anchors or aliases, the whole new text is read again). An edit of one person in
a file of thousands composes and reads only a few items, not the file. JSON
files have no comments: they are rewritten with ``json``, keeping key order and
indentation.

Before anything is written the new data goes through the reading path every
command uses (:func:`influence.io.parse_deal`'s checks): an edit that would make
the file invalid is refused with the located problems of the would-be file.
Every edit holds the file's lock (:func:`influence.io.deal_lock`) from the read
to the write, so concurrent edits take turns and none is lost. Writing keeps the
file's mode, owner, group and hard links (:func:`influence.io.write_text`:
temporary file, fsync, then a rename or a copy in place), is refused for a
read-only file unless forced, and refused if the file's bytes changed on disk
since it was read (an editor that saved meanwhile, not knowing the lock).

Examples:
    >>> doc = parse_editable('''\
    ... deal: {name: Tiny}   # the pilot
    ... people:
    ...   - id: ann          # our champion
    ...     name: Ann
    ...     stance: neutral
    ... ''')
    >>> doc.set_person("ann", {"stance": "ally", "influence": "high"})
    ["set ann.stance: 'neutral' -> 'ally'", "set ann.influence: 'high'"]
    >>> print(doc.text, end="")
    deal: {name: Tiny}   # the pilot
    people:
      - id: ann          # our champion
        name: Ann
        influence: high
        stance: ally
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import yaml

from influence import _yaml
from influence._gc import gc_paused
from influence._suggest import did_you_mean
from influence.errors import DealFileError, Problem, UnknownPersonError
from influence.interop import InteropError
from influence.io import (
    LOCK_WAIT,
    CheckResult,
    _check_text,
    check_not_interrupted,
    check_writable,
    deal_lock,
    format_of,
    read_bytes,
    read_text,
    write_text,
)
from influence.model import PERSON_KEYS, SYMMETRIC_KINDS, TIE_DETAILS, TIE_KEYS, Deal, Kind, slugify

__all__ = [
    "PERSON_KEYS",
    "TIE_KEYS",
    "EditConflictError",
    "EditResult",
    "EditValueError",
    "EditableDeal",
    "InvalidEditError",
    "PersonExistsError",
    "PersonInUseError",
    "TieExistsError",
    "UnknownTieError",
    "add_person",
    "add_tie",
    "parse_editable",
    "read_editable",
    "remove_person",
    "remove_tie",
    "set_person",
    "set_tie",
    "write_editable",
]

Format = Literal["yaml", "json"]

# PERSON_KEYS and TIE_KEYS (from influence.model): new keys go in the spec's order.
_TIE_SETTABLE = TIE_DETAILS
_DATES = frozenset({"assessed", "last_contact"})
_NUMBERS = frozenset({"influence", "strength"})


class EditValueError(InteropError, ValueError):
    """An edit names a field that does not exist, or a value that cannot be used."""

    exit_code = 2  # a usage error


class EditConflictError(InteropError):
    """The file changed on disk between reading it and writing the edit; nothing was written."""


class PersonInUseError(InteropError):
    """A person still has ties (or manages someone, or owns the deal) and ``cascade`` is off."""


class TieExistsError(InteropError):
    """``add_tie`` for a tie that is already in the file."""


class PersonExistsError(InteropError):
    """``add_person`` with an id that a person in the file already has."""


class UnknownTieError(InteropError, KeyError):
    """No tie of that kind between the two people.

    Examples:
        >>> print(UnknownTieError("no knows tie between 'a' and 'b'"))
        no knows tie between 'a' and 'b'
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidEditError(DealFileError):
    """The edit would make the file invalid; ``problems`` locate it in the would-be file."""

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(
            f"{self.path}: edit refused: the file would be invalid (lines as the edit would "
            "leave it); nothing was written"
        )
        return "\n".join(lines)


class _Unsafe(InteropError):
    """A splice did not produce the data it meant to (an unusual layout); nothing changes."""


_DELETE: Any = object()


@dataclass
class EditResult:
    """What an edit did.

    Attributes:
        path: The file, as given.
        changes: One line per change, such as ``set ann.stance: 'neutral' -> 'ally'``.
        warnings: Warnings of the new file (an isolated person, ...), located.
        deal: The deal as the new file holds it.
        written: False when the edit changed nothing, so nothing was written.
    """

    path: str
    changes: list[str]
    warnings: list[Problem]
    deal: Deal
    written: bool = True


# -- rendering values -------------------------------------------------------------------

_PLAIN_START = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`]")
_ESCAPE = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085", "\ufeff": "\\ufeff"}


def _loads_as(text: str, value: Any) -> bool:
    try:
        return bool(
            _yaml.load(f"k: {text}\n") == {"k": value}
            and _yaml.load(f"{{k: {text}}}") == {"k": value}
        )
    except yaml.YAMLError:
        return False


def _scalar(value: Any) -> str:
    r"""A scalar as YAML text that reads back equal in block and flow context.

    Examples:
        >>> [_scalar(v) for v in ["Zhang Min", "NO", "12", "a: b", "x\ny", 0.9, True]]
        ['Zhang Min', 'NO', '"12"', '"a: b"', '"x\\ny"', '0.9', 'true']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (
        _PLAIN_START.match(text)
        and text == text.strip()
        and not any(c in text for c in ",[]{}#\n\r\t")
        and ": " not in text
        and not text.endswith(":")
        and text.isprintable()
        and _loads_as(text, text)
    ):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    for char, escape in _ESCAPE.items():
        quoted = quoted.replace(char, escape)
    if not _loads_as(quoted, text):  # pragma: no cover - belt and braces
        quoted = json.dumps(text)
    return quoted


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _flow_map(item: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_render(v)}" for k, v in item.items()) + "}"


def _coerce(key: str, value: Any) -> Any:
    """A value as the file should hold it: numbers as numbers, dates as ISO text, lists."""
    if value is None:
        return _DELETE
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return _DELETE
    if key in _DATES:
        if isinstance(value, date):
            return value.isoformat()
        if str(value).lower() == "today":
            return date.today().isoformat()
        return str(value)
    if key in _NUMBERS:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(value)
        except ValueError:
            return str(value).lower()
    if key in ("roles", "emails"):
        items = value if isinstance(value, list | tuple) else re.split(r"[,;]", str(value))
        return [getattr(v, "value", str(v)).strip() for v in items if str(v).strip()]
    return str(value)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _render(value)


# -- the YAML splicer -------------------------------------------------------------------


class _Splicer:
    """YAML text plus its composed node tree, with position helpers and splices.

    Offsets come from the marks' ``index`` (characters from the start), not from
    line and column: libyaml also counts U+2028, U+0085 and a lone CR as line
    breaks, which a count of newlines would not. The tree is composed only when a
    position is needed, and again only after a splice has changed the text:
    composing is the slow part of reading YAML (a node object per scalar), and
    data alone comes from the fast :func:`influence._yaml.load`. This one composes
    the whole file (the way every edit falls back to); :class:`_SectionSplicer`
    composes only the items an edit reads.
    """

    def __init__(self, text: str, root: yaml.Node | None = None) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self._root = root

    @property
    def root(self) -> yaml.MappingNode:
        if self._root is None:
            self._root = _yaml.compose(self.text)
        if not isinstance(self._root, yaml.MappingNode):
            raise _Unsafe("the file's top level is not a mapping")
        return self._root

    def off(self, mark: Any) -> int:
        return int(mark.index)

    def splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]
        self._root = None

    # -- positions
    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        """The start of the line after the one holding the character before ``pos``."""
        if pos > 0 and self.text[pos - 1] == "\n":
            return pos
        return self.next_line(pos)

    def next_line(self, pos: int) -> int:
        """The start of the line after the one that holds ``pos`` (or the end of the text)."""
        found = self.text.find("\n", pos)
        return len(self.text) if found < 0 else found + 1

    def is_blank_line(self, pos: int) -> bool:
        """True when ``pos`` starts a line holding only white space (not the end of the text)."""
        return pos < len(self.text) and not self.text[pos : self.next_line(pos)].strip()

    def content_end(self, node: yaml.Node) -> int:
        """Where a node's own characters end.

        A block collection ends at its last scalar, and a block scalar (``|``,
        ``>``) at its last character that is not white space: libyaml's end
        mark runs past the blank lines that follow them.
        """
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
            if not node.value:
                return self.off(node.end_mark)
            last = node.value[-1]
            return self.content_end(last[1] if isinstance(last, tuple) else last)
        end = self.off(node.end_mark)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            start = self.off(node.start_mark)
            end = start + len(self.text[start:end].rstrip())
        return end

    def colon_after(self, key: yaml.Node) -> int:
        pos = self.off(key.end_mark)
        while pos < len(self.text) and self.text[pos] in " \t":
            pos += 1
        if pos >= len(self.text) or self.text[pos] != ":":
            raise _Unsafe(f"no ':' after the key {key.value!r}")
        return pos + 1

    # -- navigation
    def node_at(self, path: Sequence[str | int]) -> yaml.Node:
        node: yaml.Node = self.root
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, yaml.SequenceNode):
                    raise _Unsafe("expected a list")
                node = node.value[part]
            else:
                if not isinstance(node, yaml.MappingNode):
                    raise _Unsafe("expected a mapping")
                pair = _pair(node, part)
                if pair is None:
                    raise _Unsafe(f"no key {part!r}")
                node = pair[1]
        return node


# -- composing only the items an edit is about ----------------------------------------
#
# Composing is the slow part (a node object and two marks per scalar: some 10 s
# for a 3,000-person file). An edit of one person needs the nodes of that person,
# and of the first and last items of a list it appends to. So the text composed
# is a skeleton of the file: every other item of a top-level block list is cut
# down to its dash (a null item), found by a scan for the lines that start with
# the list's dash at its column. The items keep their indexes; the marks of what
# is composed are mapped back to the file's offsets. The skeleton's data must be
# the file's data with exactly those items null, or the whole file is composed.

#: Characters libyaml also breaks lines at, which the line scan would not.
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")
#: The first line of a top-level block list's content: blank lines and comments, then a dash.
_FIRST_DASH = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)-(?=[ \t\r\n]|\Z)")
#: A line that ends a top-level list at column 0 (a key; not a comment, blank or an item).
_TOP_LINE = re.compile(r"\n[^ #\r\n]")
_TOP_LINE_NO_DASH = re.compile(r"\n(?!-(?:[ \t\r\n]|\Z))[^ #\r\n]")


def _list_items(text: str, key: str) -> tuple[list[int], int] | None:
    """Where the top-level block list ``key`` has its items: their lines' starts, and its end.

    None when the key is not written plainly once at column 0 with its list on
    the lines below (a flow list, a quoted key...): then that list is composed whole.
    Plain string searches (a regular expression that starts each line would be
    slow on a file of 30,000 ties).
    """
    head = "\n" + key
    at = [0] if text.startswith(key) else []
    found = text.find(head)
    while found >= 0 and len(at) < 2:
        at.append(found + 1)
        found = text.find(head, found + 1)
    line = re.compile(rf"{re.escape(key)}[ \t]*:(?:[ \t]+#[^\r\n]*)?[ \t]*\r?\n")
    matches = [m for m in (line.match(text, pos) for pos in at) if m]
    if len(matches) != 1 or len(at) != 1:
        return None
    first = _FIRST_DASH.match(text, matches[0].end())
    if first is None:
        return None
    column = len(first.group(1))
    start = first.start(1)
    end_match = (_TOP_LINE_NO_DASH if column == 0 else _TOP_LINE).search(text, start)
    end = len(text) if end_match is None else end_match.start() + 1
    dash = re.compile(rf"\n {{{column}}}-(?=[ \t\r\n]|\Z)")
    return [start] + [m.start() + 1 for m in dash.finditer(text, start, end)], end


@dataclass
class _Skeleton:
    """A file's text composed with only some items of its big top-level lists.

    Attributes:
        root: The tree; each list keeps its length, the items left out standing
            as one placeholder node that no edit may read.
        starts: Offsets in the composed text where a piece of the file starts...
        origins: ... and the file's offsets those pieces come from.
        cut: Per list, the indexes of the items left out.
        lines: Per list, where each item's line starts in the file, and where the
            list ends.
    """

    root: yaml.MappingNode
    starts: list[int]
    origins: list[int]
    cut: dict[str, set[int]]
    lines: dict[str, tuple[list[int], int]]


def _skeleton(text: str, data: Mapping[str, Any], keep: Mapping[str, set[int]]) -> _Skeleton | None:
    """``text`` composed with the items ``keep`` names and each list's first and last.

    None when no list can be cut (small lists, a layout the scan does not take),
    or when what is composed does not hold exactly ``data`` at those items and
    outside the lists: the scan misread the layout.
    """
    lists = []
    lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")
    if not lone_cr and (text.isascii() or not any(c in text for c in _ODD_BREAKS)):
        for key, value in data.items():
            if isinstance(key, str) and isinstance(value, list) and len(value) > 2:
                found = _list_items(text, key)
                if found is not None and len(found[0]) == len(value):
                    lists.append((key, *found))
    if not lists:
        return None
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    kept: dict[str, list[int]] = {}
    size = pos = 0

    def piece(origin: int, stop: int) -> None:
        nonlocal size
        starts.append(size)
        origins.append(origin)
        pieces.append(text[origin:stop])
        size += stop - origin

    for key, lines, end in sorted(lists, key=lambda item: item[1][0]):
        chosen = {0, len(lines) - 1} | {i for i in keep.get(key, ()) if 0 <= i < len(lines)}
        kept[key] = sorted(chosen)
        piece(pos, lines[0])
        for i in kept[key]:
            piece(lines[i], lines[i + 1] if i + 1 < len(lines) else end)
        pos = end
    piece(pos, len(text))
    try:
        root, composed = _yaml.compose_data("".join(pieces))
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    expected = dict(data)
    for key, indexes in kept.items():
        expected[key] = [data[key][i] for i in indexes]
    if composed != expected or not isinstance(root, yaml.MappingNode):
        return None
    placeholder = yaml.ScalarNode("tag:yaml.org,2002:null", "")
    cut: dict[str, set[int]] = {}
    for key, indexes in kept.items():
        pair = _pair(root, key)
        if pair is None or not isinstance(pair[1], yaml.SequenceNode):  # pragma: no cover
            return None
        items: list[yaml.Node] = [placeholder] * len(data[key])
        for i, node in zip(indexes, pair[1].value, strict=True):
            items[i] = node
        pair[1].value = items
        cut[key] = set(range(len(items))) - set(indexes)
    lines_of = {key: (lines, end) for key, lines, end in lists}
    return _Skeleton(root, starts, origins, cut, lines_of)


class _SectionSplicer(_Splicer):
    """A splicer whose tree holds only the items an edit reads (see :func:`_skeleton`).

    ``keep`` names, per top-level list, the items an edit reads; the first and
    last item of each list are always kept (appends read them). After a splice
    the tree is the whole file's again, as for :class:`_Splicer`.
    """

    def __init__(self, text: str, data: Mapping[str, Any], keep: Mapping[str, set[int]]) -> None:
        super().__init__(text)
        self._data = data
        self.kept = keep
        self.skeleton: _Skeleton | None = None  # the one the tree came from, if any
        self._spliced = False

    def off(self, mark: Any) -> int:
        """The file's offset of a mark in the composed text.

        A mark where a piece starts is taken as the end of the piece before: the
        end marks of a block mapping or block scalar run to the next item's line,
        the item after them in the file, left out of the composed text. No node
        starts there (pieces start at a line's start; an item's node starts after
        its dash, a list's at its first item, which follows its key's piece in the
        file too).
        """
        index = int(mark.index)
        if self.skeleton is None or self._spliced:
            return index
        starts, origins = self.skeleton.starts, self.skeleton.origins
        at = max(0, bisect.bisect_left(starts, index) - 1)
        return origins[at] + index - starts[at]

    def splice(self, start: int, end: int, new: str) -> None:
        super().splice(start, end, new)
        self._spliced = True

    @property
    def root(self) -> yaml.MappingNode:
        if self._root is None and not self._spliced:
            self.skeleton = _skeleton(self.text, self._data, self.kept)
            self._root = _yaml.compose(self.text) if self.skeleton is None else self.skeleton.root
        return super().root

    def node_at(self, path: Sequence[str | int]) -> yaml.Node:
        cut = self.skeleton.cut if self.skeleton is not None and not self._spliced else {}
        if len(path) > 1 and isinstance(path[1], int) and path[1] in cut.get(str(path[0]), ()):
            raise _Unsafe(f"{path[0]}[{path[1]}] was not composed")  # pragma: no cover - a bug
        return super().node_at(path)


#: Where an anchor (&name) or an alias (*name) may start; text like "R & D" counts too.
#: (It starts with the character, which the regular expression engine finds fast.)
_ANCHOR_OR_ALIAS = re.compile(r"[&*](?<=[\s\[{,][&*])")


def _may_have_anchors(text: str) -> bool:
    """Whether ``text`` may hold an anchor or an alias (plain string searches first)."""
    if "&" not in text and "*" not in text:
        return False
    return text[:1] in ("&", "*") or _ANCHOR_OR_ALIAS.search(text) is not None


def _runs(indexes: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted indexes as runs of consecutive ones, first and last of each.

    Examples:
        >>> _runs([1, 2, 3, 7, 9, 10])
        [(1, 3), (7, 7), (9, 10)]
    """
    out: list[tuple[int, int]] = []
    for i in indexes:
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _holds_elsewhere(
    before: _SectionSplicer,
    old_text: str,
    old_data: Mapping[str, Any],
    new_text: str,
    new_data: Mapping[str, Any],
    removed: Mapping[str, set[int]],
) -> bool:
    """Whether ``new_text`` provably loads as ``new_data``, reading only what the edit changed.

    The new text is composed with the items the edit touched, their neighbours
    and everything outside the big lists: that must hold ``new_data`` there. Every
    other item must be the very bytes of an item of the old text, whose data
    ``old_data`` is, at the same place in its list. An item's line starts a list
    item at the list's column in both texts, so the parser reads those bytes in
    the same state and makes the same data of them. Not with anchors or aliases,
    where an item's data can come from another one.
    """
    old = before.skeleton
    if old is None or _may_have_anchors(new_text):
        return False
    old_of_new: dict[str, list[int | None]] = {}
    keep: dict[str, set[int]] = {}
    for key, (lines, _) in old.lines.items():
        items = new_data.get(key)
        if not isinstance(items, list):
            return False
        gone = removed.get(key, set())
        survivors = [i for i in range(len(lines)) if i not in gone] if gone else range(len(lines))
        added = len(items) - len(survivors)
        if added < 0:
            return False
        old_of_new[key] = [*survivors, *([None] * added)]
        near = {bisect.bisect_left(survivors, i) for i in gone}
        keep[key] = (
            set(before.kept.get(key, ()))
            | near
            | {i - 1 for i in near}
            | set(range(len(survivors) - 1, len(items)))
        )
    new = _skeleton(new_text, new_data, keep)
    if new is None:
        return False
    for key, cut in new.cut.items():
        if key not in old.lines:
            return False
        new_lines, new_end = new.lines[key]
        old_lines, old_end = old.lines[key]
        mapped = old_of_new[key]
        for a, b in _runs(sorted(cut)):
            first, last = mapped[a], mapped[b]
            if first is None or last is None or last - first != b - a:
                return False
            new_stop = new_lines[b + 1] if b + 1 < len(new_lines) else new_end
            old_stop = old_lines[last + 1] if last + 1 < len(old_lines) else old_end
            if new_text[new_lines[a] : new_stop] != old_text[old_lines[first] : old_stop]:
                return False
            if new_data[key][a : b + 1] != old_data[key][first : last + 1]:
                return False
    return True


def _pair(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    found = None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            found = (k, v)
    return found


def _is_null(node: yaml.Node) -> bool:
    """True for a null scalar of any spelling (``~``, ``null``, or nothing at all)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _is_empty(node: yaml.Node) -> bool:
    """True for a key with nothing after its colon (``notes:``): the node has no characters."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:null"
        and node.value == ""
        and node.style is None
    )


def _set_key(
    s: _Splicer, path: Sequence[str | int], key: str, value: Any, order: Sequence[str]
) -> None:
    """Set ``key`` of the mapping at ``path``: replace the value, or insert a line in order."""
    node = s.node_at(path)
    if not isinstance(node, yaml.MappingNode):
        raise _Unsafe("expected a mapping")
    pair = _pair(node, key)
    if pair is not None:
        key_node, old = pair
        if _is_empty(old) or (
            isinstance(old, yaml.MappingNode | yaml.SequenceNode) and not old.flow_style
        ):
            start = s.colon_after(key_node)
            end = start if _is_empty(old) else s.content_end(old)
            s.splice(start, end, " " + _render(value))
            return
        start, end = s.off(old.start_mark), s.content_end(old)
        new = _render(value)
        if isinstance(old, yaml.ScalarNode) and old.style in ("|", ">"):
            # The block's lines go, with any trailing spaces; its line break stays.
            stop = s.line_end(end)
            new += s.text[end:stop].strip(" \t")
            end = stop
        s.splice(start, end, new)
        return
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    before = [i for i, k in enumerate(keys) if rank.get(k, len(order)) <= mine]
    after_index = before[-1] if before else 0
    prev_value = node.value[after_index][1]
    if node.flow_style:
        s.splice(s.content_end(prev_value), s.content_end(prev_value), f", {key}: {_render(value)}")
        return
    first_key = s.off(node.value[0][0].start_mark)
    column = first_key - s.line_start(first_key)
    at = s.line_end(s.content_end(prev_value))
    lead = s.newline if at == len(s.text) and not s.text.endswith("\n") else ""
    s.splice(at, at, f"{lead}{' ' * column}{key}: {_render(value)}{s.newline}")


def _delete_span(s: _Splicer, path: Sequence[str | int], key: str) -> tuple[int, int] | None:
    """The characters that removing ``key`` from the mapping at ``path`` takes out."""
    node = s.node_at(path)
    if not isinstance(node, yaml.MappingNode):
        raise _Unsafe("expected a mapping")
    index = next(
        (i for i, (k, _) in enumerate(node.value) if getattr(k, "value", None) == key), None
    )
    if index is None:
        return None
    key_node, value = node.value[index]
    start = s.off(key_node.start_mark)
    nxt = node.value[index + 1] if index + 1 < len(node.value) else None
    if node.flow_style:
        if nxt is not None:
            return start, s.off(nxt[0].start_mark)
        if index > 0:
            return s.content_end(node.value[index - 1][1]), s.content_end(value)
        return start, s.content_end(value)
    head = s.text[s.line_start(start) : start]
    if head.strip() == "":
        return s.line_start(start), s.line_end(s.content_end(value))
    if head.strip() == "-" and nxt is not None:
        # The first key of a list item shares the dash's line: pull the next key up.
        return start, s.off(nxt[0].start_mark)
    raise _Unsafe(f"cannot remove {key!r} from this layout")


def _delete_keys(s: _Splicer, targets: Sequence[tuple[Sequence[str | int], str]]) -> None:
    """Remove keys from several mappings, every span found in one tree, last first."""
    spans = [span for path, key in targets if (span := _delete_span(s, path, key))]
    for start, end in sorted(spans, reverse=True):
        s.splice(start, end, "")


def _seq_style(s: _Splicer) -> tuple[int, int]:
    """Dash and content columns for a new top-level block list, after the file's own."""
    for name in ("people", "relationships"):
        pair = _pair(s.root, name)
        if pair and isinstance(pair[1], yaml.SequenceNode) and not pair[1].flow_style:
            items = pair[1].value
            if items:
                first = s.off(items[0].start_mark)
                line = s.line_start(first)
                dash_col = s.text.index("-", line) - line
                return dash_col, first - line
    return 2, 4


def _block_item(item: Mapping[str, Any], dash_col: int, content_col: int, nl: str) -> str:
    lines = []
    gap = " " * max(1, content_col - dash_col - 1)
    for i, (k, v) in enumerate(item.items()):
        prefix = f"{' ' * dash_col}-{gap}" if i == 0 else " " * content_col
        lines.append(f"{prefix}{k}: {_render(v)}")
    return nl.join(lines) + nl


def _append_item(s: _Splicer, seq_key: str, item: Mapping[str, Any]) -> None:
    """Append ``item`` to the top-level list ``seq_key`` in the list's own style."""
    nl = s.newline
    pair = _pair(s.root, seq_key)
    if pair is None:
        dash, content = _seq_style(s)
        block = f"{seq_key}:{nl}" + _block_item(item, dash, content, nl)
        if s.root.flow_style:
            at = s.off(s.root.end_mark) - 1
            s.splice(at, at, f", {seq_key}: [{_flow_map(item)}]")
            return
        if seq_key == "people" and _pair(s.root, "relationships") is not None:
            rel_key = _pair(s.root, "relationships")
            assert rel_key is not None
            at = s.line_start(s.off(rel_key[0].start_mark))
            s.splice(at, at, block)
            return
        lead = "" if not s.text or s.text.endswith("\n") else nl
        s.splice(len(s.text), len(s.text), lead + block)
        return
    key_node, seq = pair
    if _is_null(seq) or (isinstance(seq, yaml.SequenceNode) and seq.flow_style and not seq.value):
        key_start = s.off(key_node.start_mark)
        indent = key_start - s.line_start(key_start)
        dash, content = _seq_style(s)
        block = _block_item(item, dash + indent, content + indent, nl)
        start = s.colon_after(key_node)
        end = start if _is_empty(seq) else s.off(seq.end_mark)
        rest_of_line = s.text[end : s.line_end(end)]
        if rest_of_line.strip():  # an end-of-line comment stays on the key's line
            s.splice(start, end, "")
            at = s.line_end(start)
            lead = nl if at == len(s.text) and not s.text.endswith("\n") else ""
            s.splice(at, at, lead + block)
        else:
            s.splice(start, s.line_end(end), nl + block)
        return
    if not isinstance(seq, yaml.SequenceNode):
        raise _Unsafe(f"{seq_key} is not a list")
    last = seq.value[-1]
    if seq.flow_style:
        s.splice(s.content_end(last), s.content_end(last), f", {_flow_map(item)}")
        return
    first = seq.value[0]
    dash_pos = s.off(first.start_mark)
    line = s.line_start(dash_pos)
    head = s.text[line:dash_pos]
    if head.strip() != "-":
        raise _Unsafe(f"cannot add to {seq_key} in this layout")
    dash_col = head.index("-")
    at = s.line_end(s.content_end(last))
    lead = nl if at == len(s.text) and not s.text.endswith("\n") else ""
    last_line = s.line_start(s.off(last.start_mark))
    if len(seq.value) > 1 and last_line > 0 and s.is_blank_line(s.line_start(last_line - 1)):
        lead += nl  # the file keeps a blank line between items: so does the new one
    if isinstance(first, yaml.MappingNode) and first.flow_style:
        s.splice(at, at, f"{lead}{' ' * dash_col}-{head[dash_col + 1 :]}{_flow_map(item)}{nl}")
    else:
        s.splice(at, at, lead + _block_item(item, dash_col, dash_pos - line, nl))


_NOT_PRINTABLE = re.compile(
    r"[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\ufeff\u2028\u2029]"
)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _quoted(text: str) -> str:
    r"""Text as a YAML double-quoted scalar, without trying the plain style (fast, for bulk).

    Examples:
        >>> _quoted("a\u2028b: <x@y>")
        '"a\\u2028b: <x@y>"'
    """
    if _AS_IS.fullmatch(text):  # what json.dumps would give, without the call
        return f'"{text}"'
    return _NOT_PRINTABLE.sub(_escape_char, json.dumps(text, ensure_ascii=False))


#: Printable ASCII but the quote and the backslash: quoted as it is.
_AS_IS = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")


#: Fields whose texts rarely repeat (ids, free text): quoted, without trying the plain style.
_ALWAYS_QUOTED = frozenset({"source", "notes"})


def _field_text(key: str, value: Any, plain: dict[Any, str]) -> str:
    """A field's value as bulk appends write it."""
    if key in _ALWAYS_QUOTED and isinstance(value, str):
        return _quoted(value)
    return _bulk_render(value, plain)


def _bulk_render(value: Any, plain: dict[Any, str]) -> str:
    """Like :func:`_render`, with the plain form of repeated short texts (and lists) remembered."""
    if isinstance(value, list):
        key = tuple(value) if len(value) <= 8 and all(type(v) is str for v in value) else None
        found = plain.get(key) if key is not None else None
        if found is None:
            found = "[" + ", ".join(_bulk_render(v, plain) for v in value) + "]"
            if key is not None:
                plain[key] = found
        return found
    if isinstance(value, str) and len(value) <= 64:
        found = plain.get(value)
        if found is None:
            found = plain[value] = _scalar(value)
        return found
    if isinstance(value, str):
        return _quoted(value)
    return _scalar(value)


def _append_items(s: _Splicer, seq_key: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Append many items to the top-level block list ``seq_key`` in one splice.

    Only for the layouts a single append handles by one insertion (the list is
    missing at the end of a block file, or a block list of block mappings);
    others get one append per item.
    """
    if len(items) == 1:  # one item (touch add): the plain style where it reads back
        _append_item(s, seq_key, items[0])
        return
    nl = s.newline
    plain: dict[Any, str] = {}

    def block(item: Mapping[str, Any], dash_col: int, content_col: int) -> str:
        first = " " * dash_col + "-" + " " * max(1, content_col - dash_col - 1)
        rest = " " * content_col
        lines = [
            f"{rest if i else first}{k}: {_field_text(k, v, plain)}"
            for i, (k, v) in enumerate(item.items())
        ]
        return nl.join(lines) + nl

    pair = _pair(s.root, seq_key)
    if pair is None and not s.root.flow_style:
        dash, content = _seq_style(s)
        lead = "" if not s.text or s.text.endswith("\n") else nl
        text = f"{seq_key}:{nl}" + "".join(block(item, dash, content) for item in items)
        s.splice(len(s.text), len(s.text), lead + text)
        return
    if pair is not None and isinstance(pair[1], yaml.SequenceNode) and not pair[1].flow_style:
        seq = pair[1]
        first = seq.value[0] if seq.value else None
        if isinstance(first, yaml.MappingNode) and not first.flow_style:
            dash_pos = s.off(first.start_mark)
            line = s.line_start(dash_pos)
            head = s.text[line:dash_pos]
            if head.strip() == "-":
                dash_col = head.index("-")
                last = seq.value[-1]
                at = s.line_end(s.content_end(last))
                lead = nl if at == len(s.text) and not s.text.endswith("\n") else ""
                last_line = s.line_start(s.off(last.start_mark))
                gap = ""
                if (
                    len(seq.value) > 1
                    and last_line > 0
                    and s.is_blank_line(s.line_start(last_line - 1))
                ):
                    gap = nl
                text = "".join(gap + block(item, dash_col, dash_pos - line) for item in items)
                s.splice(at, at, lead + text)
                return
    for item in items:
        _append_item(s, seq_key, item)


def _remove_items(s: _Splicer, seq_key: str, indexes: Sequence[int]) -> None:
    """Remove items from the top-level list ``seq_key``; a block list's all in one pass."""
    pair = _pair(s.root, seq_key)
    if pair is None or not isinstance(pair[1], yaml.SequenceNode):
        raise _Unsafe(f"no list {seq_key!r}")
    seq = pair[1]
    emptied = len(set(indexes)) == len(seq.value)
    if seq.flow_style:
        for index in sorted(set(indexes), reverse=True):
            items = s.node_at((seq_key,)).value
            start, end = s.off(items[index].start_mark), s.content_end(items[index])
            if index + 1 < len(items):
                s.splice(start, s.off(items[index + 1].start_mark), "")
            elif index > 0:
                s.splice(s.content_end(items[index - 1]), end, "")
            else:
                s.splice(start, end, "")
        return
    spans = []
    for index in sorted(set(indexes)):
        item = seq.value[index]
        start = s.off(item.start_mark)
        line = s.line_start(start)
        if s.text[line:start].strip() != "-":
            raise _Unsafe(f"cannot remove from {seq_key} in this layout")
        stop = s.line_end(s.content_end(item))
        if line > 0 and s.is_blank_line(s.line_start(line - 1)) and s.is_blank_line(stop):
            stop = s.next_line(stop)  # blank lines around the item: keep one, not two
        spans.append((line, stop))
    for start, stop in reversed(spans):
        s.splice(start, stop, "")
    if emptied:
        # The list is now empty: say so, or the key would read as null.
        key = _pair(s.root, seq_key)
        if key is None:
            raise _Unsafe(f"no list {seq_key!r}")
        colon = s.colon_after(key[0])
        s.splice(colon, colon, " []")


# -- the editable deal ------------------------------------------------------------------


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a key appears twice")
    return out


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _json_layout(text: str) -> tuple[int | None, bool]:
    """The indent and ASCII-escaping a JSON file uses, to write it back alike."""
    indent: int | None = None
    match = re.search(r"\n( +)\S", text)
    if match:
        indent = len(match.group(1))
    elif "\n" in text.strip():
        indent = 2
    ascii_only = "\\u" in text and all(ord(c) < 128 for c in text)
    return indent, ascii_only


TextEdit = Callable[[_Splicer], None]
DataEdit = Callable[[dict[str, Any]], None]


@dataclass
class _Step:
    """An edit: its splice, the change of the data it means, and where both happen.

    Attributes:
        text_edit: The splice.
        data_edit: The change, made on a copy of the data.
        paths: The containers ``data_edit`` changes (such as ``("people", 3)``): copied first.
        keep: Per top-level list, the items ``text_edit`` reads (composed; see
            :class:`_SectionSplicer`).
        parts: The same edit as steps made one after another, each composing only its
            own items; the whole-file way makes the edit as one.
        removed: Per top-level list, the items ``data_edit`` removes (old indexes).
    """

    text_edit: TextEdit
    data_edit: DataEdit
    paths: Sequence[tuple[str | int, ...]]
    keep: Mapping[str, set[int]] = dataclasses.field(default_factory=dict)
    parts: Sequence[_Step] = ()
    removed: Mapping[str, set[int]] = dataclasses.field(default_factory=dict)


def _keep(path: Sequence[str | int]) -> dict[str, set[int]]:
    """The item of a top-level list that an edit at ``path`` reads."""
    if len(path) > 1 and isinstance(path[0], str) and isinstance(path[1], int):
        return {path[0]: {path[1]}}
    return {}


def _copied(data: dict[str, Any], paths: Sequence[tuple[str | int, ...]]) -> dict[str, Any]:
    """``data`` with the containers along ``paths`` copied, the rest shared.

    An edit changes a person or a list, not the thousands of others: copying
    only what it changes keeps the untouched data the very same objects.

    Examples:
        >>> data = {"people": [{"id": "a"}, {"id": "b"}], "deal": {"name": "T"}}
        >>> new = _copied(data, [("people", 1)])
        >>> new["people"][1]["id"] = "c"
        >>> data["people"][1]["id"], new["people"][0] is data["people"][0]
        ('b', True)
    """
    out = dict(data)
    copied = {id(out)}
    for path in paths:
        parent: Any = out
        for part in path:
            try:
                child = parent[part]
            except (KeyError, IndexError, TypeError):
                break
            if id(child) not in copied:
                if isinstance(child, dict):
                    child = dict(child)
                elif isinstance(child, list):
                    child = list(child)
                else:
                    break
                copied.add(id(child))
                parent[part] = child
            parent = child
    return out


class EditableDeal:
    """A deal file's text, open for edits that keep every byte they do not touch.

    Build one with :func:`read_editable` (from a file, remembering its bytes'
    hash) or :func:`parse_editable` (from text). Each method edits :attr:`text`
    and returns what it changed; :func:`write_editable` validates and writes.

    Attributes:
        source: The file as given (``"<string>"`` for text).
        fmt: ``"yaml"`` or ``"json"``.
        text: The current text, with every edit so far.
        original: The text as read.
        digest: SHA-256 of the file's bytes when read (None for text).
        changes: One line per change so far.
        data: The data :attr:`text` holds. Each edit replaces it (sharing what it did
            not change), never changes it in place: do not change it either.

    ``known_data``, when given, is taken as the data ``text`` holds, unread
    (:func:`read_editable` passes what an edit here wrote as those very bytes).
    """

    def __init__(
        self,
        text: str,
        fmt: Format,
        *,
        source: str = "<string>",
        digest: str | None = None,
        known_data: Any = None,
    ) -> None:
        self.bom = text.startswith("\ufeff")
        text = text.removeprefix("\ufeff")
        self.source = source
        self.fmt: Format = fmt
        self.original = text
        self.text = text
        self.digest = digest
        self.changes: list[str] = []
        try:
            if known_data is not None:
                self.data = known_data
            elif fmt == "json":
                # A repeated key would silently vanish when the file is written back.
                self.data = json.loads(text, object_pairs_hook=_unique_pairs)
            else:
                self.data = _yaml.load(text)
        except (yaml.YAMLError, ValueError, RecursionError):
            result = _check_text(text, fmt, source, None)
            problems = result.errors or [Problem(source, 0, 0, "", "cannot read the file")]
            raise DealFileError(source, problems) from None
        if not isinstance(self.data, dict):
            raise DealFileError(source, _check_text(text, fmt, source, None).errors)
        self._splicer = _Splicer(text)
        # The text the last edit read back, and what it read: check() validates that.
        self._loaded: tuple[str, Any] | None = None

    # -- lookups
    @property
    def deal_id(self) -> str:
        """The deal's id: ``deal.id``, else the slug of the file name (or of the deal's name)."""
        info = self.data.get("deal")
        if isinstance(info, dict) and isinstance(info.get("id"), str) and info["id"]:
            return str(info["id"])
        if self.source != "<string>":
            return slugify(Path(self.source).stem)
        name = info.get("name") if isinstance(info, dict) else None
        return slugify(name) if isinstance(name, str) else "deal"

    def _people(self) -> list[Any]:
        people = self.data.get("people")
        return people if isinstance(people, list) else []

    def _ties(self) -> list[Any]:
        ties = self.data.get("relationships")
        return ties if isinstance(ties, list) else []

    def person_ids(self) -> list[str]:
        r"""The people's ids, in file order (``id``, else the slug of ``name``).

        Examples:
            >>> parse_editable("deal: {name: T}\npeople: [{name: Ann Lee}]").person_ids()
            ['ann-lee']
        """
        out = []
        for p in self._people():
            if isinstance(p, dict):
                pid = p.get("id") or (slugify(p["name"]) if isinstance(p.get("name"), str) else "")
                out.append(str(pid))
            else:
                out.append("")
        return out

    def _index(self, person_id: str) -> int:
        ids = self.person_ids()
        if person_id not in ids:
            raise UnknownPersonError(person_id, self.deal_id, [i for i in ids if i])
        return ids.index(person_id)

    def _tie_indexes(self, a: str, b: str, kind: str) -> list[int]:
        symmetric = Kind(kind) in SYMMETRIC_KINDS
        found = []
        for i, r in enumerate(self._ties()):
            if not isinstance(r, dict) or str(r.get("kind", "knows")) != kind:
                continue
            ends = (r.get("from"), r.get("to"))
            if ends == (a, b) or (symmetric and ends == (b, a)):
                found.append(i)
        return found

    # -- primitive edits: text and data together, checked against each other
    def _apply(self, steps: Sequence[_Step]) -> None:
        """Make edits, each a splice of the text and the change of the data it means.

        The text after them must load as exactly the data meant, or nothing changes.
        Each splice composes only the items it is about (:class:`_SectionSplicer`);
        the data is copied only along the paths the edits change; the new text is
        read once, and :meth:`check` validates that reading without reading again.
        Should anything in that go otherwise (an unusual layout, an alias that the
        edit also changes), the edits are made again the whole-file way, each
        checked against a full copy of the data, and that way's answer stands.
        """
        if self.fmt == "json" or not steps:
            for step in steps:
                self._apply_whole(step)
            return
        try:
            text, data = self.text, self.data
            proven = True
            for part in [part for step in steps for part in (step.parts or [step])]:
                expected = _copied(data, part.paths)
                part.data_edit(expected)
                splicer = _SectionSplicer(text, data, part.keep)
                part.text_edit(splicer)
                proven = proven and _holds_elsewhere(
                    splicer, text, data, splicer.text, expected, part.removed
                )
                text, data = splicer.text, expected
            if proven:
                actual, done = data, True
            else:
                with gc_paused():
                    actual = _yaml.load(text)
                done = actual == data
        except Exception:  # any: the whole-file way below decides, and words it
            done = False
        if not done:
            before = (self.text, self.data, self._splicer, self._loaded)
            try:
                for step in steps:
                    self._apply_whole(step)
            except BaseException:
                self.text, self.data, self._splicer, self._loaded = before
                raise
            return
        self._splicer = _Splicer(text)
        self.text = text
        self.data = data
        self._loaded = (text, actual)

    def _apply_whole(self, step: _Step) -> None:
        """One edit the whole-file way: a full copy of the data, the whole file composed."""
        expected = copy.deepcopy(self.data)
        step.data_edit(expected)
        if self.fmt == "json":
            indent, ascii_only = _json_layout(self.original)
            end = "\n" if self.original.endswith("\n") else ""
            self.text = json.dumps(expected, indent=indent, ensure_ascii=ascii_only) + end
            self.data = expected
            return
        splicer = copy.copy(self._splicer)
        try:
            step.text_edit(splicer)
            actual = _yaml.load(splicer.text)
        except (yaml.YAMLError, IndexError, ValueError, RecursionError) as err:
            raise _Unsafe(f"{self.source}: this edit cannot be made safely here ({err})") from None
        if actual != expected:
            raise _Unsafe(
                f"{self.source}: this edit cannot be made safely in this file's layout; "
                "nothing was changed (edit the file by hand)"
            )
        self._splicer = _Splicer(splicer.text)
        self.text = splicer.text
        self.data = expected
        self._loaded = (splicer.text, actual)

    def _set_step(
        self, path: tuple[str | int, ...], key: str, value: Any, order: Sequence[str]
    ) -> _Step:
        """The edit that sets (or, with ``_DELETE``, removes) ``key`` of the mapping at ``path``."""

        def text_edit(s: _Splicer) -> None:
            if value is _DELETE:
                _delete_keys(s, [(path, key)])
            else:
                _set_key(s, path, key, value, order)

        def data_edit(data: dict[str, Any]) -> None:
            target: Any = data
            for part in path:
                target = target[part]
            if value is _DELETE:
                target.pop(key, None)
            else:
                target[key] = value

        return _Step(text_edit, data_edit, [path], _keep(path))

    def _append(self, seq_key: str, item: dict[str, Any]) -> None:
        def data_edit(data: dict[str, Any]) -> None:
            if not isinstance(data.get(seq_key), list):
                data[seq_key] = []
            data[seq_key].append(item)

        self._apply([_Step(lambda s: _append_item(s, seq_key, item), data_edit, [(seq_key,)])])

    def append_items(self, seq_key: str, items: Sequence[Mapping[str, Any]]) -> None:
        r"""Append plain items to the top-level list ``seq_key``, in one checked splice.

        Examples:
            >>> doc = parse_editable("deal: {name: T}  # keep\n")
            >>> doc.append_items("touchpoints", [{"date": "2026-01-05", "kind": "call"}])
            >>> print(doc.text, end="")
            deal: {name: T}  # keep
            touchpoints:
              - date: 2026-01-05
                kind: call
        """
        if not items:
            return

        def data_edit(data: dict[str, Any]) -> None:
            old = data.get(seq_key)
            data[seq_key] = [*(old if isinstance(old, list) else []), *items]

        self._apply([_Step(lambda s: _append_items(s, seq_key, items), data_edit, [(seq_key,)])])

    def _remove(self, seq_key: str, index: int) -> None:
        def data_edit(data: dict[str, Any]) -> None:
            del data[seq_key][index]

        self._apply(
            [
                _Step(
                    lambda s: _remove_items(s, seq_key, [index]),
                    data_edit,
                    [(seq_key,)],
                    {seq_key: {index}},
                    removed={seq_key: {index}},
                )
            ]
        )

    # -- people
    def add_person(self, fields: Mapping[str, Any]) -> str:
        r"""Add a person at the end of ``people``; return their id.

        Args:
            fields: Person fields (``name`` required; ``id`` defaults to the slug of
                the name). Values as typed by a rep are fine: ``"high"``,
                ``"0.7"``, ``"today"``, ``"cfo, champion"`` for roles.

        Returns:
            The new person's id.

        Raises:
            EditValueError: no name, or an unknown field.
            PersonExistsError: the id is taken.

        Examples:
            >>> doc = parse_editable("deal: {name: T}\npeople:\n  - name: Ann\n")
            >>> doc.add_person({"name": "Liu Yang", "title": "CTO", "influence": "high"})
            'liu-yang'
            >>> print(doc.text, end="")
            deal: {name: T}
            people:
              - name: Ann
              - id: liu-yang
                name: Liu Yang
                title: CTO
                influence: high
        """
        values = self._fields(fields, PERSON_KEYS, what="person")
        name = values.get("name")
        if not isinstance(name, str) or not name:
            raise EditValueError("a person needs a name (--name)")
        pid = str(values.get("id") or slugify(name))
        ids = self.person_ids()
        if pid in ids:
            raise PersonExistsError(
                f"a person with the id {pid!r} is already in the deal (people[{ids.index(pid)}]); "
                "give the new one another id (--id), or change the existing one with "
                "`influence person set`"
            )
        item = {"id": pid, **{k: values[k] for k in PERSON_KEYS if k in values and k != "id"}}
        self._append("people", item)
        self.changes.append(f"added person {pid!r}")
        return pid

    def set_person(self, person_id: str, changes: Mapping[str, Any]) -> list[str]:
        r"""Change fields of a person; an empty value (``""`` or None) removes the field.

        Args:
            person_id: The person's id.
            changes: ``{field: value}``; ``assessed="today"`` is today's date.

        Returns:
            One line per change.

        Raises:
            UnknownPersonError: no such person (with a did-you-mean).
            EditValueError: an unknown field, or ``id`` (ids are referenced elsewhere).

        Examples:
            >>> doc = parse_editable("deal: {name: T}\npeople: [{name: Ann, title: CEO}]")
            >>> doc.set_person("ann", {"title": "", "assessed": "2026-11-20"})
            ["removed ann.title (was 'CEO')", "set ann.assessed: '2026-11-20'"]
            >>> doc.text
            'deal: {name: T}\npeople: [{name: Ann, assessed: 2026-11-20}]'
        """
        index = self._index(person_id)
        values = self._fields(changes, PERSON_KEYS, what="person", allow_delete=True)
        if "id" in values:
            raise EditValueError(
                "an id cannot be changed in place: ties and reports_to refer to it; add the "
                "person under the new id, move the ties, then remove the old one"
            )
        done: list[str] = []
        steps: list[_Step] = []
        person = self._people()[index]
        if "name" in values and "id" not in person:
            # Without an explicit id the id follows the name: pin it first.
            steps.append(self._set_step(("people", index), "id", person_id, PERSON_KEYS))
            done.append(f"set {person_id}.id: {person_id!r} (kept when the name changes)")
        for key, value in values.items():
            old = person.get(key, _DELETE)
            steps.append(self._set_step(("people", index), key, value, PERSON_KEYS))
            done.append(_describe(person_id, key, old, value))
        self._apply(steps)
        self.changes += done
        return done

    def remove_person(self, person_id: str, *, cascade: bool = False) -> list[str]:
        r"""Remove a person; with ``cascade`` also their ties, reports_to links and ownership.

        Args:
            person_id: The person's id.
            cascade: Remove what refers to the person too; otherwise refuse if anything does.

        Returns:
            One line per change, the person last.

        Raises:
            UnknownPersonError: no such person.
            PersonInUseError: something refers to the person and ``cascade`` is off.

        Examples:
            >>> doc = parse_editable('''\
            ... deal: {name: T}
            ... people:
            ...   - name: Ann
            ...   - name: Bo   # leaving
            ... relationships:
            ...   - {from: ann, to: bo}
            ... ''')
            >>> doc.remove_person("bo", cascade=True)
            ['removed tie ann knows bo', "removed person 'bo'"]
            >>> print(doc.text, end="")
            deal: {name: T}
            people:
              - name: Ann
            relationships: []
        """
        index = self._index(person_id)
        ties, managed, owner = self._references(person_id)
        listed = [self._tie_label(self._ties()[i]) for i in ties]
        ids = self.person_ids()
        listed += [f"{ids[i]}.reports_to" for i in managed]
        listed += ["deal.owner"] * owner
        if listed and not cascade:
            raise PersonInUseError(
                f"{person_id!r} is still referred to: {'; '.join(listed)}; remove those first, "
                "or pass --cascade to remove them with the person"
            )

        def text_edit(s: _Splicer) -> None:
            if ties:
                _remove_items(s, "relationships", ties)
            targets: list[tuple[Sequence[str | int], str]] = [
                (("people", i), "reports_to") for i in managed
            ]
            if owner:
                targets.append((("deal",), "owner"))
            if targets:
                _delete_keys(s, targets)
            _remove_items(s, "people", [index])

        def data_edit(data: dict[str, Any]) -> None:
            for i in reversed(ties):
                del data["relationships"][i]
            for i in managed:
                del data["people"][i]["reports_to"]
            if owner:
                del data["deal"]["owner"]
            del data["people"][index]

        # Composed only where each part is (the ties, the people they manage, the person),
        # part by part; read and checked once.
        def remove_ties(s: _Splicer) -> None:
            _remove_items(s, "relationships", ties)

        def remove_ties_data(data: dict[str, Any]) -> None:
            for i in reversed(ties):
                del data["relationships"][i]

        def unlink(s: _Splicer) -> None:
            targets: list[tuple[Sequence[str | int], str]] = [
                (("people", i), "reports_to") for i in managed
            ]
            if owner:
                targets.append((("deal",), "owner"))
            _delete_keys(s, targets)

        def unlink_data(data: dict[str, Any]) -> None:
            for i in managed:
                del data["people"][i]["reports_to"]
            if owner:
                del data["deal"]["owner"]

        def remove_data(data: dict[str, Any]) -> None:
            del data["people"][index]

        parts = []
        if ties:
            parts.append(
                _Step(
                    remove_ties,
                    remove_ties_data,
                    [("relationships",)],
                    {"relationships": set(ties)},
                    removed={"relationships": set(ties)},
                )
            )
        if managed or owner:
            paths: list[tuple[str | int, ...]] = [("people", i) for i in managed]
            parts.append(_Step(unlink, unlink_data, [*paths, ("deal",)], {"people": set(managed)}))
        remove = lambda s: _remove_items(s, "people", [index])  # noqa: E731
        parts.append(
            _Step(
                remove, remove_data, [("people",)], {"people": {index}}, removed={"people": {index}}
            )
        )
        # One edit, so a person with many ties costs one re-read of the file, not one each.
        self._apply([_Step(text_edit, data_edit, [], {}, parts)])
        done = [f"removed {text}" for text in listed] + [f"removed person {person_id!r}"]
        self.changes += done
        return done

    def _references(self, person_id: str) -> tuple[list[int], list[int], bool]:
        """What refers to a person: tie indexes, indexes of the people they manage, ownership."""
        ties = [
            i
            for i, r in enumerate(self._ties())
            if isinstance(r, dict) and person_id in (r.get("from"), r.get("to"))
        ]
        managed = [
            i
            for i, p in enumerate(self._people())
            if isinstance(p, dict) and p.get("reports_to") == person_id
        ]
        info = self.data.get("deal")
        owner = isinstance(info, dict) and info.get("owner") == person_id
        return ties, managed, owner

    @staticmethod
    def _tie_label(tie: Any) -> str:
        if not isinstance(tie, dict):
            return "tie"
        return f"tie {tie.get('from')} {tie.get('kind', 'knows')} {tie.get('to')}"

    # -- ties
    def add_tie(self, from_: str, to: str, *, kind: str = "knows", **fields: Any) -> str:
        r"""Add a relationship at the end of ``relationships``.

        Args:
            from_: The id the tie starts at.
            to: The id it ends at.
            kind: ``knows`` (default), ``influences``, ``reports_to``, ``conflicts_with``.
            **fields: ``strength``, ``context``, ``last_contact`` (``"today"`` works), ``notes``.

        Returns:
            A line saying what was added.

        An end that is not in the deal, or a tie from a person to themselves, is
        not refused here: it makes the file invalid, so :meth:`check` and
        :func:`write_editable` report it located, with a did-you-mean, like any
        other problem of the file.

        Raises:
            TieExistsError: the same kind of tie between the two is already there.
            EditValueError: an unknown kind or field.

        Examples:
            >>> doc = parse_editable("deal: {name: T}\npeople: [{name: A}, {name: B}]\n")
            >>> doc.add_tie("a", "b", strength="strong", last_contact="2026-11-02")
            'added tie a knows b'
            >>> print(doc.text, end="")
            deal: {name: T}
            people: [{name: A}, {name: B}]
            relationships:
              - from: a
                to: b
                kind: knows
                strength: strong
                last_contact: 2026-11-02
        """
        kind = _kind(kind)
        if self._tie_indexes(from_, to, kind):
            raise TieExistsError(
                f"there is already a {kind} tie between {from_!r} and {to!r}; change it with "
                "`influence tie set`"
            )
        values = self._fields(fields, _TIE_SETTABLE, what="tie")
        item = {
            "from": from_,
            "to": to,
            "kind": kind,
            **{k: values[k] for k in TIE_KEYS if k in values},
        }
        self._append("relationships", item)
        done = f"added tie {from_} {kind} {to}"
        self.changes.append(done)
        return done

    def set_tie(
        self, from_: str, to: str, changes: Mapping[str, Any], *, kind: str = "knows"
    ) -> list[str]:
        r"""Change fields of the tie(s) of ``kind`` between two people (either way if symmetric).

        Raises:
            UnknownPersonError: an end is not in the deal.
            UnknownTieError: no such tie.
            TieExistsError: ``changes`` sets another ``kind`` and that tie is already there.
            EditValueError: an unknown field (``kind``, strength, context, last_contact
                and notes can be set) or kind.

        A new ``kind`` is written in place of the old one, in the same edit as the
        other changes, so the tie keeps its fields and place and the change is whole;
        an empty or ``None`` kind takes the key away (the default, knows).

        Examples:
            >>> doc = parse_editable("deal: {name: T}\npeople: [{name: A}, {name: B}]\n"
            ...     "relationships: [{from: b, to: a, strength: 0.3}]\n")
            >>> doc.set_tie("a", "b", {"strength": "0.8"})
            ['set tie b knows a strength: 0.3 -> 0.8']
            >>> doc.set_tie("b", "a", {"kind": "influences"})
            ["set tie b knows a kind: 'knows' -> 'influences'"]
            >>> print(doc.text, end="")
            deal: {name: T}
            people: [{name: A}, {name: B}]
            relationships: [{from: b, to: a, kind: influences, strength: 0.8}]
        """
        kind = _kind(kind)
        found = self._find_ties(from_, to, kind)
        rest = {k: v for k, v in changes.items() if k.strip().lower() != "kind"}
        asked = [v for k, v in changes.items() if k.strip().lower() == "kind"]
        new_kind, written = kind, None  # the kind after the edit, and the value written
        if asked and asked[-1] in (None, ""):  # the default, knows, by taking the key away
            new_kind, written = "knows", _DELETE
        elif asked:
            new_kind = written = _kind(asked[-1])
        values = self._fields(rest, _TIE_SETTABLE, what="tie", allow_delete=True)
        done: list[str] = []
        steps: list[_Step] = []
        for i in found:
            tie = self._ties()[i]
            label = f"tie {tie.get('from')} {kind} {tie.get('to')}"
            if new_kind != kind:  # another kind, in place: one edit, so no half-done change
                if self._tie_indexes(str(tie.get("from")), str(tie.get("to")), new_kind):
                    raise TieExistsError(
                        f"there is already a {new_kind} tie between {tie.get('from')!r} and "
                        f"{tie.get('to')!r}; change or remove that one instead"
                    )
                steps.append(self._set_step(("relationships", i), "kind", written, TIE_KEYS))
                done.append(_describe(label, "kind", tie.get("kind", "knows"), new_kind, sep=" "))
            for key, value in values.items():
                old = tie.get(key, _DELETE)
                steps.append(self._set_step(("relationships", i), key, value, TIE_KEYS))
                done.append(_describe(label, key, old, value, sep=" "))
        self._apply(steps)
        self.changes += done
        return done

    def remove_tie(self, from_: str, to: str, *, kind: str = "knows") -> list[str]:
        r"""Remove the tie(s) of ``kind`` between two people (a ``reports_to`` shorthand too).

        Raises:
            UnknownPersonError: an end is not in the deal.
            UnknownTieError: no such tie.

        Examples:
            >>> doc = parse_editable(
            ...     "deal: {name: T}\npeople: [{name: A, reports_to: b}, {name: B}]")
            >>> doc.remove_tie("a", "b", kind="reports_to")
            ["removed a.reports_to (was 'b')"]
            >>> doc.text
            'deal: {name: T}\npeople: [{name: A}, {name: B}]'
        """
        kind = _kind(kind)
        found = self._find_ties(from_, to, kind, shorthand=True)
        done: list[str] = []
        for i in reversed(found):
            tie = self._ties()[i]
            self._remove("relationships", i)
            done.append(f"removed tie {tie.get('from')} {kind} {tie.get('to')}")
        done.reverse()
        if kind == Kind.REPORTS_TO.value:
            index = self._index(from_)
            if self._people()[index].get("reports_to") == to:
                self._apply([self._set_step(("people", index), "reports_to", _DELETE, PERSON_KEYS)])
                done.append(f"removed {from_}.reports_to (was {to!r})")
        self.changes += done
        return done

    def _find_ties(self, a: str, b: str, kind: str, *, shorthand: bool = False) -> list[int]:
        self._index(a)
        self._index(b)
        found = self._tie_indexes(a, b, kind)
        has_shorthand = (
            shorthand
            and kind == Kind.REPORTS_TO.value
            and self._people()[self._index(a)].get("reports_to") == b
        )
        if not found and not has_shorthand:
            between = sorted(
                {
                    str(r.get("kind", "knows"))
                    for r in self._ties()
                    if isinstance(r, dict) and {r.get("from"), r.get("to")} == {a, b}
                }
            )
            extra = f"; ties between them: {', '.join(between)}" if between else ""
            raise UnknownTieError(f"no {kind} tie between {a!r} and {b!r}{extra}")
        return found

    # -- values
    @staticmethod
    def _fields(
        fields: Mapping[str, Any],
        allowed: Sequence[str],
        *,
        what: str,
        allow_delete: bool = False,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for raw_key, raw in fields.items():
            key = raw_key.strip().replace("-", "_").lower()
            if key not in allowed:
                raise EditValueError(
                    f"{raw_key!r} is not a {what} field you can set"
                    + (did_you_mean(key, allowed) or f"; expected one of {', '.join(allowed)}")
                )
            value = _coerce(key, raw)
            if value is _DELETE and not allow_delete:
                continue
            if value is _DELETE and key == "name":
                raise EditValueError("a person's name cannot be removed")
            out[key] = value
        return out

    # -- results
    def check(self) -> CheckResult:
        r"""Validate the current text with the reading path every command uses.

        Examples:
            >>> doc = parse_editable("deal: {name: T}\npeople: [{name: A}]")
            >>> _ = doc.set_person("a", {"stance": "alli"})
            >>> problem = doc.check().errors[0]
            >>> problem.line, problem.field, problem.message.endswith("did you mean 'ally'?")
            (2, 'people[0].stance', True)
        """
        default_id = slugify(Path(self.source).stem) if self.source != "<string>" else None
        loaded = self._loaded[1] if self._loaded and self._loaded[0] == self.text else None
        with gc_paused():  # a big deal is a million objects that all stay alive
            return _check_text(self.text, self.fmt, self.source, default_id, loaded=loaded)


def _kind(kind: str | Kind) -> str:
    value = getattr(kind, "value", str(kind)).strip().replace("-", "_").lower()
    kinds = [k.value for k in Kind]
    if value not in kinds:
        raise EditValueError(
            f"{kind!r} is not a relationship kind; expected one of {', '.join(kinds)}"
            + did_you_mean(value, kinds)
        )
    return value


def _describe(who: str, key: str, old: Any, new: Any, *, sep: str = ".") -> str:
    if new is _DELETE:
        return f"removed {who}{sep}{key} (was {_show(old)})"
    if old is _DELETE:
        return f"set {who}{sep}{key}: {_show(new)}"
    return f"set {who}{sep}{key}: {_show(old)} -> {_show(new)}"


def parse_editable(text: str, fmt: Format = "yaml", *, source: str = "<string>") -> EditableDeal:
    """Open deal text for editing (see :class:`EditableDeal`).

    Args:
        text: YAML or JSON.
        fmt: ``"yaml"`` or ``"json"``.
        source: The name used in messages.

    Returns:
        The editable deal.

    Raises:
        DealFileError: the text is not YAML/JSON holding a mapping (located).

    Examples:
        >>> parse_editable('{"deal": {"name": "T"}}', "json").fmt
        'json'
    """
    return EditableDeal(text, fmt, source=source)


def read_editable(path: str | os.PathLike[str]) -> EditableDeal:
    r"""Open a deal file for editing, remembering its bytes so a concurrent change is caught.

    The format is the extension's (``.yaml``, ``.yml``, ``.json``); without one,
    text starting with ``{`` is JSON.

    To edit without racing other edits, read and write inside
    :func:`influence.io.deal_lock` (the one-call edits and the CLI do).

    Raises:
        DealFileError: the file is missing, not UTF-8, or not YAML/JSON (located).
        InterruptedWriteError: an earlier write of the file in place was interrupted
            (the message says how to choose the version to keep).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text("deal: {name: T}\n", encoding="utf-8")
        >>> with deal_lock(p):
        ...     read_editable(p).person_ids()
        []
    """
    name = str(path)
    check_not_interrupted(path)
    raw = read_bytes(path)  # a regular file only, located errors
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        read_text(path)  # raises the located error
        raise
    digest = _digest(raw)
    doc = EditableDeal(
        text,
        format_of(name, text),
        source=name,
        digest=digest,
        known_data=_written_data(name, digest),
    )
    doc.bom = raw.startswith(b"\xef\xbb\xbf")
    return doc


# The data of the files edits here wrote last, by path, with the digest of the bytes
# written: the next edit of the same bytes (a server's next request) need not read
# them again. The data is shared, never changed in place (edits replace EditableDeal.data).
_WRITTEN: OrderedDict[str, tuple[str, Any]] = OrderedDict()
_WRITTEN_LOCK = threading.Lock()
_WRITTEN_FILES = 16


def _written_data(path: str, digest: str) -> Any:
    """The data an edit here wrote to ``path`` as bytes of ``digest``, or None."""
    with _WRITTEN_LOCK:
        found = _WRITTEN.get(path)
        if found is None or found[0] != digest:
            return None
        _WRITTEN.move_to_end(path)
        return found[1]


def _remember_written(path: str, digest: str, data: Any) -> None:
    with _WRITTEN_LOCK:
        _WRITTEN[path] = (digest, data)
        _WRITTEN.move_to_end(path)
        while len(_WRITTEN) > _WRITTEN_FILES:
            _WRITTEN.popitem(last=False)


def write_editable(
    doc: EditableDeal, *, force: bool = False, wait: float = LOCK_WAIT
) -> EditResult:
    r"""Validate an edited deal and write it, if its file did not change meanwhile.

    The check and the write happen under the file's lock
    (:func:`influence.io.deal_lock`, taken here unless this thread holds it), so
    no other edit can slip in between. The file keeps its mode, owner, group and
    hard links (:func:`influence.io.write_text`).

    Args:
        doc: From :func:`read_editable`, edited.
        force: Write the file even if it is read-only (its mode stays read-only).
        wait: Seconds to wait for another edit's lock.

    Returns:
        What changed, the new file's warnings and the deal it holds.

    Raises:
        InvalidEditError: the new text is not a valid deal (a :class:`DealFileError`
            whose problems are located in the would-be file); nothing is written.
        EditConflictError: the file's bytes differ from those read; nothing is written.
        ReadOnlyFileError: the file is read-only and ``force`` is off; nothing is written.
        DealLockError: another edit held the lock for longer than ``wait``.
        EditValueError: ``doc`` was parsed from text (:func:`parse_editable`), not read
            from a file.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text("deal: {name: T}  # keep me\npeople: []\n", encoding="utf-8")
        >>> doc = read_editable(p)
        >>> _ = doc.add_person({"name": "Ann"})
        >>> write_editable(doc).changes
        ["added person 'ann'"]
        >>> print(p.read_text(encoding="utf-8"), end="")
        deal: {name: T}  # keep me
        people:
          - id: ann
            name: Ann
    """
    if doc.digest is None:
        raise EditValueError(
            "this deal was parsed from text, not read from a file: write doc.text yourself, "
            "or open the file with read_editable"
        )
    result = doc.check()
    if not result.ok or result.deal is None:
        raise InvalidEditError(doc.source, result.errors)
    if doc.text == doc.original:
        return EditResult(doc.source, list(doc.changes), result.warnings, result.deal, False)
    with deal_lock(doc.source, wait=wait):
        try:
            now = _digest(Path(doc.source).read_bytes())
        except OSError:
            now = None
        if now != doc.digest:
            raise EditConflictError(
                f"{doc.source} changed on disk since it was read; nothing was written. "
                "Run the command again to edit the new version."
            )
        check_writable(doc.source, force=force)
        check_not_interrupted(doc.source)
        # A symbolic link stays a link: the file it points to is the one written.
        written = ("\ufeff" if doc.bom else "") + doc.text
        write_text(doc.source, written)
        if doc.fmt == "yaml":
            _remember_written(doc.source, _digest(written.encode("utf-8")), doc.data)
    return EditResult(doc.source, list(doc.changes), result.warnings, result.deal)


def _edit(
    path: str | os.PathLike[str],
    change: Callable[[EditableDeal], object],
    *,
    force: bool,
    wait: float,
) -> EditResult:
    """Read, change and write a deal file, holding its lock throughout."""
    with deal_lock(path, wait=wait):
        doc = read_editable(path)
        change(doc)
        return write_editable(doc, force=force, wait=wait)


# -- one-call edits ---------------------------------------------------------------------


def add_person(
    path: str | os.PathLike[str],
    fields: Mapping[str, Any],
    *,
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> EditResult:
    r"""Add a person to a deal file (see :meth:`EditableDeal.add_person`) and write it.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text(
        ...     "deal: {name: T}\npeople:\n- name: Ann\n  side: seller\n- name: Bo\n",
        ...     encoding="utf-8",
        ... )
        >>> [x.name for x in add_person(p, {"name": "Cy", "title": "CFO"}).deal.people]
        ['Ann', 'Bo', 'Cy']

    Raises:
        DealFileError: the file cannot be read, or the edit would make it invalid.
        EditValueError: no name, or an unknown field.
        PersonExistsError: the id is taken.
        EditConflictError: the file changed while being edited (by a writer not using the lock).
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the file's lock for longer than ``wait`` seconds.
    """
    return _edit(path, lambda doc: doc.add_person(fields), force=force, wait=wait)


def set_person(
    path: str | os.PathLike[str],
    person_id: str,
    changes: Mapping[str, Any],
    *,
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> EditResult:
    r"""Change a person's fields in a deal file (see :meth:`EditableDeal.set_person`).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text("deal: {name: T}\npeople:\n- name: Ann  # CFO\n", encoding="utf-8")
        >>> set_person(p, "ann", {"stance": "ally"}).deal.person("ann").stance.value
        'ally'
        >>> print(p.read_text(encoding="utf-8"), end="")
        deal: {name: T}
        people:
        - name: Ann  # CFO
          stance: ally

    Raises:
        UnknownPersonError: no such person.
        DealFileError: the file cannot be read, or the edit would make it invalid.
        EditValueError: an unknown field.
        EditConflictError: the file changed while being edited (by a writer not using the lock).
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the file's lock for longer than ``wait`` seconds.
    """
    return _edit(path, lambda doc: doc.set_person(person_id, changes), force=force, wait=wait)


def remove_person(
    path: str | os.PathLike[str],
    person_id: str,
    *,
    cascade: bool = False,
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> EditResult:
    r"""Remove a person from a deal file (see :meth:`EditableDeal.remove_person`).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text(
        ...     "deal: {name: T}\npeople:\n- name: Ann\n  side: seller\n- name: Bo\n",
        ...     encoding="utf-8",
        ... )
        >>> [x.id for x in remove_person(p, "bo").deal.people]
        ['ann']

    Raises:
        UnknownPersonError: no such person.
        PersonInUseError: the person has ties and ``cascade`` is off.
        DealFileError: the file cannot be read, or the edit would make it invalid.
        EditConflictError: the file changed while being edited (by a writer not using the lock).
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the file's lock for longer than ``wait`` seconds.
    """
    return _edit(
        path, lambda doc: doc.remove_person(person_id, cascade=cascade), force=force, wait=wait
    )


def add_tie(
    path: str | os.PathLike[str],
    from_: str,
    to: str,
    *,
    kind: str = "knows",
    force: bool = False,
    wait: float = LOCK_WAIT,
    **fields: Any,
) -> EditResult:
    r"""Add a relationship to a deal file (see :meth:`EditableDeal.add_tie`).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text(
        ...     "deal: {name: T}\npeople:\n- name: Ann\n  side: seller\n- name: Bo\n",
        ...     encoding="utf-8",
        ... )
        >>> def ties(result):
        ...     rels = result.deal.relationships
        ...     return [(r.from_, r.to, r.kind.value, r.strength) for r in rels]
        >>> ties(add_tie(p, "ann", "bo", strength=0.8))
        [('ann', 'bo', 'knows', 0.8)]

    Raises:
        UnknownPersonError: an end is not in the deal.
        TieExistsError: the tie is already there.
        DealFileError: the file cannot be read, or the edit would make it invalid.
        EditConflictError: the file changed while being edited (by a writer not using the lock).
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the file's lock for longer than ``wait`` seconds.
    """
    return _edit(
        path, lambda doc: doc.add_tie(from_, to, kind=kind, **fields), force=force, wait=wait
    )


def set_tie(
    path: str | os.PathLike[str],
    from_: str,
    to: str,
    changes: Mapping[str, Any],
    *,
    kind: str = "knows",
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> EditResult:
    r"""Change a relationship's fields in a deal file (see :meth:`EditableDeal.set_tie`).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text(
        ...     "deal: {name: T}\npeople:\n- name: Ann\n  side: seller\n- name: Bo\n",
        ...     encoding="utf-8",
        ... )
        >>> def ties(result):
        ...     rels = result.deal.relationships
        ...     return [(r.from_, r.to, r.kind.value, r.strength) for r in rels]
        >>> _ = add_tie(p, "ann", "bo", strength=0.8)
        >>> ties(set_tie(p, "ann", "bo", {"strength": "weak"}))
        [('ann', 'bo', 'knows', 0.3)]

    Raises:
        UnknownPersonError: an end is not in the deal.
        UnknownTieError: no such tie.
        DealFileError: the file cannot be read, or the edit would make it invalid.
        EditConflictError: the file changed while being edited (by a writer not using the lock).
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the file's lock for longer than ``wait`` seconds.
    """
    return _edit(
        path, lambda doc: doc.set_tie(from_, to, changes, kind=kind), force=force, wait=wait
    )


def remove_tie(
    path: str | os.PathLike[str],
    from_: str,
    to: str,
    *,
    kind: str = "knows",
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> EditResult:
    r"""Remove a relationship from a deal file (see :meth:`EditableDeal.remove_tie`).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
        >>> _ = p.write_text(
        ...     "deal: {name: T}\npeople:\n- name: Ann\n  side: seller\n- name: Bo\n",
        ...     encoding="utf-8",
        ... )
        >>> def ties(result):
        ...     rels = result.deal.relationships
        ...     return [(r.from_, r.to, r.kind.value, r.strength) for r in rels]
        >>> _ = add_tie(p, "ann", "bo", strength=0.8)
        >>> ties(remove_tie(p, "ann", "bo"))
        []

    Raises:
        UnknownPersonError: an end is not in the deal.
        UnknownTieError: no such tie.
        DealFileError: the file cannot be read, or the edit would make it invalid.
        EditConflictError: the file changed while being edited (by a writer not using the lock).
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the file's lock for longer than ``wait`` seconds.
    """
    return _edit(path, lambda doc: doc.remove_tie(from_, to, kind=kind), force=force, wait=wait)
