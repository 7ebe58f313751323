"""Next actions: concrete, ranked steps that answer the risk signals.

Each action names people and the signal it answers. When the person to engage
has a social style, the advice for that style follows the action.
"""

from __future__ import annotations

from influence.analysis.paths import IntroductionPath
from influence.analysis.report import SEVERITY_ORDER, Action, Signal
from influence.analysis.risk import who
from influence.graph import DealGraph, deal_graph
from influence.model import Deal, Kind, Person, Side, Stance, Style

__all__ = ["STYLE_ADVICE", "next_actions"]

#: How to engage each social style (``docs/domain.md``).
STYLE_ADVICE: dict[Style, str] = {
    Style.ANALYTICAL: "analytical: bring facts and written detail, and give them time to decide",
    Style.DRIVER: "driver: be brief and punctual, lead with outcomes and ROI",
    Style.EXPRESSIVE: "expressive: bring references and visuals, meet in an informal setting",
    Style.AMIABLE: "amiable: involve their users, keep the pressure low, offer guarantees",
}


def _advice(person: Person | None) -> str | None:
    return STYLE_ADVICE[person.style] if person is not None and person.style else None


def next_actions(
    deal: Deal,
    signals: list[Signal],
    paths: dict[str, list[IntroductionPath]],
    *,
    coverage: dict[str, str] | None = None,
    summarised: dict[str, float | None] | None = None,
    graph: DealGraph | None = None,
) -> list[Action]:
    """Return the next actions, most urgent first.

    Ranked by the severity of the signal they answer, then by the influence of the
    person they are about (highest first), then by their text.

    Args:
        deal: The deal.
        signals: The deal's risk signals.
        paths: Introduction paths by target id.
        coverage: Customer coverage status by id (used to name who already covers whom).
        summarised: Targets whose paths were not searched in full, with the warmth of
            their best path (None: no path), from :class:`~influence.analysis.paths.PathsSummary`.
        graph: The deal graph analysed (with the team's policy); default: the deal's.

    Returns:
        The actions, one per signal that has something to do (info signals included).
    """
    by_id = deal.people_by_id()
    g = graph if graph is not None else deal_graph(deal)
    covering = _covering_index(g, by_id)
    wins = ("decision-maker-blocker", "negative-support")
    near = _allies_near(deal) if any(s.code in wins for s in signals) else {}
    ranked: list[tuple[int, float, str, Action]] = []
    for signal in signals:
        action = _action_for(
            deal, signal, paths, by_id, covering, coverage or {}, summarised or {}, near, g
        )
        if action is None:
            continue
        weight = max((by_id[p].influence for p in action.people if p in by_id), default=0.0)
        ranked.append((SEVERITY_ORDER[signal.severity], -weight, action.text, action))
    ranked.sort(key=lambda r: r[:3])
    seen: set[str] = set()
    out: list[Action] = []
    for *_, action in ranked:
        if action.text not in seen:
            seen.add(action.text)
            out.append(action)
    return out


def _intro_text(
    deal: Deal, path: IntroductionPath, by_id: dict[str, Person], graph: DealGraph
) -> str:
    names = " -> ".join(by_id[p].name for p in path.people)
    target = who(by_id[path.people[-1]])
    if path.hops == 1:
        # A direct tie: what it is, and what to do with it, is the deal graph's "our tie".
        them = path.people[-1]
        customer = graph.side.get(them) is Side.CUSTOMER
        ours = graph.our_ties(them) if customer else []
        covering = graph.covering_ties(them) if customer else []
        if covering:  # a target is never covered: these are stale
            seller = by_id[covering[0].other(them)].name
            last = graph.last_contact(them)
            when = f" (last contact {(deal.as_of() - last).days} days ago)" if last else ""
            return f"{seller} already knows {target}: refresh the tie{when}"
        if ours:  # only weak ties: they do not cover
            seller = by_id[ours[0].other(them)].name
            strength = ours[0].strength
            return f"{seller} already knows {target}: warm the tie up (strength {strength:.2f})"
        step = path.steps[0]
        seller = by_id[path.people[0]].name
        return (
            f"{seller} has only a {step.kind} tie to {target} (strength {step.strength:.2f}): "
            "build a working relationship"
        )
    helper = by_id[path.people[1]].name
    label = " (passes a blocker)" if path.through_blocker else ""
    return (
        f"Ask {helper} to introduce {by_id[path.people[0]].name} to {target}: "
        f"{names}, warmth {path.warmth:.2f}{label}"
    )


