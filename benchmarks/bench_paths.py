"""Benchmark: introduction paths in a 100,000-person deal, against networkx.

Target (the paths issue): ``introduction_paths`` takes at most 3x the time of
networkx's own ``nx.shortest_simple_paths`` for the same questions: the same
weighted graph (weight ``-log(strength)``), from a virtual source tied to every
seller with weight 0, taking the first k paths within the hop limit. networkx
gets its graph prebuilt; we are timed both with our one-time build (the first
question about a deal builds its ``PathIndex``) and with the cache warm.

The networkx graph is directed so that it asks exactly our question: only the
first person of a path is a seller, and no blocker is an intermediary
(``avoid_blockers``); the script checks that both find the same best path.

The default deal comes from ``benchmarks/generate.py`` (8% sellers, 10 ties a
person, an org chart). ``--graph uniform`` draws a plain random graph with 1%
sellers and strengths uniform in 0.05..1 instead; there the warmest paths are
often longer than the hop limit, and networkx, which lists paths warmest first
whatever their length, can take minutes per target.

Run: ``python benchmarks/bench_paths.py [--people 100000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx

from benchmarks._common import side_by_side, verdict
from influence import Deal
from influence import graph as graph_module
from influence.analysis import paths as paths_module
from influence.analysis.paths import introduction_paths
from influence.graph import to_networkx

SUPER = ("__sellers__",)  # not a str, so it cannot collide with a person id


def uniform_deal(n: int, seed: int, ties_per_person: float) -> dict[str, Any]:
    """A plain random graph: ~1% sellers, 4% partners, ``ties_per_person`` ties each on average."""
    rng = random.Random(seed)
    people = []
    for i in range(n):
        r = rng.random()
        side = "seller" if r < 0.01 else "partner" if r < 0.05 else "customer"
        stance = "unknown"
        if side == "customer":
            stance = rng.choices(["ally", "neutral", "blocker", "unknown"], [25, 35, 10, 30])[0]
        people.append({"id": f"p{i}", "name": f"Person {i}", "side": side, "stance": stance})
    kinds = ["knows", "influences", "reports_to", "conflicts_with"]
    ties = []
    for _ in range(int(n * ties_per_person / 2)):
        a, b = rng.sample(range(n), 2)
        kind = rng.choices(kinds, [60, 20, 10, 10])[0]
        if kind == "reports_to" and b > a:
            a, b = b, a  # managers come first: no reports_to cycles
        strength = round(rng.uniform(0.05, 1.0), 4)
        ties.append({"from": f"p{a}", "to": f"p{b}", "kind": kind, "strength": strength})
    return {"version": 1, "deal": {"name": "bench paths"}, "people": people, "relationships": ties}


def make_deal(args: argparse.Namespace) -> Deal:
    if args.graph == "generated":
        from benchmarks.generate import generate_deal

        data = generate_deal(args.people, seed=args.seed, ties_per_person=args.ties)
    else:
        data = uniform_deal(args.people, args.seed, args.ties)
    return Deal.model_validate(data)


def networkx_graph(deal: Deal) -> nx.DiGraph:
    """Our question as a plain weighted digraph (built from to_networkx, the graph module)."""
    g = to_networkx(deal)
    side = {p.id: p.side.value for p in deal.people}
    blocker = {p.id for p in deal.people if p.stance.value == "blocker"}
    best: dict[frozenset[str], float] = {}
    for a, b, data in g.edges(data=True):
        if data["kind"] != "conflicts_with" and data["strength"] > 0:
            pair = frozenset((a, b))
            best[pair] = max(best.get(pair, 0.0), data["strength"])
    out = nx.DiGraph()
    for pair, strength in best.items():
        a, b = tuple(pair)
        weight = -math.log(strength)
        for u, v in ((a, b), (b, a)):
            # Sellers only start paths; blockers are never passed through.
            if side[v] != "seller" and (side[u] == "seller" or u not in blocker):
                out.add_edge(u, v, weight=weight)
    for pid, s in side.items():
        if s == "seller":
            out.add_edge(SUPER, pid, weight=0.0)
    return out


def networkx_paths(g: nx.DiGraph, target: str, k: int, max_hops: int) -> list[list[str]]:
    found: list[list[str]] = []
    if target not in g:
        return found
    try:
        for path in nx.shortest_simple_paths(g, SUPER, target, weight="weight"):
            if len(path) - 2 <= max_hops:
                found.append(path[1:])
                if len(found) == k:
                    break
    except nx.NetworkXNoPath:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--targets", type=int, default=5)
    parser.add_argument("--ties", type=float, default=10.0, help="ties per person")
    parser.add_argument("-k", type=int, default=3)
    parser.add_argument("--max-hops", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--graph",
        choices=["uniform", "generated"],
        default="generated",
        help="generated: benchmarks/generate.py (default); uniform: random graph, 1%% sellers",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    deal = make_deal(args)
    print(
        f"{args.graph} deal: {len(deal.people):,} people, {len(deal.relationships):,} ties, "
        f"{sum(1 for _ in deal.sellers()):,} sellers (built in {time.perf_counter() - start:.1f} s)"
    )
    start = time.perf_counter()
    g = networkx_graph(deal)
    print(
        f"networkx graph: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} arcs "
        f"(built in {time.perf_counter() - start:.1f} s, not timed below)"
    )
    rng = random.Random(args.seed)
    customers = [p.id for p in deal.customers()]
    targets = rng.sample(customers, args.targets)

    def ours() -> list[list[list[str]]]:
        return [
            [p.people for p in introduction_paths(deal, t, k=args.k, max_hops=args.max_hops)]
            for t in targets
        ]

    def ours_cold() -> list[list[list[str]]]:
        graph_module._cache.clear()  # the first question builds the deal's graph and index again
        return ours()

    def theirs() -> list[list[list[str]]]:
        return [networkx_paths(g, t, args.k, args.max_hops) for t in targets]

    # Same answers first (this warm-up also keeps one-time imports out of the timings).
    ours_cold()
    print("target                          networkx     ours  paths  best path")
    for t in targets:
        start = time.perf_counter()
        b = networkx_paths(g, t, args.k, args.max_hops)
        middle = time.perf_counter()
        a = [p.people for p in introduction_paths(deal, t, k=args.k, max_hops=args.max_hops)]
        end = time.perf_counter()
        status = (
            "all as networkx" if a == b else "best as networkx" if a[:1] == b[:1] else "DIFFERENT"
        )
        print(
            f"  {t:28} {(middle - start) * 1000:8.1f} ms {(end - middle) * 1000:6.1f} ms "
            f"{len(a):4}   {len(a[0]) - 1 if a else '-'} hops, {status}"
        )
        if a[:1] != b[:1]:
            raise SystemExit(f"networkx found {b[:1]} for {t}, we found {a[:1]}")

    start = time.perf_counter()
    paths_module.PathIndex(deal)
    build = time.perf_counter() - start
    fns: dict[str, Callable[[], object]] = {
        "networkx": theirs,
        "ours, with build": ours_cold,
        "ours, warm cache": ours,
    }
    times = side_by_side(fns, args.repeat)
    per_target = {name: t / len(targets) for name, t in times.items()}
    print(
        f"\nmedian of {args.repeat} runs, {len(targets)} targets each "
        f"(k={args.k}, max_hops={args.max_hops}); PathIndex build alone {build:.2f} s"
    )
    for name, t in times.items():
        print(
            f"  {name:18} {t * 1000:10.1f} ms per run  {per_target[name] * 1000:9.1f} ms per target"
        )
    warm = times["ours, warm cache"] / times["networkx"]
    cold = times["ours, with build"] / times["networkx"]
    print(f"ratio ours/networkx, warm cache: {warm:.4f}x  target <= 3x {verdict(warm, 3.0)}")
    print(f"ratio ours/networkx, with build: {cold:.4f}x  target <= 3x {verdict(cold, 3.0)}")


if __name__ == "__main__":
    main()
