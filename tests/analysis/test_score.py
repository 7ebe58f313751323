"""The risk score ranks deals apart, never drops when a problem is added, and one
cause is one signal and one action.

docs/analysis.md ("Risk signals", "Next actions") says each of these.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, timedelta
from random import Random
from typing import Any

import pytest
from benchmarks.generate import generate_deal
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from influence import Deal, Policy, analyze, read_deal
from influence.analysis.portfolio import rank_key, review_deal
from influence.analysis.report import assess
from influence.analysis.risk import risk_grade, risk_score
from influence.analysis.signals import SIGNALS
from influence.model import Side, Stance
from tests.analysis.test_risk import customer, healthy, make, seller, tie
from tests.conftest import EXAMPLES
from tests.strategies import deal_data

# -- the acceptance: a realistic pipeline ranks apart -----------------------------------


def pipeline(n: int = 50, seed: int = 11) -> list[Deal]:
    """``n`` generated deals of 12 to 2,000 people (spaced evenly on a log scale)."""
    rng = Random(seed)
    return [
        Deal.model_validate(
            generate_deal(
                round(12 * (2000 / 12) ** (k / (n - 1))),
                seed=rng.randrange(1, 2**31),
                deal_id=f"deal-{k + 1:03d}",
            )
        )
        for k in range(n)
    ]


@pytest.fixture(scope="module")
def reviewed() -> list[Any]:
    deals = [*pipeline(), *(read_deal(e) for e in EXAMPLES)]
    return [review_deal(d, file=d.id) for d in deals]


def test_a_pipeline_of_fifty_deals_ranks_apart(reviewed: list[Any]) -> None:
    scores = Counter(d.risk.score for d in reviewed)
    n = len(reviewed)
    assert n == 50 + len(EXAMPLES)
    top = max(scores)
    assert scores[top] <= n // 10, scores  # at most 10% share the highest score
    assert max(scores.values()) <= n // 10, scores.most_common(3)  # and any one score
    assert top < 100  # the score never saturates
    # the review's order follows the score, then the points
    ranked = sorted(reviewed, key=rank_key)
    keys = [(-d.risk.score, -d.risk.points) for d in ranked]
    assert keys == sorted(keys)


def test_the_score_is_a_rising_curve_of_the_points() -> None:
    scores = [risk_score(p) for p in range(0, 20_000, 7)]
    assert scores == sorted(scores) and scores[0] == 0 and max(scores) == 99
    assert [risk_grade(risk_score(p)) for p in (20, 21, 130, 131)] == [
        "low",
        "medium",
        "medium",
        "high",
    ]


def test_each_signal_s_points_and_share_are_in_the_report() -> None:
    for example in EXAMPLES:
        report = analyze(read_deal(example))
        risk = report.risk
        assert risk.points == sum(s.points for s in report.signals)
        assert risk.score == risk_score(risk.points)
        assert sum(c.share for c in risk.contributions) == risk.score
        weighed = [s for s in report.signals if s.points]
        assert [(c.code, c.points, c.weight) for c in risk.contributions] == [
            (s.code, s.points, s.weight) for s in weighed
        ]
        for s in report.signals:
            assert s.points == round(SIGNALS[s.code].points * s.weight)


def test_weights_follow_the_influence_of_the_person_concerned() -> None:
    def points(influence: float) -> int:
        people, ties = healthy()
        # dm reports to eb: eb is the top decision-maker, dm keeps decision-maker-uncovered
        people = [
            {**p, "influence": influence, "reports_to": "eb"} if p["id"] == "dm" else p
            for p in people
        ]
        deal = make(people, [t for t in ties if t["to"] != "dm"])
        found = [s for s in analyze(deal).signals if s.code == "decision-maker-uncovered"]
        return found[0].points

    assert points(0.0) < points(0.5) < points(1.0)
    assert (points(0.0), points(1.0)) == (12, 38)  # 25 x 0.5, 25 x 1.5


# -- a new problem never lowers the score ------------------------------------------------


def _dms(deal: Deal) -> list[str]:
    return assess(deal).decision_makers


def _mutations(data: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """Every problem that can be added to the deal: (kind, person, other person)."""
    deal = Deal.model_validate(data)
    found = assess(deal)
    by_id = deal.people_by_id()
    dms = found.decision_makers
    blockers = [p.id for p in deal.customers() if p.stance is Stance.BLOCKER]
    allies = [p.id for p in deal.customers() if p.stance is Stance.ALLY]
    out: list[tuple[str, str, str | None]] = []
    for dm in dms:
        p = by_id[dm]
        if found.coverage.people.get(dm) == "covered":
            out.append(("we lose our ties to a decision-maker", dm, None))
        if p.stance is Stance.NEUTRAL:
            out.append(("a neutral decision-maker turns blocker", dm, None))
            out.append(("a neutral decision-maker's stance becomes unknown", dm, None))
        if p.stance is not Stance.UNKNOWN:
            out.append(("a decision-maker's assessment ages", dm, None))
        out += [("a blocker gains sway over a decision-maker", b, dm) for b in blockers if b != dm]
        out += [("an ally falls out with a decision-maker", a, dm) for a in allies if a != dm]
    return out


def _apply(data: dict[str, Any], kind: str, pid: str, other: str | None) -> dict[str, Any]:
    new = copy.deepcopy(data)
    people = {p["id"]: p for p in new["people"]}
    side = {p["id"]: p.get("side", "customer") for p in new["people"]}
    if kind == "we lose our ties to a decision-maker":
        new["relationships"] = [
            r
            for r in new["relationships"]
            if not (
                r.get("kind", "knows") in ("knows", "influences")
                and pid in (r["from"], r["to"])
                and Side.SELLER.value in (side[r["from"]], side[r["to"]])
            )
        ]
    elif kind == "a neutral decision-maker turns blocker":
        people[pid]["stance"] = "blocker"
    elif kind == "a neutral decision-maker's stance becomes unknown":
        people[pid]["stance"] = "unknown"
    elif kind == "a decision-maker's assessment ages":
        as_of = Deal.model_validate(data).as_of()
        old = as_of - timedelta(days=Policy().assessment_stale_days + 1)
        assessed = people[pid].get("assessed")
        if isinstance(assessed, str):
            assessed = date.fromisoformat(assessed)
        people[pid]["assessed"] = min(assessed, old) if assessed else old
    elif kind == "a blocker gains sway over a decision-maker":
        new["relationships"].append(
            {"from": pid, "to": other, "kind": "influences", "strength": 0.5}
        )
    else:  # an ally falls out with a decision-maker
        new["relationships"].append(
            {"from": pid, "to": other, "kind": "conflicts_with", "strength": 0.5}
        )
    return new


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=deal_data(min_people=3, max_people=12), choice=st.data())
def test_adding_a_problem_never_lowers_the_score(data: dict[str, Any], choice: Any) -> None:
    data.pop("policy", None)
    options = _mutations(data)
    assume(options)
    kind, pid, other = choice.draw(st.sampled_from(options))
    before = analyze(Deal.model_validate(data)).risk
    after = analyze(Deal.model_validate(_apply(data, kind, pid, other))).risk
    assert after.points >= before.points, (kind, pid, other, before, after)
    assert after.score >= before.score, (kind, pid, other)


def test_each_problem_of_the_property_test_adds_points() -> None:
    """The mutations are real problems: on the healthy deal, each adds a signal."""
    people, ties = healthy()
    people = [*people, customer("bk", stance="blocker", influence=0.3)]
    people = [{**p, "stance": "neutral"} if p["id"] == "eb" else p for p in people]
    data = {
        "version": 1,
        "deal": {"name": "t", "as_of": "2026-11-20"},
        "people": people,
        "relationships": [*ties, tie("s", "bk", strength=0.9)],
    }
    base = analyze(Deal.model_validate(data)).risk.points
    kinds = set()
    for kind, pid, other in _mutations(data):
        kinds.add(kind)
        worse = analyze(Deal.model_validate(_apply(data, kind, pid, other))).risk.points
        assert worse > base, (kind, pid, other)
    assert len(kinds) == 6


# -- one cause, one signal -----------------------------------------------------------------


def _blocker_deal(*swayed: str) -> Deal:
    people, ties = healthy()
    return make(
        [*people, customer("bk", stance="blocker", influence=0.3)],
        [*ties, tie("s", "bk", strength=0.9), *(tie("bk", d, kind="influences") for d in swayed)],
    )


def _of(deal: Deal, code: str) -> list[Any]:
    return [s for s in analyze(deal).signals if s.code == code]


def test_a_blocker_who_sways_two_decision_makers_is_one_signal() -> None:
    two = _of(_blocker_deal("dm", "eb"), "blocker-influences-decision-maker")
    assert [s.people for s in two] == [["bk", "dm", "eb"]]  # most influential first
    assert "reaches 2 decision-makers" in two[0].message
    one = _of(_blocker_deal("dm"), "blocker-influences-decision-maker")
    assert [s.people for s in one] == [["bk", "dm"]]
    assert one[0].points < two[0].points < 2 * one[0].points
    assert _of(_blocker_deal(), "blocker-influences-decision-maker") == []


def test_two_blockers_are_two_signals() -> None:
    people, ties = healthy()
    deal = make(
        [*people, *(customer(b, stance="blocker", influence=0.3) for b in ("b1", "b2"))],
        [*ties, tie("b1", "dm", kind="influences"), tie("b2", "dm", kind="influences")],
    )
    found = _of(deal, "blocker-influences-decision-maker")
    assert [s.people for s in found] == [["b1", "dm"], ["b2", "dm"]]


def test_an_ally_at_odds_with_two_decision_makers_is_one_signal() -> None:
    people, ties = healthy()
    both = make(people, [*ties, *(tie("ch", d, kind="conflicts_with") for d in ("dm", "eb"))])
    found = _of(both, "ally-conflicts-with-decision-maker")
    assert [s.people for s in found] == [["ch", "dm", "eb"]]
    assert "decision-makers Dm and Eb" in found[0].message
    one = make(people, [*ties, tie("ch", "dm", kind="conflicts_with")])
    assert [s.people for s in _of(one, "ally-conflicts-with-decision-maker")] == [["ch", "dm"]]


def test_an_unknown_stance_is_not_also_a_doubtful_assessment() -> None:
    people, ties = healthy()

    def deal(stance: str) -> Deal:
        changed = {"stance": stance, "assessed": "2026-01-01"}
        return make([{**p, **changed} if p["id"] == "dm" else p for p in people], ties)

    assert [s.code for s in analyze(deal("neutral")).signals] == ["doubtful-assessment"]
    assert [s.code for s in analyze(deal("unknown")).signals] == ["unknown-stance"]


def test_a_missing_champion_is_no_champion_only() -> None:
    people, ties = healthy()
    deal = make([p for p in people if p["id"] != "ch"], [t for t in ties if t["to"] != "ch"])
    codes = [s.code for s in analyze(deal).signals]
    assert "no-champion" in codes and "role-missing" not in codes
    # another missing role is still said
    deal = make(
        [p for p in people if p["id"] not in ("ch", "us")],
        [t for t in ties if t["to"] not in ("ch", "us")],
    )
    assert [(s.code, s.role) for s in analyze(deal).signals if s.code == "role-missing"] == [
        ("role-missing", "user")
    ]


def test_no_decision_maker_is_not_also_their_missing_roles() -> None:
    people, ties = healthy()
    deal = make(
        [p for p in people if p["id"] not in ("dm", "eb", "us")],
        [t for t in ties if t["to"] not in ("dm", "eb", "us")],
    )
    report = analyze(deal)
    missing = [s.role for s in report.signals if s.code == "role-missing"]
    assert "no-decision-maker" in [s.code for s in report.signals]
    assert missing == ["user"]
    assert report.coverage.roles["decision_maker"] == "missing"  # the role table says it


def test_a_role_is_not_flagged_when_each_holder_s_own_signal_says_so() -> None:
    people, ties = healthy()
    uncovered_dm = make(people, [t for t in ties if t["to"] != "dm"])
    codes = [s.code for s in analyze(uncovered_dm).signals if s.points]
    assert codes == ["top-decision-maker-uncovered"]  # dm is the top decision-maker
    assert analyze(uncovered_dm).coverage.roles["decision_maker"] == "uncovered"
    # a holder without a signal of their own: the role signal fires
    with_holder = make(
        [*people, customer("x", roles=["decision_maker"], influence=0.2, stance="ally")],
        [*ties, tie("s", "x", strength=0.9)],
    )
    no_dm_tie = make(
        with_holder.model_dump(mode="json", by_alias=True)["people"],
        [t for t in ties if t["to"] != "dm"],
    )
    codes = [s.code for s in analyze(no_dm_tie).signals]
    # dm, the top decision-maker, has its own code; x keeps decision-maker-uncovered
    assert codes.count("top-decision-maker-uncovered") == 1
    assert codes.count("decision-maker-uncovered") == 1 and "role-uncovered" not in codes
    tb = make(people, [t for t in ties if t["to"] != "tb"])
    assert [s.code for s in analyze(tb).signals if s.points] == ["role-uncovered"]


# -- one action per person to reach --------------------------------------------------------


def _check_one_action_per_person(report: Any) -> None:
    targets = [a.target for a in report.actions if a.target is not None]
    assert len(targets) == len(set(targets)), targets
    codes = {s.code for s in report.signals}
    for a in report.actions:
        assert a.resolves and a.resolves[0] == a.signal, a
        assert set(a.resolves) <= codes, a
        assert len(a.resolves) == len(set(a.resolves))
        if a.target is not None:
            assert a.target in a.people
    texts = [a.text for a in report.actions]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_one_action_per_person_on_the_examples(example: Any) -> None:
    _check_one_action_per_person(analyze(read_deal(example)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=deal_data(min_people=2, max_people=12))
def test_one_action_per_person_on_random_deals(data: dict[str, Any]) -> None:
    _check_one_action_per_person(analyze(Deal.model_validate(data)))


def test_the_enterprise_actions_are_merged_per_person() -> None:
    report = analyze(read_deal(next(e for e in EXAMPLES if "enterprise" in e.name)))
    by_target = {a.target: a for a in report.actions}
    chen = by_target["chen-jun"]
    assert chen.resolves == ["top-decision-maker-uncovered", "doubtful-assessment"]
    assert chen.text.startswith("Ask Kenneth Lau to introduce Li Wei to Liu Yang")
    assert "also re-confirm their stance (the last check is 141 days old)" in chen.text
    zhang = by_target["zhang-min"]
    assert zhang.resolves == ["decision-maker-uncovered", "ally-conflicts-with-decision-maker"]
    assert "also do not let Daniel Wong (VP Supply Chain) carry our case to them" in zhang.text
    counter = [a for a in report.actions if a.signal == "blocker-influences-decision-maker"]
    assert len(counter) == 1 and counter[0].target == "victor-tan"
    assert counter[0].people == ["victor-tan", "chen-jun", "zhang-min", "aditi-rao"]


def test_an_action_about_one_person_alone_is_not_merged() -> None:
    people, ties = healthy()
    deal = make(
        [{**p, "stance": "unknown", "influence": 0.7} if p["id"] == "us" else p for p in people],
        [t for t in ties if t["to"] != "dm"],
    )
    actions = analyze(deal).actions
    # dm, uncovered, is also isolated now: one action; us stands apart
    assert [(a.target, a.resolves) for a in actions] == [
        ("dm", ["top-decision-maker-uncovered", "isolated-person"]),
        ("us", ["unknown-stance"]),
    ]


def test_every_missing_role_is_one_action() -> None:
    people, ties = healthy()
    deal = make(
        [p for p in people if p["id"] not in ("us", "tb")],
        [t for t in ties if t["to"] not in ("us", "tb")],
    )
    found = [a for a in analyze(deal).actions if a.signal == "role-missing"]
    assert [a.text for a in found] == [
        "Find who holds the roles technical_buyer and user (ask your champion or coach)"
    ]
    assert found[0].resolves == ["role-missing"] and found[0].target is None


def test_a_step_that_brings_the_way_in_is_kept_whole() -> None:
    """A blocker we do not reach, who holds a role: the action keeps the introduction."""
    people = [
        seller(),
        customer("dm", roles=["decision_maker", "economic_buyer"], stance="ally", influence=0.9),
        customer("bk", roles=["technical_buyer"], stance="blocker", influence=0.5),
        customer("hp", stance="ally", influence=0.4),
    ]
    ties = [
        tie("s", "dm", strength=0.9),
        tie("s", "hp", strength=0.9),
        tie("hp", "bk", strength=0.8),
        tie("bk", "dm", kind="influences"),
    ]
    report = analyze(make(people, ties))
    bk = next(a for a in report.actions if a.target == "bk")
    assert bk.signal == "blocker-influences-decision-maker"
    assert "role-uncovered" in bk.resolves
    assert "; also reach Bk, who holds the role technical_buyer: ask Hp to introduce" in bk.text
    assert bk.facts.introductions
