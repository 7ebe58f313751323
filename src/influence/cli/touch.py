"""``influence touch``: record contacts with the customer, by hand or from calendars and mail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from influence.cli._app import _err, _errors, _out, _out_json, app
from influence.cli.interop import _WAIT, _Force, _Wait  # the edit commands' own options

if TYPE_CHECKING:
    from influence.interop.touch import TouchResult

touch_app = typer.Typer(
    help="Record touchpoints (meetings, calls, e-mails, visits...) in a deal file.\n\n"
    "Example: influence touch add deal.yaml li-wei zhang-min --kind visit --date today",
    no_args_is_help=True,
)
app.add_typer(touch_app, name="touch")

#: How many unmatched records the terminal lists (--json lists all).
_SHOWN = 20


@touch_app.command("add")
def touch_add(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    people: Annotated[
        list[str],
        typer.Argument(
            metavar="PERSON...", help="Ids of everyone there: one of ours and one other, or more."
        ),
    ],
    kind: Annotated[
        str, typer.Option(help="meeting, call, email, message, visit, event, favour or gift.")
    ],
    date: Annotated[str, typer.Option(help="YYYY-MM-DD or today.")] = "today",
    direction: Annotated[
        str | None,
        typer.Option(
            help="For email and message: sent (by us) or received; for favour and gift: "
            "sent (we did it) or received (they did it for us)."
        ),
    ] = None,
    channel: Annotated[str | None, typer.Option(help="WeChat, phone, Teams, on site...")] = None,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    in_reply_to: Annotated[
        str | None,
        typer.Option(
            help="For email and message: the source id of the message it answers "
            "(mail:<message-id>); a reply of ours shows they wrote."
        ),
    ] = None,
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Append one touchpoint, keeping the rest of the file byte for byte.

    The touchpoint goes at the end of touchpoints: (added at the end of the
    file when missing), or, when the deal names a touchpoints file
    (touchpoints: touchpoints.csv), at the end of that file. An unknown person
    is refused with a did-you-mean (exit 4); so is a touchpoint with none of our
    people.

    Examples:

    \b
      influence touch add deal.yaml li-wei zhang-min --kind visit --date today
      influence touch add deal.yaml li-wei chen-ceo --kind email --direction sent --date 2026-11-02
    """
    from influence.interop.touch import add_touchpoint

    with _errors():
        result = add_touchpoint(
            file,
            people,
            kind=kind,
            date=date,
            direction=direction,
            channel=channel,
            notes=notes,
            in_reply_to=in_reply_to,
            force=force,
            wait=wait,
        )
        touch = result.touchpoints[0]
        _err(
            f"added {touch.kind.value} on {touch.date.isoformat()} with "
            f"{', '.join(touch.people)} to {result.file}"
        )


def _summary(result: TouchResult, dry_run: bool) -> dict[str, Any]:
    """The JSON of ``touch import`` but its touchpoints (last: :func:`_iter_json` adds them)."""
    return {
        "file": result.file,
        "dry_run": dry_run,
        "written": result.written,
        "added": result.added,
        "already_there": result.skipped,
        "outside_window": result.outside,
        "not_a_contact": result.ignored,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "unmapped": result.unmapped,
        "warnings": [str(w) for w in result.warnings],
    }


#: Touchpoints dumped at a time into the JSON: 100,000 of them are never held as text at once.
_CHUNK = 2_000


def _iter_json(result: TouchResult, dry_run: bool) -> Iterator[str]:
    """``json.dumps({**summary, "touchpoints": [...]}, indent=2)``, in pieces.

    The same text, byte for byte, made a chunk of touchpoints at a time, so a large
    import's report costs no more memory than a chunk of it.
    """
    from influence.interop.touch import touch_items

    head = json.dumps(_summary(result, dry_run), indent=2, ensure_ascii=False)
    touches = result.touchpoints
    if not touches:
        yield head[:-2] + ',\n  "touchpoints": []\n}'
        return
    yield head[:-2] + ',\n  "touchpoints": ['
    for at in range(0, len(touches), _CHUNK):
        items = touch_items(touches[at : at + _CHUNK])  # each one's model_dump, in one call
        # "[\n  {...},\n  {...}\n]" less its brackets, two spaces deeper: the items as nested
        text = json.dumps(items, indent=2, ensure_ascii=False)[1:-2].replace("\n", "\n  ")
        yield ("," if at else "") + text
    yield "\n  ]\n}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@touch_app.command("import")
def touch_import(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SOURCE...",
            help=".ics calendars, .mbox / .eml mail, .csv Salesforce or HubSpot activities.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be added; write nothing.")
    ] = False,
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Import touchpoints from calendars, mail headers and CRM activity exports.

    People are matched by e-mail address (a person's emails:), then by exact
    name (case and accents ignored). A record needs one of our people and one
    other person of the deal, else it is listed as unmatched; addresses that
    matched no one are listed by domain, so you can add the people missing from
    the map. Contacts of the three years up to the deal's as_of (or today) are
    read; recurring events are expanded in that window. Re-importing the same
    files adds nothing (each touchpoint keeps its source id). Mail bodies are
    never read. A source that cannot be read stops the import (exit 3) and
    nothing is written; a record that cannot be read (a malformed date) is
    skipped with a located warning.

    Examples:

    \b
      influence touch import deal.yaml calendar.ics mail/inbox.mbox
      influence touch import deal.yaml salesforce-tasks.csv --dry-run --json
    """
    from influence.interop.touch import import_touchpoints

    with _errors():
        result = import_touchpoints(file, sources, dry_run=dry_run, force=force, wait=wait)
        if as_json:
            for piece in _iter_json(result, dry_run):
                _out_json(piece, nl=False)
            _out_json("")
            return
        for warning in result.warnings:
            _err(str(warning))
        verb = "would add" if dry_run else "added"
        lines = [
            f"{verb} {_plural(result.added, 'touchpoint')} to {result.file}"
            + (f" ({_plural(result.skipped, 'already there')})" if result.skipped else ""),
        ]
        if result.matched:
            lines.append(
                "matched: " + ", ".join(f"{pid} ({n})" for pid, n in result.matched.items())
            )
        if result.unmatched:
            lines.append(
                f"unmatched: {_plural(len(result.unmatched), 'record')} "
                "without one of our people and one other person of the deal"
            )
            lines += [f"  {line}" for line in result.unmatched[:_SHOWN]]
            if len(result.unmatched) > _SHOWN:
                lines.append(
                    f"  ... and {len(result.unmatched) - _SHOWN:,} more (--json lists all)"
                )
        for domain, addresses in result.unmapped.items():
            lines.append(
                f"{_plural(len(addresses), 'person', 'people')} at {domain} you have not mapped: "
                + ", ".join(addresses[:10])
                + (f", ... ({len(addresses) - 10:,} more)" if len(addresses) > 10 else "")
            )
        if result.outside or result.ignored:
            lines.append(
                f"left out: {_plural(result.outside, 'record')} outside the window, "
                f"{_plural(result.ignored, 'record')} that are no contact "
                "(cancelled, planned, notes and to-dos)"
            )
        _out("\n".join(lines))
