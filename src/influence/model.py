"""The input models: what a deal file holds, as typed objects.

Field names and enum values follow ``docs/deal-file.md`` exactly; they are
a public contract. Every model forbids unknown fields, so a typo in a
hand-written file is an error rather than silence.

Examples:
    >>> deal = Deal.model_validate({
    ...     "deal": {"name": "ACME ERP"},
    ...     "people": [
    ...         {"name": "Zhang Min", "roles": ["economic_buyer"], "influence": "high"},
    ...         {"name": "Li Wei", "side": "seller"},
    ...     ],
    ...     "relationships": [{"from": "li-wei", "to": "zhang-min", "strength": "strong"}],
    ... })
    >>> deal.person("zhang-min").influence
    0.85
    >>> deal.relationships[0].strength
    0.9
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum
from itertools import compress, repeat
from operator import attrgetter, eq, not_
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from influence._suggest import Suggester, did_you_mean
from influence.errors import UnknownPersonError

__all__ = [
    "CHECKLIST_ITEMS",
    "INFLUENCE_WORDS",
    "MEDDPICC_ITEMS",
    "SEED_ITEMS",
    "STRENGTH_WORDS",
    "BuyingSignal",
    "BuyingSignalKind",
    "Competitor",
    "Deal",
    "DealInfo",
    "Fact",
    "IntegrityProblems",
    "Kind",
    "Person",
    "PersonStatus",
    "Policy",
    "Refusal",
    "RefusalKind",
    "Relationship",
    "Role",
    "Side",
    "Stance",
    "Step",
    "Style",
    "TouchKind",
    "Touchpoint",
    "deal_from_data",
    "integrity_problems",
    "slugify",
]


class Side(StrEnum):
    """Which organisation a person belongs to."""

    CUSTOMER = "customer"
    SELLER = "seller"
    PARTNER = "partner"


class Role(StrEnum):
    """A person's part in the buying decision (customer side)."""

    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    TECHNICAL_BUYER = "technical_buyer"
    USER = "user"
    CHAMPION = "champion"
    COACH = "coach"
    INFLUENCER = "influencer"
    GATEKEEPER = "gatekeeper"
    PROCUREMENT = "procurement"
    LEGAL = "legal"


class Stance(StrEnum):
    """Where a person stands on our deal."""

    ALLY = "ally"
    NEUTRAL = "neutral"
    BLOCKER = "blocker"
    UNKNOWN = "unknown"


class Kind(StrEnum):
    """The kind of a relationship."""

    KNOWS = "knows"
    INFLUENCES = "influences"
    REPORTS_TO = "reports_to"
    CONFLICTS_WITH = "conflicts_with"


class Style(StrEnum):
    """The four social styles."""

    ANALYTICAL = "analytical"
    DRIVER = "driver"
    EXPRESSIVE = "expressive"
    AMIABLE = "amiable"


class TouchKind(StrEnum):
    """What kind of contact a touchpoint records."""

    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    MESSAGE = "message"
    VISIT = "visit"
    EVENT = "event"
    FAVOUR = "favour"
    GIFT = "gift"


class PersonStatus(StrEnum):
    """Whether a person is still with their organisation."""

    ACTIVE = "active"
    LEFT = "left"


class RefusalKind(StrEnum):
    """The four refusals of the seeds: 不需要, 不相信, 没预算, 不着急."""

    NO_NEED = "no_need"
    NO_TRUST = "no_trust"
    NO_BUDGET = "no_budget"
    NO_HURRY = "no_hurry"


class BuyingSignalKind(StrEnum):
    """The buying signals of the seeds: what a buyer does when the deal warms up."""

    ACCEPTED_CONDITION = "accepted_condition"  # accepted a condition refused before
    AGREED_NEXT_STEP = "agreed_next_step"  # agreed to the next step
    INTRODUCED_SENIOR = "introduced_senior"  # introduced us to a more senior manager
    CALLED_TECHNICAL_MEETING = "called_technical_meeting"  # with more of their people


class Step(StrEnum):
    """The six steps of a purchase (the seeds'), and the two ends of a deal."""

    NEED = "need"
    SCREENING = "screening"
    CRITERIA = "criteria"
    TENDER = "tender"
    COMMITMENT = "commitment"
    IMPLEMENTATION = "implementation"
    WON = "won"
    LOST = "lost"


#: The information checklist of the seeds, in their order.
SEED_ITEMS: tuple[str, ...] = (
    "budget",
    "reason",
    "process",
    "criteria",
    "next_step",
    "sticking_point",
)
#: The MEDDPICC checklist (the bundled ``meddpicc`` policy requires these).
MEDDPICC_ITEMS: tuple[str, ...] = (
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "paper_process",
    "implicate_pain",
    "champion",
    "competition",
)
#: Every item ``deal.facts`` may name: the seeds' checklist, then MEDDPICC's.
CHECKLIST_ITEMS: tuple[str, ...] = SEED_ITEMS + MEDDPICC_ITEMS


class Direction(StrEnum):
    """Which way an e-mail or message went, seen from our side."""

    SENT = "sent"
    RECEIVED = "received"


#: The kinds of touchpoint that have a direction (sent or received).
DIRECTED_TOUCHES = frozenset({TouchKind.EMAIL, TouchKind.MESSAGE})
#: The kinds of touchpoint of the favours ledger (人情): a favour done or a gift given.
#: Their direction says who did it: ``sent``, we did it for them (the default);
#: ``received``, they did one for us (we asked). It never changes a tie's warmth.
FAVOUR_TOUCHES = frozenset({TouchKind.FAVOUR, TouchKind.GIFT})
#: Every kind of touchpoint that may have a direction.
WAY_TOUCHES = DIRECTED_TOUCHES | FAVOUR_TOUCHES

