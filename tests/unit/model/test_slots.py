"""When a group can meet: windows on real dates, across weekdays and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.model.slots import CONVERSATION, Window, shared_windows

WORKDAY = (time(9), time(17))
WEEK = date(2027, 1, 11)  # a Monday
ZONES = [
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "America/St_Johns",  # half an hour off
]


def local(windows: list[Window], zone: str) -> list[str]:
    return [f"{w.local(zone)[0]:%a %H:%M}-{w.local(zone)[1]:%H:%M}" for w in windows]


def test_one_time_zone_shares_the_whole_working_week() -> None:
    windows = shared_windows(["Europe/Paris", "Europe/Paris"], WEEK, WORKDAY)
    assert local(windows, "Europe/Paris") == [
        f"{day} 09:00-17:00" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]


def test_an_ocean_apart_shares_the_end_of_one_day_and_the_start_of_the_other() -> None:
    windows = shared_windows(["Europe/Paris", "America/New_York"], WEEK, WORKDAY)
    assert local(windows, "Europe/Paris")[0] == "Mon 15:00-17:00"
    assert local(windows, "America/New_York")[0] == "Mon 09:00-11:00"
    assert len(windows) == 5


def test_a_weekday_across_the_date_line_is_a_weekday_on_both_sides() -> None:
    # Auckland's Monday morning is Los Angeles's Sunday, and Los Angeles's Friday afternoon
    # is Auckland's Saturday: neither is a working day for both.
    windows = shared_windows(["Pacific/Auckland", "America/Los_Angeles"], WEEK, WORKDAY)
    assert local(windows, "Pacific/Auckland") == [
        f"{day} 09:00-14:00" for day in ("Tue", "Wed", "Thu", "Fri")
    ]
    assert local(windows, "America/Los_Angeles")[0] == "Mon 12:00-17:00"


def test_daylight_saving_on_one_side_moves_the_window_that_week() -> None:
    # The US moves its clocks on 14 March 2027, Europe only on 28 March.
    before = shared_windows(["Europe/Paris", "America/New_York"], date(2027, 3, 8), WORKDAY)
    between = shared_windows(["Europe/Paris", "America/New_York"], date(2027, 3, 15), WORKDAY)
    assert local(before, "Europe/Paris")[0] == "Mon 15:00-17:00"
    assert local(between, "Europe/Paris")[0] == "Mon 14:00-17:00"


def test_less_than_a_conversation_in_common_is_no_window() -> None:
    assert shared_windows(["Europe/Paris", "Asia/Tokyo", "America/New_York"], WEEK, WORKDAY) == []


def at_work(zone: str, moment: datetime, workday: tuple[time, time]) -> bool:
    start, end = (moment.astimezone(ZoneInfo(zone)) for moment in (moment, moment + CONVERSATION))
    return (
        start.weekday() < 5
        and start.date() == end.date()
        and workday[0] <= start.time()
        and end.time() <= workday[1]
    )


@settings(max_examples=60, deadline=None)
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=3),
    week=st.dates(date(2026, 1, 1), date(2029, 12, 31)).map(
        lambda d: d - timedelta(days=d.weekday())
    ),
    start=st.integers(6, 11),
    hours=st.integers(4, 10),
)
def test_a_conversation_fits_in_a_window_exactly_when_everyone_is_at_work(
    zones: list[str], week: date, start: int, hours: int
) -> None:
    workday = (time(start), time(start + hours))
    windows = shared_windows(zones, week, workday)
    first = datetime.combine(week, time(0), ZoneInfo(zones[0])).astimezone(UTC)
    ours = ZoneInfo(zones[0])
    # Every quarter hour of the first person's Monday to Friday, as a conversation's start.
    for quarter in range(5 * 24 * 4):
        moment = first + timedelta(minutes=15 * quarter)
        if moment.astimezone(ours).weekday() >= 5:
            continue
        fits = any(w.starts <= moment and moment + CONVERSATION <= w.ends for w in windows)
        assert fits == all(at_work(zone, moment, workday) for zone in zones), moment
