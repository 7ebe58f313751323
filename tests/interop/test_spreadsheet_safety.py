"""Spreadsheets: no exported cell is a formula, exports import back exactly, hostile
workbooks and CSV files give located messages (exit 3) fast, never a traceback.

The broken workbooks are built here with zipfile; the CLI runs in a subprocess under a
timeout, so a hang or a crash fails the test instead of the suite.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from influence._cells import (
    FORMULA_STARTS,
    escape_cell,
    read_cell,
    read_xlsx_text,
    xlsx_text,
)
from influence.errors import DealFileError
from influence.interop.export import to_csv, to_xlsx
from influence.interop.importing import MAX_CELL_CHARS, import_deal, parse_table, read_table
from influence.io import parse_deal, read_deal
from influence.model import Deal
from tests.conftest import ROOT

openpyxl = pytest.importorskip("openpyxl")

DANGEROUS = tuple(FORMULA_STARTS)  # = + - @ TAB CR

# Every text field of people and ties carries a payload: formula starts, an apostrophe
# that is really there, CR / LF / tab inside and at the edges, control characters,
# text that looks like Excel's own _xHHHH_ escape, other scripts.
NAMES = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-x",
    "@SUM(A1:A9)",
    "\tx",
    "\rx",
    "'quoted",
    "''",
    "'",
    "-0.5",
    "=1+2;=3",
    "a\rb",
    "line\nbreak\r\nand more",
    "trailing newline\n",
    "  padded  ",
    "张敏 😀",
    "_x000D_ literal",
    "bell\x07 and nul\x00",
    "\u3000full-width space",
]


def _hostile() -> Deal:
    people: list[dict[str, Any]] = []
    for i, name in enumerate(NAMES):
        people.append(
            {
                # ids are free text too: ties and reports_to refer to them
                "id": ["=id", "+id", "-id", "@id", "'id"][i] if i < 5 else f"p{i}",
                "name": name,
                "title": NAMES[-1 - i],
                "side": "seller" if i % 4 == 3 else "customer",
                "roles": ["champion"] if i % 3 == 0 and i % 4 != 3 else [],
                "influence": round(0.05 * i, 2),
                "stance": "ally" if i % 2 else "unknown",
                "notes": "=cmd|' /C calc'!A0\r\n" + NAMES[i],
            }
        )
    people[6]["reports_to"] = "=id"
    people[7]["reports_to"] = "'id"
    people[8]["assessed"] = "2026-11-20"
    ties = [
        {
            "from": "@id",
            "to": "=id",
            "strength": 0.9,
            "context": "+ctx",
            "last_contact": "2026-11-02",
            "notes": "-1+2",
        },
        {"from": "'id", "to": "p5", "kind": "influences", "context": "\rcr", "notes": "@x\n"},
        {"from": "p9", "to": "+id", "kind": "conflicts_with", "notes": "'"},
        {"from": "-id", "to": "p10", "kind": "reports_to", "strength": 0.4},
    ]
    data = {
        "deal": {"name": "=Hostile", "account": "+ACME"},
        "people": people,
        "relationships": ties,
    }
    return parse_deal(json.dumps(data), "json")


@pytest.fixture(scope="module")
def hostile() -> Deal:
    return _hostile()


def _run(*args: str | os.PathLike[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "influence", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def _no_formula(cell: object, where: str) -> None:
    assert not (isinstance(cell, str) and cell.startswith(DANGEROUS)), (where, cell)


# -- the rule -------------------------------------------------------------------------


@given(st.text())
def test_escape_is_undone_exactly_and_never_starts_a_formula(text: str) -> None:
    cell = escape_cell(text)
    assert not cell.startswith(DANGEROUS)
    assert read_cell(cell) == text
    assert read_xlsx_text(xlsx_text(cell)) == cell


@pytest.mark.parametrize("text", NAMES)
def test_each_payload_gets_the_documented_prefix(text: str) -> None:
    prefixed = text[:1] in {"=", "+", "-", "@", "\t", "\r", "'"} or text != text.strip()
    assert escape_cell(text) == ("'" + text if prefixed else text)


def test_cells_from_other_tools_are_trimmed_and_a_lone_apostrophe_kept() -> None:
    # A CRM pads cells; an apostrophe before ordinary text is the CRM's own text.
    assert read_cell("  Ann Lee ") == "Ann Lee"
    assert read_cell("'Ann") == "'Ann"
    assert read_cell("  '=1") == "=1"


# -- CSV ------------------------------------------------------------------------------


def test_csv_export_has_no_formula_cell_and_no_split_row(hostile: Deal) -> None:
    people_csv, ties_csv = to_csv(hostile)
    people = list(csv.reader(io.StringIO(people_csv, newline="")))
    ties = list(csv.reader(io.StringIO(ties_csv, newline="")))
    # A CR or LF inside a value is quoted: one row per person and per tie.
    assert len(people) == len(hostile.people) + 1
    assert len(ties) == len(hostile.relationships) + 1
    for r, row in enumerate(people + ties):
        for c, cell in enumerate(row):
            _no_formula(cell, f"row {r} column {c}")
    # No CR outside a quoted field: a spreadsheet would start a new row there.
    for text in (people_csv, ties_csv):
        outside = "".join(part for i, part in enumerate(text.split('"')) if i % 2 == 0)
        assert "\r" not in outside
    assert people[1][1] == "'" + NAMES[0]
    assert people[7][1] == "''quoted"


def test_csv_export_imports_back_to_the_same_deal(hostile: Deal, tmp_path: Path) -> None:
    people_csv, ties_csv = to_csv(hostile)
    (tmp_path / "people.csv").write_text(people_csv, encoding="utf-8", newline="")
    (tmp_path / "ties.csv").write_text(ties_csv, encoding="utf-8", newline="")
    back = import_deal(tmp_path / "people.csv", ties=tmp_path / "ties.csv").deal
    assert back.people == hostile.people
    assert back.relationships == hostile.relationships


def test_cli_csv_round_trip(hostile: Deal, tmp_path: Path) -> None:
    from influence.io import dump_deal

    deal_file = tmp_path / "hostile.json"
    deal_file.write_text(dump_deal(hostile, "json"), encoding="utf-8")
    out = tmp_path / "csv"
    out.mkdir()
    exported = _run("export", deal_file, "--format", "csv", "-o", out)
    assert exported.returncode == 0, exported.stderr
    back_file = tmp_path / "back.yaml"
    imported = _run("import", out / "people.csv", "--ties", out / "ties.csv", "-o", back_file)
    assert imported.returncode == 0, imported.stderr
    back = read_deal(back_file)
    assert back.people == hostile.people
    assert back.relationships == hostile.relationships


# -- XLSX -----------------------------------------------------------------------------


def test_xlsx_export_has_no_formula_cell(hostile: Deal) -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(hostile)))
    assert book.sheetnames == ["people", "ties"]
    assert book["people"].max_row == len(hostile.people) + 1
    assert book["ties"].max_row == len(hostile.relationships) + 1
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                _no_formula(cell.value, f"{sheet.title}!{cell.coordinate}")
    # Numbers are numbers; text is text.
    influence = book["people"].cell(row=3, column=6).value
    assert isinstance(influence, float) and influence == hostile.people[1].influence
    assert book["people"]["B2"].value == "'" + NAMES[0]


def test_xlsx_export_imports_back_to_the_same_deal(hostile: Deal, tmp_path: Path) -> None:
    book = tmp_path / "hostile.xlsx"
    book.write_bytes(to_xlsx(hostile))
    back = import_deal(book, ties=book).deal
    assert back.people == hostile.people
    assert back.relationships == hostile.relationships


def test_xlsx_export_is_the_same_bytes_every_run(hostile: Deal) -> None:
    first = to_xlsx(hostile)
    time.sleep(1.1)  # openpyxl stamps the save time; the zip entries carry times too
    assert to_xlsx(hostile) == first


def test_cli_xlsx_round_trip_and_usage(hostile: Deal, tmp_path: Path) -> None:
    from influence.io import dump_deal

    deal_file = tmp_path / "hostile.json"
    deal_file.write_text(dump_deal(hostile, "json"), encoding="utf-8")
    book = tmp_path / "hostile.xlsx"
    exported = _run("export", deal_file, "--format", "xlsx", "-o", book)
    assert exported.returncode == 0, exported.stderr
    assert f"next: influence import {book} --ties {book}" in exported.stderr
    back_file = tmp_path / "back.yaml"
    imported = _run("import", book, "--ties", book, "-o", back_file)
    assert imported.returncode == 0, imported.stderr
    back = read_deal(back_file)
    assert back.people == hostile.people
    assert back.relationships == hostile.relationships
    to_stdout = _run("export", deal_file, "--format", "xlsx")
    assert to_stdout.returncode == 2
    assert "pass -o BOOK.xlsx" in to_stdout.stderr
    assert to_stdout.stdout == ""


# -- broken workbooks -----------------------------------------------------------------


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


PEOPLE = [["name", "title", "influence"]] + [[f"Person {i}", "Manager", 0.5] for i in range(7)]


def _rewrite(path: Path, part: str, change: Any) -> None:
    """Rewrite one part of a zip, keeping the others."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _rename_sheet_part(path: Path, new: str) -> None:
    """Move the first sheet to the part `new`, updating the workbook's relationship to it."""
    old = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[new] = parts.pop(old)
    rels = "xl/_rels/workbook.xml.rels"
    target = old.removeprefix("xl/").encode()
    assert target in parts[rels]
    parts[rels] = parts[rels].replace(target, new.removeprefix("xl/").encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for text in expected:
        assert text in result.stderr, result.stderr


def test_stale_dimension_imports_every_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "stale.xlsx", PEOPLE)
    sheet = "xl/worksheets/sheet1.xml"
    _rewrite(
        path, sheet, lambda xml: xml.replace(b'<dimension ref="A1:C8"', b'<dimension ref="A1:C2"')
    )
    # The corruption is real: read-only openpyxl trusting it sees 2 of the 8 rows.
    stale = openpyxl.load_workbook(path, read_only=True)
    assert len(list(stale.worksheets[0].iter_rows(values_only=True))) == 2
    stale.close()
    result = _run("import", path, "--format", "plain")
    assert result.returncode == 0, result.stderr
    assert "7 people" in result.stderr
    assert len(read_table(path).rows) == 7


