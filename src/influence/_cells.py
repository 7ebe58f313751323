r"""Spreadsheet cells that no spreadsheet runs as a formula, and that read back exactly.

Every CSV and XLSX writer of the package (``export --format csv|xlsx``,
``review --csv``) passes its text cells through :func:`escape_cell`, and our
import reads them with :func:`read_cell`. The rule (OWASP "CSV injection"):

* a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return (what Excel, LibreOffice and Google Sheets read as a formula) gets a
  leading apostrophe ``'``;
* so does a text cell that starts with an apostrophe, so that the rule can be
  undone without doubt (``'quoted`` is written ``''quoted``);
* and one that starts or ends with white space, which our import would
  otherwise trim (a YAML ``notes: |`` ends in a newline).

:func:`read_cell` removes the apostrophe only when what follows it is a text
the writer would have prefixed; it trims any other cell. So
``read_cell(escape_cell(s)) == s`` for every string ``s``.

Numbers are not text: influence, strength and a deal's value are written as
numbers and never prefixed (in CSV ``0.5`` or ``-3``; a spreadsheet reads a
plain number as a number, not a formula). A *text* field that looks like a
number, such as a person named ``-1``, is prefixed like any other text.

Examples:
    >>> escape_cell('=HYPERLINK("http://x","y")')
    '\'=HYPERLINK("http://x","y")'
    >>> escape_cell("'quoted"), escape_cell("Ann"), escape_cell("-1")
    ("''quoted", 'Ann', "'-1")
    >>> read_cell(escape_cell("'quoted")), read_cell("  Ann "), read_cell("'Ann")
    ("'quoted", 'Ann', "'Ann")
    >>> csv_text([["a", "b\rc", 0.5]])
    'a,"b\rc",0.5\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "FORMULA_STARTS",
    "csv_text",
    "escape_cell",
    "is_escaped",
    "read_cell",
    "read_xlsx_text",
    "xlsx_text",
]

#: First characters a spreadsheet reads as the start of a formula (OWASP).
FORMULA_STARTS = frozenset("=+-@\t\r")


def _needs_prefix(text: str) -> bool:
    return bool(text) and (
        text[0] in FORMULA_STARTS or text[0] == "'" or text[0].isspace() or text[-1].isspace()
    )


def escape_cell(text: str) -> str:
    r"""Return a text cell with a leading ``'`` when a spreadsheet could run it.

    Args:
        text: The cell's text.

    Returns:
        ``text``, or ``"'" + text`` (see the module docs for when).

    Examples:
        >>> [escape_cell(s) for s in ["+1", "@SUM(A1)", "\tx", "x", ""]]
        ["'+1", "'@SUM(A1)", "'\tx", 'x', '']
    """
    return "'" + text if _needs_prefix(text) else text


def is_escaped(cell: str) -> bool:
    """Return True when a cell holds the text :func:`escape_cell` prefixed.

    Examples:
        >>> is_escaped("'=1"), is_escaped("''x"), is_escaped("'x"), is_escaped("=1")
        (True, True, False, False)
    """
    return cell[:1] == "'" and _needs_prefix(cell[1:])


def read_cell(cell: str) -> str:
    """Return the text a cell holds: :func:`escape_cell` undone, any other cell trimmed.

    Args:
        cell: The cell as a CSV or XLSX file holds it.

    Returns:
        The text, exactly as written when the cell was escaped; else stripped of
        surrounding white space (CRM exports pad cells).

    Examples:
        >>> read_cell("'=1+2"), read_cell("''x"), read_cell("'x "), read_cell(" x ")
        ('=1+2', "'x", 'x ', 'x')
    """
    if is_escaped(cell):
        return cell[1:]
    stripped = cell.strip()
    return stripped[1:] if is_escaped(stripped) else stripped


def _csv_field(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    r"""Return rows as CSV: comma-separated, ``\n`` after each row, RFC 4180 quoting.

    A field holding a comma, a quote, a CR or an LF is quoted (the ``csv``
    module leaves a bare CR unquoted when the line ends in ``\n``, and a
    spreadsheet then splits the row). Fields are written as given: escape text
    cells with :func:`escape_cell` first.

    Args:
        rows: Rows of values (text, or numbers written with ``str``).

    Returns:
        The CSV text.

    Examples:
        >>> print(csv_text([["id", "name"], ["a", 'Ann "A", Lee']]), end="")
        id,name
        a,"Ann ""A"", Lee"
    """
    return "".join(",".join(_csv_field(v) for v in row) + "\n" for row in rows)


# Characters an XLSX cell's XML cannot hold as they are (a CR would be read back as a
# LF), and an "_xHHHH_" already in the text, which Excel would read as an escape.
_XLSX_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
_XLSX_UNESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def xlsx_text(text: str) -> str:
    r"""Return text as an XLSX cell holds it: control characters as Excel's ``_xHHHH_``.

    This is the escape of the Office Open XML format (ST_Xstring): Excel writes a
    CR in a cell as ``_x000D_``, and an ``_x`` that looks like an escape as
    ``_x005F_x``. :func:`read_xlsx_text` undoes it exactly.

    Examples:
        >>> xlsx_text("a\rb\x01"), xlsx_text("_x000D_ and a_b")
        ('a_x000D_b_x0001_', '_x005F_x000D_ and a_b')
    """
    return _XLSX_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def read_xlsx_text(text: str) -> str:
    r"""Return the text an XLSX cell holds, Excel's ``_xHHHH_`` escapes undone.

    Examples:
        >>> read_xlsx_text("a_x000D_b"), read_xlsx_text("_x005F_x000D_")
        ('a\rb', '_x000D_')
        >>> all(read_xlsx_text(xlsx_text(s)) == s for s in ["_x0041_", "\x00\r\n", "_x00"])
        True
    """
    return _XLSX_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
