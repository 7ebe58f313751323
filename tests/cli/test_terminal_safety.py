"""Terminal injection: no control character of a deal file reaches a terminal.

A hostile deal carries OSC 0 (window title), OSC 8 (hidden link), OSC 52
(clipboard), CSI (erase, colour), DCS, C1 controls (U+009B CSI, U+009D OSC),
a bare CR and rich markup in its names, titles, notes, ids and tie contexts.
Every command's stdout and stderr must hold none of those controls while the
text stays visible (escaped), and JSON must keep the data exactly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from influence._printable import printable, printable_json
from tests.conftest import ROOT

OSC0 = "\x1b]0;pwned\x07"
OSC8 = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
CSI = "\x1b[2J\x1b[31m"
DCS = "\x1bP1$qm\x1b\\"
C1 = "\x9b31m\x9d0;t\x9c"
CR = "\rOVERWRITE"
MARKUP = "[red]x[/red][bold]"
BIDI = "\u202egnp.exe"

EVE = "eve" + OSC0
MAL = "mal" + C1
EVE_NAME = "Eve " + OSC8 + MARKUP
HOSTILE = {
    "version": 1,
    "deal": {
        "name": "Deal " + OSC0,
        "account": "Acme" + CSI,
        "stage": "stage" + DCS,
        "as_of": "2026-11-20",
        "owner": "sam",
    },
    "people": [
        {"id": "sam", "name": "Sam Seller", "side": "seller"},
        {
            "id": EVE,
            "name": EVE_NAME,
            "title": "CFO" + OSC52,
            "roles": ["decision_maker", "economic_buyer"],
            "influence": 0.9,
            "stance": "neutral",
            "notes": "note" + CSI + CR,
        },
        {
            "id": MAL,
            "name": "Mal" + C1 + CR + BIDI,
            "title": "CTO" + DCS,
            "roles": ["decision_maker", "technical_buyer"],
            "influence": 0.8,
            "stance": "blocker",
            "reports_to": EVE,
        },
        {
            "id": "bob",
            "name": "Bob " + MARKUP,
            "title": "Analyst",
            "roles": ["champion"],
            "influence": 0.4,
            "stance": "ally",
            "reports_to": MAL,
        },
    ],
    "relationships": [
        {
            "from": "sam",
            "to": "bob",
            "kind": "knows",
            "strength": 0.8,
            "context": "ctx" + OSC52,
            "last_contact": "2026-11-01",
        },
        {"from": "bob", "to": EVE, "kind": "knows", "strength": 0.6, "context": "old" + C1},
    ],
}

# Raw controls a terminal would obey: C0 but LF/TAB (CR only inside CR LF), DEL, C1 (UTF-8).
RAW = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\r(?!\n)|\xe2\x80[\xaa-\xae]")
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def _raw(data: bytes) -> list[bytes]:
    return RAW.findall(data)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(HOSTILE, indent=1), encoding="utf-8")  # ASCII: \u escapes
    return path


def _streams(result: Any) -> tuple[bytes, bytes]:
    return result.stdout_bytes, result.stderr_bytes


# What a terminal shows instead of the payloads: their escaped text.
SHOWN_EVE = r"Eve \x1b]8;;http://evil.example/\x1b\click\x1b]8;;\x1b\[red]x[/red][bold]"


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("analyze", "{deal}"), [SHOWN_EVE, r"Deal \x1b]0;pwned\x07", r"\u202egnp.exe"]),
        (("analyze", "{deal}", "--assume", EVE + "=ally"), [r"eve\x1b]0;pwned\x07=ally"]),
        (("analyze", "{deal}", "--markdown"), [r"0;pwned\x07", "red", "click"]),
        (("review", "{deal}", "-q", "--workers", "1"), [r"Deal \x1b]0;pwned\x07"]),
        (("review", "{deal}", "-q", "--workers", "1", "--markdown"), [r"0;pwned\x07"]),
        (("paths", "{deal}", EVE), [SHOWN_EVE, r"ctx\x1b]52;c;cm0gLXJmIH4=\x07"]),
        (("paths", "{deal}", MAL, "--allow-blockers"), [r"\x9b31m\x9d0;t\x9c\rOVERWRITE"]),
        (("diff", ROOT / "examples" / "saas-small.yaml", "{deal}"), [r"eve\x1b]0;pwned\x07"]),
        (("validate", "{deal}"), ["ok"]),
        (("paths", "{deal}", "nobody" + OSC0), [r"no person 'nobody\x1b]0;pwned\x07'"]),
        (("paths", "{deal}", "bob", "--from", OSC52), [r"\x1b]52;c;cm0gLXJmIH4=\x07"]),
    ],
    ids=[
        "analyze",
        "what-if",
        "markdown",
        "review",
        "review-markdown",
        "paths",
        "paths-c1",
        "diff",
        "validate",
        "unknown-id",
        "unknown-from",
    ],
)
def test_no_control_reaches_the_terminal(
    cli: Any, hostile: Path, args: tuple[Any, ...], shown: list[str]
) -> None:
    result = cli(*[hostile if a == "{deal}" else a for a in args])
    out, err = _streams(result)
    assert _raw(out) == [] and _raw(err) == [], (out[:400], err[:400])
    # Text reports wrap between words (a name's space may be a line break): compare words.
    text = " ".join((out + err).decode().split())
    for visible in shown:
        assert " ".join(visible.split()) in text


def test_edits_echo_hostile_values_escaped(cli: Any, hostile: Path) -> None:
    unknown = cli("person", "set", hostile, "nobody" + OSC0, "stance=ally")
    assert unknown.exit_code == 4
    assert unknown.stderr.startswith(r"error: no person 'nobody\x1b]0;pwned\x07'")
    bad_stance = cli("person", "set", hostile, "bob", "stance=" + OSC0 + C1)
    assert bad_stance.exit_code == 3
    for result in (unknown, bad_stance):
        assert _raw(result.stdout_bytes + result.stderr_bytes) == []
    assert r"\x1b]0;pwned\x07\x9b31m" in bad_stance.stderr


def test_invalid_file_messages_are_escaped(cli: Any, tmp_path: Path) -> None:
    bad = dict(HOSTILE, people=[{"name": "A" + OSC8, "stance": OSC0 + C1}])
    path = tmp_path / ("bad" + OSC52 + ".json")
    path.write_text(json.dumps(bad), encoding="utf-8")
    for args in (("validate", path), ("analyze", path), ("review", path, "-q", "--workers", "1")):
        result = cli(*args)
        assert result.exit_code == 3, result.stderr
        assert _raw(result.stdout_bytes + result.stderr_bytes) == []
        assert r"\x1b]0;pwned\x07\x9b31m" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("analyze", "{deal}", "--json"),
        ("review", "{deal}", "--json", "-q", "--workers", "1"),
        ("diff", ROOT / "examples" / "saas-small.yaml", "{deal}", "--json"),
        ("export", "{deal}", "-f", "json"),
        ("validate", "{deal}", "--json"),
    ],
    ids=["analyze", "review", "diff", "export", "validate"],
)
def test_json_is_safe_and_exact(cli: Any, hostile: Path, args: tuple[Any, ...]) -> None:
    result = cli(*[hostile if a == "{deal}" else a for a in args])
    assert result.exit_code == 0, result.stderr
    assert _raw(result.stdout_bytes) == []
    data = json.loads(result.stdout)
    if args[0] in ("analyze", "export", "diff"):
        # the data itself is untouched: the names come back exactly
        assert json.dumps(EVE_NAME)[1:-1] in json.dumps(data)


def test_data_formats_are_exact_into_a_pipe_and_escaped_on_a_terminal(
    cli: Any, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = cli("export", hostile, "-f", "dot")
    assert piped.exit_code == 0
    assert OSC0 in piped.stdout  # a file written by `> deal.dot` is the data as it is
    monkeypatch.setattr("influence.cli._app._stdout_is_tty", lambda: True)
    on_tty = cli("export", hostile, "-f", "dot")
    assert _raw(on_tty.stdout_bytes) == []
    assert r"\x1b]0;pwned\x07" in on_tty.stdout
    review = cli("review", hostile, "--csv", "-q", "--workers", "1")
    assert _raw(review.stdout_bytes) == []


def test_the_real_console_writes_no_control(hostile: Path) -> None:
    """End to end through ``python -m influence``: the bytes a terminal would receive."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    for args in (("analyze", hostile), ("paths", hostile, EVE), ("paths", hostile, "x" + OSC0)):
        proc = subprocess.run(
            [sys.executable, "-m", "influence", *map(str, args)],
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        assert proc.returncode in (0, 4), proc.stderr
        assert _raw(proc.stdout) == [] and _raw(proc.stderr) == []
        assert b"\\x1b]" in proc.stdout + proc.stderr  # shown, escaped


@pytest.mark.parametrize("which", ["report", "review"])
def test_colour_output_keeps_only_its_own_colours(hostile: Path, which: str) -> None:
    from influence import analyze, read_deal
    from influence.batch.review import review
    from influence.render.review import to_review_terminal
    from influence.render.terminal import to_terminal

    if which == "report":
        text = to_terminal(analyze(read_deal(hostile)), color=True)
    else:
        text = to_review_terminal(review([str(hostile)], workers=1), color=True)
    data = text.encode()
    assert SGR.search(data)  # coloured
    assert _raw(SGR.sub(b"", data)) == []  # and nothing but colours
    assert r"Acme\x1b[2J\x1b[31m" in text  # the deal's own CSI: shown, not obeyed


def test_rich_markup_in_user_text_is_literal(hostile: Path) -> None:
    from influence import analyze, read_deal
    from influence.render.terminal import to_terminal

    report = analyze(read_deal(hostile))
    for color in (False, True):
        text = to_terminal(report, color=color)
        assert "Bob [red]x[/red][bold]" in text
    plain = to_terminal(report)
    assert "\x1b" not in plain


# -- printable() and printable_json() -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (OSC0, r"\x1b]0;pwned\x07"),
        (OSC8, r"\x1b]8;;http://evil.example/\x1b\click\x1b]8;;\x1b" + "\\"),
        (CSI, r"\x1b[2J\x1b[31m"),
        (DCS, r"\x1bP1$qm\x1b" + "\\"),
        (
            "\x1bX sos \x1b\\ \x1b^ pm \x1b\\ \x1b_ apc \x1b\\",
            r"\x1bX sos \x1b\ \x1b^ pm \x1b\ \x1b_ apc \x1b" + "\\",
        ),
        (C1, r"\x9b31m\x9d0;t\x9c"),
        ("a\rb\nc\td\x00\x7f", r"a\rb\nc\td\x00\x7f"),
        (BIDI + "\u2066x\u2069", r"\u202egnp.exe\u2066x\u2069"),
        ("bad\udc9bname", r"bad\udc9bname"),
        ("Zhang Min (CFO) 张敏 é [red]", "Zhang Min (CFO) 张敏 é [red]"),
    ],
)
def test_printable_escapes_every_control(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert printable(shown) == shown  # nothing left to escape: idempotent


def test_printable_lines_keeps_layout_but_not_a_bare_cr() -> None:
    assert printable("a\tb\nc\r\nd", lines=True) == "a\tb\nc\r\nd"
    assert printable("50%\rDONE", lines=True) == r"50%\rDONE"
    assert printable("x\x1b[1mbold\x1b[0m\x1b]0;t\x07", lines=True, sgr=True) == (
        "x\x1b[1mbold\x1b[0m\\x1b]0;t\\x07"
    )
    assert printable("\x1b[2J", lines=True, sgr=True) == r"\x1b[2J"


@given(st.text())
def test_printable_never_lets_a_control_through(text: str) -> None:
    for out in (printable(text), printable(text, lines=True)):
        assert _raw(out.encode("utf-8", "surrogatepass")) == []
        assert not re.search("[\x1b\x07\x80-\x9f\ud800-\udfff]", out)


@given(st.text())
def test_printable_json_keeps_the_data(text: str) -> None:
    dumped = json.dumps({"k": text}, ensure_ascii=False)
    safe = printable_json(dumped)
    assert json.loads(safe) == {"k": text}
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", safe)


def test_a_file_name_that_is_not_utf8_is_escaped(tmp_path: Path) -> None:
    """Bytes of a non-UTF-8 file name reach Python as surrogates; a terminal gets no raw byte."""
    name = os.fsencode(tmp_path) + b"/deal\x9b.yaml"
    with open(name, "wb") as handle:
        handle.write(b"deal: {name: x}\npeople: []\n")
    proc = subprocess.run(
        [sys.executable, "-m", "influence", "validate", name, name + b"\x1b.missing.yaml"],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 3
    assert _raw(proc.stdout) == [] and _raw(proc.stderr) == []
    assert b"\x9b" not in proc.stdout + proc.stderr
    assert b"deal\\udc9b.yaml: 0 people" in proc.stdout
    assert b"deal\\udc9b.yaml\\x1b.missing.yaml: cannot read" in proc.stderr


def test_commands_print_only_through_the_safe_sinks() -> None:
    """Every command module prints with _out/_out_json/_out_data/_err, never directly."""
    for module in sorted((ROOT / "src" / "influence" / "cli").glob("*.py")):
        if module.name == "_app.py":
            continue
        text = module.read_text(encoding="utf-8")
        for direct in ("typer.echo(", "print(", "sys.stdout.write(", "click.echo("):
            assert direct not in text, f"{module.name} uses {direct}"
