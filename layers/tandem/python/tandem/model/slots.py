"""When a pair or trio can meet: the windows of a week in which everyone is at work.

Matching only promises enough shared working time on the 24-hour clock; the weekdays can still
part (Auckland's Monday morning is Los Angeles's Sunday afternoon), so the windows are worked
out on real dates, with each zone's offset on that date (DST-correct).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from tandem.model.rhythm import SESSION_INTERVAL

CONVERSATION = timedelta(hours=1)
# No time is offered that starts sooner than this: people plan their working day the day before,
# and a partner who reads the invitation tomorrow morning must not find the meeting gone.
NOTICE = timedelta(hours=24)
T = TypeVar("T")


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


def at_work(timezones: Sequence[str], starts: datetime, workday: tuple[time, time]) -> bool:
    """Whether a conversation starting then falls inside everyone's working hours, on a weekday
    of their own."""
    for timezone in timezones:
        zone = ZoneInfo(timezone)
        begins, ends = starts.astimezone(zone), (starts + CONVERSATION).astimezone(zone)
        if begins.weekday() >= 5 or begins.date() != ends.date():
            return False
        if not (workday[0] <= begins.time() and ends.time() <= workday[1]):
            return False
    return True


@dataclass(frozen=True, order=True)
class Slot:
    """A recurring slot: the same weekday and time of day in `timezone` (so it keeps its local
    time across daylight saving there), every two weeks, for `count` conversations."""

    first: datetime  # the first conversation's start, UTC
    timezone: str
    count: int

    @property
    def starts(self) -> list[datetime]:
        zone = ZoneInfo(self.timezone)
        local = self.first.astimezone(zone)
        return [
            datetime.combine(local.date() + i * SESSION_INTERVAL, local.time(), zone).astimezone(
                UTC
            )
            for i in range(self.count)
        ]


def recurring_slots(
    timezones: Sequence[str],
    anchor: str,
    week: date,
    count: int,
    workday: tuple[time, time],
    after: datetime,
) -> list[Slot]:
    """The whole-hour slots, in the `anchor` zone, of the week starting `week` whose every
    occurrence, on its real date, falls within everyone's working hours; only slots whose
    first conversation starts after `after`. Soonest first."""
    others = [zone for zone in timezones if zone != anchor]
    candidates = (
        Slot(first, anchor, count)
        for window in shared_windows([anchor, *others], week, workday)
        for first in whole_hours(window, anchor)
    )
    return sorted(
        slot
        for slot in candidates
        if slot.first > after and all(at_work(timezones, s, workday) for s in slot.starts)
    )


def whole_hours(window: Window, timezone: str) -> list[datetime]:
    """The starts, on the hour in `timezone`, of the conversations that fit in the window."""
    zone = ZoneInfo(timezone)
    local = window.starts.astimezone(zone)
    hour = local.replace(minute=0, second=0, microsecond=0)
    if hour < local:
        hour += timedelta(hours=1)
    starts = []
    while hour + CONVERSATION <= window.ends.astimezone(zone):
        starts.append(hour.astimezone(UTC))
        hour += timedelta(hours=1)
    return starts


def a_time_a_day(
    options: Sequence[T], starts: Callable[[T], datetime], timezone: str
) -> tuple[list[T], list[T]]:
    """The options a phone shows first, the earliest of each day in `timezone` (spread over the
    week), and the rest, each in the order given."""
    zone = ZoneInfo(timezone)
    first: list[T] = []
    rest: list[T] = []
    days: set[date] = set()
    for option in options:
        day = starts(option).astimezone(zone).date()
        (rest if day in days else first).append(option)
        days.add(day)
    return first, rest
