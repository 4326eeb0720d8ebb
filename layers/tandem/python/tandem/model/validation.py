"""Validating what comes in (tenant files, roster rows, web forms, queue messages), and the
field types that say what each field accepts.

The models are plain frozen dataclasses, their fields annotated with what pydantic checks.
pydantic itself (about 100 ms of a cold start, most of it making the models' classes) loads the
first time something is validated (`parse`): a page that only reads, or a function building its
tenant from the configuration the stack validated at synth (`trusted`), never loads it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import unicodedata
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
)
from typing import get_type_hints as _get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Strict:
    """Base of a model that refuses fields it does not have (a tenant file, a queue message):
    pydantic reads this attribute of a dataclass."""

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Lenient:
    """Base of a model read from input that holds other fields too (a form, a roster row)."""

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "ignore"}


class Rules:
    """Constraints pydantic checks, by its own names: Rules(ge=1, le=4), Rules(pattern=...),
    Rules(min_length=1, max_length=200, strip_whitespace=True)."""

    def __init__(self, **rules: Any) -> None:
        self.rules = rules

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        return {**handler(source), **self.rules}


class Check:
    """A function pydantic applies to the value once its type is checked; it raises ValueError
    with what is wrong, or returns the value to keep (`before`: applied to the input first)."""

    def __init__(self, function: Callable[[Any], Any], *, before: bool = False) -> None:
        self.function, self.before = function, before

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema  # called only while pydantic validates

        if self.before:
            return core_schema.no_info_before_validator_function(self.function, handler(source))
        return core_schema.no_info_after_validator_function(self.function, handler(source))


class Invalid(ValueError):
    """Input that failed validation: `errors()` as pydantic reports them (loc, msg, type),
    `fields()` they are about, and `lines()`, one per problem in words, e.g. "timezone: unknown
    time zone 'X'" (its message joins them)."""

    def __init__(self, errors: list[Any]) -> None:
        self._errors = errors
        super().__init__("; ".join(self.lines()))

    def errors(self) -> list[Any]:
        return self._errors

    def fields(self) -> set[str]:
        """The top-level fields the problems are about."""
        return {str(problem["loc"][0]) for problem in self._errors if problem["loc"]}

    def lines(self) -> list[str]:
        lines = []
        for problem in self._errors:
            where = ".".join(str(part) for part in problem["loc"])
            message = problem["msg"].removeprefix("Value error, ")
            if problem["type"] == "missing":
                message = "missing"
            elif problem["type"] == "string_too_short":
                message = "must not be empty"
            elif problem["type"] == "unexpected_keyword_argument":
                message = "Extra inputs are not permitted"
            lines.append(f"{where}: {message}" if where else message)
        return lines


_adapters: dict[Any, TypeAdapter[Any]] = {}


def parse(kind: type[T], data: Any) -> T:
    """`data` (from JSON, TOML or a form) as a `kind`, every field checked; Invalid if not."""
    # Loaded here, the first time something is validated (see above).
    from pydantic import TypeAdapter, ValidationError

    if kind not in _adapters:
        _adapters[kind] = TypeAdapter(kind)
    try:
        return _adapters[kind].validate_python(data)
    except ValidationError as error:
        raise Invalid(error.errors(include_url=False)) from None


def trusted(kind: type[T], data: Any) -> T:
    """`data` as a `kind`, for data that was validated as a `kind` where it was written (the
    tenant's configuration, validated at synth): built from the types alone, fields unchecked,
    but each model's own checks (`__post_init__`) still run."""
    return _build(kind, data)


@cache
def _type_hints(kind: type) -> dict[str, Any]:
    return _get_type_hints(kind)


def _build(kind: Any, value: Any) -> Any:
    origin = get_origin(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _type_hints(kind)
        return kind(**{name: _build(hints[name], item) for name, item in value.items()})
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = (arg for arg in get_args(kind) if arg is not type(None))  # X | None only
        return _build(inner, value)
    if origin is tuple:
        return tuple(_build(get_args(kind)[0], item) for item in value)  # tuple[X, ...] only
    if origin is dict:
        key, item = get_args(kind)
        return {_build(key, k): _build(item, v) for k, v in value.items()}
    if origin is Literal or kind in (str, int, bool):
        return value
    if kind is float:
        return float(value)
    if kind is dt.time:
        return dt.time.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    raise TypeError(f"cannot build a {kind!r} from trusted data")


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
    # A folder of the database ("America") or a name too long for a file fails as the file
    # system's error, not as an unknown key.
    except (ZoneInfoNotFoundError, ValueError, OSError):
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


@cache  # compiled for the tenant file at synth, not at every cold start
def _cron_field(position: int) -> re.Pattern[str]:
    v = f"(?:{_VALUES[position]})"
    items = "|".join(
        [rf"(?:\*|{v}(?:-{v})?)(?:/\d+)?", *(e.format(v=v) for e in _EXTRAS.get(position, ()))]
    )
    one_or_more = rf"(?:{items})(?:,(?:{items}))*"
    return re.compile(rf"^(?:\?|{one_or_more})$" if position in _EXTRAS else rf"^{one_or_more}$")


def aws_cron(value: str) -> str:
    """An EventBridge cron expression, e.g. cron(0 9 ? * MON-FRI *), checked field by field."""
    expression = value.strip()
    if not (expression.startswith("cron(") and expression.endswith(")")):
        raise ValueError(f"not an EventBridge cron expression: {value!r} (like cron(0 9 * * ? *))")
    fields = expression[5:-1].upper().split()
    if len(fields) != 6:
        raise ValueError(f"{value!r}: a cron has 6 fields (minutes hours day month weekday year)")
    for position, field in enumerate(fields):
        if not _cron_field(position).match(field):
            raise ValueError(f"{value!r}: field {position + 1} ({field!r}) is not valid")
    if (fields[2] == "?") == (fields[4] == "?"):
        raise ValueError(f"{value!r}: exactly one of day-of-month and day-of-week must be '?'")
    return f"cron({' '.join(fields)})"


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


EmailAddress = Annotated[str, Check(email_address)]
TimeZoneName = Annotated[str, Check(time_zone)]
Cron = Annotated[str, Check(aws_cron)]


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
    Rules(strip_whitespace=True, min_length=1, max_length=200),
    Check(_one_line),
]
OptionalText = Annotated[Text | None, Check(_blank_to_none, before=True)]
OptionalEmail = Annotated[EmailAddress | None, Check(_blank_to_none, before=True)]


class InvalidForm(ValueError):
    """Every problem with a form a person sent, by field in the order of the form, in words
    they understand."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))  # the fields only: never what was typed
        self.problems = problems
