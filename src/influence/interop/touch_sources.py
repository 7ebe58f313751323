"""Reading contacts out of calendars, mail headers and CRM activity exports.

Each reader turns one source file into :class:`Found` records (a date, a kind,
who took part by e-mail address and name, a stable source id) and located
warnings for the records it had to skip. Matching the records to the deal's
people, and writing, is :func:`influence.interop.touch.import_touchpoints`'s.

* ``.ics`` (iCalendar, RFC 5545): every ``VEVENT``; recurring events are expanded
  with ``recurring-ical-events`` (``RRULE``, ``RDATE``, ``EXDATE``, and moved or
  changed instances by ``RECURRENCE-ID``). Cancelled events and attendees who
  declined are left out. Source id: ``ics:UID`` plus ``/RECURRENCE-ID`` for an
  instance of a recurring event. Single events (one start, a UID of their own)
  are read here, line by line, the same as the libraries read them; the
  libraries get the rest (series with their exceptions, and any shape this
  reader does not know), so a calendar of 100,000 meetings is not turned into
  objects property by property.
* ``.mbox`` and ``.eml``: the headers ``From``, ``To``, ``Cc``, ``Date`` and
  ``Message-ID`` only; bodies are never read into memory (an mbox is streamed
  line by line, and a message's headers are capped). Encoded words (RFC 2047)
  in names are decoded; header bytes that are not UTF-8 are read with
  replacement characters, with a warning. Source id: ``mail:`` + Message-ID.
* ``.csv``: Salesforce Task or Event exports (``Id``, ``ActivityDate`` or
  ``StartDateTime``, ``TaskSubtype`` / ``EventSubtype`` / ``Type``, ``Status``,
  and the relationship columns ``Who.Email``, ``Who.Name``, ``Owner.Email``,
  ``Owner.Name``) and HubSpot engagement exports (``hs_object_id`` or
  ``Record ID``, ``hs_timestamp`` or ``Activity date``, ``hs_engagement_type``
  or ``Activity type``, ``hs_email_direction``, ``hs_email_from_email``,
  ``hs_email_to_email``, ``hs_email_cc_email``, ``Associated contact email``,
  ``Owner email``...). Source id: ``salesforce:Id`` or ``hubspot:ID``.
"""

from __future__ import annotations

import email.header
import email.utils
import functools
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from influence.errors import DealFileError, Problem
from influence.interop import MissingDependencyError
from influence.model import _EMAIL, MAX_EMAIL, Direction, TouchKind

__all__ = ["WINDOW_DAYS", "Found", "read_source"]

#: Contacts are read from this many days before the deal's as_of up to as_of.
WINDOW_DAYS = 3 * 365
#: At most this many messages are read from one mailbox.
MAX_MESSAGES = 2_000_000
#: At most this many bytes of one message's headers are read.
MAX_HEADER_BYTES = 256 * 1024
#: Lines are read in pieces of at most this many bytes (a mailbox with no line break).
MAX_LINE = 64 * 1024
#: A source id is at most this long.
MAX_SOURCE_ID = 500


@dataclass
class Found:
    """One contact a source shows, before it is matched to people.

    Attributes:
        source: A stable id of the record (re-imports skip it).
        day: The day it happened.
        kind: meeting, call, email...
        where: ``file:line`` (or ``file:line (message N)``) for messages about it.
        sender: ``(address, name)`` of who sent it (mail, organiser, CRM owner), if known.
        others: ``(address, name)`` of everyone else there.
        direction: sent or received, when the source says so.
        in_reply_to: The source id of the message this one answers (mail's In-Reply-To).
    """

    source: str
    day: date
    kind: TouchKind
    where: str
    sender: tuple[str, str] | None = None
    others: list[tuple[str, str]] = field(default_factory=list)
    direction: Direction | None = None
    in_reply_to: str | None = None


@dataclass
class Read:
    """What one source file gave: records, skipped-record warnings, records outside the window."""

    found: list[Found] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    outside: int = 0
    ignored: int = 0