@pytest.mark.parametrize(
    "part",
    [
        "xl/worksheets/sheet1.xml",
        "xl/workbook.xml",
        "[Content_Types].xml",
        "xl/worksheets/sheet1.bin",
    ],
)
def test_dtd_entity_is_a_located_error(tmp_path: Path, part: str) -> None:
    path = _workbook(tmp_path / "dtd.xlsx", PEOPLE)
    if part.endswith(".bin"):  # a sheet part with a name that does not say XML
        _rename_sheet_part(path, part)
    doctype = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    )

    def with_dtd(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml
        return doctype + body.replace(b"Person 3", b"&b;")

    _rewrite(path, part, with_dtd)
    result = _run("import", path, timeout=30)
    _refused(result, f"{path}: {part}:2:", ": a DTD (<!DOCTYPE ...>) is not allowed")


def _huge_cell_book(path: Path, size: int) -> Path:
    """A workbook whose one inline cell holds `size` characters, packed as tight as zip can."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
        b'.t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="A2" t="inlineStr">'
        b"<is><t>"
    ).replace(b".t=", b"t=")
    tail = b"</t></is></c></row></sheetData></worksheet>"
    template = _workbook(path.with_suffix(".tmp.xlsx"), [["name"]])
    with zipfile.ZipFile(template) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            chunk = b"a" * (1 << 20)
            left = size
            while left:
                sheet.write(chunk[: min(left, len(chunk))])
                left -= min(left, len(chunk))
            sheet.write(tail)
    return path


def test_600_mb_cell_in_a_small_workbook_fails_fast(tmp_path: Path) -> None:
    path = _huge_cell_book(tmp_path / "bomb.xlsx", 600 * 10**6)
    assert path.stat().st_size < 1_000_000
    started = time.monotonic()
    result = _run("import", path, timeout=30)
    elapsed = time.monotonic() - started
    print(f"refused in {elapsed:.2f} s")
    _refused(result, "xl/worksheets/sheet1.xml: unpacks to 600 MB, over the limit")
    assert elapsed < 10, elapsed


def test_packed_like_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = _huge_cell_book(tmp_path / "dense.xlsx", 50 * 10**6)
    result = _run("import", path, timeout=30)
    _refused(result, "xl/worksheets/sheet1.xml: unpacks to 50 MB from", "a zip bomb")


def test_cell_over_excels_limit_is_located(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "big.xlsx", [["name", "notes"], ["Ann", "x"], ["Bo", "y"]])
    big = b"z" * (MAX_CELL_CHARS + 1)
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<t>y</t>", b"<t>" + big + b"</t>"),
    )
    result = _run("import", path, timeout=30)
    _refused(
        result, f"{path}:3: Sheet!B3: a cell of 32,768 characters; a cell holds at most 32,767"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"name,title\nAnn,CEO\n",
            "not an .xlsx workbook (it is not a zip archive, or it is cut short)",
        ),
        (b"", "not an .xlsx workbook (it is not a zip archive, or it is cut short)"),
    ],
    ids=["csv-named-xlsx", "empty"],
)
def test_not_a_workbook(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(content)
    _refused(_run("import", path, timeout=30), expected)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    # the one reader of io names what the file is
    _refused(_run("import", fifo, timeout=30), f"{fifo}: cannot read the file: it is a named pipe")
    link = tmp_path / "zero.xlsx"
    link.symlink_to("/dev/zero")
    _refused(
        _run("import", link, timeout=30),
        f"{link}: cannot read the file: it is a device (it links to /dev/zero)",
    )
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    _refused(_run("import", folder, timeout=30), f"{folder}: cannot read the file: it is a folder")


def test_truncated_and_broken_xml_workbooks(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "cut.xlsx", PEOPLE)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _refused(_run("import", path, timeout=30), f"{path}: not an .xlsx workbook")
    broken = _workbook(tmp_path / "broken.xlsx", PEOPLE)
    _rewrite(
        broken,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<row r="5"', b'<row r="5"><oops', 1),
    )
    _refused(
        _run("import", broken, timeout=30),
        f"{broken}: Sheet: cannot read the sheet after row 4 "
        "(XML error at xl/worksheets/sheet1.xml:1:",
    )


# -- duplicate headers ----------------------------------------------------------------


def test_duplicate_csv_header_is_refused_naming_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,title,notes,Title\nAnn,CEO,x,Chief\n", encoding="utf-8")
    _refused(
        _run("import", path, timeout=30),
        f"{path}:1: Title: the column 'Title' is named twice, in columns 2 (B) and 4 (D)",
    )
    ties = tmp_path / "ties.csv"
    ties.write_text("from,to,to\nann,bo,cy\n", encoding="utf-8")
    with pytest.raises(DealFileError) as caught:
        import_deal(parse_table("name\nAnn\nBo\nCy\n"), ties=ties)
    assert [p.message for p in caught.value.problems] == [
        "the column 'to' is named twice, in columns 2 (B) and 3 (C); rename or remove one"
    ]


def test_duplicate_xlsx_header_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "dup.xlsx", [["name", "name"], ["Ann", "Bo"]])
    with pytest.raises(DealFileError) as caught:
        import_deal(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: name: the column 'name' is named twice, in columns 1 (A) and 2 (B); "
        "rename or remove one"
    ]


# -- review --csv ---------------------------------------------------------------------


def test_review_csv_escapes_every_text_cell(tmp_path: Path) -> None:
    from influence.batch.review import review
    from influence.render.review import to_review_csv

    folder = tmp_path / "deals"
    folder.mkdir()
    payloads = ['=HYPERLINK("http://x","y")', "+1\r=2", "@SUM(A1)"]
    for i, name in enumerate(payloads):
        data = {
            "deal": {"id": f"-deal{i}", "name": name, "account": "\tacct", "stage": "=x"},
            "people": [{"id": "=boss", "name": "=Boss", "roles": ["decision_maker"]}],
        }
        (folder / f"d{i}.json").write_text(json.dumps(data), encoding="utf-8")
    text = to_review_csv(review([str(folder)], workers=1))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(payloads) + 1
    header = rows[0]
    for row in rows[1:]:
        for column, cell in zip(header, row, strict=True):
            _no_formula(cell, column)
    names = sorted(row[header.index("name")] for row in rows[1:])
    assert names == sorted("'" + p for p in payloads)
    assert {row[header.index("uncovered_decision_makers")] for row in rows[1:]} == {"'=boss"}


def test_xlsx_without_openpyxl_says_how_to_install(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = _workbook(tmp_path / "people.xlsx", PEOPLE)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    out = tmp_path / "deal.xlsx"
    result = cli("export", ROOT / "examples" / "saas-small.yaml", "-f", "xlsx", "-o", out)
    assert result.exit_code == 4
    assert "pip install 'influence[xlsx]'" in result.stderr
    assert not out.exists()
    result = cli("import", book)
    assert result.exit_code == 4
    assert "reading .xlsx files needs openpyxl; install it with pip install" in result.stderr
