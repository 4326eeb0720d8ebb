"""The program calendar: when each quarter's cycle starts, in the tenant's time zone.

A cycle is named "<year>-Q<n>", n counting the calendar's months in order, so cycle ids sort
chronologically as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tandem.tenant import Tenant

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


@dataclass(frozen=True, order=True)
class Cycle:
    starts: datetime
    id: str


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
        )
        for index, month in enumerate(calendar.months, start=1)
    ]


def next_cycle(tenant: Tenant, now: datetime) -> Cycle:
    """The first cycle that starts after `now`."""
    year = now.astimezone(ZoneInfo(tenant.timezone)).year
    return next(
        c for c in cycles_of_year(tenant, year) + cycles_of_year(tenant, year + 1) if c.starts > now
    )
