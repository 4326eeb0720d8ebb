"""The audit trail of the console: every action of a signed-in person (who, what, when, from
which address), stored in the table, and read back a month at a time for program leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tandem.console.sessions import Session
from tandem.model.audit import AuditEntry
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.store import audit, participants


class Action(StrEnum):
    """What was done, with the words the audit page shows for it."""

    SIGNED_IN = "signed-in"
    SIGNED_OUT = "signed-out"
    UPLOADED_ROSTER = "uploaded-roster"
    DOWNLOADED = "downloaded"
    SENT_LINKS = "sent-links"
    PAUSED = "paused"
    RESUMED = "resumed"
    MARKED_LEFT = "marked-left"
    REVOKED_LINKS = "revoked-links"
    ERASED = "erased"

    @property
    def words(self) -> str:
        return _WORDS[self]


_WORDS = {
    Action.SIGNED_IN: "signed in",
    Action.SIGNED_OUT: "signed out",
    Action.UPLOADED_ROSTER: "uploaded a roster",
    Action.DOWNLOADED: "downloaded a file",
    Action.SENT_LINKS: "sent fresh links to",
    Action.PAUSED: "paused next quarter for",
    Action.RESUMED: "resumed next quarter for",
    Action.MARKED_LEFT: "marked as left",
    Action.REVOKED_LINKS: "revoked the links of",
    Action.ERASED: "erased the data of",
}
# Actions about a participant: their subject is the person's id (an alias once erased).
ABOUT_A_PERSON = frozenset(
    {
        Action.SENT_LINKS,
        Action.PAUSED,
        Action.RESUMED,
        Action.MARKED_LEFT,
        Action.REVOKED_LINKS,
        Action.ERASED,
    }
)


def record(session: Session, action: Action, source_ip: str, subject: str | None = None) -> None:
    entry = AuditEntry(clock.now(), session.email, session.role, action, source_ip, subject)
    audit.append(entry)


@dataclass(frozen=True)
class Line:
    """One entry as the audit page shows it."""

    at: datetime
    actor: str
    role: str
    action: str  # in words
    about: str  # the person's address, "an erased person", the file, or ""
    source_ip: str


def month(of: datetime) -> list[Line]:
    """The entries of one month, newest first, each person named by their address today."""
    entries = audit.of_month(of)
    people = participants.get_many(
        e.subject for e in entries if e.subject and Action(e.action) in ABOUT_A_PERSON
    )
    return [_line(entry, people) for entry in entries]


def _line(entry: AuditEntry, people: dict[str, Participant]) -> Line:
    action = Action(entry.action)
    about = entry.subject or ""
    if action in ABOUT_A_PERSON:
        person = people.get(about)
        about = person.email if person else "a person whose data was erased"
    return Line(entry.at, entry.actor, entry.role, action.words, about, entry.source_ip)
