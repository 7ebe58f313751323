r"""Touchpoints: record contacts in a deal file, by hand or from calendars, mail and CRMs.

:func:`add_touchpoint` appends one touchpoint (``influence touch add``);
:func:`import_touchpoints` reads calendars (``.ics``), mail headers (``.mbox``,
``.eml``) and CRM activity exports (Salesforce Task and Event, HubSpot
engagements, ``.csv``) and appends what they show (``influence touch import``).

Both go through one writer: under the deal file's edit lock, the deal is read
and validated, the new touchpoints are checked against it, and then the deal
file (keeping every byte it had: the touchpoints are appended with the
byte-preserving edit machinery of :mod:`influence.interop.edit`) or its
sidecar file (``touchpoints: touchpoints.csv``; the new rows are appended to
its bytes) is written once, atomically. Nothing is written when anything is
wrong, and a dry run writes nothing at all.

Examples:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
    >>> _ = p.write_text(
    ...     "deal: {name: T}  # the pilot\npeople:\n- {name: Li Wei, side: seller}\n"
    ...     "- {name: Zhang Min}\n",
    ...     encoding="utf-8",
    ... )
    >>> result = add_touchpoint(p, ["li-wei", "zhang-min"], kind="visit", date="2026-11-02")
    >>> result.added
    1
    >>> print(p.read_text(encoding="utf-8"), end="")
    deal: {name: T}  # the pilot
    people:
    - {name: Li Wei, side: seller}
    - {name: Zhang Min}
    touchpoints:
    - date: 2026-11-02
      kind: visit
      people: [li-wei, zhang-min]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from influence._sidecar import parse_sidecar, sidecar_columns, sidecar_format, sidecar_text
from influence.errors import DealFileError, Problem, UnknownPersonError
from influence.interop.edit import (
    EditValueError,
    InvalidEditError,
    read_editable,
    write_editable,
)
from influence.io import (
    LOCK_WAIT,
    check_not_interrupted,
    check_writable,
    deal_lock,
    read_bytes,
    sidecar_path,
    write_bytes,
)
from influence.model import (
    DIRECTED_TOUCHES,
    TOUCH_KEYS,
    WAY_TOUCHES,
    Deal,
    Direction,
    Side,
    TouchKind,
    Touchpoint,
    touchpoint_problems,
)

__all__ = [
    "InvalidEditError",
    "TouchImportError",
    "TouchResult",
    "add_touchpoint",
    "import_touchpoints",
    "touch_items",
]


@dataclass
class TouchResult:
    """What a touchpoint edit or import did.

    Attributes:
        file: The file written (the deal file, or its touchpoints file).
        touchpoints: The touchpoints added (or that a dry run would add), in order.
        written: Whether the file was written (False for a dry run or nothing new).
        skipped: How many found touchpoints were already in the deal (same ``source``).
        unmatched: Records that did not name one of our people and one other person.
        unmapped: E-mail addresses that matched no person, by domain (sorted).
        warnings: Located problems of records that were skipped (a malformed date...).
        matched: How many added touchpoints each person is in, by id.
        outside: Records outside the window (more than three years before as_of, or after it).
        ignored: Records that are no contact (a cancelled event, a to-do, a planned call).
    """

    file: str
    touchpoints: list[Touchpoint]
    written: bool
    skipped: int = 0
    unmatched: list[str] = field(default_factory=list)
    unmapped: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)
    outside: int = 0
    ignored: int = 0

    @property
    def added(self) -> int:
        """How many touchpoints were added (or would be, for a dry run)."""
        return len(self.touchpoints)


def touch_items(touchpoints: Sequence[Touchpoint]) -> list[dict[str, Any]]:
    """Touchpoints as plain data, as a deal file or sidecar holds them (set fields, spec order).

    Examples:
        >>> t = Touchpoint(date=_date(2026, 1, 5), kind=TouchKind.CALL, people=["a", "b"])
        >>> touch_items([t])
        [{'date': '2026-01-05', 'kind': 'call', 'people': ['a', 'b']}]
    """
    # One call for the whole list: the same data as each touchpoint's model_dump, sooner.
    dumped = _TOUCHPOINTS.dump_python(list(touchpoints), mode="json", exclude_none=True)
    return [{k: data[k] for k in TOUCH_KEYS if k in data} for data in dumped]


_TOUCHPOINTS: TypeAdapter[list[Touchpoint]] = TypeAdapter(list[Touchpoint])


Build = Callable[[Deal], "tuple[list[Touchpoint], TouchResult]"]


def _write_touchpoints(
    path: str | os.PathLike[str], build: Build, *, force: bool, wait: float, dry_run: bool
) -> TouchResult:
    """Under the deal's lock: read and validate it, build touchpoints, check them, write once."""
    name = str(path)
    with deal_lock(path, wait=wait):
        doc = read_editable(path)
        checked = doc.check()
        if not checked.ok or checked.deal is None:
            raise DealFileError(name, checked.errors)
        deal = checked.deal
        touchpoints, result = build(deal)
        sides = {p.id: p.side for p in deal.people}
        offset = len(deal.touchpoints)
        problems = touchpoint_problems(touchpoints, sides, sides)
        if problems:  # a bug of the builder, or people given by hand: said, nothing written
            loc, message = problems[0]
            index = int(loc.split("[", 1)[1].split("]", 1)[0])
            raise EditValueError(f"touchpoints[{offset + index}]: {message}")
        result.touchpoints = touchpoints
        target = doc.data.get("touchpoints")
        sidecar = sidecar_path(name, target) if isinstance(target, str) else None
        result.file = str(sidecar) if sidecar is not None else name
        if dry_run or not touchpoints:
            return result
        items = touch_items(touchpoints)
        if sidecar is None:
            doc.append_items("touchpoints", items)
            # The written deal holds the same touchpoints, read back from the new text: only
            # those are kept (a 100,000-touchpoint import would hold two copies otherwise).
            del items, touchpoints
            result.touchpoints = []
            written = write_editable(doc, force=force, wait=wait).deal
            result.touchpoints = written.touchpoints[offset:]
        else:
            _append_sidecar(sidecar, sidecar_format(str(target)), items, force=force)
        result.written = True
        return result


