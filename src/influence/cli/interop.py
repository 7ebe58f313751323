"""Commands that move deals in and out and keep them current: import, export, person, tie, diff."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from influence.cli._app import (
    EXIT_BAD_FILE,
    EXIT_USAGE,
    _err,
    _errors,
    _fail,
    _out,
    _out_data,
    _out_json,
    _writing,
    app,
)

if TYPE_CHECKING:
    from influence.errors import Problem
    from influence.interop.edit import EditableDeal


class ImportFormat(StrEnum):
    """Which export a people file comes from."""

    AUTO = "auto"
    SALESFORCE = "salesforce"
    OCR = "ocr"
    HUBSPOT = "hubspot"
    PLAIN = "plain"


class ExportFormat(StrEnum):
    """What ``influence export`` writes."""

    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    MERMAID = "mermaid"
    DOT = "dot"


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    """Parse ``KEY=VALUE`` arguments; a missing ``=`` is a usage error (exit 2)."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.rpartition("=") if what == "--map" else item.partition("=")
        if not sep or not key.strip():
            _fail(f"error: {what} {item!r}: expected KEY=VALUE, such as stance=ally", EXIT_USAGE)
        out[key.strip()] = value
    return out


def _warn(problems: list[Problem]) -> None:
    for problem in problems:
        _err(str(problem))


# -- import -------------------------------------------------------------------------------


@app.command("import")
def import_(
    people: Annotated[Path, typer.Argument(help="People: a CRM export (.csv or .xlsx).")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="The deal file to write (.yaml or .json); default: stdout."
        ),
    ] = None,
    ties: Annotated[
        Path | None,
        typer.Option(
            help="Ties: a CSV with from, to, kind, strength, context, last_contact, notes."
        ),
    ] = None,
    roles: Annotated[
        Path | None,
        typer.Option(help="A Salesforce OpportunityContactRole export to add roles from."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="COLUMN=FIELD, repeatable: read a column as a field (or ignore)."
        ),
    ] = None,
    deal_name: Annotated[
        str | None,
        typer.Option(help="The deal's name; default: the opportunity's, else the account's."),
    ] = None,
    fmt: Annotated[
        ImportFormat, typer.Option("--format", help="The export's format; auto: by its headers.")
    ] = ImportFormat.AUTO,
    force: Annotated[bool, typer.Option(help="Overwrite the output file if it exists.")] = False,
) -> None:
    """Build a deal file from CRM exports (Salesforce, HubSpot, or the plain template).

    Recognises Salesforce contacts and opportunity contact roles, HubSpot
    contacts and the plain template in the README by their headers. Roles and
    influence missing from the export are guessed from job titles and marked
    'please confirm' in the notes; a manager missing from the file is a warning.
    Bad rows are reported as FILE:ROW (exit 3) and nothing is written unless the
    whole deal validates.

    Examples:

    \b
      influence import contacts.csv -o acme.yaml
      influence import contacts.csv --roles contact-roles.csv --deal-name "ACME ERP" -o acme.yaml
      influence import hubspot.xlsx --ties ties.csv --map "Lead Status=ignore" -o acme.yaml
    """
    from influence.interop.importing import import_deal, write_imported

    columns = _pairs(mapping, "--map")
    if output is not None and output.exists() and not force:
        _fail(f"error: {output} exists; pass --force to overwrite it", EXIT_USAGE)
    with _errors():
        result = import_deal(
            people,
            ties=ties,
            roles=roles,
            mapping=columns,
            deal_name=deal_name,
            fmt=fmt.value,
        )
        _warn(result.warnings)
        deal = result.deal
        counts = f"{len(deal.people)} people, {len(deal.relationships)} relationships"
        if output is None:
            _out_data(result.to_text("yaml"), nl=False)
            _err(f"read {people} ({result.format}): {counts}")
        else:
            with _writing(output):
                write_imported(result, output, replace=force)
            _err(f"wrote {output} from {people} ({result.format}): {counts}")
            _err(f"next: influence validate {output}")


# -- export -------------------------------------------------------------------------------


