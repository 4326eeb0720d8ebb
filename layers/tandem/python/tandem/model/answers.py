"""What people answer: after each conversation (feedback), and at the end of the quarter (the
pulse). Each answer is stored whole, as a version: an edit writes the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ERASED_PLEDGE = "(erased)"  # an erased person's pledge: it still counts, its words are gone


class AnsweredMeanwhile(Exception):
    """Another tab or tap recorded an answer since the form was shown: show the one kept."""


@dataclass(frozen=True)
class Feedback:
    session: int
    participant: str
    held: str
    helpfulness: int | None
    checkin: str | None
    impact: str | None
    note: str
    pledge: str | None
    theme: str
    version: int
    updated_at: datetime
    # The form said HR may read the pledge's words, with nothing to say whose.
    pledge_shared: bool = False


@dataclass(frozen=True)
class Pulse:
    participant: str
    fulfilment: int  # 1-5
    # yes|no: whether they intend an ongoing relationship with their partners; in a circle,
    # yes when they ticked at least one member to keep meeting
    ongoing: str
    comment: str
    version: int
    updated_at: datetime
    keep_meeting: tuple[str, ...] = ()  # in a circle: the members ticked, by id

    def keeps_meeting(self, member: str) -> bool:
        """Whether they want to keep meeting `member`: any partner of a pair or trio they said
        yes about, or a member of their circle they ticked."""
        return self.ongoing == "yes" and (not self.keep_meeting or member in self.keep_meeting)