#: Words a rep may write instead of a number for ``influence``.
INFLUENCE_WORDS: dict[str, float] = {"low": 0.25, "medium": 0.5, "high": 0.85}
#: Words a rep may write instead of a number for ``strength``.
STRENGTH_WORDS: dict[str, float] = {"weak": 0.3, "medium": 0.6, "strong": 0.9}
#: Default strength of a relationship by kind.
DEFAULT_STRENGTH: dict[Kind, float] = {
    Kind.KNOWS: 0.5,
    Kind.INFLUENCES: 0.5,
    Kind.REPORTS_TO: 0.6,
    Kind.CONFLICTS_WITH: 0.5,
}
SYMMETRIC_KINDS = frozenset({Kind.KNOWS, Kind.CONFLICTS_WITH})
#: The largest deal value: a review adds values up, and their sum must stay a number.
MAX_DEAL_VALUE = 1e15
#: The longest period, in days, a policy counts (100 years).
MAX_DAYS = 36_500

_SLUG_DROP = re.compile(r"[^\w]+", re.UNICODE)
#: An e-mail address, loosely: something, one @, a domain with a dot; no spaces or brackets.
_EMAIL = re.compile(
    r"[^@\s<>,;:\"'()\[\]\\]{1,64}@(?:[^@\s<>,;:\"'()\[\]\\.?=/]+\.)+[^@\s<>,;:\"'()\[\]\\.?=/]+"
)
#: The longest e-mail address (RFC 5321's path limit).
MAX_EMAIL = 254