def _action_for(
    deal: Deal,
    signal: Signal,
    paths: dict[str, list[IntroductionPath]],
    by_id: dict[str, Person],
    covering: dict[str, str],
    status: dict[str, str],
    summarised: dict[str, float | None],
    near: dict[str, set[str]],
    graph: DealGraph,
) -> Action | None:
    code = signal.code
    people = signal.people
    target = by_id[people[-1]] if people else None
    if code in ("decision-maker-uncovered", "stale-relationship") and target is not None:
        best = paths.get(target.id) or []
        if code == "stale-relationship":
            sellers = covering.get(target.id, "")
            days = _days(signal.message)
            text = f"Refresh the tie with {who(target)}" + (
                f" (last contact {days} days ago" + (f", via {sellers}" if sellers else "") + ")"
                if days
                else ""
            )
            return Action(text=text, signal=code, people=[target.id], advice=_advice(target))
        if best:
            path = best[0]
            return Action(
                text=_intro_text(deal, path, by_id, graph),
                signal=code,
                people=list(path.people[1:]),
                advice=_advice(target),
            )
        warmth = summarised.get(target.id)
        if warmth is not None:
            return Action(
                text=f"Find an introduction to {who(target)}: our warmest path has warmth "
                f"{warmth:.2f} (not listed: beyond the most influential decision-makers)",
                signal=code,
                people=[target.id],
                advice=_advice(target),
            )
        return Action(
            text=f"Find a way in to {who(target)}: no introduction path from our team yet; "
            "ask your allies who knows them",
            signal=code,
            people=[target.id],
            advice=_advice(target),
        )
    if code == "decision-maker-blocker" and target is not None:
        return _win_over(target, code, by_id, near)
    if code == "blocker-influences-decision-maker" and target is not None:
        blocker = by_id[people[0]]
        return Action(
            text=f"Counter {who(blocker)}'s sway over {who(target)}: "
            f"reach {target.name} first with your strongest ally, and answer "
            f"{blocker.name}'s objections",
            signal=code,
            people=[blocker.id, target.id],
            advice=_advice(target),
        )
    if code == "unknown-stance" and target is not None:
        sellers = covering.get(target.id, "")
        via = f" (ask {sellers}, who knows them)" if sellers else ""
        return Action(
            text=f"Confirm where {who(target)} stands{via}",
            signal=code,
            people=[target.id],
            advice=_advice(target),
        )
    if code == "doubtful-assessment" and target is not None:
        return Action(
            text=f"Re-confirm {who(target)}'s stance: the last check is {_days(signal.message)} "
            "days old",
            signal=code,
            people=[target.id],
            advice=_advice(target),
        )
    if code == "role-missing":
        role = signal.role
        return Action(
            text=f"Find who holds the role {role} (ask your champion or coach)",
            signal=code,
            people=[],
        )
    if code == "role-uncovered" and people:
        best_holder = max(people, key=lambda p: (by_id[p].influence, p))
        role = signal.role
        route = paths.get(best_holder)
        text = f"Reach {who(by_id[best_holder])}, who holds the role {role}"
        if route:
            intro = _intro_text(deal, route[0], by_id, graph)
            text += f": {intro[0].lower()}{intro[1:]}" if intro.startswith("Ask ") else f": {intro}"
        return Action(
            text=text, signal=code, people=[best_holder], advice=_advice(by_id[best_holder])
        )
    if code == "no-champion":
        candidates = sorted(
            (p for p in deal.customers() if p.stance is Stance.ALLY),
            key=lambda p: (-p.influence, p.id),
        )
        if candidates:
            c = candidates[0]
            return Action(
                text=f"Develop {who(c)} into a champion: an ally with influence {c.influence:g}",
                signal=code,
                people=[c.id],
                advice=_advice(c),
            )
        return Action(
            text="Find a champion: someone with power who will sell for us inside",
            signal=code,
            people=[],
        )
    if code == "single-threaded":
        reached = set(people)
        nxt = sorted(
            (p for p in deal.customers() if p.id not in reached and p.stance is not Stance.BLOCKER),
            key=lambda p: (-p.influence, p.id),
        )[:3]
        if not nxt:
            return None
        return Action(
            text="Multi-thread the deal: build ties with " + ", ".join(who(p) for p in nxt),
            signal=code,
            people=[p.id for p in nxt],
        )
    if code == "negative-support":
        blockers = sorted(
            (p for p in deal.customers() if p.stance is Stance.BLOCKER),
            key=lambda p: (-p.influence, p.id),
        )
        if not blockers:
            return None
        return _win_over(blockers[0], code, by_id, near)
    if code == "ally-conflicts-with-decision-maker" and len(people) == 2:
        ally, dm = by_id[people[0]], by_id[people[1]]
        return Action(
            text=f"Do not let {who(ally)} carry our case to {who(dm)}: they are at odds; "
            "find another voice",
            signal=code,
            people=[ally.id, dm.id],
            advice=_advice(dm),
        )
    if code == "hidden-influencer" and target is not None:
        return Action(
            text=f"Engage {who(target)}: more influential than rated",
            signal=code,
            people=[target.id],
            advice=_advice(target),
        )
    if code == "isolated-person" and target is not None:
        return Action(
            text=f"Map who {who(target)} works with, reports to and listens to",
            signal=code,
            people=[target.id],
        )
    if code == "no-decision-maker":
        return Action(
            text="Identify the decision-maker and the economic buyer (who signs, who pays)",
            signal=code,
            people=[],
        )
    return None