class SourceError(Exception):
    """A source file cannot be read at all; ``problems`` are located."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _fail(name: str, message: str, line: int = 0) -> SourceError:
    return SourceError([Problem(name, line, 0, "", message)])


def address(text: str) -> str | None:
    """An e-mail address, lower-cased, if ``text`` is one (loosely); else None.

    Examples:
        >>> address(" Zhang.Min@Hengda-Valve.CN "), address("not an address")
        ('zhang.min@hengda-valve.cn', None)
    """
    value = text.strip().lower().removeprefix("mailto:")
    if len(value) > MAX_EMAIL or not _EMAIL.fullmatch(value):
        return None
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_name(text: str) -> str:
    """A display name with control characters (and so any injected header line) removed."""
    if text.isascii() and text.isprintable() and "  " not in text and text == text.strip():
        return text[:200]  # nothing to remove: the usual case
    return " ".join(_CONTROL.sub(" ", text).split())[:200]


def read_source(path: str | os.PathLike[str], *, start: date, end: date) -> Read:
    """Read one source file, keeping the contacts from ``start`` to ``end`` (both included).

    Raises:
        SourceError: the file cannot be read at all, or its kind is unknown.
        MissingDependencyError: an ``.ics`` file without the ``touch`` extra installed.
    """
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix == ".ics":
        return _read_ics(name, start, end)
    if suffix == ".mbox":
        return _read_mbox(name, start, end)
    if suffix == ".eml":
        return _read_eml(name, start, end)
    if suffix == ".csv":
        return _read_crm(name, start, end)
    raise _fail(
        name, "unknown kind of source; expected .ics (calendar), .mbox or .eml (mail) or .csv (CRM)"
    )


# -- iCalendar --------------------------------------------------------------------------


def _ics_libraries() -> tuple[Any, Any]:
    try:
        import icalendar
        import recurring_ical_events
    except ImportError as err:  # pragma: no cover - the dev extra installs them
        raise _missing(err.name) from None
    return icalendar, recurring_ical_events


def _missing(module: str | None) -> MissingDependencyError:
    return MissingDependencyError(
        f"reading .ics files needs icalendar and recurring-ical-events ({module} is "
        "missing); install them with: pip install 'influence[touch]'"
    )


def _check_ics_libraries() -> None:
    """Refuse an ``.ics`` file without the libraries, even one the fast path reads alone."""
    import importlib.util

    for module in ("icalendar", "recurring_ical_events"):
        if importlib.util.find_spec(module) is None:  # pragma: no cover - the dev extra has them
            raise _missing(module)


def _day_of(value: Any) -> date | None:
    value = getattr(value, "dt", value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _ics_people(event: Any) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
    def who(prop: Any) -> tuple[str, str] | None:
        found = address(str(prop))
        if found is None:
            return None
        params = getattr(prop, "params", {})
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            return None
        return found, clean_name(str(params.get("CN", "")))

    organiser = event.get("ORGANIZER")
    sender = who(organiser) if organiser is not None else None
    attendees = event.get("ATTENDEE")
    if attendees is None:
        attendees = []
    elif not isinstance(attendees, list):
        attendees = [attendees]
    others = [w for w in map(who, attendees) if w is not None]
    return sender, others


@dataclass
class _Event:
    """One event instance, as either reader saw it, in the order the library yields them.

    Attributes:
        order: Where its series starts among the file's events (series come in that order).
        uid: The UID, cleaned ("" when missing).
        day: The day it starts, None when it has no start.
        cancelled: STATUS is CANCELLED.
        instance: The instance's start, as written after ``ics:UID/`` (None: none).
        sender: The organiser ``(address, name)``, unless absent or declined.
        others: The attendees who did not decline.
    """

    order: int
    uid: str
    day: date | None
    cancelled: bool
    instance: str | None
    sender: tuple[str, str] | None
    others: list[tuple[str, str]]


def _library_event(event: Any, order: int) -> _Event:
    rid = event.get("RECURRENCE-ID")
    instance = None
    if rid is not None:
        rid_value = getattr(rid, "dt", rid)
        instance = rid_value.isoformat() if hasattr(rid_value, "isoformat") else str(rid)
    sender, others = _ics_people(event)
    return _Event(
        order,
        clean_name(str(event.get("UID", ""))),
        _day_of(event.get("DTSTART")),
        str(event.get("STATUS", "")).upper() == "CANCELLED",
        instance,
        sender,
        others,
    )


def _read_ics(name: str, start: date, end: date, *, fast: bool = True) -> Read:
    """Read a calendar; ``fast=False`` hands every event to the libraries (tests compare)."""
    _check_ics_libraries()
    from influence.io import read_bytes

    try:
        raw = read_bytes(name)
    except DealFileError as err:
        raise SourceError(err.problems) from None
    try:
        text, plain = raw.decode("utf-8"), not raw.startswith(b"\xef\xbb\xbf")
    except UnicodeDecodeError:
        text, plain = raw.decode("utf-8", errors="replace"), False
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise _fail(name, "not an iCalendar file: no BEGIN:VCALENDAR at its start", 1)
    plain = plain and fast and not _odd_breaks(raw)
    # Where each event's UID is written, for messages (an event has no line of its own).
    uid_lines: dict[str, int] = {}
    if plain:  # lines end at \n alone: count them
        at, number = 0, 1
        for match in _UID_LINE.finditer(text):
            number += text.count("\n", at, match.start())
            at = match.start()
            uid_lines.setdefault(match[1].strip(), number)
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if line[:4].upper() == "UID:":
                uid_lines.setdefault(line[4:].strip(), number)
    fast_read = _fast_read(_unfold(text), start, end) if plain else None
    del text
    events: list[_Event] = []
    library_text: bytes | None = raw
    first_of: dict[str, int] = {}
    if fast_read is not None:
        del raw
        events, library_text, first_of = fast_read
    if library_text is not None:
        events += _library_events(name, library_text, first_of, start, end)
        events.sort(key=lambda e: e.order)  # stable: a series keeps the library's order
    out = Read()
    for event in events:
        uid = event.uid
        where = f"{name}:{uid_lines.get(uid, 0)}" if uid else name
        day = event.day
        if day is None:
            out.warnings.append(_warning(name, uid_lines.get(uid, 0), "an event with no start"))
            continue
        if event.cancelled:
            out.ignored += 1
            continue
        if not uid:
            out.warnings.append(_warning(name, 0, f"an event on {day} with no UID: skipped"))
            continue
        source = f"ics:{uid}"
        if event.instance is not None:
            source += f"/{event.instance}"
        out.found.append(
            Found(source[:MAX_SOURCE_ID], day, TouchKind.MEETING, where, event.sender, event.others)
        )
    return out


def _library_events(
    name: str, raw: bytes, first_of: dict[str, int], start: date, end: date
) -> list[_Event]:
    """The events of ``raw`` as icalendar and recurring-ical-events read them (expanded)."""
    icalendar, recurring = _ics_libraries()
    try:
        calendar = icalendar.Calendar.from_ical(raw)
        found = list(
            recurring.of(calendar, skip_bad_series=True).between(start, end + timedelta(days=1))
        )
    except Exception as err:  # the libraries raise many kinds for a malformed file
        reason = clean_name(str(err)) or type(err).__name__
        raise _fail(name, f"cannot read the calendar: {reason}") from None
    out: list[_Event] = []
    order = 0
    for event in found:
        order = first_of.get(str(event.get("UID", "")), order)
        out.append(_library_event(event, order))
    return out


# The fast path: most exported events are single events with a start, a UID, an
# organiser and attendees. Those are read here, line by line, and only the rest
# (recurring series with their exceptions, and anything this reader does not
# recognise) go to the libraries, so that a large calendar is not turned into
# objects property by property. Where the two could differ, the library reads.

#: Where a line is folded: a line break, then a space or tab.
_FOLD = re.compile(r"\n[ \t]")
#: A content line (lines end at \r\n or \n; blank lines are skipped, as icalendar does).
_LINE = re.compile(r"[^\r\n]+")
_UID_LINE = re.compile(r"^[uU][iI][dD]:([^\n]*)", re.MULTILINE)
#: Properties that make an event part of a series: the library expands it.
_SERIES = frozenset({"RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"})
#: Properties the fast path reads; all but ATTENDEE at most once.
_READ = frozenset({"UID", "DTSTART", "DTEND", "DURATION", "STATUS", "ORGANIZER", "ATTENDEE"})
_KEY = re.compile(r"[A-Za-z0-9-]+")
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^;"]*)')
_WHEN = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_DURATION = re.compile(r"\+?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)")


def _unfold(text: str) -> str:
    r"""RFC 5545 unfolding as icalendar does it: line breaks, then a space or tab, are removed.

    For text whose lines end at ``\r\n`` or ``\n`` (no lone ``\r``): icalendar's
    expression, found at each folded line only instead of tried at every character.

    Examples:
        >>> _unfold("ATTENDEE;CN=Zhang\r\n  Min:mailto:z@x.cn\r\nUID:1\n\n\tb\r\n")
        'ATTENDEE;CN=Zhang Min:mailto:z@x.cn\r\nUID:1b\r\n'
    """
    if "\n " not in text and "\n\t" not in text:
        return text
    parts: list[str] = []
    at = 0
    for match in _FOLD.finditer(text):
        cut = match.start()
        while cut > at and text[cut - 1] in "\r\n":  # the blank lines before it go too
            cut -= 1
        parts.append(text[at:cut])
        at = match.end()
    parts.append(text[at:])
    return "".join(parts)


def _odd_breaks(raw: bytes) -> bool:
    """Whether ``raw`` has line breaks that str.splitlines and icalendar do not agree on."""
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        return True
    odd = (
        b"\x0b",
        b"\x0c",
        b"\x1c",
        b"\x1d",
        b"\x1e",
        b"\xc2\x85",
        b"\xe2\x80\xa8",
        b"\xe2\x80\xa9",
    )
    return any(o in raw for o in odd)


def _value_at(line: str) -> int:
    """Where the value starts: after the first colon outside quotes (-1: none), as icalendar."""
    colon = line.find(":")
    quote = line.find('"')
    if quote < 0 or colon < quote:
        return colon
    quoted = False
    for i in range(quote, len(line)):
        char = line[i]
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return i
    return -1


@functools.lru_cache(maxsize=4096)
def _params(text: str) -> dict[str, str] | None:
    """``;KEY=value;KEY="value"`` to a dict (do not change it: it is shared); None if unusual.

    Examples:
        >>> _params(';CN="Lee, Ann";PARTSTAT=ACCEPTED'), _params(";CN=a,b")
        ({'CN': 'Lee, Ann', 'PARTSTAT': 'ACCEPTED'}, None)
    """
    out: dict[str, str] = {}
    at = 0
    for match in _PARAM.finditer(text):
        if match.start() != at:
            return None
        at = match.end()
        key, value = match[1].upper(), match[2]
        if value[:1] == '"':
            value = value[1:-1]
            if "^" in value:  # RFC 6868 escapes: the library's
                return None
        elif value != value.strip(" \t") or "," in value or "^" in value:
            return None  # icalendar trims spaces around = and ;; a list; RFC 6868 escapes
        if key in out:
            return None
        out[key] = value
    return out if at == len(text) else None


@dataclass
class _Block:
    """One VEVENT being read: where its text starts and the properties the fast path reads."""

    first: int
    props: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (params, value)
    attendees: list[tuple[str, str]] = field(default_factory=list)
    odd: bool = False  # a series, a property twice, or a line the fast path does not read


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@dataclass
class _Calendar:
    """What the fast path knows of the calendar around the events."""

    zones: bool = False  # it has a VTIMEZONE: times with a TZID are the library's to place
    wr_zone: Any = None  # the X-WR-TIMEZONE the library moves UTC and floating times to


def _when(params_text: str, value: str, calendar: _Calendar) -> date | datetime | None:
    """A DTSTART or DTEND as the library gives it (X-WR-TIMEZONE applied), or None: unusual."""
    return _when_in(params_text, value, calendar.zones, calendar.wr_zone)


@functools.lru_cache(maxsize=65536)  # a calendar repeats its times (10:00 on many days)
def _when_in(params_text: str, value: str, zones: bool, wr_zone: Any) -> date | datetime | None:
    match = _WHEN.fullmatch(value)
    if match is None:
        return None
    params = _params(params_text) if params_text else {}
    if params is None or (params and not params.keys() <= {"TZID", "VALUE"}):
        return None
    kind = params.get("VALUE", "").upper() if params else ""
    year, month, day_, hour, minute, second, utc = match.groups()
    try:
        if hour is None:
            if kind not in ("", "DATE") or "TZID" in params:
                return None
            return date(int(year), int(month), int(day_))
        if kind not in ("", "DATE-TIME"):
            return None
        when = datetime(int(year), int(month), int(day_), int(hour), int(minute), int(second))
    except ValueError:
        return None
    tzid = params.get("TZID") if params else None
    if utc:
        if tzid is not None:
            return None
        when = when.replace(tzinfo=UTC)
        return when.astimezone(wr_zone) if wr_zone is not None else when
    if tzid is not None:
        if zones:
            return None
        try:
            when = when.replace(tzinfo=_zone(tzid))
        except Exception:  # an unknown zone: the library's to place
            return None
        if wr_zone is not None and when.tzname() == "UTC":
            return None
        return when
    return when.replace(tzinfo=wr_zone) if wr_zone is not None else when


_SLOW = object()


@functools.lru_cache(maxsize=4096)
def _attendee(params_text: str, value: str) -> Any:
    """``(address, name)`` of an ORGANIZER or ATTENDEE; None if none or declined; else _SLOW."""
    params = _params(params_text)
    if params is None:
        return _SLOW
    found = address(value)
    if found is None or params.get("PARTSTAT", "").upper() == "DECLINED":
        return None
    return found, clean_name(params.get("CN", ""))


_NONE = ("", "")


def _ends_after(begin: date | datetime, finish: date | datetime) -> bool:
    """Whether DTEND is of DTSTART's kind (a date, a floating or a zoned time) and not before it."""
    if isinstance(begin, datetime) and isinstance(finish, datetime):
        return (begin.tzinfo is None) == (finish.tzinfo is None) and finish >= begin
    return not isinstance(begin, datetime) and not isinstance(finish, datetime) and finish >= begin