def slugify(text: str) -> str:
    """Return the id a person or deal gets when the file gives none.

    Lower case, accents folded, runs of other characters turned into ``-``;
    letters of other scripts (CJK...) are kept.

    Examples:
        >>> slugify("Zhang Min")
        'zhang-min'
        >>> slugify("José Müller (CFO)")
        'jose-muller-cfo'
        >>> slugify("张敏")
        '张敏'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _SLUG_DROP.sub("-", folded.lower()).replace("_", "-").strip("-")
    return slug or "x"


def _word_number(value: Any, words: dict[str, float], what: str) -> Any:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in words:
            return words[key]
        try:
            return float(key)
        except ValueError:
            names = ", ".join(words)
            raise ValueError(
                f"{value!r} is not a valid {what}; expected a number from 0 to 1 or one of "
                f"{names}{did_you_mean(key, words)}"
            ) from None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a valid {what}; expected a number from 0 to 1")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        allow_inf_nan=False,  # .inf and .nan are no deal's numbers (and not JSON)
        validate_assignment=True,
        use_enum_values=False,
    )


class Refusal(_Strict):
    """A refusal a person gave us: no need, no trust, no budget or no hurry."""

    kind: RefusalKind = Field(description="no_need, no_trust, no_budget or no_hurry.")
    as_of: date | None = Field(default=None, description="When they said it.")
    resolved: bool | date = Field(
        default=False, description="false (open), true, or the day it was resolved."
    )
    notes: str | None = Field(default=None, description="Free text.")

    @property
    def is_open(self) -> bool:
        """True while the refusal is unresolved."""
        return self.resolved is False


class BuyingSignal(_Strict):
    """A dated buying signal a person gave: see :class:`BuyingSignalKind`."""

    kind: BuyingSignalKind = Field(
        description="accepted_condition, agreed_next_step, introduced_senior or "
        "called_technical_meeting."
    )
    date: _dt.date = Field(description="The day it happened (YYYY-MM-DD).")
    notes: str | None = Field(default=None, description="Free text.")


class Person(_Strict):
    """One person in the deal: on the customer's side, ours, or a partner."""

    id: str = Field(default="", description="Unique in the file; default: slug of the name.")
    name: str = Field(min_length=1, description="The person's name (required).")
    title: str | None = Field(default=None, description="Job title.")
    side: Side = Field(default=Side.CUSTOMER, description="customer, seller or partner.")
    roles: list[Role] = Field(default_factory=list, description="Buying roles (customer side).")
    influence: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="0..1, or low (0.25) | medium (0.5) | high (0.85).",
    )
    stance: Stance = Field(default=Stance.UNKNOWN, description="ally, neutral, blocker, unknown.")
    assessed: date | None = Field(default=None, description="When the stance was confirmed.")
    style: Style | None = Field(default=None, description="Social style.")
    reports_to: str | None = Field(default=None, description="Id of this person's manager.")
    notes: str | None = Field(default=None, description="Free text.")
    emails: list[str] = Field(
        default_factory=list,
        description="E-mail addresses (lower-cased); touch import matches people by them.",
    )
    # -- issue 12: the key-account method (all optional) ---------------------
    favours: str | None = Field(
        default=None, description="The name of a competitor (deal.competitors) they favour."
    )
    needs: str | None = Field(default=None, description="Their own, personal need.")
    refusals: list[Refusal] = Field(default_factory=list, description="Refusals they gave.")
    buying_signals: list[BuyingSignal] = Field(
        default_factory=list, description="Dated buying signals they gave."
    )
    status: PersonStatus = Field(
        default=PersonStatus.ACTIVE,
        description="active or left (left the company: never a path hop, never covered).",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and isinstance(data.get("name"), str):
            data = {**data, "id": slugify(data["name"])}
        return data

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a person id cannot be blank")
        return value

    @field_validator("influence", mode="before")
    @classmethod
    def _influence_word(cls, value: Any) -> Any:
        if type(value) is float:
            return value
        return _word_number(value, INFLUENCE_WORDS, "influence")

    @field_validator("roles", mode="before")
    @classmethod
    def _one_role(cls, value: Any) -> Any:
        # `roles: champion` is a common slip for `roles: [champion]`.
        return [value] if isinstance(value, str) else value

    @field_validator("emails", mode="before")
    @classmethod
    def _one_email(cls, value: Any) -> Any:
        # `emails: ann@x.cn` is a common slip for `emails: [ann@x.cn]`.
        return [value] if isinstance(value, str) else value

    @field_validator("emails")
    @classmethod
    def _emails_valid(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            address = item.strip().lower()
            if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
                raise ValueError(f"{item!r} is not an e-mail address; expected name@domain")
            if address not in out:
                out.append(address)
        return out

    @property
    def is_customer(self) -> bool:
        """True when the person is on the buying side."""
        return self.side is Side.CUSTOMER

    @property
    def has_left(self) -> bool:
        """True when the person left their organisation (``status: left``)."""
        return self.status is PersonStatus.LEFT

    @property
    def open_refusals(self) -> list[str]:
        """The kinds of this person's unresolved refusals, each once, in file order.

        Examples:
            >>> Person(name="A", refusals=[{"kind": "no_budget"},
            ...     {"kind": "no_hurry", "resolved": True}, {"kind": "no_budget"}]).open_refusals
            ['no_budget']
        """
        return list(dict.fromkeys(r.kind.value for r in self.refusals if r.is_open))


class Relationship(_Strict):
    """A tie between two people: who knows, influences, reports to or conflicts with whom."""

    from_: str = Field(alias="from", description="Id of the person the tie starts at.")
    to: str = Field(description="Id of the person the tie ends at.")
    kind: Kind = Field(default=Kind.KNOWS, description="knows, influences, reports_to, ...")
    strength: float = Field(
        # Only when the field is missing; null is handled by _strength_word. Both read
        # the kind validated before it (declared first), one Python call per tie at most.
        default_factory=lambda data: _kind_default(data.get("kind")),
        ge=0.0,
        le=1.0,
        description="0..1, or weak (0.3) | medium (0.6) | strong (0.9); default by kind.",
    )
    context: str | None = Field(default=None, description="classmate, hometown, friend...")
    last_contact: date | None = Field(default=None, description="Last time they spoke.")
    notes: str | None = Field(default=None, description="Free text.")

    @field_validator("strength", mode="before")
    @classmethod
    def _strength_word(cls, value: Any, info: ValidationInfo) -> Any:
        if type(value) is float:  # the usual case, first: a million ties come here
            return value
        if value is None:  # `strength: null`, or cleared: the kind's default
            return _kind_default(info.data.get("kind"))
        return _word_number(value, STRENGTH_WORDS, "strength")

    @property
    def pair(self) -> tuple[str, str]:
        """The two ends, sorted for symmetric kinds, as written for directed ones."""
        if self.kind in SYMMETRIC_KINDS:
            a, b = sorted((self.from_, self.to))
            return a, b
        return self.from_, self.to


class Touchpoint(_Strict):
    """One contact between our people and theirs: a meeting, call, e-mail, visit, favour...

    Examples:
        >>> t = Touchpoint.model_validate(
        ...     {"date": "2026-11-02", "kind": "email", "people": ["li-wei", "zhang-min"],
        ...      "direction": "sent"}
        ... )
        >>> t.kind.value, t.direction.value if t.direction else None
        ('email', 'sent')
    """

    date: _dt.date = Field(description="The day it happened (YYYY-MM-DD).")
    kind: TouchKind = Field(
        description="meeting, call, email, message, visit, event, favour or gift."
    )
    people: list[str] = Field(
        description="Ids of every participant, ours and theirs: at least one of ours "
        "(seller side) and one other person."
    )
    direction: Direction | None = Field(
        default=None,
        description="For email and message: sent (by us) or received; for favour and "
        "gift: sent (we did it for them, the default) or received (they did it for us).",
    )
    channel: str | None = Field(default=None, description="WeChat, phone, Teams, on site...")
    notes: str | None = Field(default=None, description="Free text.")
    source: str | None = Field(
        default=None, description="Where it was imported from (an id; re-imports skip it)."
    )
    in_reply_to: str | None = Field(
        default=None,
        description="For email and message: the source id of the message this one answers "
        "(mail: its In-Reply-To header, as mail:<message-id>). A message we sent that "
        "answers one not ours shows they wrote, though theirs is not in the deal.",
    )

    @field_validator("people", mode="before")
    @classmethod
    def _people_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # `people: a, b` in a CSV cell or a quick edit
            return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
        return value

    @field_validator("people")
    @classmethod
    def _two_people(cls, value: list[str]) -> list[str]:
        unique = list(dict.fromkeys(value))
        if len(unique) < 2:
            raise ValueError(
                "a touchpoint needs at least two different people: one of ours and one other"
            )
        return unique

    @model_validator(mode="after")
    def _direction_kind(self) -> Touchpoint:
        if self.direction is not None and self.kind not in WAY_TOUCHES:
            raise ValueError(
                "direction is for email, message, favour and gift touchpoints, "
                f"not {self.kind.value}"
            )
        if self.in_reply_to is not None and self.kind not in DIRECTED_TOUCHES:
            raise ValueError(
                f"in_reply_to is for email and message touchpoints, not {self.kind.value}"
            )
        return self


def touchpoint_problems(
    touchpoints: list[Touchpoint], sides: dict[str, Side], known: Iterable[str]
) -> list[tuple[str, str]]:
    """The cross-reference problems of touchpoints: unknown people, none of ours.

    Examples:
        >>> t = Touchpoint(date=date(2026, 1, 5), kind=TouchKind.CALL, people=["ann", "bo"])
        >>> touchpoint_problems([t], {"ann": Side.SELLER, "bob": Side.CUSTOMER}, ["ann", "bob"])
        [('touchpoints[0].people[1]', "no person 'bo' in this deal; did you mean 'bob'?")]
    """
    problems: list[tuple[str, str]] = []
    suggest: Suggester | None = None
    for i, touch in enumerate(touchpoints):
        bad = False
        for j, pid in enumerate(touch.people):
            if pid not in sides:
                if suggest is None:
                    suggest = Suggester(list(known))
                problems.append(
                    (
                        f"touchpoints[{i}].people[{j}]",
                        f"no person {pid!r} in this deal{suggest.did_you_mean(pid)}",
                    )
                )
                bad = True
        if not bad and not any(sides[p] is Side.SELLER for p in touch.people):
            problems.append(
                (
                    f"touchpoints[{i}].people",
                    "a touchpoint needs one of our people (seller side) among its people",
                )
            )
    return problems


def method_problems(deal: Deal) -> list[tuple[str, str]]:
    """The cross-references of the key-account fields: fact sources, favoured competitors.

    Examples:
        >>> d = Deal.model_construct(
        ...     deal=DealInfo(name="x", competitors=[Competitor(name="Acme")]),
        ...     people=[Person(name="Ann", favours="Acme Corp")],
        ... )
        >>> method_problems(d)  # doctest: +NORMALIZE_WHITESPACE
        [('people[0].favours',
          "no competitor 'Acme Corp' in deal.competitors; did you mean 'Acme'?")]
    """
    problems: list[tuple[str, str]] = []
    info = deal.deal
    if info.facts:
        ids = [p.id for p in deal.people]
        known = set(ids)
        for item, fact in info.facts.items():
            if fact.source is not None and fact.source not in known:
                problems.append(
                    (
                        f"deal.facts.{item}.source",
                        f"no person {fact.source!r} in this deal{did_you_mean(fact.source, ids)}",
                    )
                )
    names = [c.name for c in info.competitors]
    for i, p in enumerate(deal.people):
        if p.favours is not None and p.favours not in names:
            hint = did_you_mean(p.favours, names) if names else "; list it in deal.competitors"
            problems.append(
                (f"people[{i}].favours", f"no competitor {p.favours!r} in deal.competitors{hint}")
            )
    return problems


def _kind_default(kind: Any) -> float:
    """The default strength of a tie of this kind (a bad or missing kind: ``knows``)."""
    return DEFAULT_STRENGTH[kind if isinstance(kind, Kind) else Kind.KNOWS]


class Fact(_Strict):
    """One item of the information checklist: what we know, from whom, since when."""

    text: str = Field(min_length=1, description="What we know.")
    source: str | None = Field(default=None, description="Id of the person who told us.")
    as_of: date | None = Field(default=None, description="When we learnt it.")

    def summary(self) -> str:
        """The fact in one line: its text, then who told us and when (as diff and review say it).

        Examples:
            >>> Fact(text="CNY 2m", source="sec", as_of="2026-10-01").summary()
            'CNY 2m (sec, 2026-10-01)'
            >>> Fact(text="audit findings").summary()
            'audit findings'
        """
        told = ", ".join(x for x in (self.source, self.as_of and self.as_of.isoformat()) if x)
        return f"{self.text} ({told})" if told else self.text


class Competitor(_Strict):
    """A competitor in the deal."""

    name: str = Field(min_length=1, description="The competitor's name (unique in the deal).")
    incumbent: bool = Field(default=False, description="True when they are the incumbent.")
    notes: str | None = Field(default=None, description="Free text.")


class DealInfo(_Strict):
    """What the deal is: name, account, value, dates and owner."""

    id: str | None = Field(default=None, description="Default: slug of the file name.")
    name: str = Field(min_length=1, description="The deal's name (required).")
    account: str | None = Field(default=None, description="The customer organisation.")
    stage: str | None = Field(default=None, description="Free text, as in your CRM.")
    value: float | None = Field(default=None, ge=0, le=MAX_DEAL_VALUE, description="Deal value.")
    currency: str | None = Field(default=None, description="ISO currency code.")
    close_date: date | None = Field(default=None, description="Expected close date.")
    owner: str | None = Field(default=None, description="A seller-side person id.")
    as_of: date | None = Field(
        default=None, description="The day the map describes; ages are measured from it."
    )
    facts: dict[str, Fact] = Field(
        default_factory=dict,
        description="The information checklist: item name (budget, reason, process, "
        "criteria, next_step, sticking_point, or a MEDDPICC item) -> what we know.",
    )
    competitors: list[Competitor] = Field(
        default_factory=list, description="The competitors in the deal."
    )

    @field_validator("facts")
    @classmethod
    def _known_items(cls, value: dict[str, Fact]) -> dict[str, Fact]:
        for item in value:
            if item not in CHECKLIST_ITEMS:
                raise ValueError(
                    f"{item!r} is not a checklist item; expected one of "
                    f"{', '.join(CHECKLIST_ITEMS)}{did_you_mean(item, CHECKLIST_ITEMS)}"
                )
        return value

    @field_validator("competitors")
    @classmethod
    def _unique_competitors(cls, value: list[Competitor]) -> list[Competitor]:
        seen: set[str] = set()
        for c in value:
            if c.name in seen:
                raise ValueError(f"competitor {c.name!r} is listed twice")
            seen.add(c.name)
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        # No id: the slug of the name (deal_from_data passes the file name's slug first).
        if (
            isinstance(data, dict)
            and data.get("id") in (None, "")
            and isinstance(data.get("name"), str)
        ):
            data = {**data, "id": slugify(data["name"])}
        return data


#: The fewest days each step takes, by default (the seeds' pace of a mid-size purchase).
DEFAULT_STEP_MIN_DAYS: dict[Step, int] = {
    Step.NEED: 30,
    Step.SCREENING: 30,
    Step.CRITERIA: 21,
    Step.TENDER: 30,
    Step.COMMITMENT: 14,
}
#: The checklist items each step requires, by default: the seeds' items in their
#: order, each step requiring what the one before did and more.
DEFAULT_CHECKLIST: dict[Step, tuple[str, ...]] = {
    Step.NEED: ("budget", "reason"),
    Step.SCREENING: ("budget", "reason", "process"),
    Step.CRITERIA: ("budget", "reason", "process", "criteria"),
    Step.TENDER: SEED_ITEMS,
    Step.COMMITMENT: SEED_ITEMS,
}
#: How much one touchpoint of each kind counts when fresh (policy ``touch_weight``).
#: In person and favours weigh most (the source method: visit often, do one thing
#: for them each month); a call less; one e-mail or message little.
DEFAULT_TOUCH_WEIGHT: dict[TouchKind, float] = {
    TouchKind.VISIT: 1.5,
    TouchKind.FAVOUR: 1.5,
    TouchKind.MEETING: 1.0,
    TouchKind.GIFT: 1.0,
    TouchKind.CALL: 0.6,
    TouchKind.EVENT: 0.5,
    TouchKind.EMAIL: 0.3,
    TouchKind.MESSAGE: 0.3,
}
#: Days after which a touchpoint counts half (policy ``touch_half_life_days``). A
#: visit, meeting, favour or gift is remembered for months (180 days: half a year of
#: a B2B cycle); a call or a shared event for a quarter and more (120); mail and
#: messages fade fastest (90: a quarter).
DEFAULT_TOUCH_HALF_LIFE_DAYS: dict[TouchKind, int] = {
    TouchKind.VISIT: 180,
    TouchKind.FAVOUR: 180,
    TouchKind.MEETING: 180,
    TouchKind.GIFT: 180,
    TouchKind.CALL: 120,
    TouchKind.EVENT: 120,
    TouchKind.EMAIL: 90,
    TouchKind.MESSAGE: 90,
}

#: How often each role should be touched, in days (policy ``cadence_days``): the
#: people who decide and the insiders who guide us monthly, the technical buyer every
#: six weeks, the users every two months; other roles have no cadence.
DEFAULT_CADENCE_DAYS: dict[Role, int] = {
    Role.DECISION_MAKER: 30,
    Role.ECONOMIC_BUYER: 30,
    Role.CHAMPION: 30,
    Role.COACH: 30,
    Role.TECHNICAL_BUYER: 45,
    Role.USER: 60,
}


class Policy(_Strict):
    """The thresholds the analysis uses; a team file and a deal's ``policy:`` override them.

    Examples:
        >>> Policy().coverage_strength
        0.5
        >>> Policy(max_hops=3).merged(Policy(min_threads=2)).model_dump()["max_hops"]
        3
    """

    coverage_strength: float = Field(default=0.5, ge=0, le=1)
    stale_after_days: int = Field(default=45, ge=0, le=MAX_DAYS)
    decision_influence: float = Field(default=0.8, ge=0, le=1)
    required_roles: list[Role] = Field(
        default_factory=lambda: [
            Role.DECISION_MAKER,
            Role.ECONOMIC_BUYER,
            Role.TECHNICAL_BUYER,
            Role.USER,
            Role.CHAMPION,
        ]
    )
    min_threads: int = Field(default=3, ge=0, le=10_000)
    max_hops: int = Field(default=4, ge=1, le=20)
    paths_per_target: int = Field(default=3, ge=1, le=50)
    avoid_blockers: bool = True
    assessment_stale_days: int = Field(default=90, ge=0, le=MAX_DAYS)
    # -- issue 12: buying steps, information checklist, buying signals -------
    stage_steps: dict[str, Step] = Field(
        default_factory=dict,
        description="CRM stage name (any case) -> step; consulted before the defaults "
        "(influence.analysis.stages.DEFAULT_STAGE_STEPS).",
    )
    step_min_days: dict[Step, int] = Field(
        default_factory=lambda: dict(DEFAULT_STEP_MIN_DAYS),
        description="The fewest days each step takes (close-date-unrealistic).",
    )
    checklist: dict[Step, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_CHECKLIST.items()},
        description="The checklist items each step requires (information-gap).",
    )
    fact_stale_days: int = Field(default=90, ge=0, le=MAX_DAYS)
    buying_signal_days: int = Field(default=30, ge=0, le=MAX_DAYS)
    # -- issue 13: tie warmth from touchpoints (influence.warmth) ----------
    touch_weight: dict[TouchKind, float] = Field(
        default_factory=lambda: dict(DEFAULT_TOUCH_WEIGHT),
        description="How much one fresh touchpoint of each kind counts (tie warmth).",
    )
    touch_half_life_days: dict[TouchKind, int] = Field(
        default_factory=lambda: dict(DEFAULT_TOUCH_HALF_LIFE_DAYS),
        description="Days after which a touchpoint of each kind counts half (tie warmth).",
    )
    one_way_weight: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="What an e-mail or message we sent counts on a tie where they never "
        "wrote back (one-way mail counts little).",
    )
    tie_age_full_days: int = Field(
        default=180,
        ge=1,
        le=MAX_DAYS,
        description="A tie's evidence counts in full once its first touchpoint is this "
        "many days old; a new tie's counts half.",
    )
    cooling_period_days: int = Field(
        default=30,
        ge=1,
        le=MAX_DAYS,
        description="The period a tie's warmth trend is measured over: its warmth on "
        "as_of against its warmth this many days before (cooling-tie).",
    )
    cooling_share: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="A tie is cooling when its warmth fell by more than this share of "
        "what it was cooling_period_days before.",
    )

    # -- issue 13: cadence, and the report's visits ----------------------
    cadence_days: dict[Role, int] = Field(
        default_factory=lambda: dict(DEFAULT_CADENCE_DAYS),
        description="How often each role should be touched, in days (cadence-missed); "
        "a decision-maker without either decision role has decision_maker's.",
    )
    top_decision_maker_cadence_days: int = Field(
        default=30,
        ge=1,
        le=MAX_DAYS,
        description="How often the top decision-maker should be touched, in days (cadence-missed).",
    )
    visit_months: int = Field(
        default=6,
        ge=1,
        le=120,
        description="How many calendar months, up to as_of's, the report's visits per "
        "month per key person cover.",
    )

    @field_validator("stage_steps")
    @classmethod
    def _folded_stages(cls, value: dict[str, Step]) -> dict[str, Step]:
        return {" ".join(k.casefold().split()): v for k, v in value.items()}

    @field_validator("step_min_days")
    @classmethod
    def _days_in_range(cls, value: dict[Step, int]) -> dict[Step, int]:
        for step, days in value.items():
            if not 0 <= days <= MAX_DAYS:
                raise ValueError(f"{step.value}: {days} days; expected 0 to {MAX_DAYS}")
        return value

    @field_validator("touch_weight")
    @classmethod
    def _weights_in_range(cls, value: dict[TouchKind, float]) -> dict[TouchKind, float]:
        for kind, weight in value.items():
            if not 0 <= weight <= 100:
                raise ValueError(f"{kind.value}: weight {weight}; expected 0 to 100")
        return value

    @field_validator("touch_half_life_days")
    @classmethod
    def _half_lives_in_range(cls, value: dict[TouchKind, int]) -> dict[TouchKind, int]:
        for kind, days in value.items():
            if not 1 <= days <= MAX_DAYS:
                raise ValueError(f"{kind.value}: {days} days; expected 1 to {MAX_DAYS}")
        return value

    @field_validator("cadence_days")
    @classmethod
    def _cadences_in_range(cls, value: dict[Role, int]) -> dict[Role, int]:
        for role, days in value.items():
            if not 1 <= days <= MAX_DAYS:
                raise ValueError(f"{role.value}: {days} days; expected 1 to {MAX_DAYS}")
        return value

    @field_validator("checklist")
    @classmethod
    def _checklist_items(cls, value: dict[Step, list[str]]) -> dict[Step, list[str]]:
        for step, items in value.items():
            for item in items:
                if item not in CHECKLIST_ITEMS:
                    raise ValueError(
                        f"{step.value}: {item!r} is not a checklist item; expected one of "
                        f"{', '.join(CHECKLIST_ITEMS)}{did_you_mean(item, CHECKLIST_ITEMS)}"
                    )
        return value

    def merged(self, override: Policy | None) -> Policy:
        """Return this policy with the fields ``override`` sets explicitly taken from it."""
        if override is None:
            return self
        update = {name: getattr(override, name) for name in override.model_fields_set}
        for name in (
            "stage_steps",
            "step_min_days",
            "checklist",
            "touch_weight",
            "touch_half_life_days",
            "cadence_days",
        ):
            if name in update:  # a mapping: the keys it sets win, the others stay
                update[name] = {**getattr(self, name), **update[name]}
        return self.model_copy(update=update)


