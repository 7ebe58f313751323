"""The key-account method's signals: each fires where it should and nowhere else.

The fire / twin case of every code is in ``tests/analysis/test_risk.py`` (with
every other code's); these tests pin the rules' edges, and ``status: left``.
"""

from __future__ import annotations

from typing import Any

import pytest

from influence import Deal, Policy, analyze
from influence.analysis.paths import introduction_paths
from influence.analysis.report import Signal
from influence.analysis.signals import REFUSAL_ADVICE
from influence.graph import COLUMNS_FROM, DealGraph, deal_graph
from influence.model import RefusalKind
from tests.analysis.test_risk import (
    changed,
    customer,
    fact,
    healthy,
    make,
    seller,
    staged,
    tie,
    with_person,
)


def found(deal: Deal, code: str, policy: Policy | None = None) -> list[Signal]:
    return [s for s in analyze(deal, policy).signals if s.code == code]


# -- information-gap -------------------------------------------------------------


def test_every_required_item_missing_is_one_gap_in_checklist_order_of_the_action() -> None:
    deal = staged({"stage": "tender", "facts": {"budget": fact(), "criteria": fact()}})
    gaps = found(deal, "information-gap")
    assert sorted(s.item for s in gaps if s.item) == [
        "next_step",
        "process",
        "reason",
        "sticking_point",
    ]
    assert len({s.identity() for s in gaps}) == 4  # one signal per item, none merged
    assert all(s.people == [] and s.points == 10 for s in gaps)
    action = next(a for a in analyze(deal).actions if a.signal == "information-gap")
    assert "the reason, the process, the next step and the sticking point" in action.text
    assert action.resolves == ["information-gap"]


def test_a_stale_fact_is_a_gap_naming_who_told_us_and_a_fresh_one_is_not() -> None:
    old = {"budget": fact(as_of="2026-08-21"), "reason": fact(as_of="2026-08-22")}
    gaps = found(staged({"stage": "Prospecting", "facts": old}), "information-gap")
    assert [(s.item, s.people, s.facts.days) for s in gaps] == [("budget", ["ch"], 91)]
    assert "91 days old (from Ch)" in gaps[0].message


def test_the_item_is_in_the_json_of_a_gap_only() -> None:
    report = analyze(staged({"stage": "Prospecting"}, changed("us", status="left")))
    dumped = [s.model_dump(mode="json") for s in report.signals]
    assert {d["item"] for d in dumped if d["code"] == "information-gap"} == {"budget", "reason"}
    assert all("item" not in d for d in dumped if d["code"] != "information-gap")


def test_no_gap_without_a_step_or_for_a_step_the_policy_requires_nothing_of() -> None:
    assert found(staged({}), "information-gap") == []
    assert found(staged({"stage": "Stage 7"}), "information-gap") == []  # no step: a warning
    assert found(staged({"stage": "onboarding"}), "information-gap") == []  # implementation
    policy = Policy(checklist={"need": ["metrics"]})
    gaps = found(staged({"stage": "Prospecting"}), "information-gap", policy)
    assert [s.item for s in gaps] == ["metrics"]


@pytest.mark.parametrize("stage", ["Closed Lost", "Closed Won"])
def test_a_closed_deal_has_no_key_account_signal(stage: str) -> None:
    people = changed(
        "us", status="left", refusals=[{"kind": "no_need"}], favours="Acme", influence=0.9
    )
    report = analyze(staged({"stage": stage, "competitors": [{"name": "Acme"}]}, people))
    method = {
        "information-gap",
        "no-recent-buying-signal",
    }
    assert not method & {s.code for s in report.signals}
    if stage == "Closed Lost":  # a lost deal is not scored at all (report.py)
        assert report.signals == [] and report.risk.score == 0


# -- competitor-favoured -----------------------------------------------------------


