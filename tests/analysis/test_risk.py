"""Every signal code fires on a small deal made for it, and not on its near twin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from influence import Deal, Policy, analyze, read_deal
from influence.analysis.risk import SIGNAL_CODES

AS_OF = "2026-11-20"
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def make(
    people: list[dict[str, Any]], ties: list[dict[str, Any]] | None = None, **deal: Any
) -> Deal:
    return Deal.model_validate(
        {
            "deal": {"name": "t", "as_of": AS_OF, **deal},
            "people": people,
            "relationships": ties or [],
        }
    )


def seller(pid: str = "s") -> dict[str, Any]:
    return {"id": pid, "name": pid.upper(), "side": "seller"}


def customer(pid: str, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "name": pid.title(), **fields}


def tie(a: str, b: str, **fields: Any) -> dict[str, Any]:
    return {"from": a, "to": b, **fields}


def healthy() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A deal with no signal at all: every role covered, allies, fresh ties."""
    people = [
        seller(),
        customer("dm", roles=["decision_maker"], stance="ally", influence=0.9, assessed=AS_OF),
        customer("eb", roles=["economic_buyer"], stance="ally", influence=0.8, assessed=AS_OF),
        customer("tb", roles=["technical_buyer"], stance="ally", influence=0.5),
        customer("us", roles=["user"], stance="neutral", influence=0.4),
        customer("ch", roles=["champion"], stance="ally", influence=0.5),
    ]
    ties = [
        tie("s", c, strength=0.9, last_contact="2026-11-10") for c in ("dm", "eb", "tb", "us", "ch")
    ]
    return people, ties


def codes(deal: Deal, policy: Policy | None = None) -> list[str]:
    return [s.code for s in analyze(deal, policy).signals]


def test_healthy_deal_has_no_signals_and_low_risk() -> None:
    report = analyze(make(*healthy()))
    assert report.signals == []
    assert (report.risk.score, report.risk.grade) == (0, "low")
    assert report.coverage.score == 1.0
    assert report.support > 0.8


def with_person(pid: str, **changes: Any) -> Deal:
    people, ties = healthy()
    people = [({**p, **changes} if p["id"] == pid else p) for p in people]
    return make(people, ties)


def without_ties_to(pid: str) -> Deal:
    people, ties = healthy()
    return make(people, [t for t in ties if t["to"] != pid])


FIRES: dict[str, tuple[Deal, Deal, list[str]]] = {}


def case(code: str, fires: Deal, twin: Deal, people: list[str]) -> None:
    FIRES[code] = (fires, twin, people)


