"""Cadence and concentration (docs/analysis.md, "Cadence and concentration").

Every expected number is worked out by hand in the comment above it, from the
docs and the policy defaults (cadence: decision-makers 30, technical buyer 45,
user 60, the top decision-maker 30; six months of visits), never by calling the
code under test. ``as_of`` is 2026-11-20 throughout, unless a test says otherwise.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from influence import analyze
from influence.analysis.report import Signal
from influence.graph import DealGraph
from influence.model import Deal, Policy, Touchpoint

AS_OF = date(2026, 11, 20)
CODES = ("cadence-missed", "cooling-tie", "single-seller-dependency")


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def person(pid: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "name": name, **fields}


def deal(
    touches: list[tuple[str, str, list[str]]] | list[dict[str, Any]],
    *,
    people: list[dict[str, Any]] | None = None,
    ties: list[dict[str, Any]] | None = None,
    policy: dict[str, Any] | None = None,
    as_of: date = AS_OF,
) -> Deal:
    """Li and Mo (ours); Chen Jun, the top decision-maker; Zhang Min, a decision-maker
    reporting to him; Wang Fang, a technical buyer and user. Li knows the three
    (stated 0.9): ``touches`` are (date, kind, people) or whole touchpoints."""
    data: dict[str, Any] = {
        "deal": {"name": "Cadence", "as_of": as_of.isoformat()},
        "people": people
        if people is not None
        else [
            person("li", "Li Wei", side="seller"),
            person("mo", "Mo Yan", side="seller"),
            person("chen", "Chen Jun", title="CEO", roles=["decision_maker"], influence=0.95),
            person("zm", "Zhang Min", roles=["decision_maker"], influence=0.85, reports_to="chen"),
            person("wf", "Wang Fang", roles=["technical_buyer", "user"], influence=0.3),
        ],
        "relationships": ties
        if ties is not None
        else [{"from": "li", "to": c, "strength": 0.9} for c in ("chen", "zm", "wf")],
        "touchpoints": [
            t if isinstance(t, dict) else {"date": t[0], "kind": t[1], "people": t[2]}
            for t in touches
        ],
    }
    if policy is not None:
        data["policy"] = policy
    return Deal.model_validate(data)


def found(d: Deal, code: str, policy: Policy | None = None) -> list[Signal]:
    return [s for s in analyze(d, policy).signals if s.code == code]


#: Recent visits to everyone: no cadence missed, nothing cooling.
FRESH = [(ago(5), "visit", ["li", "chen"]), (ago(5), "visit", ["li", "zm"])]
FRESH_WF = [(ago(5), "visit", ["li", "wf"])]


# -- cadence-missed ---------------------------------------------------------------------


def test_cadence_missed_names_the_days_and_the_cadence() -> None:
    # Zhang Min's only touch: a visit on 2026-09-29, 52 days before 2026-11-20
    # (1 in September, 31 in October, 20 in November); a decision-maker's cadence is 30.
    d = deal([FRESH[0], ("2026-09-29", "visit", ["li", "zm"]), *FRESH_WF])
    (s,) = found(d, "cadence-missed")
    assert s.people == ["zm"]
    assert s.message == (
        "No touch with Zhang Min for 52 days; the cadence for decision-makers is 30."
    )
    assert (s.facts.days, s.facts.threshold, s.facts.cadence_role) == (52, 30, "decision_maker")
    assert s.facts.last_contact == date(2026, 9, 29)
    assert s.severity == "medium" and s.weight == 1.35  # 0.5 + influence 0.85


def test_exactly_the_cadence_is_on_time() -> None:
    on_time = deal([FRESH[0], (ago(30), "visit", ["li", "zm"]), *FRESH_WF])
    late = deal([FRESH[0], (ago(31), "visit", ["li", "zm"]), *FRESH_WF])
    assert not found(on_time, "cadence-missed")
    assert found(late, "cadence-missed")


def test_the_shortest_cadence_of_a_persons_roles_counts() -> None:
    # Wang Fang is a technical buyer (45) and a user (60): 45 counts.
    d = deal([*FRESH, (ago(46), "visit", ["li", "wf"])])
    (s,) = found(d, "cadence-missed")
    assert s.message == (
        "No touch with Wang Fang for 46 days; the cadence for technical buyers is 45."
    )
    assert not found(deal([*FRESH, (ago(45), "visit", ["li", "wf"])]), "cadence-missed")
    # a team policy that makes users due every 40 days: 40 counts, as users'
    team = Policy(cadence_days={"user": 40})
    (s,) = found(d, "cadence-missed", team)
    assert (s.facts.threshold, s.facts.cadence_role) == (40, "user")
    # the keys merge: the technical buyer keeps 45 when a deal sets only users'
    merged = Policy().merged(Policy(cadence_days={"user": 40}))
    assert merged.cadence_days["technical_buyer"] == 45 and merged.cadence_days["user"] == 40


def test_the_top_decision_maker_has_a_cadence_of_their_own() -> None:
    # Chen Jun, the top decision-maker, last visited 25 days ago: within 30 ...
    d = deal([(ago(25), "visit", ["li", "chen"]), FRESH[1], *FRESH_WF])
    assert not found(d, "cadence-missed")
    # ... but over a policy of 20 days for the top decision-maker
    (s,) = found(d, "cadence-missed", Policy(top_decision_maker_cadence_days=20))
    assert s.message == (
        "No touch with Chen Jun (CEO) for 25 days; the cadence for the top decision-maker is 20."
    )


def test_people_who_left_and_deals_without_touchpoints_have_no_cadence() -> None:
    base = deal([FRESH[0], ("2026-09-29", "visit", ["li", "zm"]), *FRESH_WF])
    people = [({**p, "status": "left"} if p["id"] == "zm" else p) for p in _people(base)]
    left = deal([FRESH[0], ("2026-09-29", "visit", ["li", "zm"]), *FRESH_WF], people=people)
    assert not found(left, "cadence-missed")
    # The same contact dates written as stated last contacts, no touchpoints: none of this.
    ties = [
        {"from": "li", "to": "chen", "strength": 0.9, "last_contact": ago(5)},
        {"from": "li", "to": "zm", "strength": 0.9, "last_contact": "2026-09-29"},
        {"from": "li", "to": "wf", "strength": 0.9, "last_contact": "2026-06-01"},
    ]
    plain = deal([], ties=ties)
    assert DealGraph(plain).last_contact("zm") == date(2026, 9, 29)
    report = analyze(plain)
    assert not [s for s in report.signals if s.code in CODES]
    assert report.visits is None and report.favours is None
    data = report.model_dump(mode="json")
    assert "visits" not in data and "favours" not in data


def test_no_cadence_missed_where_stale_relationship_says_it() -> None:
    # Zhang Min's tie stated 0.6, one visit 400 days ago: f = 0.5^(400/180) = 0.2144;
    # E = 1.5 x 0.2144 (a tie over 180 days old counts in full) = 0.3216, evidence 0.2433;
    # effective 1 - (1 - 0.6 x 0.2144)(1 - 0.2433) = 0.341: it covers as stated (0.6)
    # and has cooled below 0.5, so it is stale: stale-relationship gives the days.
    ties = [
        {"from": "li", "to": "chen", "strength": 0.9},
        {"from": "li", "to": "zm", "strength": 0.6},
        {"from": "li", "to": "wf", "strength": 0.9},
    ]
    d = deal([FRESH[0], (ago(400), "visit", ["li", "zm"]), *FRESH_WF], ties=ties)
    assert DealGraph(d).ties_between("li", "zm")[0].strength == 0.341
    codes = [s.code for s in analyze(d).signals if "zm" in s.people]
    assert "stale-relationship" in codes and "cadence-missed" not in codes


# -- cooling-tie ------------------------------------------------------------------------


def test_cooling_tie_names_both_people_and_the_warmth_then_and_now() -> None:
    # Li's tie to Wang Fang, stated 0.9, one call 35 days ago (docs, "Trend and cooling"):
    # on 2026-10-21 (the call 5 days old) f = 0.5^(5/120) = 0.9715, E = 0.6 x 0.9715 x
    # (0.5 + 0.5 x 5/180) = 0.2995, evidence 0.2305: 1 - (1 - 0.8744)(0.7695) = 0.903;
    # now f = 0.8171, E = 0.6 x 0.8171 x 0.5972 = 0.2928, evidence 0.2265:
    # 1 - (1 - 0.7354)(0.7735) = 0.795; 0.795 < 0.903 x 0.9 = 0.813: cooling.
    d = deal([*FRESH, (ago(35), "call", ["li", "wf"])])
    (s,) = found(d, "cooling-tie")
    assert s.people == ["wf", "li"]
    assert (s.facts.before, s.facts.now, s.facts.since) == (0.903, 0.795, date(2026, 10, 21))
    assert s.message == (
        "Li Wei's tie to Wang Fang is cooling: warmth 0.90 on 2026-10-21, 0.80 now (30 days)."
    )
    assert (s.severity, s.points) == ("low", 4)  # 5 x (0.5 + 0.3) = 4


def test_a_warming_tie_and_a_tie_between_customers_do_not_cool() -> None:
    # A call 5 days ago: on 2026-10-21 the tie had no touchpoint (stated 0.9); warmer now.
    assert not found(deal([*FRESH, (ago(5), "call", ["li", "wf"])]), "cooling-tie")
    # The same fading call between two customers: not a tie of ours.
    people = [
        person("li", "Li Wei", side="seller"),
        person("chen", "Chen Jun", roles=["decision_maker"], influence=0.95),
        person("wf", "Wang Fang", roles=["user"], influence=0.3),
    ]
    ties = [
        {"from": "li", "to": "chen", "strength": 0.9},
        {"from": "chen", "to": "wf", "strength": 0.9},
    ]
    touches = [(ago(5), "visit", ["li", "chen"]), (ago(35), "call", ["li", "chen", "wf"])]
    d = deal(touches, people=people, ties=ties)
    g = DealGraph(d)
    assert g.trend(g.ties_between("chen", "wf")[0]).cooling  # type: ignore[union-attr]
    assert not found(d, "cooling-tie")


def test_two_cooling_ties_between_the_same_people_are_one_signal() -> None:
    ties = [
        {"from": "li", "to": "chen", "strength": 0.9},
        {"from": "li", "to": "zm", "strength": 0.9},
        {"from": "li", "to": "wf", "strength": 0.9},
        {"from": "li", "to": "wf", "kind": "influences", "strength": 0.9},
    ]
    d = deal([*FRESH, (ago(35), "call", ["li", "wf"])], ties=ties)
    assert [s.people for s in found(d, "cooling-tie")] == [["wf", "li"]]


# -- single-seller-dependency -----------------------------------------------------------


def test_one_seller_holding_every_warm_tie_to_the_decision_makers() -> None:
    d = deal([*FRESH, *FRESH_WF])
    (s,) = found(d, "single-seller-dependency")
    assert s.people == ["li", "chen", "zm"]  # Chen Jun 0.95 before Zhang Min 0.85
    assert s.message == (
        "Li Wei holds every warm tie to the decision-makers we reach (Chen Jun (CEO) and "
        "Zhang Min): if they leave, the deal has no way in."
    )
    assert (s.severity, s.points) == ("medium", 10)


def test_a_second_warm_seller_ends_the_dependency_and_a_stale_one_does_not() -> None:
    base = [{"from": "li", "to": c, "strength": 0.9} for c in ("chen", "zm", "wf")]
    warm = deal([*FRESH, *FRESH_WF], ties=[*base, {"from": "mo", "to": "zm", "strength": 0.9}])
    assert not found(warm, "single-seller-dependency")
    # Mo's tie to Zhang Min stated 0.6, one visit 400 days ago: effective 0.341 (above),
    # covering as stated but stale: Li still holds every warm tie.
    stale = deal(
        [*FRESH, *FRESH_WF, (ago(400), "visit", ["mo", "zm"])],
        ties=[*base, {"from": "mo", "to": "zm", "strength": 0.6}],
    )
    assert DealGraph(stale).warm_ties("zm")[0].from_ == "li"
    assert [t.from_ for t in DealGraph(stale).covering_ties("zm")] == ["li", "mo"]
    assert found(stale, "single-seller-dependency")


def test_no_dependency_without_a_covered_decision_maker() -> None:
    # Li's ties only to Wang Fang: no decision-maker is covered, nobody to depend on.
    d = deal(FRESH_WF, ties=[{"from": "li", "to": "wf", "strength": 0.9}])
    assert not found(d, "single-seller-dependency")


# -- the report: visits per month per key person, the favours ledger -----------------------


def visits_deal() -> Deal:
    people = [
        person("li", "Li Wei", side="seller"),
        person("chen", "Chen Jun", title="CEO", roles=["decision_maker"], influence=0.95),
        person("zm", "Zhang Min", roles=["economic_buyer"], influence=0.85, reports_to="chen"),
        person("sec", "Xu Li", roles=["coach"], influence=0.2),
        person("wf", "Wang Fang", roles=["user"], influence=0.3),
        person("kp", "Kenneth Lau", side="partner"),
    ]
    touches = [
        ("2026-05-31", "visit", ["li", "chen"]),  # before the six months
        ("2026-06-01", "visit", ["li", "chen"]),
        ("2026-06-30", "visit", ["li", "chen"]),
        ("2026-08-10", "meeting", ["li", "chen"]),  # a meeting is not a visit
        ("2026-09-29", "visit", ["li", "zm"]),
        ("2026-10-15", "visit", ["li", "chen", "zm"]),  # one visit, two key people
        ("2026-11-02", "visit", ["li", "wf"]),  # not a key person
        ("2026-11-20", "visit", ["li", "chen"]),  # as_of counts
        ("2026-11-21", "visit", ["li", "chen"]),  # after as_of: no
    ]
    favours: list[dict[str, Any]] = [
        {"date": "2026-08-01", "kind": "gift", "people": ["li", "chen"]},
        {"date": "2026-10-01", "kind": "favour", "people": ["li", "zm"]},
        {"date": "2026-10-05", "kind": "favour", "people": ["li", "zm"], "direction": "sent"},
        {"date": "2026-10-20", "kind": "favour", "people": ["li", "zm"], "direction": "received"},
        {"date": "2026-09-01", "kind": "gift", "people": ["li", "zm", "kp"], "direction": "sent"},
        {"date": "2026-11-25", "kind": "gift", "people": ["li", "zm"], "direction": "received"},
    ]
    ties = [{"from": "li", "to": c, "strength": 0.9} for c in ("chen", "zm", "sec", "wf")]
    as_touch = [{"date": t[0], "kind": t[1], "people": t[2]} for t in touches]
    return deal([*as_touch, *favours], people=people, ties=ties)


def test_visits_per_month_per_key_person_by_hand() -> None:
    report = analyze(visits_deal())
    assert report.visits is not None
    # the six months up to November 2026, oldest first
    assert report.visits.months == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    rows = [(r.person, r.reason, r.counts, r.total, r.last) for r in report.visits.people]
    assert rows == [
        # June 1 and 30; October 15; November 20 (the 21st is after as_of)
        ("chen", "top_decision_maker", [2, 0, 0, 0, 1, 1], 4, date(2026, 11, 20)),
        # September 29, October 15
        ("zm", "decision_maker", [0, 0, 0, 1, 1, 0], 2, date(2026, 10, 15)),
        # the coach, never visited
        ("sec", "coach", [0, 0, 0, 0, 0, 0], 0, None),
    ]


def test_visit_months_is_policy_and_crosses_the_year() -> None:
    d = deal(FRESH, as_of=date(2027, 2, 10), policy={"visit_months": 4})
    report = analyze(d)
    assert report.visits is not None
    assert report.visits.months == ["2026-11", "2026-12", "2027-01", "2027-02"]
    # FRESH's visits are on 2026-11-15 (five days before 2026-11-20)
    assert [r.counts for r in report.visits.people] == [[1, 0, 0, 0], [1, 0, 0, 0]]


def test_favours_ledger_by_hand() -> None:
    report = analyze(visits_deal())
    rows = [
        (r.person, r.favours_given, r.favours_asked, r.gifts_given, r.gifts_received, r.last)
        for r in report.favours or []
    ]
    assert rows == [
        # one gift we gave (no direction: ours)
        ("chen", 0, 0, 1, 0, date(2026, 8, 1)),
        # favours: Oct 1 (no direction) and Oct 5 sent are ours, Oct 20 theirs; the gift of
        # Sep 1 ours; the gift of Nov 25 is after as_of; the partner is no customer
        ("zm", 2, 1, 1, 0, date(2026, 10, 20)),
    ]
    data = report.model_dump(mode="json")
    assert data["favours"][1] == {
        "person": "zm",
        "favours_given": 2,
        "favours_asked": 1,
        "gifts_given": 1,
        "gifts_received": 0,
        "last": "2026-10-20",
    }
    assert data["visits"]["people"][0]["last"] == "2026-11-20"
    json.dumps(data)  # plain JSON


def test_a_deal_with_touchpoints_and_no_favours_has_an_empty_ledger() -> None:
    report = analyze(deal(FRESH))
    assert report.favours == []
    assert report.model_dump(mode="json")["favours"] == []


# -- direction on favours and gifts -----------------------------------------------------


def test_favour_and_gift_take_a_direction_and_other_kinds_do_not() -> None:
    for kind in ("favour", "gift", "email", "message"):
        t = Touchpoint.model_validate(
            {"date": "2026-11-01", "kind": kind, "people": ["a", "b"], "direction": "received"}
        )
        assert t.direction is not None
    with pytest.raises(ValidationError, match="direction is for email, message, favour and gift"):
        Touchpoint.model_validate(
            {"date": "2026-11-01", "kind": "visit", "people": ["a", "b"], "direction": "sent"}
        )


@pytest.mark.parametrize("direction", [None, "sent", "received"])
def test_a_favours_direction_never_changes_warmth(direction: str | None) -> None:
    # A favour yesterday and an e-mail we sent: the e-mail is one-way whatever the favour's
    # direction (a received favour is no reply), so the tie's warmth is the same each time.
    favour: dict[str, Any] = {"date": ago(1), "kind": "favour", "people": ["li", "wf"]}
    if direction is not None:
        favour["direction"] = direction
    mail = {"date": ago(1), "kind": "email", "people": ["li", "wf"], "direction": "sent"}
    d = deal([*FRESH, favour, mail])
    g = DealGraph(d)
    w = g.warmth(g.ties_between("li", "wf")[0])
    assert not w.replied
    plain = deal([*FRESH, {k: v for k, v in favour.items() if k != "direction"}, mail])
    g2 = DealGraph(plain)
    assert g2.ties_between("li", "wf")[0].strength == g.ties_between("li", "wf")[0].strength


def _people(d: Deal) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json", exclude_defaults=True) for p in d.people]


def test_a_bad_cadence_is_refused_with_the_role_named() -> None:
    with pytest.raises(ValidationError, match="user: 0 days; expected 1 to 36500"):
        Policy.model_validate({"cadence_days": {"user": 0}})
    with pytest.raises(ValidationError, match=r"cadence_days\.lawyer"):
        Policy.model_validate({"cadence_days": {"lawyer": 30}})
    with pytest.raises(ValidationError, match="visit_months"):
        Policy.model_validate({"visit_months": 0})


def test_the_cli_json_and_terminal_carry_visits_favours_and_the_signals(
    tmp_path: Any, cli: Any
) -> None:
    from influence import write_deal

    path = tmp_path / "deal.yaml"
    write_deal(visits_deal(), path)
    result = cli("analyze", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["visits"]["months"][-1] == "2026-11"
    assert [r["person"] for r in data["visits"]["people"]] == ["chen", "zm", "sec"]
    assert [r["person"] for r in data["favours"]] == ["chen", "zm"]
    # Zhang Min's last touch is the favour they did for us on 2026-10-20: 31 days ago
    (missed,) = [s for s in data["signals"] if s["code"] == "cadence-missed"]
    assert missed["people"] == ["zm"] and "for 31 days" in missed["message"]
    text = cli("analyze", path, "--width", "200")
    assert "Favours ledger (人情) with Zhang Min: favours given 2, asked 1" in text.stdout


def test_cooling_tie_is_exactly_the_trend_rule_on_a_busy_deal() -> None:
    # Many ties, some warm past 0.9 (whose trend is never computed: may_cool), some
    # fading: the signals are exactly the pairs whose warmest tie of ours DealGraph.trend
    # calls cooling.
    from random import Random

    rng = Random(13)
    sellers = [person(f"s{i}", f"S{i}", side="seller") for i in range(3)]
    customers = [person(f"c{i}", f"C{i}", influence=0.3) for i in range(12)]
    ties = [
        {"from": s["id"], "to": c["id"], "strength": rng.choice([0.3, 0.6, 0.9])}
        for s in sellers
        for c in customers
        if rng.random() < 0.6
    ]
    kinds = ["visit", "meeting", "call", "email", "favour"]
    touches = [
        (ago(rng.randrange(400)), rng.choice(kinds), [t["from"], t["to"]])
        for t in ties
        for _ in range(rng.choice([0, 1, 2, 30]))
    ]
    d = deal(touches, people=[*sellers, *customers], ties=ties)
    g = DealGraph(d)
    expected = set()
    for c in customers:
        seen = set()
        for t in g.our_ties(c["id"]):
            seller = t.other(c["id"])
            if seller in seen:
                continue
            seen.add(seller)
            trend = g.trend(t)
            if trend is not None and trend.cooling:
                expected.add((c["id"], seller))
    got = {tuple(s.people) for s in found(d, "cooling-tie")}
    assert got == expected and expected  # some cool, and exactly those
    assert any(t.strength >= 0.9 for t in g.ties)  # and some are past the shortcut
