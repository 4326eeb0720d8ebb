"""Circles of 4 to 6 (issue 22): the rules for every two members and for the circle as a whole,
sizes, the upper bound, fairness and reasons, on hand-built bands and on random small bands
checked against plain reference rules written with real datetimes."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import combinations
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.matching.engine import Group, MatchingRules, Person
from tandem.matching.engine.circles import (
    DEFAULT_CELLS,
    DEPARTMENT_FULL,
    NO_PLACE,
    TOO_FEW,
    BandCircles,
    Cells,
    CircleResult,
    circle_bands,
    coverage_bound,
    match_circles,
    most_placed,
    solve_circles,
)

from .support import (
    CYCLE,
    ON,
    compatible,
    in_reporting_line,
    person,
    recent_partners,
    workday_overlap_hours,
)
from .test_properties import PURPOSES, ZONES

FEW = settings(max_examples=40, deadline=None, database=None)
EARLIER = ["2026-Q2", "2026-Q3", "2026-Q4"]  # the last is the quarter just before CYCLE


def sat_out_last_quarter(*ids: str) -> list[Group]:
    return [Group("2026-Q4", (i,)) for i in ids]


def departments_of(people: Sequence[Person], group: Group) -> Counter[str]:
    by_id = {p.id: p for p in people}
    return Counter(by_id[m].department for m in group.members)


# --- reference rules, written plainly -----------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    people: list[Person]
    history: list[Group]
    rules: MatchingRules
    size: int
    on: date = ON
    cycle: str = CYCLE
    cells: Cells = DEFAULT_CELLS

    def solved(self) -> CircleResult:
        return solve_circles(
            self.people, self.history, self.cycle, self.on, self.rules, self.size, self.cells
        )


class Reference:
    """Every rule for a circle, from the people and history as given (no engine code)."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.by_id = {p.id: p for p in s.people}
        self.recent = recent_partners(s.history, s.cycle, s.rules.repeat_window)
        self.sat_out = {
            g.members[0] for g in s.history if g.cycle == "2026-Q4" and len(g.members) == 1
        }
        self.hours = cache(self._hours)

    def _hours(self, a: str, b: str) -> float:
        return workday_overlap_hours(self.by_id[a], self.by_id[b], self.s.on, self.s.rules)

    def pair_ok(self, a: Person, b: Person, cap: int) -> bool:
        """Every pair rule; two of one department only with a cap of two."""
        return (
            a.id != b.id
            and self.s.rules.band_of(a.level) == self.s.rules.band_of(b.level)
            and (a.department != b.department or cap == 2)
            and not in_reporting_line(a, b, self.by_id)
            and frozenset((a.id, b.id)) not in self.recent
            and self.hours(a.id, b.id) >= self.s.rules.min_overlap_hours
        )

    def common_hours(self, members: Sequence[str]) -> float:
        """Hours of the first member's working day inside everyone's (each repeated a day
        earlier and later), counted in quarter hours: every UTC offset is a multiple of one."""
        start, end = self.s.rules.workday

        def day(person_id: str) -> tuple[datetime, datetime]:
            zone = ZoneInfo(self.by_id[person_id].timezone)
            return (
                datetime.combine(self.s.on, start, zone).astimezone(UTC),
                datetime.combine(self.s.on, end, zone).astimezone(UTC),
            )

        (first_start, first_end), *others = [day(m) for m in members]
        shifts = [timedelta(days=d) for d in (-1, 0, 1)]
        quarter = timedelta(minutes=15)
        slots, moment = 0, first_start
        while moment < first_end:
            slots += all(
                any(s + shift <= moment < e + shift for shift in shifts) for s, e in others
            )
            moment += quarter
        return slots / 4

    def valid(self, members: Sequence[str], cap: int) -> bool:
        people = [self.by_id[m] for m in members]
        return (
            all(self.pair_ok(a, b, cap) for a, b in combinations(people, 2))
            and max(Counter(p.department for p in people).values()) <= cap
            and self.common_hours(members) >= self.s.rules.min_overlap_hours
        )

    def band_of(self, person_id: str) -> str:
        return self.s.rules.band_of(self.by_id[person_id].level)


