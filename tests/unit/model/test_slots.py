"""When a group can meet: windows on real dates, across weekdays and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.model.slots import (
    CONVERSATION,
    NOTICE,
    SUGGESTED,
    Window,
    best_first,
    recurring_slots,
    shared_windows,
    whole_hours,
)

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


def shown(options: list[datetime], zone: str) -> list[str]:
    return [f"{o.astimezone(ZoneInfo(zone)):%a %d %H:%M}" for o in options]


def one_off_times(zones: list[str], weeks: list[date]) -> list[datetime]:
    windows = [w for week in weeks for w in shared_windows(zones, week, WORKDAY)]
    return [starts for w in windows for starts in whole_hours(w, zones[0])]


def test_the_best_time_of_a_day_leaves_room_on_both_sides_in_the_shared_hours() -> None:
    # Paris and Kolkata share 09:00-12:30 in Paris: 10:00 has an hour before and 1.5 after
    zones = ["Europe/Paris", "Asia/Kolkata"]
    slots = recurring_slots(
        zones, zones[0], WEEK, 5, WORKDAY, after=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert len(slots) == 15  # 09:00, 10:00 and 11:00, five days
    first, rest = best_first(slots, lambda slot: slot.starts, zones, WORKDAY, zones[0])
    assert shown([s.first for s in first], zones[0]) == [
        "Mon 11 10:00",
        "Wed 13 10:00",
        "Fri 15 10:00",
    ]
    assert len(rest) == 12 and [s.first for s in rest] == sorted(s.first for s in rest)


def test_days_sharing_more_hours_come_first_then_spread_over_the_week() -> None:
    # New York changes its clocks on 14 March 2027, Paris on the 28th: the week after the
    # change shares three hours a day, the week before only two
    zones = ["Europe/Paris", "America/New_York"]
    times = one_off_times(zones, [date(2027, 3, 8), date(2027, 3, 15)])
    first, rest = best_first(times, lambda starts: [starts], zones, WORKDAY, zones[0])
    assert shown(first, zones[0]) == ["Mon 15 15:00", "Wed 17 15:00", "Fri 19 15:00"]
    assert sorted(first + rest) == times


def test_fewer_days_than_suggestions_suggest_each_day_once() -> None:
    zones = ["Europe/Paris", "America/New_York"]
    times = [t for t in one_off_times(zones, [WEEK]) if t.weekday() in (1, 3)]  # Tue and Thu
    first, rest = best_first(times, lambda starts: [starts], zones, WORKDAY, zones[0])
    assert shown(first, zones[0]) == ["Tue 12 15:00", "Thu 14 15:00"] and len(rest) == 2
    assert best_first([], lambda starts: [starts], zones, WORKDAY, zones[0]) == ([], [])


@settings(max_examples=40, deadline=None)
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=3),
    now=st.datetimes(datetime(2026, 1, 1), datetime(2029, 12, 31), timezones=st.just(UTC)),
)
def test_offered_slots_are_a_day_ahead_at_work_for_all_and_the_suggested_a_spread_subset(
    zones: list[str], now: datetime
) -> None:
    local = now.astimezone(ZoneInfo(zones[0])).date()
    week = local - timedelta(days=local.weekday())
    slots = recurring_slots(zones, zones[0], week, 5, WORKDAY, after=now + NOTICE)
    for slot in slots:
        assert slot.first >= now + NOTICE
        assert all(at_work(zone, s, WORKDAY) for zone in zones for s in slot.starts)
    first, rest = best_first(slots, lambda slot: slot.starts, zones, WORKDAY, zones[0])
    assert sorted(first + rest) == slots and not set(first) & set(rest)
    days = {slot.first.astimezone(ZoneInfo(zones[0])).date() for slot in slots}
    assert len(first) == min(SUGGESTED, len(days))
    assert len({slot.first.astimezone(ZoneInfo(zones[0])).date() for slot in first}) == len(first)
