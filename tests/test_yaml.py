"""The fast YAML path builds exactly what the general constructor builds."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from influence import _yaml


def _general(text: str) -> Any:
    loader = _yaml.Loader12(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


TRICKY = [
    "name: NO\nflag: yes\nok: true\nnone: ~\nempty:\noct: 0o17\nhex: 0x1F\nold_oct: 012\n",
    "f: 1.5\ne: 1e3\ninf: -.inf\nnan: .NaN\ndot: .5\nint: -42\nplus: +7\n",
    "d: 2026-11-20\nt: 12:30\nquoted: '0.5'\nq2: \"true\"\n",
    "base: &b {a: 1, b: [x, y]}\nuse: *b\nagain: *b\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float '2'\nd: !!bool 'true'\ne: !!null ''\n",
    "- &x [1, 2]\n- *x\n- {k: *x}\n",
    "multi: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
    "key with spaces: value\n'quoted key': 1\n\"k\\u00e9y\": 2\n",
    "# only a comment\n",
    "",
    "---\nname: one\n...\n",
    "人物: 张伟\nemoji: 🎉\n",
]

UNUSUAL = [
    "base: &b {a: 1}\nmerged: {<<: *b, c: 2}\n",  # merge key: the general constructor decides
    "b: !!binary aGVsbG8=\n",
    "r: &r [*r]\n",  # recursive alias
]


@pytest.mark.parametrize("text", TRICKY + UNUSUAL)
def test_fast_path_matches_the_general_constructor(text: str) -> None:
    expected = _general(text)
    got = _yaml.load(text)
    if text.startswith("r:"):
        assert got["r"][0] is got["r"]
    else:
        assert _same(got, expected)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: 1\na: 2\n", _yaml.DuplicateKeyError),
        ("a: *missing\n", yaml.YAMLError),
        ("a: 1\n---\nb: 2\n", yaml.YAMLError),
        ("a: [1, 2\n", yaml.YAMLError),
        ("a: !custom x\n", yaml.YAMLError),
        ("? [a, b]\n: complex key\n", yaml.YAMLError),
    ],
)
def test_errors_come_from_the_general_path(text: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        _yaml.load(text)
    with pytest.raises(error) as general:
        _general(text)
    assert str(caught.value) == str(general.value)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["NO", "yes", "on", "0o17", "012", "1e3", "~", "null", "- x", "a: b", "#"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(DATA)
def test_dumped_data_loads_back_the_same_both_ways(data: Any) -> None:
    text = _yaml.dump(data)
    assert _same(_yaml.load(text), data)
    assert _same(_general(text), data)
