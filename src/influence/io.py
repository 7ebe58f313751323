"""Reading and writing deal files: the only module that opens them.

Reading is strict and friendly: every problem of a file is reported at once,
each as ``FILE:LINE:COL: field.path: what was expected``, with a did-you-mean
for near misses. Writing is atomic, and what it writes reads back equal.

Examples:
    >>> text = '''
    ... deal: {name: ACME ERP, as_of: 2026-11-20}
    ... people:
    ...   - {name: Zhang Min, roles: [economic_buyer], stance: alli}
    ... '''
    >>> try:
    ...     parse_deal(text, "yaml", source="acme.yaml")
    ... except DealFileError as err:
    ...     print(err)
    acme.yaml:4:56: people[0].stance: 'alli' is not a stance; expected one of ally, neutral, \
blocker, unknown; did you mean 'ally'?
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from influence import _yaml
from influence._gc import gc_paused
from influence._suggest import did_you_mean
from influence.errors import DealFileError, Problem
from influence.model import (
    Deal,
    DealInfo,
    Person,
    Policy,
    Relationship,
    Role,
    Side,
    integrity_problems,
    slugify,
)

__all__ = [
    "DEAL_SUFFIXES",
    "CheckResult",
    "check_deal",
    "deal_schema",
    "find_deal_files",
    "parse_deal",
    "parse_policy",
    "read_deal",
    "read_policy",
    "read_text",
    "to_data",
    "write_deal",
    "write_text",
]

Format = Literal["yaml", "json"]
DEAL_SUFFIXES = (".yaml", ".yml", ".json")
#: A YAML file whose aliases would expand past this many values is refused.
MAX_EXPANDED_VALUES = 2_000_000
BUYING_ROLES = frozenset(Role) - {Role.COACH}


@dataclass
class CheckResult:
    """The outcome of reading one deal file: the deal (when valid) and every problem found.

    Attributes:
        path: The file as given.
        deal: The deal, or None when the file has errors.
        problems: Errors and warnings, sorted by line.
    """

    path: str
    deal: Deal | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the file unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth a look that do not stop the file being used."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the file is a valid deal."""
        return self.deal is not None and not self.errors


# -- public API -------------------------------------------------------------------


def read_deal(path: str | os.PathLike[str]) -> Deal:
    """Read and validate one deal file (``.yaml``, ``.yml`` or ``.json``).

    Args:
        path: The file. Its extension picks the parser; without ``deal.id`` the
            deal's id is the slug of the file name.

    Returns:
        The deal.

    Raises:
        DealFileError: the file cannot be read or is not a valid deal; ``problems``
            lists every reason with its line and column.

    Examples:
        >>> deal = read_deal("examples/saas-small.yaml")
        >>> deal.id
        'saas-small'
    """
    result = check_deal(path)
    if not result.ok or result.deal is None:
        raise DealFileError(str(path), result.errors)
    return result.deal


def check_deal(path: str | os.PathLike[str]) -> CheckResult:
    """Read one deal file and return the deal with every error and warning found.

    Unlike :func:`read_deal` it never raises for a bad file: the problems are the result.

    Args:
        path: The deal file.

    Returns:
        A :class:`CheckResult`; ``result.ok`` says whether the deal is usable.

    Examples:
        >>> check_deal("examples/saas-small.yaml").ok
        True
        >>> print(check_deal("no/such/file.yaml").problems[0])
        no/such/file.yaml: cannot read the file: no such file
    """
    name = str(path)
    try:
        fmt = _format_of(name)
        text = read_text(path)
    except DealFileError as err:
        return CheckResult(name, None, err.problems)
    default_id = slugify(Path(name).stem)
    with gc_paused():  # a big deal is a million objects that all stay alive
        return _check_text(text, fmt, name, default_id)


