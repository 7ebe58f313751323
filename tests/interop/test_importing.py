"""CRM import: Salesforce and HubSpot exports (made up, with their real headers), the plain
template, spreadsheets, located row errors, and nothing written unless the deal validates."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from influence.analysis.stages import deal_step
from influence.errors import DealFileError
from influence.interop.export import to_csv
from influence.interop.importing import (
    CRM_ROLES,
    ImportMappingError,
    detect_format,
    import_deal,
    infer_from_title,
    parse_table,
    read_table,
    write_imported,
)
from influence.io import parse_deal, read_deal
from influence.model import Policy, Role, Stance
from tests.conftest import EXAMPLES, ROOT

CRM = ROOT / "tests" / "data" / "crm"


def _roles(deal: Any, pid: str) -> list[str]:
    return [r.value for r in deal.person(pid).roles]


# -- Salesforce -------------------------------------------------------------------------


def test_salesforce_report_export_builds_the_org_chart() -> None:
    result = import_deal(CRM / "salesforce-contacts.csv")
    deal = result.deal
    assert result.format == "salesforce"
    assert deal.deal.account == "ACME Manufacturing"
    assert deal.deal.name == "ACME Manufacturing"
    assert [p.id for p in deal.people] == [
        "jun-chen",
        "min-zhang",
        "fang-wang",
        "yang-liu",
        "sarah-miller",
        "tom-becker",
        "anna-o-brien",
        "peter-novak",
    ]
    # "Reports To" holds the manager's full name in a report export.
    bosses = {p.id: p.reports_to for p in deal.people}
    assert bosses == {
        "jun-chen": None,
        "min-zhang": "jun-chen",
        "fang-wang": "jun-chen",
        "yang-liu": "min-zhang",
        "sarah-miller": "jun-chen",
        "tom-becker": "fang-wang",
        "anna-o-brien": "jun-chen",
        "peter-novak": None,  # Helen Ford is not in the file
    }
    # A quoted title with the separator in it is one value.
    assert deal.person("sarah-miller").title == "VP, Operations"


def test_salesforce_missing_manager_is_a_located_warning_and_the_deal_is_valid(
    tmp_path: Path,
) -> None:
    result = import_deal(CRM / "salesforce-contacts.csv")
    missing = [w for w in result.warnings if "Helen Ford" in w.message]
    assert len(missing) == 1
    warning = missing[0]
    assert warning.severity == "warning"
    assert (warning.file, warning.line, warning.field) == (
        str(CRM / "salesforce-contacts.csv"),
        9,  # Peter Novak's row: the header is row 1
        "Reports To",
    )
    assert "reports_to left out" in warning.message
    out = tmp_path / "acme.yaml"
    out.write_text(result.to_text(), encoding="utf-8")
    assert read_deal(out).person("peter-novak").reports_to is None


def test_salesforce_titles_give_roles_and_influence_marked_for_confirmation() -> None:
    deal = import_deal(CRM / "salesforce-contacts.csv").deal
    expected = {
        "jun-chen": (["decision_maker"], 0.85),
        "min-zhang": (["economic_buyer"], 0.85),
        "fang-wang": (["technical_buyer"], 0.6),
        "yang-liu": (["procurement"], 0.45),
        "sarah-miller": ([], 0.7),
        "anna-o-brien": (["gatekeeper"], 0.5),
        "peter-novak": ([], 0.5),
    }
    for pid, (roles, influence) in expected.items():
        person = deal.person(pid)
        assert (_roles(deal, pid), person.influence) == (roles, influence), pid
    assert deal.person("min-zhang").notes == (
        "roles and influence inferred from title 'CFO'; please confirm"
    )
    assert deal.person("sarah-miller").notes == (
        "influence inferred from title 'VP, Operations'; please confirm"
    )
    # Nothing was guessed for a title that suggests nothing: no note either.
    assert deal.person("peter-novak").notes is None


def test_salesforce_api_export_with_contact_roles() -> None:
    result = import_deal(
        CRM / "salesforce-contacts-api.csv", roles=CRM / "salesforce-contact-roles-api.csv"
    )
    deal = result.deal
    assert result.format == "salesforce"
    # ReportsToId holds the manager's contact id.
    assert deal.person("priya-shah").reports_to == "maria-lopez"
    assert deal.person("aisha-okafor").reports_to == "priya-shah"
    # CRM roles are ours now, and they beat the title's guess.
    assert _roles(deal, "maria-lopez") == ["economic_buyer", "decision_maker"]
    assert _roles(deal, "priya-shah") == ["technical_buyer"]  # Technical Buyer + Evaluator
    assert _roles(deal, "aisha-okafor") == ["user"]
    assert _roles(deal, "david-kim") == ["economic_buyer"]
    assert _roles(deal, "greg-hall") == []  # "Other": no role, and no guess either
    # IsPrimary is noted; the CRM gave the roles, so only the influence is a guess.
    assert deal.person("maria-lopez").notes == (
        "Primary contact on the opportunity in the CRM. "
        "influence inferred from title 'COO'; please confirm"
    )
    # A role for a contact the people file lacks is left out, with a located warning.
    stray = [w for w in result.warnings if "0035g00000Zz9ZAAAZ" in w.message]
    assert [(w.line, w.field, w.severity) for w in stray] == [(8, "ContactId", "warning")]
    # Columns nobody maps are named, so a rep can --map them.
    ignored = [w for w in result.warnings if w.message.startswith("ignored")]
    assert ignored and "AccountId, Email, Department" in ignored[0].message


def test_salesforce_contact_roles_report_as_the_people_file() -> None:
    result = import_deal(CRM / "salesforce-contact-roles-report.csv")
    deal = result.deal
    assert result.format == "ocr"
    assert deal.deal.name == "ACME ERP replacement"  # the opportunity, not the account
    assert deal.deal.account == "ACME Manufacturing"
    # Min Zhang has two rows (two roles): one person.
    assert [p.id for p in deal.people].count("min-zhang") == 1
    assert len(deal.people) == 6
    assert _roles(deal, "min-zhang") == ["economic_buyer", "decision_maker"]
    assert _roles(deal, "sarah-miller") == ["champion"]  # Executive Sponsor
    assert _roles(deal, "tom-becker") == ["influencer"]
    # An empty Role cell in a CRM export: the title's guess, marked.
    assert _roles(deal, "yang-liu") == ["procurement"]
    assert "roles and influence inferred" in (deal.person("yang-liu").notes or "")
    assert "Primary contact" in (deal.person("min-zhang").notes or "")
    assert "Primary contact" not in (deal.person("jun-chen").notes or "")


def test_contact_roles_file_matched_by_name(tmp_path: Path) -> None:
    deal = import_deal(
        CRM / "salesforce-contacts.csv", roles=CRM / "salesforce-contact-roles-report.csv"
    ).deal
    assert _roles(deal, "min-zhang") == ["economic_buyer", "decision_maker"]
    assert _roles(deal, "sarah-miller") == ["champion"]
    # Anna has no contact role: her title's guess stays.
    assert _roles(deal, "anna-o-brien") == ["gatekeeper"]


# -- HubSpot ----------------------------------------------------------------------------


def test_hubspot_export_buying_roles() -> None:
    result = import_deal(CRM / "hubspot-contacts.csv")  # with a UTF-8 BOM, as HubSpot writes
    deal = result.deal
    assert result.format == "hubspot"
    assert deal.deal.account == "Contoso GmbH"
    # The BOM is not part of the first header, so --map "Record ID=..." matches it.
    assert read_table(CRM / "hubspot-contacts.csv").headers[0] == "Record ID"
    expected = {
        "hannah-weber": ["decision_maker"],
        "lukas-fischer": ["economic_buyer"],  # Budget Holder
        "sophie-martin": ["champion", "influencer"],  # a multi-select, ;-separated
        "felix-jansen": ["user"],  # End User
        "elena-rossi": [],  # Blocker: a stance, not a role
        "marco-costa": ["legal"],  # Legal & Compliance
        "julia-larsen": ["technical_buyer"],  # empty: guessed from CIO
        "oliver-clarke": ["champion"],  # Executive Sponsor
        "grace-kim": [],  # Other
    }
    assert {p.id: _roles(deal, p.id) for p in deal.people} == expected
    assert deal.person("elena-rossi").stance is Stance.BLOCKER
    assert deal.person("julia-larsen").notes == (
        "roles and influence inferred from title 'CIO'; please confirm"
    )
    # A CRM role is the CRM's word: only the influence is guessed, and said so.
    assert deal.person("hannah-weber").notes == (
        "influence inferred from title 'Managing Director'; please confirm"
    )
    assert deal.person("sophie-martin").notes is None


def test_xlsx_reads_like_the_csv(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    with (CRM / "hubspot-contacts.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        # Spreadsheets hold numbers and dates as such, not as text.
        sheet.append([int(v) if v.isdigit() else v for v in row])
    path = tmp_path / "hubspot.xlsx"
    book.save(path)
    from_xlsx = import_deal(path)
    from_csv = import_deal(CRM / "hubspot-contacts.csv")
    assert from_xlsx.format == "hubspot"
    assert from_xlsx.deal == from_csv.deal
    table = read_table(path)
    assert table.rows[0][0] == 2 and table.rows[0][1][0] == "51234567801"  # not "5.1e10"


def test_xlsx_bad_row_is_located(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "title", "influence"])
    sheet.append(["Ann Lee", "CEO", 0.9])
    sheet.append(["Bo Chen", "CFO", "very"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    with pytest.raises(DealFileError) as caught:
        import_deal(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3: influence: 'very' is not a valid influence; expected a number from 0 to 1 "
        "or one of low, medium, high"
    ]


# -- the plain template -----------------------------------------------------------------


def test_plain_template_with_ties() -> None:
    result = import_deal(CRM / "plain-people.csv", ties=CRM / "plain-ties.csv")
    deal = result.deal
    assert result.format == "plain"
    assert deal.person("chen-ceo").influence == 0.85  # "high"
    assert _roles(deal, "zhang-cfo") == ["economic_buyer", "decision_maker"]
    assert deal.person("zhang-cfo").notes == "Cares about payback period, not features."
    assert deal.person("li-wei").side.value == "seller"
    # In the template an empty roles cell is the rep's word: no guess.
    assert _roles(deal, "zhao-lei") == []
    ties = [(r.from_, r.to, r.kind.value, r.strength) for r in deal.relationships]
    # Tie ends may be ids or names ("Zhang Min").
    assert ties == [
        ("li-wei", "wang-fang", "knows", 0.9),
        ("li-wei", "zhang-cfo", "knows", 0.3),
        ("wang-fang", "zhang-cfo", "influences", 0.7),
        ("zhao-lei", "wang-fang", "knows", 0.5),
    ]
    assert str(deal.relationships[0].last_contact) == "2026-11-02"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_csv_export_imports_back_to_the_same_people_and_ties(example: Path, tmp_path: Path) -> None:
    deal = read_deal(example)
    people_csv, ties_csv = to_csv(deal)
    (tmp_path / "people.csv").write_text(people_csv, encoding="utf-8")
    (tmp_path / "ties.csv").write_text(ties_csv, encoding="utf-8")
    back = import_deal(tmp_path / "people.csv", ties=tmp_path / "ties.csv").deal
    assert back.people == deal.people
    assert back.relationships == deal.relationships


def test_generated_deal_round_trips_through_csv(tmp_path: Path) -> None:
    from benchmarks.generate import dump_deal, generate_deal

    deal = parse_deal(dump_deal(generate_deal(60, seed=3)))
    people_csv, ties_csv = to_csv(deal)
    (tmp_path / "p.csv").write_text(people_csv, encoding="utf-8")
    (tmp_path / "t.csv").write_text(ties_csv, encoding="utf-8")
    back = import_deal(tmp_path / "p.csv", ties=tmp_path / "t.csv").deal
    assert back.people == deal.people
    assert back.relationships == deal.relationships


# -- bad rows: located, and nothing written ---------------------------------------------


def test_malformed_rows_are_located_by_file_and_row() -> None:
    with pytest.raises(DealFileError) as caught:
        import_deal(CRM / "plain-people-bad.csv")
    source = str(CRM / "plain-people-bad.csv")
    found = [(p.file, p.line, p.field) for p in caught.value.problems]
    assert found == [
        (source, 3, ""),  # "VP, Finance" unquoted: 12 values for 11 columns
        (source, 4, "influence"),  # huge
        (source, 5, "assessed"),  # 2026-13-01
        (source, 5, "stance"),  # friendly
    ]
    messages = [p.message for p in caught.value.problems]
    assert messages[0].startswith("row has 12 values but the header has 11 columns")
    assert "'huge' is not a valid influence" in messages[1]
    assert "'friendly' is not one of ally, neutral, blocker, unknown" in messages[3]


def test_cli_malformed_rows_exit_3_and_write_nothing(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "deal.yaml"
    result = cli("import", CRM / "plain-people-bad.csv", "-o", out)
    assert result.exit_code == 3
    assert f"{CRM / 'plain-people-bad.csv'}:3: row has 12 values" in result.stderr
    assert f"{CRM / 'plain-people-bad.csv'}:4: influence: 'huge'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file either


def test_cli_nothing_written_unless_the_deal_validates(cli: Any, tmp_path: Path) -> None:
    # Every row is fine on its own; together they make a reports_to cycle.
    people = tmp_path / "people.csv"
    people.write_text("id,name,reports_to\na,Ann,b\nb,Bo,a\n", encoding="utf-8")
    out = tmp_path / "deal.yaml"
    out.write_text("# the old file\n", encoding="utf-8")
    result = cli("import", people, "-o", out, "--force")
    assert result.exit_code == 3
    assert f"{people}:2: people[0].reports_to: reports_to cycle: a -> b -> a" in result.stderr
    assert out.read_text(encoding="utf-8") == "# the old file\n"
    # A tie to someone the people file lacks: located in the ties file.
    ties = tmp_path / "ties.csv"
    ties.write_text("from,to\nAnn,Zoe\n", encoding="utf-8")
    people.write_text("id,name\na,Ann\nb,Bo\n", encoding="utf-8")
    result = cli("import", people, "--ties", ties, "-o", out, "--force")
    assert result.exit_code == 3
    assert f"{ties}:2: to: no person 'Zoe' in the people file" in result.stderr
    assert out.read_text(encoding="utf-8") == "# the old file\n"


def test_cli_import_writes_a_valid_deal_and_refuses_to_overwrite(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "acme.yaml"
    result = cli("import", CRM / "salesforce-contacts.csv", "-o", out, "--deal-name", "ACME ERP")
    assert result.exit_code == 0, result.stderr
    assert "manager 'Helen Ford' is not in this file" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported by `influence import` from salesforce-contacts.csv")
    deal = read_deal(out)
    assert deal.deal.name == "ACME ERP"
    assert len(deal.people) == 8
    again = cli("import", CRM / "hubspot-contacts.csv", "-o", out)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert out.read_text(encoding="utf-8") == text


def test_cli_import_to_stdout_and_json(cli: Any, tmp_path: Path) -> None:
    result = cli("import", CRM / "hubspot-contacts.csv")
    assert result.exit_code == 0
    assert parse_deal(result.stdout) == import_deal(CRM / "hubspot-contacts.csv").deal
    out = tmp_path / "contoso.json"
    assert cli("import", CRM / "hubspot-contacts.csv", "-o", out).exit_code == 0
    assert read_deal(out) == import_deal(CRM / "hubspot-contacts.csv").deal


def test_map_reads_a_custom_column(cli: Any, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "Full Name,Position,Committee Role,Phone\n"
        "Ann Lee,Head of IT,Evaluator,555\n"
        "Bo Chen,CFO,Decision Maker,556\n",
        encoding="utf-8",
    )
    deal = import_deal(
        people, mapping={"Full Name": "name", "Position": "title", "Committee Role": "roles"}
    ).deal
    assert [(p.id, p.title, _roles(deal, p.id)) for p in deal.people] == [
        ("ann-lee", "Head of IT", ["technical_buyer"]),
        ("bo-chen", "CFO", ["decision_maker"]),
    ]
    with pytest.raises(ImportMappingError, match="has no column 'Postion'; did you mean"):
        import_deal(people, mapping={"Postion": "title", "Full Name": "name"})
    with pytest.raises(ImportMappingError, match="'titel' is not a field; did you mean 'title'"):
        import_deal(people, mapping={"Position": "titel", "Full Name": "name"})
    bad = cli("import", people, "--map", "Position=titel", "--map", "Full Name=name")
    assert bad.exit_code == 2 and "'titel' is not a field" in bad.stderr


def test_unrecognised_headers_say_what_to_do() -> None:
    with pytest.raises(DealFileError) as caught:
        import_deal(parse_table("Email,Phone\na@b.example,1\n", source="x.csv"))
    assert "cannot tell which export" in str(caught.value)
    assert "--map COLUMN=name" in str(caught.value)


def test_not_utf8_is_located(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes("name,title\nJosé Núñez,CEO\n".encode("cp1252"))
    with pytest.raises(DealFileError) as caught:
        import_deal(people)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (2, 4)
    assert "not UTF-8" in problem.message and "CSV UTF-8" in problem.message


# -- role mapping and title inference ---------------------------------------------------


@pytest.mark.parametrize(
    ("crm_role", "ours"),
    [
        ("Decision Maker", ["decision_maker"]),
        ("Economic Buyer", ["economic_buyer"]),
        ("Economic Decision Maker", ["economic_buyer", "decision_maker"]),
        ("Technical Buyer", ["technical_buyer"]),
        ("Evaluator", ["technical_buyer"]),
        ("Influencer", ["influencer"]),
        ("Executive Sponsor", ["champion"]),
        ("Business User", ["user"]),
        ("End User", ["user"]),
        ("Budget Holder", ["economic_buyer"]),
        ("Legal & Compliance", ["legal"]),
        ("Champion", ["champion"]),
        ("Other", []),
        ("decision_maker", ["decision_maker"]),
    ],
)
def test_crm_role_names(crm_role: str, ours: list[str]) -> None:
    table = parse_table(f'ContactId,Name,Role\n1,Ann,"{crm_role}"\n', source="roles.csv")
    deal = import_deal(table).deal
    assert _roles(deal, "ann") == ours


def test_every_crm_role_maps_to_real_roles() -> None:
    assert all(isinstance(r, Role) for roles in CRM_ROLES.values() for r in roles)
    assert set(CRM_ROLES) >= {"decisionmaker", "economicbuyer", "technicalbuyer"}


def test_unknown_crm_role_is_a_warning_but_a_plain_role_typo_is_an_error() -> None:
    crm = import_deal(parse_table("ContactId,Name,Role\n1,Ann,Sponsorr\n", source="r.csv"))
    assert [(w.line, w.field) for w in crm.warnings if "Sponsorr" in w.message] == [(2, "Role")]
    with pytest.raises(DealFileError) as caught:
        import_deal(parse_table("name,roles\nAnn,decision-makr\n", source="p.csv"))
    assert str(caught.value.problems[0]) == (
        "p.csv:2: roles: 'decision-makr' is not a role we know; did you mean 'decision_maker'?"
    )


@pytest.mark.parametrize(
    ("title", "roles", "influence"),
    [
        ("CEO", ["decision_maker"], 0.85),
        ("Chief Executive Officer", ["decision_maker"], 0.85),
        ("CFO", ["economic_buyer"], 0.85),
        ("VP Finance", ["economic_buyer"], 0.7),
        ("Vice President, Sales", [], 0.7),
        ("Head of IT", ["technical_buyer"], 0.6),
        ("IT Director", ["technical_buyer"], 0.6),
        ("CTO", ["technical_buyer"], 0.85),
        ("Procurement Manager", ["procurement"], 0.45),
        ("Head of Purchasing", ["procurement"], 0.6),
        ("General Counsel", ["legal"], None),
        ("Executive Assistant to the CFO", ["gatekeeper"], None),
        ("Assistant Director, Finance", ["economic_buyer"], 0.6),
        ("Product Owner", [], None),
        ("Sales Engineer", [], None),
        ("首席执行官", ["decision_maker"], 0.85),
        ("采购经理", ["procurement"], 0.45),
    ],
)
def test_title_inference(title: str, roles: list[str], influence: float | None) -> None:
    guess = infer_from_title(title)
    assert ([r.value for r in guess.roles], guess.influence) == (roles, influence)


def test_inference_only_for_customers_and_never_over_stated_values() -> None:
    table = parse_table(
        "name,title,side,influence\nAnn,CEO,seller,\nBo,CEO,customer,0.3\nCy,CEO,partner,\n",
        source="p.csv",
    )
    deal = import_deal(table).deal
    assert (_roles(deal, "ann"), deal.person("ann").influence, deal.person("ann").notes) == (
        [],
        0.5,
        None,
    )
    assert (_roles(deal, "bo"), deal.person("bo").influence) == (["decision_maker"], 0.3)
    assert deal.person("bo").notes == "roles inferred from title 'CEO'; please confirm"
    assert _roles(deal, "cy") == []


def test_detect_format() -> None:
    sf = CRM / "salesforce-contacts.csv"
    hs = CRM / "hubspot-contacts.csv"
    assert detect_format(read_table(sf).headers) == "salesforce"
    assert detect_format(read_table(hs).headers) == "hubspot"
    assert detect_format(read_table(CRM / "salesforce-contacts-api.csv").headers) == "salesforce"
    assert detect_format(read_table(CRM / "plain-people.csv").headers) == "plain"


def test_duplicate_names_get_distinct_ids_with_a_warning() -> None:
    result = import_deal(parse_table("name\nAnn Lee\nAnn Lee\n", source="p.csv"))
    assert [p.id for p in result.deal.people] == ["ann-lee", "ann-lee-2"]
    assert any("'ann-lee-2'" in w.message and w.line == 3 for w in result.warnings)


def test_write_imported_takes_the_edit_lock(tmp_path: Path) -> None:
    import threading

    from influence.errors import DealLockError
    from influence.io import deal_lock

    result = import_deal(parse_table("name\nAnn\nBo"), deal_name="Pilot")
    out = tmp_path / "pilot.yaml"
    out.write_text("# an edit is under way\n", encoding="utf-8")
    caught: list[BaseException] = []

    def write(wait: float) -> None:
        try:
            write_imported(result, out, wait=wait)
        except BaseException as err:  # the thread's outcome, checked below
            caught.append(err)

    with deal_lock(out):
        busy = threading.Thread(target=write, args=(0.0,))
        busy.start()
        busy.join()
        assert len(caught) == 1 and isinstance(caught[0], DealLockError)
        assert out.read_text(encoding="utf-8") == "# an edit is under way\n"
        waiting = threading.Thread(target=write, args=(10.0,))
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()  # it waits for the lock: the file is not written yet
        assert out.read_text(encoding="utf-8") == "# an edit is under way\n"
    waiting.join(10)
    assert len(caught) == 1
    assert read_deal(out) == result.deal


def test_write_imported_without_replace_never_overwrites(tmp_path: Path) -> None:
    result = import_deal(parse_table("name\nAnn"), deal_name="Pilot")
    out = tmp_path / "pilot.yaml"
    assert write_imported(result, out, replace=False) == out.read_text(encoding="utf-8")
    out.write_text("# written meanwhile\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="pass --force"):
        write_imported(result, out, replace=False)
    assert out.read_text(encoding="utf-8") == "# written meanwhile\n"
    with pytest.raises(FileNotFoundError):
        write_imported(result, tmp_path / "no" / "such.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pilot.yaml"]  # no lock left


# ----------------------------------------------------------------- the deal's stage and competitors


def test_a_contact_roles_export_gives_the_deal_its_stage_and_competitors() -> None:
    table = parse_table(
        "ContactId,Contact.FirstName,Contact.LastName,Contact.Title,Role,"
        "Opportunity Name,Opportunity.StageName,Competitor\n"
        "003A,Chen,Jun,Chairman,Decision Maker,Valve MES,Negotiation/Review,Acme MES\n"
        "003B,Zhang,Min,CFO,Economic Buyer,Valve MES,Negotiation/Review,Acme MES; Bolt\n",
        source="roles.csv",
    )
    result = import_deal(table)
    info = result.deal.deal
    assert (info.name, info.stage) == ("Valve MES", "Negotiation/Review")
    assert [c.name for c in info.competitors] == ["Acme MES", "Bolt"]
    assert not [w for w in result.warnings if "ignored" in w.message]  # the columns were used
    assert deal_step(result.deal, Policy()).step == "tender"  # Salesforce's stage, mapped


def test_a_stage_no_mapping_knows_and_several_stages_are_warnings() -> None:
    table = parse_table(
        "Record ID,First Name,Last Name,Job Title,Deal Stage\n"
        "1,Ann,Lee,CTO,Gathering dust\n"
        "2,Bo,Wu,CFO,Gathering dust\n"
        "3,Cy,Ng,COO,contract sent\n",
        source="hubspot.csv",
    )
    result = import_deal(table)
    assert result.deal.deal.stage == "Gathering dust"  # the most rows
    messages = [w.message for w in result.warnings]
    assert any("rows name 2 values for deal.stage" in m for m in messages)
    assert any("stage_steps" in w.message and w.field == "deal.stage" for w in result.warnings)


def test_without_stage_or_competitor_columns_the_deal_has_neither() -> None:
    table = parse_table("id,name,title\nann,Ann Lee,CTO\n", source="plain.csv")
    info = import_deal(table).deal.deal
    assert info.stage is None and info.competitors == []


def test_the_key_account_fields_of_a_person_round_trip_through_csv(tmp_path: Path) -> None:
    deal = parse_deal(
        "deal: {name: T, competitors: [{name: Acme}]}\n"
        "people:\n"
        "  - {name: Ann, favours: Acme, needs: a quiet rollout, status: left,\n"
        "     refusals: [{kind: no_budget, as_of: 2026-11-05, notes: '=spent, \"all\" of it'}],\n"
        "     buying_signals: [{kind: agreed_next_step, date: 2026-11-10}]}\n"
        "  - {name: Me, side: seller}\n"
    )
    people_csv, _ = to_csv(deal)
    row = next(csv.DictReader(people_csv.splitlines()))
    assert row["refusals"].startswith("[{")  # JSON, never a formula start
    (tmp_path / "people.csv").write_text(people_csv, encoding="utf-8")
    back = import_deal(tmp_path / "people.csv").deal
    assert back.people == deal.people
    assert [c.name for c in back.deal.competitors] == ["Acme"]  # the favoured one, listed


def test_a_refusals_cell_that_is_not_json_is_located() -> None:
    table = parse_table("name,refusals\nAnn,no_budget\n", source="p.csv")
    with pytest.raises(DealFileError) as caught:
        import_deal(table)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (2, "refusals")
    assert "expected a JSON list" in problem.message
