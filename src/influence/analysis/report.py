"""The deal report: every analysis of one deal, as one pydantic model.

``DealReport.model_dump(mode="json")`` is exactly the JSON that
``influence analyze DEAL --json`` prints (``shared/spec/analysis.md``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from influence.analysis.paths import IntroductionPath

Severity = Literal["high", "medium", "low", "info"]
Grade = Literal["low", "medium", "high"]
CoverageStatus = Literal["covered", "stale", "uncovered"]
RoleStatus = Literal["covered", "uncovered", "missing"]

SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2, "info": 3}


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class DealSummary(_Result):
    """What the report is about."""

    id: str
    name: str
    as_of: date
    account: str | None = None
    stage: str | None = None
    value: float | None = None
    currency: str | None = None
    close_date: date | None = None
    owner: str | None = None


class Contribution(_Result):
    """How many risk points one signal adds."""

    code: str
    people: list[str]
    points: int


class Risk(_Result):
    """The deal's risk: a 0-100 score, a grade, and how the score was made."""

    score: int = Field(ge=0, le=100)
    grade: Grade
    explanation: str = Field(description="One sentence: how the score is computed.")
    contributions: list[Contribution] = Field(default_factory=list)


class Coverage(_Result):
    """Who on the customer side we reach, and which required roles we reach."""

    score: float = Field(description="Influence of covered customers / influence of all.")
    people: dict[str, CoverageStatus]
    roles: dict[str, RoleStatus]


class InfluenceScore(_Result):
    """A person's network influence and rank among the customers."""

    id: str
    score: float
    rank: int


class Signal(_Result):
    """One risk signal: a stable code, a severity, the people, one plain sentence."""

    code: str
    severity: Severity
    people: list[str]
    message: str
    points: int = Field(default=0, description="What this signal adds to the risk score.")


class Action(_Result):
    """One next step, naming people and the signal it answers."""

    text: str
    signal: str
    people: list[str]
    advice: str | None = Field(default=None, description="How to engage, by social style.")


class PersonRow(_Result):
    """One person as the report shows them."""

    id: str
    name: str
    title: str | None
    side: str
    roles: list[str]
    influence: float
    network_influence: float | None
    stance: str
    coverage: CoverageStatus | None = Field(description="None for our team and partners.")
    decision_maker: bool


class DealReport(_Result):
    """Everything ``analyze`` says about one deal."""

    deal: DealSummary
    risk: Risk
    coverage: Coverage
    support: float
    decision_makers: list[str]
    network_influence: list[InfluenceScore]
    hidden_influencers: list[str] = Field(default_factory=list)
    signals: list[Signal]
    paths: dict[str, list[IntroductionPath]]
    actions: list[Action]
    people: list[PersonRow] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list, description="What-if assumptions applied.")