def parse_deal(text: str, fmt: Format = "yaml", *, source: str = "<string>") -> Deal:
    """Parse and validate a deal from text.

    Args:
        text: The deal as YAML or JSON.
        fmt: ``"yaml"`` or ``"json"``.
        source: The name used in error messages.

    Returns:
        The deal.

    Raises:
        DealFileError: the text is not a valid deal.

    Examples:
        >>> parse_deal('{"deal": {"name": "Tiny"}}', "json").id
        'tiny'
    """
    with gc_paused():
        result = _check_text(text, fmt, source, None)
    if result.deal is None:
        raise DealFileError(source, result.errors)
    return result.deal


def write_deal(deal: Deal, path: str | os.PathLike[str]) -> None:
    """Write a deal atomically (temporary file, fsync, rename); it reads back equal.

    Args:
        deal: The deal.
        path: Where to write; the extension picks YAML or JSON.

    Raises:
        DealFileError: the extension is not one of ``.yaml``, ``.yml``, ``.json``.

    Examples:
        >>> import tempfile, pathlib
        >>> deal = parse_deal("deal: {name: Tiny}")
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "tiny.yaml"
        >>> write_deal(deal, out)
        >>> read_deal(out) == deal
        True
    """
    fmt = _format_of(str(path))
    write_text(path, dump_deal(deal, fmt))


def dump_deal(deal: Deal, fmt: Format = "yaml") -> str:
    """Return the text :func:`write_deal` writes.

    Examples:
        >>> print(dump_deal(parse_deal("deal: {name: Tiny}")), end="")
        version: 1
        deal:
          id: tiny
          name: Tiny
    """
    data = to_data(deal)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _yaml.dump(data)


def to_data(deal: Deal) -> dict[str, Any]:
    """Return the deal as plain data in the file format (what ``write_deal`` writes).

    Defaults are left out where the format defines them, so a written file stays
    as short as a hand-written one; the policy keeps only the keys it overrides.
    """
    data = deal.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"policy"})
    for person in data["people"]:
        if not person["roles"]:
            del person["roles"]
        if person["side"] == Side.CUSTOMER.value:
            del person["side"]
        if person["stance"] == "unknown":
            del person["stance"]
    if not data["relationships"]:
        del data["relationships"]
    if not data["people"]:
        del data["people"]
    if deal.policy is not None:
        data["policy"] = deal.policy.model_dump(mode="json", exclude_unset=True)
    return data


def read_policy(path: str | os.PathLike[str]) -> Policy:
    """Read a team policy file: the policy keys at the top, or under ``policy:``.

    Args:
        path: A ``.yaml``, ``.yml`` or ``.json`` file.

    Returns:
        The policy; keys the file does not set keep the defaults.

    Raises:
        DealFileError: the file cannot be read or holds an invalid policy.

    Examples:
        >>> parse_policy("max_hops: 3").max_hops
        3
    """
    name = str(path)
    return parse_policy(read_text(path), _format_of(name), source=name)


def parse_policy(text: str, fmt: Format = "yaml", *, source: str = "<string>") -> Policy:
    """Parse a team policy from text (see :func:`read_policy`).

    Raises:
        DealFileError: the text holds an invalid policy.
    """
    data, problems = _parse(text, fmt, source)
    if problems:
        raise DealFileError(source, problems)
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and set(data) == {"policy"}:
        data, prefix = data["policy"], ("policy",)
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        located = _Locator(text, fmt)
        raise DealFileError(
            source,
            sorted(
                _problem(source, located, prefix + tuple(e["loc"]), e, Policy)
                for e in err.errors(include_url=False)
            ),
        ) from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file; a located :class:`DealFileError` if it cannot be.

    Raises:
        DealFileError: the file is missing, unreadable, or not UTF-8.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise _file_error(name, "cannot read the file: no such file") from None
    except IsADirectoryError:
        raise _file_error(name, "cannot read the file: it is a folder") from None
    except OSError as err:
        raise _file_error(name, f"cannot read the file: {err.strerror or err}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise DealFileError(
            name,
            [
                Problem(
                    name,
                    line,
                    col,
                    "",
                    f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x}); "
                    "save it as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: 'Save with "
                    "encoding UTF-8')",
                )
            ],
        ) from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write text atomically: a temporary file beside ``path``, fsync, then rename.

    A crash at any moment leaves either the old file or the new one, never a mix.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:  # mkstemp makes 0600; a new file gets the usual mode
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)


