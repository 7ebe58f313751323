"""Reading and writing deal files: the only module that opens them.

Reading is strict and friendly: every problem of a file is reported at once,
each as ``FILE:LINE:COL: field.path: what was expected``, with a did-you-mean
for near misses. Writing keeps the file's mode, owner, group and hard links, is
atomic whenever a rename keeps them, and what it writes reads back equal; edits
hold the file's exclusive lock (:func:`deal_lock`) from the read to the write.

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

import codecs
import contextlib
import errno
import json
import math
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from influence import _exit, _yaml
from influence._gc import gc_paused
from influence._suggest import did_you_mean
from influence.errors import (
    DealFileError,
    DealLockError,
    InterruptedWriteError,
    Problem,
    ReadOnlyFileError,
)
from influence.graph import deal_graph
from influence.model import (
    Deal,
    DealInfo,
    IntegrityProblems,
    Person,
    Policy,
    Relationship,
    Role,
    Side,
    Touchpoint,
    deal_from_data,
    integrity_problems,
    slugify,
)

__all__ = [
    "DEAL_SUFFIXES",
    "LOCK_WAIT",
    "CheckResult",
    "check_deal",
    "check_not_interrupted",
    "check_writable",
    "deal_lock",
    "deal_schema",
    "find_deal_files",
    "format_of",
    "lock_path",
    "max_file_size",
    "parse_deal",
    "parse_policy",
    "pending_path",
    "read_bytes",
    "read_deal",
    "read_policy",
    "read_text",
    "set_max_file_size",
    "sidecar_path",
    "starter_deal",
    "to_data",
    "write_bytes",
    "write_deal",
    "write_text",
]

Format = Literal["yaml", "json"]
DEAL_SUFFIXES = (".yaml", ".yml", ".json")
#: A YAML file whose aliases would expand past this many values is refused.
MAX_EXPANDED_VALUES = 2_000_000
BUYING_ROLES = frozenset(Role) - {Role.COACH}
#: The largest file read by default, in bytes (50 MB; a deal of 100,000 people is ~25 MB).
#: :func:`set_max_file_size` (the CLI: ``influence --max-file-size``) changes it.
DEFAULT_MAX_FILE_SIZE = 50_000_000
#: Lists and mappings nest at most this deep in a deal or policy file (a deal needs 4).
MAX_DEPTH = _yaml.MAX_DEPTH
#: A whole number in a file has at most this many digits.
MAX_NUMBER_DIGITS = _yaml.MAX_NUMBER_DIGITS
_limits = {"max_file_size": DEFAULT_MAX_FILE_SIZE}


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

    def passed(self, *, strict: bool = False) -> bool:
        """Whether the file passes ``influence validate`` (``strict``: warnings fail it too).

        Examples:
            >>> result = check_deal("examples/saas-small.yaml")
            >>> result.passed(), result.passed(strict=True) == (not result.warnings)
            (True, True)
        """
        return self.ok and not (strict and self.warnings)

    def summary(self, *, strict: bool = False) -> str:
        """The line ``influence validate`` prints for this file (``ok`` or ``FAIL``, counts).

        Examples:
            >>> print(check_deal("examples/saas-small.yaml").summary())
            ok   examples/saas-small.yaml: 8 people, 12 relationships
            >>> print(check_deal("no/such.yaml").summary())
            FAIL no/such.yaml: 1 error
        """
        if self.deal is None or not self.ok:
            return f"FAIL {self.path}: {_count(len(self.errors), 'error')}"
        d = self.deal
        note = _count(len(self.warnings), "warning") if self.warnings else ""
        return (
            f"{'ok  ' if self.passed(strict=strict) else 'FAIL'} {self.path}: "
            f"{_count(len(d.people), 'person', 'people')}, "
            f"{_count(len(d.relationships), 'relationship')}" + (f", {note}" if note else "")
        )

    def to_data(self) -> dict[str, object]:
        """Return the result as plain data: one entry of ``influence validate --json``.

        Examples:
            >>> data = check_deal("no/such.yaml").to_data()
            >>> data["file"], data["ok"], data["problems"][0]["line"]
            ('no/such.yaml', False, 0)
        """
        return {"file": self.path, "ok": self.ok, "problems": [p.to_data() for p in self.problems]}


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
    result = check_deal(path, warnings=False)  # the warnings are validate's to print
    if not result.ok or result.deal is None:
        raise DealFileError(str(path), result.errors)
    return result.deal


def check_deal(path: str | os.PathLike[str], *, warnings: bool = True) -> CheckResult:
    """Read one deal file and return the deal with every error and warning found.

    Unlike :func:`read_deal` it never raises for a bad file: the problems are the result.

    Args:
        path: The deal file.
        warnings: Also look for the warnings (the default); ``False`` finds the
            errors only, which is all :func:`read_deal` needs (a second or so
            less on a 100,000-person deal).

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
        fmt = format_of(name)
        raw = read_bytes(path)
        # A big JSON file is parsed from its bytes; its text is decoded only if a
        # problem needs it located (or it is not read the fast way).
        _, data = _json_quick(None, raw) if fmt == "json" else (None, None)
        text = _decoded(raw, name) if data is None else None
    except DealFileError as err:
        return CheckResult(name, None, err.problems)
    default_id = slugify(Path(name).stem)
    with gc_paused():  # a big deal is a million objects that all stay alive
        return _check_text(text, fmt, name, default_id, warnings=warnings, raw=raw, data=data)


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
        result = _check_text(text, fmt, source, None, warnings=False)
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
    fmt = format_of(str(path))
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
        if not person["emails"]:
            del person["emails"]
        # the key-account fields (issue 12): written only when they say something
        for key in ("refusals", "buying_signals"):
            if not person[key]:
                del person[key]
        if person["status"] == "active":
            del person["status"]
    for key in ("facts", "competitors"):
        if not data["deal"][key]:
            del data["deal"][key]
    if not data["relationships"]:
        del data["relationships"]
    if not data["people"]:
        del data["people"]
    touchpoints = data.pop("touchpoints")
    if deal.policy is not None:
        data["policy"] = deal.policy.model_dump(mode="json", exclude_unset=True)
    if touchpoints:  # written inline, last: a long history read from a sidecar file too
        data["touchpoints"] = touchpoints
    return data


