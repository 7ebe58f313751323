"""Hostile files: each reader refuses them with a located message and exit 3, never a crash.

Every file here once crashed, hung or misled a reader: nesting that overflows a
parser's stack, numbers Python cannot turn into text, values that are not
numbers, tags that build other objects, and paths that are not regular files.
Each goes through the real command line in a subprocess, under a timeout.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from influence import _yaml
from influence.errors import DealFileError
from influence.io import (
    DEFAULT_MAX_FILE_SIZE,
    MAX_DEPTH,
    check_deal,
    parse_deal,
    parse_policy,
    read_bytes,
    read_deal,
    read_text,
    set_max_file_size,
)

TIMEOUT = 60
NAME = "deal:\n  name: x\n"
JSON_PREFIX = '{"deal": {"name": "x"}, "people": '
DEEP_MESSAGE = f"lists and mappings are nested more than {MAX_DEPTH} levels deep"
FINITE = "deal.value: expected a finite number"
TAG = "is not allowed: a deal file holds only text, numbers"

# name, file name, text, the message's start after the file name, the rest it contains.
HOSTILE: list[tuple[str, str, str, str, str]] = [
    ("yaml-block-deep", "deep.yaml", "- " * 20_000 + "a\n", ":1:129:", DEEP_MESSAGE),
    (
        "yaml-indented-deep",
        "deep.yaml",
        NAME + "people:\n" + "".join(" " * i + "-\n" for i in range(1, 200)),
        ":67:65:",
        DEEP_MESSAGE,
    ),
    (
        "yaml-flow-deep",
        "deep.yaml",
        NAME + "people: " + "[" * 20_000 + "]" * 20_000 + "\n",
        ":3:",
        DEEP_MESSAGE,
    ),
    (
        "yaml-flow-mapping-deep",
        "deep.yaml",
        NAME + "people: " + "{a: " * 5_000 + "}" * 5_000 + "\n",
        ":3:",
        DEEP_MESSAGE,
    ),
    ("yaml-complex-keys-deep", "deep.yaml", "- a\n- " + "? " * 20_000 + "a\n", ":2:", DEEP_MESSAGE),
    (
        "yaml-flow-after-fake-closers",
        "deep.yaml",
        NAME + "  stage: '" + "]" * 100 + "'\npeople: " + "[" * 20_000 + "]" * 20_000 + "\n",
        ":4:",
        DEEP_MESSAGE,
    ),
    (
        "yaml-staircase-deep",
        "deep.yaml",
        NAME + "people:\n" + "".join(" " * i + "- b:\n" for i in range(0, 4_000, 2)),
        ":35:",
        DEEP_MESSAGE,
    ),
    (
        "json-deep",
        "deep.json",
        JSON_PREFIX + "[" * 20_000 + "]" * 20_000 + "}",
        f":1:{len(JSON_PREFIX) + MAX_DEPTH}:",
        DEEP_MESSAGE,
    ),
    (
        "json-deep-unclosed",
        "deep.json",
        JSON_PREFIX + "[" * 20_000,
        f":1:{len(JSON_PREFIX) + MAX_DEPTH}:",
        DEEP_MESSAGE,
    ),
    (
        "yaml-huge-int",
        "big.yaml",
        NAME + "  value: " + "9" * 5_000 + "\n",
        ":3:10:",
        "a number of 5,000 digits is too large",
    ),
    (
        "yaml-huge-int-in-policy",
        "big.yaml",
        NAME + "policy:\n  min_threads: " + "7" * 5_000 + "\n",
        ":4:16:",
        "a number of 5,000 digits is too large",
    ),
    (
        "json-huge-int",
        "big.json",
        '{"deal": {"name": "x",\n  "value": ' + "9" * 5_000 + "}}",
        ":2:12:",
        "a number of 5,000 digits is too large",
    ),
    (
        "json-huge-int-in-list",
        "big.json",
        '{"deal": {"name": "x"},\n "people": [' + "-" + "1" * 5_000 + "]}",
        ":2:13:",
        "a number of 5,000 digits is too large",
    ),
    (
        "yaml-int-out-of-range",
        "days.yaml",
        NAME + "policy:\n  stale_after_days: " + "9" * 300 + "\n",
        ":4:21:",
        "policy.stale_after_days: a number of 300 digits is out of range",
    ),
    (
        "json-quoted-huge-number",
        "big.json",
        '{"deal": {"name": "x",\n  "value": "' + "9" * 5_000 + '"}}',
        ":2:12:",
        FINITE + ", not '99999",
    ),
    ("yaml-inf", "inf.yaml", NAME + "  value: .inf\n", ":3:10:", FINITE + ", not infinity"),
    ("yaml-minus-inf", "inf.yaml", NAME + "  value: -.inf\n", ":3:10:", "deal.value:"),
    ("yaml-nan", "nan.yaml", NAME + "  value: .nan\n", ":3:10:", FINITE + ", not NaN"),
    ("yaml-overflow", "inf.yaml", NAME + "  value: 1e400\n", ":3:10:", FINITE),
    (
        "yaml-inf-influence",
        "inf.yaml",
        NAME + "people:\n  - name: a\n    influence: .inf\n",
        ":5:16:",
        "people[0].influence: expected a finite number",
    ),
    (
        "yaml-inf-policy",
        "inf.yaml",
        NAME + "policy:\n  coverage_strength: .nan\n",
        ":4:22:",
        "policy.coverage_strength: expected a finite number",
    ),
    ("json-overflow", "inf.json", '{"deal": {"name": "x", "value": 1e400}}', ":1:33:", FINITE),
    (
        "json-infinity",
        "inf.json",
        '{"deal": {"name": "x",\n  "value": Infinity}}',
        ":2:12:",
        "Infinity is not JSON",
    ),
    (
        "json-minus-infinity",
        "inf.json",
        '{"deal": {"name": "x", "value": -Infinity}}',
        ":1:33:",
        "-Infinity is not JSON",
    ),
    ("json-nan", "nan.json", '{"deal": {"name": "x", "value": NaN}}', ":1:33:", "NaN is not JSON"),
    (
        "yaml-python-object",
        "tag.yaml",
        "deal:\n  name: !!python/object/apply:os.system [echo hacked]\n",
        ":2:9:",
        "the tag !!python/object/apply:os.system " + TAG,
    ),
    (
        "yaml-python-name",
        "tag.yaml",
        "deal:\n  name: x\n  stage: !!python/name:os.system ''\n",
        ":3:10:",
        "the tag !!python/name:os.system " + TAG,
    ),
    ("yaml-binary", "tag.yaml", "deal:\n  name: !!binary aGVsbG8=\n", ":2:9:", "!!binary " + TAG),
    ("yaml-set", "tag.yaml", "deal:\n  name: x\n  stage: !!set {a}\n", ":3:10:", "!!set " + TAG),
    (
        "yaml-timestamp",
        "tag.yaml",
        "deal:\n  name: x\n  as_of: !!timestamp 2026-11-20\n",
        ":3:10:",
        "!!timestamp " + TAG,
    ),
    ("yaml-unknown-tag", "tag.yaml", "deal:\n  name: !secret x\n", ":2:9:", "!secret " + TAG),
]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "influence", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=env,
    )


def _refused(result: subprocess.CompletedProcess[str], path: Path, located: str, text: str) -> None:
    """Exit 3, the located message on stderr, nothing on stdout, no traceback."""
    assert result.returncode == 3, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}{located}"), first[:300]
    assert text in first, first[:300]
    assert len(first) < 400  # the number or the nesting is not echoed back


@pytest.mark.parametrize(
    ("name", "file", "text", "located", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_through_the_cli(
    tmp_path: Path, name: str, file: str, text: str, located: str, message: str
) -> None:
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    validate = _run("validate", str(path))
    _refused(validate, path, located, message)
    analyze = _run("analyze", "--json", str(path))
    _refused(analyze, path, located, message)
    assert analyze.stdout == ""


@pytest.mark.parametrize(
    ("name", "file", "text", "located", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_file_in_the_api(
    name: str, file: str, text: str, located: str, message: str
) -> None:
    fmt = "json" if file.endswith(".json") else "yaml"
    with pytest.raises(DealFileError) as caught:
        parse_deal(text, fmt, source=file)
    problem = caught.value.problems[0]
    line, _, col = located.strip(":").partition(":")
    assert problem.line == int(line)
    if col:
        assert problem.column == int(col)
    assert message in str(problem)


def test_a_review_lists_hostile_files_and_reports_the_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    (folder / "good.yaml").write_text(
        Path("examples/saas-small.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    hostile = {name: (file, text) for name, file, text, _, _ in HOSTILE}
    for name in ("yaml-block-deep", "json-huge-int", "yaml-inf", "json-infinity", "yaml-binary"):
        file, text = hostile[name]
        (folder / f"{name}-{file}").write_text(text, encoding="utf-8")
    os.mkfifo(folder / "fifo.yaml")
    for workers in ("1", "2"):
        result = _run("review", str(folder), "--json", "--workers", workers)
        assert result.returncode == 3, result.stderr[-2000:]
        assert "Traceback" not in result.stderr
        data = json.loads(result.stdout)  # strict JSON: no Infinity, no NaN
        assert [d["id"] for d in data["deals"]] == ["good"]
        assert len(data["errors"]) == 5  # the FIFO is no deal file to a folder search


def test_exactly_the_limit_reads_and_one_more_level_does_not() -> None:
    at_limit = "- " * MAX_DEPTH + "a\n"
    assert _yaml.load(at_limit) is not None
    with pytest.raises(_yaml.NestingError):
        _yaml.load("- " * (MAX_DEPTH + 1) + "a\n")
    with pytest.raises(_yaml.NestingError):  # the general composer (explicit tags) checks too
        _yaml.load("a: !!str x\nb: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n")
    # A deal nested just within the limit fails on its fields, not its depth.
    for text, fmt in [
        ("deal: {name: x}\npeople: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "yaml"),
        ('{"deal": {"name": "x"}, "people": ' + "[" * 63 + "]" * 63 + "}", "json"),
    ]:
        with pytest.raises(DealFileError) as caught:
            parse_deal(text, fmt)
        assert "nested" not in str(caught.value)
    with pytest.raises(DealFileError) as caught:
        parse_deal('{"deal": {"name": "x"}, "people": ' + "[" * 64 + "]" * 64 + "}", "json")
    assert DEEP_MESSAGE in str(caught.value)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"deal": {"name": "[" * 5_000, "stage": "{" * 100}})
    assert parse_deal(text, "json").deal.name == "[" * 5_000
    tricky = '\\"' + "[" * 100 + '\\\\" ]] "' + "{" * 100 + "\\"  # escaped quotes, backslashes
    text = json.dumps({"deal": {"name": tricky, "account": "]" * 100}, "people": [[[]]] * 50})
    with pytest.raises(DealFileError) as caught:
        parse_deal(text, "json")
    assert "nested" not in str(caught.value)  # people are lists, not too deep
    assert "people[0]: expected a mapping of fields" in str(caught.value)
    deep: list[object] = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    text = json.dumps({"deal": {"name": tricky, "account": "]" * 100}, "people": deep})
    with pytest.raises(DealFileError) as caught:
        parse_deal(text, "json")
    assert DEEP_MESSAGE in str(caught.value)  # the quotes and brackets in strings hide nothing
    yaml_text = "deal:\n  name: '" + "[" * 5_000 + "'\n  stage: " + "a]" * 500 + "\n"
    assert parse_deal(yaml_text).deal.stage == "a]" * 500


def test_a_policy_file_is_held_to_the_same_limits() -> None:
    with pytest.raises(DealFileError) as caught:
        parse_policy("min_threads: " + "1" * 5_000, source="team.yaml")
    assert str(caught.value).startswith("team.yaml:1:14: invalid YAML: a number of 5,000 digits")
    with pytest.raises(DealFileError) as caught:
        parse_policy('{"max_hops": ' + "[" * 100 + "]" * 100 + "}", "json", source="team.json")
    assert DEEP_MESSAGE in str(caught.value)


def test_deal_values_and_policy_periods_have_bounds() -> None:
    with pytest.raises(DealFileError) as caught:
        parse_deal(NAME + "  value: 1e300\n", source="d.yaml")
    assert str(caught.value) == (
        "d.yaml:3:10: deal.value: 1e+300 is out of range for value; expected a number at "
        "most 1000000000000000"
    )
    with pytest.raises(DealFileError) as caught:
        parse_policy("assessment_stale_days: 100000", source="team.yaml")
    assert "at most 36500" in str(caught.value)


# -- files that are not files --------------------------------------------------------


def _special(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A path that is no regular file, and the words of its refusal."""
    if kind == "fifo":
        path = tmp_path / "fifo.yaml"
        os.mkfifo(path)
        return path, "it is a named pipe (FIFO); influence reads only regular files"
    if kind == "fifo-link":
        os.mkfifo(tmp_path / "real-fifo")
        path = tmp_path / "link.yaml"
        path.symlink_to(tmp_path / "real-fifo")
        return path, f"it is a named pipe (FIFO) (it links to {tmp_path / 'real-fifo'})"
    if kind == "dev-zero":
        path = tmp_path / "zero.yaml"
        path.symlink_to("/dev/zero")
        return path, "it is a device (it links to /dev/zero); influence reads only regular files"
    if kind == "folder":
        path = tmp_path / "folder.yaml"
        path.mkdir()
        return path, "cannot read the file: it is a folder"
    if kind == "socket":
        # A short folder: a socket's path has a length limit (108 bytes on Linux).
        folder = Path(tempfile.mkdtemp(prefix="sk", dir="/tmp"))
        path = folder / "s.yaml"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
        return path, "it is a socket; influence reads only regular files"
    assert kind == "oversized"
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: nothing is written, or read
        handle.truncate(DEFAULT_MAX_FILE_SIZE + 1)
    return (
        path,
        "it is 50.0 MB, more than the 50 MB limit; raise it with `influence --max-file-size",
    )


