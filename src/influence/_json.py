"""JSON text of a pydantic model, exactly as the standard library would write it.

``json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False)`` is
the reference: every JSON the CLI prints is written that way. With ``indent``
the standard library encodes in Python, not C: a 100,000-person report (68 MB)
takes 6 s to turn into plain data and then text, where pydantic's own
serializer (Rust) writes the same text in 1.4 s. The two differ in one thing
only: how a float below 1e-4, or with a negative exponent, is spelled
(``0.00001`` and ``2.5e-7`` where Python writes ``1e-05`` and ``2.5e-07``).
:func:`model_json` respells those few numbers, so its text is the reference's,
byte for byte (a test compares them on every example and on random deals).
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel

from influence._gc import gc_paused

__all__ = ["model_json"]

# A number that stands alone as a value in indented JSON (after "key": or alone on
# its line, before an optional comma) and that pydantic spells unlike Python:
# five or more zeros after the point, or a negative exponent. Strings are quoted, so
# a string that looks like a number never matches.
_SPELLED_APART = re.compile(
    r'^( *(?:"(?:[^"\\\n]|\\.)*": )?)(-?(?:0\.0000\d*|\d+(?:\.\d+)?e-\d+))(,?)$', re.MULTILINE
)


def _python_spelling(match: re.Match[str]) -> str:
    return f"{match.group(1)}{float(match.group(2))!r}{match.group(3)}"


def model_json(model: BaseModel) -> str:
    """Return ``json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False)``.

    The same text, written by pydantic's serializer (several times faster for a
    big model); the standard library's way is the fallback for what pydantic
    cannot write (a lone surrogate in a string).

    Examples:
        >>> from pydantic import BaseModel
        >>> class Score(BaseModel):
        ...     name: str
        ...     values: list[float]
        >>> print(model_json(Score(name="张敏", values=[0.5, 1e-05, 2.5e-07])))
        {
          "name": "张敏",
          "values": [
            0.5,
            1e-05,
            2.5e-07
          ]
        }
    """
    try:
        # Serialising makes Python objects (the model's own serializers): with the
        # collector on, each pass of it walks the whole deal again (4x slower).
        with gc_paused():
            text = model.model_dump_json(indent=2)
    except ValueError:  # pydantic_core.PydanticSerializationError is a ValueError
        return json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False)
    return _respelled(text)


def _respelled(text: str) -> str:
    """The text with each number pydantic spells unlike Python respelled.

    Such a number holds ``0.0000`` or a digit, ``e-`` and a digit; only the lines
    with one are matched against the pattern (a regular expression over 68 MB
    would take seconds).
    """
    lines: set[int] = set()
    for needle, digit_before in (("0.0000", False), ("e-", True)):
        at = text.find(needle)
        while at != -1:
            if not digit_before or (at > 0 and text[at - 1].isdigit()):
                lines.add(text.rfind("\n", 0, at) + 1)
            at = text.find(needle, at + len(needle))
    if not lines:
        return text
    out: list[str] = []
    done = 0
    for start in sorted(lines):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        out.append(text[done:start])
        out.append(_SPELLED_APART.sub(_python_spelling, text[start:end]))
        done = end
    out.append(text[done:])
    return "".join(out)
