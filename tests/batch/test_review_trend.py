"""``review --since`` names touchpoints added and warmth changes (issue 13 point 5).

Rows carry the deal's touchpoint count, the customers with a cooling tie of ours and
our warmth to each decision-maker; a comparison names them (kinds
``touchpoints-added``, ``cooling``, ``warmth-changed``) and says nothing of them
against a review saved before rows had them. The deal is tests/data/warmth/cooling.yaml,
its warmth hand-computed in tests/analysis/test_trends.py (Li Wei - Zhang Min: one call
35 days ago, 0.903 -> 0.795, cooling; Chen Jing - Liu Yang: 0.642 -> 0.597, not).
"""

from __future__ import annotations

import json
from pathlib import Path

from influence.analysis.portfolio import CHANGE_KINDS, compare
from influence.batch.review import load_review_json, review
from influence.render.review import to_review_markdown

DEAL = Path(__file__).resolve().parents[1] / "data" / "warmth" / "cooling.yaml"
TEXT = DEAL.read_text(encoding="utf-8")
TOUCHES = TEXT[TEXT.index("touchpoints:") :]


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "cooling.yaml").write_text(text, encoding="utf-8")
    return folder


def test_rows_carry_touchpoints_cooling_and_warmth(tmp_path: Path) -> None:
    (row,) = review([_folder(tmp_path, "now", TEXT)], workers=1).deals
    assert row.touchpoints == 2
    assert row.cooling == ["zhang-min"]
    # Zhang Min (economic buyer) is a decision-maker; Zhao Lei has no tie with touchpoints.
    assert row.decision_maker_warmth == {"zhang-min": 0.795}
    (bare,) = review([_folder(tmp_path, "bare", TEXT.replace(TOUCHES, ""))], workers=1).deals
    assert (bare.touchpoints, bare.cooling, bare.decision_maker_warmth) == (0, [], {})


def test_since_names_touchpoints_added_cooling_and_warmth(tmp_path: Path) -> None:
    old = review([_folder(tmp_path, "before", TEXT.replace(TOUCHES, ""))], workers=1)
    new = review([_folder(tmp_path, "after", TEXT)], workers=1)
    change = compare(old, new).deals[0].change
    assert change is not None and change.status == "changed"
    items = [(i.kind, i.text, i.people) for i in change.items]
    assert ("cooling", "our ties cooling: Zhang Min (decision-maker)", ["zhang-min"]) in items
    assert ("touchpoints-added", "touchpoints: 2 added (0 -> 2)", []) in items
    assert (
        "warmth-changed",
        "warmth to decision-makers: Zhang Min none -> 0.80",
        ["zhang-min"],
    ) in items
    kinds = [k for k, _, _ in items]
    assert kinds == sorted(kinds, key=CHANGE_KINDS.index)  # worst first
    assert kinds.index("cooling") < kinds.index("warmth-changed") < kinds.index("touchpoints-added")
    # The faces list the items as they are.
    assert "our ties cooling: Zhang Min (decision-maker)" in to_review_markdown(compare(old, new))
    # Back again: the touchpoints removed and the warmth gone; nothing newly cooling.
    back = compare(new, old).deals[0].change
    assert back is not None
    texts = [(i.kind, i.text) for i in back.items]
    assert ("touchpoints-removed", "touchpoints: 2 removed (2 -> 0)") in texts
    assert ("warmth-changed", "warmth to decision-makers: Zhang Min 0.80 -> none") in texts
    assert not [k for k, _ in texts if k == "cooling"]


def test_a_month_later_the_warmth_to_the_decision_maker_falls(tmp_path: Path) -> None:
    # as_of 2026-12-20: the call is 65 days old. f = 0.5^(65/120) = 0.6869, g = 0.6806,
    # E = 0.2805, evidence 0.2191, effective 1 - (1 - 0.6182) x 0.7809 = 0.702. Zhang Min
    # was cooling already (0.702 < 0.795 x 0.9): no new cooling item. Liu Yang (0.550 >=
    # 0.597 x 0.9) is not cooling. The touchpoints are the same.
    later = TEXT.replace("as_of: 2026-11-20", "as_of: 2026-12-20")
    old = review([_folder(tmp_path, "before", TEXT)], workers=1)
    new = review([_folder(tmp_path, "after", later)], workers=1)
    assert new.deals[0].decision_maker_warmth == {"zhang-min": 0.702}
    change = compare(old, new).deals[0].change
    assert change is not None
    items = [(i.kind, i.text) for i in change.items]
    assert ("warmth-changed", "warmth to decision-makers: Zhang Min 0.80 -> 0.70") in items
    assert not [k for k, _ in items if k in ("cooling", "touchpoints-added")]


def test_a_review_saved_before_rows_had_them_says_nothing_of_them(tmp_path: Path) -> None:
    old = review([_folder(tmp_path, "before", TEXT.replace(TOUCHES, ""))], workers=1)
    data = json.loads("".join(old.iter_json()))
    for row in data["deals"]:  # as an older version wrote it
        del row["touchpoints"], row["cooling"], row["decision_maker_warmth"]
    saved = tmp_path / "old-review.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    new = review([_folder(tmp_path, "after", TEXT)], workers=1)
    change = compare(load_review_json(saved), new).deals[0].change
    assert change is not None
    kinds = {i.kind for i in change.items}
    assert not kinds & {"touchpoints-added", "cooling", "warmth-changed"}
