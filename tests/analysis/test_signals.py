"""The signal registry: one complete entry per code, messages rendered from facts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from influence import analyze
from influence.analysis.report import DEAL_WIDE_SIGNALS, Signal
from influence.analysis.risk import SIGNAL_CODES, signal
from influence.analysis.signals import POINTS, SIGNALS, SignalFacts
from influence.model import Person
from tests.analysis.test_risk import FIRES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "analysis.md"

PEOPLE = {
    pid: Person(id=pid, name=name, title=title)
    for pid, name, title in [
        ("ann", "Ann Lee", "CEO"),
        ("bo", "Bo Chen", None),
        ("cy", "Cy Park", "CFO"),
    ]
}

#: Example facts for every code: a new signal needs one here (the test below says so).
EXAMPLES: dict[str, tuple[SignalFacts, list[str]]] = {
    "no-decision-maker": (SignalFacts(), []),
    "decision-maker-uncovered": (SignalFacts(person="ann"), ["Ann Lee (CEO)"]),
    "top-decision-maker-uncovered": (
        SignalFacts(person="ann", step="tender"),
        ["Ann Lee (CEO) is the top decision-maker", "The deal is at step tender."],
    ),
    "close-date-passed": (
        SignalFacts(step="tender", close_date=date(2026, 11, 1), days=19),
        ["The close date 2026-11-01 passed 19 days ago", "still at step tender"],
    ),
    "close-date-unrealistic": (
        SignalFacts(
            step="criteria",
            close_date=date(2026, 12, 20),
            days=30,
            threshold=44,
            steps=("tender", "commitment"),
        ),
        ["30 days away", "(tender, commitment) take at least 44 days"],
    ),
    "no-coach": (SignalFacts(), ["coach or champion", "tells us the truth"]),
    "decision-maker-blocker": (SignalFacts(person="cy"), ["Cy Park (CFO)"]),
    "role-missing": (SignalFacts(role="champion"), ["champion"]),
    "role-uncovered": (
        SignalFacts(role="user", holders=("ann", "bo"), stale=("bo",)),
        [
            "user",
            "Ann Lee (CEO), Bo Chen",
            "; we reach Bo Chen only by stale ties, and the others not at all.",
        ],
    ),
    "no-champion": (SignalFacts(), ["champion"]),
    "single-threaded": (SignalFacts(reached=("ann", "bo"), threshold=4), ["2 customers", "4"]),
    "blocker-influences-decision-maker": (
        SignalFacts(blocker="bo", decision_makers=("ann",), chains=(("bo", "cy", "ann"),)),
        ["Blocker Bo Chen reaches decision-maker Ann Lee (CEO) (Bo Chen -> Cy Park -> Ann Lee)."],
    ),
    "unknown-stance": (
        SignalFacts(person="bo", reason="influential", influence=0.7),
        ["Bo Chen is influential (0.7)"],
    ),
    "stale-relationship": (
        SignalFacts(person="cy", reason="champion", days=61),
        ["champion Cy Park (CFO)", "61 days ago"],
    ),
    "doubtful-assessment": (
        SignalFacts(person="ann", stance="ally", days=120),
        ["Ann Lee (CEO)'s stance (ally)", "120 days ago"],
    ),
    "negative-support": (SignalFacts(support=-0.25), ["Support is -0.25"]),
    "ally-conflicts-with-decision-maker": (
        SignalFacts(ally="bo", decision_makers=("cy",)),
        ["Our ally Bo Chen is at odds with decision-maker Cy Park (CFO)."],
    ),
    "hidden-influencer": (SignalFacts(person="bo", rank=1, influence=0.2), ["#1", "only 0.2"]),
    "isolated-person": (SignalFacts(person="ann"), ["Ann Lee (CEO) has no ties"]),
    "information-gap": (
        SignalFacts(item="next_step", step="tender", days=120, threshold=90, source="bo"),
        ["the next step", "120 days old (from Bo Chen)", "step tender", "90 days"],
    ),
    "competitor-favoured": (
        SignalFacts(person="cy", competitor="Acme", reason="decision-maker"),
        ["Cy Park (CFO) is a decision-maker and favours Acme."],
    ),
    "small-player-unengaged": (
        SignalFacts(person="bo", influence=0.2, reaches=("ann", "cy")),
        ["Bo Chen", "(0.2)", "Ann Lee (CEO) and Cy Park (CFO)", "stance is unknown"],
    ),
    "open-refusal": (
        SignalFacts(person="cy", refusals=("no_budget", "no_hurry")),
        ["Cy Park (CFO) said no budget and no hurry"],
    ),
    "no-recent-buying-signal": (
        SignalFacts(step="commitment", days=30),
        ["step commitment", "last 30 days"],
    ),
    "person-left": (SignalFacts(person="ann"), ["Ann Lee (CEO) has left"]),
    "cadence-missed": (
        SignalFacts(person="cy", days=52, threshold=30, cadence_role="decision_maker"),
        ["No touch with Cy Park (CFO) for 52 days; the cadence for decision-makers is 30."],
    ),
    "cooling-tie": (
        SignalFacts(
            person="ann", seller="bo", before=0.903, now=0.795, since=date(2026, 10, 21), days=30
        ),
        [
            "Bo Chen's tie to Ann Lee (CEO) is cooling: warmth 0.90 on 2026-10-21, 0.80 now "
            "(30 days)."
        ],
    ),
    "single-seller-dependency": (
        SignalFacts(seller="bo", decision_makers=("ann", "cy")),
        [
            "Bo Chen holds every warm tie to the decision-makers we reach (Ann Lee (CEO) and "
            "Cy Park (CFO)): if they leave, the deal has no way in."
        ],
    ),
}


def _docs_rules() -> dict[str, tuple[str, str]]:
    text = DOCS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (high|medium|low|info) \| (.+) \|$", text, re.M)
    return {code: (severity, rule) for code, severity, rule in rows}


def test_every_code_has_example_facts() -> None:
    assert sorted(EXAMPLES) == sorted(SIGNALS)


@pytest.mark.parametrize("code", sorted(SIGNALS))
def test_every_entry_is_complete(code: str) -> None:
    spec = SIGNALS[code]
    assert spec.code == code
    assert spec.points == POINTS[spec.severity]
    assert spec.weight is not None or spec.scope != "person"  # about people: weighed by them
    assert spec.scope in ("deal", "person", "role", "item")
    assert callable(spec.message)
    # an answer, or an explicit None (every signal of today has one)
    assert spec.answer is None or callable(spec.answer)
    assert spec.answer is not None
    # the docs table row is this entry: severity and rule, word for word
    assert _docs_rules()[code] == (spec.severity, spec.rule)
    assert SIGNAL_CODES[code] == (spec.severity, spec.rule)


@pytest.mark.parametrize("code", sorted(SIGNALS))
def test_every_template_renders_its_example_facts(code: str) -> None:
    facts, expected = EXAMPLES[code]
    made = signal(code, [], facts, PEOPLE)
    assert made.message.endswith(".") and "\n" not in made.message
    assert "None" not in made.message
    for part in expected:
        assert part in made.message, (part, made.message)
    spec = SIGNALS[code]
    weight = spec.weigh(facts, PEOPLE)
    assert (made.severity, made.points, made.weight, made.role) == (
        spec.severity,
        round(spec.points * weight),
        weight,
        facts.role,
    )
    assert 0.5 <= weight <= 3.0


def test_one_signal_names_every_decision_maker_a_blocker_reaches() -> None:
    facts = SignalFacts(
        blocker="bo", decision_makers=("ann", "cy"), chains=(("bo", "ann"), ("bo", "ann", "cy"))
    )
    made = signal("blocker-influences-decision-maker", ["bo", "ann", "cy"], facts, PEOPLE)
    assert made.message == (
        "Blocker Bo Chen reaches 2 decision-makers: Ann Lee (CEO) (Bo Chen -> Ann Lee) "
        "and Cy Park (CFO) (Bo Chen -> Ann Lee -> Cy Park)."
    )
    one = signal(
        "blocker-influences-decision-maker",
        ["bo", "ann"],
        facts.model_copy(update={"decision_makers": ("ann",), "chains": (("bo", "ann"),)}),
        PEOPLE,
    )
    # a second decision-maker adds half their weight: more, never as much as two signals
    assert one.points < made.points < 2 * one.points


def test_one_signal_names_every_decision_maker_an_ally_is_at_odds_with() -> None:
    facts = SignalFacts(ally="bo", decision_makers=("ann", "cy"))
    made = signal("ally-conflicts-with-decision-maker", ["bo", "ann", "cy"], facts, PEOPLE)
    assert made.message == (
        "Our ally Bo Chen is at odds with decision-makers Ann Lee (CEO) and Cy Park (CFO)."
    )


def test_the_docs_list_exactly_the_registry() -> None:
    assert set(_docs_rules()) == set(SIGNALS)


def test_deal_wide_signals_come_from_the_scopes() -> None:
    assert {c for c, s in SIGNALS.items() if s.scope == "deal"} == DEAL_WIDE_SIGNALS
    role = next(c for c, s in SIGNALS.items() if s.scope == "role")
    a = Signal(code=role, severity="medium", people=["x"], message="", role="user")
    assert a.identity() == (role, "user")


@pytest.mark.parametrize("code", sorted(FIRES))
def test_a_fired_signal_carries_the_facts_its_message_is_made_of(code: str) -> None:
    deal = FIRES[code][0]
    people = deal.people_by_id()
    found = [s for s in analyze(deal).signals if s.code == code]
    assert found
    for s in found:
        assert s.facts != SignalFacts() or SIGNALS[code].scope == "deal"
        assert SIGNALS[code].message(s.facts, people) == s.message
        # the facts stay out of the JSON: its keys are the documented ones
        assert "facts" not in s.model_dump(mode="json")


def test_stale_and_doubtful_days_are_facts_not_prose() -> None:
    for code in ("stale-relationship", "doubtful-assessment"):
        deal = FIRES[code][0]
        s = next(s for s in analyze(deal).signals if s.code == code)
        assert s.facts.days is not None and f"{s.facts.days} days" in s.message
        # the action reads the same number from the facts
        action = next(a for a in analyze(deal).actions if a.signal == code)
        assert f"{s.facts.days} days" in action.text
