"""What changed between two reviews: the kinds of change, their order, their words."""

from __future__ import annotations

import copy
from typing import Any, get_args

import pytest

from influence.analysis.portfolio import (
    CHANGE_KINDS,
    ChangeKind,
    PortfolioReview,
    assemble_review,
    change_order,
    changed_deals,
    compare,
    review_deal,
)
from influence.model import Deal


def tiny(deal_id: str, **stances: str) -> dict[str, Any]:
    """Our Li Wei (owner) knows the CEO Chen Jun (a decision-maker) and Ann Lee (a user)."""
    people: list[dict[str, Any]] = [
        {"id": "li-wei", "name": "Li Wei", "side": "seller"},
        {
            "id": "chen-jun",
            "name": "Chen Jun",
            "title": "CEO",
            "roles": ["decision_maker", "economic_buyer"],
            "influence": 0.9,
            "stance": stances.get("chen", "ally"),
        },
        {
            "id": "ann-lee",
            "name": "Ann Lee",
            "title": "Analyst",
            "roles": ["user"],
            "influence": 0.3,
            "stance": stances.get("ann", "neutral"),
            "reports_to": "chen-jun",
        },
    ]
    return {
        "deal": {
            "id": deal_id,
            "name": f"Deal {deal_id}",
            "as_of": "2026-11-20",
            "owner": "li-wei",
            "value": 100_000,
            "currency": "USD",
        },
        "people": people,
        "relationships": [
            {"from": "li-wei", "to": "chen-jun", "strength": 0.8, "last_contact": "2026-11-10"},
            {"from": "li-wei", "to": "ann-lee", "strength": 0.6, "last_contact": "2026-11-10"},
        ],
    }


def reviewed(*deals: dict[str, Any]) -> PortfolioReview:
    rows = [review_deal(Deal.model_validate(d), file=f"{d['deal']['id']}.yaml") for d in deals]
    return assemble_review(rows)


def test_the_kinds_are_one_documented_order_worst_first() -> None:
    assert get_args(ChangeKind) == CHANGE_KINDS
    assert len(set(CHANGE_KINDS)) == len(CHANGE_KINDS)
    assert CHANGE_KINDS[0] == "decision-maker-blocker"  # before anything else
    assert [change_order(k) for k in CHANGE_KINDS] == list(range(len(CHANGE_KINDS)))
    bad, good = CHANGE_KINDS.index("new-deal"), CHANGE_KINDS.index("warmed")
    assert all(change_order(k) > bad for k in ("warmed", "resolved-signal", "score-down"))
    assert good > CHANGE_KINDS.index("score-up")


def test_a_decision_maker_turning_blocker_comes_first_named() -> None:
    before = reviewed(
        tiny("a-blocker"),  # Chen Jun: ally -> blocker
        tiny("b-other", ann="neutral"),  # Ann Lee: neutral -> blocker
        tiny("c-better", chen="blocker"),  # Chen Jun: blocker -> ally (good news)
        tiny("d-same"),
    )
    after = reviewed(
        tiny("a-blocker", chen="blocker"),
        tiny("b-other", ann="blocker"),
        tiny("c-better", chen="ally"),
        tiny("d-same"),
        tiny("e-new"),
    )
    result = compare(before, after)
    order = [d.id for d in changed_deals(result)]
    assert order == ["a-blocker", "b-other", "e-new", "c-better"]
    assert result.changes is not None and result.changes.changed == order
    first = changed_deals(result)[0].change
    assert first is not None and first.items[0].kind == "decision-maker-blocker"
    assert first.items[0].text == "Chen Jun (decision-maker) ally -> blocker"
    assert first.items[0].people == ["chen-jun"]
    assert first.worst == "decision-maker-blocker"
    by_id = {d.id: d for d in result.deals}
    assert by_id["b-other"].change is not None
    assert "Ann Lee neutral -> blocker" in [i.text for i in by_id["b-other"].change.items]
    assert by_id["e-new"].change is not None and by_id["e-new"].change.worst == "new-deal"
    better = by_id["c-better"].change
    assert better is not None
    assert {i.kind for i in better.items} <= {
        "warmed",
        "resolved-signal",
        "score-down",
        "grade-down",
    }
    assert by_id["d-same"].change is not None and by_id["d-same"].change.items == []


@pytest.mark.parametrize("seed", range(6))
def test_every_deal_lists_its_changes_worst_first_by_name(seed: int) -> None:
    from benchmarks.generate import generate_pipeline, mutate_deal

    deals = generate_pipeline(3, people_per_deal=20, seed=seed)
    changed = [mutate_deal(d, seed=seed * 10 + n)[0] for n, d in enumerate(deals)]
    result = compare(reviewed(*deals), reviewed(*changed))
    listed = changed_deals(result)
    names = {p["id"]: p["name"] for d in deals + changed for p in d["people"]}
    assert {d.id for d in listed} == {d["deal"]["id"] for d in deals}
    worst = [change_order(d.change.items[0].kind) for d in listed if d.change]
    assert worst == sorted(worst)
    for d in listed:
        assert d.change is not None and d.change.status == "changed"
        kinds = [change_order(i.kind) for i in d.change.items]
        assert kinds == sorted(kinds)
        for item in d.change.items:
            for pid in item.people:
                if item.kind.endswith(("-signal",)):
                    continue  # a signal's message names its people its own way
                assert names[pid] in item.text and pid not in item.text


def test_a_decision_maker_who_left_is_named_from_the_previous_review() -> None:
    gone = tiny("x")
    gone["people"] = [p for p in gone["people"] if p["id"] != "ann-lee"]
    gone["relationships"] = [r for r in gone["relationships"] if r["to"] != "ann-lee"]
    before = tiny("x")
    extra = copy.deepcopy(before["people"][1])
    extra.update(id="zhang-min", name="Zhang Min", title="CFO", reports_to="chen-jun")
    before["people"].append(extra)
    result = compare(reviewed(before), reviewed(gone))
    change = result.deals[0].change
    assert change is not None
    texts = {i.kind: i.text for i in change.items}
    assert texts["decision-maker-gone"] == "Zhang Min (decision-maker) left the deal"
    assert texts["people-gone"] == "gone: Ann Lee"
    assert change_order("decision-maker-gone") < change_order("people-gone")


def test_a_review_saved_without_names_still_compares() -> None:
    old = reviewed(tiny("x"))
    # A review written before names were kept: the ids stand in for names it does not know.
    old = old.model_copy(update={"deals": [d.model_copy(update={"names": {}}) for d in old.deals]})
    result = compare(old, reviewed(tiny("x", chen="blocker")))
    change = result.deals[0].change
    assert change is not None
    assert change.items[0].text == "Chen Jun (decision-maker) ally -> blocker"


def test_the_row_names_every_person_and_the_first_action() -> None:
    from influence import analyze

    deal = Deal.model_validate(tiny("x", chen="blocker"))
    row = review_deal(deal)
    assert row.names == {"ann-lee": "Ann Lee", "chen-jun": "Chen Jun", "li-wei": "Li Wei"}
    report = analyze(deal)
    assert report.actions and row.next_action == report.actions[0].text