SPECIAL = ["fifo", "fifo-link", "dev-zero", "folder", "socket", "oversized"]


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_files_are_refused_without_waiting(tmp_path: Path, kind: str) -> None:
    if kind == "socket" and not hasattr(socket, "AF_UNIX"):  # pragma: no cover
        pytest.skip("no Unix sockets here")
    path, words = _special(tmp_path, kind)
    for command in (["validate"], ["analyze", "--json"]):
        result = _run(*command, str(path))  # a blocking open of the FIFO would time out
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"{path}: cannot read the file: ")
        assert words in result.stderr.splitlines()[0]
        assert result.stdout == (
            "" if command == ["analyze", "--json"] else f"FAIL {path}: 1 error\n"
        )
    with pytest.raises(DealFileError) as caught:
        read_deal(path)
    assert words in str(caught.value)


def test_the_size_limit_is_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(NAME + "# " + "x" * 2_000 + "\n", encoding="utf-8")
    small = _run("--max-file-size", "1KB", "validate", str(path))
    assert small.returncode == 3
    assert small.stderr.startswith(
        f"{path}: cannot read the file: it is 2.0 KB, more than the 1 KB limit"
    )
    assert _run("--max-file-size", "1MB", "validate", str(path)).returncode == 0
    wrong = _run("--max-file-size", "lots", "validate", str(path))
    assert wrong.returncode == 2
    assert "'lots' is not a size" in wrong.stderr
    # A review's worker processes read with the same limit.
    second = tmp_path / "other.yaml"
    second.write_text(NAME, encoding="utf-8")
    review = _run("--max-file-size", "1KB", "review", str(path), str(second), "--workers", "2")
    assert review.returncode == 3
    assert "more than the 1 KB limit" in review.stderr


