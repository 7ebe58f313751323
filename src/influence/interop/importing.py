"""Import people (and ties) from CRM exports: CSV or XLSX to a :class:`~influence.model.Deal`.

Recognised by their headers (or named with ``fmt=``):

* ``salesforce``: a Salesforce Contacts export (``Id``, ``FirstName``,
  ``LastName``, ``Title``, ``AccountName``, ``ReportsToId``...).
* ``ocr``: a Salesforce OpportunityContactRole export (``ContactId``, ``Role``,
  ``IsPrimary``) with the contact's fields (``Contact.FirstName``...).
* ``hubspot``: a HubSpot contacts export (``Record ID``, ``First Name``,
  ``Last Name``, ``Job Title``, ``Company Name``, ``Buying Role``...).
* ``plain``: the template the README documents, with the deal file's own field
  names (``id``, ``name``, ``title``, ``side``, ``roles``, ``influence``,
  ``stance``, ``assessed``, ``style``, ``reports_to``, ``notes``, ``account``).

CRM role names become ours; managers' ids become ``reports_to`` (a manager
missing from the file is a warning, not an error); roles and influence missing
from the file are guessed from job titles, and each guess is marked in the
person's notes so that a rep confirms it. Every bad row is an error located as
``FILE:ROW``; a result is returned only when the whole deal validates.

Examples:
    >>> table = parse_table('''Id,FirstName,LastName,Title,AccountName,ReportsToId
    ... 003A,Chen,Jun,CEO,ACME,
    ... 003B,Zhang,Min,CFO,ACME,003A
    ... ''', source="contacts.csv")
    >>> result = import_deal(table)
    >>> result.format
    'salesforce'
    >>> [(p.id, [r.value for r in p.roles], p.reports_to) for p in result.deal.people]
    [('chen-jun', ['decision_maker'], None), ('zhang-min', ['economic_buyer'], 'chen-jun')]
    >>> result.deal.person("zhang-min").notes
    "roles and influence inferred from title 'CFO'; please confirm"
"""

from __future__ import annotations

import csv
import errno
import io as _stdio
import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from influence._cells import read_cell, read_xlsx_text
from influence._suggest import did_you_mean
from influence.errors import DealFileError, Problem
from influence.interop import InteropError, MissingDependencyError
from influence.io import (
    LOCK_WAIT,
    deal_lock,
    dump_deal,
    format_of,
    parse_deal,
    read_bytes,
    read_text,
    write_text,
)
from influence.model import (
    TIE_KEYS,
    Deal,
    Person,
    Policy,
    Relationship,
    Role,
    Side,
    Stance,
    integrity_problems,
)

__all__ = [
    "FORMATS",
    "PERSON_FIELDS",
    "TIE_FIELDS",
    "ImportMappingError",
    "ImportResult",
    "MissingDependencyError",
    "Table",
    "TitleGuess",
    "detect_format",
    "import_deal",
    "infer_from_title",
    "parse_table",
    "read_table",
    "write_imported",
]

Format = Literal["salesforce", "ocr", "hubspot", "plain"]
FORMATS: tuple[str, ...] = ("salesforce", "ocr", "hubspot", "plain")
FORMAT_NAMES: dict[str, str] = {
    "salesforce": "Salesforce contacts",
    "ocr": "Salesforce opportunity contact roles",
    "hubspot": "HubSpot contacts",
    "plain": "the plain template",
}

#: Fields a people column can feed (``--map COLUMN=FIELD``); ``ignore`` drops a column.
PERSON_FIELDS: tuple[str, ...] = (
    "id",
    "crm_id",
    "name",
    "first_name",
    "last_name",
    "title",
    "account",
    "side",
    "roles",
    "influence",
    "stance",
    "assessed",
    "style",
    "reports_to",
    "notes",
    "emails",
    "favours",
    "needs",
    "status",
    "refusals",
    "buying_signals",
    "primary",
    "ignore",
)
#: Columns of a ties file (the deal file's relationship fields).
TIE_FIELDS: tuple[str, ...] = TIE_KEYS


class ImportMappingError(InteropError):
    """A ``--map COLUMN=FIELD`` names a column the file lacks or a field we do not know."""

    exit_code = 2  # a usage error


