"""One reading path: one format_of, one function from data to a Deal for the model and io."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from influence import (
    Deal,
    DealFileError,
    DealInfo,
    _yaml,
    check_deal,
    deal_from_data,
    format_of,
    parse_deal,
    read_deal,
)
from influence.model import IntegrityProblems
from tests.conftest import EXAMPLES


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("deal.json", None, "json"),
        ("DEAL.JSON", "a: 1", "json"),  # the extension wins over the text
        ("deal.yaml", '{"a": 1}', "yaml"),
        ("deal.YML", None, "yaml"),
        ("/dev/fd/63", '  {"deal": {}}', "json"),
        ("HEAD-deal", "deal: {name: x}", "yaml"),
        ("HEAD-deal", "", "yaml"),
    ],
)
def test_format_of(name: str, text: str | None, expected: str) -> None:
    assert format_of(name, text) == expected
    assert format_of(Path(name), text) == expected


@pytest.mark.parametrize("name", ["deal.txt", "deal", "deal.yaml.bak"])
def test_format_of_an_unknown_extension_without_text_is_a_file_error(name: str) -> None:
    with pytest.raises(DealFileError) as caught:
        format_of(name)
    assert caught.value.exit_code == 3
    assert str(caught.value).startswith(f"{name}: unknown file type")
    assert ".yaml, .yml or .json" in str(caught.value)


def test_import_and_read_refuse_the_same_extensions(tmp_path: Path) -> None:
    from influence.interop.importing import import_deal, parse_table, write_imported

    result = import_deal(parse_table("name\nAnn"), deal_name="P")
    for reader in (read_deal, lambda p: write_imported(result, p)):
        with pytest.raises(DealFileError, match=r"unknown file type '\.txt'"):
            reader(tmp_path / "deal.txt")
    assert not (tmp_path / "deal.txt").exists()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_read_deal_is_deal_from_data_with_the_file_name_as_default_id(path: Path) -> None:
    data = _yaml.load(path.read_text(encoding="utf-8"))
    assert read_deal(path) == deal_from_data(data, default_id=path.stem)
    if data["deal"].get("id"):
        assert deal_from_data(data) == Deal.model_validate(data) == read_deal(path)


def test_default_id_order_file_name_then_name() -> None:
    data: dict[str, Any] = {"deal": {"name": "ACME ERP"}}
    assert deal_from_data(data, default_id="from-file").id == "from-file"
    assert deal_from_data(data).deal.id == "acme-erp"
    assert Deal.model_validate(data).deal.id == "acme-erp"
    assert DealInfo(name="Big Deal").id == "big-deal"
    given = {"deal": {"name": "ACME ERP", "id": "given"}}
    assert deal_from_data(given, default_id="from-file").id == "given"
    empty = {"deal": {"name": "ACME ERP", "id": ""}}
    assert deal_from_data(empty, default_id="from-file").id == "from-file"
    assert data == {"deal": {"name": "ACME ERP"}}  # the caller's data is left alone


def test_read_deal_default_id_is_the_file_stem(write: Any) -> None:
    path = write("deal: {name: ACME ERP}\n", "q3-acme.yaml")
    assert read_deal(path).id == "q3-acme"
    assert parse_deal("deal: {name: ACME ERP}").id == "acme-erp"


BROKEN = {
    "deal": {"name": "x", "owner": "bobb"},
    "people": [{"name": "Bob"}, {"name": "Ann", "reports_to": "ann"}],
    "relationships": [{"from": "bob", "to": "carl"}, {"from": "ann", "to": "ann"}],
}


def test_model_and_io_report_the_same_integrity_problems(write: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Deal.model_validate(BROKEN)
    (error,) = caught.value.errors()
    cause = error["ctx"]["error"]
    assert isinstance(cause, IntegrityProblems)
    fields = sorted(loc for loc, _ in cause.problems)
    assert fields == [
        "deal.owner",
        "people[1].reports_to",
        "relationships[0].to",
        "relationships[1]",
    ]
    assert "did you mean 'bob'" in dict(cause.problems)["deal.owner"]
    import json

    result = check_deal(write(json.dumps(BROKEN, indent=2), "broken.json"))
    assert result.deal is None
    assert sorted(p.field for p in result.errors) == fields
    assert all(p.line > 0 for p in result.errors)  # located in the file
    assert {p.message for p in result.errors} == {msg for _, msg in cause.problems}


def test_repeated_ties_merge_the_same_way_in_the_model_and_io(write: Any) -> None:
    data = {
        "deal": {"name": "x", "id": "x"},
        "people": [{"name": "A"}, {"name": "B"}],
        "relationships": [
            {"from": "a", "to": "b", "strength": 0.3, "last_contact": "2026-01-02"},
            {"from": "b", "to": "a", "strength": 0.8},
        ],
    }
    model = Deal.model_validate(data)
    assert len(model.relationships) == 1
    assert model.relationships[0].strength == 0.8
    assert str(model.relationships[0].last_contact) == "2026-01-02"
    assert read_deal(write(_yaml.dump(data))) == model