def find_deal_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Yield deal files from files, folders (searched recursively) and globs, sorted.

    A folder yields its ``.yaml``, ``.yml`` and ``.json`` files; hidden files and
    folders are skipped. Each file is yielded once.
    """
    seen: set[str] = set()
    for raw in paths:
        name = str(raw)
        candidates: list[Path]
        p = Path(name)
        if p.is_dir():
            candidates = sorted(
                f
                for f in p.rglob("*")
                if f.suffix.lower() in DEAL_SUFFIXES
                and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif any(ch in name for ch in "*?["):
            base = Path(name).anchor or "."
            pattern = name[len(Path(name).anchor) :] if Path(name).anchor else name
            candidates = sorted(
                f for f in Path(base).glob(pattern) if f.suffix.lower() in DEAL_SUFFIXES
            )
        else:
            candidates = [p]
        for f in candidates:
            key = str(f)
            if key not in seen:
                seen.add(key)
                yield key


def deal_schema() -> dict[str, Any]:
    """Return a JSON Schema (draft-07 style) of the deal file, for editors.

    ``yaml-language-server`` accepts it: it uses ``definitions`` and no
    ``prefixItems``. Numbers that accept words (``influence: high``) accept them
    in the schema too.

    Examples:
        >>> schema = deal_schema()
        >>> schema["$schema"]
        'http://json-schema.org/draft-07/schema#'
        >>> sorted(schema["properties"])
        ['deal', 'people', 'policy', 'relationships', 'version']
    """
    schema = Deal.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    defs = schema.pop("$defs", {})
    _word_numbers(defs)
    text = json.dumps(schema | {"definitions": defs})
    schema = json.loads(text.replace('"$defs"', '"definitions"'))
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://influence.invalid/schema/deal-1.json",
        "title": "influence deal file, version 1",
        **schema,
    }


# -- internals ---------------------------------------------------------------------


def _word_numbers(defs: dict[str, Any]) -> None:
    from influence.model import INFLUENCE_WORDS, STRENGTH_WORDS

    for model, prop, words in (
        ("Person", "influence", INFLUENCE_WORDS),
        ("Relationship", "strength", STRENGTH_WORDS),
    ):
        spec = defs[model]["properties"][prop]
        number = {k: spec.pop(k) for k in ("type", "minimum", "maximum") if k in spec}
        spec["anyOf"] = [number, {"type": "string", "enum": list(words)}]


def _file_error(name: str, message: str) -> DealFileError:
    return DealFileError(name, [Problem(name, 0, 0, "", message)])


def _format_of(name: str) -> Format:
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise _file_error(
        name,
        f"unknown file type {suffix or '(none)'!r}; a deal file ends in .yaml, .yml or .json",
    )


def _parse(text: str, fmt: Format, source: str) -> tuple[Any, list[Problem]]:
    """Parse text to plain data, or return the located syntax problems."""
    if not text.strip():
        return None, [Problem(source, 0, 0, "", "the file is empty; see `influence new`")]
    if fmt == "json":
        duplicates: list[str] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            out = dict(items)
            if len(out) != len(items):
                seen: set[str] = set()
                duplicates.extend(k for k, _ in items if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            return out

        try:
            data = json.loads(text, object_pairs_hook=pairs)
        except json.JSONDecodeError as err:
            return None, [Problem(source, err.lineno, err.colno, "", f"invalid JSON: {err.msg}")]
        except RecursionError:
            return None, [Problem(source, 0, 0, "", "invalid JSON: nested too deeply")]
        if duplicates:
            return None, [
                Problem(
                    source,
                    0,
                    0,
                    "",
                    f"the key {k!r} appears twice in one object; the second would "
                    "silently replace the first",
                )
                for k in sorted(set(duplicates))
            ]
        return data, []
    try:
        data = _yaml.load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = err.problem or "syntax error"
        if isinstance(err, _yaml.DuplicateKeyError) and err.context_mark:
            what += f" (first at line {err.context_mark.line + 1})"
        else:
            what = f"invalid YAML: {what}"
            if err.context:
                what += f" ({err.context}"
                if err.context_mark and err.context_mark is not mark:
                    what += f" at line {err.context_mark.line + 1}"
                what += ")"
        return None, [Problem(source, line, col, "", what)]
    except yaml.YAMLError as err:
        return None, [Problem(source, 0, 0, "", f"invalid YAML: {err}")]
    except RecursionError:
        return None, [Problem(source, 0, 0, "", "invalid YAML: nested too deeply")]
    if data is None:
        return None, [Problem(source, 0, 0, "", "the file is empty; see `influence new`")]
    if "&" in text and "*" in text and _expanded_size(data) > MAX_EXPANDED_VALUES:
        return None, [
            Problem(
                source,
                0,
                0,
                "",
                f"YAML aliases (*name) would expand this file to more than "
                f"{MAX_EXPANDED_VALUES:,} values; write the data out instead of nesting aliases",
            )
        ]
    return data, []


def _expanded_size(data: Any) -> int:
    """Count the values ``data`` holds once every shared (aliased) part is expanded."""
    memo: dict[int, int] = {}

    def size(obj: Any) -> int:
        if isinstance(obj, dict):
            children: Iterable[Any] = obj.values()
        elif isinstance(obj, list):
            children = obj
        else:
            return 1
        key = id(obj)
        if key not in memo:
            memo[key] = 0  # a recursive alias counts once, then stops
            memo[key] = 1 + sum(size(c) for c in children)
        return memo[key]

    return size(data)


def _check_text(text: str, fmt: Format, source: str, default_id: str | None) -> CheckResult:
    data, problems = _parse(text, fmt, source)
    if problems:
        return CheckResult(source, None, problems)
    if not isinstance(data, dict):
        return CheckResult(
            source,
            None,
            [
                Problem(
                    source,
                    1,
                    1,
                    "",
                    "expected a mapping with the keys version, deal, people and relationships "
                    f"at the top of the file, not {_type_name(data)}",
                )
            ],
        )
    try:
        deal = Deal.model_validate(data, context={"skip_integrity": True})
    except ValidationError as err:
        located = _Locator(text, fmt)
        found = [
            _problem(source, located, tuple(e["loc"]), e, Deal)
            for e in err.errors(include_url=False)
        ]
        found += [_located(source, located, loc, msg) for loc, msg in _raw_integrity(data)]
        return CheckResult(source, None, sorted(set(found)))
    located_problems = integrity_problems(
        [p.id for p in deal.people],
        [p.reports_to for p in deal.people],
        [(r.from_, r.to, r.kind) for r in deal.relationships],
        deal.deal.owner,
    )
    if located_problems:
        located = _Locator(text, fmt)
        found = [_located(source, located, loc, msg) for loc, msg in located_problems]
        return CheckResult(source, None, sorted(set(found)))
    deal = Deal.model_construct(
        **{name: getattr(deal, name) for name in Deal.model_fields},
        _fields_set=deal.model_fields_set,
    )
    from influence.model import merge_repeated_ties

    object.__setattr__(deal, "relationships", merge_repeated_ties(deal.relationships))
    raw_info = data.get("deal")
    if default_id and not (isinstance(raw_info, dict) and raw_info.get("id")):
        deal.deal.__dict__["id"] = default_id
    warnings = _warnings(deal)
    if warnings:
        located = _Locator(text, fmt)
        return CheckResult(
            source,
            deal,
            sorted(_located(source, located, loc, msg, "warning") for loc, msg in warnings),
        )
    return CheckResult(source, deal, [])


def _warnings(deal: Deal) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    rels = deal.relationships
    tied = {rel.from_ for rel in rels}
    tied.update([rel.to for rel in rels])
    for p in deal.people:
        if p.reports_to:
            tied.update((p.id, p.reports_to))
    for i, p in enumerate(deal.people):
        if p.side is not Side.CUSTOMER and any(r in BUYING_ROLES for r in p.roles):
            out.append(
                (
                    f"people[{i}].roles",
                    f"{p.id!r} is on the {p.side.value} side but holds buying roles "
                    f"({', '.join(r.value for r in p.roles)}); roles count only for customers",
                )
            )
        if p.side is Side.CUSTOMER and p.id not in tied:
            out.append(
                (
                    f"people[{i}]",
                    f"{p.id!r} is isolated: no relationship at all; add who knows or manages them",
                )
            )
    return out


def _raw_integrity(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Cross-reference checks on data that did not fully validate."""
    people = data.get("people") if isinstance(data.get("people"), list) else []
    rels = data.get("relationships") if isinstance(data.get("relationships"), list) else []
    ids: list[Any] = []
    bosses: list[Any] = []
    for p in people or []:
        if isinstance(p, dict):
            pid = p.get("id") or (slugify(p["name"]) if isinstance(p.get("name"), str) else None)
            ids.append(pid if isinstance(pid, str) else None)
            bosses.append(p.get("reports_to"))
        else:
            ids.append(None)
            bosses.append(None)
    ties = [
        (r.get("from"), r.get("to"), r.get("kind", "knows")) if isinstance(r, dict) else (None,) * 3
        for r in rels or []
    ]
    info = data.get("deal")
    owner = info.get("owner") if isinstance(info, dict) else None
    return integrity_problems(ids, bosses, ties, owner)


