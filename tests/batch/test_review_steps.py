"""The review knows each deal's buying step and temperature (issue 12, point 4).

Each row carries the step its stage maps to, the temperature from recent buying
signals and who left; the totals and every face group the deals by step; a
comparison names a deal that moved step, warmed or cooled, or lost a person to
another company, and says nothing of them against a review saved before rows
had these fields.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from influence import analyze
from influence.analysis.portfolio import compare, review_deal, step_groups
from influence.batch.review import load_review_json, review
from influence.io import parse_deal
from influence.render.review import (
    to_review_csv,
    to_review_html,
    to_review_markdown,
    to_review_terminal,
)

DEAL = """\
deal:
  id: {id}
  name: {name}
  stage: {stage}
  value: {value}
  currency: CNY
  as_of: 2026-11-20
people:
  - {{id: chair, name: Chair Wu, roles: [decision_maker], influence: 0.9, status: {status}}}
  - {{id: sec, name: Secretary Lin, roles: [coach], stance: ally, buying_signals: [{signals}]}}
  - {{id: li, name: Li Wei, side: seller}}
relationships:
  - {{from: li, to: sec, strength: 0.8, last_contact: 2026-11-10}}
  - {{from: li, to: chair, strength: 0.8, last_contact: 2026-11-10}}
"""

SIGNALS = {
    0: "",
    1: "{kind: agreed_next_step, date: 2026-11-15}",
    2: "{kind: agreed_next_step, date: 2026-11-15}, {kind: introduced_senior, date: 2026-11-02}",
}


def deal_text(
    id: str, stage: str, *, value: int = 100_000, signals: int = 0, status: str = "active"
) -> str:
    return DEAL.format(
        id=id, name=f"Deal {id}", stage=stage, value=value, signals=SIGNALS[signals], status=status
    )


def write(folder: Path, texts: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_a_row_has_the_step_temperature_and_who_left_as_analyze_says() -> None:
    deal = parse_deal(deal_text("a", "Negotiation/Review", signals=2, status="left"))
    row, report = review_deal(deal), analyze(deal)
    assert (row.step, row.temperature, row.left) == ("tender", 80, ["chair"])
    assert (row.step, row.temperature, row.left) == (report.step, report.temperature, report.left)


def test_totals_and_faces_group_the_deals_by_step_in_a_purchases_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a": deal_text("a", "Proposal/Price Quote", value=100_000, signals=1),
            "b": deal_text("b", "Needs Analysis", value=50_000),
            "c": deal_text("c", "Proposal/Price Quote", value=30_000),
            "d": deal_text("d", "something odd"),
        },
    )
    result = review([tmp_path], workers=1)
    steps = {d.id: d.step for d in result.deals}
    assert steps == {"a": "tender", "b": "screening", "c": "tender", "d": None}
    assert list(result.totals.by_step) == ["screening", "tender", "unmapped"]
    assert result.totals.by_step["tender"].deals == 2
    assert result.totals.by_step["tender"].value == {"CNY": 130_000.0}
    groups = step_groups(result.deals)
    ranked = [d.id for d in result.deals]
    for _, group in groups:  # each group in the review's rank order
        ids = [d.id for d in group]
        assert ids == [i for i in ranked if i in ids]
    terminal = to_review_terminal(result, width=80)
    block = terminal.split("By buying step")[1].split("\n\n")[0]
    assert (
        block.index("screening: 1 deal")
        < block.index("tender: 2 deals")
        < block.index("unmapped: 1 deal")
    )
    assert "Deal a (" in block and "40°)" in block
    markdown = to_review_markdown(result)
    assert "## By buying step" in markdown
    assert "| Stage | Step | Close |" in markdown
    assert "tender · 40°" in markdown


def test_csv_and_html_carry_step_and_temperature(tmp_path: Path) -> None:
    write(tmp_path, {"a": deal_text("a", "Closed Won", signals=1), "b": deal_text("b", "立项")})
    result = review([tmp_path], workers=1)
    rows = list(csv.DictReader(io.StringIO(to_review_csv(result))))
    assert {r["id"]: (r["step"], r["temperature"]) for r in rows} == {
        "a": ("won", "40"),
        "b": ("need", "10"),
    }
    page = to_review_html(result)
    assert page.count('title="Buying step and temperature">Step</button>') == 1
    assert "won · 40°" in page and "need · 10°" in page


def test_since_names_a_step_move_a_temperature_change_and_who_left(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    write(before, {"a": deal_text("a", "Needs Analysis"), "b": deal_text("b", "Negotiation")})
    write(
        after,
        {
            "a": deal_text("a", "Negotiation", signals=2),
            "b": deal_text("b", "Needs Analysis", status="left"),
        },
    )
    old, new = review([before], workers=1), review([after], workers=1)
    changed = {d.id: d.change for d in compare(old, new).deals}
    a, b = changed["a"], changed["b"]
    assert a is not None and b is not None
    assert (a.step_before, a.temperature_before, a.people_left) == ("screening", 10, [])
    assert [(i.kind, i.text) for i in a.items if i.kind in ("step-forward", "warmer")] == [
        ("step-forward", "buying step screening -> tender"),
        ("warmer", "temperature 10 -> 80 degrees"),
    ]
    assert (b.step_before, b.temperature_before, b.people_left) == ("tender", None, ["chair"])
    kinds = [i.kind for i in b.items]
    # The decision-maker who left comes before the step going back (worst first).
    assert kinds.index("decision-maker-gone") < kinds.index("step-back")
    assert "Chair Wu (decision-maker) left their company" in [i.text for i in b.items]
    assert a.status == b.status == "changed"


def test_a_review_saved_before_steps_existed_reports_no_step_change(tmp_path: Path) -> None:
    write(tmp_path, {"a": deal_text("a", "Negotiation", signals=1)})
    now = review([tmp_path], workers=1)
    data = json.loads("".join(now.iter_json()))
    for row in data["deals"]:  # as an older version wrote it
        del row["step"], row["temperature"], row["left"], row["facts"], row["open_refusals"]
    saved = tmp_path / "old-review.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    change = compare(load_review_json(saved), now).deals[0].change
    assert change is not None
    assert change.status == "unchanged"
    assert change.step_before is None and change.temperature_before is None
    assert not [i for i in change.items if i.kind in ("step-forward", "step-back", "warmer")]


FACTS = """\
deal:
  id: f
  name: Deal f
  stage: Negotiation
  as_of: 2026-11-20
  facts:
{facts}
people:
  - {{id: chair, name: Chair Wu, roles: [decision_maker], influence: 0.9, refusals: [{refusals}]}}
  - {{id: li, name: Li Wei, side: seller}}
