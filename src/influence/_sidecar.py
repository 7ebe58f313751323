r"""Touchpoint sidecar files: a deal's long contact history in a ``.csv`` or ``.jsonl`` file.

A deal file may say ``touchpoints: touchpoints.csv`` (a name relative to the
deal file's folder, never absolute, never with ``..``). This module reads such
text into plain rows, each with its line, and writes rows to append. The rows
are validated as touchpoints by the deal's own model (:mod:`influence.model`);
the reading path (:mod:`influence.io`) locates each problem at the sidecar's
line.

CSV: a header row naming touchpoint fields (``date``, ``kind``, ``people``,
``direction``, ``channel``, ``notes``, ``source``, ``in_reply_to``), ``people`` ``;``-separated,
empty cells left out, cells escaped as every CSV the package writes
(:mod:`influence._cells`). JSONL: one JSON object per line; blank lines are skipped.

Examples:
    >>> rows, lines, problems = parse_sidecar(
    ...     "date,kind,people\n2026-11-02,visit,li-wei;zhang-min\n", "csv", "t.csv"
    ... )
    >>> rows, lines, problems
    ([{'date': '2026-11-02', 'kind': 'visit', 'people': ['li-wei', 'zhang-min']}], [2], [])
    >>> print(sidecar_text([{"date": "2026-11-03", "kind": "call", "people": ["a", "b"]}],
    ...                    "csv", header=True), end="")
    date,kind,people,direction,channel,notes,source,in_reply_to
    2026-11-03,call,a;b,,,,,
"""

from __future__ import annotations

import csv
import io as _stdio
import json
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Literal

from influence._cells import csv_text, escape_cell, read_cell
from influence.errors import Problem

__all__ = ["SIDECAR_SUFFIXES", "parse_sidecar", "sidecar_columns", "sidecar_format", "sidecar_text"]

SidecarFormat = Literal["csv", "jsonl"]
SIDECAR_SUFFIXES: dict[str, SidecarFormat] = {".csv": "csv", ".jsonl": "jsonl"}
#: The columns of a CSV sidecar, in the model's order.
COLUMNS = ("date", "kind", "people", "direction", "channel", "notes", "source", "in_reply_to")
#: The longest cell a CSV sidecar may hold (a spreadsheet's own limit).
MAX_CELL = 32_767


def sidecar_format(name: str) -> SidecarFormat | str:
    """The format of a sidecar named ``name``, or why the name is refused (a message).

    Examples:
        >>> sidecar_format("touch/2026.csv"), sidecar_format("t.jsonl")
        ('csv', 'jsonl')
        >>> sidecar_format("../t.csv")
        "the touchpoints file must be inside the deal file's folder, not '../t.csv'"
    """
    if not name.strip() or "\x00" in name:
        return "the touchpoints file name is empty"
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or ".." in windows.parts:
        return f"the touchpoints file must be inside the deal file's folder, not {name!r}"
    suffix = posix.suffix.lower()
    if suffix not in SIDECAR_SUFFIXES:
        return (
            f"expected a list of touchpoints, or the name of a .csv or .jsonl file of them, "
            f"not {name!r}"
        )
    return SIDECAR_SUFFIXES[suffix]


def parse_sidecar(
    text: str, fmt: SidecarFormat, source: str
) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    """Read a sidecar's text into rows, the line each starts on, and the problems found."""
    if fmt == "jsonl":
        return _parse_jsonl(text, source)
    return _parse_csv(text, source)


def _reject_constant(literal: str) -> Any:
    raise ValueError(f"{literal} is not a JSON value")


def _parse_jsonl(text: str, source: str) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, parse_constant=_reject_constant)
        except RecursionError:
            problems.append(Problem(source, number, 1, "", "nested too deeply"))
            continue
        except ValueError as err:
            message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            col = err.colno if isinstance(err, json.JSONDecodeError) else 1
            problems.append(Problem(source, number, col, "", f"not a JSON line: {message}"))
            continue
        if not isinstance(value, dict):
            problems.append(
                Problem(source, number, 1, "", "expected one JSON object (a touchpoint) per line")
            )
            continue
        rows.append(value)
        lines.append(number)
    return rows, lines, problems


def _parse_csv(text: str, source: str) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [], [], [Problem(source, line, 0, "", "the file holds a NUL character")]
    reader = csv.reader(_stdio.StringIO(text, newline=""), strict=True)
    headers: list[str] | None = None
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append(Problem(source, reader.line_num, 0, "", f"cannot read this row: {err}"))
            break
        row, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if headers is None:
            headers = _header(values)
            why = _bad_header(headers)
            if why:
                problems.append(
                    Problem(source, row, 0, "", f"{why}; expected columns {', '.join(COLUMNS)}")
                )
                return [], [], problems
            continue
        if len(values) != len(headers):
            problems.append(
                Problem(
                    source,
                    row,
                    0,
                    "",
                    f"row has {len(values)} values but the header has {len(headers)} columns",
                )
            )
            continue
        item: dict[str, Any] = {}
        for key, cell in zip(headers, values, strict=True):
            value = read_cell(cell)
            if not value:
                continue
            if key == "people":
                item[key] = [p.strip() for p in value.split(";") if p.strip()]
            else:
                item[key] = value
        rows.append(item)
        lines.append(row)
    return rows, lines, problems


def _header(cells: list[str]) -> list[str]:
    """A CSV sidecar's header cells as the column names they mean."""
    return [read_cell(v).lower() for v in cells]


def _bad_header(headers: list[str]) -> str:
    """Why these column names are no sidecar header, or "" when they are one."""
    unknown = [h for h in headers if h not in COLUMNS]
    if unknown:
        return f"unknown column {unknown[0]!r}"
    return "a column is repeated" if len(set(headers)) != len(headers) else ""


def sidecar_columns(line: str) -> list[str] | None:
    """The columns a CSV sidecar's header line names, as the reader reads them; None if bad.

    Examples:
        >>> sidecar_columns('date,"kind",People'), sidecar_columns("date,when")
        (['date', 'kind', 'people'], None)
    """
    try:
        cells = next(csv.reader([line.lstrip("\ufeff")], strict=True), [])
    except csv.Error:
        return None
    headers = _header(cells)
    return headers if headers and not _bad_header(headers) else None


def sidecar_text(
    items: Sequence[Mapping[str, Any]],
    fmt: SidecarFormat | str,
    *,
    header: bool = False,
    columns: Sequence[str] = COLUMNS,
) -> str:
    """The lines that append ``items`` (touchpoints as plain data) to a sidecar file.

    ``columns``: a CSV's columns, in its header's order (all of them by default).
    """
    if fmt == "jsonl":
        return "".join(
            json.dumps(dict(item), ensure_ascii=False, separators=(", ", ": ")) + "\n"
            for item in items
        )
    rows: list[list[str]] = [list(columns)] if header else []
    for item in items:
        row = []
        for key in columns:
            value = item.get(key)
            if value is None:
                row.append("")
            elif isinstance(value, list):
                row.append(escape_cell(";".join(str(v) for v in value)))
            else:
                row.append(escape_cell(str(value)))
        rows.append(row)
    return csv_text(rows)
