"""One participant as a program lead sees them in the console: where they stand in the program
and their group this quarter; never what they answered (no ratings, pledges, notes or pulse).
What a lead does for them is the participant's own use case (tandem.people)."""

from __future__ import annotations

import re
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


def _words(text: str) -> list[str]:
    """Text as a search compares it: its words without case, accents or punctuation ("Garcia"
    finds García, "oconnor" O'Connor, "mary ann" Mary-Ann)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", plain).split()


def _answers_to(person: Participant, words: list[str]) -> bool:
    """Whether each word is part of what a lead may type to find the person: their name (its
    words, and run together), the name they go by, their address before the @."""
    name = _words(person.name)
    others = _words(person.preferred_name or "") + _words(person.email.partition("@")[0])
    known = " ".join([*name, "".join(name), *others])
    return all(word in known for word in words)


def find(typed: str, tenant: Tenant) -> list[Participant]:
    """Whoever a lead looks for: the participant with this address, or everyone whose names
    hold each of the words typed, in any order (whatever their case, accents and punctuation),
    by name."""
    if "@" in typed:
        try:
            person = participants.get(participant_id(email_address(" ".join(typed.split()))))
        except ValueError:
            raise Unclear("Enter an email address, like name@example.com.") from None
        return [person] if person else []
    words = _words(typed)
    if len("".join(words)) < 2:
        raise Unclear("Enter at least two letters of their name, or their email address.")
    found = [
        person for person in participants.of_levels(tenant.levels) if _answers_to(person, words)
    ]
    return sorted(found, key=lambda person: (_words(person.name), person.email))


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
