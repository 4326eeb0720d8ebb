"""The time handlers act at.

In AWS it is the wall clock (schedules pass their event's own time instead). The local runtime
moves it, so a whole program year plays out in minutes; time keeps flowing from the moment set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError(
                "the clock needs a time with a UTC offset, e.g. 2027-01-11T09:00:00+01:00"
            )
        self._offset = moment - datetime.now(UTC)

    def reset(self) -> None:
        self._offset = timedelta()


clock = Clock()