@st.composite
def scenarios(
    draw: st.DrawFn, least: int = 8, most: int = 60, small_cells: bool | None = None
) -> Scenario:
    ids = [f"p{i:02d}" for i in range(draw(st.integers(least, most)))]
    departments = [f"d{k}" for k in range(draw(st.integers(1, 6)))]
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True))
    people = [
        Person(
            id,
            draw(st.sampled_from(departments)),
            draw(st.sampled_from(["L1", "L1", "L1", "L2"])),
            draw(st.sampled_from(zones)),
            manager_id=draw(st.sampled_from([None, None, None, "outsider", *ids])),
            location=draw(st.none() | st.sampled_from(["Paris", "Lyon"])),
            purpose=draw(st.none() | st.sampled_from(PURPOSES)),
        )
        for id in ids
    ]
    history = []
    for past in draw(st.lists(st.sampled_from(EARLIER), unique=True, max_size=3)):
        shuffled = draw(st.permutations(ids))
        sizes = draw(st.lists(st.sampled_from([1, 2, 4, 5, 6]), max_size=len(ids)))
        start = 0
        for size in sizes:
            if start + size <= len(shuffled):
                history.append(Group(past, tuple(sorted(shuffled[start : start + size]))))
            start += size
    rules = MatchingRules(
        repeat_window=draw(st.integers(0, 4)),
        min_overlap_hours=draw(st.sampled_from([0, 2, 3.5])),
        bands=draw(st.sampled_from([{}, {"L1": "all", "L2": "all"}])),
    )
    small_cells = draw(st.booleans()) if small_cells is None else small_cells
    cells = (
        Cells(
            whole_limit=0,
            cell_size=draw(st.integers(6, 20)),
            repair_limit=draw(st.integers(8, 40)),
        )
        if small_cells
        else DEFAULT_CELLS
    )
    on = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    return Scenario(people, history, rules, draw(st.integers(4, 6)), on, CYCLE, cells)


def band_reports(s: Scenario, result: CircleResult) -> dict[str, BandCircles]:
    return {b.band: b for b in result.bands}


# --- random bands -------------------------------------------------------------------------


@FEW
@given(scenarios())
def test_every_circle_keeps_every_rule_for_every_two_members_and_as_a_whole(s: Scenario) -> None:
    solved = s.solved()
    result = solved.result
    ref = Reference(s)
    reports = band_reports(s, solved)

    # Everyone appears once: in one circle, or left out with a reason
    named = [m for g in result.groups for m in g.members] + [u.person_id for u in result.unmatched]
    assert sorted(named) == sorted(p.id for p in s.people)
    assert all(u.reason for u in result.unmatched)

    sizes_by_band: dict[str, set[int]] = {}
    for group in result.groups:
        band = ref.band_of(group.members[0])
        cap = reports[band].cap
        assert group.cycle == s.cycle
        assert list(group.members) == sorted(group.members)
        # sizes: 4..6 and within one of the target
        assert 4 <= len(group.members) <= 6
        assert abs(len(group.members) - s.size) <= 1
        sizes_by_band.setdefault(band, set()).add(len(group.members))
        # every two members: the pair rules (the shared reference where departments differ)
        members = [ref.by_id[m] for m in group.members]
        for a, b in combinations(members, 2):
            assert ref.pair_ok(a, b, cap)
            if a.department != b.department:
                assert compatible(a, b, s.people, s.history, s.rules, s.cycle, s.on)
        # the circle as a whole: departments and the working time everyone shares
        assert max(departments_of(s.people, group).values()) <= cap <= 2
        assert ref.common_hours(group.members) >= s.rules.min_overlap_hours

    for band, sizes in sizes_by_band.items():
        assert max(sizes) - min(sizes) <= 1
        assert sizes <= set(reports[band].sizes)
    for report in solved.bands:
        assert report.placed <= report.bound
        assert report.placed == sum(
            len(g.members) for g in result.groups if ref.band_of(g.members[0]) == report.band
        )
    assert solved.bound == coverage_bound(s.people, s.history, s.cycle, s.on, s.rules, s.size)


@FEW
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_circles(
    s: Scenario, rnd: random.Random
) -> None:
    people, history = list(s.people), list(s.history)
    rnd.shuffle(people)
    rnd.shuffle(history)
    again = solve_circles(people, history, s.cycle, s.on, s.rules, s.size, s.cells)
    assert again == s.solved()


@FEW
@given(scenarios())
def test_nobody_left_could_join_a_circle_with_room_and_who_sat_out_goes_first(
    s: Scenario,
) -> None:
    solved = s.solved()
    ref = Reference(s)
    reports = band_reports(s, solved)
    for left in solved.result.unmatched:
        band = ref.band_of(left.person_id)
        cap, largest = reports[band].cap, reports[band].sizes[1]
        for group in solved.result.groups:
            if ref.band_of(group.members[0]) != band:
                continue
            # no circle with room would take them
            if len(group.members) < largest:
                assert not ref.valid([*group.members, left.person_id], cap)
            # who sat out last quarter could not take the place of someone who did not
            if left.person_id in ref.sat_out:
                for member in set(group.members) - ref.sat_out:
                    rest = [m for m in group.members if m != member]
                    assert not ref.valid([*rest, left.person_id], cap)