def read_policy(path: str | os.PathLike[str]) -> Policy:
    """Read a team policy file: the policy keys at the top, or under ``policy:``.

    Args:
        path: A ``.yaml``, ``.yml`` or ``.json`` file, or the name of a bundled
            policy (:data:`BUNDLED_POLICIES`, such as ``meddpicc``) when no such
            file exists.

    Returns:
        The policy; keys the file does not set keep the defaults.

    Raises:
        DealFileError: the file cannot be read or holds an invalid policy.

    Examples:
        >>> parse_policy("max_hops: 3").max_hops
        3
    """
    name = str(path)
    if name in BUNDLED_POLICIES and not os.path.exists(name):
        path = name = str(Path(__file__).parent / "policies" / f"{name}.yaml")
    return parse_policy(read_text(path), format_of(name), source=name)


#: The policies shipped with influence, by name: ``--policy meddpicc``.
BUNDLED_POLICIES: tuple[str, ...] = ("meddpicc",)


def parse_policy(text: str, fmt: Format = "yaml", *, source: str = "<string>") -> Policy:
    r"""Parse a team policy from text (see :func:`read_policy`).

    Examples:
        >>> parse_policy("coverage_strength: 0.6\nmin_threads: 4").min_threads
        4

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


def max_file_size() -> int:
    """The largest file, in bytes, that :func:`read_text` reads (see :func:`set_max_file_size`).

    Examples:
        >>> max_file_size() == DEFAULT_MAX_FILE_SIZE
        True
    """
    return _limits["max_file_size"]


def set_max_file_size(size: int) -> int:
    """Change the largest file every reader reads, for this process; returns the old limit.

    A review passes the limit on to its worker processes and Dask workers.

    Args:
        size: Bytes, at least 1.

    Returns:
        The limit before the change, to restore it.

    Raises:
        ValueError: ``size`` is below 1.

    Examples:
        >>> old = set_max_file_size(200_000_000)
        >>> max_file_size()
        200000000
        >>> _ = set_max_file_size(old)
    """
    if size < 1:
        raise ValueError(f"the largest file size must be at least 1 byte, not {size}")
    old = _limits["max_file_size"]
    _limits["max_file_size"] = int(size)
    return old


def _size_text(n: int) -> str:
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= factor:
            return f"{n / factor:.{0 if n % factor == 0 else 1}f} {unit}"
    return f"{n} bytes"


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_a_file(name: str, mode: int) -> DealFileError:
    if stat.S_ISDIR(mode):
        return _file_error(name, "cannot read the file: it is a folder")
    what = next((text for test, text in _KINDS if test(mode)), "not a regular file")
    if os.path.islink(name):
        what += f" (it links to {os.path.realpath(name)})"
    return _file_error(
        name, f"cannot read the file: it is {what}; influence reads only regular files"
    )


def read_bytes(path: str | os.PathLike[str], *, streams: bool = False) -> bytes:
    """Read a whole regular file, at most :func:`max_file_size` bytes; a located error if not.

    Named pipes, devices and sockets (and links to them) are refused without
    waiting on them: the file is opened non-blocking and checked before any
    read. The size is checked before reading and again while reading, so a
    file that grows (or a device) cannot be read without end.

    Args:
        path: The file.
        streams: Also read named pipes and ``/dev/stdin`` (as ``influence diff
            <(git show ...)`` passes them), still at most :func:`max_file_size`.

    Returns:
        The file's bytes.

    Raises:
        DealFileError: the file is missing, not a regular file, unreadable or too large.

    Examples:
        >>> try:
        ...     read_bytes("examples")
        ... except DealFileError as err:
        ...     print(err)
        examples: cannot read the file: it is a folder
    """
    name = str(path)
    limit = _limits["max_file_size"]
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        # stat first: a FIFO is refused (or, for streams, waited on) without opening it.
        mode = os.stat(path).st_mode
        stream = streams and stat.S_ISFIFO(mode)
        if not stat.S_ISREG(mode) and not stream:
            raise _not_a_file(name, mode)
        # Non-blocking, in case it became a FIFO meanwhile; fstat then says what it is.
        fd = os.open(path, flags if stream else flags | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _file_error(name, "cannot read the file: no such file") from None
    except IsADirectoryError:  # pragma: no cover - stat finds it first
        raise _file_error(name, "cannot read the file: it is a folder") from None
    except PermissionError:
        raise _file_error(
            name, "cannot read the file: permission denied; check its owner and mode (ls -l)"
        ) from None
    except OSError as err:
        if err.errno == errno.ENXIO:  # pragma: no cover - a socket; stat finds it first
            raise _file_error(
                name, "cannot read the file: it is a socket; influence reads only regular files"
            ) from None
        raise _file_error(name, f"cannot read the file: {err.strerror or err}") from None
    try:
        found = os.fstat(fd)
        mode, size = found.st_mode, found.st_size
        if not stat.S_ISREG(mode) and not (stream and stat.S_ISFIFO(mode)):
            raise _not_a_file(name, mode)
        if size > limit:
            raise _too_large(name, limit, size)
        if stat.S_ISREG(mode) and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(max(size + 1, 65536), limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_large(name, limit, None)
        return b"".join(chunks)
    except OSError as err:
        raise _file_error(name, f"cannot read the file: {err.strerror or err}") from None
    finally:
        os.close(fd)


def _too_large(name: str, limit: int, size: int | None) -> DealFileError:
    what = f"{_size_text(size)}, more than" if size is not None else "larger than"
    return _file_error(
        name,
        f"cannot read the file: it is {what} the {_size_text(limit)} limit; "
        "raise it with `influence --max-file-size 200MB ...` if the file is right",
    )


def read_text(path: str | os.PathLike[str], *, streams: bool = False) -> str:
    """Read a UTF-8 text file; a located :class:`DealFileError` if it cannot be.

    Args:
        path: The file; see :func:`read_bytes` for what is refused.
        streams: Also read named pipes and ``/dev/stdin``.

    Returns:
        The text, without a leading byte order mark.

    Raises:
        DealFileError: the file is missing, not a regular file, unreadable, too
            large, or not UTF-8.
    """
    return _decoded(read_bytes(path, streams=streams), str(path))


def _decoded(raw: bytes, name: str) -> str:
    """The UTF-8 text of a file's bytes (a leading byte order mark dropped), else its error."""
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
    """The process's umask, read without changing it where the system allows.

    ``os.umask`` can only be read by setting it, which races with other threads
    creating files (a server's); Linux shows it in ``/proc/self/status``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: How long an edit waits, in seconds, for another edit of the same file to finish.
LOCK_WAIT = 10.0

# Locks this thread holds: (pid, thread, lock file) -> depth, so that a nested
# deal_lock of the same file (write_editable inside an edit) does not wait for itself.
_HELD: dict[tuple[int, int, str], int] = {}


def _beside(path: str | os.PathLike[str], suffix: str) -> Path:
    """The hidden file ``.NAME<suffix>`` beside a file, symbolic links resolved."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}{suffix}")


