"""Hypothesis strategies: random valid deals."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from influence import Deal

# Any text a rep could type, minus surrogates (which no UTF-8 file can hold).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31))
UNIT = st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 3))
STANCES = st.sampled_from(["ally", "neutral", "blocker", "unknown"])
SIDES = st.sampled_from(["customer", "customer", "customer", "seller", "partner"])
ROLES = st.lists(
    st.sampled_from(
        [
            "decision_maker",
            "economic_buyer",
            "technical_buyer",
            "user",
            "champion",
            "coach",
            "influencer",
            "gatekeeper",
            "procurement",
            "legal",
        ]
    ),
    max_size=3,
    unique=True,
)
KINDS = st.sampled_from(["knows", "influences", "reports_to", "conflicts_with"])
# The key-account method's fields (issue 12).
COMPETITORS = ["Acme", "Globex", "Initech"]
REFUSALS = st.fixed_dictionaries(
    {"kind": st.sampled_from(["no_need", "no_trust", "no_budget", "no_hurry"])},
    optional={"as_of": DATES, "resolved": st.one_of(st.booleans(), DATES), "notes": TEXT},
)
BUYING_SIGNALS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            [
                "accepted_condition",
                "agreed_next_step",
                "introduced_senior",
                "called_technical_meeting",
            ]
        ),
        "date": DATES,
    }
)
#: Stage names: mapped ones of every step (and the ends), or any text (no step, a warning).
STAGES = st.one_of(
    st.sampled_from(
        [
            "Prospecting",
            "Needs Analysis",
            "evaluation",
            "Negotiation",
            "contract sent",
            "onboarding",
            "Closed Won",
            "Closed Lost",
            "招标",
        ]
    ),
    TEXT,
)
ITEMS = st.sampled_from(
    [
        "budget",
        "reason",
        "process",
        "criteria",
        "next_step",
        "sticking_point",
        "metrics",
        "champion",
    ]
)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def deal_data(draw: st.DrawFn, min_people: int = 1, max_people: int = 12) -> dict[str, Any]:
    """Plain data of a random valid deal (no reports_to cycles, known ids only)."""
    n = draw(st.integers(min_value=min_people, max_value=max_people))
    ids = [f"p{i}" for i in range(n)]
    people: list[dict[str, Any]] = []
    for i, pid in enumerate(ids):
        person: dict[str, Any] = {
            "id": pid,
            "name": draw(TEXT.filter(lambda t: t.strip() != "")),
            "side": draw(SIDES),
            "stance": draw(STANCES),
            "influence": draw(UNIT),
        }
        if person["side"] == "customer":
            person["roles"] = draw(ROLES)
        for key, strategy in (
            ("title", TEXT),
            ("assessed", DATES),
            ("style", st.sampled_from(["analytical", "driver", "expressive", "amiable"])),
            ("notes", TEXT),
        ):
            value = draw(_optional(strategy))
            if value is not None:
                person[key] = value
        for key, strategy in (
            ("status", st.sampled_from(["active", "left"])),
            ("favours", st.sampled_from(COMPETITORS)),
            ("needs", TEXT),
            ("refusals", st.lists(REFUSALS, max_size=2)),
            ("buying_signals", st.lists(BUYING_SIGNALS, max_size=2)),
        ):
            if draw(st.integers(0, 3)) == 0:  # a quarter of people have each
                person[key] = draw(strategy)
        # Managers come earlier in the list: no cycles by construction.
        if i and draw(st.booleans()):
            person["reports_to"] = ids[draw(st.integers(0, i - 1))]
        people.append(person)
    relationships: list[dict[str, Any]] = []
    if n >= 2:
        for _ in range(draw(st.integers(0, 3 * n))):
            a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
            kind = draw(KINDS)
            if kind == "reports_to" and ids.index(b) > ids.index(a):
                a, b = b, a  # keep reports_to pointing to earlier people
            rel: dict[str, Any] = {"from": a, "to": b, "kind": kind, "strength": draw(UNIT)}
            for key, strategy in (("context", TEXT), ("last_contact", DATES), ("notes", TEXT)):
                value = draw(_optional(strategy))
                if value is not None:
                    rel[key] = value
            relationships.append(rel)
    info: dict[str, Any] = {"name": draw(TEXT.filter(lambda t: t.strip() != ""))}
    info["as_of"] = draw(DATES)
    for key, strategy in (
        ("account", TEXT),
        ("stage", STAGES),
        ("value", st.floats(min_value=0, max_value=1e9, allow_nan=False)),
        ("currency", st.sampled_from(["USD", "EUR", "CNY"])),
        ("close_date", DATES),
    ):
        value = draw(_optional(strategy))
        if value is not None:
            info[key] = value
    if any("favours" in p for p in people) or draw(st.booleans()):
        info["competitors"] = [{"name": c, "incumbent": draw(st.booleans())} for c in COMPETITORS]
    else:
        for p in people:
            p.pop("favours", None)
    if draw(st.booleans()):
        sources = st.one_of(st.none(), st.sampled_from(ids))
        info["facts"] = {
            item: {"text": "known", "source": draw(sources), "as_of": draw(_optional(DATES))}
            for item in draw(st.lists(ITEMS, max_size=4, unique=True))
        }
    sellers = [p["id"] for p in people if p["side"] == "seller"]
    if sellers and draw(st.booleans()):
        info["owner"] = draw(st.sampled_from(sellers))
    data: dict[str, Any] = {"version": 1, "deal": info, "people": people}
    data["relationships"] = relationships
    if sellers and n >= 2 and draw(st.integers(0, 2)) == 0:  # a third have touchpoints
        data["touchpoints"] = [
            draw(_touchpoint(sellers, ids)) for _ in range(draw(st.integers(1, 8)))
        ]
    if draw(st.booleans()):
        data["policy"] = {"max_hops": draw(st.integers(1, 6))}
    return data


TOUCH_KINDS = ["meeting", "call", "email", "message", "visit", "event", "favour", "gift"]


@st.composite
def _touchpoint(draw: st.DrawFn, sellers: list[str], ids: list[str]) -> dict[str, Any]:
    """A touchpoint of one of ours and one or more others (issue 13's fields)."""
    ours = draw(st.sampled_from(sellers))
    others = draw(st.lists(st.sampled_from([i for i in ids if i != ours]), min_size=1, max_size=3))
    kind = draw(st.sampled_from(TOUCH_KINDS))
    touch: dict[str, Any] = {"date": draw(DATES), "kind": kind, "people": [ours, *others]}
    if kind in ("email", "message", "favour", "gift") and draw(st.booleans()):
        touch["direction"] = draw(st.sampled_from(["sent", "received"]))
    for key, strategy in (("channel", TEXT), ("notes", TEXT)):
        value = draw(_optional(strategy))
        if value is not None:
            touch[key] = value
    if draw(st.booleans()):
        touch["source"] = f"mail:{draw(st.integers(0, 5))}"
    if kind in ("email", "message") and draw(st.booleans()):
        touch["in_reply_to"] = f"mail:{draw(st.integers(0, 5))}"
    return touch


def deals(min_people: int = 1, max_people: int = 12) -> st.SearchStrategy[Deal]:
    """Random valid :class:`Deal` objects."""
    return deal_data(min_people, max_people).map(Deal.model_validate)


@st.composite
def introduction_deal_data(draw: st.DrawFn, max_people: int = 12) -> dict[str, Any]:
    """A random deal with a chain of ties from a seller to a decision-maker.

    On top of :func:`deal_data`: the first person is on our team, and a chain of
    ``knows``/``influences`` ties runs from them through a few people to a
    customer with the role decision_maker, so introduction paths of several hops
    (and the actions that ask for them) are common.
    """
    data = draw(deal_data(min_people=3, max_people=max_people))
    people = data["people"]
    people[0]["side"] = "seller"
    people[0].pop("roles", None)
    data["deal"].pop("owner", None)  # the owner may have changed sides below
    others = [p["id"] for p in people[1:]]
    chain = draw(st.permutations(others).map(lambda ids: ids[: len(ids)]))
    chain = chain[: draw(st.integers(1, min(5, len(chain))))]
    target = people[[p["id"] for p in people].index(chain[-1])]
    target["side"] = "customer"
    target["roles"] = sorted({*target.get("roles", []), "decision_maker"})
    strengths = st.floats(min_value=0.05, max_value=1).map(lambda x: round(x, 2))
    for a, b in zip([people[0]["id"], *chain], chain, strict=False):
        tie: dict[str, Any] = {
            "from": a,
            "to": b,
            "kind": draw(st.sampled_from(["knows", "knows", "influences"])),
            "strength": draw(strengths),
        }
        if draw(st.booleans()):
            tie["last_contact"] = draw(DATES)
        data["relationships"].append(tie)
    # A touchpoint whose one seller became a customer above has none of ours: not kept.
    sellers = {p["id"] for p in people if p["side"] == "seller"}
    if "touchpoints" in data:
        data["touchpoints"] = [t for t in data["touchpoints"] if sellers & set(t["people"])]
        if not data["touchpoints"]:
            del data["touchpoints"]
    return data


def introduction_deals(max_people: int = 12) -> st.SearchStrategy[Deal]:
    """Random valid deals with introduction paths of several hops (see above)."""
    return introduction_deal_data(max_people).map(Deal.model_validate)
