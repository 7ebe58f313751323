"""Our ties' warmth trend in the report, the terminal and the Markdown (issue 13 point 5).

The deal is tests/data/warmth/cooling.yaml, ``as_of`` 2026-11-20 (the period starts
on 2026-10-21). Every number is computed by hand from docs/analysis.md ("Warmth from
touchpoints", "Trend and cooling"), with the default policy (call weight 0.6, half-life
120 days; meeting 1.0, 180 days; a tie counts its evidence in full at 180 days):

- Li Wei - Zhang Min, stated 0.9, one call on 2026-10-16 (35 days ago). Now:
  f = 0.5^(35/120) = 0.8170, g = 0.5 + 0.5 x 35/180 = 0.5972, E = 0.6 x 0.8170 x 0.5972
  = 0.2927, evidence 0.2264, effective 1 - (1 - 0.7353) x 0.7736 = 0.795. On 2026-10-21
  (the call 5 days old): f = 0.9715, g = 0.5139, E = 0.2996, evidence 0.2305,
  effective 1 - 0.1256 x 0.7695 = 0.903. 0.795 < 0.903 x 0.9 = 0.8127: cooling.
- Chen Jing - Liu Yang, stated 0.9, one meeting on 2026-05-01 (203 days ago). Now:
  f = 0.5^(203/180) = 0.4576, g = 1, E = 0.4576, evidence 0.3139, effective
  1 - 0.5882 x 0.6861 = 0.596... = 0.597 (rounded from the unrounded terms). On
  2026-10-21 (173 days): f = 0.5^(173/180) = 0.5137, g = 0.5 + 0.5 x 173/180 = 0.9806,
  E = 0.5037, evidence 0.3350, effective 1 - 0.5377 x 0.6650 = 0.642. 0.597 >= 0.642 x
  0.9 = 0.5778: not cooling.
- Li Wei - Wang Fang has no touchpoint: no trend, not listed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from influence import analyze, read_deal, to_markdown
from influence.model import PersonStatus, Policy
from influence.render.terminal import to_terminal
from tests.conftest import EXAMPLES

DEAL = Path(__file__).resolve().parents[1] / "data" / "warmth" / "cooling.yaml"


def test_report_lists_our_ties_with_touchpoints_cooling_first() -> None:
    rows = analyze(read_deal(DEAL)).model_dump(mode="json")["tie_trends"]
    assert [(r["customer"], r["seller"]) for r in rows] == [
        ("zhang-min", "li-wei"),
        ("liu-yang", "chen-jing"),
    ]
    cooling, steady = rows
    assert cooling == {
        "customer": "zhang-min",
        "seller": "li-wei",
        "kind": "knows",
        "warmth": 0.795,
        "was": 0.903,
        "since": "2026-10-21",
        "change": -0.108,
        "cooling": True,
        "last_touch": "2026-10-16",
        "last_touch_kind": "call",
        "trend": "0.80, was 0.90 on 2026-10-21: cooling",
        "explanation": (
            "0.80: stated strong (0.90); 1 call, the last 35 days ago; half-life 120 days"
        ),
    }
    assert (steady["warmth"], steady["was"], steady["change"]) == (0.597, 0.642, -0.045)
    assert (steady["cooling"], steady["last_touch"], steady["last_touch_kind"]) == (
        False,
        "2026-05-01",
        "meeting",
    )


def test_the_report_reads_the_graphs_trend() -> None:
    # One truth: every row is DealGraph.trend of that tie, nothing recomputed.
    from influence.graph import deal_graph

    deal = read_deal(DEAL)
    graph = deal_graph(deal)
    for row in analyze(deal).tie_trends:
        (tie,) = [t for t in graph.our_ties(row.customer) if t.other(row.customer) == row.seller]
        found = graph.trend(tie)
        assert found is not None
        assert (row.warmth, row.was, row.since, row.cooling) == (
            found.now,
            found.before,
            found.since,
            found.cooling,
        )


def test_policy_moves_the_cooling_rule() -> None:
    # cooling_share 0.2: 0.795 >= 0.903 x 0.8 = 0.7224, so no tie is cooling; and a
    # 10-day period puts Li Wei's call (35 days ago) before both days: 2026-11-10, f =
    # 0.5^(25/120) = 0.8655, g = 0.5694, E = 0.2957, evidence 0.2282, effective
    # 1 - (1 - 0.7790) x 0.7718 = 0.829.
    deal = read_deal(DEAL)
    assert not any(r.cooling for r in analyze(deal, Policy(cooling_share=0.2)).tie_trends)
    first = analyze(deal, Policy(cooling_period_days=10)).tie_trends[0]
    assert (first.since, first.was, first.warmth) == (date(2026, 11, 10), 0.829, 0.795)
    assert not first.cooling  # 0.795 >= 0.829 x 0.9 = 0.7461


def test_a_seller_who_left_has_no_tie_of_ours() -> None:
    deal = read_deal(DEAL)
    people = [
        p.model_copy(update={"status": PersonStatus.LEFT}) if p.id == "li-wei" else p
        for p in deal.people
    ]
    rows = analyze(deal.model_copy(update={"people": people})).tie_trends
    assert [(r.customer, r.seller) for r in rows] == [("liu-yang", "chen-jing")]


def test_terminal_says_whom_to_touch_first() -> None:
    text = to_terminal(analyze(read_deal(DEAL)), width=400)
    lines = text.splitlines()
    at = lines.index("Cooling ties: 1 of 2 ties with touchpoints")
    assert lines[at + 1 : at + 3] == [
        "  - Touch Zhang Min (CFO): Li Wei's tie is cooling, warmth 0.80, was 0.90 on "
        "2026-10-21 (-0.11); last touch call on 2026-10-16, 35 days ago",
        "  - Liu Yang (IT director) - Chen Jing: warmth 0.60, was 0.64 on 2026-10-21: not "
        "cooling; last touch meeting on 2026-05-01, 203 days ago",
    ]
    # The path to Zhao Lei runs through the cooling tie: its hop says so.
    hop = next(line for line in lines if line.strip().startswith("Li Wei knows Zhang Min"))
    assert hop.endswith(
        "- trend 0.80, was 0.90 on 2026-10-21: cooling; last touch call on 2026-10-16"
    )
    # A hop along a tie between customers has no trend.
    other = next(line for line in lines if line.strip().startswith("Zhang Min knows Zhao Lei"))
    assert "trend" not in other


def test_markdown_has_the_part_and_the_hop_trend() -> None:
    text = to_markdown(analyze(read_deal(DEAL)))
    assert "## Cooling ties: 1 of 2 ties with touchpoints\n\n- Touch Zhang Min (CFO): " in text
    assert "- trend 0.80, was 0.90 on 2026-10-21: cooling; last touch call on 2026-10-16" in text


def test_nothing_cools_says_none() -> None:
    text = to_terminal(analyze(read_deal(DEAL), Policy(cooling_share=0.5)), width=200)
    assert "Cooling ties: none of 2 ties with touchpoints" in text
    assert "Touch " not in text


def test_cli_json_has_the_rows(cli: Any) -> None:
    result = cli("analyze", DEAL, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["tie_trends"]
    assert [r["cooling"] for r in rows] == [True, False]


def test_deals_without_touchpoints_have_no_trend_part() -> None:
    for example in EXAMPLES:
        report = analyze(read_deal(example))
        assert report.tie_trends == []
        assert "tie_trends" not in report.model_dump(mode="json")
        assert "Cooling ties" not in to_terminal(report) and "Cooling" not in to_markdown(report)


def test_the_brief_note_names_whom_to_touch() -> None:
    note = to_markdown(analyze(read_deal(DEAL)), brief=True)
    assert "**Cooling, touch:** Zhang Min (CFO) (Li Wei's tie)." in note.splitlines()
    calm = to_markdown(analyze(read_deal(DEAL), Policy(cooling_share=0.5)), brief=True)
    assert "Cooling" not in calm
