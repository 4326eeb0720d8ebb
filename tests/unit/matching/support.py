"""Shared helpers: people factories and an independent, slow reference of the hard rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import networkx as nx

from tandem.matching.engine import Group, MatchingRules, Person
from tandem.matching.engine.history import cycle_order
from tandem.matching.engine.solve import bands, edges
from tandem.model.purpose import PurposeProfile

ON = date(2027, 1, 15)
CYCLE = "2027-Q1"


def person(
    id: str,
    department: str = "sales",
    level: str = "L1",
    timezone: str = "Europe/London",
    manager_id: str | None = None,
    location: str | None = None,
    purpose: PurposeProfile | None = None,
) -> Person:
    return Person(id, department, level, timezone, manager_id, location, purpose)


def crowd(n: int, departments: int = 2, timezone: str = "Europe/London") -> list[Person]:
    """n people spread round-robin over departments."""
    return [person(f"p{i:02d}", f"d{i % departments}", timezone=timezone) for i in range(n)]


def met_five_quarters_ago(a: str, b: str) -> list[Group]:
    """History where a and b were partners just outside the default window of four quarters."""
    later = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
    return [Group("2025-Q4", (a, b)), *(Group(c, ("x", "y")) for c in later)]


def workday_overlap_hours(a: Person, b: Person, on: date, rules: MatchingRules) -> float:
    """Real datetimes: b's working day of `on`, repeated a day earlier and later, against a's."""
    start, end = rules.workday

    def interval(p: Person) -> tuple[datetime, datetime]:
        zone = ZoneInfo(p.timezone)
        return (
            datetime.combine(on, start, zone).astimezone(UTC),
            datetime.combine(on, end, zone).astimezone(UTC),
        )

    a_start, a_end = interval(a)
    b_start, b_end = interval(b)
    total = timedelta()
    for days in (-1, 0, 1):
        shift = timedelta(days=days)
        total += max(timedelta(), min(a_end, b_end + shift) - max(a_start, b_start + shift))
    return total.total_seconds() / 3600


def recent_partners(history: Sequence[Group], cycle: str, window: int) -> set[frozenset[str]]:
    now = cycle_order(cycle)
    earlier = sorted({g.cycle for g in history if cycle_order(g.cycle) < now}, key=cycle_order)
    cycles = earlier[-window:] if window else []
    return {frozenset(p) for g in history if g.cycle in cycles for p in combinations(g.members, 2)}


def in_reporting_line(a: Person, b: Person, by_id: dict[str, Person]) -> bool:
    def chain(p: Person) -> list[str]:
        above: list[str] = []
        while len(above) < 2 and (boss := by_id.get(p.manager_id or "")) is not None:
            above.append(boss.id)
            p = boss
        return above

    return b.id in chain(a) or a.id in chain(b)


def compatible(
    a: Person,
    b: Person,
    people: Sequence[Person],
    history: Sequence[Group],
    rules: MatchingRules,
    cycle: str = CYCLE,
    on: date = ON,
) -> bool:
    """Every hard rule, written out plainly."""
    by_id = {p.id: p for p in people}
    return (
        a.id != b.id
        and rules.band_of(a.level) == rules.band_of(b.level)
        and a.department != b.department
        and not in_reporting_line(a, b, by_id)
        and frozenset((a.id, b.id)) not in recent_partners(history, cycle, rules.repeat_window)
        and workday_overlap_hours(a, b, on, rules) >= rules.min_overlap_hours
    )


def reference_graph(
    people: Sequence[Person],
    history: Sequence[Group],
    rules: MatchingRules,
    cycle: str = CYCLE,
    on: date = ON,
) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(p.id for p in people)
    graph.add_edges_from(
        (a.id, b.id)
        for a, b in combinations(people, 2)
        if compatible(a, b, people, history, rules, cycle, on)
    )
    return graph


def engine_weights(
    people: Sequence[Person],
    history: Sequence[Group],
    rules: MatchingRules,
    cycle: str = CYCLE,
    on: date = ON,
) -> dict[frozenset[str], int]:
    """The engine's feasible edges and solver weights, by pair of ids."""
    weights: dict[frozenset[str], int] = {}
    for band in bands(people, history, cycle, on, rules):
        for a, b, w in edges(band):
            for i, j, weight in zip(a.tolist(), b.tolist(), w.tolist(), strict=True):
                weights[frozenset((band.ids[i], band.ids[j]))] = weight
    return weights