def test_the_top_influencer_who_is_no_decision_maker_favouring_a_competitor_fires() -> None:
    people, _ = healthy()
    weights = {"dm": 0.7, "eb": 0.6, "us": 0.79}  # us: the most influential, below 0.8
    people = [{**p, "influence": weights[p["id"]]} if p["id"] in weights else p for p in people]
    people = [{**p, "favours": "Acme"} if p["id"] == "us" else p for p in people]
    report = analyze(staged({"competitors": [{"name": "Acme"}]}, people))
    assert "us" not in report.decision_makers
    [signal] = [s for s in report.signals if s.code == "competitor-favoured"]
    assert signal.people == ["us"] and "most influential customer (0.79)" in signal.message
    action = next(a for a in report.actions if a.target == "us")
    assert "favours Acme" in action.text
    # below the decision-maker's 0.7, us is not the top influencer any more
    lower = [{**p, "influence": 0.65} if p["id"] == "us" else p for p in people]
    assert found(staged({"competitors": [{"name": "Acme"}]}, lower), "competitor-favoured") == []


def test_a_decision_maker_who_left_favouring_a_competitor_does_not_fire() -> None:
    deal = staged({"competitors": [{"name": "Acme"}]}, changed("eb", favours="Acme", status="left"))
    assert found(deal, "competitor-favoured") == []


# -- small-player-unengaged -------------------------------------------------------


def small(**aide: Any) -> Deal:
    people, ties = healthy()
    fields = {"influence": 0.1, "reports_to": "dm", **aide}
    return make([*people, customer("aide", **fields)], ties)


def test_a_report_of_a_decision_maker_unreached_and_unknown_is_a_small_player() -> None:
    [signal] = found(small(), "small-player-unengaged")
    assert signal.people == ["aide", "dm"] and signal.severity == "low"
    action = next(a for a in analyze(small()).actions if a.target == "aide")
    assert action.text.startswith("Win over Aide, who is close to Dm")


@pytest.mark.parametrize(
    "aide",
    [
        {"stance": "neutral"},  # their stance is known
        {"influence": 0.5},  # not below the median
        {"reports_to": "us"},  # close to a user only
    ],
)
def test_a_small_player_known_or_weighty_or_far_from_power_does_not_fire(
    aide: dict[str, Any],
) -> None:
    assert found(small(**aide), "small-player-unengaged") == []


def test_a_covered_small_player_does_not_fire_and_a_technical_buyer_counts() -> None:
    people, ties = healthy()
    aide = customer("aide", influence=0.1, reports_to="tb")
    assert [s.people for s in found(make([*people, aide], ties), "small-player-unengaged")] == [
        ["aide", "tb"]
    ]
    covered = make([*people, aide], [*ties, tie("s", "aide", strength=0.9)])
    assert found(covered, "small-player-unengaged") == []


# -- open-refusal ------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(RefusalKind))
def test_the_action_gives_the_advice_of_the_refusal(kind: RefusalKind) -> None:
    deal = with_person("us", refusals=[{"kind": kind.value}, {"kind": kind.value}])
    [signal] = found(deal, "open-refusal")
    assert signal.facts.refusals == (kind.value,)  # one signal, each kind once
    action = next(a for a in analyze(deal).actions if a.target == "us")
    assert REFUSAL_ADVICE[kind] in action.text
    others = [REFUSAL_ADVICE[k] for k in RefusalKind if k is not kind]
    assert not any(advice in action.text for advice in others)


def test_resolved_refusals_and_those_of_people_who_left_do_not_fire() -> None:
    done = [{"kind": "no_trust", "resolved": True}, {"kind": "no_need", "resolved": "2026-11-01"}]
    assert found(with_person("us", refusals=done), "open-refusal") == []
    gone = with_person("us", refusals=[{"kind": "no_trust"}], status="left")
    assert found(gone, "open-refusal") == []


# -- no-recent-buying-signal -------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "day", "fires"),
    [
        ("Negotiation", "2026-10-21", False),  # 30 days before as_of: recent
        ("Negotiation", "2026-10-20", True),  # 31 days: not recent
        ("Negotiation", "2026-11-21", True),  # after as_of: does not count
        ("contract sent", "2026-10-20", True),  # commitment
        ("onboarding", "2026-10-20", True),  # implementation
        ("evaluation", "2026-10-20", False),  # criteria: before tender
        ("Closed Won", "2026-10-20", False),
    ],
)
def test_buying_signals_are_asked_for_from_tender_on(stage: str, day: str, fires: bool) -> None:
    people = changed("ch", buying_signals=[{"kind": "introduced_senior", "date": day}])
    report = analyze(staged({"stage": stage}, people))
    signals = [s for s in report.signals if s.code == "no-recent-buying-signal"]
    assert bool(signals) is fires
    assert (report.temperature == 10) is fires or stage in ("evaluation", "Closed Won")