def _append_sidecar(path: Path, fmt: str, items: list[dict[str, Any]], *, force: bool) -> None:
    """Append rows to a touchpoints file, after reading them back as the reader will."""
    raw = read_bytes(path)
    existing = raw.decode("utf-8-sig", errors="replace")
    header = fmt == "csv" and not existing.strip()
    columns: list[str] = list(TOUCH_KEYS)
    if fmt == "csv" and not header:  # the file's own columns, in its order
        named = sidecar_columns(existing.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r"))
        if named is None:
            raise EditValueError(
                f"{path}:1: the first line is not a header of touchpoint fields "
                f"({','.join(TOUCH_KEYS)}); nothing was written (fix the header, or let the "
                "command write a new file)"
            )
        columns = named
        lacking = sorted(
            {k for item in items for k in item if k not in columns}, key=TOUCH_KEYS.index
        )
        if lacking:
            raise EditValueError(
                f"{path}:1: the header has no column {', '.join(lacking)} for the new rows; "
                f"nothing was written (add {','.join(lacking)} to the header, an empty cell "
                "to each row, or let the command write a new file)"
            )
    new = sidecar_text(items, fmt, header=header, columns=columns)
    lead = b"" if not raw or raw.endswith(b"\n") else b"\n"
    # What the reader will make of the new lines: the same touchpoints, or nothing is written.
    check = (
        new
        if header or fmt != "csv"
        else sidecar_text([], "csv", header=True, columns=columns) + new
    )
    rows, _, problems = parse_sidecar(check, fmt, str(path))  # type: ignore[arg-type]
    try:
        again = [Touchpoint.model_validate(row) for row in rows]
    except ValidationError as err:  # pragma: no cover - the writer writes what it reads
        raise EditValueError(f"{path}: the new rows would not read back: {err}") from None
    if problems or touch_items(again) != items:  # pragma: no cover - belt and braces
        raise EditValueError(f"{path}: the new rows would not read back; nothing was written")
    check_writable(path, force=force)
    check_not_interrupted(path)
    write_bytes(path, raw + lead + new.encode("utf-8"))


def _day(value: str | _date) -> _date:
    if isinstance(value, _date):
        return value
    text = str(value).strip().lower()
    if text == "today":
        return _date.today()
    try:
        return _date.fromisoformat(text)
    except ValueError:
        raise EditValueError(
            f"{value!r} is not a date; expected YYYY-MM-DD, such as 2026-11-20, or today"
        ) from None


def add_touchpoint(
    path: str | os.PathLike[str],
    people: Sequence[str],
    *,
    kind: str | TouchKind,
    date: str | _date = "today",
    direction: str | Direction | None = None,
    channel: str | None = None,
    notes: str | None = None,
    source: str | None = None,
    in_reply_to: str | None = None,
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> TouchResult:
    r"""Append one touchpoint to a deal file, or to the touchpoints file it names.

    The deal file keeps every byte it had (the touchpoint is appended at the end
    of ``touchpoints:``, which is added at the end of the file when missing); a
    touchpoints file named by the deal gets one more row. Under the deal's edit
    lock, validated first, written atomically.

    Args:
        path: The deal file.
        people: Ids of everyone there: at least one of ours (seller side) and one other.
        kind: meeting, call, email, message, visit, event, favour or gift.
        date: ``YYYY-MM-DD``, a date, or ``"today"``.
        direction: For email and message: sent (by us) or received.
        channel: WeChat, phone, Teams, on site...
        notes: Free text.
        source: An id of where it came from (an import skips a source already there).
        in_reply_to: For email and message: the source id of the message it answers.
        force: Write the file even if it is read-only.
        wait: Seconds to wait for another edit's lock.

    Returns:
        What was added and where.

    Raises:
        UnknownPersonError: a person is not in the deal (with a did-you-mean).
        EditValueError: a bad kind, date or direction, or no one of ours among the people.
        DealFileError: the deal (or its touchpoints file) cannot be read or is invalid.
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the lock for longer than ``wait``.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "t.yaml").write_text(
        ...     "deal: {name: T}\npeople:\n- {name: Ann, side: seller}\n- {name: Bo}\n"
        ...     "touchpoints: t.csv\n",
        ...     encoding="utf-8",
        ... )
        >>> _ = (folder / "t.csv").write_text("", encoding="utf-8")
        >>> r = add_touchpoint(folder / "t.yaml", ["ann", "bo"], kind="email",
        ...                    direction="sent", date="2026-11-02")
        >>> pathlib.Path(r.file).name, r.added
        ('t.csv', 1)
        >>> print((folder / "t.csv").read_text(encoding="utf-8"), end="")
        date,kind,people,direction,channel,notes,source,in_reply_to
        2026-11-02,email,ann;bo,sent,,,,
    """
    day = _day(date)
    kind_text = str(getattr(kind, "value", kind)).strip().lower()
    kinds = [k.value for k in TouchKind]
    if kind_text not in kinds:
        from influence._suggest import did_you_mean

        raise EditValueError(
            f"{kind!r} is not a touchpoint kind; expected one of {', '.join(kinds)}"
            + did_you_mean(kind_text, kinds)
        )
    touch_kind = TouchKind(kind_text)
    way: Direction | None = None
    if direction is not None:
        way_text = str(getattr(direction, "value", direction)).strip().lower()
        if way_text not in ("sent", "received"):
            raise EditValueError(f"{direction!r} is not a direction; expected sent or received")
        if touch_kind not in WAY_TOUCHES:
            raise EditValueError(
                "--direction is for email, message, favour and gift touchpoints, "
                f"not {touch_kind.value}"
            )
        way = Direction(way_text)

    def build(deal: Deal) -> tuple[list[Touchpoint], TouchResult]:
        known = [p.id for p in deal.people]
        for pid in people:
            if pid not in known:
                raise UnknownPersonError(pid, deal.id, known)
        try:
            touch = Touchpoint(
                date=day,
                kind=touch_kind,
                people=list(people),
                direction=way,
                channel=channel or None,
                notes=notes or None,
                source=source or None,
                in_reply_to=in_reply_to or None,
            )
        except ValidationError as err:
            message = err.errors()[0]["msg"].removeprefix("Value error, ")
            raise EditValueError(message) from None
        return [touch], TouchResult(str(path), [], False)

    return _write_touchpoints(path, build, force=force, wait=wait, dry_run=False)


class TouchImportError(DealFileError):
    """A touch import source cannot be read at all; nothing was written (CLI exit code 3)."""


def import_touchpoints(
    path: str | os.PathLike[str],
    sources: Sequence[str | os.PathLike[str]],
    *,
    dry_run: bool = False,
    force: bool = False,
    wait: float = LOCK_WAIT,
) -> TouchResult:
    r"""Import the contacts that calendars, mailboxes and CRM exports show into a deal.

    Each record's people are matched by e-mail address (a person's ``emails:``),
    then by name (exact, ignoring case and accents; a name two people share
    matches neither). A record becomes a touchpoint when it names at least one
    of our people (seller side) and one other person of the deal; else it is
    reported as unmatched. Every address that matched no one is reported by
    domain. Only contacts from the three years up to the deal's ``as_of`` (or
    today) are read: recurring events are expanded in that window. A record
    whose ``source`` id is already in the deal is skipped, so importing the same
    files again adds nothing. The deal (or its touchpoints file) is written
    once, under the edit lock, after every source was read; a source that
    cannot be read at all stops the import before anything is written.

    Args:
        path: The deal file.
        sources: ``.ics``, ``.mbox``, ``.eml`` and ``.csv`` (Salesforce Task or
            Event, HubSpot engagements) files; see :mod:`influence.interop.touch_sources`.
        dry_run: Say what would be added; write nothing.
        force: Write the file even if it is read-only.
        wait: Seconds to wait for another edit's lock.

    Returns:
        What was added, matched, skipped and left unmatched.

    Raises:
        TouchImportError: a source cannot be read at all (located problems).
        MissingDependencyError: an ``.ics`` source without ``influence[touch]`` installed.
        DealFileError: the deal cannot be read or is invalid.
        ReadOnlyFileError: the file is read-only and ``force`` is off.
        DealLockError: another edit held the lock for longer than ``wait``.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "d.yaml").write_text(
        ...     "deal: {name: D, as_of: 2026-11-20}\n"
        ...     "people:\n- {name: Li Wei, side: seller, emails: [li.wei@acme.com]}\n"
        ...     "- {name: Zhang Min, emails: [zhang@hengda.cn]}\n",
        ...     encoding="utf-8",
        ... )
        >>> _ = (folder / "one.eml").write_bytes(
        ...     b"From: Li Wei <li.wei@acme.com>\r\nTo: zhang@hengda.cn, wu@hengda.cn\r\n"
        ...     b"Date: Mon, 2 Nov 2026 09:30:00 +0800\r\nMessage-ID: <m1@acme.com>\r\n\r\n"
        ...     b"The body is never read.\r\n"
        ... )
        >>> r = import_touchpoints(folder / "d.yaml", [folder / "one.eml"])
        >>> [(t.kind.value, t.people, t.direction.value, t.source) for t in r.touchpoints]
        [('email', ['li-wei', 'zhang-min'], 'sent', 'mail:m1@acme.com')]
        >>> r.unmapped
        {'hengda.cn': ['wu@hengda.cn']}
        >>> import_touchpoints(folder / "d.yaml", [folder / "one.eml"]).added
        0
    """
    from influence.interop.touch_sources import WINDOW_DAYS, SourceError, fold_name, read_source

    def build(deal: Deal) -> tuple[list[Touchpoint], TouchResult]:
        end = deal.as_of()
        start = end - timedelta(days=WINDOW_DAYS)
        result = TouchResult(str(path), [], False)
        reads = []
        problems: list[Problem] = []
        for source in sources:
            try:
                reads.append(read_source(source, start=start, end=end))
            except SourceError as err:
                problems += err.problems
        if problems:
            raise TouchImportError(problems[0].file, problems)
        sides = {p.id: p.side for p in deal.people}
        by_email: dict[str, str] = {}
        for person in deal.people:
            for address in person.emails:
                by_email.setdefault(address, person.id)
        by_name: dict[str, str | None] = {}
        for person in deal.people:
            key = fold_name(person.name)
            by_name[key] = None if key in by_name else person.id
        seen = {t.source for t in deal.touchpoints if t.source}
        unmapped: dict[str, set[str]] = {}
        added: list[Touchpoint] = []
        for read in reads:
            result.warnings += read.warnings
            result.outside += read.outside
            result.ignored += read.ignored
            for found in read.found:
                if found.source in seen:
                    result.skipped += 1
                    continue
                seen.add(found.source)
                people: list[str] = []
                sender_id: str | None = None
                everyone = ([found.sender] if found.sender else []) + found.others
                for i, (address, name) in enumerate(everyone):
                    pid = by_email.get(address) if address else None
                    if pid is None and name:
                        pid = by_name.get(fold_name(name))
                    if pid is None:
                        if address:
                            unmapped.setdefault(address.rsplit("@", 1)[1], set()).add(address)
                        continue
                    if i == 0 and found.sender:
                        sender_id = pid
                    if pid not in people:
                        people.append(pid)
                ours = [p for p in people if sides[p] is Side.SELLER]
                if not ours or len(people) < 2:
                    shown = ", ".join(a or n for a, n in everyone) or "no one"
                    result.unmatched.append(
                        f"{found.where}: {found.kind.value} on {found.day}: {shown}"
                    )
                    continue
                direction = None
                if found.kind in DIRECTED_TOUCHES:
                    direction = found.direction or (
                        Direction.SENT
                        if sender_id is not None and sides[sender_id] is Side.SELLER
                        else Direction.RECEIVED
                    )
                added.append(
                    Touchpoint(
                        date=found.day,
                        kind=found.kind,
                        people=people,
                        direction=direction,
                        source=found.source,
                        in_reply_to=found.in_reply_to if direction is not None else None,
                    )
                )
        added.sort(key=lambda t: (t.date, t.source or ""))
        for touch in added:
            for pid in touch.people:
                result.matched[pid] = result.matched.get(pid, 0) + 1
        result.matched = dict(sorted(result.matched.items()))
        result.unmapped = {
            domain: sorted(addresses)
            for domain, addresses in sorted(unmapped.items(), key=lambda d: (-len(d[1]), d[0]))
        }
        return added, result

    return _write_touchpoints(path, build, force=force, wait=wait, dry_run=dry_run)
