"""One participant as a program lead sees them in the console: where they stand in the program
and their group this quarter; never what they answered (no ratings, pledges, notes or pulse).
What a lead does for them is the participant's own use case (tandem.people)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from tandem.conversations.quarter import partners_of
from tandem.model import calendar
from tandem.model.calendar import Cycle
from tandem.model.participant import Participant, Status, participant_id
from tandem.model.plan import Plan
from tandem.model.tenant import Tenant
from tandem.model.validation import email_address
from tandem.people import erasure
from tandem.store import matches, participants, plans


@dataclass(frozen=True)
class Group:
    """The person's group this quarter: who else is in it, and when it meets."""

    partners: list[Participant]
    plan: Plan


@dataclass(frozen=True)
class Standing:
    person: Participant
    current: Cycle  # the quarter under way
    upcoming: Cycle  # the next one, which a pause applies to
    group: Group | None  # this quarter's
    reason: str | None  # why the person has no group this quarter, if the matching said

    @property
    def paused_next(self) -> bool:
        return self.upcoming.id in self.person.paused_cycles

    @property
    def left(self) -> bool:
        return self.person.status is Status.LEFT


class Unclear(ValueError):
    """What a lead typed finds nobody for sure: not an address, or too short a name."""


def _plain(text: str) -> str:
    """Text as a search compares it: without case or accents ("Garcia" finds García)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find(typed: str, tenant: Tenant) -> list[Participant]:
    """Whoever a lead looks for: the participant with this address, or everyone whose name, or
    the name they go by, holds these letters (whatever their case and accents), by name."""
    words = " ".join(typed.split())
    if "@" in words:
        try:
            person = participants.get(participant_id(email_address(words)))
        except ValueError:
            raise Unclear("Enter an email address, like name@example.com.") from None
        return [person] if person else []
    if len(words) < 2:
        raise Unclear("Enter at least two letters of their name, or their email address.")
    part = _plain(words)
    found = [
        person
        for person in participants.of_levels(tenant.levels)
        if part in _plain(person.name) or part in _plain(person.preferred_name or "")
    ]
    return sorted(found, key=lambda person: (person.name.casefold(), person.email))


def standing(pid: str, tenant: Tenant, now: datetime) -> Standing | None:
    person = participants.get(pid)
    if person is None:
        return None
    current = calendar.current_cycle(tenant, now)
    outcome = matches.outcome(pid, current.id)
    plan = plans.get(current.id, outcome.group) if outcome and outcome.group else None
    group = Group(partners_of(outcome, plan), plan) if outcome and plan else None
    reason = outcome.reason if outcome and not plan else None
    return Standing(person, current, calendar.next_cycle(tenant, now), group, reason)


def erase(person: Participant, now: datetime) -> tuple[erasure.Erasure, list[str]]:
    """The erasure, and the files in the bucket that still name the address, for HR."""
    done = erasure.erase(person.email, now)
    return done, erasure.naming_files(person.email)
