"""Exit codes: each error class carries its code, one function maps them, 1 only for --fail-on.

Also: an unexpected error is exit 5 (a bug, said briefly), a closed stdout exits
quietly (141), Ctrl-C is 130, and an OSError on an output path is one line and
exit 2 for every command that writes a file.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from influence.cli import (
    EXIT_BAD_FILE,
    EXIT_BROKEN_PIPE,
    EXIT_DOMAIN,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_THRESHOLD,
    EXIT_USAGE,
)
from influence.errors import DealFileError, InfluenceError, UnknownPersonError
from influence.interop.edit import EditConflictError, EditValueError, InvalidEditError
from influence.interop.importing import ImportMappingError
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "saas-small.yaml"
CRM = ROOT / "tests" / "data" / "crm"
SRC = ROOT / "src"
# The deal's name: confidential data that a crash report must not show.
DEAL_NAME = "Northwind analytics platform"


def _run(*args: str | os.PathLike[str], env: dict[str, str] | None = None, **kw: Any) -> Any:
    """Run the real console entry point (``python -m influence``) in a subprocess."""
    full_env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "influence", *map(str, args)],
        capture_output=True,
        cwd=ROOT,
        env=full_env,
        timeout=120,
        **kw,
    )


# -- the classes carry the codes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (InfluenceError, EXIT_DOMAIN),
        (DealFileError, EXIT_BAD_FILE),
        (InvalidEditError, EXIT_BAD_FILE),
        (UnknownPersonError, EXIT_DOMAIN),
        (EditConflictError, EXIT_DOMAIN),
        (ImportMappingError, EXIT_USAGE),
        (EditValueError, EXIT_USAGE),
    ],
)
def test_error_classes_carry_their_exit_code(cls: type[InfluenceError], code: int) -> None:
    assert cls.exit_code == code


def test_the_mapping_uses_the_class_code(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Odd(InfluenceError):
        exit_code = 3

    def boom(*_: object, **__: object) -> None:
        raise Odd("odd one")

    monkeypatch.setattr("influence.analysis.report.analyze", boom)
    result = cli("analyze", EXAMPLE)
    assert result.exit_code == 3
    assert result.stderr == "error: odd one\n"


def test_domain_bad_file_and_usage_codes(cli: Any, tmp_path: Path) -> None:
    assert cli("paths", EXAMPLE, "nobody").exit_code == EXIT_DOMAIN
    bad = tmp_path / "bad.yaml"
    bad.write_text("deal: {name: x}\npeople: [{name: A, stance: alli}]\n", encoding="utf-8")
    assert cli("analyze", bad).exit_code == EXIT_BAD_FILE
    mapped = cli("import", CRM / "hubspot-contacts.csv", "--map", "Nope=name")
    assert mapped.exit_code == EXIT_USAGE, mapped.stderr
    assert mapped.stderr.startswith("error: ") and "Traceback" not in mapped.stderr


# -- exit 1 means --fail-on, and nothing else -------------------------------------------------


def test_fail_on_is_exit_1(cli: Any) -> None:
    result = cli("analyze", EXAMPLE, "--fail-on", "info")
    assert result.exit_code == EXIT_THRESHOLD
    assert "(--fail-on info)" in result.stderr


def test_a_crash_with_fail_on_is_5_not_1(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("influence.analysis.report.analyze", boom)
    assert cli("analyze", EXAMPLE, "--fail-on", "high").exit_code == EXIT_INTERNAL


# -- an unexpected error is a bug: exit 5, briefly --------------------------------------------


def _crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(deal: object, *_: object, **__: object) -> None:
        secret = f"local {deal!r}"  # a local variable holding deal data
        raise RuntimeError("boom " + str(len(secret)))

    monkeypatch.setattr("influence.analysis.report.analyze", boom)


def test_internal_error_is_exit_5_with_a_short_message(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash(monkeypatch)
    monkeypatch.delenv("INFLUENCE_DEBUG", raising=False)
    result = cli("analyze", EXAMPLE)
    assert result.exit_code == EXIT_INTERNAL
    lines = result.stderr.splitlines()
    assert lines[0].startswith("influence: internal error: RuntimeError: boom ")
    assert "please report it at https://" in result.stderr
    assert "INFLUENCE_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr and DEAL_NAME not in result.stderr
    assert len(lines) <= 4
    assert result.stdout == ""


def test_internal_error_traceback_on_request(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _crash(monkeypatch)
    monkeypatch.setenv("INFLUENCE_DEBUG", "1")
    result = cli("analyze", EXAMPLE)
    assert result.exit_code == EXIT_INTERNAL
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise RuntimeError("boom "' in result.stderr
    # a plain traceback: code lines, never the values of local variables
    assert DEAL_NAME not in result.stderr


def test_internal_error_in_a_subprocess(tmp_path: Path) -> None:
    """The console entry point: a library function patched (by sitecustomize) to raise."""
    (tmp_path / "sitecustomize.py").write_text(
        "import influence.analysis.report as r\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('patched to fail')\n"
        "r.analyze = boom\n",
        encoding="utf-8",
    )
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{SRC}"}
    result = _run("analyze", EXAMPLE, "--fail-on", "high", env=env)
    assert result.returncode == EXIT_INTERNAL, result.stderr
    err = result.stderr.decode()
    assert err.startswith("influence: internal error: RuntimeError: patched to fail\n")
    assert "Traceback" not in err and DEAL_NAME not in err
    debug = _run("analyze", EXAMPLE, env={**env, "INFLUENCE_DEBUG": "1"})
    assert debug.returncode == EXIT_INTERNAL
    assert b"Traceback (most recent call last)" in debug.stderr


def test_keyboard_interrupt_is_130(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("influence.analysis.report.analyze", interrupted)
    result = cli("analyze", EXAMPLE)
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.stderr == "influence: interrupted\n"


def test_an_os_error_no_output_path_claims_is_4(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(path: object) -> None:
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr("influence.io.read_deal", failing)
    result = cli("analyze", EXAMPLE)
    assert result.exit_code == EXIT_DOMAIN
    assert result.stderr == f"error: {EXAMPLE}: Input/output error\n"


# -- a closed stdout: quiet, like other Unix tools ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("analyze", EXAMPLE, "--json"),
        ("analyze", EXAMPLE),
        ("review", ROOT / "examples", "--json", "-q", "--workers", "1"),
        ("schema",),
    ],
    ids=["analyze-json", "analyze", "review-json", "schema"],
)
def test_broken_pipe_exits_quietly(args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: the first write fails with EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "influence", *map(str, args)],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(SRC), NO_COLOR="1"),
            timeout=120,
        )
    finally:
        os.close(write)
    assert proc.stderr == b""  # no traceback, no "Exception ignored", no message
    assert proc.returncode == EXIT_BROKEN_PIPE


def test_broken_pipe_in_process(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    echo = typer.echo

    def closed(message: object = None, *, err: bool = False, **kw: Any) -> None:
        if not err:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        echo(message, err=err, **kw)

    monkeypatch.setattr(typer, "echo", closed)
    result = cli("analyze", EXAMPLE, "--fail-on", "info")
    assert result.exit_code == EXIT_BROKEN_PIPE
    assert result.stderr == ""


# -- an output path that cannot be written: one line, exit 2, for every writing command --------


def _writers(tmp_path: Path, out: Path) -> dict[str, list[str | os.PathLike[str]]]:
    return {
        "schema": ["schema", "-o", out],
        "new": ["new", out, "--force"],
        "export-json": ["export", EXAMPLE, "-f", "json", "-o", out],
        "export-graphml": ["export", EXAMPLE, "-f", "graphml", "-o", out],
        "import": ["import", CRM / "hubspot-contacts.csv", "-o", out, "--force"],
        "map": ["map", EXAMPLE, "-o", out],
        "review": ["review", EXAMPLE, "-q", "--workers", "1", "--no-maps", "-o", out],
    }


COMMANDS = ["schema", "new", "export-json", "export-graphml", "import", "map", "review"]
SUFFIX = {"new": ".yaml", "import": ".yaml", "map": ".html", "review": ".html"}


def _assert_one_line(result: Any, shown: str) -> None:
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: ") and shown in last, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_output_in_a_missing_folder(cli: Any, tmp_path: Path, command: str) -> None:
    out = tmp_path / "no-such-folder" / f"out{SUFFIX.get(command, '.json')}"
    result = cli(*_writers(tmp_path, out)[command])
    _assert_one_line(result, str(out))
    assert "no folder" in result.stderr
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_output_is_a_folder(cli: Any, tmp_path: Path, command: str) -> None:
    out = tmp_path / f"folder{SUFFIX.get(command, '.json')}"
    out.mkdir()
    result = cli(*_writers(tmp_path, out)[command])
    _assert_one_line(result, str(out))
    assert "folder" in result.stderr.splitlines()[-1]
    assert list(out.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_csv_export_into_a_missing_folder_or_onto_a_folder(cli: Any, tmp_path: Path) -> None:
    missing = cli("export", EXAMPLE, "-f", "csv", "-o", tmp_path / "nope" / "acme")
    _assert_one_line(missing, str(tmp_path / "nope" / "acme-people.csv"))
    (tmp_path / "acme-ties.csv").mkdir()
    folder = cli("export", EXAMPLE, "-f", "csv", "-o", tmp_path / "acme")
    _assert_one_line(folder, str(tmp_path / "acme-ties.csv"))


def test_review_maps_in_a_folder_that_cannot_be_made(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "report-maps").write_text("a file where the maps folder goes", encoding="utf-8")
    result = cli("review", EXAMPLE, "-q", "--workers", "1", "-o", tmp_path / "report.html")
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: cannot write ")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission denied"),
        (errno.ENOSPC, "no space left on the device"),
    ],
)
@pytest.mark.parametrize("command", COMMANDS)
def test_output_refused_by_the_system(
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    code: int,
    reason: str,
) -> None:
    """The system refuses the write (simulated: the tests may run as root)."""

    def refuse(*, dir: str, prefix: str, suffix: str) -> tuple[int, str]:
        raise OSError(code, os.strerror(code), os.path.join(dir, f"{prefix}abcd1234{suffix}"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    out = tmp_path / f"out{SUFFIX.get(command, '.json')}"
    result = cli(*_writers(tmp_path, out)[command])
    _assert_one_line(result, f"cannot write {out}: {reason}")


def test_an_os_error_names_the_file_not_our_temporary(capsys: pytest.CaptureFixture[str]) -> None:
    """Writes go through a hidden temporary file beside the target: the message names the target."""
    import typer

    from influence.cli._app import _errors

    temporary = os.path.join("deals", ".acme.yaml.k2j4h5g6.tmp")
    with pytest.raises(typer.Exit) as exited, _errors():
        raise OSError(errno.EROFS, "Read-only file system", temporary)
    assert exited.value.exit_code == EXIT_DOMAIN
    assert (
        capsys.readouterr().err
        == f"error: {os.path.join('deals', 'acme.yaml')}: read-only file system\n"
    )
