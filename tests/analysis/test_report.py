"""Coverage, support, network influence, reports and what-if on small deals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from influence import Deal, analyze, network_influence, person_coverage, support
from influence.analysis.whatif import AssumptionError, parse_assumption, what_if
from influence.errors import UnknownPersonError
from tests.conftest import ROOT
from tests.strategies import deals


def deal_of(people: list[dict[str, Any]], ties: list[dict[str, Any]] | None = None) -> Deal:
    return Deal.model_validate(
        {
            "deal": {"name": "t", "as_of": "2026-11-20"},
            "people": people,
            "relationships": ties or [],
        }
    )


def test_coverage_statuses() -> None:
    deal = deal_of(
        [
            {"name": "S", "side": "seller"},
            {"name": "Warm"},
            {"name": "Cold"},
            {"name": "Old"},
            {"name": "Weak"},
            {"name": "Via", "side": "partner"},
            {"name": "Sway"},
        ],
        [
            {"from": "s", "to": "warm", "strength": 0.5, "last_contact": "2026-10-06"},
            {"from": "old", "to": "s", "strength": 0.9, "last_contact": "2026-10-05"},
            {"from": "s", "to": "weak", "strength": 0.49},
            {"from": "via", "to": "cold", "strength": 1.0},
            {"from": "s", "to": "sway", "kind": "influences", "strength": 0.8},
            {"from": "s", "to": "cold", "kind": "reports_to", "strength": 1.0},
        ],
    )
    assert person_coverage(deal) == {
        "warm": "covered",  # exactly 45 days: not yet stale
        "cold": "uncovered",  # partners and reports_to ties are not coverage
        "old": "stale",  # 46 days
        "weak": "uncovered",
        "sway": "covered",
    }


def test_support_is_influence_weighted() -> None:
    deal = deal_of(
        [
            {"name": "A", "stance": "ally", "influence": 0.9},
            {"name": "B", "stance": "blocker", "influence": 0.3},
            {"name": "C", "stance": "unknown", "influence": 0.3},
            {"name": "Us", "side": "seller", "stance": "blocker", "influence": 1.0},
        ]
    )
    assert support(deal) == round((0.9 - 0.3) / 1.5, 4)


def test_network_influence_centre_of_most_ties_ranks_first() -> None:
    people = [{"name": n, "influence": 0.5} for n in ("Hub", "A", "B", "C", "D", "E")]
    ties = [{"from": x, "to": "hub"} for x in ("a", "b", "c", "d")] + [{"from": "d", "to": "e"}]
    scores = network_influence(deal_of(people, ties))
    assert [s.id for s in scores][:2] == ["hub", "d"]
    assert [s.rank for s in scores] == [1, 2, 3, 4, 5, 6]
    assert abs(sum(s.score for s in scores) - 1) < 1e-3


def test_influence_flows_to_who_sways_and_who_manages() -> None:
    people = [
        {"name": "Boss", "influence": 0.3},
        {"name": "Adviser", "influence": 0.3},
        {"name": "Big", "influence": 0.9},
        {"name": "Other", "influence": 0.3},
    ]
    ties = [
        {"from": "big", "to": "boss", "kind": "reports_to"},
        {"from": "adviser", "to": "big", "kind": "influences"},
    ]
    ranks = {s.id: s.rank for s in network_influence(deal_of(people, ties))}
    assert ranks["big"] == 1
    assert ranks["other"] == 4  # no ties: only its prior


def test_report_json_has_the_spec_keys_and_types() -> None:
    from influence import read_deal

    data = analyze(read_deal("examples/enterprise-committee.yaml")).model_dump(mode="json")
    assert set(data) >= {
        "deal",
        "risk",
        "coverage",
        "support",
        "decision_makers",
        "network_influence",
        "signals",
        "paths",
        "actions",
    }
    assert set(data["deal"]) >= {"id", "name", "as_of"}
    assert isinstance(data["risk"]["score"], int) and data["risk"]["grade"] in (
        "low",
        "medium",
        "high",
    )
    assert isinstance(data["coverage"]["score"], float)
    assert set(data["coverage"]["people"].values()) <= {"covered", "stale", "uncovered"}
    assert set(data["coverage"]["roles"].values()) <= {"covered", "stale", "uncovered", "missing"}
    assert isinstance(data["support"], float) and -1 <= data["support"] <= 1
    assert data["decision_makers"] == sorted(data["decision_makers"])
    for entry in data["network_influence"]:
        assert set(entry) >= {"id", "score", "rank"}
    for s in data["signals"]:
        assert set(s) >= {"code", "severity", "people", "message"}
    for target, paths in data["paths"].items():
        assert target in data["decision_makers"]
        assert data["coverage"]["people"][target] != "covered"
        for p in paths:
            assert set(p) >= {"people", "warmth", "hops", "through_blocker"}
            assert p["people"][-1] == target
    for a in data["actions"]:
        assert set(a) >= {"text", "signal", "people"}
    json.dumps(data)


REPORT_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@REPORT_SETTINGS
@given(deal=deals(max_people=10))
def test_analyze_never_raises_and_stays_in_bounds(deal: Deal) -> None:
    report = analyze(deal)
    assert 0 <= report.risk.score <= 100
    assert 0 <= report.coverage.score <= 1
    assert -1 <= report.support <= 1
    assert sum(c.share for c in report.risk.contributions) == report.risk.score
    customers = {p.id for p in deal.people if p.side.value == "customer"}
    assert set(report.coverage.people) == customers
    assert [s.rank for s in report.network_influence] == list(range(1, len(customers) + 1))
    for target, paths in report.paths.items():
        assert target in report.decision_makers
        for path in paths:
            assert path.people[-1] == target
    signals = [(s.severity, s.code) for s in report.signals]
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    assert signals == sorted(signals, key=lambda x: (order[x[0]], x[1]))
    # deterministic
    assert analyze(deal) == report


@pytest.mark.parametrize(
    "people",
    [
        [],
        [{"name": "Solo"}],
        [{"name": "Us", "side": "seller"}],
        [{"name": "Us", "side": "seller"}, {"name": "Pal", "side": "partner"}],
    ],
)
def test_degenerate_deals(people: list[dict[str, Any]]) -> None:
    report = analyze(deal_of(people))
    assert report.coverage.score == 0.0 and report.support == 0.0
    assert "no-decision-maker" in [s.code for s in report.signals]


def test_what_if_stance_and_tie() -> None:
    deal = deal_of(
        [
            {"name": "Li", "side": "seller"},
            {"name": "Chen", "roles": ["decision_maker"], "stance": "unknown"},
        ]
    )
    result = what_if(deal, ["chen=ally", "li~chen"])
    assert result.after.coverage.people["chen"] == "covered"
    resolved = {s.code for s in result.resolved_signals}
    # Chen, the only decision-maker, is the top one
    assert {"top-decision-maker-uncovered", "unknown-stance"} <= resolved
    assert result.score_change == result.after.risk.score - result.before.risk.score < 0
    assert result.after.assumptions == ["chen=ally", "li~chen"]
    # the deal itself is unchanged
    assert deal.person("chen").stance.value == "unknown"


def test_assumption_syntax_errors() -> None:
    with pytest.raises(AssumptionError, match="did you mean 'ally'"):
        parse_assumption("chen=alli")
    with pytest.raises(AssumptionError, match="cannot read the assumption"):
        parse_assumption("chen is great")
    with pytest.raises(AssumptionError, match="from 0 to 1"):
        parse_assumption("a~b=2")
    assert parse_assumption("a>b=weak").value == "0.3"
    with pytest.raises(UnknownPersonError, match="did you mean 'chen'"):
        what_if(deal_of([{"name": "Chen"}]), ["chn=ally"])


def test_action_for_a_stale_tie_says_refresh_and_for_a_weak_one_warm_up() -> None:
    deal = Deal.model_validate(
        {
            "deal": {"name": "x", "as_of": "2026-11-20"},
            "people": [
                {"id": "s", "name": "Sam", "side": "seller"},
                {"id": "old", "name": "Olga", "roles": ["technical_buyer"]},
                {"id": "weak", "name": "Wim", "roles": ["user"]},
            ],
            "relationships": [
                {"from": "s", "to": "old", "strength": 0.9, "last_contact": "2026-09-01"},
                {"from": "s", "to": "weak", "strength": 0.3, "last_contact": "2026-11-19"},
            ],
        }
    )
    texts = {a.people[0]: a.text for a in analyze(deal).actions if a.signal == "role-uncovered"}
    assert texts["old"].endswith(
        "Sam already knows Olga: refresh the tie (last contact 80 days ago)"
    )
    # a weak tie does not cover: it is no "already knows", it needs warming up
    assert texts["weak"].endswith("Sam knows Wim, but only weakly (0.30): warm the tie up")


@pytest.mark.parametrize(("n", "ties"), [(12, 30), (60, 400), (700, 5000)])
def test_our_pagerank_is_networkx_pagerank(n: int, ties: int) -> None:
    """Dense (few customers) and sparse (many) matrices give networkx's own scores."""
    import random

    import networkx as nx

    from influence.analysis import network

    rng = random.Random(n)
    nodes = [f"p{i:04d}" for i in range(n)]
    weights: dict[tuple[str, str], float] = {}
    for _ in range(ties):
        a, b = rng.sample(nodes, 2)
        weights[a, b] = weights.get((a, b), 0.0) + rng.choice([0.3, 0.6, 0.9])
    prior = {v: rng.random() + 0.01 for v in nodes}
    total = sum(prior.values())
    personalization = {v: w / total for v, w in prior.items()}
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    expected = nx.pagerank(
        g,
        alpha=0.85,
        personalization=personalization,
        dangling=personalization,
        weight="weight",
        tol=1e-10,
        max_iter=500,
    )
    assert (n <= network.DENSE_PAGERANK_MAX) == (n < 100)  # both matrix kinds are exercised
    ours = network._pagerank(nodes, weights, personalization)
    assert ours.keys() == expected.keys()
    assert max(abs(ours[v] - expected[v]) for v in nodes) < 1e-12


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sparse_pagerank_adds_the_floats_a_scipy_matrix_adds(seed: int) -> None:
    """Without scipy, the sparse PageRank still gives scipy's CSR arithmetic, bit for bit."""
    import numpy as np

    sparse = pytest.importorskip("scipy.sparse")
    from influence.analysis import network

    rng = np.random.default_rng(seed)
    n = network.DENSE_PAGERANK_MAX + 1 + int(rng.integers(0, 600))
    # Flows in first-appearance order (not sorted), some rows with none (dangling).
    keys = rng.permutation(np.unique(rng.integers(0, n * n, size=2 * n)))
    rows, cols = keys // n, keys % n
    data = rng.choice([0.1, 0.3, 0.45, 0.6, 0.9, 1.5], size=len(keys)) + rng.random(len(keys))
    personalization = list(rng.random(n) + 0.01)
    # What the scipy version computed: networkx's steps on a CSR matrix.
    a = sparse.csr_array((data, (rows, cols)), shape=(n, n))
    out = np.asarray(a.sum(axis=1)).ravel()
    a = sparse.csr_array(a.multiply(network._invert(out)[:, None]))
    p = np.array(personalization)
    p /= p.sum()
    dangling = np.where(out == 0)[0]
    assert len(dangling)
    x = np.repeat(1.0 / n, n)
    while True:
        last = x
        x = 0.85 * (x @ a + sum(x[dangling]) * p) + (1 - 0.85) * p
        if np.absolute(x - last).sum() < n * 1e-10:
            break
    assert network._pagerank_arrays(n, rows, cols, data, personalization) == list(x)


