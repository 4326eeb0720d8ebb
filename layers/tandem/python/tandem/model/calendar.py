"""The program calendar: when each quarter's cycle starts, in the tenant's time zone.

A cycle is named "<year>-Q<n>", n counting the calendar's months in order (up to 12, so compare
ids with matching.history.cycle_order, not as strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tandem.model.rhythm import SESSION_INTERVAL, SESSIONS

if TYPE_CHECKING:  # the tenant file names the quarter's guide track, whose sessions are these
    from tandem.model.tenant import Tenant

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


@dataclass(frozen=True, order=True)
class Cycle:
    starts: datetime
    id: str
    notice_days: int = 7

    @property
    def notice_from(self) -> datetime:
        """When participants are told matching is coming (and may still pause)."""
        return self.starts - timedelta(days=self.notice_days)

    @property
    def conversation_weeks(self) -> list[date]:
        """The week (its Monday's date) of each of the cycle's conversations."""
        first = self.starts.date() - timedelta(days=self.starts.weekday())
        return [first + i * SESSION_INTERVAL for i in range(SESSIONS)]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def cycles_of_year(tenant: Tenant, year: int) -> list[Cycle]:
    calendar = tenant.calendar
    zone = ZoneInfo(tenant.timezone)
    weekday = WEEKDAYS.index(calendar.weekday)
    return [
        Cycle(
            starts=datetime.combine(
                _nth_weekday(year, month, weekday, calendar.nth), calendar.time, zone
            ),
            id=f"{year}-Q{index}",
            notice_days=calendar.notice_days,
        )
        for index, month in enumerate(calendar.months, start=1)
    ]


def cycle(tenant: Tenant, cycle_id: str) -> Cycle:
    """The cycle with this id ("2027-Q1"); ValueError when the calendar has no such cycle."""
    year, _, index = cycle_id.partition("-Q")
    if year.isdigit() and index.isdigit() and 1 <= int(index) <= len(tenant.calendar.months):
        return cycles_of_year(tenant, int(year))[int(index) - 1]
    raise ValueError(f"no cycle {cycle_id!r} in this program's calendar")


def _around(tenant: Tenant, now: datetime) -> list[Cycle]:
    year = now.astimezone(ZoneInfo(tenant.timezone)).year
    return [c for y in (year - 1, year, year + 1) for c in cycles_of_year(tenant, y)]


def next_cycle(tenant: Tenant, now: datetime) -> Cycle:
    """The first cycle that starts after `now`."""
    return next(c for c in _around(tenant, now) if c.starts > now)


def current_cycle(tenant: Tenant, now: datetime) -> Cycle:
    """The cycle under way: the last one that started at or before `now`."""
    return [c for c in _around(tenant, now) if c.starts <= now][-1]


def earlier_cycles(tenant: Tenant, cycle: Cycle, count: int) -> list[str]:
    """The ids of the `count` cycles before `cycle`, oldest first."""
    years = range(cycle.starts.year - count, cycle.starts.year + 1)  # a year holds at least one
    earlier = [
        c.id for year in years for c in cycles_of_year(tenant, year) if c.starts < cycle.starts
    ]
    return earlier[-count:] if count else []
