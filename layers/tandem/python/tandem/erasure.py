"""Removing a person's personal data when they ask (the runbook's "erase" step).

Deleted: the profile, which holds every piece of personal data (name, address, department,
level, manager, time zone, location, answers, purpose profile). Emails already queued for the
person are dropped by the mailer, which finds no one to send them to.
Kept, because they are not personal data on their own: the groups and outcomes of past
quarters, under the person's id. The id is a one-way hash of the address, so it names no
one; the quarters' counts (matches, relationships) stay right in the analytics. A marker with
the id and the date keeps later rosters from inviting the person again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.participants import participant_id
from tandem.store import participants
from tandem.validation import email_address


@dataclass(frozen=True)
class Erasure:
    participant_id: str
    had_profile: bool


def erase(email: str, now: datetime) -> Erasure:
    """Raises ValueError for something that is not an email address."""
    pid = participant_id(email_address(email))
    return Erasure(pid, participants.erase(pid, now))
