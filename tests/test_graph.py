"""The deal graph reads big deals' ties as numpy columns: the same answers as one by one.

From :data:`influence.graph.COLUMNS_FROM` ties, our ties, each person's ties, the
sway of ``influences``/``reports_to`` and the path index are computed from
:meth:`DealGraph.columns`; below, tie by tie. These tests run both ways on the
same deals (the examples, random deals, a generated 3,000-person deal) and
compare everything they answer.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import influence.graph as graph_module
from influence import Deal, analyze, read_deal
from influence._json import model_json
from influence.analysis.risk import _sway
from influence.graph import KIND_CODES, DealGraph
from influence.model import DealInfo, Person, Relationship, Side
from tests.conftest import EXAMPLES, ROOT
from tests.strategies import deal_data


@contextmanager
def columns_from(count: int) -> Iterator[None]:
    saved = graph_module.COLUMNS_FROM
    graph_module.COLUMNS_FROM = count
    try:
        yield
    finally:
        graph_module.COLUMNS_FROM = saved


def answers(deal: Deal) -> dict[str, object]:
    """Everything the graph says about a deal, from a fresh graph (no shared cache)."""
    g = DealGraph(deal)
    customers = [p.id for p in deal.people if p.side is Side.CUSTOMER]
    return {
        "ties": g.ties,
        "each": [g.tie(i) for i in range(g.tie_count())],
        "ours": {c: g.our_ties(c) for c in customers},
        "covering": {c: g.covering_ties(c) for c in customers},
        "coverage": g.coverage(),
        "last": {c: g.last_contact(c) for c in customers},
        "of": {p.id: g.ties_of(p.id) for p in deal.people},
        "isolated": g.isolated(),
        "sway": {p.id: _sway(g)(p.id) for p in deal.people},
    }


def both_ways(deal: Deal) -> tuple[dict[str, object], dict[str, object]]:
    with columns_from(0):
        fast = answers(deal)
    with columns_from(10**9):
        slow = answers(deal)
    return fast, slow


def big_deal() -> Deal:
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate_deal

    return Deal.model_validate(generate_deal(3_000, seed=5))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_answer_the_same_both_ways(example: Path) -> None:
    fast, slow = both_ways(read_deal(example))
    assert fast == slow


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deal_data(max_people=14))
def test_random_deals_answer_the_same_both_ways(data: dict[str, object]) -> None:
    fast, slow = both_ways(Deal.model_validate(data))
    assert fast == slow


def test_a_big_deal_answers_the_same_both_ways() -> None:
    deal = big_deal()
    assert DealGraph(deal).many_ties()  # the columns are the default here
    fast, slow = both_ways(deal)
    assert fast == slow
    assert any(fast["sway"].values()) and any(fast["ours"].values())  # something to compare


def test_the_report_is_the_same_both_ways() -> None:
    deal = big_deal()
    with columns_from(0):
        fast = model_json(analyze(deal.model_copy()))
    with columns_from(10**9):
        slow = model_json(analyze(deal.model_copy()))
    assert fast == slow


def test_columns_are_the_ties() -> None:
    deal = read_deal(ROOT / "examples" / "enterprise-committee.yaml")
    g = DealGraph(deal)
    cols = g.columns()
    ids = [p.id for p in deal.people]
    assert [ids[i] for i in cols.a.tolist()] == [t.from_ for t in g.ties]
    assert [ids[i] for i in cols.b.tolist()] == [t.to for t in g.ties]
    assert cols.kind.tolist() == [KIND_CODES[t.kind] for t in g.ties]
    assert cols.strength.tolist() == [t.strength for t in g.ties]
    assert any(not t.declared for t in g.ties)  # the shorthands are columns too


def test_an_unknown_end_is_minus_one() -> None:
    # Only a deal built without validation can hold one.
    deal = Deal.model_construct(
        deal=DealInfo(name="x"),
        people=[Person(name="A", id="a")],
        relationships=[Relationship(**{"from": "a", "to": "ghost"})],
    )
    cols = DealGraph(deal).columns()
    assert (cols.a.tolist(), cols.b.tolist()) == ([0], [-1])


def test_the_cached_graph_of_a_big_deal_reuses_what_validation_found() -> None:
    import numpy as np

    from influence.graph import deal_graph
    from influence.model import tie_numbers

    deal = big_deal()
    found = tie_numbers(deal)
    assert found is not None  # validation kept where each tie's ends stand
    cached, fresh = deal_graph(deal).columns(), DealGraph(deal).columns()
    for x, y in zip(cached, fresh, strict=True):
        assert np.array_equal(x, y) and x.dtype == y.dtype
    # A cache, not data: deals read alike are equal, and a copy with other ties does not
    # use the numbers of the first.
    assert deal == big_deal()
    other = deal.model_copy(update={"relationships": deal.relationships[:-1]})
    assert tie_numbers(other) is None
    deal.relationships.append(deal.relationships[0].model_copy(update={"kind": "influences"}))
    assert tie_numbers(deal) is None  # the list changed length: not trusted any more
