"""Field validators shared by tenant files, roster rows and web forms, as pydantic types."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, StringConstraints, ValidationError

# Deliberately simpler than RFC 5322: what real corporate addresses look like, nothing that
# needs quoting, so an address is always safe to put in a header or a CSV cell.
_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")


def email_address(value: str) -> str:
    address = value.strip().lower()
    if len(address) > 254 or not _EMAIL.match(address):
        raise ValueError(f"not a valid email address: {value!r}")
    return address


def time_zone(value: str) -> str:
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name like Europe/Paris)"
        ) from None
    return name


# EventBridge cron: minutes hours day-of-month month day-of-week year, each a list of values,
# ranges, * and /steps; ? in one of the two day fields; L, W and # where EventBridge allows them.
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
_VALUES = (
    r"[0-5]?\d",
    r"[01]?\d|2[0-3]",
    r"[1-9]|[12]\d|3[01]",
    rf"[1-9]|1[0-2]|{_MONTHS}",
    rf"[1-7]|{_DAYS}",
    r"19[7-9]\d|2[01]\d\d",
)
_EXTRAS = {2: ("L", "LW", "{v}W"), 4: ("{v}L", "{v}#[1-5]")}


def _cron_field(position: int) -> re.Pattern[str]:
    v = f"(?:{_VALUES[position]})"
    items = "|".join(
        [rf"(?:\*|{v}(?:-{v})?)(?:/\d+)?", *(e.format(v=v) for e in _EXTRAS.get(position, ()))]
    )
    one_or_more = rf"(?:{items})(?:,(?:{items}))*"
    return re.compile(rf"^(?:\?|{one_or_more})$" if position in _EXTRAS else rf"^{one_or_more}$")


_CRON_FIELDS = tuple(_cron_field(position) for position in range(6))


def aws_cron(value: str) -> str:
    """An EventBridge cron expression, e.g. cron(0 9 ? * MON-FRI *), checked field by field."""
    expression = value.strip()
    if not (expression.startswith("cron(") and expression.endswith(")")):
        raise ValueError(f"not an EventBridge cron expression: {value!r} (like cron(0 9 * * ? *))")
    fields = expression[5:-1].upper().split()
    if len(fields) != 6:
        raise ValueError(f"{value!r}: a cron has 6 fields (minutes hours day month weekday year)")
    for position, (field, pattern) in enumerate(zip(fields, _CRON_FIELDS, strict=True)):
        if not pattern.match(field):
            raise ValueError(f"{value!r}: field {position + 1} ({field!r}) is not valid")
    if (fields[2] == "?") == (fields[4] == "?"):
        raise ValueError(f"{value!r}: exactly one of day-of-month and day-of-week must be '?'")
    return f"cron({' '.join(fields)})"


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


EmailAddress = Annotated[str, AfterValidator(email_address)]
TimeZoneName = Annotated[str, AfterValidator(time_zone)]
Cron = Annotated[str, AfterValidator(aws_cron)]


# Bidi embeddings, overrides, isolates and marks: invisible, yet one of them in a name turns
# the rest of the sentence it is quoted in around ("Flo\u202e ..."). Removed from whatever
# people type, so their words read as typed in pages, emails and files alike.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def without_bidi_controls(value: str) -> str:
    cleaned = value.translate(_BIDI_CONTROLS).strip()
    if value and not cleaned:
        raise ValueError("must not be empty")
    return cleaned


# Control codes (C0, DEL, C1) and the line and paragraph separators: each breaks a line somewhere
# (a header, a CSV row, a calendar's attendee name) or hides in it.
_BREAKS = frozenset({"Cc", "Zl", "Zp"})


# What can be seen: letters, numbers, punctuation and symbols (not spaces, marks or formats).
_VISIBLE = frozenset("LNPS")


def _one_line(value: str) -> str:
    """Names and places go into email headers, CSV rows and calendars: no line breaks or control
    codes, and something to see (a lone zero-width space is an empty name)."""
    if any(unicodedata.category(c) in _BREAKS for c in value):
        raise ValueError("must be one line of text, without control characters")
    cleaned = without_bidi_controls(value)
    if not any(unicodedata.category(c)[0] in _VISIBLE for c in cleaned):
        raise ValueError("must not be empty")
    return cleaned


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_one_line),
]
OptionalText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
OptionalEmail = Annotated[EmailAddress | None, BeforeValidator(_blank_to_none)]


class InvalidForm(ValueError):
    """Every problem with a form a person sent, by field in the order of the form, in words
    they understand."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))  # the fields only: never what was typed
        self.problems = problems


def invalid_fields(error: ValidationError) -> set[str]:
    """The top-level fields a ValidationError is about."""
    return {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}


def describe_errors(error: Exception) -> list[str]:
    """One line per problem of a ValidationError, e.g. "timezone: unknown time zone 'X'"."""
    if not isinstance(error, ValidationError):
        return [str(error)]
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            message = "missing"
        elif problem["type"] == "string_too_short":
            message = "must not be empty"
        lines.append(f"{where}: {message}" if where else message)
    return lines
