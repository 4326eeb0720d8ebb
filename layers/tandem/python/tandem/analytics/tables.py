"""The row tables of an export, as drawn from the store: what the figures are computed from.

Only `EnrolmentRow` and `GroupRow` leave as rows (participants.csv, groups.csv, and which
sessions each group held, conversations.csv): what running the program needs and what
participants are told HR sees. The answers (conversations, pledges, pulses and the purpose
profile) leave only as the figures of `tandem.analytics.figures`, and a pledge's words, when
shared, with nothing to say whose (`tandem.analytics.files`).

Everything here is already pseudonymous: `participant` is the keyed id of `tandem.analytics`,
never an address. Values use the words of the wire (held `yes|no`, check-in
`done|partly|not_done`, impact and ongoing `yes|no`, helpfulness and fulfilment 1-5); an answer
not given is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParticipantRow:
    """Someone in the program, with what the figures break down by; the purpose profile is an
    answer ("" until given), counted in figures only."""

    participant: str
    department: str
    level: str
    purpose_who: str
    purpose_why: str
    purpose_how: str


@dataclass(frozen=True)
class EnrolmentRow:
    """Someone's place in one quarter: all that HR sees of a person."""

    cycle: str
    participant: str
    department: str
    level: str
    status: str  # invited | active | paused (that quarter) | left
    group: str  # "" when in no group that quarter
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
    held: str | None  # "yes" | "no" | None (not answered)
    helpfulness: int | None  # only for a session held


@dataclass(frozen=True)
class PledgeRow:
    """A pledge made at `session`, with the check-in given on it at the next session."""

    cycle: str
    group: str
    session: int
    participant: str
    theme: str  # "" when none was chosen
    checkin: str | None  # "done" | "partly" | "not_done" | None (not checked in)
    impact: str | None  # "yes" | "no" | None; only for a pledge done at least partly
    text: str = ""  # only where the tenant shares pledge texts and the form said so


@dataclass(frozen=True)
class PulseRow:
    """The end-of-quarter pulse."""

    cycle: str
    participant: str
    fulfilment: int | None
    ongoing: str | None  # "yes" | "no" | None


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
    enrolments: Sequence[EnrolmentRow] = ()


def year_to_date(quarters: Sequence[Tables]) -> Tables:
    """The quarters of one year so far as one set of tables, scoped to the year: every
    quarter's rows, and the people as the last quarter drew them."""
    return Tables(
        scope=quarters[-1].scope.partition("-")[0],
        cycles=tuple(q.scope for q in quarters),
        participants=quarters[-1].participants,
        groups=[row for q in quarters for row in q.groups],
        conversations=[row for q in quarters for row in q.conversations],
        pledges=[row for q in quarters for row in q.pledges],
        pulses=[row for q in quarters for row in q.pulses],
        previously_active=quarters[0].previously_active,
        enrolments=[row for q in quarters for row in q.enrolments],
    )