# -- locating problems -------------------------------------------------------------

# A position tree: (line, column, children); children maps a key to
# (key position, value position) for a mapping, or lists item positions.
_Pos = tuple[int, int, Any]


class _Locator:
    """Finds the line and column of a field path in the text (built only on error)."""

    def __init__(self, text: str, fmt: Format) -> None:
        try:
            self.root: _Pos | None = (
                _json_positions(text) if fmt == "json" else _yaml_positions(_yaml.compose(text))
            )
        except Exception:
            self.root = None

    def find(self, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        node = self.root
        if node is None:
            return 0, 0
        for i, part in enumerate(loc):
            children = node[2]
            last = i == len(loc) - 1
            if isinstance(children, dict) and isinstance(part, str) and part in children:
                key_pos, value_pos = children[part]
                node = key_pos if (last and key) else value_pos
            elif isinstance(children, list) and isinstance(part, int) and part < len(children):
                node = children[part]
            else:
                break
        return node[0], node[1]


def _yaml_positions(node: Any) -> _Pos | None:
    if node is None:
        return None
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        kids: dict[str, tuple[_Pos, _Pos]] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                kpos: _Pos = (k.start_mark.line + 1, k.start_mark.column + 1, None)
                vpos = _yaml_positions(v)
                kids.setdefault(str(k.value), (kpos, vpos or kpos))
        return line, col, kids
    if isinstance(node, yaml.SequenceNode):
        return line, col, [_yaml_positions(v) for v in node.value]
    return line, col, None


def _json_positions(text: str) -> _Pos:
    """A small JSON scanner that records where each value and key starts."""
    decoder = json.JSONDecoder()
    # Where each line starts, at C speed (a character loop took seconds on a big file).
    line_starts = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))

    def where(offset: int) -> tuple[int, int]:
        import bisect

        row = bisect.bisect_right(line_starts, offset) - 1
        return row + 1, offset - line_starts[row] + 1

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int) -> tuple[_Pos, int]:
        i = skip(i)
        line, col = where(i)
        if text[i] == "{":
            kids: dict[str, tuple[_Pos, _Pos]] = {}
            i = skip(i + 1)
            if text[i] == "}":
                return (line, col, kids), i + 1
            while True:
                i = skip(i)
                kline, kcol = where(i)
                key, i = decoder.raw_decode(text, i)
                i = skip(i)
                i += 1  # the colon
                vpos, i = value(i)
                kids.setdefault(str(key), ((kline, kcol, None), vpos))
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return (line, col, kids), i + 1
        if text[i] == "[":
            items: list[_Pos] = []
            i = skip(i + 1)
            if text[i] == "]":
                return (line, col, items), i + 1
            while True:
                vpos, i = value(i)
                items.append(vpos)
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return (line, col, items), i + 1
        _, end = decoder.raw_decode(text, i)
        return (line, col, None), end

    root, _ = value(0)
    return root