people, ties = healthy()
case(
    "no-decision-maker",
    make(
        [p for p in people if p["id"] not in ("dm", "eb")],
        [t for t in ties if t["to"] not in ("dm", "eb")],
    ),
    make(*healthy()),
    [],
)
# dm (0.9) is the top decision-maker (no reporting line: the most influential); eb is not
case("decision-maker-uncovered", without_ties_to("eb"), without_ties_to("dm"), ["eb"])
case("top-decision-maker-uncovered", without_ties_to("dm"), without_ties_to("eb"), ["dm"])
case(
    "close-date-passed",
    make(*healthy(), stage="Negotiation", close_date="2026-11-19"),
    make(*healthy(), stage="Contract", close_date="2026-11-19"),  # commitment: no news
    [],
)
case(
    "close-date-unrealistic",
    # criteria: tender 30 + commitment 14 = 44 days still to go
    make(*healthy(), stage="Evaluation", close_date="2027-01-02"),  # 43 days away
    make(*healthy(), stage="Evaluation", close_date="2027-01-03"),  # 44 days away
    [],
)
case(
    "no-coach",
    with_person("ch", stance="neutral"),  # no-champion fires too: nobody sells for us
    make(  # a covered ally coach, still no champion: no-champion alone
        [
            *({**p, "stance": "neutral"} if p["id"] == "ch" else p for p in people),
            customer("sec", roles=["coach"], stance="ally", influence=0.2),
        ],
        [*ties, tie("s", "sec", strength=0.9)],
    ),
    [],
)
case("decision-maker-blocker", with_person("eb", stance="blocker"), make(*healthy()), ["eb"])
case(
    "role-missing",
    make([p for p in people if p["id"] != "us"], [t for t in ties if t["to"] != "us"]),
    make(*healthy()),
    [],
)
case("role-uncovered", without_ties_to("tb"), make(*healthy()), ["tb"])
case("no-champion", with_person("ch", stance="neutral"), make(*healthy()), [])
case(
    "single-threaded",
    make(people, [t for t in ties if t["to"] in ("dm", "eb")]),
    make(people, [t for t in ties if t["to"] in ("dm", "eb", "ch")]),
    ["dm", "eb"],
)
case(
    "blocker-influences-decision-maker",
    make(
        [*people, customer("bk", stance="blocker", influence=0.3)],
        [*ties, tie("bk", "dm", kind="influences"), tie("s", "bk", strength=0.9)],
    ),
    make(
        [*people, customer("bk", stance="blocker", influence=0.3)],
        [*ties, tie("dm", "bk", kind="influences"), tie("s", "bk", strength=0.9)],
    ),
    ["bk", "dm"],
)
case(
    "unknown-stance",
    with_person("us", stance="unknown", influence=0.6),
    with_person("us", stance="unknown", influence=0.59),
    ["us"],
)
case(
    "stale-relationship",
    make(people, [({**t, "last_contact": "2026-09-01"} if t["to"] == "ch" else t) for t in ties]),
    make(people, [({**t, "last_contact": "2026-10-06"} if t["to"] == "ch" else t) for t in ties]),
    ["ch"],
)
case(
    "doubtful-assessment",
    with_person("dm", assessed="2026-08-21"),
    with_person("dm", assessed="2026-08-22"),
    ["dm"],
)
BLOCKERS = [customer(f"bk{i}", stance="blocker", influence=1.0) for i in range(3)]
case(
    "negative-support",
    # allies weigh 2.7 in all; three blockers of 1.0 outweigh them, two do not
    make([*people, *BLOCKERS], [*ties, *(tie("s", b["id"], strength=0.9) for b in BLOCKERS)]),
    make(
        [*people, *BLOCKERS[:2]], [*ties, *(tie("s", b["id"], strength=0.9) for b in BLOCKERS[:2])]
    ),
    [],
)
case(
    "ally-conflicts-with-decision-maker",
    make(people, [*ties, tie("dm", "ch", kind="conflicts_with")]),
    make(people, [*ties, tie("us", "ch", kind="conflicts_with")]),
    ["ch", "dm"],
)
case(
    "hidden-influencer",
    make(people, [*ties, *(tie("us", x, strength=1.0) for x in ("dm", "eb", "tb", "ch"))]),
    make(*healthy()),
    ["us"],
)
case(
    "isolated-person",
    make([*people, customer("lone", stance="neutral", influence=0.1)], ties),
    make([*people, customer("lone", stance="neutral", influence=0.1)], [*ties, tie("us", "lone")]),
    ["lone"],
)


def test_every_code_has_a_case() -> None:
    assert sorted(FIRES) == sorted(SIGNAL_CODES)


@pytest.mark.parametrize("code", sorted(FIRES))
def test_signal_fires_and_its_twin_does_not(code: str) -> None:
    fires, twin, people = FIRES[code]
    found = [s for s in analyze(fires).signals if s.code == code]
    assert found, f"{code} should fire"
    assert any(s.people == people for s in found), [s.people for s in found]
    for s in found:
        assert s.severity == SIGNAL_CODES[code][0]
        assert s.message.endswith(".") and "\n" not in s.message
    assert code not in codes(twin)


def test_one_signal_per_uncovered_decision_maker() -> None:
    people, ties = healthy()
    deal = make(people, [t for t in ties if t["to"] not in ("dm", "eb")])
    signals = analyze(deal).signals
    found = [s.people for s in signals if s.code == "decision-maker-uncovered"]
    # the top decision-maker's own code says it for them, the others keep theirs
    top = [s.people for s in signals if s.code == "top-decision-maker-uncovered"]
    assert (found, top) == ([["eb"]], [["dm"]])


def test_policy_changes_thresholds() -> None:
    deal = without_ties_to("us")
    assert "single-threaded" not in codes(deal)
    assert "single-threaded" in codes(deal, Policy(min_threads=5))


def test_deal_policy_overrides_team_policy() -> None:
    people, ties = healthy()
    deal = Deal.model_validate(
        {
            "deal": {"name": "t", "as_of": AS_OF},
            "people": people,
            "relationships": ties,
            "policy": {"min_threads": 2},
        }
    )
    assert "single-threaded" not in codes(deal, Policy(min_threads=9))


def test_grades_on_obvious_deals() -> None:
    assert analyze(make(*healthy())).risk.grade == "low"
    people, _ = healthy()
    hopeless = make(
        [{**p, "stance": "blocker"} if p.get("side") != "seller" else p for p in people]
    )
    report = analyze(hopeless)
    assert report.risk.grade == "high"
    # the hopeless deal outranks every bundled example
    assert all(report.risk.score > analyze(read_deal(e)).risk.score for e in EXAMPLES)
    one_gap = without_ties_to("dm")
    mid = analyze(one_gap).risk
    assert mid.grade == "medium", mid
    assert 0 < mid.score < report.risk.score