def lock_path(path: str | os.PathLike[str]) -> Path:
    """Return the lock file of a deal file: ``.NAME.lock`` beside it, links resolved.

    Examples:
        >>> lock_path("deals/acme.yaml").name
        '.acme.yaml.lock'
    """
    return _beside(path, ".lock")


@contextlib.contextmanager
def deal_lock(path: str | os.PathLike[str], *, wait: float = LOCK_WAIT) -> Iterator[Path]:
    """Hold the exclusive edit lock of a deal file; every edit of it takes this lock.

    The lock is an advisory ``flock`` on ``.NAME.lock`` beside the file (symbolic
    links resolved, so every name of a linked file shares it). It is held from
    before the file is read until after it is written, so concurrent edits take
    turns and none is lost. A second holder waits up to ``wait`` seconds. The
    system releases the lock of a process that dies, even by ``kill -9``; the
    holder deletes the lock file when it is done, so none is left behind except
    by a killed process, and such a file never blocks. A nested ``deal_lock`` of
    the same file in the same thread does not wait.

    Args:
        path: The deal file (it need not exist yet).
        wait: Seconds to wait for another holder; 0 tries once.

    Yields:
        The lock file.

    Raises:
        DealLockError: another process or thread held the lock for longer than
            ``wait``, or the lock file cannot be created (a folder without write
            permission); the message names the lock file.
        DealFileError: the file's folder does not exist.

    Examples:
        >>> import tempfile, pathlib
        >>> deal = pathlib.Path(tempfile.mkdtemp()) / "acme.yaml"
        >>> with deal_lock(deal) as lock:
        ...     print(lock.name, lock.exists())
        .acme.yaml.lock True
        >>> lock.exists()
        False
    """
    import threading

    lock = lock_path(path)
    key = (os.getpid(), threading.get_ident(), str(lock))
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield lock
        finally:
            _HELD[key] -= 1
        return
    fd = _acquire(str(path), lock, wait)
    _HELD[key] = 1
    try:
        yield lock
    finally:
        del _HELD[key]
        try:
            # Delete the file before unlocking it: a waiter that then gets the lock on
            # the deleted file sees that it is gone and takes the new one.
            if _same_file(fd, lock):
                lock.unlink()
        except OSError:  # pragma: no cover - a folder made read-only meanwhile
            pass
        finally:
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _acquire(name: str, lock: Path, wait: float) -> int:
    """Open and flock the lock file, retrying while it is busy, until ``wait`` has passed."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; edits are not locked
        return os.open(os.devnull, os.O_RDONLY)
    deadline = time.monotonic() + max(wait, 0.0)
    delay = 0.002
    flags = os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    while True:
        try:
            try:
                fd = os.open(lock, os.O_RDWR | flags, 0o666)
            except PermissionError:  # another user's lock file: reading is enough for flock
                fd = os.open(lock, os.O_RDONLY | flags, 0o666)
        except FileNotFoundError:
            raise _file_error(name, "cannot read the file: no such file or folder") from None
        except OSError as err:
            raise DealLockError(
                name,
                str(lock),
                f"{err.strerror or err}; an edit needs write permission on the file's folder",
            ) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _busy(name, lock, fd, wait) from None
                    time.sleep(delay)
                    delay = min(delay * 1.5, 0.05)
            if _same_file(fd, lock):
                # Who holds it, for the message of a waiter. A fixed width overwrites
                # any older record without ftruncate (on ext4, a truncate to 0 makes
                # close flush the file: milliseconds).
                with contextlib.suppress(OSError):  # only a read-only lock file fails
                    os.pwrite(fd, f"{os.getpid():>20}\n".encode(), 0)
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder deleted it as it finished: lock the new one


def _busy(name: str, lock: Path, fd: int, wait: float) -> DealLockError:
    try:
        holder: int | None = int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError):
        holder = None
    who = f"process {holder}" if holder else "another process"
    return DealLockError(
        name,
        str(lock),
        f"another edit ({who}) still held it after {wait:g} s; nothing was read or written. "
        "Run the command again when that edit has finished, or wait longer with --wait "
        "SECONDS (wait= in Python). A lock file left by a killed process does not block",
        holder=holder,
    )


def check_writable(path: str | os.PathLike[str], *, force: bool = False) -> None:
    r"""Refuse to overwrite a read-only file unless ``force``; a missing file is writable.

    The mode bits decide, not only ``os.access``: root may write anything, but a
    file nobody may write (``0444``) is still read-only to an edit.

    Raises:
        ReadOnlyFileError: the file exists and this user has no write permission on it.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.yaml"
        >>> _ = p.write_text("deal: {name: T}\n")
        >>> p.chmod(0o444)
        >>> try:
        ...     check_writable(p)
        ... except ReadOnlyFileError as err:
        ...     print(f"refused: mode {err.mode:04o}")
        refused: mode 0444
        >>> check_writable(p, force=True)
    """
    if force:
        return
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(st.st_mode)
    euid = os.geteuid() if hasattr(os, "geteuid") else -1
    if euid == 0:
        writable = bool(mode & 0o222)
    elif st.st_uid == euid:
        writable = bool(mode & stat.S_IWUSR)
    else:
        writable = os.access(path, os.W_OK)
    if not writable:
        raise ReadOnlyFileError(str(path), mode)


def pending_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`write_text` keeps the complete new text while it writes a file in place.

    Examples:
        >>> pending_path("deals/acme.yaml").name
        '.acme.yaml.inplace.tmp'
    """
    return _beside(path, ".inplace.tmp")


