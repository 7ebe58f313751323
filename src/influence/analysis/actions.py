"""Next actions: concrete, ranked steps that answer the risk signals.

Each action names people and the signal it answers; what it says comes from the
signal's registry entry (:data:`influence.analysis.signals.SIGNALS`), made from
the signal's facts and the deal graph. When the person to engage has a social
style, the advice for that style follows the action.
"""

from __future__ import annotations

from collections.abc import Hashable

from influence.analysis.models import SEVERITY_ORDER, Action, Signal
from influence.analysis.paths import IntroductionPath
from influence.analysis.signals import SIGNALS, STYLE_ADVICE, ActionContext, ActionFacts, Answer
from influence.graph import DealGraph, deal_graph
from influence.model import Deal

__all__ = ["STYLE_ADVICE", "next_actions"]


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
    person they are about (highest first), then by their text. One action per person
    to reach (``target``): it answers every signal about them, led by the most
    severe one's step, and lists the codes it resolves (``resolves``); signals of one
    group share one action (one for every required role nobody holds); two actions
    never say the same.

    Args:
        deal: The deal.
        signals: The deal's risk signals.
        paths: Introduction paths by target id.
        coverage: Customer coverage status by id (a stale tie is refreshed, a weak one
            warmed up, an uncovered person introduced).
        summarised: Targets whose paths were not searched in full, with the warmth of
            their best path (None: no path), from :class:`~influence.analysis.paths.PathsSummary`.
        graph: The deal graph analysed (with the team's policy); default: the deal's.

    Returns:
        The actions, one per person to reach, and one per signal (or group of
        signals) about nobody in particular that has something to do.

    Examples:
        >>> from influence import analyze, read_deal
        >>> report = analyze(read_deal("examples/enterprise-committee.yaml"))
        >>> first = report.actions[0]
        >>> print(first.text)  # doctest: +NORMALIZE_WHITESPACE
        Ask Kenneth Lau to introduce Li Wei to Liu Yang, who can introduce you to
        Chen Jun (Group CEO): Li Wei -> Kenneth Lau -> Liu Yang -> Chen Jun, warmth 0.58;
        also re-confirm their stance (the last check is 141 days old)
        >>> first.target, first.resolves
        ('chen-jun', ['top-decision-maker-uncovered', 'doubtful-assessment'])
    """
    ctx = ActionContext(
        deal=deal,
        graph=graph if graph is not None else deal_graph(deal),
        paths=paths,
        status=coverage or {},
        summarised=summarised or {},
    )
    by_id = ctx.by_id
    order = {code: i for i, code in enumerate(SIGNALS)}
    groups: dict[Hashable, list[Signal]] = {}
    for signal in signals:
        spec = SIGNALS[signal.code]
        key = spec.group(signal.facts) if spec.group is not None else id(signal)
        groups.setdefault((signal.code, key), []).append(signal)
    # Each answer, then one action per person to reach (answers about nobody stay apart).
    answered: list[tuple[tuple[int, int], list[Signal], Answer]] = []
    for group in groups.values():
        first = group[0]
        answer = SIGNALS[first.code].answer
        found = answer(group, ctx) if answer is not None else None
        if found is not None:
            rank = (SEVERITY_ORDER[first.severity], order[first.code])
            answered.append((rank, group, found))
    answered.sort(key=lambda a: a[0])  # stable: the most severe answer leads its person's
    by_target: dict[Hashable, list[tuple[list[Signal], Answer]]] = {}
    for n, (_, group, found) in enumerate(answered):
        key = found.target if found.target is not None else ("nobody", n)
        by_target.setdefault(key, []).append((group, found))
    ranked: list[tuple[int, float, str, Action]] = []
    for merged in by_target.values():
        action = _merge(merged)
        weight = max((by_id[p].influence for p in action.people if p in by_id), default=0.0)
        ranked.append((SEVERITY_ORDER[merged[0][0][0].severity], -weight, action.text, action))
    ranked.sort(key=lambda r: r[:3])
    seen: set[str] = set()
    out: list[Action] = []
    for *_, action in ranked:
        if action.text not in seen:
            seen.add(action.text)
            out.append(action)
    return out


def _merge(answers: list[tuple[list[Signal], Answer]]) -> Action:
    """One action from the answers about one person: the first leads, the others add a step.

    An answer that says what the lead (or an earlier step) already says adds nothing
    but the codes it resolves.
    """
    (lead_group, lead), rest = answers[0], answers[1:]
    text = lead.text
    said = {lead.text}
    people = list(lead.people)
    facts = lead.facts
    for _, found in rest:
        way_in = found.facts.introductions or found.facts.path or found.facts.our_ties
        whole = bool(way_in) and not (facts.introductions or facts.path or facts.our_ties)
        if whole or found.also is None:
            step, claims = found.text[:1].lower() + found.text[1:], found.facts
        else:
            step, claims = found.also, found.also_facts
        if found.text not in said and step not in said:
            said |= {found.text, step}
            text += f"; also {step}"
            facts = ActionFacts(
                introductions=facts.introductions or claims.introductions,
                path=facts.path or claims.path,
                our_ties=tuple(dict.fromkeys((*facts.our_ties, *claims.our_ties))),
                ties=tuple(dict.fromkeys((*facts.ties, *claims.ties))),
            )
        people += [p for p in found.people if p not in people]
    codes = [s.code for group, _ in answers for s in group]
    return Action(
        text=text,
        signal=lead_group[0].code,
        people=people,
        advice=lead.advice or next((a.advice for _, a in rest if a.advice), None),
        facts=facts,
        target=lead.target,
        resolves=list(dict.fromkeys(codes)),
    )
