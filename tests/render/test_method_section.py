"""The key-account section of the terminal and Markdown reports says what the JSON says."""

from __future__ import annotations

from datetime import date

from influence import Deal, analyze, to_markdown, to_terminal
from influence.analysis.models import FactRow

AS_OF = date(2026, 6, 1)


def _deal() -> Deal:
    return Deal.model_validate(
        {
            "deal": {
                "name": "Valve line",
                "stage": "Negotiation/Review",
                "as_of": AS_OF.isoformat(),
                "facts": {
                    "budget": {"text": "CNY 2m approved", "source": "sec", "as_of": "2026-05-02"}
                },
                "competitors": [{"name": "Acme Valves", "incumbent": True}],
            },
            "people": [
                {
                    "id": "chair",
                    "name": "Huang Jianguo",
                    "title": "Chairman",
                    "roles": ["decision_maker"],
                    "influence": 0.95,
                },
                {
                    "id": "cfo",
                    "name": "Zhang Min",
                    "title": "CFO",
                    "roles": ["decision_maker"],
                    "reports_to": "chair",
                    "favours": "Acme Valves",
                },
                {
                    "id": "sec",
                    "name": "Wu Lan",
                    "title": "Secretary",
                    "roles": ["coach"],
                    "stance": "ally",
                },
                {"id": "old", "name": "Qian Bo", "status": "left"},
                {"id": "rep", "name": "Li Wei", "side": "seller"},
            ],
            "relationships": [{"from": "rep", "to": "sec", "strength": 0.8}],
        }
    )


def _section(text: str, start: str, end: str) -> list[str]:
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().endswith(start))
    last = next(i for i in range(first + 1, len(lines)) if lines[i].strip().startswith(end))
    return [line.strip().lstrip("- ") for line in lines[first + 1 : last] if line.strip()]


def test_both_faces_name_the_report_s_step_top_decision_maker_facts_and_rivals() -> None:
    report = analyze(_deal())
    assert report.step == "tender" and report.top_decision_maker == "chair"
    required_missing = sorted(f.item for f in report.facts if f.required and not f.known)
    assert required_missing and "budget" not in required_missing
    for lines in (
        _section(to_terminal(report, width=100), "Key-account method", "Role coverage"),
        _section(to_markdown(report), "## Key-account method", "## "),
    ):
        assert lines[0] == f"Step tender; temperature {report.temperature} degrees"
        assert lines[1].startswith("Top decision-maker: Huang Jianguo (Chairman)")
        known = [line for line in lines if line.startswith("Know budget")]
        assert len(known) == 1 and "Wu Lan (Secretary)" in known[0] and "30 days old" in known[0]
        missing = sorted(
            line.removeprefix("Missing ").split(" ")[0]
            for line in lines
            if line.startswith("Missing ")
        )
        assert missing == required_missing
        assert "Competitor Acme Valves (incumbent): favoured by Zhang Min (CFO)" in lines
        assert lines[-1] == "Left the company: Qian Bo"


def test_a_fact_the_step_does_not_require_is_not_listed_as_missing() -> None:
    report = analyze(_deal())
    rows = [
        FactRow(item="budget", known=False, required=False),
        FactRow(item="reason", known=False, required=True),
    ]
    lines = _section(
        to_terminal(report.model_copy(update={"facts": rows}), width=100),
        "Key-account method",
        "Role coverage",
    )
    assert "Missing reason (required at this step)" in lines
    assert not [line for line in lines if "budget" in line]


def test_visits_and_favours_follow_the_method_rows_with_touchpoints_only() -> None:
    # The deal of tests/analysis/test_cadence.py, whose numbers are worked out there.
    from tests.analysis.test_cadence import visits_deal

    report = analyze(visits_deal())
    md = to_markdown(report)
    section = md[md.index("## Key-account method") : md.index("## Signals")]
    assert (
        "- Visits per month 2026-06..2026-11 to Zhang Min (decision-maker): 0 0 0 1 1 0 "
        "(total 2; last 2026-10-15)\n"
    ) in section
    assert (
        "- Favours ledger (人情) with Zhang Min: favours given 2, asked 1; gifts given 1, "
        "received 0 (last 2026-10-20)\n"
    ) in section
    text = to_terminal(report, width=200)
    assert "Visits per month 2026-06..2026-11 to Xu Li (coach): 0 0 0 0 0 0" in text
    # Without touchpoints: neither (the golden files hold every example's whole report).
    plain = to_markdown(analyze(_deal()))
    assert "Visits per month" not in plain and "Favours ledger" not in plain