def _csv_paths(output: Path) -> tuple[Path, Path]:
    if output.is_dir():
        return output / "people.csv", output / "ties.csv"
    stem = output.name.removesuffix(".csv")
    return output.with_name(f"{stem}-people.csv"), output.with_name(f"{stem}-ties.csv")


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="What to write.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write here, not stdout. csv: OUT-people.csv and OUT-ties.csv, "
            "or people.csv and ties.csv in a folder; xlsx: the workbook to write (required).",
        ),
    ] = None,
) -> None:
    """Export a deal for graph tools, spreadsheets and wikis: GraphML, GEXF, JSON, CSV, XLSX...

    GraphML and GEXF carry every attribute (Gephi, igraph, networkx, yEd); json
    is networkx node-link data; csv writes people and ties in the import
    template, xlsx the same as a workbook's people and ties sheets (text that a
    spreadsheet would run as a formula starts with an apostrophe, which import
    removes); mermaid and dot are diagrams. The output is the same on every run.

    Examples:

    \b
      influence export acme.yaml --format gexf -o acme.gexf
      influence export acme.yaml --format mermaid >> wiki-page.md
      influence export acme.yaml --format dot | dot -Tsvg > acme.svg
      influence export acme.yaml --format csv -o acme
      influence export acme.yaml --format xlsx -o acme.xlsx
    """
    from influence.interop import export as exporting
    from influence.interop.diff import read_deal_sniffed
    from influence.io import write_bytes, write_text

    with _errors():
        deal = read_deal_sniffed(file)
        if fmt is ExportFormat.CSV:
            if output is None:
                _fail(
                    "error: csv writes two files (people and ties); pass -o OUT for "
                    "OUT-people.csv and OUT-ties.csv, or -o FOLDER",
                    EXIT_USAGE,
                )
            people_csv, ties_csv = exporting.to_csv(deal)
            people_path, ties_path = _csv_paths(output)
            with _writing(people_path):
                write_text(people_path, people_csv)
            with _writing(ties_path):
                write_text(ties_path, ties_csv)
            _err(f"wrote {people_path} and {ties_path}")
            return
        if fmt is ExportFormat.XLSX:
            if output is None or output.is_dir():
                _fail("error: xlsx writes a workbook, not text; pass -o BOOK.xlsx", EXIT_USAGE)
            write_bytes(output, exporting.to_xlsx(deal))
            _err(f"wrote {output} (sheets people and ties)")
            _err(f"next: influence import {output} --ties {output}")
            return
        render = {
            ExportFormat.GRAPHML: exporting.to_graphml,
            ExportFormat.GEXF: exporting.to_gexf,
            ExportFormat.JSON: exporting.to_node_link_json,
            ExportFormat.MERMAID: exporting.to_mermaid,
            ExportFormat.DOT: exporting.to_dot,
        }[fmt]
        text = render(deal)
        if output is None:
            (_out_json if fmt is ExportFormat.JSON else _out_data)(text, nl=False)
        else:
            with _writing(output):
                write_text(output, text)
            _err(f"wrote {output}")


# -- edits --------------------------------------------------------------------------------

person_app = typer.Typer(
    help="Add, change or remove a person in a deal file, keeping the rest byte for byte.\n\n"
    "Example: influence person set deal.yaml zhang-cfo stance=ally assessed=today",
    no_args_is_help=True,
)
tie_app = typer.Typer(
    help="Add, change or remove a tie in a deal file, keeping the rest byte for byte.\n\n"
    "Example: influence tie add deal.yaml li-wei chen-ceo --strength strong --last-contact today",
    no_args_is_help=True,
)
app.add_typer(person_app, name="person")
app.add_typer(tie_app, name="tie")

# Every edit command takes these two.
_Wait = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help="How long to wait for another edit of the same file to finish (exit 4 after).",
    ),
]
_Force = Annotated[
    bool, typer.Option("--force", help="Edit the file even if it is read-only (it stays so).")
]
_WAIT = 10.0  # influence.io.LOCK_WAIT, not imported here to keep start-up quick


