"""Field validators shared by tenant files, roster rows and web forms, as pydantic types."""

from __future__ import annotations

import re
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


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


EmailAddress = Annotated[str, AfterValidator(email_address)]
TimeZoneName = Annotated[str, AfterValidator(time_zone)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
OptionalEmail = Annotated[EmailAddress | None, BeforeValidator(_blank_to_none)]


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