class _TieNumbers:
    """What validating a big deal found, kept for its deal graph: each tie's ends' places.

    ``a[i]``, ``b[i]``: where ``relationships[i].from_`` and ``.to`` stand in
    ``people`` (numpy arrays). Valid while the deal holds the same two lists, of the
    same lengths (:func:`tie_numbers`), as the deal graph's own cache assumes. A
    cache, not data: it never makes two deals unequal.
    """

    __slots__ = ("a", "b", "people", "rels")

    def __init__(self, rels: list[Relationship], people: list[Person], a: Any, b: Any) -> None:
        self.rels, self.people, self.a, self.b = rels, people, a, b

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TieNumbers)

    __hash__ = None  # type: ignore[assignment]


def tie_numbers(deal: Deal) -> tuple[Any, Any] | None:
    """The ends' places that validating ``deal`` found, if they still hold (see _TieNumbers)."""
    found = deal._tie_numbers
    if (
        found is None
        or found.rels is not deal.relationships
        or found.people is not deal.people
        or len(found.a) != len(deal.relationships)
    ):
        return None
    return found.a, found.b


class Deal(_Strict):
    """A whole deal: its facts, its people, their ties, and policy overrides."""

    version: Literal[1] = Field(default=1, description="File format version; always 1.")
    deal: DealInfo
    people: list[Person] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    policy: Policy | None = None
    touchpoints: list[Touchpoint] = Field(
        default_factory=list,
        description="Contacts between our people and theirs; in the file, a list or the "
        "name of a .csv or .jsonl file beside it.",
    )
    _tie_numbers: _TieNumbers | None = PrivateAttr(default=None)

    def effective_policy(self, team: Policy | None = None) -> Policy:
        """The policy this deal is analysed with: the team's, overridden by the deal's own.

        Examples:
            >>> deal = Deal.model_validate({"deal": {"name": "x"}, "policy": {"max_hops": 2}})
            >>> deal.effective_policy(Policy(max_hops=3)).max_hops
            2
        """
        return (team or Policy()).merged(self.policy)

    @model_validator(mode="after")
    def _integrity(self) -> Deal:
        rels = self.relationships
        # Each column once, at C speed: a million ties are checked and merged from them.
        ends = _TieEnds(
            list(map(attrgetter("from_"), rels)),
            list(map(attrgetter("to"), rels)),
            list(map(attrgetter("kind"), rels)),
        )
        problems = _integrity_problems(
            [p.id for p in self.people], [p.reports_to for p in self.people], ends, self.deal.owner
        )
        if self.touchpoints:  # absent (the usual case): nothing to check
            sides = {p.id: p.side for p in self.people}
            problems += touchpoint_problems(self.touchpoints, sides, sides)
        problems += method_problems(self)
        if problems:
            raise IntegrityProblems(problems)
        merged = _merged(rels, ends, len(self.people))
        if merged is rels and ends.numbers is not None:
            self._tie_numbers = _TieNumbers(rels, self.people, *ends.numbers)
        if len(merged) != len(self.relationships):
            # Not an assignment: validate_assignment would run this validator again.
            object.__setattr__(self, "relationships", merged)
        return self

    # -- lookups -------------------------------------------------------------
    @property
    def id(self) -> str:
        """The deal's id (from the file, or the slug of its file name or name)."""
        return self.deal.id or slugify(self.deal.name)

    def people_by_id(self) -> dict[str, Person]:
        """Return the people keyed by id, in file order."""
        return {p.id: p for p in self.people}

    def person(self, person_id: str) -> Person:
        """Return the person with this id.

        Raises:
            UnknownPersonError: no such person, with the closest id as a suggestion.
        """
        for p in self.people:
            if p.id == person_id:
                return p
        raise UnknownPersonError(person_id, self.id, [p.id for p in self.people])

    def customers(self) -> Iterator[Person]:
        """Yield the customer-side people, in file order."""
        return iter([p for p in self.people if p.side is Side.CUSTOMER])

    def sellers(self) -> Iterator[Person]:
        """Yield our own team, in file order."""
        return (p for p in self.people if p.side is Side.SELLER)

    def as_of(self) -> date:
        """The day the map describes: ``deal.as_of``, or today."""
        return self.deal.as_of or date.today()


