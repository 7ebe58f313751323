"""``influence diff`` names the touchpoints added and removed and each tie's warmth change.

The deal is tests/data/warmth/cooling.yaml; its warmth is hand-computed in
tests/analysis/test_trends.py: Li Wei - Zhang Min, stated 0.9, one call 35 days ago,
0.795; Chen Jing - Liu Yang, stated 0.9, one meeting 203 days ago, 0.597. Without the
touchpoints each is its stated 0.9.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from influence.interop.diff import diff_deals, to_text
from influence.io import read_deal
from influence.model import Deal, Touchpoint
from tests.conftest import EXAMPLES

DEAL = Path(__file__).resolve().parents[1] / "data" / "warmth" / "cooling.yaml"

CALL = "0.80: stated strong (0.90); 1 call, the last 35 days ago; half-life 120 days"
MEETING = "0.60: stated strong (0.90); 1 meeting, the last 203 days ago; half-life 180 days"


def _bare() -> tuple[Deal, Deal]:
    deal = read_deal(DEAL)
    return deal.model_copy(update={"touchpoints": []}), deal


def test_touchpoints_added_and_the_warmth_they_make() -> None:
    old, new = _bare()
    found = diff_deals(old, new, risk=False)
    data = found.model_dump(mode="json", by_alias=True)
    assert data["touchpoints_added"] == [
        {"people": ["chen-jing", "liu-yang"], "count": 1, "first": "2026-05-01",
         "last": "2026-05-01"},
        {"people": ["li-wei", "zhang-min"], "count": 1, "first": "2026-10-16",
         "last": "2026-10-16"},
    ]  # fmt: skip
    assert "touchpoints_removed" not in data
    assert data["warmth_changed"] == [
        {"from": "chen-jing", "to": "liu-yang", "kind": "knows", "old": 0.9, "new": 0.597,
         "old_explanation": "0.90: stated strong (0.90); no touchpoints",
         "explanation": MEETING},
        {"from": "li-wei", "to": "zhang-min", "kind": "knows", "old": 0.9, "new": 0.795,
         "old_explanation": "0.90: stated strong (0.90); no touchpoints",
         "explanation": CALL},
    ]  # fmt: skip
    lines = to_text(found).splitlines()
    assert "+ touchpoints li-wei zhang-min: 1 (2026-10-16)" in lines
    assert f"~ warmth li-wei knows zhang-min: 0.9 -> 0.795 ({CALL})" in lines
    assert not found.is_empty


def test_touchpoints_removed_read_the_other_way() -> None:
    old, new = _bare()
    found = diff_deals(new, old, risk=False)
    assert [(c.people, c.count) for c in found.touchpoints_removed] == [
        (["chen-jing", "liu-yang"], 1),
        (["li-wei", "zhang-min"], 1),
    ]
    assert found.touchpoints_added == []
    assert [(w.old, w.new) for w in found.warmth_changed] == [(0.597, 0.9), (0.795, 0.9)]
    assert "- touchpoints chen-jing liu-yang: 1 (2026-05-01)" in to_text(found).splitlines()


def test_counts_per_pair_of_ours_and_theirs_with_the_dates() -> None:
    # Two more with Zhang Min: a visit, and a meeting with Chen Jing too. Per pair of one
    # of ours and one of theirs: Li Wei - Zhang Min 2 (11-12 to 11-18), Chen Jing - Zhang
    # Min 1; Li Wei - Chen Jing (both ours) is no pair. A copy of the existing call is a
    # touchpoint more (the same call twice in the file).
    deal = read_deal(DEAL)
    more = [
        Touchpoint.model_validate(t)
        for t in (
            {"date": "2026-11-12", "kind": "visit", "people": ["zhang-min", "li-wei"]},
            {"date": "2026-11-18", "kind": "meeting", "people": ["li-wei", "chen-jing",
                                                                   "zhang-min"]},
        )
    ]  # fmt: skip
    new = deal.model_copy(update={"touchpoints": [*deal.touchpoints, *more]})
    found = diff_deals(deal, new, risk=False)
    assert [(c.people, c.count, c.first.isoformat(), c.last.isoformat())
            for c in found.touchpoints_added] == [
        (["chen-jing", "zhang-min"], 1, "2026-11-18", "2026-11-18"),
        (["li-wei", "zhang-min"], 2, "2026-11-12", "2026-11-18"),
    ]  # fmt: skip
    assert "+ touchpoints li-wei zhang-min: 2 (2026-11-12 to 2026-11-18)" in to_text(found)
    twice = deal.model_copy(update={"touchpoints": [*deal.touchpoints, deal.touchpoints[0]]})
    (again,) = diff_deals(deal, twice, risk=False).touchpoints_added
    assert (again.people, again.count) == (["li-wei", "zhang-min"], 1)


def test_reordered_touchpoints_are_no_change() -> None:
    deal = read_deal(DEAL)
    flipped = deal.model_copy(update={"touchpoints": list(reversed(deal.touchpoints))})
    found = diff_deals(deal, flipped, risk=False)
    assert found.is_empty
    assert to_text(found) == "no changes\n"


def test_a_later_as_of_shows_the_warmth_cooling() -> None:
    # The same touchpoints 30 days later: the call is 65 days old. f = 0.5^(65/120) =
    # 0.6869, g = 0.5 + 0.5 x 65/180 = 0.6806, E = 0.6 x 0.6869 x 0.6806 = 0.2805,
    # evidence 0.2191, effective 1 - (1 - 0.6182) x 0.7809 = 0.702.
    deal = read_deal(DEAL)
    later = deal.model_copy(
        update={"deal": deal.deal.model_copy(update={"as_of": deal.deal.as_of.replace(month=12)})}
    )
    found = diff_deals(deal, later, risk=False)
    change = next(w for w in found.warmth_changed if w.to == "zhang-min")
    assert (change.old, change.new) == (0.795, 0.702)
    assert found.touchpoints_added == [] and found.touchpoints_removed == []


def test_deals_without_touchpoints_diff_as_before(cli: Any) -> None:
    for example in EXAMPLES:
        data = diff_deals(read_deal(example), read_deal(example)).model_dump(mode="json")
        assert not {"touchpoints_added", "touchpoints_removed", "warmth_changed"} & set(data)
    result = cli("diff", DEAL, DEAL, "--json")
    assert result.exit_code == 0
    assert "warmth_changed" not in json.loads(result.stdout)


def test_cli_shows_them(cli: Any, tmp_path: Path) -> None:
    old, _ = _bare()
    path = tmp_path / "old.json"
    path.write_text(old.model_dump_json(by_alias=True, exclude_defaults=True), encoding="utf-8")
    result = cli("diff", path, DEAL)
    assert result.exit_code == 0, result.stdout
    assert "+ touchpoints chen-jing liu-yang: 1 (2026-05-01)" in result.stdout
    assert f"~ warmth chen-jing knows liu-yang: 0.9 -> 0.597 ({MEETING})" in result.stdout
    data = json.loads(cli("diff", path, DEAL, "--json").stdout)
    assert [w["new"] for w in data["warmth_changed"]] == [0.597, 0.795]