@contextlib.contextmanager
def _editing(file: Path, *, wait: float, force: bool) -> Iterator[EditableDeal]:
    """Lock a deal file, open it for an edit, then validate and write it; report what changed.

    Exit codes: 2 for an unknown field or kind (a usage error), 3 when the file
    cannot be read or the edit would make it invalid (the problems located in the
    text the edit would write), 4 for an unknown person or tie, a person still
    referred to, a file that changed on disk meanwhile, a file another edit kept
    locked for longer than ``wait``, or a read-only file without ``force``.
    """
    from influence.interop.edit import InvalidEditError, read_editable, write_editable
    from influence.io import deal_lock

    with _errors(), deal_lock(file, wait=wait):
        doc = read_editable(file)
        yield doc  # an EditValueError is exit 2 by its class, mapped by _errors()
        try:
            result = write_editable(doc, force=force, wait=wait)
        except InvalidEditError as err:
            for problem in err.problems:
                _err(str(problem))
            _fail(
                f"{file}: edit refused: the file would be invalid "
                f"({len(err.problems)} problem{'s' * (len(err.problems) != 1)}; lines as the "
                "edit would leave the file); nothing was written",
                EXIT_BAD_FILE,
            )
        for change in result.changes:
            _err(change)
        _warn(result.warnings)
        if not result.written:
            _err(f"{file}: nothing to change")


@person_app.command("add")
def person_add(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    person_id: Annotated[
        str | None, typer.Option("--id", help="The id; default: the slug of the name.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Job title.")] = None,
    side: Annotated[str | None, typer.Option(help="customer (default), seller or partner.")] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help="A buying role, repeatable (or comma-separated)."),
    ] = None,
    influence: Annotated[str | None, typer.Option(help="0..1, or low | medium | high.")] = None,
    stance: Annotated[str | None, typer.Option(help="ally, neutral, blocker or unknown.")] = None,
    assessed: Annotated[
        str | None, typer.Option(help="When the stance was confirmed: YYYY-MM-DD or today.")
    ] = None,
    style: Annotated[
        str | None, typer.Option(help="analytical, driver, expressive or amiable.")
    ] = None,
    reports_to: Annotated[str | None, typer.Option(help="The id of their manager.")] = None,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Add a person at the end of people:, in the file's own layout.

    The rest of the file stays byte for byte. The new file is validated first:
    an edit that would make it invalid is refused with the located problem
    (exit 3) and nothing is written.

    Examples:

    \b
      influence person add deal.yaml --name "Liu Yang" --title CTO --role technical_buyer
      influence person add deal.yaml --name "Sam Rivera" --side seller
    """
    fields: dict[str, object] = {
        "id": person_id,
        "name": name,
        "title": title,
        "side": side,
        "roles": ",".join(role) if role else None,
        "influence": influence,
        "stance": stance,
        "assessed": assessed,
        "style": style,
        "reports_to": reports_to,
        "notes": notes,
    }
    with _editing(file, wait=wait, force=force) as doc:
        doc.add_person({k: v for k, v in fields.items() if v is not None})


@person_app.command("set")
def person_set(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    person_id: Annotated[str, typer.Argument(metavar="ID", help="The person's id.")],
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="Fields to set, such as stance=ally assessed=today; FIELD= removes one.",
        ),
    ],
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Change a person's fields; the rest of the file stays byte for byte.

    FIELD is name, title, side, roles, influence, stance, assessed, style,
    reports_to or notes (an id cannot change: ties refer to it). 'today' is
    today's date; FIELD= with no value removes the field. An edit that would
    make the file invalid is refused with the located problem (exit 3).

    Examples:

    \b
      influence person set deal.yaml zhang-cfo stance=ally assessed=today
      influence person set deal.yaml zhang-cfo roles=economic_buyer,decision_maker influence=high
      influence person set deal.yaml zhang-cfo notes=
    """
    changes = _pairs(values, "FIELD=VALUE")
    with _editing(file, wait=wait, force=force) as doc:
        doc.set_person(person_id, changes)


