"""A tenant's configuration: one customer, one stack. Loaded from infra/tenants/<name>.json at
synth time and handed to every function as JSON, so both read the same validated model."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tandem.validation import EmailAddress, Text, TimeZoneName, describe_errors

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    name: Text
    email: EmailAddress


class Calendar(_Strict):
    """When each quarter's cycle starts: the nth weekday of each listed month, at a local time."""

    months: tuple[int, ...] = Field(default=(1, 4, 7, 10), min_length=1, max_length=12)
    weekday: Weekday = "monday"
    nth: int = Field(default=2, ge=1, le=4)
    time: dt.time = dt.time(9, 0)
    notice_days: int = Field(default=7, ge=1, le=28)

    @model_validator(mode="after")
    def _months_in_order(self) -> Calendar:
        if list(self.months) != sorted(set(self.months)) or not all(
            1 <= m <= 12 for m in self.months
        ):
            raise ValueError("months must be distinct month numbers 1-12 in calendar order")
        return self


class OpenSignup(_Strict):
    enabled: bool = False
    # Only addresses at these domains may join through the open link (empty: any domain).
    email_domains: tuple[str, ...] = ()


class Tenant(_Strict):
    name: Slug
    organization: Text
    sender: EmailAddress
    sender_name: Text = "Tandem"
    timezone: TimeZoneName
    hr_contacts: tuple[Contact, ...] = Field(min_length=1)
    levels: tuple[Text, ...] = Field(min_length=1)
    calendar: Calendar = Calendar()
    open_signup: OpenSignup = OpenSignup()

    @model_validator(mode="after")
    def _distinct_levels(self) -> Tenant:
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels must be distinct")
        return self


class TenantFileError(ValueError):
    """A tenant file that cannot be used; the message names the file and the field."""


def load_tenant(path: Path) -> Tenant:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise TenantFileError(f"{path}: cannot read the tenant file: {error}") from None
    if isinstance(raw, dict) and raw.get("name") != path.stem:
        raise TenantFileError(f"{path}: name: must be {path.stem!r}, the file's own name")
    try:
        return Tenant.model_validate(raw)
    except ValidationError as error:
        raise TenantFileError(f"{path}: " + "; ".join(describe_errors(error))) from None
