"""Introduction paths: hand-checked tiny deals, then invariants and brute force on random deals."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influence.analysis.paths import (
    IntroductionPath,
    PathIndex,
    introduction_paths,
    introduction_paths_to,
    path_index,
    paths_message,
)
from influence.errors import UnknownPersonError
from influence.graph import to_networkx
from influence.model import Deal, Kind
from tests.strategies import deals

USABLE = ("knows", "influences", "reports_to")


def person(
    pid: str, side: str = "customer", stance: str = "unknown", **extra: Any
) -> dict[str, Any]:
    return {"id": pid, "name": pid.upper(), "side": side, "stance": stance, **extra}


def tie(a: str, b: str, strength: float, kind: str = "knows", **extra: Any) -> dict[str, Any]:
    return {"from": a, "to": b, "kind": kind, "strength": strength, **extra}


def make(people: list[dict[str, Any]], ties: list[dict[str, Any]]) -> Deal:
    return Deal.model_validate({"deal": {"name": "t"}, "people": people, "relationships": ties})


def seller(pid: str = "s", **extra: Any) -> dict[str, Any]:
    return person(pid, side="seller", **extra)


def people_of(paths: list[IntroductionPath]) -> list[list[str]]:
    return [p.people for p in paths]


# -- hand-checked ------------------------------------------------------------------


def test_warmest_beats_shorter() -> None:
    deal = make(
        [seller(), person("a"), person("b"), person("t")],
        [tie("s", "t", 0.5), tie("s", "a", 0.9), tie("a", "b", 0.9), tie("b", "t", 0.9)],
    )
    paths = introduction_paths(deal, "t")
    assert people_of(paths) == [["s", "a", "b", "t"], ["s", "t"]]
    assert paths[0].warmth == pytest.approx(0.729)
    assert paths[0].hops == 3
    assert [h.strength for h in paths[0].steps] == [0.9, 0.9, 0.9]


def test_equal_warmth_fewer_hops_first() -> None:
    deal = make(
        [seller(), person("a"), person("t")],
        [tie("s", "a", 1.0), tie("a", "t", 0.5), tie("s", "t", 0.5)],
    )
    paths = introduction_paths(deal, "t")
    assert people_of(paths) == [["s", "t"], ["s", "a", "t"]]
    assert [p.warmth for p in paths] == [0.5, 0.5]


def test_equal_warmth_and_hops_ids_decide() -> None:
    deal = make(
        [seller(), person("b"), person("a"), person("t")],
        [tie("s", "b", 0.8), tie("b", "t", 0.5), tie("s", "a", 0.5), tie("a", "t", 0.8)],
    )
    assert people_of(introduction_paths(deal, "t")) == [["s", "a", "t"], ["s", "b", "t"]]


def test_same_strengths_in_another_order_tie_exactly() -> None:
    # 0.3 * 0.2 * 0.1 == 0.006 but 0.1 * 0.2 * 0.3 == 0.006000000000000001 in floats:
    # the warmths are rounded, so the ids decide, not the last bit.
    deal = make(
        [seller(), person("a1"), person("a2"), person("c1"), person("c2"), person("t")],
        [
            tie("s", "a1", 0.3),
            tie("a1", "a2", 0.2),
            tie("a2", "t", 0.1),
            tie("s", "c1", 0.1),
            tie("c1", "c2", 0.2),
            tie("c2", "t", 0.3),
        ],
    )
    paths = introduction_paths(deal, "t")
    assert people_of(paths) == [["s", "a1", "a2", "t"], ["s", "c1", "c2", "t"]]
    assert paths[0].warmth == paths[1].warmth == 0.006


def test_warmest_of_parallel_ties_is_used() -> None:
    deal = make(
        [seller(), person("t")],
        [
            tie("s", "t", 0.3),
            tie("t", "s", 0.8, kind="influences", context="golf"),
            tie("t", "s", 0.6, kind="reports_to"),
        ],
    )
    (path,) = introduction_paths(deal, "t")
    (hop,) = path.steps
    assert (hop.kind, hop.strength, hop.forward, hop.context) == ("influences", 0.8, False, "golf")
    assert path.warmth == 0.8


def test_equally_warm_parallel_ties_prefer_the_written_direction() -> None:
    deal = make(
        [seller(), person("t")],
        [tie("t", "s", 0.7, kind="influences"), tie("s", "t", 0.7, kind="influences")],
    )
    (hop,) = introduction_paths(deal, "t")[0].steps
    assert (hop.from_, hop.to, hop.kind, hop.forward) == ("s", "t", "influences", True)


def test_conflicts_with_is_never_used() -> None:
    deal = make(
        [seller(), person("a"), person("t")],
        [tie("s", "t", 0.9, kind="conflicts_with"), tie("s", "a", 0.9), tie("a", "t", 0.2)],
    )
    assert people_of(introduction_paths(deal, "t")) == [["s", "a", "t"]]


def test_strength_zero_ties_are_unusable() -> None:
    deal = make([seller(), person("t")], [tie("s", "t", 0.0)])
    assert introduction_paths(deal, "t") == []


def test_ties_are_used_backwards_with_the_direction_recorded() -> None:
    deal = make(
        [seller(), person("a"), person("t")],
        [
            tie("a", "s", 0.7, kind="influences", last_contact="2026-11-02"),
            tie("t", "a", 0.6, kind="reports_to"),
        ],
    )
    (path,) = introduction_paths(deal, "t")
    assert path.people == ["s", "a", "t"]
    first, second = path.steps
    assert (first.from_, first.to, first.kind, first.forward) == ("s", "a", "influences", False)
    assert str(first.last_contact) == "2026-11-02"
    assert (second.kind, second.forward) == ("reports_to", False)


@pytest.mark.parametrize(("a", "b"), [("s", "t"), ("t", "s")])
def test_knows_holds_both_ways(a: str, b: str) -> None:
    deal = make([seller(), person("t")], [tie(a, b, 0.5, context="classmate")])
    (hop,) = introduction_paths(deal, "t")[0].steps
    assert (hop.from_, hop.to, hop.kind, hop.forward, hop.context) == (
        "s",
        "t",
        "knows",
        True,
        "classmate",
    )


def test_reports_to_shorthand_counts_as_a_tie_of_strength_0_6() -> None:
    deal = make([seller(), person("t", reports_to="s")], [])
    (path,) = introduction_paths(deal, "t")
    (hop,) = path.steps
    assert (hop.kind, hop.strength, hop.forward, hop.from_) == ("reports_to", 0.6, False, "s")


def test_a_declared_reports_to_replaces_the_shorthand() -> None:
    # As in to_networkx: the declared tie's strength counts, even when weaker.
    deal = make([seller(), person("t", reports_to="s")], [tie("t", "s", 0.2, kind="reports_to")])
    assert [p.warmth for p in introduction_paths(deal, "t")] == [0.2]
    g = to_networkx(deal)
    assert g.edges["t", "s", "reports_to"]["strength"] == 0.2


@pytest.mark.parametrize("stance", ["blocker"])
def test_blocker_is_avoided(stance: str) -> None:
    deal = make(
        [seller(), person("b", stance=stance), person("a"), person("t")],
        [tie("s", "b", 0.9), tie("b", "t", 0.9), tie("s", "a", 0.5), tie("a", "t", 0.5)],
    )
    paths = introduction_paths(deal, "t")
    assert people_of(paths) == [["s", "a", "t"]]
    assert not paths[0].through_blocker
    assert paths_message(paths, "t", 4) is None


def test_falls_back_to_paths_through_a_blocker_labelled() -> None:
    deal = make(
        [seller(), person("b", stance="blocker"), person("c", stance="blocker"), person("t")],
        [tie("s", "b", 0.9), tie("b", "t", 0.9), tie("s", "c", 0.5), tie("c", "t", 0.5)],
    )
    paths = introduction_paths(deal, "t")
    assert people_of(paths) == [["s", "b", "t"], ["s", "c", "t"]]
    assert all(p.through_blocker for p in paths)
    assert [p.blockers for p in paths] == [["b"], ["c"]]
    assert paths_message(paths, "t", 4) == (
        "no blocker-free path to t within 4 hops; showing the best paths through a blocker"
    )


def test_blocker_ends_are_not_intermediaries() -> None:
    # A blocker seller may start a path and a blocker target may end one.
    deal = make(
        [seller(stance="blocker"), person("t", stance="blocker")],
        [tie("s", "t", 0.4)],
    )
    (path,) = introduction_paths(deal, "t")
    assert not path.through_blocker
    assert path.blockers == []


def test_without_avoiding_blockers_paths_are_labelled_truthfully() -> None:
    deal = make(
        [seller(), person("b", stance="blocker"), person("a"), person("t")],
        [tie("s", "b", 0.9), tie("b", "t", 0.9), tie("s", "a", 0.5), tie("a", "t", 0.5)],
    )
    paths = introduction_paths(deal, "t", avoid_blockers=False)
    assert [(p.people, p.through_blocker, p.blockers) for p in paths] == [
        (["s", "b", "t"], True, ["b"]),
        (["s", "a", "t"], False, []),
    ]
    assert paths_message(paths, "t", 4, avoid_blockers=False) is None


@pytest.mark.parametrize(
    "ties",
    [
        [],  # nobody knows anybody
        [tie("s", "a", 0.9), tie("t", "b", 0.9)],  # two islands
        [tie("s", "a", 0.9), tie("a", "t", 0.9, kind="conflicts_with")],
    ],
)
def test_no_path_is_an_empty_list(ties: list[dict[str, Any]]) -> None:
    deal = make([seller(), person("a"), person("b"), person("t")], ties)
    assert introduction_paths(deal, "t") == []
    assert paths_message([], "t", 4) == "no path to t within 4 hops"
    assert paths_message([], "t", 1) == "no path to t within 1 hop"


def test_disconnected_graph_uses_only_the_targets_component() -> None:
    deal = make(
        [seller("s1"), seller("s2"), person("a"), person("b"), person("t")],
        [tie("s1", "a", 0.99), tie("a", "b", 0.99), tie("s2", "t", 0.2)],
    )
    assert people_of(introduction_paths(deal, "t")) == [["s2", "t"]]


@pytest.mark.parametrize(("max_hops", "expected"), [(1, []), (2, []), (3, [["s", "a", "b", "t"]])])
def test_max_hops_is_respected(max_hops: int, expected: list[list[str]]) -> None:
    deal = make(
        [seller(), person("a"), person("b"), person("t")],
        [tie("s", "a", 0.9), tie("a", "b", 0.9), tie("b", "t", 0.9)],
    )
    assert people_of(introduction_paths(deal, "t", max_hops=max_hops)) == expected


def test_max_hops_picks_the_best_short_path_over_a_warmer_long_one() -> None:
    deal = make(
        [seller(), person("a"), person("b"), person("t")],
        [tie("s", "a", 0.9), tie("a", "b", 0.9), tie("b", "t", 0.9), tie("s", "t", 0.1)],
    )
    assert people_of(introduction_paths(deal, "t", max_hops=2)) == [["s", "t"]]


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10])
def test_k_is_respected(k: int) -> None:
    middle = [f"m{i}" for i in range(6)]
    deal = make(
        [seller(), *(person(m) for m in middle), person("t")],
        [t for i, m in enumerate(middle) for t in (tie("s", m, 0.9 - i / 10), tie(m, "t", 0.9))],
    )
    paths = introduction_paths(deal, "t", k=k)
    assert people_of(paths) == [["s", m, "t"] for m in middle[:k]]


def test_a_second_seller_is_never_an_intermediary() -> None:
    deal = make(
        [seller("s1"), seller("s2"), person("t")],
        [tie("s1", "s2", 1.0), tie("s2", "t", 0.5)],
    )
    assert people_of(introduction_paths(deal, "t")) == [["s2", "t"]]


def test_target_on_our_side_gets_no_paths() -> None:
    deal = make([seller("s1"), seller("s2")], [tie("s1", "s2", 0.9)])
    assert introduction_paths(deal, "s2") == []


def test_sources_replace_our_team_as_starts() -> None:
    deal = make(
        [seller(), person("p", side="partner"), person("q", side="partner"), person("t")],
        [tie("s", "t", 0.9), tie("p", "s", 0.8), tie("s", "q", 0.9), tie("q", "t", 0.5)],
    )
    paths = introduction_paths(deal, "t", sources=["p"])
    # The seller may carry the introduction when we start from someone else.
    assert people_of(paths) == [["p", "s", "t"], ["p", "s", "q", "t"]]
    # A path never passes one of the sources: it would start there instead.
    assert people_of(introduction_paths(deal, "t", sources=["p", "s"])) == [
        ["s", "t"],
        ["s", "q", "t"],
    ]
    assert introduction_paths(deal, "t", sources="p") == paths
    assert introduction_paths(deal, "t", sources=[]) == []
    assert introduction_paths(deal, "t", sources=["t"]) == []


@pytest.mark.parametrize(
    ("target", "sources", "bad", "suggestion"),
    [
        ("chen-cfo", None, "chen-cfo", "chen-ceo"),
        ("chen-ceo", ["li-wie"], "li-wie", "li-wei"),
    ],
)
def test_unknown_people_raise_with_a_suggestion(
    target: str, sources: list[str] | None, bad: str, suggestion: str
) -> None:
    deal = make([seller("li-wei"), person("chen-ceo")], [tie("li-wei", "chen-ceo", 0.5)])
    with pytest.raises(UnknownPersonError) as info:
        introduction_paths(deal, target, sources=sources)
    assert info.value.person_id == bad
    assert f"did you mean {suggestion!r}" in str(info.value)


@pytest.mark.parametrize("option", [{"k": 0}, {"max_hops": 0}])
def test_bad_options_raise(option: dict[str, int]) -> None:
    deal = make([seller(), person("t")], [tie("s", "t", 0.5)])
    with pytest.raises(ValueError, match="at least 1"):
        introduction_paths(deal, "t", **option)


@pytest.mark.parametrize("seed", range(5))
def test_deterministic_under_shuffled_input(seed: int) -> None:
    rng = random.Random(seed)
    people = [seller("s1"), seller("s2"), *(person(f"c{i}") for i in range(8))]
    people[3]["stance"] = "blocker"
    ids = [p["id"] for p in people]
    ties = []
    for _ in range(25):
        a, b = rng.sample(ids, 2)
        kind = rng.choice(USABLE)
        if kind == "reports_to" and ids.index(b) > ids.index(a):
            a, b = b, a
        ties.append(tie(a, b, rng.choice([0.3, 0.5, 0.6, 0.9]), kind=kind))

    def answer(order: random.Random | None) -> list[dict[str, Any]]:
        ps, ts = list(people), list(ties)
        if order:
            order.shuffle(ps)
            order.shuffle(ts)
        deal = make(ps, ts)
        return [
            p.model_dump(mode="json")
            for target in sorted(ids)
            for p in introduction_paths(deal, target, k=4, avoid_blockers=target != "c5")
        ]

    expected = answer(None)
    assert expected
    for n in range(5):
        assert answer(random.Random(n)) == expected


def test_index_is_cached_and_accepted_in_place_of_the_deal() -> None:
    deal = make([seller(), person("t")], [tie("s", "t", 0.5)])
    index = path_index(deal)
    assert path_index(deal) is index
    assert introduction_paths(index, "t") == introduction_paths(deal, "t")
    # Adding a tie is noticed; a fresh PathIndex always reads the deal.
    deal.relationships.append(deal.relationships[0].model_copy(update={"kind": Kind.INFLUENCES}))
    assert path_index(deal) is not index
    assert introduction_paths(deal, "t")[0].steps[0].kind == "knows"
    assert len(PathIndex(deal)) == 2
    assert "PathIndex" in repr(index)


# -- random deals ------------------------------------------------------------------

STRENGTHS = st.one_of(
    st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.9, 1.0]),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False).map(lambda x: round(x, 3)),
)


@st.composite
def random_deals(draw: st.DrawFn) -> Deal:
    """A random valid deal of 2-15 people with ties of every kind (no reports_to cycles)."""
    n = draw(st.integers(min_value=2, max_value=15))
    ids = [f"p{i}" for i in range(n)]
    people = []
    for i, pid in enumerate(ids):
        extra: dict[str, Any] = {}
        # Managers come earlier in the list: no reports_to cycles by construction.
        if i and draw(st.integers(0, 3)) == 0:
            extra["reports_to"] = ids[draw(st.integers(0, i - 1))]
        people.append(
            person(
                pid,
                side=draw(
                    st.sampled_from(["customer", "customer", "customer", "seller", "partner"])
                ),
                stance=draw(st.sampled_from(["ally", "neutral", "blocker", "unknown"])),
                **extra,
            )
        )
    ties = []
    for _ in range(draw(st.integers(0, 3 * n))):
        a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        kind = draw(st.sampled_from(["knows", "influences", "reports_to", "conflicts_with"]))
        if kind == "reports_to" and ids.index(b) > ids.index(a):
            a, b = b, a
        ties.append(tie(a, b, draw(STRENGTHS), kind=kind))
    order = draw(st.randoms(use_true_random=False))
    order.shuffle(people)
    return make(people, ties)


@st.composite
def questions(draw: st.DrawFn) -> tuple[Deal, str, dict[str, Any]]:
    deal = draw(random_deals())
    ids = [p.id for p in deal.people]
    target = draw(st.sampled_from(ids))
    options: dict[str, Any] = {
        "k": draw(st.integers(1, 5)),
        "max_hops": draw(st.integers(1, 6)),
        "avoid_blockers": draw(st.booleans()),
    }
    if draw(st.integers(0, 3)) == 0:
        options["sources"] = draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))
    return deal, target, options


def usable_strengths(deal: Deal) -> dict[frozenset[str], float]:
    """The warmest usable tie of every pair, read from the networkx view."""
    best: dict[frozenset[str], float] = {}
    for a, b, data in to_networkx(deal).edges(data=True):
        if data["kind"] in USABLE and data["strength"] > 0:
            pair = frozenset((a, b))
            best[pair] = max(best.get(pair, 0.0), data["strength"])
    return best


def starts_of(deal: Deal, target: str, sources: list[str] | None) -> set[str]:
    if sources is None:
        return {p.id for p in deal.sellers()} - {target}
    return set(sources) - {target}


def brute_force(deal: Deal, target: str, options: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every qualifying simple path, ranked, by enumeration."""
    by_id = deal.people_by_id()
    if by_id[target].side.value == "seller":
        return []
    best = usable_strengths(deal)
    g = nx.Graph()
    g.add_nodes_from(by_id)
    g.add_edges_from(tuple(pair) for pair in best)
    starts = starts_of(deal, target, options.get("sources"))
    blockers = {p.id for p in deal.people if p.stance.value == "blocker"}

    def ranked(avoid: bool) -> list[tuple[Any, ...]]:
        out = []
        for s in sorted(starts):
            for path in nx.all_simple_paths(g, s, target, cutoff=options["max_hops"]):
                inner = set(path[1:-1])
                if inner & starts or (avoid and inner & blockers):
                    continue
                warmth = 1.0
                for a, b in itertools.pairwise(path):
                    warmth *= best[frozenset((a, b))]
                out.append((-float(f"{warmth:.12g}"), len(path) - 1, path))
        return sorted(out)

    found = ranked(options["avoid_blockers"])
    if not found and options["avoid_blockers"]:
        found = ranked(False)
    return found


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(questions())
def test_paths_are_valid(question: tuple[Deal, str, dict[str, Any]]) -> None:
    deal, target, options = question
    paths = introduction_paths(deal, target, **options)
    by_id = deal.people_by_id()
    starts = starts_of(deal, target, options.get("sources"))
    best = usable_strengths(deal)
    ties = {(r.from_, r.to, r.kind.value): r for r in deal.relationships}
    for p in deal.people:
        if p.reports_to and (p.id, p.reports_to, "reports_to") not in ties:
            ties[p.id, p.reports_to, "reports_to"] = None  # the shorthand
    assert len(paths) <= options["k"]
    for path in paths:
        assert path.people[0] in starts
        assert path.people[-1] == target
        assert len(set(path.people)) == len(path.people)
        assert path.hops == len(path.people) - 1 == len(path.steps) <= options["max_hops"]
        assert not set(path.people[1:-1]) & starts
        warmth = 1.0
        for step, a, b in zip(path.steps, path.people, path.people[1:], strict=False):
            assert (step.from_, step.to) == (a, b)
            assert step.kind in USABLE
            if step.kind == "knows":
                assert step.forward
                rel = ties.get((a, b, "knows")) or ties[b, a, "knows"]
            else:
                rel = ties[(*((a, b) if step.forward else (b, a)), step.kind)]
            assert step.strength == (0.6 if rel is None else rel.strength)
            assert step.strength == best[frozenset((a, b))] > 0
            warmth *= step.strength
        assert math.isclose(path.warmth, warmth, rel_tol=1e-9)
        inner_blockers = [pid for pid in path.people[1:-1] if by_id[pid].stance.value == "blocker"]
        assert path.blockers == inner_blockers
        assert path.through_blocker == bool(inner_blockers)
    keys = [(-p.warmth, p.hops, p.people) for p in paths]
    assert keys == sorted(keys)
    if options["avoid_blockers"] and any(not p.through_blocker for p in paths):
        assert not any(p.through_blocker for p in paths)
    message = paths_message(paths, target, options["max_hops"], avoid_blockers=True)
    assert (message is None) == (bool(paths) and not all(p.through_blocker for p in paths))