@person_app.command("rm")
def person_rm(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    person_id: Annotated[str, typer.Argument(metavar="ID", help="The person's id.")],
    cascade: Annotated[
        bool,
        typer.Option(help="Also remove their ties, reports_to links to them and deal.owner."),
    ] = False,
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Remove a person; refused (exit 4, the ties listed) while ties refer to them.

    With --cascade their ties, the reports_to of the people they manage and
    deal.owner go too, each change listed.

    Examples:

    \b
      influence person rm deal.yaml wang-fang
      influence person rm deal.yaml wang-fang --cascade
    """
    with _editing(file, wait=wait, force=force) as doc:
        doc.remove_person(person_id, cascade=cascade)


@tie_app.command("add")
def tie_add(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    from_: Annotated[str, typer.Argument(metavar="FROM", help="The id the tie starts at.")],
    to: Annotated[str, typer.Argument(metavar="TO", help="The id it ends at.")],
    kind: Annotated[
        str, typer.Option(help="knows, influences, reports_to or conflicts_with.")
    ] = "knows",
    strength: Annotated[str | None, typer.Option(help="0..1, or weak | medium | strong.")] = None,
    context: Annotated[
        str | None, typer.Option(help="classmate, former_colleague, family, ...")
    ] = None,
    last_contact: Annotated[str | None, typer.Option(help="YYYY-MM-DD or today.")] = None,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Add a tie at the end of relationships:, in the file's own layout.

    An end that is not in the deal makes the file invalid: refused, located,
    with a did-you-mean (exit 3).

    Examples:

    \b
      influence tie add deal.yaml li-wei chen-ceo --strength strong --last-contact today
      influence tie add deal.yaml zhang-cfo chen-ceo --kind influences --strength 0.7
    """
    fields = {
        "strength": strength,
        "context": context,
        "last_contact": last_contact,
        "notes": notes,
    }
    with _editing(file, wait=wait, force=force) as doc:
        doc.add_tie(from_, to, kind=kind, **{k: v for k, v in fields.items() if v is not None})


@tie_app.command("set")
def tie_set(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    from_: Annotated[str, typer.Argument(metavar="FROM", help="One end's id.")],
    to: Annotated[str, typer.Argument(metavar="TO", help="The other end's id.")],
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="strength, context, last_contact, notes, or kind (a new kind, in place), "
            "such as last_contact=today.",
        ),
    ],
    kind: Annotated[str, typer.Option(help="The tie's kind.")] = "knows",
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Change a tie, found by its ends and --kind (either way round for knows/conflicts_with).

    Examples:

    \b
      influence tie set deal.yaml li-wei chen-ceo strength=strong last_contact=today
      influence tie set deal.yaml zhang-cfo chen-ceo strength=0.8 --kind influences
      influence tie set deal.yaml li-wei chen-ceo kind=influences
    """
    changes = _pairs(values, "FIELD=VALUE")
    with _editing(file, wait=wait, force=force) as doc:
        doc.set_tie(from_, to, changes, kind=kind)


@tie_app.command("rm")
def tie_rm(
    file: Annotated[Path, typer.Argument(help="The deal file.")],
    from_: Annotated[str, typer.Argument(metavar="FROM", help="One end's id.")],
    to: Annotated[str, typer.Argument(metavar="TO", help="The other end's id.")],
    kind: Annotated[str, typer.Option(help="The tie's kind.")] = "knows",
    wait: _Wait = _WAIT,
    force: _Force = False,
) -> None:
    """Remove a tie, found by its ends and --kind (a reports_to shorthand too).

    Examples:

    \b
      influence tie rm deal.yaml li-wei chen-ceo
      influence tie rm deal.yaml zhang-cfo chen-ceo --kind reports_to
    """
    with _editing(file, wait=wait, force=force) as doc:
        doc.remove_tie(from_, to, kind=kind)


# -- diff ---------------------------------------------------------------------------------


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier version (a file, or <(git show ...)).")],
    new: Annotated[Path, typer.Argument(help="The later version.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    policy: Annotated[
        Path | None, typer.Option(help="A team policy file for the risk part.")
    ] = None,
) -> None:
    """Show what changed between two versions of a deal, and what it did to the risk.

    People added, removed or changed (stance, roles, influence...), ties added,
    removed or changed, and the change in risk grade, score and signals. Either
    file may be a pipe: YAML or JSON is told by its content.

    Examples:

    \b
      influence diff <(git show HEAD~1:deal.yaml) deal.yaml
      influence diff old.yaml new.yaml --json
    """
    from influence.cli.analyze import load_policy
    from influence.interop.diff import diff_deals, read_deal_sniffed, to_text

    with _errors():
        before = read_deal_sniffed(old)
        after = read_deal_sniffed(new)
        result = diff_deals(before, after, policy=load_policy(policy))
    if as_json:
        _out_json(
            json.dumps(result.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)
        )
    else:
        _out(to_text(result), nl=False)
