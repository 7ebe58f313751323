"""Tie warmth from touchpoints, as the deal graph reads it (docs/analysis.md, "Warmth").

Every expected number is computed by hand in the comment above it, from the
formula in the docs and the policy defaults (weights: visit 1.5, meeting 1.0,
call 0.6, e-mail 0.3; half-lives: visit and meeting 180 days, call 120, e-mail 90;
one-way mail 0.25; a tie counts its evidence in full at 180 days), never by
calling the function under test. ``as_of`` is 2026-11-20 throughout.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from influence import analyze, read_deal, to_markdown
from influence.analysis.paths import introduction_paths
from influence.graph import DealGraph, deal_graph
from influence.model import Deal, Policy, Role, TouchKind
from influence.render import html as maps
from influence.render._text import hop_text
from tests.conftest import EXAMPLES
from tests.golden.test_golden import GOLDEN
from tests.render.test_html import page_data
from tests.warmth_rule import warmth_by_the_docs

AS_OF = date(2026, 11, 20)


def _ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def _deal(
    strength: float,
    touches: list[dict[str, Any]],
    *,
    last_contact: str | None = None,
    policy: dict[str, Any] | None = None,
) -> Deal:
    """Li (ours) knows Bo (a decision-maker) at ``strength``, with ``touches`` between them."""
    rel: dict[str, Any] = {"from": "li", "to": "bo", "strength": strength}
    if last_contact:
        rel["last_contact"] = last_contact
    data: dict[str, Any] = {
        "deal": {"name": "Warm", "as_of": AS_OF.isoformat()},
        "people": [
            {"name": "Li", "side": "seller"},
            {"name": "Bo", "roles": ["decision_maker"]},
            {"name": "Cy"},
        ],
        "relationships": [rel, {"from": "bo", "to": "cy", "strength": 0.6}],
        "touchpoints": [{"people": ["li", "bo"], **t} for t in touches],
    }
    if policy is not None:
        data["policy"] = policy
    return Deal.model_validate(data)


def _tie(deal: Deal, policy: Policy | None = None) -> tuple[float, date | None, str | None]:
    g = DealGraph(deal, policy)
    t = g.ties[0]
    return t.strength, t.last_contact, g.explanation(t)


# -- the formula, by hand ------------------------------------------------------


def test_a_stated_only_tie_is_as_written() -> None:
    # Bo-Cy has no touchpoint: strength 0.6 as written, the sentence says so.
    deal = _deal(0.9, [{"date": _ago(1), "kind": "meeting"}])
    g = DealGraph(deal)
    bo_cy = g.ties[1]
    assert (bo_cy.strength, bo_cy.last_contact) == (0.6, None)
    assert g.explanation(bo_cy) == "0.60: stated medium (0.60); no touchpoints"
    # A deal without touchpoints: nothing to explain, every tie as written.
    plain = deal.model_copy(update={"touchpoints": []})
    g = DealGraph(plain)
    assert [t.strength for t in g.ties] == [0.9, 0.6]
    assert g.explanation(g.ties[0]) is None and not g.has_touchpoints()


def test_one_meeting_yesterday() -> None:
    # freshness f = 0.5 ** (1/180) = 0.996157; age 1 day: g = 0.5 + 0.5 * 1/180 = 0.502778
    # E = 1.0 * f * g = 0.500845; evidence = E / (1 + E) = 0.333709
    # effective = 1 - (1 - 0.5 * f) * (1 - 0.333709) = 1 - 0.501922 * 0.666291 = 0.665574
    strength, last, why = _tie(_deal(0.5, [{"date": _ago(1), "kind": "meeting"}]))
    assert strength == 0.666
    assert last == date(2026, 11, 19)
    assert why == "0.67: stated 0.50; 1 meeting, the last 1 day ago; half-life 180 days"


def test_one_way_mail_counts_little_replied_mail_counts() -> None:
    # Ten e-mails 30 days ago on a tie stated 0.3. Each decays to f = 0.5 ** (30/90) = 0.793701;
    # age 30: g = 0.5 + 0.5 * 30/180 = 0.583333. Stated part: 0.3 * f = 0.238110.
    # All ten sent, none answered: each counts 0.25 of 0.3.
    #   E = 10 * 0.3 * 0.25 * f * g = 0.347244; evidence 0.257744
    #   effective = 1 - 0.761890 * 0.742256 = 0.434483
    sent = [{"date": _ago(30), "kind": "email", "direction": "sent"}] * 10
    one_way, _, why = _tie(_deal(0.3, sent))
    assert one_way == 0.434
    assert "10 one-way e-mails, the last 30 days ago; half-life 90 days" in str(why)
    # Nine sent and one received: they wrote back, so every mail counts in full.
    #   E = 10 * 0.3 * f * g = 1.388976; evidence 0.581409
    #   effective = 1 - 0.761890 * 0.418591 = 0.681081
    replied = [*sent[:9], {"date": _ago(30), "kind": "email", "direction": "received"}]
    warm, _, why = _tie(_deal(0.3, replied))
    assert warm == 0.681
    assert "10 replied e-mails" in str(why)
    assert warm > one_way


def test_a_reply_of_ours_shows_they_wrote_though_theirs_is_not_in_the_deal() -> None:
    # A Sent folder alone: ten e-mails of ours, 30 days ago, on a tie stated 0.3. One of
    # them answers (in_reply_to) a message that is not one we sent: they wrote, so the ten
    # count in full, the replied case above: 0.681.
    sent = [
        {"date": _ago(30), "kind": "email", "direction": "sent", "source": f"mail:s{i}@acme"}
        for i in range(10)
    ]
    answered = [*sent[:9], {**sent[9], "in_reply_to": "mail:theirs-1@hengda.cn"}]
    warm, _, why = _tie(_deal(0.3, answered))
    assert warm == 0.681
    assert "10 replied e-mails" in str(why)
    # Answering our own message (a follow-up to mail:s0) shows nothing: still one-way, 0.434.
    follow_up = [*sent[:9], {**sent[9], "in_reply_to": "mail:s0@acme"}]
    assert _tie(_deal(0.3, follow_up))[0] == 0.434
    # in_reply_to is for email and message only.
    with pytest.raises(ValueError, match="in_reply_to is for email and message"):
        _deal(0.3, [{"date": _ago(1), "kind": "meeting", "in_reply_to": "mail:x"}])


def test_a_half_life_halves_the_evidence() -> None:
    # Stated 0: effective = evidence = E / (1 + E), so E = effective / (1 - effective).
    # A meeting 180 days ago (one half-life; age 180: g = 1): E = 1.0 * 0.5 = 0.5, effective 1/3.
    # 360 days ago (two half-lives; g still 1): E = 0.25, effective 0.2.
    once, _, _ = _tie(_deal(0.0, [{"date": _ago(180), "kind": "meeting"}]))
    twice, _, _ = _tie(_deal(0.0, [{"date": _ago(360), "kind": "meeting"}]))
    assert (once, twice) == (0.333, 0.2)
    e_once, e_twice = once / (1 - once), twice / (1 - twice)
    assert e_twice == pytest.approx(e_once / 2, abs=2e-3)


def test_a_tie_untouched_for_two_half_lives() -> None:
    # A visit 360 days ago on a tie stated strong (0.9): f = 0.5 ** 2 = 0.25, g = 1.
    # E = 1.5 * 0.25 = 0.375; evidence 0.375 / 1.375 = 0.272727
    # effective = 1 - (1 - 0.9 * 0.25) * (1 - 0.272727) = 1 - 0.775 * 0.727273 = 0.436364
    strength, last, why = _tie(_deal(0.9, [{"date": _ago(360), "kind": "visit"}]))
    assert (strength, last) == (0.436, date(2025, 11, 25))
    assert why == "0.44: stated strong (0.90); 1 visit, the last 360 days ago; half-life 180 days"


def test_touchpoints_after_as_of_and_on_other_ties_do_not_count() -> None:
    # Only a touchpoint of Li and Cy (no tie of theirs) and one after as_of: Li-Bo as written.
    deal = _deal(0.5, [{"date": "2026-12-01", "kind": "meeting"}])
    extra = deal.touchpoints[0].model_copy(update={"people": ["li", "cy"]})
    deal = deal.model_copy(update={"touchpoints": [*deal.touchpoints, extra]})
    strength, last, why = _tie(deal)
    assert (strength, last) == (0.5, None)
    assert why == "0.50: stated 0.50; no touchpoints"
    # Such a tie keeps the days rule: stated 0.9, last contact 100 days ago, stale.
    later = _deal(0.9, [{"date": "2026-12-01", "kind": "meeting"}], last_contact=_ago(100))
    g = DealGraph(later)
    assert (g.ties[0].strength, g.ties[0].last_contact) == (0.9, date(2026, 8, 12))
    assert g.coverage_status("bo") == "stale"


# -- the policy ------------------------------------------------------------------


def test_the_weights_and_half_lives_are_policy() -> None:
    # The meeting of test_one_meeting_yesterday with a team half-life of 1 day for meetings:
    # f = 0.5; g = 0.502778; E = 0.5 * g = 0.251389; evidence 0.200888
    # effective = 1 - (1 - 0.25) * (1 - 0.200888) = 1 - 0.75 * 0.799112 = 0.400666
    deal = _deal(0.5, [{"date": _ago(1), "kind": "meeting"}])
    team = Policy(touch_half_life_days={TouchKind.MEETING: 1})
    assert _tie(deal, team)[0] == 0.401
    # The deal's own policy overrides the team's, key by key (the others keep the defaults):
    # weight 2 for meetings: E = 2 * 0.996157 * 0.502778 = 1.001691; evidence 0.500422
    # effective = 1 - 0.501922 * 0.499578 = 0.749251
    own = _deal(
        0.5, [{"date": _ago(1), "kind": "meeting"}], policy={"touch_weight": {"meeting": 2}}
    )
    assert _tie(own)[0] == 0.749
    merged = own.effective_policy(Policy())
    assert merged.touch_weight[TouchKind.VISIT] == 1.5
    assert merged.touch_weight[TouchKind.MEETING] == 2
    # One-way mail weight and full age are policy too: one-way 1 counts sent mail in full,
    # the same as the replied case of test_one_way_mail_counts_little_replied_mail_counts.
    sent = [{"date": _ago(30), "kind": "email", "direction": "sent"}] * 10
    assert _tie(_deal(0.3, sent), Policy(one_way_weight=1.0))[0] == 0.681


def test_graphs_of_policies_with_other_warmth_do_not_share_ties() -> None:
    deal = _deal(0.5, [{"date": _ago(1), "kind": "meeting"}])
    plain = deal_graph(deal)
    short = deal_graph(deal, Policy(touch_half_life_days={TouchKind.MEETING: 1}))
    other = deal_graph(deal, Policy(coverage_strength=0.6))
    assert (plain.ties[0].strength, short.ties[0].strength) == (0.666, 0.401)
    assert other.ties is plain.ties  # the same warmth: the ties are shared
    # Paths follow the team policy too: Li -> Bo -> Cy is 0.401 x 0.6 = 0.2406 under it.
    team = Policy(touch_half_life_days={TouchKind.MEETING: 1})
    assert [p.warmth for p in introduction_paths(deal, "cy", policy=team)] == [0.2406]
    assert [p.warmth for p in introduction_paths(deal, "cy")] == [0.3996]


@pytest.mark.parametrize(
    ("field", "value"),
    [("touch_weight", {"call": -1}), ("touch_half_life_days", {"email": 0}), ("one_way_weight", 2)],
)
def test_bad_warmth_policy_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field if field == "one_way_weight" else "expected"):
        Policy.model_validate({field: value})


# -- what the analysis reads -----------------------------------------------------


def test_staleness_decays_instead_of_a_cliff() -> None:
    # Stated 0.9, last contact 100 days ago, no touchpoints: past the 45-day cliff, stale.
    plain = _deal(0.9, [], last_contact=_ago(100))
    assert DealGraph(plain).coverage_status("bo") == "stale"
    # The same contact as a meeting: f = 0.5 ** (100/180) = 0.680395, g = 0.777778,
    # E = 0.529196, evidence 0.346060; effective = 1 - 0.387644 * 0.653940 = 0.746504:
    # still above coverage_strength 0.5, so covered, and the last contact is the meeting's.
    met = _deal(0.9, [{"date": _ago(100), "kind": "meeting"}])
    g = DealGraph(met)
    assert g.ties[0].strength == 0.747
    assert g.coverage_status("bo") == "covered"
    assert g.last_contact("bo") == date(2026, 8, 12)
    # Stated 0.6, one call 400 days ago: f = 0.5 ** (400/120) = 0.099213, g = 1,
    # E = 0.6 * f = 0.059528, evidence 0.056183; effective = 1 - 0.940472 * 0.943817 = 0.112366.
    # Stated warm enough to cover, cooled below 0.5: stale, and the report says so.
    cold = _deal(0.6, [{"date": _ago(400), "kind": "call"}])
    g = DealGraph(cold)
    assert g.ties[0].strength == 0.112
    assert g.coverage_status("bo") == "stale"
    report = analyze(cold)
    messages = [s.message for s in report.signals if s.code == "stale-relationship"]
    assert messages == [
        "Our ties to decision-maker Bo have gone stale (last contact 400 days ago)."
    ]
    assert any(
        "refresh the tie with Bo (last contact 400 days ago" in a.text for a in report.actions
    )


def test_paths_hops_map_and_terminal_explain_the_warmth() -> None:
    # Li -> Bo -> Cy: 0.666 (the meeting of test_one_meeting_yesterday) x 0.6 = 0.3996
    deal = _deal(0.5, [{"date": _ago(1), "kind": "meeting"}])
    (path,) = introduction_paths(deal, "cy")
    assert path.warmth == 0.3996
    first, second = path.steps
    assert first.explanation == (
        "0.67: stated 0.50; 1 meeting, the last 1 day ago; half-life 180 days"
    )
    assert second.explanation == "0.60: stated medium (0.60); no touchpoints"
    dumped = path.model_dump(mode="json")["steps"][0]
    assert dumped["explanation"] == first.explanation and dumped["strength"] == 0.666
    names = {"li": "Li", "bo": "Bo", "cy": "Cy"}
    assert hop_text(first, names) == (
        "Li knows Bo (0.67, last contact 2026-11-19) - warmth " + first.explanation
    )
    data = page_data(maps.to_html(deal))
    assert [e["tie"]["warmth"] for e in data["edges"]] == [
        first.explanation,
        second.explanation,
    ]


def test_the_report_paths_explain_each_hop() -> None:
    # Cy a decision-maker we do not cover: the report's path Li -> Bo -> Cy, 0.666 x 0.6.
    deal = _deal(0.5, [{"date": _ago(1), "kind": "meeting"}])
    cy = deal.people[2].model_copy(update={"roles": [Role.DECISION_MAKER]})
    deal = deal.model_copy(update={"people": [*deal.people[:2], cy]})
    report = analyze(deal)
    (path,) = report.paths["cy"]
    assert path.warmth == 0.3996
    hops = report.model_dump(mode="json")["paths"]["cy"][0]["steps"]
    assert [h["explanation"][:4] for h in hops] == ["0.67", "0.60"]
    markdown = to_markdown(report)
    assert "Li knows Bo (0.67, last contact 2026-11-19) - warmth 0.67: stated 0.50" in markdown
    assert "Bo knows Cy (0.60) - warmth 0.60: stated medium (0.60); no touchpoints" in markdown


def test_paths_cli_shows_the_explanation(cli: Any, write: Any) -> None:
    path = write(
        "deal:\n  name: Warm\n  as_of: 2026-11-20\n"
        "people:\n  - {name: Li, side: seller}\n  - {name: Bo}\n"
        "relationships:\n  - {from: li, to: bo, strength: 0.5}\n"
        "touchpoints:\n  - {date: 2026-11-19, kind: meeting, people: [li, bo]}\n"
    )
    result = cli("paths", path, "bo", "--width", "200")
    assert result.exit_code == 0
    assert "Li knows Bo (0.67, last contact 2026-11-19) - warmth 0.67: stated 0.50" in result.stdout
    out = json.loads(cli("paths", path, "bo", "--json").stdout)
    assert out["paths"][0]["steps"][0]["explanation"].startswith("0.67: stated 0.50; 1 meeting")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_deal_without_touchpoints_reports_as_before(example: Any) -> None:
    deal = read_deal(example)
    assert not deal.touchpoints
    g = DealGraph(deal)
    rels = deal.relationships
    assert [(t.strength, t.last_contact) for t in g.ties[: len(rels)]] == [
        (r.strength, r.last_contact) for r in rels
    ]
    data = analyze(deal).model_dump(mode="json")
    steps = [h for paths in data["paths"].values() for p in paths for h in p["steps"]]
    assert not any("explanation" in h for h in steps)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    assert text + "\n" == (GOLDEN / f"{example.stem}.json").read_text(encoding="utf-8")
    assert "warmth" not in {k for e in page_data(maps.to_html(deal))["edges"] for k in e["tie"]}


# -- trend and cooling (docs/analysis.md, "Trend and cooling") ----------------------


def _one_tie(stated: float, touches: list[tuple[int, str]], **policy: object) -> DealGraph:
    as_of = date(2026, 11, 20)
    deal = Deal.model_validate(
        {
            "deal": {"name": "x", "as_of": str(as_of)},
            "people": [{"name": "Li", "side": "seller"}, {"name": "Bo"}],
            "relationships": [{"from": "li", "to": "bo", "strength": stated}],
            "touchpoints": [
                {"date": str(as_of - timedelta(days=ago)), "kind": kind, "people": ["li", "bo"]}
                for ago, kind in touches
            ],
            "policy": policy,
        }
    )
    return DealGraph(deal)


def test_trend_of_a_fading_call_is_cooling_by_hand() -> None:
    # One call 35 days ago on a tie stated 0.9. Now: f = 0.5^(35/120) = 0.8170,
    # g = 0.5 + 0.5 x 35/180 = 0.5972, E = 0.6 x 0.8170 x 0.5972 = 0.2927,
    # evidence = 0.2264, effective = 1 - (1 - 0.7353) x 0.7736 = 0.795.
    # 30 days before (the call 5 days old): f = 0.9715, g = 0.5139, E = 0.2996,
    # evidence = 0.2305, effective = 1 - (1 - 0.8744) x 0.7695 = 0.903.
    g = _one_tie(0.9, [(35, "call")])
    t = g.trend(g.ties[0])
    assert t is not None
    assert (t.before, t.now, t.since) == (0.903, 0.795, date(2026, 10, 21))
    assert t.change == -0.108
    assert t.cooling  # 0.795 < 0.903 x 0.9


def test_trend_of_a_tie_with_much_evidence_is_not_cooling() -> None:
    g = _one_tie(0.6, [(40, "meeting"), (70, "meeting"), (100, "meeting")])
    t = g.trend(g.ties[0])
    assert t is not None and not t.cooling
    assert t.now < t.before  # it does cool, by less than the share


def test_cooling_share_and_period_are_policy() -> None:
    g = _one_tie(0.9, [(35, "call")], cooling_share=0.2)
    t = g.trend(g.ties[0])
    assert t is not None and not t.cooling  # 12% fall, under 20%
    g = _one_tie(0.9, [(35, "call")], cooling_period_days=10)
    t = g.trend(g.ties[0])
    assert t is not None and t.since == date(2026, 11, 10) and not t.cooling


def test_trend_before_the_first_touch_is_the_stated_strength() -> None:
    g = _one_tie(0.3, [(3, "visit")])
    t = g.trend(g.ties[0])
    assert t is not None and t.before == 0.3 and t.now > 0.3 and not t.cooling


def test_no_trend_without_touchpoints() -> None:
    g = _one_tie(0.9, [])
    assert g.trend(g.ties[0]) is None


# -- the formula as the docs write it, against the columns that compute it ------


@pytest.mark.parametrize("seed", range(25))
def test_every_tie_s_warmth_is_the_docs_formula(seed: int) -> None:
    """Random histories over three ties (some touchpoints of three people, some after
    as_of, mail with and without a direction, some answering others by in_reply_to):
    the deal graph's warmth of each tie, now
    and on the trend's earlier day, is the docs' formula computed touch by touch."""
    rng = __import__("random").Random(seed)
    people = ["li", "an", "bo", "cy"]
    ties = [("li", "bo", 0.5), ("an", "bo", 0.9), ("li", "cy", 0.2)]
    kinds = [k.value for k in TouchKind]
    touches: list[dict[str, Any]] = []
    for _ in range(rng.randrange(1, 60)):
        kind = rng.choice(kinds)
        ours = rng.choice(people[:2])
        who = [ours, *rng.sample([p for p in people if p != ours], rng.choice((1, 1, 1, 2)))]
        touch: dict[str, Any] = {"date": _ago(rng.randrange(-20, 400)), "kind": kind}
        touch["people"] = who
        if kind in ("email", "message", "favour", "gift") and rng.random() < 0.8:
            touch["direction"] = rng.choice(("sent", "received", "sent"))
        if kind in ("email", "message"):  # a source; some answer one of ours, some theirs
            touch["source"] = f"mail:{len(touches)}"
            if rng.random() < 0.3:
                touch["in_reply_to"] = f"mail:{rng.randrange(0, 2 * len(touches) + 1)}"
        touches.append(touch)
    deal = Deal.model_validate(
        {
            "deal": {"name": "Random", "as_of": AS_OF.isoformat()},
            "people": [
                {"name": "Li", "side": "seller"},
                {"name": "An", "side": "seller"},
                {"name": "Bo", "roles": ["decision_maker"]},
                {"name": "Cy"},
            ],
            "relationships": [{"from": a, "to": b, "strength": s} for a, b, s in ties],
            "touchpoints": touches,
        }
    )
    g = DealGraph(deal)
    since = AS_OF - timedelta(days=Policy().cooling_period_days)
    for tie, (a, b, stated) in zip(g.ties, ties, strict=False):
        own = [t for t in touches if a in t["people"] and b in t["people"]]
        assert tie.strength == warmth_by_the_docs(stated, own, AS_OF, touches), (a, b)
        found = g.trend(tie)
        if found is not None:
            assert found.before == warmth_by_the_docs(stated, own, since, touches), (a, b)