def _fast_event(block: _Block, order: int, calendar: _Calendar, start: date, end: date) -> Any:
    """One simple event: an :class:`_Event`, None (outside the window) or _SLOW (the library's)."""
    props = block.props
    uid = props.get("UID", _NONE)[1]
    if block.odd or not uid or "\\" in uid or "DTSTART" not in props:
        return _SLOW
    begin = _when(*props["DTSTART"], calendar)
    if begin is None:
        return _SLOW
    timed = isinstance(begin, datetime)
    day = begin.date() if isinstance(begin, datetime) else begin
    finish: date | datetime | None = None
    if "DTEND" in props:
        finish = _when(*props["DTEND"], calendar)
        if finish is None or "DURATION" in props or not _ends_after(begin, finish):
            return _SLOW
    elif "DURATION" in props and not _DURATION.fullmatch(props["DURATION"][1]):
        return _SLOW
    if day > end:
        return None
    if day < start:
        if "DURATION" in props:
            return _SLOW
        if finish is None:
            return None  # an instant, or one day: over before the window opens
        last = finish.date() if isinstance(finish, datetime) else finish
        if last < start or (not timed and last == start):
            return None
        return _SLOW
    status = props.get("STATUS", _NONE)[1]
    if "\\" in status:
        return _SLOW
    sender = None
    if "ORGANIZER" in props:
        sender = _attendee(*props["ORGANIZER"])
        if sender is _SLOW:
            return _SLOW
    others = []
    for params_text, value in block.attendees:
        who = _attendee(params_text, value)
        if who is _SLOW:
            return _SLOW
        if who is not None:
            others.append(who)
    return _Event(
        order,
        clean_name(uid),
        day,
        status.upper() == "CANCELLED",
        begin.isoformat(),
        sender,
        others,
    )


