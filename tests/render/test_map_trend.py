"""The map's page data of a deal with touchpoints: each tie's trend, last touch, cooling.

The deal and its hand-computed numbers: tests/analysis/test_trends.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from influence import read_deal
from influence.model import Policy
from influence.render import html as maps
from tests.conftest import EXAMPLES
from tests.render.test_html import page_data

DEAL = Path(__file__).resolve().parents[1] / "data" / "warmth" / "cooling.yaml"


def _ties(page: str) -> dict[tuple[str, str], dict[str, object]]:
    data = page_data(page)
    ids = {n["id"]: n["person"]["id"] for n in data["nodes"]}
    return {(ids[e["from"]], ids[e["to"]]): e["tie"] for e in data["edges"]}


def test_each_tie_with_touchpoints_has_its_trend_and_last_touch() -> None:
    ties = _ties(maps.to_html(read_deal(DEAL)))
    cooling = ties[("li-wei", "zhang-min")]
    assert cooling["trend"] == "0.80, was 0.90 on 2026-10-21: cooling"
    assert cooling["touch"] == "call on 2026-10-16"
    assert cooling["cooling"] is True
    steady = ties[("chen-jing", "liu-yang")]
    assert steady["trend"] == "0.60, was 0.64 on 2026-10-21: not cooling"
    assert steady["touch"] == "meeting on 2026-05-01"
    assert "cooling" not in steady
    # No touchpoint: the warmth sentence only, no trend.
    plain = ties[("li-wei", "wang-fang")]
    assert "trend" not in plain and "touch" not in plain and "warmth" in plain


def test_the_legend_names_the_rule_of_the_policy() -> None:
    page = maps.to_html(read_deal(DEAL), policy=Policy(cooling_share=0.2, cooling_period_days=60))
    data = page_data(page)
    assert data["cooling"]["words"] == "cooling tie: warmth fell by more than 20% in 60 days"
    assert "cooling tie: warmth fell by more than 20% in 60 days</li>" in page
    # 60 days before: 2026-09-21, before Li Wei's call: the stated 0.9; 0.795 >= 0.72.
    ties = _ties(page)
    assert ties[("li-wei", "zhang-min")]["trend"] == "0.80, was 0.90 on 2026-09-21: not cooling"


def test_a_redacted_map_keeps_the_trend() -> None:
    page = maps.to_html(read_deal(DEAL), redact=True)
    trends = sorted(str(e["tie"].get("trend")) for e in page_data(page)["edges"])
    assert "0.80, was 0.90 on 2026-10-21: cooling" in trends


def test_deals_without_touchpoints_draw_no_cooling() -> None:
    for example in EXAMPLES:
        page = maps.to_html(read_deal(example))
        data = page_data(page)
        assert "cooling" not in data
        assert not any({"trend", "touch", "cooling"} & set(e["tie"]) for e in data["edges"])
        assert not re.search(r"legend-cooling", page)