def deal_from_data(data: Any, *, default_id: str | None = None) -> Deal:
    """Build a :class:`Deal` from plain data, as a deal file holds it.

    The one way from data to a deal: :func:`influence.read_deal` and every other
    reader call it, and it is ``Deal.model_validate(data)`` with one addition:
    ``default_id`` (the slug of the file's name) is the deal's id when the data
    gives none; without either, the id is the slug of the deal's name. The same
    checks run in every case: the fields, then the cross-references
    (:func:`integrity_problems`), then repeated ties are merged.

    Args:
        data: The deal as plain data (a mapping with ``deal``, ``people``...).
        default_id: The id when ``deal.id`` is missing or empty.

    Returns:
        The deal.

    Raises:
        pydantic.ValidationError: the data is not a valid deal. A cross-reference
            error is one ``value_error`` whose ``ctx["error"]`` is an
            :class:`IntegrityProblems` listing every problem with its field path.

    Examples:
        >>> deal_from_data({"deal": {"name": "ACME ERP"}}, default_id="acme-2026").id
        'acme-2026'
        >>> deal_from_data({"deal": {"name": "ACME ERP"}}).id
        'acme-erp'
        >>> from pydantic import ValidationError
        >>> try:
        ...     deal_from_data({"deal": {"name": "x", "owner": "bob"}})
        ... except ValidationError as err:
        ...     print(err.errors()[0]["ctx"]["error"].problems)
        [('deal.owner', "no person 'bob' in this deal")]
    """
    if default_id and isinstance(data, dict):
        info = data.get("deal")
        if isinstance(info, dict) and not info.get("id"):
            data = {**data, "deal": {**info, "id": default_id}}
    return Deal.model_validate(data)