def _unescape(text: str) -> str:
    r"""A TEXT value as icalendar gives it (``\,`` ``\;`` ``\n`` ``\\``)."""
    if "\\" not in text:
        return text
    return re.sub(r"\\([\\;,nN])", lambda m: {"n": "\n", "N": "\n"}.get(m[1], m[1]), text)


#: The lines the fast path reads; the others it only checks (:data:`_ODD_LINE`).
_PROP = re.compile(
    r"^(BEGIN|END|UID|DTSTART|DTEND|DURATION|STATUS|ORGANIZER|ATTENDEE|X-WR-TIMEZONE"
    r"|RRULE|RDATE|EXDATE|EXRULE|RECURRENCE-ID)([;:])([^\r\n]*)",
    re.MULTILINE | re.IGNORECASE,
)
#: A line that is no ``NAME:value`` or ``NAME;params:value``: the library reads its event.
_ODD_LINE = re.compile(r"\n(?![A-Za-z0-9-]+[;:])[^\r\n]")
_UPPER = {k: k for k in ("BEGIN", "END", "UID", "DTSTART", "DTEND", "STATUS", "ATTENDEE")}


def _fast_read(
    text: str, start: date, end: date
) -> tuple[list[_Event], bytes | None, dict[str, int]] | None:
    """Read the simple events of an unfolded calendar; None: the library reads all of it.

    Returns the simple events, the calendar of the other events for the library
    (None when there are none), and where each of those events' series starts.
    An event goes to the library with every other event of its UID (a moved or
    changed instance, ``RECURRENCE-ID``, stays with its series).
    """
    odd_lines = [m.start() for m in _ODD_LINE.finditer(text)]
    calendar = _Calendar()
    stack: list[str] = []
    block: _Block | None = None
    # Per event: its text's span, its UID as written, and what the fast path made of it
    # (made when it ends: a time zone given after the first event sends all to the library).
    spans: list[tuple[int, int]] = []
    uids: list[str] = []
    results: list[Any] = []
    odd_at = 0  # the next odd line not yet placed
    calendar_end = -1
    for match in _PROP.finditer(text):
        name, sep, rest = match.groups()
        key = _UPPER.get(name) or name.upper()
        if key == "BEGIN" or key == "END":
            if sep != ":":
                return None
            value = rest.upper()
            if key == "BEGIN":
                if not stack:
                    if value != "VCALENDAR" or calendar_end >= 0 or text[: match.start()].strip():
                        return None  # a second calendar, or something before the first
                elif value == "VCALENDAR" or (value == "VEVENT" and len(stack) != 1):
                    return None
                if value == "VEVENT":
                    block = _Block(match.start())
                    while odd_at < len(odd_lines) and odd_lines[odd_at] < match.start():
                        odd_at += 1
                elif value == "VTIMEZONE":
                    if spans:
                        return None
                    calendar.zones = True
                stack.append(value)
                continue
            if not stack or stack.pop() != value:
                return None
            if value == "VEVENT" and len(stack) == 1:
                assert block is not None
                if odd_at < len(odd_lines) and odd_lines[odd_at] < match.start():
                    block.odd = True
                spans.append((block.first, match.end()))
                uids.append(block.props.get("UID", _NONE)[1])
                results.append(_fast_event(block, len(results), calendar, start, end))
                block = None
            elif not stack:
                calendar_end = match.end()
            continue
        if not stack:
            return None
        colon = 0 if sep == ":" else _value_at(rest)
        if colon < 0:
            return None
        params_text, value = (rest[:colon], rest[colon + 1 :]) if colon else ("", rest)
        if sep == ";":
            params_text = ";" + params_text
        if block is None or len(stack) != 2:
            if key == "X-WR-TIMEZONE" and len(stack) == 1:
                if spans or calendar.wr_zone is not None or "\\" in value:
                    return None
                try:
                    calendar.wr_zone = _zone(value)
                except Exception:  # the library refuses the calendar, in its words
                    return None
            continue
        if key == "ATTENDEE":
            block.attendees.append((params_text, value))
        elif key in block.props or key in _SERIES:
            block.odd = True
        else:
            block.props[key] = (params_text, value)
    if stack or calendar_end < 0 or text[calendar_end:].strip():
        return None
    if odd_lines and (odd_lines[0] < spans[0][0] if spans else True):
        return None  # an odd line outside the events
    counts: dict[str, int] = {}
    for uid in uids:
        counts[uid] = counts.get(uid, 0) + 1
    events: list[_Event] = []
    slow: set[int] = set()
    first_of: dict[str, int] = {}
    for order, result in enumerate(results):
        uid = uids[order]
        if result is _SLOW or counts[uid] > 1:
            slow.add(order)
            first_of.setdefault(_unescape(uid), order)
        elif result is not None:
            events.append(result)
    if not slow:
        return events, None, first_of
    parts: list[str] = []
    at = 0
    for order, (first, last) in enumerate(spans):  # the calendar less the events read here
        parts.append(text[at:first])
        if order in slow:
            parts.append(text[first:last])
        at = last
    parts.append(text[at:])
    return events, "".join(parts).encode("utf-8"), first_of


