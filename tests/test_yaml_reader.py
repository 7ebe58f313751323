"""The fast YAML path builds exactly what the general constructor builds."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
import yaml_rs
from benchmarks.generate import dump_deal, generate_deal
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
    if isinstance(a, dict) and isinstance(b, dict):  # keys too: a .nan key is no key's equal
        return len(a) == len(b) and all(
            _same(ka, kb) and _same(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
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
        ("b: !!binary aGVsbG8=\n", yaml.YAMLError),  # no field holds bytes
        ("b: !!set {a, b}\n", yaml.YAMLError),
        ("b: !!timestamp 2026-11-20\n", yaml.YAMLError),
        ("? [a, b]\n: complex key\n", yaml.YAMLError),
        ('1: a\n"1": b\n', _yaml.DuplicateKeyError),  # duplicates go by text
        (".nan: a\n.nan: b\n", _yaml.DuplicateKeyError),
        ('"": a\n? \n: b\n', _yaml.DuplicateKeyError),
        ("&a x: &a y\n", yaml.YAMLError),  # an anchor named twice
        ("a: &a [1]\nb: &a 2\n", yaml.YAMLError),
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


# -- the native (yaml-rs) reader -----------------------------------------------------

# Documents yaml-rs reads otherwise than libyaml (found by fuzzing both), one or two
# per kind of difference: ``load`` must send every one of them the libyaml way.
NATIVE_DIFFERS = [
    "a: 1_000\n",  # numbers with underscores, binary, upper-case or signed radix
    "a: _1\n",
    "a: 1_0.5\n",
    "a: 6_e4\n",
    "a: 0b101\n",
    "a: 0X1F\n",
    "a: 0O17\n",
    "a: +0x1\n",
    "a: 0x1F_\n",
    "a: !custom x\n",  # tags: dropped silently
    "r: &r [*r]\n",  # anchors: a recursive alias reads as None
    "a: 1\n---\nb: 2\n",  # several documents: a list
    "...\nk: v\n",  # content after a document end
    "? [a, b]\n: c\n",  # complex keys: tuples
    "[a, b]: c\n",
    "a: {[x]}\n",
    "a: {{}}\n",
    "a: {k:}\n",  # "k:" before a flow indicator
    "a: [k:]\n",
    "a: [k:, b]\n",
    ": 1\n",  # empty implicit keys
    "a: x\n:",
    "   : a\n",
    "a: >\n",  # block scalars: a final line break added
    "a: |\n  x",
    "a: |+\n",
    "\ufeffa: 1\n",  # BOM, tabs, controls, C1, line and paragraph separators
    "a:\tb\n",
    "a: x\x01y\n",
    "a: x\x7fy\n",
    "a: x\x85y\n",
    "a: x\x9fy\n",
    "a: x\u2028y\n",
    "a: x\u2029y\n",
    "a: x\ufffey\n",
    ".nan: a\n.nan: b\n",  # the same key twice, unequal to itself
    '1: a\n"1": b\n',  # the same key text, plain and quoted
    "1: a\n'1'   : b\n",
    "\r: 1\n",  # a bare CR (only this way found so far; all bare CRs go to libyaml)
    "%TAG ! tag:x.com,2000:\n---\na: !foo 1\n",  # directives
]


def _outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return ("data", read(text))
    except Exception as err:  # the outcome, whatever it is
        return ("error", f"{type(err).__name__}: {err}")


def _native_raw(text: str) -> tuple[str, Any]:
    return _outcome(lambda t: yaml_rs.loads(t, parse_datetime=False), text)


@pytest.mark.parametrize("text", NATIVE_DIFFERS)
def test_native_reader_differs_on_these(text: str) -> None:
    """The list is real: yaml-rs itself reads each case otherwise than libyaml."""
    native, general = _native_raw(text), _outcome(_general, text)
    if text.startswith("r:"):  # recursive: libyaml's list holds itself
        assert native == ("data", {"r": [None]})
        assert general[1]["r"][0] is general[1]["r"]
        return
    assert native[0] != general[0] or (native[0] == "data" and not _same(native[1], general[1]))


@pytest.mark.parametrize("text", NATIVE_DIFFERS)
def test_documents_the_native_reader_reads_otherwise_go_the_libyaml_way(text: str) -> None:
    assert _yaml._native_may_differ(text)
    got, expected = _outcome(_yaml.load, text), _outcome(_general, text)
    assert got[0] == expected[0]
    if text.startswith("r:"):
        assert got[1]["r"][0] is got[1]["r"]
        return
    assert got[1] == expected[1] if got[0] == "error" else _same(got[1], expected[1])


def _generated_yaml() -> str:
    return dump_deal(generate_deal(30, seed=7, deal_id="fuzz"))


def test_files_influence_writes_take_the_native_way(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _generated_yaml()
    expected = _general(text)
    assert not _yaml._native_may_differ(text)

    def refuse(_: str) -> Any:
        raise AssertionError("the libyaml way was taken")

    monkeypatch.setattr(_yaml, "_load_events", refuse)
    monkeypatch.setattr(_yaml, "Loader12", refuse)
    assert _same(_yaml.load(text), expected)


def test_other_threads_read_the_libyaml_way(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    text = _generated_yaml()
    expected = _general(text)
    used: list[bool] = []
    real = _yaml._yaml_rs

    def spy() -> Any:
        used.append(True)
        return real()

    monkeypatch.setattr(_yaml, "_yaml_rs", spy)
    found: list[Any] = []
    worker = threading.Thread(target=lambda: found.append(_yaml.load(text)))
    worker.start()
    worker.join()
    assert not used and _same(found[0], expected)  # same data, yaml-rs never asked
    assert _same(_yaml.load(text), expected) and used  # the main thread still uses it


def test_reading_and_editing_on_short_lived_threads_does_not_crash() -> None:
    # yaml-rs 0.1.6 killed the process (SIGSEGV) within a few hundred threads that used
    # it and ended, as a server's requests do: 500 threads read and edit an example.
    import subprocess
    import sys

    script = """
