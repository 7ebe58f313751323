"""The docs are tested: commands, codes, examples and public API stay documented."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

import influence
from influence.analysis.risk import SIGNAL_CODES
from influence.cli import app
from tests.conftest import EXAMPLES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    names: list[str] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            names += [f"{name} {s}" for s in sub]
        else:
            names.append(name)
    return sorted(names)


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"influence {command}" in README


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command: str, cli: object) -> None:
    result = cli(*command.split(), "--help")  # type: ignore[operator]
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"influence {command.split()[0]}" in result.stdout


@pytest.mark.parametrize("code", sorted(SIGNAL_CODES))
def test_every_signal_code_is_documented(code: str) -> None:
    assert f"`{code}`" in README


def test_exit_codes_are_documented() -> None:
    table = README.split("### Exit codes", 1)[1].split("##", 1)[0]
    documented = [int(c) for c in re.findall(r"^\| (\d+) \|", table, re.M)]
    assert documented == [0, 1, 2, 3, 4, 5, 130, 141]
    import influence.cli as cli_module

    # every exit code the CLI defines is in the table, and no other
    defined = {getattr(cli_module, n) for n in cli_module.__all__ if n.startswith("EXIT_")}
    assert defined == set(documented)


def test_first_screen_has_exactly_two_setup_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:40])
    blocks = re.findall(r"```sh\n(.*?)```", first_screen, re.S)
    assert len(blocks) == 2
    assert all(len(b.strip().splitlines()) == 1 for b in blocks)
    assert "influence analyze examples/" in blocks[0]
    assert '.[dev]"' in blocks[1] and "pytest" in blocks[1]


def test_public_api_is_exported_and_documented() -> None:
    for name in influence.__all__:
        obj = getattr(influence, name)
        if callable(obj) or isinstance(obj, type):
            assert obj.__doc__, f"{name} has no docstring"


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_example_scripts_run(script: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "risk" in result.stdout


def test_examples_validate_without_warnings() -> None:
    assert len(EXAMPLES) >= 3
    for path in EXAMPLES:
        result = influence.check_deal(path)
        assert result.ok, [str(p) for p in result.problems]


def _runnable_readme_commands() -> list[str]:
    """``influence ...`` lines of the README's sh blocks that read only bundled examples."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if (
                line.startswith("influence ")
                and "examples/" in line
                and not any(w in line for w in (" -o ", "--output", "<(", "|", ">", "*"))
            ):
                out.append(line)
    return out


@pytest.mark.parametrize("line", _runnable_readme_commands())
def test_readme_commands_on_the_examples_work(line: str, cli: object) -> None:
    import shlex

    result = cli(*shlex.split(line)[1:])  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()


DOCS = ROOT / "docs"


def _documented_signals() -> dict[str, str]:
    text = (DOCS / "analysis.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([a-z-]+)` \| (high|medium|low|info) \|", text, re.M))


def test_every_signal_code_is_in_the_docs_with_its_severity() -> None:
    documented = _documented_signals()
    assert documented == {code: severity for code, (severity, _) in SIGNAL_CODES.items()}


def test_docs_are_linked_from_the_readme_and_exist() -> None:
    links = set(re.findall(r"\]\((docs/[^)#]+)\)", README))
    assert {"docs/deal-file.md", "docs/analysis.md", "docs/domain.md"} <= links
    for link in links:
        assert (ROOT / link).is_file(), link
    assert "shared/spec" not in README


def test_the_starter_deal_points_at_the_docs_and_a_schema_the_user_writes(
    cli: Any, tmp_path: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    deal, schema = tmp_path / "acme.yaml", tmp_path / "deal.schema.json"
    assert cli("new", str(deal)).exit_code == 0
    text = deal.read_text(encoding="utf-8")
    assert "docs/deal-file.md" in text and (DOCS / "deal-file.md").is_file()
    pointer = re.search(r"^# yaml-language-server: \$schema=(\S+)$", text, re.M)
    assert pointer is not None and pointer.group(1) == schema.name
    assert f"influence schema -o {schema.name}" in text
    assert cli("schema", "-o", str(schema)).exit_code == 0
    data = json.loads(json.dumps(yaml.safe_load(text), default=str))
    jsonschema.validate(data, json.loads(schema.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "snippet",
    re.findall(r"```python\n(.*?)```", README, re.S),
    ids=lambda s: s.split("\n", 3)[2][:40] if s.count("\n") > 2 else s[:40],
)
def test_readme_python_snippets_run_as_scripts(snippet: str, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    script = tmp_path / "snippet.py"
    script.write_text(snippet, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr


def test_every_public_function_has_a_runnable_example() -> None:
    import inspect

    missing = [
        name
        for name in influence.__all__
        if inspect.isfunction(getattr(influence, name))
        and ">>> " not in (getattr(influence, name).__doc__ or "")
    ]
    assert missing == []
