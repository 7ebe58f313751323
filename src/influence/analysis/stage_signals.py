"""The checks that know the deal's buying step: close dates, the top decision-maker, the coach.

Four signal codes of the registry (:data:`influence.analysis.signals.SIGNALS`)
are found here, each rule once (``docs/analysis.md`` "Risk signals"):

- ``close-date-passed``: the close date is before ``as_of`` and the deal is not
  yet at ``commitment`` or ``implementation`` (nor won or lost);
- ``close-date-unrealistic``: the close date is nearer than ``step_min_days``
  gives the steps still to go, those after the deal's step up to ``commitment``
  (the step under way counts nothing: how far along it is, nobody knows);
- ``top-decision-maker-uncovered``: the top decision-maker
  (:func:`influence.analysis.method.top_decision_maker`) is uncovered; it says
  so instead of ``decision-maker-uncovered`` for them, its points double from
  step ``tender`` on;
- ``no-coach``: no covered ally holds ``coach`` or ``champion``.

:func:`influence.analysis.risk.risk_signals` calls :func:`stage_signals` and
makes the signals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from influence.analysis.signals import SignalFacts
from influence.analysis.stages import STEP_ORDER
from influence.model import Deal, Policy, Role, Stance, Step

__all__ = ["Found", "remaining_steps", "stage_signals"]

#: At these steps the close is made (or the deal is over): a passed close date is no news.
_CLOSED_OR_COMMITTED = frozenset((Step.COMMITMENT, Step.IMPLEMENTATION, Step.WON, Step.LOST))
#: The coach roles: a covered ally holding either tells us the truth inside.
_COACH_ROLES = (Role.COACH, Role.CHAMPION)


class Found(NamedTuple):
    """One signal as a rule finds it: its code, the people, its facts."""

    code: str
    people: list[str]
    facts: SignalFacts


def remaining_steps(step: Step) -> list[Step]:
    """The steps still to go before the close: those after ``step``, up to ``commitment``.

    Examples:
        >>> [s.value for s in remaining_steps(Step.CRITERIA)]
        ['tender', 'commitment']
        >>> remaining_steps(Step.COMMITMENT), remaining_steps(Step.WON)
        ([], [])
    """
    here, last = STEP_ORDER[step], STEP_ORDER[Step.COMMITMENT]
    return [s for s, i in STEP_ORDER.items() if here < i <= last]


def stage_signals(
    deal: Deal,
    policy: Policy,
    people: Mapping[str, str],
    roles: Mapping[str, str],
    *,
    top: str | None,
    step: Step | None,
) -> list[Found]:
    """The deal's close-date, top-decision-maker and coach signals.

    Args:
        deal: The deal.
        policy: The effective policy (``step_min_days``).
        people: Each customer's coverage status, by id.
        roles: Each required role's coverage status.
        top: The top decision-maker's id (None: there is none).
        step: The deal's buying step (None: unknown).

    Examples:
        >>> d = Deal.model_validate({"deal": {"name": "x", "as_of": "2026-11-20",
        ...     "stage": "Contract negotiation", "close_date": "2026-11-01"},
        ...     "people": [{"name": "Chair", "roles": ["decision_maker"]}]})
        >>> [f.code for f in stage_signals(d, Policy(), {"chair": "uncovered"}, {},
        ...     top="chair", step=Step.TENDER)]
        ['close-date-passed', 'top-decision-maker-uncovered', 'no-coach']
    """
    out: list[Found] = []
    as_of = deal.as_of()
    close = deal.deal.close_date
    on = step.value if step is not None else None
    if close is not None and close < as_of and step not in _CLOSED_OR_COMMITTED:
        days = (as_of - close).days
        out.append(
            Found("close-date-passed", [], SignalFacts(step=on, close_date=close, days=days))
        )
    elif close is not None and close >= as_of and step is not None:
        ahead = remaining_steps(step)
        need = sum(policy.step_min_days.get(s, 0) for s in ahead)
        left = (close - as_of).days
        if left < need:
            out.append(
                Found(
                    "close-date-unrealistic",
                    [],
                    SignalFacts(
                        step=on,
                        close_date=close,
                        days=left,
                        threshold=need,
                        steps=tuple(s.value for s in ahead),
                    ),
                )
            )
    if top is not None and people.get(top) == "uncovered":
        out.append(Found("top-decision-maker-uncovered", [top], SignalFacts(person=top, step=on)))
    coaches = [
        p
        for p in deal.customers()
        if p.stance is Stance.ALLY and not p.has_left and any(r in p.roles for r in _COACH_ROLES)
    ]
    if not any(people.get(p.id) == "covered" for p in coaches):
        # One cause, one signal: an ally champion we do not reach is what role-uncovered
        # (or, for each, stale-relationship) says; reaching them answers both.
        said = roles.get(Role.CHAMPION.value) in ("uncovered", "stale") and any(
            Role.CHAMPION in p.roles for p in coaches
        )
        if not said:
            holders = tuple(sorted(p.id for p in coaches))
            out.append(Found("no-coach", list(holders), SignalFacts(holders=holders)))
    return out
