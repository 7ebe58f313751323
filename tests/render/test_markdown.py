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
