"""Writing then reading a deal gives the same deal; one file means one thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from influence import Deal, dump_deal, parse_deal, read_deal, write_deal
from influence._yaml import dump, load
from tests.strategies import deals

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(deal=deals())
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_random_deals_survive_write_then_read(tmp_path: Path, suffix: str, deal: Deal) -> None:
    path = tmp_path / f"deal{suffix}"
    write_deal(deal, path)
    again = read_deal(path)
    assert again == deal
    assert again.model_dump() == deal.model_dump()
    assert again.policy is None or again.policy.model_fields_set == deal.policy.model_fields_set  # type: ignore[union-attr]


@SETTINGS
@given(deal=deals())
def test_yaml_and_json_mean_the_same(deal: Deal) -> None:
    assert parse_deal(dump_deal(deal, "yaml")) == parse_deal(dump_deal(deal, "json"), "json")


TRICKY = [
    "NO",
    "no",
    "yes",
    "on",
    "off",
    "Y",
    "012",
    "0o17",
    "0x1F",
    "1_000",
    "1e3",
    ".inf",
    "~",
    "null",
    "true",
    "2026-11-20",
    "12:30",
    "-",
    "'quoted'",
    '"dq"',
    "#hash",
    "a: b",
    "- dash",
    "{brace}",
    "[bracket]",
    "*star",
    "&amp",
    "!tag",
    "%pct",
    "@at",
    "`tick",
    " lead",
    "trail ",
    "multi\nline",
    "tab\there",
    "张敏",
    "emoji 😀",
]


@pytest.mark.parametrize("text", TRICKY)
def test_strings_that_look_like_other_things_stay_text(text: str) -> None:
    data: dict[str, Any] = {"name": text}
    assert load(dump(data)) == data


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("NO", "NO"),  # YAML 1.1 would read false
        ("yes", "yes"),
        ("on", "on"),
        ("012", 12),  # YAML 1.1 would read octal 10
        ("0o17", 15),
        ("1_000", "1_000"),  # YAML 1.1 would read 1000
        ("true", True),
        ("2026-11-20", "2026-11-20"),  # dates stay text; the models parse them
        ("~", None),
    ],
)
def test_yaml_12_core_schema(plain: str, value: Any) -> None:
    assert load(f"x: {plain}\n") == {"x": value}


def test_person_named_no_is_not_false(write: Any) -> None:
    deal = read_deal(write("deal: {name: NO}\npeople:\n  - name: NO\n    title: ON\n"))
    assert deal.deal.name == "NO"
    assert (deal.people[0].name, deal.people[0].title, deal.people[0].id) == ("NO", "ON", "no")


def test_words_and_defaults() -> None:
    deal = parse_deal(
        """
deal: {name: Words}
people:
  - {name: A, influence: low, side: seller}
  - {name: B, influence: HIGH}
  - {name: C, reports_to: b}
relationships:
  - {from: a, to: b, strength: weak}
  - {from: c, to: b, kind: reports_to}
  - {from: a, to: c, kind: influences}
"""
    )
    assert [p.influence for p in deal.people] == [0.25, 0.85, 0.5]
    assert [r.strength for r in deal.relationships] == [0.3, 0.6, 0.5]
    assert deal.people[2].reports_to == "b"


def test_repeated_knows_is_one_tie() -> None:
    deal = parse_deal(
        """
deal: {name: Merge}
people: [{name: A}, {name: B}]
relationships:
  - {from: a, to: b, strength: 0.4, last_contact: 2026-10-01, context: classmate}
  - {from: b, to: a, strength: 0.7, last_contact: 2026-09-01}
"""
    )
    [tie] = deal.relationships
    assert (tie.strength, tie.last_contact.isoformat(), tie.context) == (
        0.7,
        "2026-10-01",
        "classmate",
    )


def test_ids_default_to_slugs_and_deal_id_to_file_name(write: Any) -> None:
    path = write("deal: {name: Big Deal}\npeople: [{name: José Müller}]\n", "acme-erp.yaml")
    deal = read_deal(path)
    assert deal.id == "acme-erp"
    assert deal.people[0].id == "jose-muller"


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    deal = parse_deal("deal: {name: Tiny}\n")
    target = tmp_path / "tiny.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_deal(deal, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]
    assert target.stat().st_mode & 0o777 == 0o640
    assert read_deal(target) == deal


def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    import os

    old = os.umask(0o027)
    try:
        write_deal(parse_deal("deal: {name: Tiny}\n"), tmp_path / "new.yaml")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o640  # 0666 less the umask