def test_the_size_limit_holds_while_reading(tmp_path: Path) -> None:
    """A pipe (``diff <(...)``) has no size to check first: the read itself stops."""
    fifo = tmp_path / "old-version"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with fifo.open("wb") as pipe:
                for _ in range(100):
                    pipe.write(b"# " + b"x" * 1_000 + b"\n")
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    old = set_max_file_size(10_000)
    try:
        with pytest.raises(DealFileError) as caught:
            read_bytes(fifo, streams=True)
    finally:
        set_max_file_size(old)
        writer.join(timeout=10)
    assert str(caught.value) == (
        f"{fifo}: cannot read the file: it is larger than the 10 KB limit; raise it with "
        "`influence --max-file-size 200MB ...` if the file is right"
    )


def test_set_max_file_size_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1 byte"):
        set_max_file_size(0)


# -- unreadable files ----------------------------------------------------------------

DENY = """
import os
_deny, _open = os.path.abspath(os.environ["DENY_PATH"]), os.open
def _guarded(path, *args, **kwargs):
    if os.path.abspath(os.fspath(path)) == _deny:
        raise PermissionError(13, "Permission denied", os.fspath(path))
    return _open(path, *args, **kwargs)
os.open = _guarded
"""


def test_an_unreadable_file_is_exit_3_through_the_cli(tmp_path: Path) -> None:
    """chmod 000 does not stop root, who runs some CI: the open itself is made to fail."""
    path = tmp_path / "deal.yaml"
    path.write_text(NAME, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(DENY, encoding="utf-8")
    env = dict(os.environ, DENY_PATH=str(path))
    env["PYTHONPATH"] = os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")]), *sys.path]
    )
    expected = f"{path}: cannot read the file: permission denied; check its owner and mode (ls -l)"
    for command in (["validate"], ["analyze", "--json"], ["person", "set"]):
        args = [*command, str(path)] + (
            ["x", "stance=ally"] if command == ["person", "set"] else []
        )
        result = _run(*args, env=env)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[0] == expected
    assert path.read_text(encoding="utf-8") == NAME


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000 all the same")
def test_an_unreadable_file_for_real(tmp_path: Path) -> None:  # pragma: no cover - not root
    path = tmp_path / "deal.yaml"
    path.write_text(NAME, encoding="utf-8")
    path.chmod(0)
    try:
        result = _run("validate", str(path))
    finally:
        path.chmod(0o644)
    assert result.returncode == 3
    assert "permission denied" in result.stderr