@pytest.mark.parametrize("seed", [1, 2])
def test_scipy_pagerank_of_many_flows_is_the_numpy_one(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From SCIPY_PAGERANK_FROM flows scipy's matrix does the products: the same floats."""
    import numpy as np

    from influence.analysis import network

    rng = np.random.default_rng(seed)
    n = network.DENSE_PAGERANK_MAX + 1 + int(rng.integers(0, 600))
    keys = rng.permutation(np.unique(rng.integers(0, n * n, size=3 * n)))
    rows, cols = keys // n, keys % n
    data = rng.choice([0.1, 0.3, 0.45, 0.6, 0.9], size=len(keys)) + rng.random(len(keys))
    personalization = list(rng.random(n) + 0.01)
    monkeypatch.setattr(network, "SCIPY_PAGERANK_FROM", 10**9)
    numpy_only = network._pagerank_arrays(n, rows, cols, data, personalization)
    monkeypatch.setattr(network, "SCIPY_PAGERANK_FROM", 0)
    assert network._pagerank_arrays(n, rows, cols, data, personalization) == numpy_only


def test_network_influence_of_a_big_deal_does_not_import_scipy() -> None:
    """scipy.sparse costs ~0.2 s to import: the map of a big deal does without it."""
    import subprocess
    import sys

    code = (
        "import sys; from benchmarks.generate import generate_deal; "
        "from influence import Deal, network_influence; "
        "deal = Deal.model_validate(generate_deal(600, seed=3)); "
        "assert sum(p.side.value == 'customer' for p in deal.people) > 400; "
        "network_influence(deal); print('scipy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,  # benchmarks/ is importable from the repository's root
    )
    assert out.stdout.split() == ["False"]


def _many_decision_makers(count: int) -> Deal:
    """A seller, a hub we know too weakly to cover, and ``count`` decision-makers behind it."""
    people = [{"name": "S", "side": "seller"}, {"name": "Hub"}]
    ties = [{"from": "s", "to": "hub", "strength": 0.4}]
    for i in range(count):
        people.append({"id": f"dm{i:02d}", "name": f"DM {i}", "influence": 0.8 + i / 200})
        ties.append({"from": "hub", "to": f"dm{i:02d}", "strength": 0.9})
    people.append({"id": "lone", "name": "Lone", "influence": 0.8})
    return deal_of(people, ties)


def test_paths_are_shown_for_the_most_influential_decision_makers_and_the_rest_summarised() -> None:
    from influence.render.markdown import to_markdown
    from influence.render.terminal import to_terminal

    deal = _many_decision_makers(30)
    report = analyze(deal, max_path_targets=25)
    summary = report.paths_summary
    assert summary is not None
    # 31 uncovered decision-makers: the 25 most influential get their paths.
    assert (summary.targets, summary.shown) == (31, 25)
    expected = sorted(report.decision_makers, key=lambda d: (-deal.person(d).influence, d))[:25]
    assert list(report.paths) == sorted(expected)
    assert summary.warmth == {
        **{f"dm{i:02d}": 0.36 for i in range(4, -1, -1)},
        "lone": None,
    }
    assert summary.reachable == 5
    for pid in summary.warmth:
        assert pid not in report.paths
    data = report.model_dump(mode="json")
    assert data["paths_summary"]["shown"] == 25
    assert json.loads(json.dumps(data))["paths_summary"]["warmth"]["lone"] is None
    line = "paths shown for the 25 most influential of 31 uncovered decision-makers"
    assert line in to_terminal(report, width=200)
    assert line.capitalize() in to_markdown(report)
    uncovered = ("decision-maker-uncovered", "top-decision-maker-uncovered")
    texts = {a.people[-1]: a.text for a in report.actions if a.signal in uncovered}
    # dm29, the most influential, is the top decision-maker: its own code, the same ask
    leads = {a.target: a.signal for a in report.actions if a.signal in uncovered}
    assert leads["dm29"] == "top-decision-maker-uncovered"
    assert {t for t, code in leads.items() if code == "top-decision-maker-uncovered"} == {"dm29"}
    assert "our warmest path has warmth 0.36" in texts["dm00"]
    assert "no introduction path" in texts["lone"]
    assert texts["dm29"].startswith("Ask Hub to introduce S to DM 29")


def test_no_summary_when_every_decision_maker_gets_paths() -> None:
    deal = _many_decision_makers(3)
    report = analyze(deal)
    assert report.paths_summary is None
    assert "paths_summary" not in report.model_dump(mode="json")
    assert analyze(_many_decision_makers(30), max_path_targets=None).paths_summary is None
    unlimited = analyze(_many_decision_makers(30), max_path_targets=None)
    assert len(unlimited.paths) == 31
    limited = analyze(_many_decision_makers(30), max_path_targets=25)
    assert all(unlimited.paths[t] == p for t, p in limited.paths.items())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals(min_people=2, max_people=15))
