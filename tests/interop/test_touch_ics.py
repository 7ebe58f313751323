"""The calendar reader's fast path: simple events read line by line equal the libraries' reading."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from influence.interop import touch_sources
from influence.interop.touch import import_touchpoints

DATA = Path(__file__).resolve().parents[1] / "data" / "touch"
START, END = date(2023, 11, 21), date(2026, 11, 20)


def _calendar(*events: str, head: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{head}{body}END:VCALENDAR\r\n"
    return text.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode()


def _both(path: Path) -> tuple[touch_sources.Read, touch_sources.Read]:
    fast = touch_sources._read_ics(str(path), START, END)
    library = touch_sources._read_ics(str(path), START, END, fast=False)
    return fast, library


def _same(fast: touch_sources.Read, library: touch_sources.Read) -> None:
    assert fast.found == library.found
    assert fast.warnings == library.warnings
    assert (fast.ignored, fast.outside) == (library.ignored, library.outside)


def _split(raw: bytes) -> tuple[list[touch_sources._Event], bytes | None]:
    text = touch_sources._unfold(raw.decode())
    result = touch_sources._fast_read(text, START, END)
    assert result is not None
    return result[0], result[1]


ORG = "ORGANIZER;CN=Li Wei:mailto:li.wei@acme-soft.com"
ATT = "ATTENDEE;CN=Zhang Min;PARTSTAT=ACCEPTED:mailto:zhang.min@hengda-valve.cn"

#: Events of every shape the fast path reads, and of shapes it hands to the libraries.
VARIED = [
    f"UID:utc@x\nDTSTART:20261102T020000Z\nDTEND:20261102T030000Z\n{ORG}\n{ATT}",
    f"UID:late-utc@x\nDTSTART:20261102T200000Z\nDTEND:20261102T210000Z\n{ORG}\n{ATT}",
    f"UID:floating@x\nDTSTART:20261103T090000\n{ORG}\n{ATT}",
    f"UID:tz@x\nDTSTART;TZID=Asia/Shanghai:20261104T100000\n"
    f"DTEND;TZID=Asia/Shanghai:20261104T110000\n{ORG}\n{ATT}",
    f"UID:tz-dst@x\nDTSTART;TZID=Europe/Berlin:20261025T023000\n{ORG}\n{ATT}",
    f"UID:tz-utc@x\nDTSTART;TZID=UTC:20261105T230000\n{ORG}\n{ATT}",
    f'UID:quoted-tz@x\nDTSTART;TZID="America/New_York":20261106T180000\n{ORG}\n{ATT}',
    f"UID:unknown-tz@x\nDTSTART;TZID=Nowhere/Land:20261107T100000\n{ORG}\n{ATT}",
    f"UID:allday@x\nDTSTART;VALUE=DATE:20261108\nDTEND;VALUE=DATE:20261109\n{ORG}\n{ATT}",
    f"UID:date-no-value@x\nDTSTART:20261109\n{ORG}\n{ATT}",
    f"UID:folded@x\nDTSTART:20261110T100000Z\n{ORG}\n"
    "ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;CN=Zhang \n Min;X-NUM-GUESTS=0:mailto:zh\n"
    "\tang.min@hengda-valve.cn",
    'UID:quoted-cn@x\nDTSTART:20261111T100000Z\nORGANIZER;CN="Wei, Li":mailto:LI.WEI@acme-soft.com'
    '\nATTENDEE;CN="Zhang: Min";RSVP=TRUE:MAILTO:zhang.min@hengda-valve.cn',
    f"UID:declined@x\nDTSTART:20261112T100000Z\n{ORG}\n"
    "ATTENDEE;PARTSTAT=DECLINED;CN=Liu Yang:mailto:liu.yang@hengda-valve.cn\n" + ATT,
    f"UID:cancelled@x\nDTSTART:20261113T100000Z\nSTATUS:CANCELLED\n{ORG}\n{ATT}",
    f"UID:no-organiser@x\nDTSTART:20261114T100000Z\n{ATT}\n"
    "ATTENDEE;CN=Li Wei:mailto:li.wei@acme-soft.com",
    f"UID:alarm@x\nDTSTART:20261115T100000Z\n{ORG}\nBEGIN:VALARM\nACTION:EMAIL\n"
    "ATTENDEE:mailto:reminder@acme-soft.com\nTRIGGER:-PT15M\nEND:VALARM\n" + ATT,
    f"UID:duration@x\nDTSTART:20261116T100000Z\nDURATION:PT1H\n{ORG}\n{ATT}",
    f"UID:before@x\nDTSTART:20231101T100000Z\nDTEND:20231101T110000Z\n{ORG}\n{ATT}",
    f"UID:before-long@x\nDTSTART;VALUE=DATE:20231119\nDTEND;VALUE=DATE:20231123\n{ORG}\n{ATT}",
    f"UID:before-allday@x\nDTSTART;VALUE=DATE:20231120\n{ORG}\n{ATT}",
    f"UID:first-day@x\nDTSTART:20231121T000000\n{ORG}\n{ATT}",
    f"UID:last-day@x\nDTSTART;TZID=Asia/Shanghai:20261120T235900\n{ORG}\n{ATT}",
    f"UID:after@x\nDTSTART:20261121T000000\n{ORG}\n{ATT}",
    f"UID:bad-end@x\nDTSTART:20261117T100000Z\nDTEND:2026XX17\n{ORG}\n{ATT}",
    f"UID:end-first@x\nDTSTART:20261117T100000Z\nDTEND:20261117T090000Z\n{ORG}\n{ATT}",
    f"UID:escaped\\,uid@x\nDTSTART:20261118T100000Z\n{ORG}\n{ATT}",
    f"DTSTART:20261118T120000Z\n{ORG}\n{ATT}",
    f"UID:twice@x\nDTSTART:20261119T100000Z\n{ORG}\n{ATT}",
    f"UID:twice@x\nDTSTART:20261119T150000Z\n{ORG}\n{ATT}",
    f"UID:weekly@x\nDTSTART;TZID=Asia/Shanghai:20261005T100000\nRRULE:FREQ=WEEKLY;COUNT=4\n"
    f"EXDATE;TZID=Asia/Shanghai:20261012T100000\n{ORG}\n{ATT}",
    f"UID:simple-between@x\nDTSTART:20261006T100000Z\n{ORG}\n{ATT}",
    f"UID:weekly@x\nRECURRENCE-ID;TZID=Asia/Shanghai:20261019T100000\n"
    f"DTSTART;TZID=Asia/Shanghai:20261020T150000\n{ORG}\n{ATT}",
    f"UID:lower@x\ndtstart:20261101T100000Z\n{ORG.lower()}\n{ATT}",
    f"UID:x-param@x\nDTSTART;X-FOO=bar:20261101T110000Z\n{ORG}\n{ATT}",
    f"UID:multi-cn@x\nDTSTART:20261101T120000Z\n{ORG}\n"
    'ATTENDEE;DELEGATED-FROM="mailto:a@x.cn","mailto:b@x.cn";CN=Zhang Min'
    ":mailto:zhang.min@hengda-valve.cn",
]


@pytest.mark.parametrize("head", ["", "X-WR-TIMEZONE:Asia/Shanghai\r\n"])
def test_the_fast_path_reads_as_the_libraries_do(tmp_path: Path, head: str) -> None:
    path = tmp_path / "varied.ics"
    path.write_bytes(_calendar(*VARIED, head=head))
    fast, library = _both(path)
    _same(fast, library)
    sources = {f.source.split("/")[0] for f in fast.found}
    assert {"ics:utc@x", "ics:tz@x", "ics:allday@x", "ics:folded@x", "ics:weekly@x"} <= sources
    assert "ics:after@x" not in sources and "ics:before@x" not in sources
    assert fast.ignored == 1 and len(fast.warnings) == 1  # cancelled; no UID
    # Most were read here; the series, the UID given twice and the unusual ones by the libraries.
    events, rest = _split(path.read_bytes())
    read_here = {e.uid for e in events}
    assert {"utc@x", "tz@x", "allday@x", "folded@x", "quoted-cn@x", "alarm@x"} <= read_here
    assert rest is not None
    assert b"UID:weekly@x" in rest and b"UID:twice@x" in rest and b"UID:utc@x" not in rest
    assert not read_here & {"weekly@x", "twice@x", "bad-end@x", "unknown-tz@x", "multi-cn@x"}


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics"])
def test_the_two_exports_read_alike_both_ways(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    _same(*_both(path))


def test_a_simple_event_is_read_without_the_libraries() -> None:
    (event,), rest = _split(_calendar(f"UID:one@x\nDTSTART:20261102T020000Z\n{ORG}\n{ATT}"))
    assert rest is None
    assert (event.uid, event.day, event.instance) == (
        "one@x",
        date(2026, 11, 2),
        "2026-11-02T02:00:00+00:00",
    )
    assert event.sender == ("li.wei@acme-soft.com", "Li Wei")
    assert event.others == [("zhang.min@hengda-valve.cn", "Zhang Min")]


def test_a_tzid_event_keeps_its_wall_clock_and_the_zone_offset() -> None:
    raw = _calendar(f"UID:tz@x\nDTSTART;TZID=Asia/Shanghai:20261104T073000\n{ORG}\n{ATT}")
    (event,), rest = _split(raw)
    assert rest is None and (event.day, event.instance) == (
        date(2026, 11, 4),
        "2026-11-04T07:30:00+08:00",
    )
    # With X-WR-TIMEZONE a UTC time moves to that zone (as the libraries do): 20:00Z is next day.
    raw = _calendar(
        f"UID:u@x\nDTSTART:20261104T200000Z\n{ORG}\n{ATT}", head="X-WR-TIMEZONE:Asia/Shanghai\r\n"
    )
    (event,), _ = _split(raw)
    assert (event.day, event.instance) == (date(2026, 11, 5), "2026-11-05T04:00:00+08:00")


def test_an_all_day_event() -> None:
    (event,), _ = _split(_calendar(f"UID:d@x\nDTSTART;VALUE=DATE:20261108\n{ORG}\n{ATT}"))
    assert (event.day, event.instance) == (date(2026, 11, 8), "2026-11-08")


def test_a_folded_line_is_unfolded() -> None:
    raw = _calendar(
        f"UID:f@x\nDTSTART:20261110T100000Z\n{ORG}\n"
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Zhang \n Min:mailto:zhang.min@hen\n\tgda-valve.cn"
    )
    (event,), _ = _split(raw)
    assert event.others == [("zhang.min@hengda-valve.cn", "Zhang Min")]


def test_a_recurring_event_and_its_exception_go_to_the_libraries_together() -> None:
    raw = (DATA / "google.ics").read_bytes()
    events, rest = _split(raw)
    assert rest is not None
    # The weekly series and its moved instance, nothing else; the three single events stay here.
    assert rest.count(b"BEGIN:VEVENT") == 2 and b"RRULE" in rest and b"RECURRENCE-ID" in rest
    assert b"Plant walk-through" not in rest
    assert sorted(e.uid for e in events) == [
        "0a9s8d7f6g5h4j3k2l1@google.com",
        "cancelled1@google.com",
    ]


def test_an_outlook_calendar_with_time_zones_is_the_libraries(tmp_path: Path) -> None:
    # TZIDs defined by a VTIMEZONE are the libraries' to place; the import is as before.
    raw = (DATA / "outlook.ics").read_bytes()
    events, rest = _split(raw)
    assert events == [] and rest is not None and rest.count(b"BEGIN:VEVENT") == 2


@pytest.mark.parametrize(
    "raw",
    [
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261101T100000Z\r\nEND:VEVENT\r\n",
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\ngarbage line\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Not/AZone\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
    ],
)
def test_an_unusual_calendar_is_left_whole_to_the_libraries(raw: bytes) -> None:
    assert touch_sources._fast_read(touch_sources._unfold(raw.decode()), START, END) is None


def test_a_hostile_calendar_gets_the_same_located_error(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    shutil.copy(DATA / "deal.yaml", deal)
    bad = tmp_path / "cal.ics"
    bad.write_bytes(_calendar("SUMMARY:no start and no uid"))
    from influence.interop.touch import TouchImportError

    with pytest.raises(TouchImportError, match="cannot read the calendar"):
        import_touchpoints(deal, [bad])


# -- the mail reader's Date fast path and the import's write -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mon, 2 Nov 2026 09:30:00 +0800",
        "Mon, 2 Nov 2026 23:30:00 -0500",
        "2 Nov 2026 00:00:00 -0000",
        "Tue, 29 Feb 2028 12:00:00 +1400",
        "Mon, 2 nov 2026 09:30:00 +0800",  # the standard library's (lower-case month)
        "Mon, 2 Nov 26 09:30:00 +0800",  # two-digit year: the standard library's
        "Mon, 2 Nov 2026 09:30 GMT",
    ],
)
def test_a_mail_date_reads_as_the_standard_library_reads_it(text: str) -> None:
    import email.utils

    assert touch_sources._mail_day(text) == email.utils.parsedate_to_datetime(text).date()


@pytest.mark.parametrize(
    "text", ["Mon, 2 Nov 2026 25:30:00 +0800", "Mon, 31 Nov 2026 09:30:00 +0800", "tomorrow"]
)
def test_a_mail_date_that_is_no_date_is_refused(text: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        touch_sources._mail_day(text)


def test_an_import_returns_the_touchpoints_the_written_deal_holds(tmp_path: Path) -> None:
    from influence import read_deal

    deal = tmp_path / "deal.yaml"
    shutil.copy(DATA / "deal.yaml", deal)
    calendar = tmp_path / "google.ics"
    shutil.copy(DATA / "google.ics", calendar)
    first = import_touchpoints(deal, [calendar])
    outlook = tmp_path / "outlook.ics"
    shutil.copy(DATA / "outlook.ics", outlook)
    second = import_touchpoints(deal, [outlook])  # appended to an existing list
    held = read_deal(deal).touchpoints
    assert first.added == 7 and second.added == 5
    assert held == first.touchpoints + second.touchpoints
