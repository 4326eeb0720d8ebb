"""Participants: who they are, where they stand in the program, and what they may change.

HR owns department, level and manager (the roster is the truth). The participant owns name,
time zone and location once signed up; before that, a new roster may still correct them.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tandem.model.purpose import PurposeProfile
from tandem.model.validation import (
    EmailAddress,
    Lenient,
    OptionalEmail,
    OptionalText,
    Text,
    TimeZoneName,
)


class Status(StrEnum):
    INVITED = "invited"  # on the roster (or joined via the open link), not signed up yet
    ACTIVE = "active"  # signed up: matched every quarter unless paused
    LEFT = "left"  # never matched or mailed again


class MailBlock(StrEnum):
    """Why mail no longer goes to a person's address (SES's word on it)."""

    REJECTED = "rejected"  # SES refuses to send to the address
    BOUNCED = "bounced"  # a permanent bounce: the mailbox does not exist or takes no mail
    COMPLAINED = "complained"  # the person marked our mail as spam


class Source(StrEnum):
    ROSTER = "roster"
    OPEN_SIGNUP = "open-signup"


HR_FIELDS = ("department", "level", "manager_email")
PERSONAL_FIELDS = ("name", "preferred_name", "timezone", "location")


@dataclass(frozen=True, kw_only=True)
class PersonalDetails(Lenient):
    """What a participant may change about themselves (validated by `validation.parse`)."""

    name: Text
    timezone: TimeZoneName
    location: OptionalText = None
    preferred_name: OptionalText = None  # what the person goes by, if not their name as written


@dataclass(frozen=True, kw_only=True)
class Details(PersonalDetails):
    """A person as a roster row or the open signup form states them."""

    email: EmailAddress
    department: Text
    level: Text
    manager_email: OptionalEmail = None

    def problem(self, levels: Sequence[str]) -> str | None:
        """What makes these details unusable in this program, beyond field validation."""
        if self.level not in levels:
            return f"level: unknown level {self.level!r} (this program has: {', '.join(levels)})"
        if self.manager_email == self.email:
            return "manager_email: is the person's own address"
        return None


def participant_id(email: str) -> str:
    """Stable id of the person behind an address, so two imports can never create two people.
    The address is already normalised (lower case) by validation."""
    return hashlib.sha256(email.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class ImportMark:
    """The roster upload that last created or changed a person, and what it did: a redelivery
    of that upload reports the same, and an older upload arriving late changes nothing."""

    upload: str  # the upload's reference (key, event time, ETag)
    at: datetime  # the upload's event time: uploads apply in this order
    outcome: str  # "created" or "updated"
    fields: tuple[str, ...] = ()  # what an update changed


def same_name(value: str) -> str:
    """What a department or office is known by, whatever its case and spacing: they are typed (on
    the join page, in HR's files), and "engineering " is Engineering."""
    return " ".join(value.casefold().split())


def one_spelling(values: Iterable[str]) -> dict[str, str]:
    """Each value mapped to the spelling most of its kind use (`same_name`; on a tie, the first
    in sort order), so that one department is counted once, under one name."""
    counts = Counter(values)
    kinds: dict[str, list[str]] = defaultdict(list)
    for value in sorted(counts, key=lambda v: (-counts[v], v)):
        kinds[same_name(value)].append(value)
    return {value: spellings[0] for spellings in kinds.values() for value in spellings}


@dataclass(frozen=True)
class Participant:
    email: str
    name: str
    department: str
    level: str
    timezone: str
    status: Status
    source: Source
    manager_email: str | None = None
    location: str | None = None
    preferred_name: str | None = None
    purpose: PurposeProfile | None = None
    answers: dict[str, str] = field(default_factory=dict)
    paused_cycles: frozenset[str] = frozenset()
    invited_at: datetime | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None
    last_import: ImportMark | None = None
    mail_blocked: MailBlock | None = None
    mail_blocked_at: datetime | None = None
    links_from: datetime | None = None  # links signed before were revoked

    @property
    def id(self) -> str:
        return participant_id(self.email)

    @property
    def known_as(self) -> str:
        """The name to greet and list a person by: the one they go by, else their name as
        written. Never a part cut from it: "O'Connor, Siobhán" has no first word to greet."""
        return self.preferred_name or self.name

    def to_be_matched(self, cycle: str) -> bool:
        """Signed up, not pausing the quarter, and reachable by mail: a partner who never gets
        the kickoff or the invitation would leave the other waiting all quarter."""
        return (
            self.status is Status.ACTIVE
            and cycle not in self.paused_cycles
            and self.mail_blocked is None
        )