@settings(FEW, max_examples=60)
@given(scenarios(least=4, most=10, small_cells=False))
def test_the_bound_holds_and_tiny_bands_get_the_most_circles_possible(s: Scenario) -> None:
    # Given every valid circle of each band, found by trying every group of people
    solved = s.solved()
    ref = Reference(s)
    for report in solved.bands:
        ids = [p.id for p in s.people if ref.band_of(p.id) == report.band]
        best = 0
        for lo in (s.size - 1, s.size):
            sizes = [k for k in (lo, lo + 1) if 4 <= k <= 6]
            if len(sizes) < 2:
                continue
            circles = [
                frozenset(c)
                for k in sizes
                for c in combinations(ids, k)
                if ref.valid(c, report.cap)
            ]
            best = max(best, most_people(circles))

        # Then no circles place more than the bound, and the engine places as many as any
        assert best <= report.bound
        assert report.placed == best


def most_people(circles: list[frozenset[str]]) -> int:
    """The most people disjoint circles hold, by trying every choice of one or two (three
    circles of four or more need twelve people)."""
    one = max((len(c) for c in circles), default=0)
    two = max((len(a | b) for a, b in combinations(circles, 2) if not a & b), default=0)
    return max(one, two)


# --- hand-built bands ---------------------------------------------------------------------


def test_23_people_in_5_departments_at_size_5_are_all_placed_without_a_department_twice() -> None:
    people = [person(f"p{i:02d}", f"d{i % 5}") for i in range(23)]
    solved = solve_circles(people, [], CYCLE, ON, size=5)
    result = solved.result
    assert result.unmatched == ()
    assert sorted(len(g.members) for g in result.groups) == [4, 4, 5, 5, 5]
    assert all(max(departments_of(people, g).values()) == 1 for g in result.groups)
    assert [(b.sizes, b.cap, b.bound, b.placed) for b in solved.bands] == [((4, 5), 1, 23, 23)]


def test_three_departments_allow_two_of_one_department_never_three() -> None:
    people = [person(f"p{i:02d}", f"d{i % 3}") for i in range(15)]
    solved = solve_circles(people, [], CYCLE, ON, size=5)
    assert solved.result.unmatched == ()
    counts = [departments_of(people, g) for g in solved.result.groups]
    assert max(max(c.values()) for c in counts) == 2
    assert all(len(c) == 3 for c in counts)  # 2 + 2 + 1: the most spread five can be
    assert solved.bands[0].cap == 2


def test_a_department_of_60_percent_may_have_two_in_a_circle_so_more_are_placed() -> None:
    # Given 12 engineers and 8 people of four other departments
    people = [person(f"e{i:02d}", "eng") for i in range(12)]
    people += [person(f"o{i:02d}", f"d{i % 4}") for i in range(8)]

    solved = solve_circles(people, [], CYCLE, ON, size=5)

    # Then four circles of two engineers and two others: one engineer a circle would place 10
    assert sorted(len(g.members) for g in solved.result.groups) == [4, 4, 4, 4]
    assert all(departments_of(people, g)["eng"] == 2 for g in solved.result.groups)
    assert most_placed(np.array([12, 2, 2, 2, 2]), 4, 5, 1, 5)[0] == 10
    two = DEPARTMENT_FULL.format(cap="two")
    assert [u.reason for u in solved.result.unmatched] == [two] * 4


def test_a_band_of_three_places_nobody_and_says_why() -> None:
    people = [person("a", "d1"), person("b", "d2"), person("c", "d3")]
    solved = solve_circles(people, [], CYCLE, ON)
    assert solved.result.groups == ()
    assert [(u.person_id, u.reason) for u in solved.result.unmatched] == [
        ("a", TOO_FEW),
        ("b", TOO_FEW),
        ("c", TOO_FEW),
    ]
    assert solved.bound == 0


def test_someone_whose_working_day_overlaps_no_one_is_left_out_with_the_overlap_reason() -> None:
    people = [person(f"p{i:02d}", f"d{i}") for i in range(12)]
    people.append(person("kiri", "d99", timezone="Pacific/Kiritimati"))  # UTC+14: 19:00-03:00
    result = match_circles(people, [], CYCLE, ON)
    assert {m for g in result.groups for m in g.members} == {p.id for p in people[:12]}
    assert [(u.person_id, u.reason) for u in result.unmatched] == [
        ("kiri", "no one at your level whose working hours overlap yours by 2 hours")
    ]


