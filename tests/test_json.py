"""The JSON text of a model: pydantic writes it, byte for byte as the standard library would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from influence import Deal, analyze, read_deal
from influence._json import model_json
from tests.conftest import EXAMPLES
from tests.strategies import deal_data


def reference(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False)


class Numbers(BaseModel):
    values: list[float]
    named: dict[str, float]
    text: str


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_report_is_the_reference_text(example: Path) -> None:
    report = analyze(read_deal(example))
    assert model_json(report) == reference(report)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deal_data())
def test_random_deal_reports_are_the_reference_text(data: dict[str, object]) -> None:
    report = analyze(Deal.model_validate(data))
    assert model_json(report) == reference(report)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=8),
    st.dictionaries(st.text(max_size=8), st.floats(allow_nan=False, allow_infinity=False)),
    st.text(max_size=12),
)
def test_any_float_is_spelled_as_python_spells_it(
    values: list[float], named: dict[str, float], text: str
) -> None:
    model = Numbers(values=values, named=named, text=text)
    assert model_json(model) == reference(model)


@pytest.mark.parametrize(
    "value", [1e-05, 2.5e-07, -3e-09, 5e-324, 1e-300, 0.0001, 0.00012, 1e16, 1.5e300]
)
def test_the_numbers_pydantic_spells_otherwise(value: float) -> None:
    model = Numbers(values=[value], named={"0.00001 e-5": value}, text="1e-05 0.00001")
    text = model_json(model)
    assert text == reference(model)
    assert f"    {value!r}\n" in text


def test_strings_that_look_like_numbers_are_left_alone() -> None:
    model = Numbers(values=[], named={}, text="0.00001")
    assert '"text": "0.00001"' in model_json(model)


def test_a_lone_surrogate_falls_back_to_the_standard_library() -> None:
    model = Numbers(values=[1e-05], named={}, text="\ud800")
    assert model_json(model) == reference(model)