_CONCEPT = {
    "stance": "stance",
    "side": "side",
    "kind": "relationship kind",
    "style": "social style",
    "roles": "role",
    "required_roles": "role",
}


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel]:
    if root is Policy:
        return Policy
    names = [p for p in loc if isinstance(p, str)]
    table: dict[str, type[BaseModel]] = {
        "deal": DealInfo,
        "people": Person,
        "relationships": Relationship,
        "policy": Policy,
    }
    return table.get(names[0], Deal) if names else Deal


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"the text {value!r}"


def _field_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _located(
    source: str, located: _Locator, loc_text: str, message: str, severity: str = "error"
) -> Problem:
    loc = _parse_field_path(loc_text)
    line, col = located.find(loc)
    return Problem(source, line, col, loc_text, message, severity)


def _parse_field_path(text: str) -> tuple[str | int, ...]:
    import re

    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _problem(
    source: str,
    located: _Locator,
    loc: tuple[str | int, ...],
    error: Any,
    root: type[BaseModel],
) -> Problem:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    # Errors raised by a model validator carry no field of their own.
    loc = tuple(p for p in loc if p not in ("function-after[_integrity()]",))
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(root, loc[:-1])
        allowed = [(f.alias or name) for name, f in model.model_fields.items()]
        message = f"unknown field {key!r}" + (
            did_you_mean(key, allowed) or f"; expected one of {', '.join(allowed)}"
        )
        line, col = located.find(loc, key=True)
        return Problem(source, line, col, _field_path(loc), message)
    if kind == "missing":
        message = f"required field {loc[-1]!r} is missing"
        line, col = located.find(loc[:-1])
        return Problem(source, line, col, _field_path(loc), message)
    if kind == "enum":
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "")
        concept = _CONCEPT.get(field_name, field_name)
        expected = [
            e.strip(" '") for e in str(ctx.get("expected", "")).replace(" or ", ",").split(",")
        ]
        expected = [e for e in expected if e]
        message = (
            f"{value!r} is not a {concept}; expected one of {', '.join(expected)}"
            + did_you_mean(str(value), expected)
        )
    elif kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        field_name = str(loc[-1])
        bounds = {
            "ge": "at least",
            "le": "at most",
            "gt": "above",
            "lt": "below",
        }
        limits = ", ".join(f"{bounds[k]} {v}" for k, v in ctx.items() if k in bounds)
        message = f"{value!r} is out of range for {field_name}; expected a number {limits}"
        if field_name in ("influence", "strength", "coverage_strength", "decision_influence"):
            message = f"{value!r} is out of range; expected a number from 0 to 1"
    elif kind.startswith("date") or kind.startswith("datetime"):
        message = f"{value!r} is not a date; expected YYYY-MM-DD, such as 2026-11-20"
    elif kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        want = "a whole number" if kind.startswith("int") else "a number"
        message = f"expected {want}, not {_type_name(value)}"
    elif kind in ("string_type", "string_too_short"):
        message = (
            "expected text, not empty text"
            if kind == "string_too_short"
            else f"expected text, not {_type_name(value)}"
        )
    elif kind == "list_type":
        message = f"expected a list, not {_type_name(value)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of fields, not {_type_name(value)}"
    elif kind == "literal_error" and loc and loc[-1] == "version":
        message = f"unsupported version {value!r}; this version of influence reads version 1 files"
    elif kind == "bool_parsing" or kind == "bool_type":
        message = f"expected true or false, not {_type_name(value)}"
    else:
        message = str(error["msg"])
    line, col = located.find(loc)
    return Problem(source, line, col, _field_path(loc), message)
