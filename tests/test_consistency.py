"""One meaning of "our tie": every face of a report says the same about each customer.

docs/analysis.md ("Our tie") defines it once; :class:`influence.graph.DealGraph`
computes it. For every customer of every example and of generated deals (random
hypothesis deals under random team policies, and deals of
``benchmarks/generate.py``), this checks that the people table, role coverage,
the signals, the actions that name the person and the map's node data all agree
with the deal graph, and that the deal graph agrees with the rule as written
(an oracle below, computed from the file's relationships alone).
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influence import Deal, Policy, analyze, to_html
from influence.analysis.report import DealReport
from influence.analysis.risk import who
from influence.graph import deal_graph
from influence.model import Kind, Role, Side
from tests.conftest import EXAMPLES
from tests.strategies import deal_data
from tests.warmth_rule import warmth_by_the_docs

# -- the rule as docs/analysis.md writes it, from the file's relationships alone ------


def oracle(deal: Deal, policy: Policy) -> dict[str, tuple[str, date | None, set[str]]]:
    """customer id -> (status, our last contact, sellers with an our tie)."""
    side = {p.id: p.side for p in deal.people}
    left = {p.id for p in deal.people if p.has_left}
    as_of = deal.as_of()
    ours: dict[str, list[tuple[float, float, date | None, bool, str]]] = {
        p.id: [] for p in deal.customers()
    }
    # docs/analysis.md "Warmth from touchpoints": a tie's touchpoints up to as_of give it
    # an effective strength and last contact (tests/warmth_rule.py writes the formula).
    touches = [t.model_dump(mode="json", exclude_none=True) for t in deal.touchpoints]
    for r in deal.relationships:  # a reports_to shorthand is never an our tie
        if r.kind not in (Kind.KNOWS, Kind.INFLUENCES):
            continue
        if r.from_ in left or r.to in left:  # a tie with a person who left counts for nothing
            continue
        own = [
            t
            for t in touches
            if r.from_ in t["people"] and r.to in t["people"] and t["date"] <= as_of.isoformat()
        ]
        effective = warmth_by_the_docs(r.strength, own, as_of, touches, policy)
        last = max(date.fromisoformat(t["date"]) for t in own) if own else r.last_contact
        for us, them in ((r.from_, r.to), (r.to, r.from_)):
            if side[us] is Side.SELLER and side[them] is Side.CUSTOMER:
                ours[them].append((r.strength, effective, last, bool(own), us))
    out = {}
    cs = policy.coverage_strength
    for cid, ties in ours.items():
        # (stated, effective, last contact, warmed by touchpoints, seller)
        covering = [t for t in ties if max(t[0], t[1]) >= cs]

        def fresh(t: tuple[float, float, date | None, bool, str]) -> bool:
            if t[3]:  # with touchpoints: fresh while the effective strength covers
                return t[1] >= cs
            return t[2] is None or (as_of - t[2]).days <= policy.stale_after_days

        status = "covered" if any(map(fresh, covering)) else "stale" if covering else "uncovered"
        dates = [t[2] for t in covering if t[2]] or [t[2] for t in ties if t[2]]
        out[cid] = (status, max(dates) if dates else None, {t[4] for t in ties})
    return out


# -- the map's node data -----------------------------------------------------------------


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data = ""
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script" and dict(attrs).get("id") == "map-data"

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.data += data


def map_nodes(deal: Deal, report: DealReport, policy: Policy) -> dict[str, dict[str, Any]]:
    parser = _Scripts()
    parser.feed(to_html(deal, report, policy=policy))
    return {n["id"]: n for n in json.loads(parser.data)["nodes"]}


# -- the check -----------------------------------------------------------------------------

_DAYS = re.compile(r"last contact (\d+) days? ago")


def check(deal: Deal, team: Policy | None = None, *, with_map: bool = True) -> None:
    team = team or Policy()
    policy = deal.effective_policy(team)
    report = analyze(deal, team)
    g = deal_graph(deal, team)
    truth = oracle(deal, policy)
    by_id = deal.people_by_id()
    rows = {r.id: r for r in report.people}
    dms = set(report.decision_makers)
    sellers = {p.id: p.name for p in deal.sellers()}
    as_of = deal.as_of()
    signals = report.signals
    # A lost deal is not scored: no signal at all (docs/analysis.md "Buying steps").
    lost = report.step == "lost"
    assert not (lost and signals)
    fired = {
        code: {tuple(s.people) for s in signals if s.code == code}
        for code in (
            "decision-maker-uncovered",
            "top-decision-maker-uncovered",
            "stale-relationship",
        )
    }
    top = report.top_decision_maker
    # the top decision-maker's own code replaces decision-maker-uncovered for them alone
    unreached = fired["decision-maker-uncovered"] | fired["top-decision-maker-uncovered"]
    assert fired["top-decision-maker-uncovered"] <= {(top,)}
    nodes = map_nodes(deal, report, team) if with_map else {}

    for c in deal.customers():
        status, last, tied = truth[c.id]
        # the graph is the rule
        assert g.coverage_status(c.id) == status, c.id
        assert g.last_contact(c.id) == last, c.id
        assert {t.other(c.id) for t in g.our_ties(c.id)} == tied, c.id
        # the people table and the coverage part
        assert rows[c.id].coverage == status == report.coverage.people[c.id], c.id
        # signals fire exactly for the people the graph says (who left holds no role)
        assert ((c.id,) in fired["decision-maker-uncovered"]) == (
            c.id in dms and status == "uncovered" and c.id != top and not lost
        ), c.id
        assert ((c.id,) in fired["top-decision-maker-uncovered"]) == (
            c.id == top and status == "uncovered" and not lost
        ), c.id
        assert ((c.id,) in fired["stale-relationship"]) == (
            status == "stale"
            and (c.id in dms or (Role.CHAMPION in c.roles and not c.has_left))
            and not lost
        ), c.id
        for s in signals:
            if s.code == "stale-relationship" and s.people == [c.id]:
                assert last is not None
                found = _DAYS.search(s.message)
                assert found and int(found.group(1)) == (as_of - last).days, s.message
        # actions that name the person
        name = who(c)
        for a in report.actions:
            for sid, sname in sellers.items():
                if f"{sname} already knows {name}" in a.text:
                    assert sid in tied, a.text  # only when our tie exists
            if f"already knows {name}: refresh the tie" in a.text:
                assert status == "stale", a.text
            if f"already knows {name}: warm the tie up" in a.text:
                assert status == "uncovered" and tied, a.text
            if a.text.startswith(f"Refresh the tie with {name} ("):
                found = _DAYS.search(a.text)
                assert last is not None and found, a.text
                assert int(found.group(1)) == (as_of - last).days, a.text
            if status != "covered":
                assert f"{name} is covered" not in a.text and "already covered" not in a.text
        # the map: the ring is the coverage status, the last contact is the graph's
        if with_map:
            node = nodes[c.id]
            assert node["person"]["coverage"] == status, c.id
            assert node["person"]["contact"] == (last.isoformat() if last else None), c.id
            dashed = node["shapeProperties"]["borderDashes"]
            ring = node["color"]["border"]
            assert bool(node["person"].get("left")) == c.has_left, c.id
            if c.has_left:  # left the company: the dotted ring, whatever else
                assert ring == "#222222" and dashed == [2, 4]
            elif status == "covered":
                assert ring == "#000000" and dashed is False
            elif status == "stale":
                assert ring == "#000000" and dashed
            elif node["person"]["dm"]:  # a decision-maker we do not reach: the loud ring
                from influence.render.html import NOT_REACHED_COLOUR

                assert ring == NOT_REACHED_COLOUR and status == "uncovered"
            else:
                assert ring == node["color"]["background"]

    # role coverage reads the same statuses; role-uncovered fires for uncovered and stale,
    # unless every holder's own signal says we do not reach them
    statuses = report.coverage.people
    for role in policy.required_roles:
        holders = [p.id for p in deal.customers() if role in p.roles and not p.has_left]
        expected = (
            "missing"
            if not holders
            else "covered"
            if any(statuses[h] == "covered" for h in holders)
            else "stale"
            if any(statuses[h] == "stale" for h in holders)
            else "uncovered"
        )
        assert report.coverage.roles[role.value] == expected, role
        flagged = any(s.code == "role-uncovered" and s.role == role.value for s in signals)
        # one cause, one signal: not when each holder has their own signal saying so
        said = all((h,) in unreached or (h,) in fired["stale-relationship"] for h in holders)
        assert flagged == (expected in ("uncovered", "stale") and not said and not lost), role
    # the header's count is the decision-makers not covered, split as the signals split them
    missing = report.coverage.uncovered(report.decision_makers)
    if not lost:
        assert sorted(m for m in missing if statuses.get(m) == "uncovered") == sorted(
            p[0] for p in unreached
        )
    assert all(by_id[m].side is Side.CUSTOMER for m in missing)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_agree(example: Path) -> None:
    from influence import read_deal

    deal = read_deal(example)
    check(deal)
    check(deal, Policy(coverage_strength=0.8, stale_after_days=20))


def test_the_issue_contradictions_are_gone() -> None:
    from influence import read_deal, to_markdown

    saas = analyze(read_deal(Path("examples/saas-small.yaml")))
    assert saas.coverage.people["david-kim"] == "stale"
    assert saas.coverage.roles["technical_buyer"] == "stale"
    committee = analyze(read_deal(Path("examples/enterprise-committee.yaml")))
    uncovered = [s for s in committee.signals if s.code == "decision-maker-uncovered"]
    top = [s for s in committee.signals if s.code == "top-decision-maker-uncovered"]
    # Chen Jun, the top decision-maker, has the top code; Zhang Min keeps the other
    assert [s.people for s in top] == [["chen-jun"]] and len(uncovered) == 1
    assert "(3 not covered: 2 uncovered, 1 stale)" in to_markdown(committee)


def _unique_names(data: dict[str, Any]) -> dict[str, Any]:
    # Names that are no part of one another, so an action's text names one person only.
    for i, p in enumerate(data["people"]):
        p["name"] = f"N{i}x"
    return data


TEAM = st.builds(
    Policy,
    coverage_strength=st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.9]),
    stale_after_days=st.sampled_from([0, 30, 45, 400]),
)


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=deal_data(min_people=2, max_people=12).map(_unique_names), team=TEAM)
def test_random_deals_agree(data: dict[str, Any], team: Policy) -> None:
    check(Deal.model_validate(data), team)


@pytest.mark.parametrize("seed", range(6))
def test_generated_deals_agree(seed: int) -> None:
    from benchmarks.generate import generate_deal

    deal = Deal.model_validate(generate_deal(40 + 40 * seed, seed=seed, decision_share=0.1))
    check(deal)
