"""Golden reports: the JSON and Markdown of every bundled example, kept under tests/golden/.

A change in the analysis shows up here as a diff that a reviewer reads. After an
intended change, regenerate with ``INFLUENCE_UPDATE_GOLDEN=1 pytest tests/golden/test_golden.py``
and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from influence import analyze, read_deal, to_markdown
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent
UPDATE = os.environ.get("INFLUENCE_UPDATE_GOLDEN") == "1"


def _check(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with INFLUENCE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from the report"


def test_every_example_has_a_golden_report() -> None:
    assert len(EXAMPLES) >= 3
    if not UPDATE:
        names = {p.stem for p in EXAMPLES}
        assert {p.stem for p in GOLDEN.glob("*.json")} == names
        assert {p.stem for p in GOLDEN.glob("*.md")} == names


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_json_report(example: Path) -> None:
    data = analyze(read_deal(example)).model_dump(mode="json")
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    _check(GOLDEN / f"{example.stem}.json", text)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_markdown_report(example: Path) -> None:
    _check(GOLDEN / f"{example.stem}.md", to_markdown(analyze(read_deal(example))))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_cli_json_is_the_golden(example: Path, cli: Any) -> None:
    result = cli("analyze", example, "--json")
    assert result.exit_code == 0
    golden = json.loads((GOLDEN / f"{example.stem}.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == golden
