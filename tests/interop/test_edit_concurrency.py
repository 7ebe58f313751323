"""Edits that race, die or meet unusual files: none is lost, none leaves a broken file.

Every edit holds ``.NAME.lock`` beside the deal (``influence.io.deal_lock``) from
the read to the write, so concurrent edits take turns; a writer that waits past
``--wait`` fails with exit 4 naming the lock file; a killed holder's lock is
released by the system. Writing keeps the file's mode, owner, group and hard
links, and a read-only file is refused (exit 4) unless ``--force``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from influence.errors import DealLockError, InterruptedWriteError, ReadOnlyFileError
from influence.interop.edit import add_person, set_person
from influence.io import LOCK_WAIT, deal_lock, lock_path, pending_path, read_deal
from tests.conftest import ROOT

DEAL = """\
# A deal that several people edit at once.
deal:
  name: Race   # keep me
people:
  - id: ann
    name: Ann
    title: CFO
  - id: bo
    name: Bo
    notes: first
  - {id: cy, name: Cy}
  - id: dee
    name: Dee
relationships:
  - {from: ann, to: bo}
  - {from: bo, to: cy}
  - {from: cy, to: dee}
"""

FORK = multiprocessing.get_context("fork")
CLI = [sys.executable, "-m", "influence"]


@pytest.fixture
def deal_file(tmp_path: Path) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(DEAL, encoding="utf-8")
    return path


def run_cli(*args: str | os.PathLike[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )


def others(folder: Path, *keep: Path) -> list[str]:
    """Files in the folder other than ``keep``: temporary, pending or lock files left behind."""
    return sorted(p.name for p in folder.iterdir() if p not in keep)


# -- concurrent edits -------------------------------------------------------------------------


def _pair_writer(
    path: str, person: str, field: str, rounds: int, barrier: Any, errors: Any
) -> None:
    for i in range(rounds):
        barrier.wait()
        try:
            set_person(path, person, {field: f"{field} {i}"}, wait=30)
        except Exception as err:  # reported to the test, which fails on it
            errors.put(f"round {i}: {person}.{field}: {type(err).__name__}: {err}")
        barrier.wait()


def test_200_pairs_of_concurrent_edits_lose_nothing(deal_file: Path) -> None:
    rounds = 200
    barrier = FORK.Barrier(3, timeout=60)
    errors = FORK.Queue()
    writers = [
        FORK.Process(
            target=_pair_writer, args=(str(deal_file), person, field, rounds, barrier, errors)
        )
        for person, field in (("ann", "title"), ("bo", "notes"))
    ]
    for w in writers:
        w.start()
    lost: list[str] = []
    try:
        for i in range(rounds):
            barrier.wait()  # both writers start their edit at once
            barrier.wait()  # both are done
            deal = read_deal(deal_file)
            ann, bo = deal.person("ann"), deal.person("bo")
            if ann.title != f"title {i}" or bo.notes != f"notes {i}":
                lost.append(f"round {i}: title={ann.title!r} notes={bo.notes!r}")
    finally:
        for w in writers:
            w.join(timeout=60)
            if w.is_alive():  # pragma: no cover - only on a hang
                w.kill()
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert [w.exitcode for w in writers] == [0, 0]
    assert (failures, lost) == ([], [])
    text = deal_file.read_text(encoding="utf-8")
    assert "name: Race   # keep me" in text  # the rest of the file is as it was
    assert others(deal_file.parent, deal_file) == []  # no lock or temporary file left


def _adder(path: str, writer: int, count: int, barrier: Any) -> None:
    barrier.wait()
    for j in range(count):
        add_person(path, {"name": f"Writer {writer} Person {j}"}, wait=30)


def test_four_writers_adding_to_one_list_lose_nothing(deal_file: Path) -> None:
    # More than two contenders: the lock file is deleted and re-created all the time.
    writers, count = 4, 20
    barrier = FORK.Barrier(writers, timeout=60)
    procs = [
        FORK.Process(target=_adder, args=(str(deal_file), k, count, barrier))
        for k in range(writers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        if p.is_alive():  # pragma: no cover - only on a hang
            p.kill()
    assert [p.exitcode for p in procs] == [0] * writers
    ids = {p.id for p in read_deal(deal_file).people}
    expected = {f"writer-{k}-person-{j}" for k in range(writers) for j in range(count)}
    assert expected <= ids and len(ids) == 4 + writers * count
    assert others(deal_file.parent, deal_file) == []


def test_concurrent_cli_edits_lose_nothing(deal_file: Path) -> None:
    for i in range(4):
        procs = [
            subprocess.Popen(
                [*CLI, "person", "set", str(deal_file), person, f"{field}={field} {i}"],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
            )
            for person, field in (("cy", "title"), ("dee", "notes"))
        ]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        deal = read_deal(deal_file)
        assert (deal.person("cy").title, deal.person("dee").notes) == (f"title {i}", f"notes {i}")


# -- the lock ---------------------------------------------------------------------------------

_HOLD = """
import sys, time
from influence.io import deal_lock
with deal_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def holder(deal_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the deal's lock."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(deal_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "locked\n"
    yield proc
    proc.kill()
    proc.wait(timeout=30)
    proc.stdout.close()


def test_a_busy_lock_is_exit_4_naming_the_lock_file(
    deal_file: Path, holder: subprocess.Popen[str]
) -> None:
    lock = deal_file.parent / ".deal.yaml.lock"
    started = time.monotonic()
    result = run_cli("person", "set", deal_file, "ann", "stance=ally", "--wait", "0.5")
    assert result.returncode == 4, result.stderr
    assert time.monotonic() - started >= 0.5
    assert str(lock) in result.stderr
    assert f"process {holder.pid}" in result.stderr
    assert "--wait SECONDS" in result.stderr and "nothing was read or written" in result.stderr
    assert "Traceback" not in result.stderr
    assert deal_file.read_text(encoding="utf-8") == DEAL

    with pytest.raises(DealLockError) as caught:
        set_person(deal_file, "ann", {"stance": "ally"}, wait=0)
    assert (caught.value.lock_file, caught.value.holder) == (str(lock), holder.pid)
    assert deal_file.read_text(encoding="utf-8") == DEAL


def test_a_killed_holder_releases_the_lock(deal_file: Path, holder: subprocess.Popen[str]) -> None:
    # An edit waiting for the lock goes ahead as soon as the holder is killed.
    waiting = subprocess.Popen(
        [*CLI, "person", "set", str(deal_file), "ann", "stance=ally", "--wait", "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )
    time.sleep(1.0)
    assert waiting.poll() is None  # still waiting
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert read_deal(deal_file).person("ann").stance.value == "ally"
    assert others(deal_file.parent, deal_file) == []

    # A lock file left by a killed holder does not block either.
    killed = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(deal_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )
    assert killed.stdout is not None and killed.stdout.readline() == "locked\n"
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    killed.stdout.close()
    assert lock_path(deal_file).exists()  # left behind...
    result = run_cli("person", "set", deal_file, "bo", "stance=blocker", "--wait", "0")
    assert result.returncode == 0, result.stderr  # ...and harmless
    assert read_deal(deal_file).person("bo").stance.value == "blocker"
    assert not lock_path(deal_file).exists()


def test_threads_take_turns_and_a_nested_lock_does_not_wait(deal_file: Path) -> None:
    link = deal_file.parent / "link.yaml"
    link.symlink_to(deal_file.name)
    assert lock_path(link) == lock_path(deal_file) == deal_file.parent / ".deal.yaml.lock"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with deal_lock(deal_file):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(30)
        with pytest.raises(DealLockError):  # another thread, through the symbolic link
            set_person(link, "ann", {"stance": "ally"}, wait=0.1)
    finally:
        release.set()
        thread.join(30)
    with deal_lock(deal_file):  # the one-call edit inside a held lock: no self-deadlock
        assert set_person(link, "ann", {"stance": "ally"}, wait=0).written
    assert read_deal(deal_file).person("ann").stance.value == "ally"
    assert link.is_symlink()


def test_the_cli_waits_as_long_as_the_library() -> None:
    from influence.cli import interop

    assert interop._WAIT == LOCK_WAIT == 10.0


# -- the file's identity ------------------------------------------------------------------------


def test_a_hard_link_is_kept(deal_file: Path) -> None:
    other = deal_file.parent / "same-deal.yaml"
    os.link(deal_file, other)
    inode = deal_file.stat().st_ino
    result = run_cli("person", "set", deal_file, "ann", "stance=ally")
    assert result.returncode == 0, result.stderr
    assert deal_file.stat().st_ino == other.stat().st_ino == inode
    assert deal_file.stat().st_nlink == 2
    assert read_deal(other).person("ann").stance.value == "ally"
    assert other.read_bytes() == deal_file.read_bytes()
    assert others(deal_file.parent, deal_file, other) == []  # no pending file left

    # A shorter text is not followed by the old tail.
    set_person(other, "bo", {"notes": ""})
    assert deal_file.read_text(encoding="utf-8") == other.read_text(encoding="utf-8")
    assert read_deal(deal_file).person("bo").notes is None


def _group_other_than_ours() -> int | None:
    if os.geteuid() == 0:
        return 65534 if os.getegid() != 65534 else 0
    groups = [g for g in os.getgroups() if g != os.getegid()]
    return groups[0] if groups else None


def test_mode_and_group_are_kept(deal_file: Path) -> None:
    group = _group_other_than_ours()
    if group is None:
        pytest.skip("this user belongs to no second group")
    os.chown(deal_file, -1, group)
    deal_file.chmod(0o640)
    result = run_cli("person", "set", deal_file, "ann", "stance=ally")
    assert result.returncode == 0, result.stderr
    st = deal_file.stat()
    assert (stat.S_IMODE(st.st_mode), st.st_gid) == (0o640, group)
    assert read_deal(deal_file).person("ann").stance.value == "ally"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_the_owner_is_kept(deal_file: Path) -> None:
    os.chown(deal_file, 65534, 65534)
    assert set_person(deal_file, "ann", {"stance": "ally"}).written
    st = deal_file.stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534)


def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    from influence.io import _umask, write_text

    path = tmp_path / "new.yaml"
    write_text(path, DEAL)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


# -- read-only files ----------------------------------------------------------------------------


def test_a_read_only_file_is_refused_without_force(deal_file: Path) -> None:
    deal_file.chmod(0o444)
    before = deal_file.read_bytes()
    result = run_cli("person", "set", deal_file, "ann", "stance=ally")
    assert result.returncode == 4, result.stderr
    assert f"{deal_file} is read-only (mode 0444): nothing was written" in result.stderr
    assert "--force" in result.stderr and "chmod u+w" in result.stderr
    assert "Traceback" not in result.stderr
    assert deal_file.read_bytes() == before
    assert others(deal_file.parent, deal_file) == []  # no partial write, no lock file
    with pytest.raises(ReadOnlyFileError):
        set_person(deal_file, "ann", {"stance": "ally"})
    assert deal_file.read_bytes() == before

    result = run_cli("person", "set", deal_file, "ann", "stance=ally", "--force")
    assert result.returncode == 0, result.stderr
    assert read_deal(deal_file).person("ann").stance.value == "ally"
    assert stat.S_IMODE(deal_file.stat().st_mode) == 0o444  # still read-only
    assert others(deal_file.parent, deal_file) == []


def test_a_read_only_hard_linked_file_with_force(deal_file: Path) -> None:
    other = deal_file.parent / "same-deal.yaml"
    os.link(deal_file, other)
    deal_file.chmod(0o444)
    assert set_person(other, "ann", {"stance": "ally"}, force=True).written
    assert deal_file.stat().st_ino == other.stat().st_ino
    assert stat.S_IMODE(deal_file.stat().st_mode) == 0o444
    assert read_deal(deal_file).person("ann").stance.value == "ally"


# -- as another user: no root powers -------------------------------------------------------------


def _as_nobody(work: Any) -> int:
    """Run ``work()`` in a forked child as user and group 65534; its exit code."""
    import fcntl  # noqa: F401 - loaded now: the child cannot read the interpreter's files

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            code = work()
        except BaseException as err:
            sys.stderr.write(f"{type(err).__name__}: {err}\n")
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to set up files for another user")
def test_without_root_powers() -> None:
    folder = Path(tempfile.mkdtemp(prefix="influence-nobody-"))
    try:
        folder.chmod(0o777)
        warm = folder / "warm.yaml"  # load every module the edit needs before dropping root
        warm.write_text(DEAL, encoding="utf-8")
        set_person(warm, "ann", {"stance": "ally"})
        set_person(warm, "ann", {"stance": "blocker"}, force=True)

        # Owned by root, writable by the group: a rename would give it to nobody,
        # so it is written in place and keeps its owner.
        shared = folder / "shared.yaml"
        shared.write_text(DEAL, encoding="utf-8")
        os.chown(shared, 0, 65534)
        shared.chmod(0o664)
        inode = shared.stat().st_ino

        def edit_shared() -> int:
            return 0 if set_person(shared, "ann", {"stance": "ally"}).written else 1

        assert _as_nobody(edit_shared) == 0
        st = shared.stat()
        assert (st.st_uid, st.st_gid, st.st_ino) == (0, 65534, inode)
        assert stat.S_IMODE(st.st_mode) == 0o664
        assert read_deal(shared).person("ann").stance.value == "ally"

        # Their own read-only file: refused; with force, written and read-only again,
        # in place when it has a second link.
        mine = folder / "mine.yaml"
        mine.write_text(DEAL, encoding="utf-8")
        os.link(mine, folder / "mine-link.yaml")
        os.chown(mine, 65534, 65534)
        mine.chmod(0o444)

        def edit_mine() -> int:
            try:
                set_person(mine, "ann", {"stance": "ally"})
            except ReadOnlyFileError:
                pass
            else:
                return 2
            if mine.read_text(encoding="utf-8") != DEAL:
                return 3
            return 0 if set_person(mine, "ann", {"stance": "ally"}, force=True).written else 4

        assert _as_nobody(edit_mine) == 0
        assert stat.S_IMODE(mine.stat().st_mode) == 0o444
        assert mine.stat().st_nlink == 2
        assert read_deal(folder / "mine-link.yaml").person("ann").stance.value == "ally"
        # Someone else's file they may not write: refused, even with force.
        theirs = folder / "theirs.yaml"
        theirs.write_text(DEAL, encoding="utf-8")
        theirs.chmod(0o644)

        def edit_theirs() -> int:
            for force in (False, True):
                try:
                    set_person(theirs, "ann", {"stance": "ally"}, force=force)
                except ReadOnlyFileError as err:
                    if force and "even --force cannot write it" not in str(err):
                        return 5
                else:
                    return 6
            return 0

        assert _as_nobody(edit_theirs) == 0
        assert theirs.read_text(encoding="utf-8") == DEAL
        leftovers = {p.name for p in folder.iterdir()}
        assert leftovers == {
            "warm.yaml",
            "shared.yaml",
            "mine.yaml",
            "mine-link.yaml",
            "theirs.yaml",
        }
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


# -- an interrupted write in place ----------------------------------------------------------------

# The CLI with os.ftruncate announced and slowed down: in the in-place copy of a
# hard-linked file, the new text is written and the old tail not yet cut off.
_SLOW_TRUNCATE = """
import os, sys, time
real = os.ftruncate
def ftruncate(fd, length):
    if length:  # not the lock file's
        sys.stderr.write("copied\\n"); sys.stderr.flush()
        time.sleep(60)
    real(fd, length)
os.ftruncate = ftruncate
sys.argv = ["influence", *sys.argv[1:]]
from influence.cli import main
main()
"""


def test_a_write_in_place_killed_midway_keeps_the_new_text_and_says_so(deal_file: Path) -> None:
    other = deal_file.parent / "same-deal.yaml"
    os.link(deal_file, other)
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_TRUNCATE, "person", "set", str(deal_file), "bo", "notes="],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline() == "copied\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()
    pending = pending_path(deal_file)
    new = DEAL.replace("    notes: first\n", "")
    assert pending.read_text(encoding="utf-8") == new  # the complete new text
    assert deal_file.read_text(encoding="utf-8") != new  # the file: new text, then old tail

    result = run_cli("person", "set", deal_file, "ann", "stance=ally", "--wait", "0")
    assert result.returncode == 4, result.stderr
    assert "an earlier write in place was interrupted" in result.stderr
    assert f"cp {pending} {deal_file} && rm {pending}" in result.stderr
    with pytest.raises(InterruptedWriteError):
        set_person(deal_file, "ann", {"stance": "ally"})

    # Following the message keeps the new text and the hard link.
    subprocess.run(["cp", str(pending), str(deal_file)], check=True, timeout=30)
    pending.unlink()
    assert other.read_text(encoding="utf-8") == new
    assert run_cli("person", "set", deal_file, "ann", "stance=ally").returncode == 0
    assert read_deal(other).person("ann").stance.value == "ally"


def test_a_missing_folder_or_a_folder_without_write_permission(tmp_path: Path) -> None:
    result = run_cli("person", "set", tmp_path / "no" / "deal.yaml", "ann", "stance=ally")
    assert result.returncode == 3, result.stderr
    assert "cannot read the file: no such file or folder" in result.stderr

    folder = Path(tempfile.mkdtemp(prefix="influence-shut-"))  # reachable by user 65534
    deal = folder / "deal.yaml"
    deal.write_text(DEAL, encoding="utf-8")
    deal.chmod(0o666)  # the file is writable, its folder is not

    def edit() -> int:
        try:
            set_person(deal, "ann", {"stance": "ally"})
        except DealLockError as err:
            return 0 if "needs write permission on the file's folder" in str(err) else 2
        return 3

    try:
        folder.chmod(0o755)
        if os.geteuid() == 0:  # root may write any folder: try as user 65534
            assert deal.read_text(encoding="utf-8") == DEAL  # modules loaded before dropping root
            assert _as_nobody(edit) == 0
        else:
            folder.chmod(0o555)
            assert edit() == 0
        assert deal.read_text(encoding="utf-8") == DEAL
    finally:
        folder.chmod(0o755)
        deal.unlink()
        folder.rmdir()