def check_not_interrupted(path: str | os.PathLike[str]) -> None:
    """Refuse to go on with a file whose last write in place was interrupted.

    Raises:
        InterruptedWriteError: the pending file of an interrupted write is beside it.
    """
    pending = pending_path(path)
    if pending.exists():
        raise InterruptedWriteError(str(path), str(pending))


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write text (UTF-8) safely, as :func:`write_bytes` writes bytes."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes safely, keeping the file's identity: mode, owner, group, hard links.

    The text goes to a temporary file beside the target (``.NAME.XXXXXXXX.tmp``),
    complete and fsynced, before the target is touched. Then, usually, the
    temporary file takes the target's mode, owner, group and extended attributes
    (ACLs) and is renamed over it: atomic, a crash leaves the old file or the new
    one. When a rename would change the file's identity (it has other hard
    links, or this user cannot give a new file its owner or group), the text is
    instead copied into the file in place (same inode) and fsynced; meanwhile the
    complete text waits in ``.NAME.inplace.tmp`` (:func:`pending_path`), removed
    when done, so a crash in the copy leaves the full new text beside a file that
    may be cut short, and the next edit says so (:func:`check_not_interrupted`).
    A symbolic link is followed: the file it points to is written. Read-only
    files are written as they are (callers decide: :func:`check_writable`).
    """
    # Trade-off: rename is atomic but makes a new inode, which splits hard links and
    # can lose a foreign owner or group; an in-place copy keeps the inode but cannot
    # be atomic. So rename whenever it keeps the identity, and copy in place only when
    # it would not, with the complete text saved first so that nothing is ever lost.
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        # Before anything is created beside it: a folder given as the file, a FIFO, a device.
        if stat.S_ISDIR(old.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
        raise OSError(errno.EINVAL, "it is not a regular file", str(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    in_place = False
    try:
        try:
            view = memoryview(data)
            written = 0
            while written < len(data):
                written += os.write(fd, view[written:])
            if old is None:  # mkstemp makes 0600; a new file gets the usual mode
                os.chmod(tmp, 0o666 & ~_umask())
            else:
                in_place = old.st_nlink > 1 or not _take_identity(fd, tmp, target, old)
            os.fsync(fd)
        finally:
            os.close(fd)
        if in_place and old is not None:
            _write_in_place(target, old, tmp, data)
        else:
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _take_identity(fd: int, tmp: str, target: Path, old: os.stat_result) -> bool:
    """Give the temporary file the target's owner, group, mode and xattrs; False if not allowed."""
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except PermissionError:  # not root, or not in the file's group: keep it in place
            return False
    os.chmod(tmp, stat.S_IMODE(old.st_mode))  # after chown, which clears set-id bits
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(target)
        except OSError:
            names = []
        for name in names:
            with contextlib.suppress(OSError):  # best effort: security.* may be refused
                os.setxattr(fd, name, os.getxattr(target, name))
    return True


