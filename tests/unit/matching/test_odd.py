"""The odd one out: trios, sit-outs, and never the same person twice running."""

from itertools import pairwise

import pytest

from tandem.matching.engine import Group, MatchingRules, MatchResult, match
from tandem.matching.engine.history import read_past

from .support import CYCLE, ON, person

SIT_OUT = MatchingRules(odd_policy="sit_out")
ODD_REASON = "odd number of people: you sit out this quarter and get priority next quarter"
THREE = [person("a", "d1"), person("b", "d2"), person("c", "d3")]


def sat_out_last_quarter(*ids: str) -> tuple[Group, ...]:
    return tuple(Group("2026-Q4", (i,)) for i in ids)


def odd_ones(result: MatchResult) -> set[str]:
    in_trios = {m for g in result.groups if len(g.members) == 3 for m in g.members}
    return in_trios | {u.person_id for u in result.unmatched}


def test_trio_policy_puts_the_odd_one_into_a_pair() -> None:
    result = match(THREE, [], CYCLE, ON)
    assert [len(g.members) for g in result.groups] == [3]
    assert result.unmatched == ()


def test_sit_out_policy_leaves_the_odd_one_out_and_says_why() -> None:
    result = match(THREE, [], CYCLE, ON, SIT_OUT)
    assert [len(g.members) for g in result.groups] == [2]
    assert [u.reason for u in result.unmatched] == [ODD_REASON]


@pytest.mark.parametrize("last_odd", ["a", "b", "c"])
def test_who_sat_out_last_quarter_is_paired_this_quarter(last_odd: str) -> None:
    result = match(THREE, sat_out_last_quarter(last_odd), CYCLE, ON, SIT_OUT)
    assert last_odd in result.groups[0].members


@pytest.mark.parametrize("last_odd", ["a", "b", "c"])
def test_a_trio_never_holds_who_was_odd_last_quarter_when_another_can(last_odd: str) -> None:
    # Given five people who can all meet, one of whom sat out last quarter
    people = [*THREE, person("d", "d4"), person("e", "d5")]

    # When matched with trios
    result = match(people, sat_out_last_quarter(last_odd), CYCLE, ON)

    # Then there is one trio and one pair, and the pair holds last quarter's odd one
    assert sorted(len(g.members) for g in result.groups) == [2, 3]
    assert last_odd not in odd_ones(result)


def test_no_trio_when_the_only_one_would_hold_last_quarters_odd_one() -> None:
    # Given three people and a sat out last quarter
    result = match(THREE, sat_out_last_quarter("a"), CYCLE, ON)

    # Then a stays in a plain pair and the third sits out with priority next time
    assert [len(g.members) for g in result.groups] == [2]
    assert "a" in result.groups[0].members
    assert [u.reason for u in result.unmatched] == [ODD_REASON]


def test_everyone_in_last_quarters_trio_counts_as_odd() -> None:
    history = (Group("2026-Q4", ("a", "b", "c")), Group("2026-Q4", ("d", "e")))
    assert read_past(history, CYCLE, 4).odd_last == {"a", "b", "c"}


def test_only_the_most_recent_earlier_quarter_counts() -> None:
    history = (Group("2026-Q3", ("a",)), Group("2026-Q4", ("a", "b")), Group("2027-Q2", ("c",)))
    assert read_past(history, CYCLE, 4).odd_last == set()


def test_nobody_sits_out_twice_running_over_many_quarters() -> None:
    # Given five people who can all meet, matched quarter after quarter with sit-outs
    people = [*THREE, person("d", "d4"), person("e", "d5")]
    rules = MatchingRules(odd_policy="sit_out", repeat_window=1)
    history: tuple[Group, ...] = ()
    sat_out: list[str] = []
    for quarter in ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1"):
        result = match(people, history, quarter, ON, rules)
        history += result.as_history(quarter)
        sat_out += [u.person_id for u in result.unmatched]

    # Then someone sat out each quarter, never the same person twice in a row
    assert len(sat_out) == 5
    assert all(a != b for a, b in pairwise(sat_out))


def test_one_trio_per_band() -> None:
    # Given two bands of three
    people = [*THREE, person("x", "d1", "L2"), person("y", "d2", "L2"), person("z", "d3", "L2")]
    result = match(people, [], CYCLE, ON)
    assert {frozenset(g.members) for g in result.groups} == {frozenset("abc"), frozenset("xyz")}