class IntegrityProblems(ValueError):
    """The cross-reference problems of a deal, raised while it is validated.

    Attributes:
        problems: ``(field path, message)`` pairs, as :func:`integrity_problems` returns.

    Examples:
        >>> print(IntegrityProblems([("deal.owner", "no person 'bob' in this deal")]))
        deal.owner: no person 'bob' in this deal
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        """Keep the problems; the message joins them."""
        super().__init__("; ".join(f"{loc}: {msg}" for loc, msg in problems))
        self.problems = problems


def merge_repeated_ties(relationships: Iterable[Relationship]) -> list[Relationship]:
    """Merge ties of one kind between the same pair: the stronger strength and later contact win.

    ``A knows B`` and ``B knows A`` are one tie. The first tie's place in the list
    and its wording are kept.
    """
    rels = list(relationships)
    return _merged(
        rels,
        _TieEnds(
            list(map(attrgetter("from_"), rels)),
            list(map(attrgetter("to"), rels)),
            list(map(attrgetter("kind"), rels)),
        ),
    )


class _TieEnds:
    """The ends and kinds of a list of ties, as columns.

    ``numbers``: for a big deal whose ties are all sound, each end's place in the
    people list as two numpy arrays (set by :func:`_all_ties_sound`), with which
    :func:`_merged` looks for repeats among integers.
    """

    __slots__ = ("froms", "kinds", "numbers", "tos")

    def __init__(self, froms: list[Any], tos: list[Any], kinds: list[Any]) -> None:
        self.froms, self.tos, self.kinds = froms, tos, kinds
        self.numbers: tuple[Any, Any] | None = None


#: From this many ties, repeats are looked for among numbers (numpy), not tuples.
_NUMBERS_FROM = 2_000
_KIND_NUMBER = {kind: i for i, kind in enumerate(Kind)}


def _repeats_among_numbers(ends: _TieEnds, people: int) -> bool:
    """Whether some (kind, pair) repeats, from the ends' numbers (symmetric kinds unordered)."""
    import numpy as np

    assert ends.numbers is not None
    a, b = ends.numbers
    kind = np.fromiter(map(_KIND_NUMBER.__getitem__, ends.kinds), np.int64, len(a))
    symmetric = np.isin(kind, [_KIND_NUMBER[k] for k in SYMMETRIC_KINDS])
    lo = np.where(symmetric, np.minimum(a, b), a)
    hi = np.where(symmetric, np.maximum(a, b), b)
    keys = (kind * people + lo) * people + hi
    keys.sort()  # a sort, not np.unique (a hash table, ten times slower here)
    return bool((keys[1:] == keys[:-1]).any())