def _write_in_place(target: Path, old: os.stat_result, tmp: str, data: bytes) -> None:
    pending = pending_path(target)
    try:
        os.link(tmp, pending)  # fails if a pending file is there: never overwrite it
    except FileExistsError:
        raise InterruptedWriteError(str(target), str(pending)) from None
    except OSError:  # pragma: no cover - a file system without hard links
        if pending.exists():
            raise InterruptedWriteError(str(target), str(pending)) from None
        os.rename(tmp, pending)
    Path(tmp).unlink(missing_ok=True)
    _fsync_folder(target.parent)
    mode = stat.S_IMODE(old.st_mode)
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        lifted = False
    except PermissionError:
        # A read-only file the caller chose to write (force): lift the owner's write bit.
        try:
            os.chmod(target, mode | stat.S_IWUSR)
            fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            pending.unlink(missing_ok=True)  # the target is untouched
            raise ReadOnlyFileError(str(target), mode, forced=True) from None
        lifted = True
    try:
        try:
            view = memoryview(data)
            written = 0
            while written < len(data):
                written += os.pwrite(fd, view[written:], written)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except OSError as err:  # a full disk mid-copy: the pending file has it all
            raise InterruptedWriteError(str(target), str(pending)) from err
    finally:
        os.close(fd)
        if lifted:
            os.chmod(target, mode)
    pending.unlink()


def _fsync_folder(folder: Path) -> None:
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

    Examples:
        >>> list(find_deal_files(["examples"]))[:1]
        ['examples/enterprise-committee.yaml']
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


