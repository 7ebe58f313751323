"""Embedding influence: read a deal, analyse it, act on the result.

Run from the repository root: ``python examples/embed.py [DEAL_FILE]``.
"""

from __future__ import annotations

import sys

import influence


def main(path: str = "examples/enterprise-committee.yaml") -> int:
    try:
        deal = influence.read_deal(path)
    except influence.DealFileError as err:
        for problem in err.problems:  # each has .file, .line, .column, .field, .message
            print(problem, file=sys.stderr)
        return 3

    report = influence.analyze(deal)
    print(f"{report.deal.name}: risk {report.risk.grade} ({report.risk.score}/100)")
    print(f"coverage {report.coverage.score:.0%}, support {report.support:+.2f}")

    for signal in report.signals:
        if signal.severity == "high":
            print(f"  ! {signal.code}: {signal.message}")

    # The warmest way in to each decision-maker we do not reach yet.
    names = {p.id: p.name for p in deal.people}
    for target, paths in report.paths.items():
        if paths:
            best = paths[0]
            route = " -> ".join(names[p] for p in best.people)
            print(f"  to {names[target]}: {route} (warmth {best.warmth:.2f})")

    # What if the strongest blocker became neutral?
    blockers = sorted(
        (p for p in deal.customers() if p.stance == influence.Stance.BLOCKER),
        key=lambda p: (-p.influence, p.id),
    )
    if blockers:
        result = influence.what_if(deal, [f"{blockers[0].id}=neutral"])
        print(f"if {blockers[0].name} turned neutral: score {result.score_change:+d}")

    # The graph is plain networkx for anything else.
    graph = influence.to_networkx(deal)
    print(f"{graph.number_of_nodes()} people, {graph.number_of_edges()} ties")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