def test_a_buying_signal_of_a_person_who_left_does_not_count() -> None:
    recent = [{"kind": "agreed_next_step", "date": "2026-11-10"}]
    deal = staged({"stage": "Negotiation"}, changed("ch", buying_signals=recent, status="left"))
    assert len(found(deal, "no-recent-buying-signal")) == 1


# -- status: left --------------------------------------------------------------------


def via_insider(status: str) -> Deal:
    """Our only way to the decision-maker runs through an insider we cover."""
    people = [
        seller(),
        customer("in", stance="ally", status=status),
        customer("dm", roles=["decision_maker"], influence=0.9),
    ]
    ties = [tie("s", "in", strength=0.9), tie("in", "dm", strength=0.8)]
    return make(people, ties)


def test_a_path_and_coverage_through_a_person_who_left_are_lost() -> None:
    here, gone = via_insider("active"), via_insider("left")
    before, after = analyze(here), analyze(gone)
    assert [p.people for p in before.paths["dm"]] == [["s", "in", "dm"]]
    assert before.coverage.people["in"] == "covered"
    assert after.paths["dm"] == []
    assert introduction_paths(gone, "dm") == []
    assert after.coverage.people["in"] == "uncovered"
    assert after.coverage.score == 0.0
    # the tie stays in the deal (the map and the exports show it), it counts for nothing
    graph = deal_graph(gone)
    assert [(t.from_, t.to) for t in graph.ties] == [("s", "in"), ("in", "dm")]
    assert not any(graph.counts(t) for t in graph.ties)
    assert graph.our_ties("in") == []
    [left] = [s for s in after.signals if s.code == "person-left"]
    assert left.people == ["in"] and left.severity == "low" and "has left" in left.message
    assert after.left == ["in"]


def test_a_seller_who_left_covers_nobody() -> None:
    people, ties = healthy()
    deal = make([*people, seller("s2")], [*ties, tie("s2", "us", strength=0.9)])
    assert analyze(deal).coverage.people["us"] == "covered"
    people = [*people, {**seller("s2"), "status": "left"}]
    ties = [t for t in ties if t["to"] != "us"] + [tie("s2", "us", strength=0.9)]
    report = analyze(make(people, ties))
    assert report.coverage.people["us"] == "uncovered"
    [left] = [s for s in report.signals if s.code == "person-left"]
    assert "(our team) has left" in left.message
    action = next(a for a in report.actions if a.target == "s2")
    assert action.text.startswith("Hand S2's relationships")


def test_a_decision_maker_who_left_decides_nothing() -> None:
    report = analyze(with_person("eb", status="left"))
    assert "eb" not in report.decision_makers
    codes = {s.code for s in report.signals if "eb" in s.people}
    assert codes == {"person-left"}


def test_the_many_ties_rule_of_who_left_is_the_same_as_the_few_ties_one() -> None:
    """From COLUMNS_FROM ties the graph reads numpy columns: the same answer."""
    fillers = [customer(f"f{i}", influence=0.2) for i in range(72)]
    ties = [tie(a["id"], b["id"]) for i, a in enumerate(fillers) for b in fillers[i + 1 :]]
    assert len(ties) >= COLUMNS_FROM
    people = [seller(), seller("s2"), *fillers]
    ties += [tie("s", "f0", strength=0.9), tie("s2", "f1", strength=0.9)]
    deal = make([{**p, "status": "left"} if p["id"] in ("f0", "s2") else p for p in people], ties)
    graph = DealGraph(deal)
    assert graph.many_ties()
    status = graph.coverage()
    assert status["f0"] == status["f1"] == "uncovered"
    assert graph.counting().tolist() == [graph.counts(t) for t in graph.ties]
    assert introduction_paths(deal, "f5") == []