def test_a_circle_needs_working_time_shared_by_all_not_only_by_each_two() -> None:
    # Given 12-hour days in London, Singapore and Los Angeles: each two zones share 4 hours,
    # all three share none (UTC 8-20, 0-12 and 16-4)
    zones = ["Europe/London", "Asia/Singapore", "America/Los_Angeles"]
    people = [person(f"p{z}{i}", f"d{z}{i}", timezone=zones[z]) for z in range(3) for i in range(4)]
    rules = MatchingRules(workday=(time(8), time(20)), min_overlap_hours=2)

    result = match_circles(people, [], CYCLE, date(2027, 1, 15), rules, size=4)

    # Then everyone is placed, and no circle spans the three zones
    assert result.unmatched == ()
    by_id = {p.id: p for p in people}
    assert all(len({by_id[m].timezone for m in g.members}) < 3 for g in result.groups)


def test_people_who_shared_a_circle_within_the_window_never_meet_again() -> None:
    # Given four circles of four last quarter, 16 departments
    people = [person(f"p{i:02d}", f"d{i}") for i in range(16)]
    history = [Group("2026-Q4", tuple(f"p{i:02d}" for i in range(k, k + 4))) for k in (0, 4, 8, 12)]

    result = match_circles(people, history, CYCLE, ON, size=4)

    # Then each new circle takes one person from each old circle, and everyone is placed
    assert result.unmatched == ()
    old = {f"p{i:02d}": i // 4 for i in range(16)}
    assert all(sorted(old[m] for m in g.members) == [0, 1, 2, 3] for g in result.groups)


def test_nobody_can_be_placed_when_every_circle_would_repeat_a_meeting() -> None:
    people = [person(f"p{i:02d}", f"d{i}") for i in range(12)]
    history = [Group("2026-Q4", tuple(f"p{i:02d}" for i in range(k, k + 4))) for k in (0, 4, 8)]
    solved = solve_circles(people, history, CYCLE, ON, size=4)
    assert solved.result.groups == ()
    assert {u.reason for u in solved.result.unmatched} == {NO_PLACE}


@pytest.mark.parametrize("sat_out", [f"p{i}" for i in range(7)])
def test_who_sat_out_last_quarter_is_placed_when_someone_must_sit_out(sat_out: str) -> None:
    # Given seven people who can all meet, circles of 4 or 5: two must sit out
    people = [person(f"p{i}", f"d{i}") for i in range(7)]

    result = match_circles(people, sat_out_last_quarter(sat_out), CYCLE, ON, size=4)

    # Then the one who sat out last quarter is in the circle, and two others sit out
    assert [len(g.members) for g in result.groups] == [5]
    assert sat_out in result.groups[0].members
    assert [u.reason for u in result.unmatched] == [NO_PLACE, NO_PLACE]


def test_only_who_sat_out_counts_not_members_of_last_quarters_circles() -> None:
    # Given six people: a circle of five last quarter, and f sat out
    people = [person(f"{c}", f"d{c}") for c in "abcdef"]
    history = [Group("2026-Q3", ("a", "b")), Group("2026-Q4", ("a", "b", "c", "d", "e"))]
    history += sat_out_last_quarter("f")
    rules = MatchingRules(repeat_window=0)
    bands = circle_bands(people, history, CYCLE, ON, rules)
    assert [[band.ids[i] for i in range(band.size) if band.priority[i]] for band, _ in bands] == [
        ["f"]
    ]


def test_someone_listed_as_their_own_manager_can_still_be_in_a_circle() -> None:
    people = [person("a", "d1", manager_id="a"), *(person(c, f"d{c}") for c in "bcd")]
    assert coverage_bound(people, [], CYCLE, ON, size=4) == 4
    assert [g.members for g in match_circles(people, [], CYCLE, ON, size=4).groups] == [
        ("a", "b", "c", "d")
    ]


def test_sizes_other_than_4_to_6_are_refused() -> None:
    with pytest.raises(ValueError, match="circle size must be 4 to 6"):
        match_circles([], [], CYCLE, ON, size=3)


def test_the_soft_score_spreads_departments_then_purpose_then_offices() -> None:
    # Given 10 people, 5 departments twice: circles of five can all have five departments
    people = [
        person(f"p{i}", f"d{i % 5}", location="Paris" if i < 5 else "Lyon") for i in range(10)
    ]

    result = match_circles(people, [], CYCLE, ON, size=5)

    # Then neither circle has a department twice, and each mixes the two offices
    assert all(max(departments_of(people, g).values()) == 1 for g in result.groups)
    by_id = {p.id: p for p in people}
    assert all(len({by_id[m].location for m in g.members}) == 2 for g in result.groups)