def test_numpy_flows_are_the_one_by_one_flows(deal: Deal) -> None:
    """Big deals add PageRank's flows with numpy: the same pairs, order and floats."""
    import numpy as np

    from influence.analysis import network

    ids = sorted(p.id for p in deal.people if p.side.value == "customer")
    pos = {pid: i for i, pid in enumerate(ids)}
    saved = network._NUMPY_FLOWS_FROM
    try:
        network._NUMPY_FLOWS_FROM = 0
        fast = network._flows(deal, pos)
        network._NUMPY_FLOWS_FROM = 10**9
        slow = network._flows(deal, pos)
    finally:
        network._NUMPY_FLOWS_FROM = saved
    for a, b in zip(fast, slow, strict=True):
        assert a.tolist() == b.tolist()
        assert a.dtype.kind == b.dtype.kind
    assert np.array_equal(fast[2], slow[2])


def test_checked_rows_are_the_rows_model_construct_makes() -> None:
    from influence.analysis.models import InfluenceScore, PersonRow, checked

    values = {
        "id": "chen",
        "name": "Chen Jun",
        "title": None,
        "side": "customer",
        "roles": ["decision_maker"],
        "influence": 0.9,
        "network_influence": 0.25,
        "stance": "ally",
        "coverage": "uncovered",
        "decision_maker": True,
    }
    fast, slow = checked(PersonRow, **values), PersonRow.model_construct(**values)
    assert fast == slow and fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set and repr(fast) == repr(slow)
    with pytest.raises(ValueError):  # frozen, as any result
        fast.name = "x"  # type: ignore[misc]
    # A call that does not name every field, in order, is model_construct's.
    partial = checked(InfluenceScore, rank=2, id="li", score=0.5)
    assert partial == InfluenceScore.model_construct(id="li", score=0.5, rank=2)
