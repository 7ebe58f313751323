"""The buying steps: which of the seeds' six steps a deal is at, from its free-text stage.

``deal.stage`` stays free text, as in the CRM. A team policy's ``stage_steps``
maps stage names to steps; the names below are the defaults (Salesforce's and
HubSpot's default stages, common words, their Chinese equivalents). Names are
compared case-insensitively, with runs of spaces folded (``docs/analysis.md``).
"""

from __future__ import annotations

from typing import NamedTuple

from influence.model import Deal, Policy, Step

__all__ = ["DEFAULT_STAGE_STEPS", "STEP_ORDER", "StepFound", "deal_step", "fold_stage"]

#: The steps in the order a purchase goes through them (won and lost: the ends).
STEP_ORDER: dict[Step, int] = {step: i for i, step in enumerate(Step)}

_N, _S, _C, _T, _M, _I = (
    Step.NEED,
    Step.SCREENING,
    Step.CRITERIA,
    Step.TENDER,
    Step.COMMITMENT,
    Step.IMPLEMENTATION,
)
#: Default stage name (folded: lower case, single spaces) -> step.
DEFAULT_STAGE_STEPS: dict[str, Step] = {
    # Salesforce's default opportunity stages
    "prospecting": _N,
    "qualification": _N,
    "needs analysis": _S,
    "value proposition": _S,
    "id. decision makers": _C,
    "perception analysis": _C,
    "proposal/price quote": _T,
    "negotiation/review": _T,
    "closed won": Step.WON,
    "closed lost": Step.LOST,
    # HubSpot's default deal stages
    "appointment scheduled": _N,
    "qualified to buy": _S,
    "presentation scheduled": _C,
    "decision maker bought-in": _T,
    "contract sent": _M,
    # common words
    "lead": _N,
    "discovery": _N,
    "need": _N,
    "needs": _N,
    "qualified": _S,
    "screening": _S,
    "shortlist": _S,
    "shortlisted": _S,
    "demo": _S,
    "criteria": _C,
    "requirements": _C,
    "evaluation": _C,
    "technical evaluation": _C,
    "solution design": _C,
    "proposal": _T,
    "tender": _T,
    "bid": _T,
    "rfp": _T,
    "quote": _T,
    "negotiation": _T,
    "contract negotiation": _T,
    "commitment": _M,
    "verbal commit": _M,
    "commit": _M,
    "contract": _M,
    "closing": _M,
    "implementation": _I,
    "onboarding": _I,
    "delivery": _I,
    "won": Step.WON,
    "closed-won": Step.WON,
    "lost": Step.LOST,
    "closed-lost": Step.LOST,
    # Chinese equivalents
    "需求": _N,
    "内部需求": _N,
    "立项": _N,
    "供应商调查": _S,
    "筛选": _S,
    "入围": _S,
    "制定采购指标": _C,
    "采购指标": _C,
    "技术交流": _C,
    "招标": _T,
    "投标": _T,
    "评标": _T,
    "招标评标": _T,
    "商务谈判": _T,
    "谈判": _T,
    "购买承诺": _M,
    "签约": _M,
    "合同": _M,
    "安装实施": _I,
    "实施": _I,
    "赢单": Step.WON,
    "成交": Step.WON,
    "输单": Step.LOST,
    "丢单": Step.LOST,
}


class StepFound(NamedTuple):
    """A deal's step, and the warning when its stage name maps to none."""

    step: Step | None
    warning: str | None


def fold_stage(name: str) -> str:
    """A stage name as the mapping compares it: case-folded, runs of spaces made one.

    Examples:
        >>> fold_stage("  Closed   Won ")
        'closed won'
    """
    return " ".join(name.casefold().split())


def deal_step(deal: Deal, policy: Policy) -> StepFound:
    """The step a deal is at: its stage name looked up in the policy, then the defaults.

    No stage: no step and no warning. A stage no mapping knows: no step, and a
    warning naming the policy key to set.

    Examples:
        >>> d = Deal.model_validate({"deal": {"name": "x", "stage": "Contract Negotiation"}})
        >>> deal_step(d, Policy()).step
        <Step.TENDER: 'tender'>
        >>> deal_step(d.model_copy(update={"deal": d.deal.model_copy(
        ...     update={"stage": "Stage 7"})}), Policy()).warning
        "stage 'Stage 7' maps to no buying step: set policy stage_steps: {'stage 7': STEP}"
    """
    stage = deal.deal.stage
    if stage is None or not stage.strip():
        return StepFound(None, None)
    key = fold_stage(stage)
    step = policy.stage_steps.get(key) or DEFAULT_STAGE_STEPS.get(key)
    if step is None:
        return StepFound(
            None,
            f"stage {stage!r} maps to no buying step: set policy stage_steps: {{{key!r}: STEP}}",
        )
    return StepFound(step, None)