import threading
from influence.io import check_deal
from influence.interop.edit import parse_editable
path = "examples/enterprise-committee.yaml"
text = open(path, encoding="utf-8").read()
done = []
def work():
    assert check_deal(path).ok
    doc = parse_editable(text)
    doc.set_person("zhang-min", {"stance": "ally", "notes": "seen"})
    assert doc.check().ok
    done.append(1)
for _ in range(500):
    t = threading.Thread(target=work)
    t.start()
    t.join()
print(len(done))
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["500"]


# What the mutations insert: YAML's indicators, numbers' characters, odd characters.
_MUTATION_PIECES = [
    *" \n-:#[],'\"|>?*&!%@`~.0123456789_eE+xbo\\abN\t\r{}",
    *["  ", "\n  ", "- ", ": ", " #", "...", "---", "é", "😀", "\u00a0", "\u2028", "\x85"],
    "\ufeff",
]


def _mutants(seed: int, count: int) -> Iterator[str]:
    rng = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in sorted(Path("examples").glob("*.yaml"))]
    sources.append(_generated_yaml()[:3000])
    for _ in range(count):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            roll = rng.random()
            if roll < 0.5:
                text = text[:at] + rng.choice(_MUTATION_PIECES) + text[at:]
            elif roll < 0.8:
                text = text[:at] + text[at + 1 :]
            else:
                text = text[:at] + rng.choice(_MUTATION_PIECES) + text[at + 1 :]
        yield text


def test_mutated_deal_files_read_the_same_as_with_libyaml() -> None:
    """Damaged and odd deal files: the same data or the same error, whichever way."""
    native_taken = 0
    for text in _mutants(seed=20261123, count=1500):
        got, expected = _outcome(_yaml.load, text), _outcome(_general, text)
        assert got[0] == expected[0], text
        if got[0] == "error":
            assert got[1] == expected[1], text
        else:
            assert _same(got[1], expected[1]), text
        native_taken += not _yaml._native_may_differ(text) and _native_raw(text)[0] == "data"
    assert native_taken > 100  # the comparison did exercise the native reader


_LINE_PIECES = [
    "a", "b c", "NO", "1", "1.5", "-2", "~", "true", "x:y", "'q'", '"d\\n"', "'it''s'",
    "[1, 2]", "[]", "[a, [b]]", "[k: v]", "-", "- x", ":", "#", "a #c", "2026-01-01",
    "0o7", "0x1", ".5", "1e3", ".inf", ".nan", "é", "張", "😀", "", " ", "\\", "@", "`",
    "=", ",", "x,y", "a:b", "k:", '"x": 1', "'a\n b'", '"a\n  b"', "a\n\n  b", "k :",
]  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 0, 1, 2, 2, 4]),
            st.sampled_from(["{k}: {v}", "- {v}", "- {k}: {v}", "{k}:", "{v}", "{k}{v}"]),
            st.sampled_from(_LINE_PIECES),
            st.sampled_from(_LINE_PIECES),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["\n", "", "\n\n"]),
)
def test_random_documents_read_the_same_as_with_libyaml(
    lines: list[tuple[int, str, str, str]], end: str
) -> None:
    text = "\n".join(" " * n + form.format(k=k, v=v) for n, form, k, v in lines) + end
    got, expected = _outcome(_yaml.load, text), _outcome(_general, text)
    assert got[0] == expected[0]
    assert got[1] == expected[1] if got[0] == "error" else _same(got[1], expected[1])
