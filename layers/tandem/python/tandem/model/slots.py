"""When a pair or trio can meet: the windows of a week in which everyone is at work, the slots
in them, and which few of those a phone shows first.

Matching only promises enough shared working time on the 24-hour clock; the weekdays can still
part (Auckland's Monday morning is Los Angeles's Sunday afternoon), so the windows are worked
out on real dates, with each zone's offset on that date (DST-correct).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from tandem.model.rhythm import SESSION_INTERVAL

CONVERSATION = timedelta(hours=1)
# No time is offered that starts sooner than this: people plan their working day the day before,
# and a partner who reads the invitation tomorrow morning must not find the meeting gone.
NOTICE = timedelta(hours=24)
SUGGESTED = 3  # the times a phone shows first; the rest are one step away
H = TypeVar("H", bound=Hashable)


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


def fit(
    timezones: Sequence[str], starts: datetime, workday: tuple[time, time]
) -> tuple[timedelta, timedelta]:
    """How well a conversation starting then sits in everyone's working day: the working time
    they all share that day, and the room it leaves before or after it, whichever is less."""
    days = [
        working_hours(zone, starts.astimezone(ZoneInfo(zone)).date(), workday) for zone in timezones
    ]
    shared = Window(max(d.starts for d in days), min(d.ends for d in days))
    room = min(starts - shared.starts, shared.ends - (starts + CONVERSATION))
    return shared.ends - shared.starts, room


def best_first(
    options: Sequence[H],
    occurrences: Callable[[H], Sequence[datetime]],
    timezones: Sequence[str],
    workday: tuple[time, time],
    timezone: str,
) -> tuple[list[H], list[H]]:
    """The few options a phone shows first, and the rest, each in the order given (soonest
    first). The few are each the best of its day in `timezone` (the most working time shared on
    every date, then the most room around the conversation), on up to SUGGESTED days: those
    sharing the most time, spread over the week (the day farthest from the days already chosen,
    the sooner on a tie)."""
    zone = ZoneInfo(timezone)

    def score(option: H) -> tuple[timedelta, timedelta]:
        fits = [fit(timezones, starts, workday) for starts in occurrences(option)]
        return min(shared for shared, _ in fits), min(room for _, room in fits)

    best: dict[date, tuple[tuple[timedelta, timedelta], H]] = {}
    for option in options:
        day, scored = occurrences(option)[0].astimezone(zone).date(), score(option)
        if day not in best or scored > best[day][0]:
            best[day] = (scored, option)

    def merit(day: date, chosen: list[date]) -> tuple[timedelta, int, int]:
        apart = min((abs((day - other).days) for other in chosen), default=0)
        return best[day][0][0], apart, -day.toordinal()

    chosen: list[date] = []
    while len(chosen) < min(SUGGESTED, len(best)):
        chosen.append(max(best.keys() - chosen, key=lambda day: merit(day, chosen)))
    suggested = {best[day][1] for day in chosen}
    return [o for o in options if o in suggested], [o for o in options if o not in suggested]