@PROPERTY
@given(questions())
def test_paths_are_exactly_the_brute_force_top_k(
    question: tuple[Deal, str, dict[str, Any]],
) -> None:
    deal, target, options = question
    paths = introduction_paths(deal, target, **options)
    expected = brute_force(deal, target, options)[: options["k"]]
    assert [p.people for p in paths] == [path for *_, path in expected]
    assert [p.warmth for p in paths] == [-w for w, *_ in expected]


@settings(max_examples=50, deadline=None)
@given(questions(), st.randoms(use_true_random=False))
def test_answer_does_not_depend_on_input_order(
    question: tuple[Deal, str, dict[str, Any]], order: random.Random
) -> None:
    deal, target, options = question
    data = deal.model_dump(by_alias=True)
    order.shuffle(data["people"])
    order.shuffle(data["relationships"])
    shuffled = Deal.model_validate(data)
    assert introduction_paths(shuffled, target, **options) == introduction_paths(
        deal, target, **options
    )


# -- many targets at once ----------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    deals(max_people=12),
    st.integers(1, 5),
    st.integers(1, 4),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_many_targets_give_each_targets_own_paths(
    deal: Deal, max_hops: int, k: int, avoid: bool, order: random.Random
) -> None:
    """One pass for every target: the same paths as asking about each target alone."""
    targets = [p.id for p in deal.people]
    order.shuffle(targets)
    options: dict[str, Any] = {"k": k, "max_hops": max_hops, "avoid_blockers": avoid}
    many = introduction_paths_to(deal, targets, **options)
    assert many.summary is None
    assert list(many.paths) == targets
    for target in targets:
        assert many.paths[target] == introduction_paths(deal, target, **options)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals(min_people=2, max_people=12), st.integers(1, 5), st.booleans(), st.data())
