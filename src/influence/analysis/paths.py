"""Introduction paths: the warmest ways from our team to a person we have not reached.

A path runs from a seller-side person to the target through ``knows``,
``influences`` and ``reports_to`` ties, each usable both ways (never
``conflicts_with``). Its warmth is the product of its ties' strengths; between
two people with several usable ties the warmest counts.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Hop", "IntroductionPath", "introduction_paths"]


class Hop(BaseModel):
    """One step of a path: who introduces whom, and how they know each other."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    from_: str = Field(alias="from", description="The person who makes the introduction.")
    to: str = Field(description="The person introduced to.")
    kind: str = Field(description="The tie used: knows, influences or reports_to.")
    forward: bool = Field(
        description="True when the tie is written from -> to; False when it is used backwards."
    )
    strength: float = Field(description="The tie's strength, 0..1.")
    context: str | None = Field(default=None, description="classmate, hometown, ...")
    last_contact: date | None = Field(default=None, description="When they last spoke.")


class IntroductionPath(BaseModel):
    """A chain of introductions from our team to a target, warmest first in any list."""

    model_config = ConfigDict(frozen=True)

    people: list[str] = Field(description="Person ids from the seller to the target.")
    warmth: float = Field(description="Product of the strengths of the ties, 0..1.")
    hops: int = Field(description="Number of ties (len(people) - 1).")
    through_blocker: bool = Field(description="True when an intermediary is a blocker.")
    blockers: list[str] = Field(default_factory=list, description="Blockers passed through.")
    steps: list[Hop] = Field(default_factory=list, description="Each hop, explained.")


def introduction_paths(*args: object, **kwargs: object) -> list[IntroductionPath]:
    """Placeholder: being written (see the analysis issue)."""
    raise NotImplementedError
