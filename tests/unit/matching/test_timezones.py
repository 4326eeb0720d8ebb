from datetime import date, time

import pytest

from tandem.matching.engine import MatchingRules, match
from tandem.matching.engine.timezones import shared_minutes, utc_offset

from .support import person

NINE = time(9)
WORKDAY = 8 * 60
WINTER = date(2027, 1, 15)
SUMMER = date(2027, 7, 15)
US_ONLY_DST = date(2027, 3, 20)  # the US moved its clocks on 14 March, the UK waits for the 28th


def shared_hours(zone_a: str, zone_b: str, on: date) -> float:
    return shared_minutes(utc_offset(zone_a, on, NINE), utc_offset(zone_b, on, NINE), WORKDAY) / 60


@pytest.mark.parametrize(
    ("zone_a", "zone_b", "on", "hours"),
    [
        ("Europe/London", "Europe/London", WINTER, 8),
        ("Europe/London", "America/New_York", WINTER, 3),
        ("Europe/London", "America/New_York", US_ONLY_DST, 4),
        ("Europe/London", "Asia/Kolkata", WINTER, 2.5),  # half-hour zone
        ("Europe/London", "Asia/Kathmandu", WINTER, 2.25),  # quarter-hour zone
        ("Pacific/Auckland", "America/Los_Angeles", WINTER, 5),  # across midnight UTC
        ("Pacific/Auckland", "America/Los_Angeles", SUMMER, 3),  # both sides changed clocks
        ("America/Los_Angeles", "Pacific/Auckland", SUMMER, 3),
        ("Europe/London", "Asia/Tokyo", WINTER, 0),
    ],
)
def test_shared_working_hours(zone_a: str, zone_b: str, on: date, hours: float) -> None:
    assert shared_hours(zone_a, zone_b, on) == hours


def test_offsets_follow_daylight_saving_on_the_cycle_date() -> None:
    assert utc_offset("America/New_York", WINTER, NINE) == -5 * 60
    assert utc_offset("America/New_York", SUMMER, NINE) == -4 * 60
    assert utc_offset("Pacific/Auckland", WINTER, NINE) == 13 * 60


def test_a_long_working_day_can_overlap_both_ways_round_the_clock() -> None:
    # Given 20-hour days 12 hours apart, they share 8 hours forward and 8 hours back
    assert shared_minutes(0, 12 * 60, 20 * 60) == 16 * 60


def test_pair_needs_the_minimum_overlap() -> None:
    # Given London and New York share 3 working hours in winter
    people = [person("a", "d1"), person("b", "d2", timezone="America/New_York")]

    # When the minimum is 3 hours they are paired, and at 3.5 hours they are not
    assert match(people, [], "2027-Q1", WINTER, MatchingRules(min_overlap_hours=3)).groups
    result = match(people, [], "2027-Q1", WINTER, MatchingRules(min_overlap_hours=3.5))

    # Then both are told why
    assert not result.groups
    assert {u.reason for u in result.unmatched} == {
        "no one at your level whose working hours overlap yours by 3.5 hours"
    }


def test_the_working_day_is_configurable() -> None:
    # Given London and Tokyo share nothing from 9 to 17
    people = [person("a", "d1"), person("b", "d2", timezone="Asia/Tokyo")]
    assert not match(people, [], "2027-Q1", WINTER).groups

    # When the day runs from 7 to 19 they share 3 hours (London 7-19, Tokyo 22-10 UTC)
    rules = MatchingRules(workday=(time(7), time(19)))

    # Then they can be paired
    assert len(match(people, [], "2027-Q1", WINTER, rules).groups) == 1


def test_a_working_day_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        MatchingRules(workday=(time(17), time(9)))