def test_targets_beyond_the_limit_are_summarised_by_their_best_warmth(
    deal: Deal, max_hops: int, avoid: bool, data: st.DataObject
) -> None:
    targets = [p.id for p in deal.people]
    limit = data.draw(st.integers(0, len(targets) - 1))
    options: dict[str, Any] = {"k": 2, "max_hops": max_hops, "avoid_blockers": avoid}
    many = introduction_paths_to(deal, targets, limit=limit, **options)
    assert list(many.paths) == targets[:limit]
    summary = many.summary
    assert summary is not None
    assert (summary.targets, summary.shown) == (len(targets), limit)
    assert list(summary.warmth) == targets[limit:]
    for target, warmth in summary.warmth.items():
        best = introduction_paths(deal, target, k=1, max_hops=max_hops, avoid_blockers=avoid)
        assert warmth == (best[0].warmth if best else None)
    assert summary.reachable == sum(w is not None for w in summary.warmth.values())


def test_many_targets_prune_the_unreachable_and_keep_the_blocker_fallback() -> None:
    deal = make(
        [seller(), person("a"), person("bo", stance="blocker"), person("t"), person("far")],
        [tie("s", "bo", 0.9), tie("bo", "t", 0.9), tie("s", "a", 0.5)],
    )
    many = introduction_paths_to(deal, ["t", "far", "a", "s"], max_hops=3)
    assert people_of(many.paths["t"]) == [["s", "bo", "t"]]
    assert many.paths["t"][0].through_blocker
    assert many.paths["far"] == [] and many.paths["s"] == []
    assert people_of(many.paths["a"]) == [["s", "a"]]
    summary = introduction_paths_to(deal, ["a", "t", "far"], limit=1).summary
    assert summary is not None
    assert summary.warmth == {"t": 0.81, "far": None}
    assert summary.message("targets") == "paths shown for the 1 most influential of 3 targets"


def test_many_targets_check_their_options() -> None:
    deal = make([seller(), person("t")], [tie("s", "t", 0.5)])
    with pytest.raises(UnknownPersonError):
        introduction_paths_to(deal, ["t", "nobody"])
    with pytest.raises(ValueError, match="limit"):
        introduction_paths_to(deal, ["t"], limit=-1)
    with pytest.raises(ValueError, match="max_hops"):
        introduction_paths_to(deal, ["t"], max_hops=0)