def starter_deal(
    filename: str | os.PathLike[str], name: str = "New deal", *, today: date | None = None
) -> str:
    """Return the commented starter deal that ``influence new`` writes: it validates.

    Args:
        filename: The file it will be written to (named in its comments).
        name: The deal's name.
        today: The day of the sample dates (default: today).

    Returns:
        YAML text, to fill in by hand.

    Examples:
        >>> from datetime import date
        >>> text = starter_deal("acme.yaml", 'ACME "ERP"', today=date(2026, 11, 20))
        >>> parse_deal(text).deal.name, parse_deal(text).as_of()
        ('ACME "ERP"', datetime.date(2026, 11, 20))
    """
    from importlib.resources import files

    template = files("influence").joinpath("templates/starter.yaml").read_text("utf-8")
    return (
        template.replace("{filename}", os.fspath(filename))
        .replace("{name}", json.dumps(name, ensure_ascii=False))
        .replace("{today}", (today or date.today()).isoformat())
    )


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
        ['deal', 'people', 'policy', 'relationships', 'touchpoints', 'version']
    """
    schema = Deal.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    defs = schema.pop("$defs", {})
    _word_numbers(defs)
    touchpoints = schema["properties"]["touchpoints"]
    schema["properties"]["touchpoints"] = {
        "description": touchpoints.pop("description", ""),
        "anyOf": [
            touchpoints,
            {"type": "string", "pattern": r"\.(?:[cC][sS][vV]|[jJ][sS][oO][nN][lL])$"},
        ],
    }
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


def format_of(path: str | os.PathLike[str], text: str | None = None) -> Format:
    """Return the format of a deal or policy file: ``"json"`` or ``"yaml"``.

    The extension decides (``.json``; ``.yaml`` or ``.yml``). A name without one of
    them (a pipe such as ``<(git show HEAD:deal.yaml)``, a file named ``HEAD-deal``)
    is JSON when ``text`` starts with ``{`` and YAML otherwise; without ``text`` it
    is an error. Every reader and writer of deal files decides the format here.

    Args:
        path: The file's name.
        text: The file's text, when it has been read and may be sniffed.

    Returns:
        ``"json"`` or ``"yaml"``.

    Raises:
        DealFileError: the extension is unknown and there is no text to sniff.

    Examples:
        >>> format_of("deal.JSON"), format_of("deal.yml"), format_of("/dev/fd/63", ' {"a": 1}')
        ('json', 'yaml', 'json')
        >>> try:
        ...     format_of("deal.txt")
        ... except DealFileError as err:
        ...     print(err)
        deal.txt: unknown file type '.txt'; a deal file ends in .yaml, .yml or .json
    """
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if text is not None:
        return "json" if text.lstrip().startswith("{") else "yaml"
    raise _file_error(
        name,
        f"unknown file type {suffix or '(none)'!r}; a deal file ends in .yaml, .yml or .json",
    )


def _parse(
    text: str, fmt: Format, source: str, raw: bytes | None = None
) -> tuple[Any, list[Problem]]:
    """Parse text to plain data, or return the located syntax problems.

    ``raw``: the UTF-8 bytes ``text`` was decoded from, if at hand: a big JSON
    file is then checked and parsed from them, not encoded again.
    """
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

        deep, fast = _json_quick(text, raw)
        if deep is not None:
            return None, [Problem(source, *_line_col(text, deep), "", _nesting_message())]
        if fast is not None:
            return fast, []
        try:
            data = json.loads(
                text,
                object_pairs_hook=pairs,
                parse_int=_json_int,
                parse_constant=_json_constant,
            )
        except json.JSONDecodeError as err:
            return None, [Problem(source, err.lineno, err.colno, "", f"invalid JSON: {err.msg}")]
        except _JSONNumberError as err:
            line, col = _json_number_at(text, err.literal)
            return None, [Problem(source, line, col, "", f"invalid JSON: {err}")]
        except RecursionError:  # pragma: no cover - _json_shape finds it first
            return None, [Problem(source, 0, 0, "", _nesting_message())]
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
    return _loaded_yaml(text, data, source)


def _loaded_yaml(text: str, data: Any, source: str) -> tuple[Any, list[Problem]]:
    """The checks of YAML data once loaded (:func:`_parse`'s, for data loaded elsewhere)."""
    if data is None:
        return None, [Problem(source, 0, 0, "", "the file is empty; see `influence new`")]
    if "&" in text and "*" in text:
        values, depth = _expanded_size(data)
        if values > MAX_EXPANDED_VALUES:
            what = f"would expand this file to more than {MAX_EXPANDED_VALUES:,} values"
        elif depth > MAX_DEPTH:
            what = f"nest lists and mappings more than {MAX_DEPTH} levels deep (the limit)"
        else:
            return data, []
        return None, [
            Problem(
                source,
                0,
                0,
                "",
                f"YAML aliases (*name) {what}; write the data out instead of nesting aliases",
            )
        ]
    return data, []


def _json_quick(text: str | None, raw: bytes | None = None) -> tuple[int | None, Any]:
    """A big JSON document's data the fast way, if it has none of the problems looked for.

    ``(where it nests too deep or None, the data or None)``; ``text`` or ``raw``
    (its UTF-8 bytes; with a byte order mark or not) or both. A big file is
    parsed without a Python call per object, by pydantic's own parser (in Rust,
    twice as fast). It has no key twice when its objects hold as many keys as it
    has colons between strings. Anything else (a repeated key, an error, a shape
    the count does not follow) gives no data: the caller parses it again with the
    standard library and the hooks that find and locate each problem. Where it
    nests too deep is found only in ``text``. Data from ``raw`` alone is valid
    UTF-8 (the parser checks every string; outside them JSON is ASCII).
    """
    if raw is not None and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if text is None and raw is not None:
        if len(raw) < 1_000_000:  # the small file's way: see _json_shape
            return None, None
        deep, colons, long_number = _json_shape(None, raw)
        deep = None  # its place is told in the text (the caller's standard way)
    else:
        assert text is not None
        deep, colons, long_number = _json_shape(text, raw)
    if deep is not None or colons is None or long_number:
        return deep, None
    fast = _json_fast(raw if raw is not None else text or "")
    if fast is not None and _keys_counted(fast) == colons:
        return None, fast
    return None, None


def _nesting_message() -> str:
    return (
        f"invalid JSON: lists and mappings are nested more than {MAX_DEPTH} levels deep "
        "here (the limit; a deal file needs 4)"
    )


class _JSONNumberError(ValueError):
    """A JSON number a deal file cannot hold; ``literal`` is its text, to find it by."""

    def __init__(self, literal: str, message: str) -> None:
        self.literal = literal
        super().__init__(message)


def _json_int(literal: str) -> int:
    try:
        return _yaml._int(literal)
    except _yaml.NumberTooLargeError as err:
        raise _JSONNumberError(literal, str(err)) from None


def _json_constant(literal: str) -> Any:
    raise _JSONNumberError(
        literal,
        f"{literal} is not JSON and not a number a deal file can hold; write a finite number",
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _json_number_at(text: str, literal: str) -> tuple[int, int]:
    """Where the number ``literal`` stands as a value (not inside a string), or (0, 0)."""
    for match in re.finditer(rf"[\[:,]\s*({re.escape(literal)})(?![\w.])", text):
        return _line_col(text, match.start(1))
    return 0, 0


_JSON_KEEP = b'"[]{}:0123456789'
_JSON_DROP = bytes(b for b in range(256) if b not in _JSON_KEEP)
_QUOTE, _COLON, _OPEN_LIST, _OPEN_MAP = b'":[{'
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]', re.DOTALL)


def _json_fast(text: str | bytes) -> Any:
    """The JSON value of ``text`` by pydantic's parser, or None where it finds a problem.

    It accepts what the standard library accepts, with the same values, but for
    ``NaN``/``Infinity`` (refused here too) and integers of up to 4,300 digits
    (:func:`_json_shape` sends a file with a run of more than
    :data:`~influence._yaml.MAX_NUMBER_DIGITS` digits to the standard library).
    """
    import pydantic_core

    try:
        return pydantic_core.from_json(text, allow_inf_nan=False, cache_strings=True)
    except ValueError:
        return None


#: Each digit to "9", every other byte to itself.
_NINES = bytes(ord("9") if ord("0") <= b <= ord("9") else b for b in range(256))
_LONG_RUN = b"9" * (_yaml.MAX_NUMBER_DIGITS + 1)


def _json_shape(text: str | None, raw: bytes | None = None) -> tuple[int | None, int | None, bool]:
    """Before parsing: where JSON nests deeper than :data:`MAX_DEPTH` (or None), and its colons.

    Python's JSON parser recurses once per level. Cheap first, in C: drop the
    escaped quotes and backslashes, keep only quotes, brackets and colons; a
    character is in a string when an odd number of quotes comes before it
    (numpy). The colons outside strings are counted (one per key of every
    object: see :func:`_keys_counted`), and the brackets outside strings give
    each place's depth. Only a document nested too deep is walked bracket by
    bracket to find the place. A small document (at most ``MAX_DEPTH``
    brackets) is not deep, and its colons are not counted (None); nor are an
    unbalanced document's (the standard library's parser then says where it
    breaks). The third value: whether it holds a run of more digits than a
    number may have (in a string or not). ``raw``: ``text`` in UTF-8, if at hand
    (without ``text``, a document nested too deep is told as at offset -1).
    """
    if (
        text is not None
        and len(text) < 1_000_000
        and text.count("[") + text.count("{") <= MAX_DEPTH
    ):
        return None, None, False
    import numpy as np

    if raw is None:
        assert text is not None
        raw = text.encode("utf-8", "surrogatepass")
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Digits are kept too, as nines, to look for a long run; two numbers with only
    # dropped characters between them make one run: a false alarm, which only sends
    # the file the standard library's way.
    kept = raw.translate(_NINES, _JSON_DROP)
    long_number = _LONG_RUN in kept
    marks = np.frombuffer(kept.translate(None, b"9"), dtype=np.uint8)
    quotes = marks == _QUOTE
    # The count of quotes so far, mod 2 (a uint8 sum wraps at 256: the parity holds).
    outside = (np.cumsum(quotes, dtype=np.uint8) & 1) == 0
    outside &= ~quotes
    colons = int(np.count_nonzero((marks == _COLON) & outside))
    brackets = marks[outside & (marks != _COLON)]
    depth = np.cumsum(np.where((brackets == _OPEN_LIST) | (brackets == _OPEN_MAP), 1, -1))
    if not len(depth) or depth.max() <= MAX_DEPTH:
        balanced = not len(depth) or (depth.min() >= 0 and depth[-1] == 0)
        return None, colons if balanced else None, long_number
    if text is None:
        return -1, None, long_number
    depth_now = 0
    for match in _JSON_TOKEN.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth_now += 1
            if depth_now > MAX_DEPTH:
                return match.start(), None, long_number
        elif char in "]}":
            depth_now -= 1
    return None, None, long_number  # pragma: no cover - the count found it deep


def _keys_counted(data: Any) -> int:
    """The keys of the objects where a deal file has them: the top, its values, their items.

    Never more than the document's keys: equal to its colons (:func:`_json_shape`)
    only when no object lost a repeated key. Objects elsewhere are not counted (a
    file that has them is parsed again, with the hook that finds repeated keys).
    """
    if not isinstance(data, dict):
        return -1
    count = len(data)
    for value in data.values():
        if isinstance(value, dict):
            count += len(value)
        elif isinstance(value, list) and all(map(isinstance, value, repeat(dict))):
            count += sum(map(len, value))
    return count


def _expanded_size(data: Any) -> tuple[int, int]:
    """The values ``data`` holds once every shared (aliased) part is expanded, and its depth.

    Depth counts lists and mappings, as :data:`MAX_DEPTH` does: ``[[1]]`` is 2
    deep. A recursive alias counts once, then stops. Walked with a stack, not
    recursion: a chain of aliases can be thousands of levels deep.
    """
    memo: dict[int, tuple[int, int]] = {}

    def children(obj: Any) -> Iterator[Any] | None:
        if isinstance(obj, dict):
            return iter(obj.values())
        if isinstance(obj, list):
            return iter(obj)
        return None

    top = children(data)
    if top is None:
        return 1, 0
    memo[id(data)] = (0, 0)  # in progress: a recursive alias back to it adds nothing
    stack: list[tuple[Any, Iterator[Any], list[int]]] = [(data, top, [1, 0])]
    while stack:
        obj, items, found = stack[-1]
        child = next(items, _DONE)
        if child is _DONE:
            stack.pop()
            memo[id(obj)] = (found[0], found[1] + 1)
            if stack:
                above = stack[-1][2]
                above[0] += found[0]
                above[1] = max(above[1], found[1] + 1)
            continue
        key = id(child)
        if key in memo:
            size, depth = memo[key]
            found[0] += size
            found[1] = max(found[1], depth)
            continue
        inner = children(child)
        if inner is None:
            found[0] += 1
            continue
        memo[key] = (0, 0)
        stack.append((child, inner, [1, 0]))
    return memo[id(data)]


_DONE = object()


def _check_text(
    text: str | None,
    fmt: Format,
    source: str,
    default_id: str | None,
    *,
    warnings: bool = True,
    raw: bytes | None = None,
    data: Any = None,
    loaded: Any = None,
) -> CheckResult:
    """Check a deal's text.

    ``raw``: the file's bytes, when read from one (see :func:`_parse`); ``data``:
    what they parse to, when :func:`_json_quick` found it (then ``text`` may be
    None: it is decoded from ``raw`` only to locate a problem). ``loaded``: YAML
    ``text`` as :func:`influence._yaml.load` read it; it spares a second read of
    text that an edit has just read to check its splice, and must be exactly what
    ``_yaml.load(text)`` returns.
    """
    if data is None:
        assert text is not None
        if loaded is not None and fmt == "yaml" and text.strip():
            data, problems = _loaded_yaml(text, loaded, source)
        else:
            data, problems = _parse(text, fmt, source, raw)
        _exit.keep(data)  # a command line about one deal leaves it to the OS to free
        if problems:
            return CheckResult(source, None, problems)
    else:
        _exit.keep(data)
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
    sidecar: _Sidecar | None = None
    sidecar_problems: list[Problem] = []
    if isinstance(data.get("touchpoints"), str):  # a sidecar file; absent: nothing done
        data, sidecar, sidecar_problems = _read_sidecar(data, source, _text(text, raw, source), fmt)
    try:
        deal = deal_from_data(data, default_id=default_id)
    except ValidationError as err:
        errors = err.errors(include_url=False)
        located = _Locator(_text(text, raw, source), fmt)
        integrity = _integrity_problems(errors)
        if integrity is not None:
            found = [_located(source, located, loc, msg) for loc, msg in integrity]
        else:
            found = [_problem(source, located, tuple(e["loc"]), e, Deal) for e in errors]
            found += [_located(source, located, loc, msg) for loc, msg in _raw_integrity(data)]
        if sidecar is not None:
            found = [sidecar.relocated(p) for p in found]
        return CheckResult(source, None, sorted(set(found + sidecar_problems)))
    if sidecar_problems:
        return CheckResult(source, None, sorted(set(sidecar_problems)))
    found_warnings = _warnings(deal) if warnings else []
    if found_warnings:
        located = _Locator(_text(text, raw, source), fmt)
        return CheckResult(
            source,
            deal,
            sorted(_located(source, located, loc, msg, "warning") for loc, msg in found_warnings),
        )
    return CheckResult(source, deal, [])


def _text(text: str | None, raw: bytes | None, source: str) -> str:
    """The text, decoded from the bytes it was parsed from if it was not yet."""
    if text is not None:
        return text
    assert raw is not None
    return _decoded(raw, source)


@dataclass(frozen=True)
class _Sidecar:
    """A touchpoints file read for a deal: its name and the line each touchpoint starts on."""

    name: str
    lines: list[int]

    def relocated(self, problem: Problem) -> Problem:
        """A problem of ``touchpoints[i]`` located at the sidecar's line (others unchanged)."""
        match = re.match(r"touchpoints\[(\d+)\]", problem.field)
        if match is None or int(match.group(1)) >= len(self.lines):
            return problem
        line = self.lines[int(match.group(1))]
        return Problem(self.name, line, 0, problem.field, problem.message, problem.severity)


def sidecar_path(deal_file: str | os.PathLike[str], name: str) -> Path:
    """Where the touchpoints file ``name`` named in ``deal_file`` is: beside it."""
    return Path(deal_file).parent / name


def _read_sidecar(
    data: dict[str, Any], source: str, text: str, fmt: Format
) -> tuple[dict[str, Any], _Sidecar | None, list[Problem]]:
    """The deal's data with the touchpoints of the file it names, and that file's problems."""
    from influence._sidecar import parse_sidecar, sidecar_format

    name = data["touchpoints"]
    without = {**data, "touchpoints": []}
    side_fmt = sidecar_format(name)
    if source == "<string>" and side_fmt in ("csv", "jsonl"):
        side_fmt = (
            f"the touchpoints file {name!r} is read beside the deal file; "
            "this deal was given as text, not read from a file"
        )
    if side_fmt not in ("csv", "jsonl"):
        line, col = _Locator(text, fmt).find(("touchpoints",))
        return without, None, [Problem(source, line, col, "touchpoints", side_fmt)]
    path = sidecar_path(source, name)
    try:
        side_text = read_text(path)
    except DealFileError as err:
        return without, None, err.problems
    rows, lines, problems = parse_sidecar(side_text, side_fmt, str(path))  # type: ignore[arg-type]
    return {**data, "touchpoints": rows}, _Sidecar(str(path), lines), problems


def _integrity_problems(errors: list[Any]) -> list[tuple[str, str]] | None:
    """The cross-reference problems of a deal whose fields are valid, if that is the error."""
    for e in errors:
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, IntegrityProblems):
            return cause.problems
    return None


def _warnings(deal: Deal) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    isolated = set(deal_graph(deal).isolated())
    for i, p in enumerate(deal.people):
        if p.side is not Side.CUSTOMER and any(r in BUYING_ROLES for r in p.roles):
            out.append(
                (
                    f"people[{i}].roles",
                    f"{p.id!r} is on the {p.side.value} side but holds buying roles "
                    f"({', '.join(r.value for r in p.roles)}); roles count only for customers",
                )
            )
        if p.id in isolated:
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
        "touchpoints": Touchpoint,
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
        return f"the number {_show(value)}"
    return f"the text {_show(value)}"


def _show(value: Any) -> str:
    """A value as an error message quotes it: short, and never a failing int-to-text."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else f"{'-' * (value < 0)}infinity"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        try:
            return f"a number of {len(str(abs(value))):,} digits"
        except ValueError:  # past Python's int-to-text limit
            return f"a number of over {sys.get_int_max_str_digits():,} digits"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


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
        if loc[:1] == ("touchpoints",) and field_name == "kind":
            concept = "touchpoint kind"
        elif "refusals" in loc and field_name == "kind":
            concept = "refusal kind"
        elif "buying_signals" in loc and field_name == "kind":
            concept = "buying signal kind"
        elif field_name == "status":
            concept = "person status"
        elif "stage_steps" in loc or "step_min_days" in loc or "checklist" in loc:
            concept = "buying step"
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
        limits = ", ".join(
            f"{bounds[k]} {int(v) if isinstance(v, float) and v.is_integer() else v}"
            for k, v in ctx.items()
            if k in bounds
        )
        message = f"{_show(value)} is out of range for {field_name}; expected a number {limits}"
        if field_name in ("influence", "strength", "coverage_strength", "decision_influence"):
            message = f"{_show(value)} is out of range; expected a number from 0 to 1"
    elif kind == "finite_number":
        message = f"expected a finite number, not {_show(value)}"
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
