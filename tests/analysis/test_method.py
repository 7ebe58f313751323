"""The key-account method's fields (issue 12): validation, steps, report views."""

from __future__ import annotations

import pytest

from influence.analysis.method import temperature, top_decision_maker
from influence.analysis.report import analyze
from influence.analysis.stages import deal_step
from influence.errors import DealFileError
from influence.io import parse_deal, read_policy
from influence.model import Deal, Policy, Step

BASE = """\
deal:
  name: x
  as_of: 2026-11-20
  competitors: [{name: Acme}]
people:
  - {name: Li Wei, side: seller}
  - {name: Ann}
"""


@pytest.mark.parametrize(
    ("extra", "field", "hint"),
    [
        ("deal:\n  name: x\n  facts: {budgit: {text: a}}\n", "deal.facts", "'budget'"),
        (
            "deal:\n  name: x\n  facts: {budget: {text: a, source: anne}}\npeople: [{name: Ann}]\n",
            "deal.facts.budget.source",
            "'ann'",
        ),
        (BASE + "  - {name: Bo, favours: Acmee}\n", "people[2].favours", "'Acme'"),
        (BASE + "  - {name: Bo, refusals: [{kind: no_nead}]}\n", "refusals[0].kind", "'no_need'"),
        (
            BASE + "  - {name: Bo, buying_signals: [{kind: agreed_next, date: 2026-01-01}]}\n",
            "buying_signals[0].kind",
            "'agreed_next_step'",
        ),
        (BASE + "  - {name: Bo, status: lefft}\n", "people[2].status", "'left'"),
        ("deal: {name: x}\npolicy: {stage_steps: {Foo: tendr}}\n", "stage_steps", "'tender'"),
        ("deal: {name: x}\npolicy: {checklist: {tender: [budgt]}}\n", "checklist", "'budget'"),
    ],
)
def test_a_bad_new_field_is_a_located_error_with_a_suggestion(
    extra: str, field: str, hint: str
) -> None:
    with pytest.raises(DealFileError) as err:
        parse_deal(extra, source="d.yaml")
    problem = err.value.problems[0]
    assert field in problem.field
    assert problem.line > 0
    assert f"did you mean {hint}" in problem.message


def test_the_new_fields_read() -> None:
    deal = parse_deal(
        BASE
        + "  - name: Bo\n    favours: Acme\n    status: left\n"
        + "    refusals: [{kind: no_budget, resolved: 2026-10-01}]\n"
    )
    bo = deal.person("bo")
    assert bo.favours == "Acme" and bo.has_left
    assert not bo.refusals[0].is_open


@pytest.mark.parametrize(
    ("stage", "step"),
    [
        ("Negotiation/Review", Step.TENDER),
        ("CONTRACT NEGOTIATION", Step.TENDER),
        ("Closed Lost", Step.LOST),
        ("decision maker bought-in", Step.TENDER),
        ("立项", Step.NEED),
        ("商务谈判", Step.TENDER),
        ("Prospecting", Step.NEED),
    ],
)
def test_default_stage_names_map_to_steps(stage: str, step: Step) -> None:
    deal = Deal.model_validate({"deal": {"name": "x", "stage": stage}})
    assert deal_step(deal, Policy()).step is step


def test_an_unmapped_stage_warns_and_the_policy_maps_it() -> None:
    deal = Deal.model_validate({"deal": {"name": "x", "stage": "Stage 7"}})
    found = deal_step(deal, Policy())
    assert found.step is None and found.warning and "stage_steps" in found.warning
    mapped = deal_step(deal, Policy(stage_steps={"STAGE 7": Step.COMMITMENT}))
    assert mapped == (Step.COMMITMENT, None)


def test_top_decision_maker_is_the_top_of_the_reporting_line() -> None:
    deal = Deal.model_validate(
        {
            "deal": {"name": "x"},
            "people": [
                {"name": "Cfo", "roles": ["economic_buyer"], "influence": 0.95},
                {"name": "Chair", "roles": ["decision_maker"], "influence": 0.3},
                {"name": "Other", "roles": ["decision_maker"], "influence": 0.3},
            ],
            "relationships": [{"from": "cfo", "to": "chair", "kind": "reports_to"}],
        }
    )
    # chair and other are both at the top: ties by influence, then id.
    assert top_decision_maker(deal, ["cfo", "chair", "other"]) == "chair"
    assert top_decision_maker(deal, ["cfo"]) == "cfo"


def test_temperature_counts_recent_kinds() -> None:
    def deal(signals: list[dict[str, str]]) -> Deal:
        return Deal.model_validate(
            {
                "deal": {"name": "x", "as_of": "2026-11-20"},
                "people": [{"name": "Ann", "buying_signals": signals}],
            }
        )

    assert temperature(deal([]), Policy()) == 10
    old = {"kind": "agreed_next_step", "date": "2026-01-01"}
    assert temperature(deal([old]), Policy()) == 10
    two = [
        {"kind": "agreed_next_step", "date": "2026-11-10"},
        {"kind": "agreed_next_step", "date": "2026-11-11"},
        {"kind": "introduced_senior", "date": "2026-11-12"},
    ]
    assert temperature(deal(two), Policy()) == 80


def test_a_lost_deal_is_not_scored() -> None:
    data = {
        "deal": {"name": "x", "stage": "closed lost"},
        "people": [{"name": "Ann", "roles": ["decision_maker"]}],
    }
    report = analyze(Deal.model_validate(data))
    assert report.step == "lost" and report.signals == [] and report.risk.score == 0
    open_deal = analyze(Deal.model_validate({**data, "deal": {"name": "x"}}))
    assert open_deal.signals


def test_the_report_carries_facts_competitors_and_left() -> None:
    deal = parse_deal(
        "deal:\n  name: x\n  as_of: 2026-11-20\n  stage: proposal\n"
        "  facts: {budget: {text: 2M, source: ann, as_of: 2026-01-01}}\n"
        "  competitors: [{name: Acme, incumbent: true}]\n"
        "people:\n  - {name: Ann, favours: Acme}\n  - {name: Bo, status: left}\n"
    )
    report = analyze(deal)
    budget = next(f for f in report.facts if f.item == "budget")
    assert budget.known and budget.source == "ann" and budget.stale and budget.age_days == 323
    assert {f.item for f in report.facts if not f.known} == {
        "reason",
        "process",
        "criteria",
        "next_step",
        "sticking_point",
    }
    assert report.competitors[0].favoured_by == ["ann"]
    assert report.left == ["bo"]


def test_the_meddpicc_policy_is_bundled() -> None:
    policy = read_policy("meddpicc")
    assert "champion" in policy.checklist[Step.TENDER]
    assert "budget" not in policy.checklist[Step.TENDER]
