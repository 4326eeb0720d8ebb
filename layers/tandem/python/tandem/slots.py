"""When a pair or trio can meet: the windows of a week in which everyone is at work.

Matching only promises enough shared working time on the 24-hour clock; the weekdays can still
part (Auckland's Monday morning is Los Angeles's Sunday afternoon), so the windows are worked
out on real dates, with each zone's offset on that date (DST-correct).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CONVERSATION = timedelta(hours=1)


@dataclass(frozen=True, order=True)
class Window:
    """A stretch of time (UTC) when everyone in the group is within working hours."""

    starts: datetime
    ends: datetime

    def overlap(self, other: Window) -> Window | None:
        starts, ends = max(self.starts, other.starts), min(self.ends, other.ends)
        return Window(starts, ends) if starts < ends else None

    def local(self, timezone: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(timezone)
        return self.starts.astimezone(zone), self.ends.astimezone(zone)


def working_hours(timezone: str, day: date, workday: tuple[time, time]) -> Window:
    zone = ZoneInfo(timezone)
    start, end = (datetime.combine(day, moment, zone).astimezone(UTC) for moment in workday)
    return Window(start, end)


def shared_windows(
    timezones: Sequence[str], week: date, workday: tuple[time, time]
) -> list[Window]:
    """The windows long enough for a conversation on the weekdays of `week` (its Monday, in
    the first person's calendar) when everyone is within working hours on one of their own
    weekdays; soonest first."""
    first, others = timezones[0], timezones[1:]
    windows = []
    for day in (week + timedelta(days=n) for n in range(5)):
        shared = [working_hours(first, day, workday)]
        for timezone in others:
            # Their working day may fall on the day before or after ours.
            theirs = [
                working_hours(timezone, near, workday)
                for near in (day - timedelta(days=1), day, day + timedelta(days=1))
                if near.weekday() < 5
            ]
            shared = [w for ours in shared for t in theirs if (w := ours.overlap(t)) is not None]
        windows += [w for w in shared if w.ends - w.starts >= CONVERSATION]
    return sorted(windows)
