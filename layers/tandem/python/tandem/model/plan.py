"""A group's conversations in one quarter: the slot it picked, the five (or fewer) sessions that
follow from it, what moved, who stopped, and which reminders went out.

A plan is plain data: the use cases change it (tandem.scheduling, tandem.reminders) and
store it whole, conditionally on the version they read, so two members acting at once never
lose each other's change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType

from tandem.model.rhythm import SESSIONS
from tandem.model.slots import CONVERSATION, Slot

NUDGE_AFTER = timedelta(days=5)  # a group without a slot this long after the kickoff is nudged
# A group formed with this many members or more is a circle (a band's format); fewer, a pair or
# the trio of an odd band of pairs. Read from the group as formed, not from the tenant file,
# which may change in the middle of a quarter.
CIRCLE_SIZE = 4
# A circle carries on while this many members remain; a pair or trio while two do.
CIRCLE_QUORUM = 3


@dataclass(frozen=True)
class Session:
    number: int  # 1-5 in the quarter
    starts: datetime  # UTC
    moved: bool = False
    cancelled: bool = False

    @property
    def ends(self) -> datetime:
        return self.starts + CONVERSATION


@dataclass(frozen=True)
class Plan:
    cycle: str
    group: str  # the group's key: its members joined by "+"
    band: str
    members: tuple[str, ...]
    nudge_at: datetime  # when a group that has not picked a slot is reminded to
    first_session: int = 1  # a group formed mid-quarter (a rematch) starts later in the arc
    slot: Slot | None = None
    picked_by: str | None = None
    picked_at: datetime | None = None
    track: str | None = None  # None: the quarter's track (tenant setting)
    moved: Mapping[int, datetime] = field(default_factory=lambda: MappingProxyType({}))
    dropped: frozenset[str] = frozenset()  # members who stopped for the quarter
    cancelled_from: int | None = None  # sessions from this number on are cancelled
    sequence: int = 0  # the calendar's SEQUENCE: raised by every change people's calendars see
    version: int = 0  # raised by every stored change: the condition of the next one
    reminded: frozenset[str] = frozenset()  # "nudge", "before:2", "after:2", ...

    @property
    def count(self) -> int:
        return SESSIONS - self.first_session + 1

    @property
    def circle(self) -> bool:
        return is_circle(self.members)

    @property
    def quorum(self) -> int:
        """How many members the group needs to carry on with its conversations."""
        return CIRCLE_QUORUM if self.circle else 2

    @property
    def carries_on(self) -> bool:
        """Whether enough members remain for the group's conversations to go on."""
        return len(self.active) >= self.quorum

    @property
    def active(self) -> tuple[str, ...]:
        """The members still in the group."""
        return tuple(m for m in self.members if m not in self.dropped)

    @property
    def sessions(self) -> list[Session]:
        """Every session of the plan, moved where it was moved; empty until a slot is picked."""
        if self.slot is None:
            return []
        return [
            Session(
                number,
                self.moved.get(number, starts),
                moved=number in self.moved,
                cancelled=self.cancelled_from is not None and number >= self.cancelled_from,
            )
            for number, starts in enumerate(self.slot.starts, start=self.first_session)
        ]

    def session(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)

    def upcoming(self, now: datetime) -> list[Session]:
        return [s for s in self.sessions if not s.cancelled and s.starts > now]

    def over(self, at: datetime) -> bool:
        """Whether every session had begun (or was cancelled) at `at`: a member who stops from
        then on changes nothing for the others."""
        return self.slot is not None and not self.upcoming(at)

    def calendar_uid(self, tenant: str) -> str:
        """Stable for the group's quarter, and unique across tenants and quarters."""
        digest = hashlib.sha256(f"{tenant}/{self.cycle}/{self.group}".encode()).hexdigest()[:24]
        return f"{digest}@tandem-{tenant}"

    def changed(self, **changes: object) -> Plan:
        """The plan with `changes`, its calendar's SEQUENCE raised once calendars hold it (the
        first invitation goes out at 0)."""
        sequence = self.sequence + 1 if self.slot is not None else self.sequence
        return replace(self, **changes, sequence=sequence)  # type: ignore[arg-type]


def is_circle(members: Sequence[str]) -> bool:
    """Whether a group formed of `members` is a circle (a band that meets in circles)."""
    return len(members) >= CIRCLE_SIZE


def group_key(members: Sequence[str]) -> str:
    return "+".join(members)