# -- tables ---------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of a CSV or XLSX file: headers, and each row with its row number.

    Attributes:
        source: The file as given (used in messages).
        headers: Column names, as written.
        rows: ``(row number, values)``; row 1 is the header.
        problems: Rows that could not be read (too many or too few values).
    """

    source: str
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _norm(header: str) -> str:
    """Header key for matching: lower case, letters and digits only."""
    return "".join(c for c in header.lower() if c.isalnum())


def parse_table(text: str, *, source: str = "<string>") -> Table:
    r"""Parse CSV text (comma, semicolon or tab separated) into a :class:`Table`.

    Blank lines are skipped; a row with more or fewer values than the header is
    a located problem, not an exception.

    Args:
        text: The CSV text; the first line holds the headers.
        source: The name used in messages.

    Returns:
        The table, with its problems.

    Raises:
        DealFileError: the text holds no header line.

    Examples:
        >>> t = parse_table("name;title\nAnn;CEO\nBo;CFO;extra\n")
        >>> t.headers, t.rows
        (['name', 'title'], [(2, ['Ann', 'CEO'])])
        >>> print(t.problems[0].line, t.problems[0].message[:45])
        3 row has 3 values but the header has 2 columns
    """
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise DealFileError(source, [Problem(source, 0, 0, "", "the file is empty")])
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    table = Table(source, [])
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            table.problems.append(
                Problem(source, reader.line_num, 0, "", f"cannot read this row: {err}")
            )
            break
        row, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if headers is None:
            headers = [read_cell(v) for v in values]
            table.headers = headers
            table.problems += _duplicate_headers(source, row, headers)
            continue
        if len(values) != len(headers):
            shown = ", ".join(headers)
            sep = {"\t": "tab"}.get(delimiter, repr(delimiter))
            table.problems.append(
                Problem(
                    source,
                    row,
                    0,
                    "",
                    f"row has {len(values)} values but the header has {len(headers)} "
                    f"columns ({shown}); quote values that contain the separator {sep}",
                )
            )
            continue
        table.rows.append((row, [read_cell(v) for v in values]))
    return table


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None) -> Table:
    r"""Read a ``.csv`` (UTF-8) or ``.xlsx`` file into a :class:`Table`.

    Cells are read as :func:`influence._cells.read_cell` says: the leading
    ``'`` our exports put before a formula start is removed, other cells are
    trimmed. A header named twice is a located problem (the second column
    would be lost). A workbook is checked before it is parsed: each part at
    most :data:`MAX_XLSX_PART` bytes unpacked (and not packed like a zip bomb),
    no DTD in any XML part, no cell over :data:`MAX_CELL_CHARS` characters;
    its sheet's recorded size is not trusted (a stale ``<dimension>`` would
    hide rows).

    Args:
        path: The file.
        sheet: For a workbook, the sheet to read when it has one of that name
            (``influence export --format xlsx`` writes ``people`` and ``ties``);
            otherwise, and by default, the first sheet.

    Returns:
        The table, with located problems for unreadable rows.

    Raises:
        DealFileError: the file is missing, not UTF-8, or not a readable
            spreadsheet; each problem located (``FILE:ROW``, ``SHEET!CELL``, or
            the XML part's ``LINE:COL``).
        MissingDependencyError: an ``.xlsx`` file and openpyxl is not installed.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
        >>> _ = p.write_text("name,title\nAnn,CEO\n'=Bo,'-\n", encoding="utf-8")
        >>> read_table(p).rows
        [(2, ['Ann', 'CEO']), (3, ['=Bo', '-'])]
    """
    name = str(path)
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(name, sheet)
    return parse_table(read_text(path), source=name)


def _letter(index: int) -> str:
    """A 0-based column index as a spreadsheet's column letters (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _duplicate_headers(source: str, row: int, headers: Sequence[str]) -> list[Problem]:
    """A located problem for each header named again (its column would be lost).

    Examples:
        >>> problem = _duplicate_headers("p.csv", 1, ["name", "Title", "x", "title"])[0]
        >>> print(problem.line, problem.field, problem.message[:61])
        1 title the column 'title' is named twice, in columns 2 (B) and 4 (D)
    """
    first: dict[str, int] = {}
    out: list[Problem] = []
    for i, header in enumerate(headers):
        key = header.strip().casefold()
        if not key:
            continue
        if key in first:
            j = first[key]
            out.append(
                Problem(
                    source,
                    row,
                    0,
                    header,
                    f"the column {header!r} is named twice, in columns {j + 1} "
                    f"({_letter(j)}) and {i + 1} ({_letter(i)}); rename or remove one",
                )
            )
        else:
            first[key] = i
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return read_cell(read_xlsx_text(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


#: The most text one spreadsheet cell may hold: Excel's own limit.
MAX_CELL_CHARS = 32_767
#: The most one part of a workbook (a sheet, the shared strings) may unpack to.
MAX_XLSX_PART = 256 * 1024 * 1024
#: A part that unpacks to more than this many times its packed size is refused (a zip bomb);
#: sheets of real exports pack 5 to 30 times.
_MAX_RATIO = 200
_RATIO_FROM = 8 * 1024 * 1024


def _xlsx_problem(name: str, message: str, where: str = "", line: int = 0) -> DealFileError:
    return DealFileError(name, [Problem(name, line, 0, where, message)])


def _check_workbook(name: str, raw: bytes) -> None:
    """Refuse, before any XML parser runs, a file that is not a zip, a zip bomb, or a DTD."""
    import zipfile

    try:
        archive = zipfile.ZipFile(_stdio.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _xlsx_problem(
            name,
            "not an .xlsx workbook (it is not a zip archive, or it is cut short); save it "
            "from the spreadsheet as .xlsx, or as CSV UTF-8",
        ) from None
    with archive:
        for info in archive.infolist():
            mb = f"{info.file_size / 1e6:,.0f} MB"
            if info.file_size > MAX_XLSX_PART:
                raise _xlsx_problem(
                    name,
                    f"unpacks to {mb}, over the limit of {MAX_XLSX_PART // 2**20} MiB a part; "
                    "split the sheet, or save it as CSV UTF-8",
                    info.filename,
                )
            if info.file_size > _RATIO_FROM and info.file_size > _MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise _xlsx_problem(
                    name,
                    f"unpacks to {mb} from {info.compress_size:,} bytes (over {_MAX_RATIO} "
                    "to 1: a zip bomb, not a spreadsheet); save it again as .xlsx or CSV UTF-8",
                    info.filename,
                )
        for info in archive.infolist():
            # Every part, whatever its name: a relationship may name any part as a sheet.
            if not info.is_dir():
                _check_prolog(name, archive, info.filename)


class _Root(Exception):
    """The root element began: the prolog, where a DTD would be, is over."""


def _check_prolog(name: str, archive: Any, part: str) -> None:
    """Refuse a DTD (entities, external files) in an XML part: Excel never writes one.

    A part that does not start like XML (an image, a VBA project) is left alone.
    """
    import zipfile
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def root(*_: Any) -> None:
        raise _Root

    def doctype(*_: Any) -> None:
        raise _xlsx_problem(
            name,
            "a DTD (<!DOCTYPE ...>) is not allowed in a workbook (it can define entities "
            "that expand or read other files); save the sheet again from the spreadsheet",
            f"{part}:{parser.CurrentLineNumber}:{parser.CurrentColumnNumber + 1}",
        )

    parser.StartElementHandler = root
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(part) as handle:
            chunk = handle.read(1 << 16)
            start = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
            if start != b"<" and not chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                return
            while chunk:
                parser.Parse(chunk, False)
                chunk = handle.read(1 << 16)
            parser.Parse(b"", True)
    except _Root:
        return
    except expat.ExpatError as err:
        raise _xlsx_problem(
            name,
            f"not well-formed XML ({expat.ErrorString(err.code)}); save the sheet again",
            f"{part}:{err.lineno}:{err.offset + 1}",
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as err:
        raise _xlsx_problem(name, f"cannot unpack this part ({err})", part) from None


def _read_xlsx(name: str, prefer: str | None = None) -> Table:
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise MissingDependencyError(
            f"{name}: reading .xlsx files needs openpyxl; install it with "
            "pip install 'influence[xlsx]', or save the sheet as CSV UTF-8"
        ) from None
    # A regular file only, at most max_file_size (a FIFO would hang openpyxl), located errors.
    raw_book = read_bytes(name)
    _check_workbook(name, raw_book)
    try:
        book = openpyxl.load_workbook(_stdio.BytesIO(raw_book), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several unrelated types for a bad file
        raise _xlsx_problem(name, f"not a readable .xlsx workbook ({_reason(err)})") from None
    try:
        if not book.worksheets:
            raise _xlsx_problem(name, "the workbook has no sheet")
        sheet = book[prefer] if prefer in book.sheetnames else book.worksheets[0]
        # read-only mode trusts the sheet's recorded size, which some tools leave stale
        sheet.reset_dimensions()
        table = Table(name, [])
        headers: list[str] | None = None
        number = 0
        try:
            for number, raw in enumerate(
                sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1
            ):
                for i, v in enumerate(raw):
                    if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                        raise _xlsx_problem(
                            name,
                            f"a cell of {len(v):,} characters; a cell holds at most "
                            f"{MAX_CELL_CHARS:,} (Excel's limit)",
                            f"{sheet.title}!{get_column_letter(i + 1)}{number}",
                            number,
                        )
                values = [_cell(v) for v in raw]
                if not any(values):
                    continue
                if headers is None:
                    while values and not values[-1]:
                        values.pop()
                    headers = values
                    table.headers = headers
                    table.problems += _duplicate_headers(name, number, headers)
                    continue
                extra = values[len(headers) :]
                if any(extra):
                    table.problems.append(
                        Problem(
                            name,
                            number,
                            0,
                            "",
                            f"row has values beyond the {len(headers)} named columns",
                        )
                    )
                    continue
                values = values[: len(headers)] + [""] * (len(headers) - len(values))
                table.rows.append((number, values))
        except DealFileError:
            raise
        except Exception as err:  # a broken sheet: openpyxl's parser and converters
            part = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
            raise _xlsx_problem(
                name,
                f"cannot read the sheet after row {number} ({_reason(err, part)}); "
                "save it again from the spreadsheet, or as CSV UTF-8",
                sheet.title,
            ) from None
    finally:
        book.close()
    if headers is None:
        raise _xlsx_problem(name, f"the sheet {sheet.title!r} is empty")
    return table


def _reason(err: Exception, part: str = "") -> str:
    """An exception as a short reason; an XML error located as ``PART:LINE:COL``.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> try:
        ...     ET.fromstring("<a><b></a>")
        ... except ET.ParseError as err:
        ...     print(_reason(err, "xl/worksheets/sheet1.xml"))
        XML error at xl/worksheets/sheet1.xml:1:9: mismatched tag
    """
    position = getattr(err, "position", None)
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    if isinstance(position, tuple) and len(position) == 2:
        text = re.sub(r": line \d+, column \d+$", "", text)
        return f"XML error at {part or 'line'}:{position[0]}:{position[1] + 1}: {text}"
    return text[:200]


# -- formats --------------------------------------------------------------------------

# Keys are headers with case, spaces and punctuation dropped, so the API names of a
# Data Loader export ("ReportsToId") and the labels of a report ("Reports To") both match.
_SALESFORCE: dict[str, str] = {
    "id": "crm_id",
    "contactid": "crm_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "name": "name",
    "fullname": "name",
    "title": "title",
    "accountname": "account",
    "reportstoid": "reports_to",
    "reportsto": "reports_to",
    "reportstoname": "reports_to",
    "reportstofullname": "reports_to",
    "description": "notes",
}
_OCR: dict[str, str] = {
    **{k: v for k, v in _SALESFORCE.items() if k != "id"},
    "role": "roles",
    "contactrole": "roles",
    "isprimary": "primary",
    "primary": "primary",
    "contactfirstname": "first_name",
    "contactlastname": "last_name",
    "contactname": "name",
    "contactfullname": "name",
    "contacttitle": "title",
    "contactaccountname": "account",
    "contactreportstoid": "reports_to",
    "contactreportsto": "reports_to",
}
_HUBSPOT: dict[str, str] = {
    "recordid": "crm_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "jobtitle": "title",
    "companyname": "account",
    "associatedcompany": "account",
    "buyingrole": "roles",
    "buyingroles": "roles",
}
_PLAIN: dict[str, str] = {
    "id": "id",
    "name": "name",
    "fullname": "name",
    "firstname": "first_name",
    "lastname": "last_name",
    "title": "title",
    "account": "account",
    "side": "side",
    "roles": "roles",
    "role": "roles",
    "influence": "influence",
    "stance": "stance",
    "assessed": "assessed",
    "style": "style",
    "reportsto": "reports_to",
    "manager": "reports_to",
    "notes": "notes",
    "emails": "emails",
    "email": "emails",
    "favours": "favours",
    "needs": "needs",
    "status": "status",
    "refusals": "refusals",
    "buyingsignals": "buying_signals",
}
_COLUMNS: dict[str, dict[str, str]] = {
    "salesforce": _SALESFORCE,
    "ocr": _OCR,
    "hubspot": _HUBSPOT,
    "plain": _PLAIN,
}

#: CRM role names (Salesforce contact roles, HubSpot buying roles) to ours, keyed like
#: headers (case, spaces and punctuation dropped); an empty tuple: no role of ours.
CRM_ROLES: dict[str, tuple[Role, ...]] = {
    **{_norm(r.value): (r,) for r in Role},
    "decisionmaker": (Role.DECISION_MAKER,),
    "economicbuyer": (Role.ECONOMIC_BUYER,),
    "economicdecisionmaker": (Role.ECONOMIC_BUYER, Role.DECISION_MAKER),
    "budgetholder": (Role.ECONOMIC_BUYER,),
    "technicalbuyer": (Role.TECHNICAL_BUYER,),
    "evaluator": (Role.TECHNICAL_BUYER,),
    "influencer": (Role.INFLUENCER,),
    "executivesponsor": (Role.CHAMPION,),
    "champion": (Role.CHAMPION,),
    "businessuser": (Role.USER,),
    "enduser": (Role.USER,),
    "user": (Role.USER,),
    "legalcompliance": (Role.LEGAL,),
    "legal": (Role.LEGAL,),
    "purchasing": (Role.PROCUREMENT,),
    "procurement": (Role.PROCUREMENT,),
    "gatekeeper": (Role.GATEKEEPER,),
    "coach": (Role.COACH,),
    "other": (),
}
#: CRM roles that say where a person stands rather than what part they play.
CRM_STANCES: dict[str, Stance] = {"blocker": Stance.BLOCKER}


def detect_format(headers: Sequence[str]) -> str | None:
    """Return the export a header line comes from, or None when it is not recognised.

    Examples:
        >>> detect_format(["Id", "FirstName", "LastName", "Title", "ReportsToId"])
        'salesforce'
        >>> detect_format(["Contact ID", "First Name", "Last Name", "Title", "Reports To"])
        'salesforce'
        >>> detect_format(["ContactId", "Role", "IsPrimary"])
        'ocr'
        >>> detect_format(["Opportunity Name", "Contact: Full Name", "Role", "Is Primary"])
        'ocr'
        >>> detect_format(["Record ID", "First Name", "Last Name", "Job Title"])
        'hubspot'
        >>> detect_format(["name", "title", "roles"])
        'plain'
        >>> detect_format(["Email"]) is None
        True
    """
    keys = {_norm(h) for h in headers}
    contact = keys & {"contactid", "contactname", "contactfullname"}
    if contact and keys & {"role", "contactrole"}:
        return "ocr"
    if keys & {"reportstoid", "reportstofullname"} or (
        keys & {"id", "contactid"} and keys & {"firstname", "lastname"}
    ):
        return "salesforce"
    if keys & {"recordid", "jobtitle", "buyingrole"}:
        return "hubspot"
    if keys & {"name", "fullname", "firstname", "lastname"}:
        return "plain"
    return None


# -- titles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleGuess:
    """What a job title suggests: buying roles and a stated influence (None: no idea)."""

    roles: tuple[Role, ...] = ()
    influence: float | None = None


_VP = re.compile(r"\b(?:s?vp|evp|avp|vice[\s-]+president)\b|副总")
_C_LEVEL = re.compile(
    r"\b(?:c[a-z]{1,2}o|chief|president|chair(?:man|woman|person)?|owner|(?:co-?)?founder"
    r"|managing director|general manager)\b|董事长|总裁|总经理|首席"
)
_DIRECTOR = re.compile(r"\b(?:director|head)\b|总监|主任")
_MANAGER = re.compile(r"\b(?:manager|lead|supervisor)\b|经理|主管")
_DECISION = re.compile(
    r"\b(?:ceo|chief executive|president|chair(?:man|woman|person)?|owner|(?:co-?)?founder"
    r"|managing director|general manager)\b|董事长|总裁|总经理|首席执行官"
)
# A product or process owner owns a backlog, not the company.
_NOT_OWNER = re.compile(
    r"\b(?:product|process|data|system|service|application|content|asset)\s+owner\b"
)
_ECONOMIC = re.compile(
    r"\b(?:cfo|chief financial|treasurer|financial controller|budget (?:owner|holder))\b"
)
_FINANCE = re.compile(r"\bfinanc|财务")
_TECHNICAL = re.compile(
    r"\b(?:cio|cto|ciso|chief (?:information|technology|technical|digital))\b"
    r"|\bhead of it\b|\bit director\b"
)
_TECH_AREA = re.compile(
    r"\b(?:information technology|technology|engineering|infrastructure|digital)\b"
    r"|信息|技术"
)
# "IT" only in capitals: in lower case it is the English word.
_IT = re.compile(r"\bIT\b")
_PROCUREMENT = re.compile(r"procure|purchas|sourcing|\bbuyer\b|采购")
_LEGAL = re.compile(r"\b(?:legal|counsel|attorney|lawyer)\b|法务|律师")
_GATEKEEPER = re.compile(r"\b(?:assistant|secretary|receptionist)\b|秘书|助理")
_NOT_GATEKEEPER = re.compile(r"\bassistant\s+(?:vice|director|manager|general|professor)")

#: Stated influence by seniority.
SENIORITY: dict[str, float] = {"c-level": 0.85, "vp": 0.7, "director": 0.6, "manager": 0.45}


def infer_from_title(title: str) -> TitleGuess:
    """Guess buying roles and influence from a job title (English, with common Chinese titles).

    CEO, President or Chairman: decision maker, high influence; CFO or a finance
    director: economic buyer; CIO, CTO, Head of IT or an IT director: technical
    buyer; procurement or purchasing: procurement; legal or counsel: legal; an
    assistant or secretary: gatekeeper. Seniority sets influence: C-level 0.85,
    VP 0.7, director or head 0.6, manager 0.45.

    Args:
        title: The job title as the CRM holds it.

    Returns:
        The guess; empty when the title suggests nothing.

    Examples:
        >>> infer_from_title("Chief Executive Officer")
        TitleGuess(roles=(<Role.DECISION_MAKER: 'decision_maker'>,), influence=0.85)
        >>> infer_from_title("VP, Finance").roles
        (<Role.ECONOMIC_BUYER: 'economic_buyer'>,)
        >>> infer_from_title("Vice President Sales")
        TitleGuess(roles=(), influence=0.7)
        >>> infer_from_title("Executive Assistant to the CEO").roles
        (<Role.GATEKEEPER: 'gatekeeper'>,)
        >>> infer_from_title("Director of Engineering").roles
        (<Role.TECHNICAL_BUYER: 'technical_buyer'>,)
        >>> infer_from_title("Product Owner")
        TitleGuess(roles=(), influence=None)
        >>> infer_from_title("Sales Engineer")
        TitleGuess(roles=(), influence=None)
    """
    text = " ".join(title.lower().split())
    vp = bool(_VP.search(text))
    rest = _NOT_OWNER.sub(" ", _VP.sub(" ", text))
    if _GATEKEEPER.search(rest) and not _NOT_GATEKEEPER.search(rest):
        # "Assistant to the CEO" guards the CEO's door; the CEO is someone else.
        return TitleGuess((Role.GATEKEEPER,), None)
    influence: float | None = None
    if vp:
        influence = SENIORITY["vp"]
    elif _C_LEVEL.search(rest):
        influence = SENIORITY["c-level"]
    elif _DIRECTOR.search(rest):
        influence = SENIORITY["director"]
    elif _MANAGER.search(rest):
        influence = SENIORITY["manager"]
    senior = influence is not None and influence >= SENIORITY["director"]
    roles: list[Role] = []
    if _DECISION.search(rest):
        roles.append(Role.DECISION_MAKER)
    if _ECONOMIC.search(rest) or (senior and _FINANCE.search(rest)):
        roles.append(Role.ECONOMIC_BUYER)
    if _TECHNICAL.search(rest) or (senior and (_TECH_AREA.search(rest) or _IT.search(title))):
        roles.append(Role.TECHNICAL_BUYER)
    if _PROCUREMENT.search(rest):
        roles.append(Role.PROCUREMENT)
    if _LEGAL.search(rest):
        roles.append(Role.LEGAL)
    return TitleGuess(tuple(roles), influence)


# -- the import -----------------------------------------------------------------------


@dataclass
class ImportResult:
    """A deal built from CRM files, with what a rep should check.

    Attributes:
        deal: The deal (valid).
        format: The people file's format (``salesforce``, ``ocr``, ``hubspot``, ``plain``).
        warnings: Located warnings: managers not in the file, ignored columns, renamed ids.
        sources: The files read, as given.
    """

    deal: Deal
    format: str
    warnings: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def to_text(self, fmt: Literal["yaml", "json"] = "yaml") -> str:
        r"""Return the deal file's text; YAML starts with a comment saying what to check.

        Examples:
            >>> result = import_deal(parse_table("name\nAnn"), deal_name="Tiny")
            >>> print(result.to_text("json"), end="")
            {
              "version": 1,
              "deal": {
                "id": "tiny",
                "name": "Tiny"
              },
              "people": [
                {
                  "id": "ann",
                  "name": "Ann",
                  "influence": 0.5
                }
              ]
            }
        """
        body = dump_deal(self.deal, fmt)
        if fmt == "json":
            return body
        files = ", ".join(Path(s).name for s in self.sources)
        header = (
            f"# Imported by `influence import` from {files} ({FORMAT_NAMES[self.format]}).\n"
            "# Check each person whose notes end in 'please confirm': those roles and\n"
            "# influence were guessed from job titles. Then add your own team (side: seller)\n"
            "# and the ties you know: `influence person add`, `influence tie add`.\n"
        )
        return header + body


@dataclass
class _Row:
    """One person as read from a row, before ids are settled."""

    row: int
    values: dict[str, str]
    columns: dict[str, str]  # field -> the column it came from
    data: dict[str, Any] = field(default_factory=dict)
    crm_roles: list[str] = field(default_factory=list)
    person: Person | None = None


def _columns(table: Table, fmt: str, mapping: Mapping[str, str]) -> dict[int, str]:
    """Return column index -> field for a table, the user's mapping over the format's."""
    known = _COLUMNS[fmt]
    out: dict[int, str] = {}
    for i, header in enumerate(table.headers):
        if _norm(header) in known:
            out[i] = known[_norm(header)]
    for column, target in mapping.items():
        if target not in PERSON_FIELDS:
            raise ImportMappingError(
                f"--map {column}={target}: {target!r} is not a field"
                + (
                    did_you_mean(target, PERSON_FIELDS)
                    or f"; expected one of {', '.join(PERSON_FIELDS)}"
                )
            )
        matches = [i for i, h in enumerate(table.headers) if h == column] or [
            i for i, h in enumerate(table.headers) if _norm(h) == _norm(column)
        ]
        if not matches:
            raise ImportMappingError(
                f"--map {column}={target}: {table.source} has no column {column!r}"
                + (
                    did_you_mean(column, table.headers)
                    or f"; its columns: {', '.join(table.headers)}"
                )
            )
        for i in matches:
            out[i] = target
    return {i: f for i, f in out.items() if f != "ignore"}


def _split(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;,|]", value) if v.strip()]


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes", "y", "x")


def _message(error: Any) -> str:
    """A pydantic error as one plain sentence naming the bad value."""
    kind, value = error["type"], error.get("input")
    if kind == "enum":
        expected = [
            e.strip(" '")
            for e in str((error.get("ctx") or {}).get("expected", ""))
            .replace(" or ", ",")
            .split(",")
            if e.strip(" '")
        ]
        return f"{value!r} is not one of {', '.join(expected)}" + did_you_mean(str(value), expected)
    if kind.startswith("date"):
        return f"{value!r} is not a date; expected YYYY-MM-DD, such as 2026-11-20"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{value!r} is out of range; expected a number from 0 to 1"
    if kind == "string_too_short":
        return "expected text, not empty text"
    return str(error["msg"]).removeprefix("Value error, ")


def import_deal(
    people: Table | str | os.PathLike[str],
    *,
    ties: Table | str | os.PathLike[str] | None = None,
    roles: Table | str | os.PathLike[str] | None = None,
    mapping: Mapping[str, str] | None = None,
    deal_name: str | None = None,
    fmt: str = "auto",
) -> ImportResult:
    r"""Build a deal from a CRM export of people, and optionally ties and contact roles.

    Args:
        people: The people file (``.csv`` or ``.xlsx``: its ``people`` sheet if it
            has one, else its first) or a parsed :class:`Table`.
        ties: A ties file with the columns ``from``, ``to``, ``kind``, ``strength``,
            ``context``, ``last_contact``, ``notes``; ends are person ids, CRM ids or
            names (a workbook: its ``ties`` sheet if it has one, else its first).
        roles: A Salesforce OpportunityContactRole export whose ``Role`` and
            ``IsPrimary`` are added to the people with that ``ContactId``.
        mapping: ``{column: field}`` overrides of the recognised columns (a field of
            :data:`PERSON_FIELDS`; ``ignore`` drops a column).
        deal_name: The deal's name; default: the ``Opportunity Name`` when the file
            names one opportunity, else the account's name.
        fmt: ``auto`` (by the headers) or one of :data:`FORMATS`.

    Returns:
        The deal and the warnings worth a look.

    Raises:
        DealFileError: a file cannot be read, its format cannot be told, or rows are
            bad; every problem is located as ``FILE:ROW``.
        ImportMappingError: ``mapping`` names an unknown column or field, or ``fmt``
            is not a format.
        MissingDependencyError: an ``.xlsx`` file without openpyxl installed.

    Examples:
        >>> people = parse_table("id,name,title,side\nann,Ann Lee,Head of IT,\nme,Me,,seller")
        >>> ties = parse_table("from,to,kind,strength\nme,Ann Lee,knows,strong")
        >>> deal = import_deal(people, ties=ties, deal_name="Pilot").deal
        >>> [(r.from_, r.to, r.strength) for r in deal.relationships]
        [('me', 'ann', 0.9)]
        >>> deal.person("ann").roles, deal.person("ann").influence
        ([<Role.TECHNICAL_BUYER: 'technical_buyer'>], 0.6)
    """
    table = people if isinstance(people, Table) else read_table(people, sheet="people")
    problems = list(table.problems)
    warnings: list[Problem] = []
    if fmt == "auto":
        found = detect_format(table.headers)
        if found is None and {"name", "first_name", "last_name"} & set((mapping or {}).values()):
            found = "plain"  # the user said which column holds the name
        if found is None:
            raise DealFileError(
                table.source,
                [
                    Problem(
                        table.source,
                        1,
                        0,
                        "",
                        f"cannot tell which export these headers come from "
                        f"({', '.join(table.headers)}); pass --format "
                        f"{'|'.join(FORMATS)}, or --map COLUMN=name",
                    )
                ],
            )
        fmt = found
    elif fmt not in FORMATS:
        raise ImportMappingError(
            f"{fmt!r} is not a format; expected auto or one of {', '.join(FORMATS)}"
            + did_you_mean(fmt, FORMATS)
        )
    columns = _columns(table, fmt, mapping or {})
    if not ({"name", "first_name", "last_name"} & set(columns.values())):
        raise DealFileError(
            table.source,
            [
                Problem(
                    table.source,
                    1,
                    0,
                    "",
                    f"no column holds the person's name (headers: {', '.join(table.headers)}); "
                    "map one with --map COLUMN=name",
                )
            ],
        )
    # A contact-roles report names the opportunity: a better deal name than the account.
    opportunity = next(
        (i for i, h in enumerate(table.headers) if _norm(h) == "opportunityname"), None
    )
    opportunities = Counter(
        values[opportunity] for _, values in table.rows if opportunity is not None
    )
    opportunities.pop("", None)
    # The deal's own columns: its stage (the opportunity's) and its competitors.
    stage_at = _deal_column(table, DEAL_STAGE_HEADERS, columns)
    competitor_at = _deal_column(table, COMPETITOR_HEADERS, columns)
    deal_columns = {opportunity, stage_at, competitor_at}
    ignored = [
        h for i, h in enumerate(table.headers) if i not in columns and i not in deal_columns and h
    ]
    if ignored:
        warnings.append(
            Problem(
                table.source,
                1,
                0,
                "",
                f"ignored {len(ignored)} column{'s' * (len(ignored) != 1)}: "
                f"{', '.join(ignored)} (import one with --map COLUMN=FIELD)",
                "warning",
            )
        )
    rows = _read_rows(table, columns, problems, by_name=fmt == "ocr")
    if roles is not None:
        _merge_contact_roles(rows, roles, problems, warnings)
    people_out = _build_people(table.source, fmt, rows, problems, warnings)
    ids = [r.data["id"] for r in people_out]
    rels, rel_rows = (
        _read_ties(ties, people_out, problems, warnings) if ties is not None else ([], [])
    )
    tie_source = (
        ties.source if isinstance(ties, Table) else str(ties) if ties is not None else table.source
    )
    if not problems:
        for loc, msg in integrity_problems(
            ids,
            [r.data.get("reports_to") for r in people_out],
            [(r.from_, r.to, r.kind) for r in rels],
            None,
        ):
            index = int(re.findall(r"\[(\d+)\]", loc)[0]) if "[" in loc else 0
            if loc.startswith("people"):
                source, row = table.source, people_out[index].row
            else:
                source, row = tie_source, rel_rows[index] if rel_rows else 0
            problems.append(Problem(source, row, 0, loc, msg))
    if problems:
        raise DealFileError(table.source, sorted(set(problems)))
    account = _most_common(
        [r.data["account"] for r in people_out if r.data.get("account")],
        "accounts",
        "deal.account",
        table.source,
        warnings,
    )
    top = opportunities.most_common(1)[0][0] if len(opportunities) == 1 else None
    info: dict[str, Any] = {"name": deal_name or top or account or "Imported deal"}
    if account:
        info["account"] = account
    if stage_at is not None:
        stage = _most_common(
            [v[stage_at].strip() for _, v in table.rows if stage_at < len(v)],
            "values for deal.stage",
            "deal.stage",
            table.source,
            warnings,
        )
        if stage:
            info["stage"] = stage
    # The deal's competitors: the Competitor column's, then any a person favours.
    names = _listed(table, competitor_at) if competitor_at is not None else []
    names += [
        p.person.favours
        for p in people_out
        if p.person is not None and p.person.favours and p.person.favours not in names
    ]
    if names:
        info["competitors"] = [{"name": n} for n in dict.fromkeys(names)]
    persons = [p.person for p in people_out if p.person is not None]
    deal = Deal.model_validate(
        {
            "deal": info,
            "people": [
                p.model_copy(update={"reports_to": r.data.get("reports_to")})
                for p, r in zip(persons, people_out, strict=True)
            ],
            "relationships": rels,
        }
    )
    if deal.deal.stage:
        from influence.analysis.stages import deal_step

        step = deal_step(deal, Policy())
        if step.warning:
            warnings.append(Problem(table.source, 0, 0, "deal.stage", step.warning, "warning"))
    sources = [table.source]
    for extra in (roles, ties):
        if extra is not None:
            sources.append(extra.source if isinstance(extra, Table) else str(extra))
    return ImportResult(deal, fmt, sorted(warnings), sources)


#: Headers (as :func:`_norm` folds them) of the column that holds the deal's stage: the
#: opportunity's in Salesforce (``StageName``, ``Opportunity.StageName``), the deal's in
#: HubSpot (``Deal Stage``), or the plain template's ``stage``.
DEAL_STAGE_HEADERS: tuple[str, ...] = (
    "stage",
    "stagename",
    "opportunitystage",
    "opportunitystagename",
    "dealstage",
)
#: Headers of the column that names the deal's competitors (several in a cell: ``;``).
COMPETITOR_HEADERS: tuple[str, ...] = (
    "competitor",
    "competitors",
    "primarycompetitor",
    "opportunitycompetitor",
    "competitorname",
)


def _deal_column(table: Table, names: Sequence[str], columns: Mapping[int, str]) -> int | None:
    """The first column with one of these headers that is not mapped to a person's field."""
    return next(
        (i for i, h in enumerate(table.headers) if _norm(h) in names and i not in columns),
        None,
    )


def _most_common(
    values: Sequence[str], what: str, field: str, source: str, warnings: list[Problem]
) -> str | None:
    """The value most rows give for a deal-wide field; a warning when the rows disagree.

    Empty values are left out; a tie goes to the value seen first (deterministic).
    """
    given = [v for v in values if v]
    if not given:
        return None
    counts = Counter(given)
    order = list(dict.fromkeys(given))
    top = max(order, key=lambda x: (counts[x], -order.index(x)))
    if len(order) > 1:
        message = f"rows name {len(order)} {what} ({', '.join(order)}); {field} is {top!r}"
        warnings.append(Problem(source, 0, 0, "", message, "warning"))
    return top


def _listed(table: Table, at: int) -> list[str]:
    """Every name a deal-wide list column gives (``;`` between several), first seen first."""
    names = (name.strip() for _, v in table.rows if at < len(v) for name in v[at].split(";"))
    return list(dict.fromkeys(n for n in names if n))


def _read_rows(
    table: Table, columns: dict[int, str], problems: list[Problem], *, by_name: bool = False
) -> list[_Row]:
    """Rows as field -> value; rows of one contact are merged (a row per contact role).

    A contact is its CRM id; with ``by_name`` (a contact-roles report, which may
    hold only names) a row without an id is matched by the name.
    """
    out: list[_Row] = []
    by_crm: dict[str, _Row] = {}
    for number, values in table.rows:
        fields: dict[str, str] = {}
        origin: dict[str, str] = {}
        for i, target in sorted(columns.items()):
            value = values[i] if i < len(values) else ""
            if value and not fields.get(target):
                fields[target] = value
                origin[target] = table.headers[i]
            origin.setdefault(target, table.headers[i])
        name = fields.get("name") or " ".join(
            v for v in (fields.get("first_name", ""), fields.get("last_name", "")) if v
        )
        if not name:
            named = [table.headers[i] for i, f in columns.items() if f in ("name", "last_name")]
            problems.append(
                Problem(
                    table.source,
                    number,
                    0,
                    "/".join(named),
                    "no name in this row; every person needs one",
                )
            )
            continue
        fields["name"] = name
        crm = fields.get("crm_id") or (f"name:{name.casefold()}" if by_name else "")
        if crm and crm in by_crm:
            kept = by_crm[crm]
            kept.crm_roles += _split(fields.get("roles", ""))
            if _truthy(fields.get("primary", "")):
                kept.values["primary"] = "true"
            for key, value in fields.items():
                kept.values.setdefault(key, value)
            continue
        row = _Row(number, fields, origin, crm_roles=_split(fields.get("roles", "")))
        out.append(row)
        if crm:
            by_crm[crm] = row
    return out


def _merge_contact_roles(
    rows: list[_Row],
    roles: Table | str | os.PathLike[str],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """Add the roles of a contact-roles file to the people it names (by CRM id or name)."""
    table = roles if isinstance(roles, Table) else read_table(roles)
    problems.extend(table.problems)
    keys = {_norm(h): i for i, h in enumerate(table.headers)}
    contact = next(
        (keys[k] for k in ("contactid", "contactfullname", "contactname") if k in keys), None
    )
    role = keys.get("role", keys.get("contactrole"))
    primary = keys.get("isprimary", keys.get("primary"))
    if contact is None or role is None:
        problems.append(
            Problem(
                table.source,
                1,
                0,
                "",
                "a contact-roles file needs a contact column (ContactId, or Contact: Full Name) "
                f"and a Role column (found: {', '.join(table.headers)})",
            )
        )
        return
    by_ref: dict[str, _Row] = {}
    for r in rows:
        by_ref.setdefault(r.values["name"].casefold(), r)
    for r in rows:
        if r.values.get("crm_id"):
            by_ref[r.values["crm_id"]] = r
    for number, values in table.rows:
        ref = values[contact]
        row = by_ref.get(ref) or by_ref.get(ref.casefold())
        if row is None:
            warnings.append(
                Problem(
                    table.source,
                    number,
                    0,
                    table.headers[contact],
                    f"contact {ref!r} is not in the people file; this role is left out",
                    "warning",
                )
            )
            continue
        row.crm_roles += _split(values[role])
        if primary is not None and _truthy(values[primary]):
            row.values["primary"] = "true"


def _build_people(
    source: str,
    fmt: str,
    rows: list[_Row],
    problems: list[Problem],
    warnings: list[Problem],
) -> list[_Row]:
    """Validate each row as a Person, settle ids and resolve managers."""
    valid: list[_Row] = []
    for row in rows:
        v = row.values
        data: dict[str, Any] = {"name": v["name"]}
        for key in (
            "id",
            "title",
            "side",
            "influence",
            "stance",
            "assessed",
            "style",
            "notes",
            "favours",
            "needs",
            "status",
        ):
            if v.get(key):
                data[key] = v[key]
        if v.get("emails"):
            data["emails"] = _split(v["emails"])
        listed = True
        for key in ("refusals", "buying_signals"):  # a JSON list in the cell (export writes it)
            if v.get(key):
                try:
                    data[key] = json.loads(v[key])
                except json.JSONDecodeError as err:
                    column = row.columns.get(key, key)
                    problems.append(
                        Problem(
                            source,
                            row.row,
                            0,
                            column,
                            f'expected a JSON list such as [{{"kind": "no_budget", '
                            f'"as_of": "2026-11-05"}}], as export writes it ({err.msg})',
                        )
                    )
                    listed = False
        if not listed:
            continue
        roles: list[str] = []
        for raw in row.crm_roles:
            key = _norm(raw)
            if key in CRM_STANCES:
                data.setdefault("stance", CRM_STANCES[key].value)
            elif key in CRM_ROLES:
                roles += [r.value for r in CRM_ROLES[key] if r.value not in roles]
            else:
                known = [r.value for r in Role]
                message = f"{raw!r} is not a role we know" + (
                    did_you_mean(raw.strip().lower().replace(" ", "_"), known)
                    or f"; expected one of {', '.join(known)}"
                )
                column = row.columns.get("roles", "roles")
                if fmt == "plain":
                    problems.append(Problem(source, row.row, 0, column, message))
                else:
                    warnings.append(
                        Problem(source, row.row, 0, column, message + "; left out", "warning")
                    )
        inferred: list[str] = []
        side = str(data.get("side", "customer")).strip().lower()
        if v.get("title") and side == Side.CUSTOMER.value:
            guess = infer_from_title(v["title"])
            # A plain template's roles column is the rep's own word, even when empty; a
            # CRM's empty role cell only means nobody filled it in.
            stated = bool(row.crm_roles) or (fmt == "plain" and "roles" in row.columns)
            if not roles and not stated and guess.roles:
                roles = [r.value for r in guess.roles]
                inferred.append("roles")
            if "influence" not in data and guess.influence is not None:
                data["influence"] = guess.influence
                inferred.append("influence")
        if roles:
            data["roles"] = roles
        notes = [data["notes"]] if data.get("notes") else []
        if _truthy(v.get("primary", "")):
            notes.append("Primary contact on the opportunity in the CRM.")
        if inferred:
            notes.append(
                f"{' and '.join(inferred)} inferred from title {v['title']!r}; please confirm"
            )
        if notes:
            data["notes"] = " ".join(notes)
        try:
            row.person = Person.model_validate(data)
        except ValidationError as err:
            for e in err.errors(include_url=False):
                key = str(e["loc"][0]) if e["loc"] else ""
                problems.append(Problem(source, row.row, 0, row.columns.get(key, key), _message(e)))
            continue
        row.data = {"id": row.person.id, "account": v.get("account")}
        valid.append(row)
    _settle_ids(source, valid, problems, warnings)
    _resolve_managers(source, valid, warnings, problems)
    return valid


def _settle_ids(
    source: str, rows: list[_Row], problems: list[Problem], warnings: list[Problem]
) -> None:
    explicit: dict[str, int] = {}
    for row in rows:
        if row.values.get("id"):
            pid = row.data["id"]
            if pid in explicit:
                problems.append(
                    Problem(
                        source,
                        row.row,
                        0,
                        row.columns.get("id", "id"),
                        f"duplicate person id {pid!r} (first used in row {explicit[pid]})",
                    )
                )
            explicit.setdefault(pid, row.row)
    taken = set(explicit)
    first: dict[str, int] = {}
    for row in rows:
        if row.values.get("id"):
            continue
        base = row.data["id"]
        pid, n = base, 1
        while pid in taken:
            n += 1
            pid = f"{base}-{n}"
        if pid != base:
            warnings.append(
                Problem(
                    source,
                    row.row,
                    0,
                    "",
                    f"{row.values['name']!r} has the id {base!r} taken"
                    + (f" (row {first[base]})" if base in first else "")
                    + f"; this person is {pid!r}",
                    "warning",
                )
            )
        first.setdefault(base, row.row)
        taken.add(pid)
        row.data["id"] = pid
        if row.person is not None:
            row.person = row.person.model_copy(update={"id": pid})


def _resolve_managers(
    source: str, rows: list[_Row], warnings: list[Problem], problems: list[Problem]
) -> None:
    lookup = _lookup(rows)
    for row in rows:
        ref = row.values.get("reports_to")
        if not ref:
            continue
        column = row.columns.get("reports_to", "reports_to")
        boss = lookup.get(ref) or lookup.get(ref.casefold())
        if boss is None:
            warnings.append(
                Problem(
                    source,
                    row.row,
                    0,
                    column,
                    f"manager {ref!r} is not in this file; reports_to left out",
                    "warning",
                )
            )
        elif boss == row.data["id"]:
            warnings.append(
                Problem(
                    source,
                    row.row,
                    0,
                    column,
                    f"{row.values['name']!r} reports to themselves; reports_to left out",
                    "warning",
                )
            )
        else:
            row.data["reports_to"] = boss


def _lookup(rows: list[_Row]) -> dict[str, str]:
    """A reference (CRM id, person id, or name in any case) -> person id."""
    out: dict[str, str] = {}
    for row in rows:
        out.setdefault(row.values["name"].casefold(), row.data["id"])
    for row in rows:
        out[row.data["id"]] = row.data["id"]
    for row in rows:
        if row.values.get("crm_id"):
            out[row.values["crm_id"]] = row.data["id"]
    return out


def _read_ties(
    ties: Table | str | os.PathLike[str],
    people: list[_Row],
    problems: list[Problem],
    warnings: list[Problem],
) -> tuple[list[Relationship], list[int]]:
    table = ties if isinstance(ties, Table) else read_table(ties, sheet="ties")
    problems.extend(table.problems)
    source = table.source
    columns: dict[str, int] = {}
    for i, header in enumerate(table.headers):
        key = {"from": "from", "to": "to", "lastcontact": "last_contact"}.get(
            _norm(header), _norm(header)
        )
        if key in TIE_FIELDS:
            columns.setdefault(key, i)
    missing = [c for c in ("from", "to") if c not in columns]
    if missing:
        problems.append(
            Problem(
                source,
                1,
                0,
                "",
                f"a ties file needs the columns from and to (found: {', '.join(table.headers)})",
            )
        )
        return [], []
    ignored = [h for i, h in enumerate(table.headers) if i not in columns.values() and h]
    if ignored:
        warnings.append(
            Problem(
                source,
                1,
                0,
                "",
                f"ignored column{'s' * (len(ignored) != 1)}: {', '.join(ignored)}",
                "warning",
            )
        )
    lookup = _lookup(people)
    ids = [r.data["id"] for r in people]
    out: list[Relationship] = []
    rows: list[int] = []
    for number, values in table.rows:
        data: dict[str, Any] = {}
        bad = False
        for end in ("from", "to"):
            ref = values[columns[end]]
            pid = lookup.get(ref) or lookup.get(ref.casefold())
            if pid is None:
                problems.append(
                    Problem(
                        source,
                        number,
                        0,
                        table.headers[columns[end]],
                        f"no person {ref!r} in the people file" + did_you_mean(ref, ids)
                        if ref
                        else "empty; name a person by id, CRM id or name",
                    )
                )
                bad = True
            data[end] = pid
        for key in ("kind", "strength", "context", "last_contact", "notes"):
            if key in columns and values[columns[key]]:
                data[key] = values[columns[key]]
        if bad:
            continue
        if data["from"] == data["to"]:
            problems.append(
                Problem(source, number, 0, "", f"a tie from {data['from']!r} to itself")
            )
            continue
        try:
            out.append(Relationship.model_validate(data))
            rows.append(number)
        except ValidationError as err:
            for e in err.errors(include_url=False):
                key = str(e["loc"][0]) if e["loc"] else ""
                header = table.headers[columns[key]] if key in columns else key
                problems.append(Problem(source, number, 0, header, _message(e)))
    return out, rows


def write_imported(
    result: ImportResult,
    path: str | os.PathLike[str],
    *,
    replace: bool = True,
    wait: float = LOCK_WAIT,
) -> str:
    r"""Write an imported deal atomically, after checking the text reads back as a valid deal.

    The file's edit lock (:func:`~influence.io.deal_lock`) is held while it is
    written, so an import never interleaves with an edit of the same file.

    Args:
        result: What :func:`import_deal` returned.
        path: The deal file to write (``.yaml``, ``.yml`` or ``.json``).
        replace: Overwrite the file if it exists; False: refuse (checked under the
            lock, so a file created meanwhile is not overwritten either).
        wait: Seconds to wait for an edit of the same file to finish.

    Returns:
        The text written.

    Raises:
        DealFileError: the extension is not a deal file's, or (a bug) the text
            would not read back; nothing is written.
        FileExistsError: the file exists and ``replace`` is False.
        DealLockError: another edit held the file's lock for longer than ``wait``.
        OSError: the file's folder does not exist or cannot be written.

    Examples:
        >>> import tempfile, pathlib
        >>> from influence.io import read_deal
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "pilot.yaml"
        >>> result = import_deal(parse_table("name,title\nAnn,CFO"), deal_name="Pilot")
        >>> _ = write_imported(result, out)
        >>> read_deal(out).person("ann").roles
        [<Role.ECONOMIC_BUYER: 'economic_buyer'>]
    """
    name = str(path)
    fmt = format_of(name)
    text = result.to_text(fmt)
    parse_deal(text, fmt, source=name)
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():  # before the lock, which would be created there
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
    if not os.access(folder, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)
    with deal_lock(path, wait=wait):
        if not replace and os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "it exists; pass --force to overwrite it", name)
        write_text(path, text)
    return text
