r"""User text made safe to print on a terminal: every control character shown, none obeyed.

A name, title, note or id comes from a deal file that anyone may have written. A
terminal obeys control characters and escape sequences in what it prints: OSC
0 sets the window title, OSC 8 makes hidden links, OSC 52 writes the clipboard,
CSI moves the cursor and erases lines, a bare CR overwrites what was printed,
and the C1 controls (U+0080-U+009F) are 8-bit forms of the same introducers.

:func:`printable` escapes every such character as visible text (``\x1b``,
``\x9b``, ``\r``...), so nothing is lost and nothing acts: an escape sequence
(CSI, OSC, DCS, SOS, PM, APC) needs its introducer (ESC or a C1 control) and
ends with BEL or ST (``ESC \`` or U+009C), and all of those are escaped; what
is left between them is plain printable text. Also escaped: DEL, the bidi
embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069), which
reorder what a reader sees ("Trojan Source"), and lone surrogates (the bytes of
a file name that is not UTF-8), which a terminal would receive as raw bytes.

:func:`printable_json` does the same for JSON text, with JSON's own escapes.
"""

from __future__ import annotations

import re

__all__ = ["printable", "printable_json"]

# DEL and C1, bidi embeddings, overrides and isolates, lone surrogates.
_OTHER = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# One line (a name, a title, a table cell): every control, line breaks and tabs too.
_ONE_LINE = re.compile(f"[\x00-\x1f{_OTHER}]")
# Lines of text: keep LF, TAB and CR LF; escape the rest, and a CR alone.
_LINES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHER}]|\r(?!\n)")
# The colours rich writes (SGR: ESC [ digits and semicolons m) are kept when asked.
_LINES_SGR = re.compile("(\x1b\\[[0-9;]*m)|" + _LINES.pattern)
_JSON = re.compile(f"[{_OTHER}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_match(match: re.Match[str]) -> str:
    return "".join(_escape(c) for c in match.group(0))


def _escape_unless_sgr(match: re.Match[str]) -> str:
    return match.group(1) or _escape_match(match)


def printable(text: str, *, lines: bool = False, sgr: bool = False) -> str:
    r"""Return ``text`` with every control character escaped as visible text.

    Args:
        text: User text, or a whole report made of it.
        lines: Keep line feeds, tabs and CR LF (for text made of lines); a CR
            alone is still escaped, as it would overwrite the line on a terminal.
            Without it (a name, a title, a cell) line breaks are escaped too.
        sgr: Keep colour sequences (``ESC [ ... m``) as they are, for output
            that a renderer coloured after making its user text printable.
            Only with ``lines``.

    Returns:
        The text with each control character replaced by ``\t``, ``\n``,
        ``\r``, ``\xNN`` or ``\uNNNN``; text without any is returned as is.

    Examples:
        >>> print(printable("Eve\x1b]0;owned\x07 \x9b31m"))
        Eve\x1b]0;owned\x07 \x9b31m
        >>> printable("a\tb\r\nc\rd", lines=True)
        'a\tb\r\nc\\rd'
        >>> printable("Zhang Min (CFO)")
        'Zhang Min (CFO)'
    """
    if lines:
        pattern, repl = (_LINES_SGR, _escape_unless_sgr) if sgr else (_LINES, _escape_match)
    else:
        pattern, repl = _ONE_LINE, _escape_match
    if pattern.search(text) is None:
        return text
    return pattern.sub(repl, text)


def printable_json(text: str) -> str:
    r"""Return JSON text with the controls that JSON leaves raw written as ``\uNNNN``.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but writes DEL,
    the C1 controls and bidi controls as they are. They can only stand inside
    JSON strings, where ``\u0080`` means the same character: the data is the
    same, and a terminal receives no control.

    Args:
        text: JSON text.

    Returns:
        The same JSON value, with those characters escaped.

    Examples:
        >>> import json
        >>> text = json.dumps({"name": "Eve\x9b31m"}, ensure_ascii=False)
        >>> print(printable_json(text))
        {"name": "Eve\u009b31m"}
        >>> json.loads(printable_json(text)) == json.loads(text)
        True
    """
    if _JSON.search(text) is None:
        return text
    return _JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
