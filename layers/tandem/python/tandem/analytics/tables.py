"""The row tables an export is made of, one dataclass per file, with the columns HR reads.

Everything here is already pseudonymous: `participant` is the keyed id of `tandem.analytics`,
never an address. Values use the words of the wire (held `yes|no`, check-in
`done|partly|not_done`, impact and ongoing `yes|no`, helpfulness and fulfilment 1-5); an answer
not given is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ParticipantRow:
    participant: str
    department: str
    level: str
    status: str  # invited | active | paused | left
    purpose_who: str  # "" until the purpose profile is answered
    purpose_why: str
    purpose_how: str
    joined: date | None
    name: str = ""  # only when the tenant asks for identities
    email: str = ""


@dataclass(frozen=True)
class GroupRow:
    cycle: str
    group: str  # a pseudonymous group id, stable within the export
    size: int
    participants: tuple[str, ...]
    slot_picked: bool
    sessions_held: int


@dataclass(frozen=True)
class ConversationRow:
    """One participant's view of one session: one row per participant per session."""

    cycle: str
    group: str
    session: int
    participant: str
    scheduled_at: datetime | None  # None: the group never picked a slot
    held: str | None  # "yes" | "no" | None (not answered)
    helpfulness: int | None
    note: str = ""  # only when the tenant includes free text


@dataclass(frozen=True)
class PledgeRow:
    """A pledge made at `session`, with the check-in given on it at the next session."""

    cycle: str
    group: str
    session: int
    participant: str
    theme: str  # "" when none was chosen
    checkin: str | None  # "done" | "partly" | "not_done" | None (not checked in)
    impact: str | None  # "yes" | "no" | None
    text: str = ""  # only when the tenant includes free text


@dataclass(frozen=True)
class PulseRow:
    """The end-of-quarter pulse."""

    cycle: str
    participant: str
    fulfilment: int | None
    ongoing: str | None  # "yes" | "no" | None
    comment: str = ""  # only when the tenant includes free text


@dataclass(frozen=True)
class Tables:
    """One export's data: a quarter (`scope` "2027-Q1") or a year to date (`scope` "2027",
    `cycles` the quarters so far)."""

    scope: str
    cycles: tuple[str, ...]
    participants: Sequence[ParticipantRow]
    groups: Sequence[GroupRow]
    conversations: Sequence[ConversationRow]
    pledges: Sequence[PledgeRow]
    pulses: Sequence[PulseRow]
    # Who was in a group in the quarter before the first of `cycles` (for retention).
    previously_active: frozenset[str] = field(default_factory=frozenset)