def _merged(rels: list[Relationship], ends: _TieEnds, people: int = 0) -> list[Relationship]:
    """:func:`merge_repeated_ties` of ``rels``, whose columns are ``ends``."""
    if ends.numbers is not None and 4 * people * people < 2**62:
        if not _repeats_among_numbers(ends, people):
            return rels
        return _merged(rels, _TieEnds(ends.froms, ends.tos, ends.kinds))
    froms, tos, kinds = ends.froms, ends.tos, ends.kinds
    # First, at C speed: is any (kind, pair) repeated at all? Usually not.
    symmetric = list(map(SYMMETRIC_KINDS.__contains__, kinds))
    directed = list(map(not_, symmetric))
    sym_keys = zip(
        compress(kinds, symmetric),
        map(min, compress(froms, symmetric), compress(tos, symmetric)),
        map(max, compress(froms, symmetric), compress(tos, symmetric)),
        strict=True,
    )
    keys = set(sym_keys)
    directed_keys = zip(
        compress(kinds, directed), compress(froms, directed), compress(tos, directed), strict=True
    )
    keys.update(directed_keys)
    if len(keys) == len(rels):
        return rels
    out: list[Relationship] = []
    index: dict[tuple[Kind, str, str], int] = {}
    for rel in rels:
        key = (rel.kind, *rel.pair)
        if key not in index:
            index[key] = len(out)
            out.append(rel)
            continue
        kept = out[index[key]]
        contacts = [d for d in (kept.last_contact, rel.last_contact) if d is not None]
        out[index[key]] = kept.model_copy(
            update={
                "strength": max(kept.strength, rel.strength),
                "last_contact": max(contacts) if contacts else None,
                "context": kept.context or rel.context,
                "notes": kept.notes or rel.notes,
            }
        )
    return out