relationships:
  - {{from: li, to: chair, strength: 0.8, last_contact: 2026-11-10}}
"""


def test_since_names_facts_learnt_changed_or_dropped_and_refusals_new_or_resolved(
    tmp_path: Path,
) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    old_facts = "    budget: {text: CNY 2m, source: chair}\n    reason: {text: audits}"
    new_facts = "    budget: {text: CNY 2.4m, source: chair}\n    process: {text: board signs}"
    write(before, {"f": FACTS.format(facts=old_facts, refusals="{kind: no_hurry}")})
    write(after, {"f": FACTS.format(facts=new_facts, refusals="{kind: no_budget}")})
    old, new = review([before], workers=1), review([after], workers=1)
    assert new.deals[0].facts == {"budget": "CNY 2.4m (chair)", "process": "board signs"}
    assert new.deals[0].open_refusals == {"chair": ["no_budget"]}
    change = compare(old, new).deals[0].change
    assert change is not None and change.status == "changed"
    items = [(i.kind, i.text) for i in change.items]
    assert ("facts-changed", "facts: budget (updated), reason (dropped), process (learnt)") in items
    assert ("new-refusal", "Chair Wu (decision-maker) refused: no_budget") in items
    assert ("refusal-resolved", "Chair Wu (decision-maker) no longer refuses: no_hurry") in items
    kinds = [k for k, _ in items]
    assert kinds.index("new-refusal") < kinds.index("refusal-resolved")  # bad news first
