"""One-line text (names, departments, places): what goes into email headers, CSV rows and the
calendar's attendee names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.model.validation import Invalid, Text, parse


@pytest.mark.parametrize(
    "breaks",
    [
        "\u2028",  # line separator
        "\u2029",  # paragraph separator
        "\x85",  # next line (C1)
        "\x9b",  # control sequence introducer (C1)
        "\n",
        "\x7f",
    ],
)
def test_a_line_or_paragraph_break_or_control_code_is_refused(breaks: str) -> None:
    with pytest.raises(Invalid):
        parse(Text, f"Ada{breaks}SUMMARY:free")


@given(st.text(max_size=30))
def test_accepted_text_holds_no_break_or_control_code(value: str) -> None:
    try:
        accepted = parse(Text, value)
    except Invalid:
        return
    assert all(unicodedata.category(c) not in ("Cc", "Zl", "Zp") for c in accepted)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u2060", " \ufeff ", "\u200d\u0301"])
def test_a_value_of_only_invisible_characters_is_refused(invisible: str) -> None:
    with pytest.raises(Invalid):
        parse(Text, invisible)
    assert parse(Text, f"Zoë{invisible}") == f"Zoë{invisible}".strip()
