"""The Markdown report shows user text literally, whatever a wiki renders."""

from __future__ import annotations

from markdown_it import MarkdownIt

from influence import Deal, analyze, to_markdown

HOSTILE = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"


def _deal() -> Deal:
    return Deal.model_validate(
        {
            "deal": {"name": HOSTILE, "account": "A | B", "as_of": "2026-11-20"},
            "people": [
                {"id": "s", "name": "*Seller*", "side": "seller"},
                {"id": "dm", "name": LINK, "title": "`CEO`", "roles": ["decision_maker"]},
                {"id": "mid", "name": "_Mid_ </td>", "title": "a|b\nc"},
            ],
            "relationships": [
                {"from": "s", "to": "mid", "strength": 0.4},
                {"from": "mid", "to": "dm", "strength": 0.9},
            ],
        }
    )


def test_user_text_never_becomes_markup() -> None:
    md = to_markdown(analyze(_deal()))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    assert "<img" not in html and "javascript:" not in html.split("href=")[-1][:20]
    assert 'href="javascript' not in html
    assert "<em>Seller</em>" not in html and "<em>Mid</em>" not in html
    assert "<code>CEO</code>" not in html
    # ... and it all shows as typed.
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "[click](javascript:alert(1))" in html
    assert "*Seller*" in html and "_Mid_ &lt;/td&gt;" in html
    # A pipe or line break in a title does not break the people table.
    rows = [line for line in md.splitlines() if line.startswith("| ") and "a\\|b c" in line]
    assert len(rows) == 1 and rows[0].count(" | ") == 6


def _examples() -> list[object]:
    from influence import read_deal
    from tests.conftest import EXAMPLES

    return [analyze(read_deal(p)) for p in EXAMPLES]


def test_the_full_report_leads_with_the_actions() -> None:
    for report in _examples():
        lines = to_markdown(report).splitlines()
        actions = lines.index("## Next actions")
        first_table = next(i for i, line in enumerate(lines) if line.startswith("|"))
        assert actions < lines.index("## Signals") < first_table
        assert actions < 10


def test_the_brief_note_has_no_table_and_the_answer() -> None:
    from influence.render._text import not_reached, top_reasons

    for report in _examples():
        note = to_markdown(report, brief=True)
        lines = note.splitlines()
        assert len(lines) <= 20  # about 15
        assert not any(line.lstrip().startswith("|") or line.startswith("#") for line in lines)
        assert f"risk {report.risk.grade.upper()} {report.risk.score}/100" in lines[0]
        for signal in top_reasons(report):
            assert f"- {signal.message}" in lines
        for n, action in enumerate(report.actions[:3], start=1):
            assert any(line.startswith(f"{n}. {action.text} (`") for line in lines)
        assert report.actions[3:] == [] or f"{len(report.actions) - 3} more action" in note
        missing, stale = not_reached(report)
        reached = next(line for line in lines if line.startswith("**Not reached:**"))
        for name in missing + stale:
            assert name in reached
        assert report.risk.explanation not in note


def test_the_brief_note_keeps_user_text_literal() -> None:
    md = to_markdown(analyze(_deal()), brief=True)
    html = MarkdownIt("commonmark", {"html": True}).render(md)
    assert "<img" not in html and 'href="javascript' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