def _warning(name: str, line: int, message: str, where: str = "") -> Problem:
    return Problem(name, line, 0, where, message, "warning")


# -- mail -------------------------------------------------------------------------------

_WANTED = {b"from", b"to", b"cc", b"date", b"message-id", b"in-reply-to"}
#: The first message id of an In-Reply-To header (RFC 5322: ``<id@host>``; some write it bare).
_FIRST_ID = re.compile(r"<([^<>\s]+)>|([^<>\s]+)")


def _open_regular(name: str) -> Any:
    """Open a regular file for reading (a FIFO or device is refused before it is opened)."""
    try:
        mode = os.stat(name).st_mode
        if not stat.S_ISREG(mode):
            raise _fail(name, "cannot read the file: not a regular file")
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise _fail(name, f"cannot read the file: {err.strerror or err}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else meanwhile
        os.close(fd)
        raise _fail(name, "cannot read the file: not a regular file")
    return os.fdopen(fd, "rb")


def _lines(handle: Any) -> Iterator[tuple[bytes, bool]]:
    """The file's lines, in pieces of at most MAX_LINE bytes; True where a line ends."""
    while True:
        piece = handle.readline(MAX_LINE)
        if not piece:
            return
        yield piece, piece.endswith(b"\n")


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words (``=?utf-8?b?...?=``); bad ones stay as written."""
    if "=?" not in text:
        return text
    try:
        parts = email.header.decode_header(text)
    except (ValueError, LookupError, AssertionError):
        return text
    out = []
    for part, charset in parts:
        if isinstance(part, bytes):
            try:
                out.append(part.decode(charset or "ascii", errors="replace"))
            except LookupError:  # an unknown charset
                out.append(part.decode("utf-8", errors="replace"))
        else:
            out.append(part)
    return "".join(out)


#: The usual Date header (RFC 5322: ``Mon, 2 Nov 2026 09:30:00 +0800``), read without the stdlib.
_MAIL_DATE = re.compile(
    r"(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) "
    r"(\d{2}):(\d{2}):(\d{2}) [+-](\d{2})(\d{2})"
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )
}


def _mail_day(text: str) -> date:
    """The day of a Date header, in the sender's own offset, as the standard library reads it.

    Raises:
        ValueError: (and the standard library's others) the text is not a date.

    Examples:
        >>> _mail_day("Mon, 2 Nov 2026 23:30:00 -0500"), _mail_day("2 Nov 2026 09:30 +0800")
        (datetime.date(2026, 11, 2), datetime.date(2026, 11, 2))
    """
    match = _MAIL_DATE.fullmatch(text)
    month = _MONTHS.get(match[2], 0) if match else 0
    if match and month and int(match[7]) < 24 and int(match[8]) < 60:
        try:  # the checks parsedate_to_datetime makes (a 25th hour is no date)
            when = datetime(
                int(match[3]), month, int(match[1]), int(match[4]), int(match[5]), int(match[6])
            )
            return when.date()
        except ValueError:
            pass
    return email.utils.parsedate_to_datetime(text).date()


def _message(
    name: str, line: int, number: int, headers: list[bytes], out: Read, start: date, end: date
) -> None:
    """One message's headers (raw lines) to a record, or a warning."""
    where = f"message {number}"
    pieces: dict[bytes, list[list[bytes]]] = {}
    current: list[bytes] | None = None
    for raw in headers:
        if raw[:1] in (b" ", b"\t"):  # a folded line continues the header before it
            if current is not None:
                current.append(raw)
            continue
        key, colon, rest = raw.partition(b":")
        key = key.strip().lower()
        if not colon or key not in _WANTED:
            current = None
            continue
        current = [rest]
        pieces.setdefault(key, []).append(current)
    values: dict[bytes, list[str]] = {}
    bad_bytes = False
    for key, found in pieces.items():
        for parts in found:
            joined = b" ".join(p.strip() for p in parts)
            try:
                text = joined.decode("utf-8")
            except UnicodeDecodeError:
                text = joined.decode("utf-8", errors="replace")
                bad_bytes = True
            values.setdefault(key, []).append(_CONTROL.sub(" ", text))
    if bad_bytes:
        out.warnings.append(
            _warning(name, line, "a header is not UTF-8; read with replacement characters", where)
        )
    date_text = values.get(b"date", [""])[0].strip()
    if not date_text:
        out.warnings.append(_warning(name, line, "no Date header: skipped", where))
        return
    try:
        day = _mail_day(date_text)
    except (ValueError, TypeError, IndexError, OverflowError):
        shown = date_text if len(date_text) <= 60 else date_text[:60] + "..."
        out.warnings.append(_warning(name, line, f"Date {shown!r} is not a date: skipped", where))
        return
    if not start <= day <= end:
        out.outside += 1
        return
    senders = _addresses(values.get(b"from", []))
    others = _addresses(values.get(b"to", []) + values.get(b"cc", []))
    message_id = values.get(b"message-id", [""])[0].strip()
    if message_id:
        source = "mail:" + message_id.strip("<> ")
    else:
        digest = hashlib.sha256(
            "\n".join([date_text, *values.get(b"from", []), *values.get(b"to", [])]).encode()
        ).hexdigest()[:24]
        source = f"mail:sha256:{digest}"
    answers = _FIRST_ID.search(values.get(b"in-reply-to", [""])[0])
    out.found.append(
        Found(
            source[:MAX_SOURCE_ID],
            day,
            TouchKind.EMAIL,
            f"{name}:{line} ({where})",
            senders[0] if senders else None,
            senders[1:] + others,
            in_reply_to=("mail:" + (answers[1] or answers[2]))[:MAX_SOURCE_ID] if answers else None,
        )
    )


_ENCODED_WORD = re.compile(r"=\?[^?\s]{1,64}\?[bBqQ]\?[^?\s]*\?=")
_PLACEHOLDER = re.compile(r"\x01(\d+)\x01")
_BETWEEN_WORDS = re.compile(r"(?<=\x01)\s+(?=\x01)")


_SIMPLE = re.compile(r"\s*(?:([^<>,]*?)\s*<([^<>,\s]+)>|([^<>,\s]+))\s*")


def _parse_addresses(values: list[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses``, with a fast path for the usual plain lists.

    A list without quotes, comments, backslashes or semicolons (``Ann <a@x.cn>,
    b@y.cn``) is split at its commas; anything else goes to the standard library.

    Examples:
        >>> _parse_addresses(["Ann Lee <a@x.cn>, b@y.cn", '"Lee, Ann" <c@x.cn>'])
        [('Ann Lee', 'a@x.cn'), ('', 'b@y.cn'), ('Lee, Ann', 'c@x.cn')]
    """
    out: list[tuple[str, str]] = []
    for value in values:
        if any(c in value for c in '"()\\;:[]'):
            out += email.utils.getaddresses([value])
            continue
        parts = [_SIMPLE.fullmatch(part) for part in value.split(",") if part.strip()]
        if not all(parts):
            out += email.utils.getaddresses([value])
            continue
        for match in parts:
            assert match is not None
            name, angle, bare = match.groups()
            out.append(((name or "").strip(), angle or bare))
    return out


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    """The addresses of address headers, with their display names decoded.

    Encoded words are set aside before the addresses are parsed, so that what
    they decode to (a comma, an ``@``, a line break and a header) can never
    become an address; they are decoded into the names afterwards. A mailbox
    repeats the same few From, To and Cc lines: each distinct one of ordinary
    length is parsed once (the cache holds at most a few MB, however hostile the
    mailbox).
    """
    key = tuple(values)
    if sum(map(len, key)) > _CACHED_LINE:
        return list(_addresses_of(key))
    return list(_cached_addresses(key))


#: The longest From/To/Cc text whose parse is kept (a few thousand such, at most).
_CACHED_LINE = 1024


def _addresses_of(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    words: list[str] = []

    def aside(match: re.Match[str]) -> str:
        words.append(match.group())
        return f'"\x01{len(words) - 1}\x01"'

    masked = [_ENCODED_WORD.sub(aside, value) for value in values]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for display, raw in _parse_addresses(masked):
        found = address(raw)
        if found is None or found in seen or "\x01" in raw:
            continue
        seen.add(found)
        name = _PLACEHOLDER.sub(
            lambda m: _decode_words(words[int(m.group(1))]), _BETWEEN_WORDS.sub("", display)
        )
        out.append((found, clean_name(name)))
    return tuple(out)


_cached_addresses = functools.lru_cache(maxsize=4096)(_addresses_of)


def _read_mbox(name: str, start: date, end: date) -> Read:
    out = Read()
    with _open_regular(name) as handle:
        line = 0
        number = 0
        headers: list[bytes] = []
        in_headers = False
        size = at = 0
        previous_blank = True
        ended = True
        for piece, ends in _lines(handle):
            starts_line, ended = ended, ends
            if starts_line:
                line += 1
            if starts_line and previous_blank and piece.startswith(b"From "):
                if in_headers:
                    _message(name, at, number, headers, out, start, end)
                number += 1
                if number > MAX_MESSAGES:
                    out.warnings.append(
                        _warning(name, line, f"stopped after {MAX_MESSAGES:,} messages")
                    )
                    in_headers = False
                    break
                headers, size, at, in_headers = [], 0, line, True
                previous_blank = False
                continue
            if line == 1 and starts_line:
                raise _fail(name, "not an mbox file: the first line does not start with 'From '", 1)
            blank = starts_line and ends and not piece.strip()
            previous_blank = blank
            if not in_headers:
                continue  # a body: never kept
            if blank:
                _message(name, at, number, headers, out, start, end)
                in_headers = False
                continue
            size += len(piece)
            if size > MAX_HEADER_BYTES:
                out.warnings.append(
                    _warning(
                        name,
                        at,
                        f"headers longer than {MAX_HEADER_BYTES // 1024} KB: skipped",
                        f"message {number}",
                    )
                )
                in_headers = False
                continue
            if starts_line:
                headers.append(piece.rstrip(b"\r\n"))
            elif headers:
                headers[-1] += piece.rstrip(b"\r\n")
        if in_headers:
            _message(name, at, number, headers, out, start, end)
    if number == 0:
        raise _fail(name, "not an mbox file: no message in it")
    return out


def _read_eml(name: str, start: date, end: date) -> Read:
    out = Read()
    headers: list[bytes] = []
    size = 0
    with _open_regular(name) as handle:
        ended = True
        for piece, ends in _lines(handle):
            starts_line = ended
            ended = ends
            if starts_line and not piece.strip():
                break
            size += len(piece)
            if size > MAX_HEADER_BYTES:
                raise _fail(name, f"headers longer than {MAX_HEADER_BYTES // 1024} KB")
            if starts_line:
                headers.append(piece.rstrip(b"\r\n"))
            elif headers:
                headers[-1] += piece.rstrip(b"\r\n")
    if not headers:
        raise _fail(name, "not an e-mail message: no headers", 1)
    _message(name, 1, 1, headers, out, start, end)
    return out


# -- CRM activity exports ---------------------------------------------------------------


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


_ID = ("id", "activityid", "engagementid", "recordid", "hsobjectid", "taskid", "eventid")
_DATE = (
    "startdatetime",
    "activitydatetime",
    "activitydate",
    "hstimestamp",
    "date",
    "createddate",
    "createdate",
)
_TYPE = (
    "tasksubtype",
    "eventsubtype",
    "hsengagementtype",
    "hsactivitytype",
    "engagementtype",
    "activitytype",
    "type",
)
_SENDER_EMAIL = ("owneremail", "hsemailfromemail", "assignedtoemail", "activityassignedtoemail")
_SENDER_NAME = ("ownername", "assignedto", "activityassignedto", "owner", "hubspotowner")
_OTHER_EMAIL = (
    "whoemail",
    "contactemail",
    "associatedcontactemail",
    "associatedcontactemails",
    "hsemailtoemail",
    "hsemailccemail",
    "attendeeemails",
    "email",
)
_OTHER_NAME = ("whoname", "contactname", "associatedcontact", "associatedcontacts", "name")
_KINDS = {
    "call": TouchKind.CALL,
    "email": TouchKind.EMAIL,
    "incomingemail": TouchKind.EMAIL,
    "forwardedemail": TouchKind.EMAIL,
    "listemail": TouchKind.EMAIL,
    "meeting": TouchKind.MEETING,
    "visit": TouchKind.VISIT,
    "sitevisit": TouchKind.VISIT,
    "linkedin": TouchKind.MESSAGE,
    "linkedinmessage": TouchKind.MESSAGE,
    "sms": TouchKind.MESSAGE,
    "whatsapp": TouchKind.MESSAGE,
    "wechat": TouchKind.MESSAGE,
    "message": TouchKind.MESSAGE,
}
_DONE = {"completed", "complete", "done", "closed"}


def _crm_day(text: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    if value.isdigit() and len(value) >= 12:  # HubSpot: milliseconds since 1970
        try:
            return datetime.fromtimestamp(int(value) / 1000, tz=UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    head = value.replace("T", " ").split(" ")[0]
    try:
        return date.fromisoformat(head)
    except ValueError:
        pass
    for pattern in ("%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(head, pattern).date()
        except ValueError:
            continue
    return None


def _split_cell(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


def _people(cells: list[str], emails: list[int], names: list[int]) -> list[tuple[str, str]]:
    """``(address, name)`` from a row's e-mail and name columns, paired when they line up."""
    found = [a for c in emails for a in map(address, _split_cell(cells[c])) if a]
    called = [clean_name(n) for c in names for n in cells[c].split(";") if n.strip()]
    if len(found) == len(called):
        return list(zip(found, called, strict=True))
    return [(a, "") for a in found] + [("", n) for n in called]


def _read_crm(name: str, start: date, end: date) -> Read:
    from influence.interop.importing import read_table

    try:
        table = read_table(name)
    except DealFileError as err:
        raise SourceError(err.problems) from None
    columns = {_norm(h): i for i, h in reversed(list(enumerate(table.headers)))}

    def first(options: tuple[str, ...]) -> int | None:
        return next((columns[o] for o in options if o in columns), None)

    id_col, date_col = first(_ID), first(_DATE)
    type_cols = [columns[c] for c in _TYPE if c in columns]
    if id_col is None or date_col is None:
        raise _fail(
            name,
            "not a CRM activity export: expected an id column (Id, Record ID, hs_object_id) "
            "and a date column (ActivityDate, StartDateTime, hs_timestamp, Activity date)",
            1,
        )
    hubspot = any(h.startswith("hs") for h in columns) or "recordid" in columns
    event = "startdatetime" in columns or "eventsubtype" in columns or "isalldayevent" in columns
    prefix = "hubspot" if hubspot else "salesforce"
    status_col = columns.get("status")
    direction_col = first(("hsemaildirection", "emaildirection"))
    sender_email = [columns[c] for c in _SENDER_EMAIL if c in columns]
    sender_name = [columns[c] for c in _SENDER_NAME if c in columns]
    other_email = [columns[c] for c in _OTHER_EMAIL if c in columns]
    other_name = [columns[c] for c in _OTHER_NAME if c in columns]
    out = Read()
    out.warnings += [
        Problem(p.file, p.line, p.column, p.field, p.message, "warning") for p in table.problems
    ]
    for line, cells in table.rows:
        record_id = cells[id_col].strip()
        if not record_id:
            out.warnings.append(_warning(name, line, "a row with no id: skipped"))
            continue
        day = _crm_day(cells[date_col])
        if day is None:
            shown = cells[date_col][:60]
            out.warnings.append(_warning(name, line, f"{shown!r} is not a date: skipped"))
            continue
        status = cells[status_col].strip().lower() if status_col is not None else ""
        if status and status not in _DONE and not event:
            out.ignored += 1  # a planned call or task has not happened yet
            continue
        # The first type column that names a contact: Type "Site Visit" over EventSubtype "Event".
        types = [_norm(cells[c]) for c in type_cols]
        type_text = next((t for t in types if t in _KINDS), "")
        kind = _KINDS.get(type_text) or (TouchKind.MEETING if event else None)
        if kind is None:
            out.ignored += 1  # a note or a to-do: no contact
            continue
        if not start <= day <= end:
            out.outside += 1
            continue
        direction = None
        if kind in (TouchKind.EMAIL, TouchKind.MESSAGE):
            way = _norm(cells[direction_col]) if direction_col is not None else ""
            direction = (
                Direction.RECEIVED
                if way.startswith("incoming") or type_text == "incomingemail"
                else Direction.SENT
            )
        senders = _people(cells, sender_email, sender_name)
        others = _people(cells, other_email, other_name)
        out.found.append(
            Found(
                f"{prefix}:{record_id}"[:MAX_SOURCE_ID],
                day,
                kind,
                f"{name}:{line}",
                senders[0] if senders else None,
                senders[1:] + others,
                direction,
            )
        )
    return out


def fold_name(text: str) -> str:
    """A name as matching compares it: accents folded, case folded, spaces collapsed.

    Examples:
        >>> fold_name("  José   MÜLLER "), fold_name("张敏")
        ('jose muller', '张敏')
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.casefold().split())