def test_contributions_explain_the_score() -> None:
    report = analyze(without_ties_to("dm"))
    risk = report.risk
    assert sum(c.share for c in risk.contributions) == risk.score
    assert sum(c.points for c in risk.contributions) == risk.points
    assert [c.code for c in risk.contributions] == [s.code for s in report.signals if s.points]
    assert str(risk.points) in risk.explanation and str(risk.score) in risk.explanation


# -- the key-account method's signals (more cases: tests/analysis/test_method_signals.py)


def staged(info: dict[str, Any], people: list[dict[str, Any]] | None = None) -> Deal:
    """The healthy deal with these deal fields (stage, facts, competitors) and people."""
    base, ties = healthy()
    return Deal.model_validate(
        {
            "deal": {"name": "t", "as_of": AS_OF, **info},
            "people": people if people is not None else base,
            "relationships": ties,
        }
    )


def fact(text: str = "known", as_of: str = "2026-11-01") -> dict[str, Any]:
    return {"text": text, "source": "ch", "as_of": as_of}


def changed(pid: str, **changes: Any) -> list[dict[str, Any]]:
    return [({**p, **changes} if p["id"] == pid else p) for p in healthy()[0]]


case(
    "information-gap",
    staged({"stage": "Prospecting", "facts": {"budget": fact()}}),  # step need: + reason
    staged({"stage": "Prospecting", "facts": {"budget": fact(), "reason": fact()}}),
    [],
)
ACME = {"competitors": [{"name": "Acme"}]}
case(
    "competitor-favoured",
    staged(ACME, changed("eb", favours="Acme")),
    staged(ACME, changed("us", favours="Acme")),  # neither a decision-maker nor the top
    ["eb"],
)
case(
    "small-player-unengaged",
    make(
        [*people, customer("aide", influence=0.1)],
        [*ties, tie("aide", "dm", kind="influences")],
    ),
    make(
        [*people, customer("aide", influence=0.1)],
        [*ties, tie("dm", "aide", kind="influences")],  # the decision-maker sways them
    ),
    ["aide", "dm"],
)
case(
    "open-refusal",
    with_person("us", refusals=[{"kind": "no_budget", "as_of": "2026-10-01"}]),
    with_person("us", refusals=[{"kind": "no_budget", "resolved": "2026-11-01"}]),
    ["us"],
)
SIGNALLED = changed("ch", buying_signals=[{"kind": "agreed_next_step", "date": "2026-11-01"}])
case(
    "no-recent-buying-signal",
    staged({"stage": "Negotiation"}),
    staged({"stage": "Negotiation"}, SIGNALLED),
    [],
)
case("person-left", with_person("us", status="left"), make(*healthy()), ["us"])


# -- cadence and concentration: deals with touchpoints (more: tests/analysis/test_cadence.py)


def touched(
    touches: list[tuple[str, str, str]],
    people: list[dict[str, Any]] | None = None,
    ties: list[dict[str, Any]] | None = None,
) -> Deal:
    """The healthy deal (or these people and ties) with touchpoints (date, kind, customer)."""
    base, base_ties = healthy()
    return Deal.model_validate(
        {
            "deal": {"name": "t", "as_of": AS_OF},
            "people": people if people is not None else base,
            "relationships": ties if ties is not None else base_ties,
            "touchpoints": [
                {"date": day, "kind": kind, "people": ["s", who]} for day, kind, who in touches
            ],
        }
    )


case(
    "cadence-missed",
    # dm is the top decision-maker (cadence 30): the visit is 52 days before as_of
    touched([("2026-09-29", "visit", "dm")]),
    touched([("2026-10-21", "visit", "dm")]),  # 30 days: on time
    ["dm"],
)
case(
    "single-seller-dependency",
    # s alone holds every warm tie to dm and eb; in the twin s2 has a warm tie to eb too
    touched([("2026-11-10", "call", "us")]),
    touched(
        [("2026-11-10", "call", "us")],
        [*people, seller("s2")],
        [*ties, tie("s2", "eb", strength=0.9, last_contact="2026-11-10")],
    ),
    ["s", "dm", "eb"],
)
case(
    "cooling-tie",
    # a call 35 days ago on a tie stated 0.9: 0.903 on 2026-10-21, 0.795 now (docs)
    touched([("2026-10-16", "call", "us")]),
    touched([("2026-11-15", "call", "us")]),  # before: stated 0.9; now warmer
    ["us", "s"],
)


@pytest.mark.parametrize("code", ["cadence-missed", "single-seller-dependency", "cooling-tie"])
def test_cadence_signal_fires_and_its_twin_does_not(code: str) -> None:
    # (the parametrize above ran before these cases were added)
    test_signal_fires_and_its_twin_does_not(code)