def integrity_problems(
    ids: list[Any],
    reports_to: list[Any],
    relationships: list[tuple[Any, Any, Any]],
    owner: Any,
) -> list[tuple[str, str]]:
    """Return the cross-reference problems of a deal as ``(field path, message)`` pairs.

    It works on plain values so that the same checks serve a half-valid file
    (every problem is reported at once) and a :class:`Deal` built in code.
    Entries that are not strings are skipped: their type error is reported elsewhere.

    Examples:
        >>> integrity_problems(["a", "b"], [None, "c"], [("a", "a", "knows")], None)
        ... # doctest: +NORMALIZE_WHITESPACE
        [('people[1].reports_to', "no person 'c' in this deal"),
         ('relationships[0]', "a relationship from 'a' to itself")]
    """
    ends = _TieEnds(
        [t[0] for t in relationships], [t[1] for t in relationships], [t[2] for t in relationships]
    )
    return _integrity_problems(ids, reports_to, ends, owner)


def _integrity_problems(
    ids: list[Any], reports_to: list[Any], ends: _TieEnds, owner: Any
) -> list[tuple[str, str]]:
    """:func:`integrity_problems` with the ties as columns."""
    problems: list[tuple[str, str]] = []
    known: dict[str, int] = {}
    for i, pid in enumerate(ids):
        if not isinstance(pid, str):
            continue
        if pid in known:
            problems.append(
                (
                    f"people[{i}].id",
                    f"duplicate person id {pid!r} (first used by people[{known[pid]}]); "
                    "give one of them an explicit, different id",
                )
            )
        else:
            known[pid] = i
    suggest: Suggester | None = None

    def unknown(ref: str) -> str:
        nonlocal suggest
        if suggest is None:
            suggest = Suggester(known)
        return f"no person {ref!r} in this deal{suggest.did_you_mean(ref)}"

    managers: dict[str, set[str]] = defaultdict(set)
    for i, (pid, boss) in enumerate(zip(ids, reports_to, strict=True)):
        if not isinstance(boss, str):
            continue
        if boss not in known:
            problems.append((f"people[{i}].reports_to", unknown(boss)))
        elif boss == pid:
            problems.append((f"people[{i}].reports_to", f"{pid!r} cannot report to themselves"))
        elif isinstance(pid, str):
            managers[pid].add(boss)
    reports = Kind.REPORTS_TO.value
    ties: Iterable[tuple[Any, Any, Any]] = zip(ends.froms, ends.tos, ends.kinds, strict=True)
    if _all_ties_sound(ends, known):
        # The usual case, checked with set operations: every end known, no self-tie.
        written = map(eq, ends.kinds, repeat(reports))
        for src, dst in compress(zip(ends.froms, ends.tos, strict=True), written):
            managers[src].add(dst)
        ties = ()
    for i, (src, dst, kind) in enumerate(ties):
        bad = False
        for end, ref in (("from", src), ("to", dst)):
            if isinstance(ref, str) and ref not in known:
                problems.append((f"relationships[{i}].{end}", unknown(ref)))
                bad = True
        if not bad and isinstance(src, str) and src == dst:
            problems.append((f"relationships[{i}]", f"a relationship from {src!r} to itself"))
        elif not bad and str(kind) == reports and isinstance(src, str):
            managers[src].add(str(dst))
    if isinstance(owner, str) and owner not in known:
        problems.append(("deal.owner", unknown(owner)))
    cycle = _find_cycle(managers)
    if cycle:
        first = cycle[0]
        where = f"people[{known[first]}].reports_to" if first in known else "relationships"
        problems.append((where, "reports_to cycle: " + " -> ".join([*cycle, first])))
    return problems


def _all_ties_sound(ends: _TieEnds, known: dict[str, int]) -> bool:
    """True when every tie joins two different known people (C-speed for a million ties).

    For a big deal, the ends' numbers are looked up on the way (``ends.numbers``).
    """
    if len(ends.froms) >= _NUMBERS_FROM:
        import numpy as np

        count = len(ends.froms)
        try:
            a = np.fromiter(map(known.__getitem__, ends.froms), np.int64, count)
            b = np.fromiter(map(known.__getitem__, ends.tos), np.int64, count)
        except (KeyError, TypeError):  # an unknown or unhashable end: told one by one
            return False
        if (a == b).any():
            return False
        ends.numbers = (a, b)
        return True
    try:
        found = set(ends.froms)
        found.update(ends.tos)
    except TypeError:  # an unhashable end in a file that did not validate
        return False
    return known.keys() >= found and not any(map(eq, ends.froms, ends.tos))


def _find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """Return one cycle in a small directed graph (sorted, so deterministic), or []."""
    state: dict[str, int] = {}
    for start in sorted(edges):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                cycle = path[path.index(child) :]
                # Rotate so the smallest id leads: the same cycle always reads the same.
                k = cycle.index(min(cycle))
                return cycle[k:] + cycle[:k]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(edges.get(child, ())))))
    return []


# The models declare their fields in the order the spec writes them.
#: A person's fields in the spec's order (files, exports and edits use it).
PERSON_KEYS: tuple[str, ...] = tuple(Person.model_fields)
#: A relationship's fields in the spec's order, as written in files (``from``, not ``from_``).
TIE_KEYS: tuple[str, ...] = tuple(f.alias or n for n, f in Relationship.model_fields.items())
#: A relationship's fields other than its two ends and kind, which make it that tie.
TIE_DETAILS: tuple[str, ...] = TIE_KEYS[3:]
#: A touchpoint's fields in the spec's order (sidecar files' columns).
TOUCH_KEYS: tuple[str, ...] = tuple(Touchpoint.model_fields)