def _win_over(
    target: Person, code: str, by_id: dict[str, Person], near: dict[str, set[str]]
) -> Action:
    allies = sorted(near.get(target.id, ()), key=lambda pid: (-by_id[pid].influence, pid))
    if allies:
        ally = by_id[allies[0]]
        return Action(
            text=f"Win over blocker {who(target)} through {who(ally)}, an ally close to them",
            signal=code,
            people=[ally.id, target.id],
            advice=_advice(target),
        )
    return Action(
        text=f"Understand {who(target)}'s objections and find an ally who can reach them",
        signal=code,
        people=[target.id],
        advice=_advice(target),
    )


def _allies_near(deal: Deal) -> dict[str, set[str]]:
    """For each person, the allies who influence or know them: one pass over the ties."""
    near: dict[str, set[str]] = {}
    allies = {p.id for p in deal.people if p.stance is Stance.ALLY}
    knows, influences = Kind.KNOWS, Kind.INFLUENCES
    for r in deal.relationships:
        a, b, kind = r.from_, r.to, r.kind
        if a in allies and (kind is knows or kind is influences):
            near.setdefault(b, set()).add(a)
        if b in allies and kind is knows:
            near.setdefault(a, set()).add(b)
    return near


def _covering_index(graph: DealGraph, by_id: dict[str, Person]) -> dict[str, str]:
    """For each customer we have a tie to, our team members tied to them (``A or B``).

    Those of the covering ties when there are any, else those of our (weak) ties:
    the deal graph's "our tie".
    """
    out: dict[str, str] = {}
    for pid, side in graph.side.items():
        if side is Side.CUSTOMER:
            ties = graph.covering_ties(pid) or graph.our_ties(pid)
            if ties:
                names = {by_id[t.other(pid)].name for t in ties}
                out[pid] = " or ".join(sorted(names))
    return out


def _days(message: str) -> str:
    import re

    found = re.search(r"(\d+) days", message)
    return found.group(1) if found else ""