def test_an_unreadable_file_in_the_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(NAME, encoding="utf-8")
    real: Callable[..., int] = os.open

    def deny(name: str | os.PathLike[str], *args: object, **kwargs: object) -> int:
        if Path(name) == path:
            raise PermissionError(13, "Permission denied")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = check_deal(path)
    assert [str(p) for p in result.problems] == [
        f"{path}: cannot read the file: permission denied; check its owner and mode (ls -l)"
    ]
    with pytest.raises(DealFileError):
        read_text(path)


def test_diff_still_reads_a_pipe_but_not_a_device(tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(NAME, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "influence", "diff", "/dev/stdin", str(new)],
        input=NAME,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    device = _run("diff", "/dev/zero", str(new))
    assert device.returncode == 3
    assert device.stderr.startswith("/dev/zero: cannot read the file: it is a device")


@pytest.mark.parametrize(
    ("command", "fifo_name"),
    [
        (["analyze", "--policy", "{fifo}", "examples/saas-small.yaml"], "team.yaml"),
        (["import", "{fifo}", "-o", "{out}"], "people.csv"),
        (["import", "{fifo}", "-o", "{out}"], "people.xlsx"),
        (["person", "set", "{fifo}", "ann", "stance=ally"], "deal.yaml"),
        (["map", "{fifo}", "-o", "{out}.html"], "deal.yaml"),
    ],
)
def test_every_reader_refuses_a_fifo(tmp_path: Path, command: list[str], fifo_name: str) -> None:
    """``diff`` and ``export`` read pipes on purpose (``<(git show ...)``); nothing else does."""
    fifo = tmp_path / fifo_name
    os.mkfifo(fifo)
    out = tmp_path / "out.yaml"
    args = [a.format(fifo=fifo, out=out) for a in command]
    result = _run(*args)  # a reader that opened it for a blocking read would time out
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{fifo}: cannot read the file: it is a named pipe (FIFO)")
    assert not out.exists()


def _depth(data: object) -> int:
    if isinstance(data, dict):
        return 1 + max((_depth(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return 1 + max((_depth(v) for v in data), default=0)
    return 0


@pytest.mark.parametrize("steps", [10, 20, 22, 23, 24, 25, 40])
@pytest.mark.parametrize("flow", [0, 8, 16, 17, 30])
def test_yaml_rs_only_reads_what_is_within_the_limit(steps: int, flow: int) -> None:
    """The densest block nesting there is (two levels a column), with flow lists on top."""
    text = "".join(" " * i + "k:\n" + " " * i + "-\n" for i in range(steps))
    text += " " * steps + "x: " + "[" * flow + "]" * flow + "\n"
    native = not _yaml._native_may_differ(text) and _yaml._native_is_safe(text)
    expected = 2 * steps + 1 + flow
    if native:
        assert expected <= MAX_DEPTH
    if expected <= MAX_DEPTH:
        assert _depth(_yaml.load(text)) == expected
    else:
        with pytest.raises(_yaml.NestingError):
            _yaml.load(text)
