"""Removing a person's personal data when they ask (the runbook's "erase" step).

Deleted: the profile, which holds every piece of personal data in the table (name, address,
department, level, manager, time zone, location, answers, purpose profile). Emails already
queued for the person are dropped by the mailer, which finds no one to send them to.
Not touched: files in the bucket that name the person (HR's uploaded rosters, their results
files, matching previews); the runbook tells HR to remove them.
Re-keyed: the quarters the person took part in (their groups, plans, outcomes, their partners'
outcomes, everyone's answers after each session, the person's pulse) move to a random alias,
so the matches, conversations and relationships still count in the aggregates but lead to no
one: the person's id is a hash of their address, which anyone who can guess the address could
recompute. Their own words (pledges, notes, pulse comment) are dropped on the way; a pledge
still counts as made.
Kept: a marker under that id with the date, and nothing else, so that later rosters do not
invite the person again. It goes if the person signs up again from an invitation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from tandem.model.participant import participant_id
from tandem.model.validation import email_address
from tandem.store import matches, participants


@dataclass(frozen=True)
class Erasure:
    participant_id: str
    had_profile: bool
    quarters_rekeyed: int


def erase(email: str, now: datetime) -> Erasure:
    """Raises ValueError for something that is not an email address. Safe to run again."""
    pid = participant_id(email_address(email))
    quarters = matches.pseudonymize(pid, alias=f"erased-{secrets.token_hex(10)}")
    return Erasure(pid, participants.erase(pid, now), quarters)
