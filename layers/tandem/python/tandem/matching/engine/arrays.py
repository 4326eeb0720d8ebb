"""A band as numpy arrays: people are indexed 0..n-1 in id order, attributes become small ints.

Rules and weights are computed from these arrays a block of rows at a time, so no n x n Python
structure is ever built.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, time

import numpy as np
import numpy.typing as npt

from tandem.matching.engine.history import Pair, Past, pair
from tandem.matching.engine.models import MatchingRules, Person
from tandem.matching.engine.timezones import shared_minutes, utc_offset

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

UNKNOWN = -1


@dataclass(frozen=True, slots=True)
class PairIndex:
    """Pairs of band indexes, stored in both directions, with one int value each."""

    i: Ints
    j: Ints
    value: Ints

    @classmethod
    def build(cls, pairs: Iterable[tuple[int, int, int]]) -> PairIndex:
        table = np.array(list(pairs), dtype=np.int64).reshape(-1, 3)
        first, second, value = table.T
        return cls(
            np.concatenate([first, second]),
            np.concatenate([second, first]),
            np.concatenate([value, value]),
        )

    def in_rows(self, rows: Ints, n: int) -> tuple[Ints, Ints, Ints]:
        """The pairs whose first index is in rows: (position in rows, second index, value)."""
        position = np.full(n, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        local = position[self.i]
        hit = local >= 0
        return local[hit], self.j[hit], self.value[hit]

    def within(self, position: Ints) -> PairIndex:
        """The pairs whose two people both have a position (>= 0), renumbered by it."""
        keep = (position[self.i] >= 0) & (position[self.j] >= 0)
        return PairIndex(position[self.i[keep]], position[self.j[keep]], self.value[keep])

    def inside(self, group: Ints) -> PairIndex:
        """The pairs of two people in the same group."""
        keep = group[self.i] == group[self.j]
        return PairIndex(self.i[keep], self.j[keep], self.value[keep])


@dataclass(frozen=True, slots=True, eq=False)
class Band:
    name: str
    ids: tuple[str, ...]
    department: Ints
    zone: Ints  # index into shared: people with the same UTC offset on the cycle date
    shared: Ints  # zone x zone: minutes of working day in common
    location: Ints  # UNKNOWN when not given
    why: Ints  # UNKNOWN without a purpose profile
    how: Ints
    priority: Bools  # odd last cycle: in a trio or sat out
    reporting: PairIndex  # manager or manager's manager, either way round
    recent: PairIndex  # partners within the repeat window
    older: PairIndex  # partners before the window; value = cycles ago
    workday: int  # minutes
    min_overlap: int  # minutes
    repeat_window: int
    seed: int  # for the random split of a large band into cells, derived from the input

    @property
    def size(self) -> int:
        return len(self.ids)

    def subset(self, members: Ints) -> Band:
        """The band of only these people (indexes in ascending order), numbered 0, 1, ..."""
        position = np.full(self.size, -1, dtype=np.int64)
        position[members] = np.arange(len(members))
        return replace(
            self,
            ids=tuple(self.ids[k] for k in members.tolist()),
            department=self.department[members],
            zone=self.zone[members],
            location=self.location[members],
            why=self.why[members],
            how=self.how[members],
            priority=self.priority[members],
            reporting=self.reporting.within(position),
            recent=self.recent.within(position),
            older=self.older.within(position),
        )

    def split(self, groups: Sequence[Ints]) -> list[Band]:
        """subset() of each of these disjoint groups, dropping the pairs across groups first so
        that each subset scans only its own."""
        group = np.full(self.size, -1, dtype=np.int64)
        for k, members in enumerate(groups):
            group[members] = k
        inner = replace(
            self,
            reporting=self.reporting.inside(group),
            recent=self.recent.inside(group),
            older=self.older.inside(group),
        )
        return [inner.subset(members) for members in groups]


def build_bands(
    people: Sequence[Person], past: Past, cycle: str, on: date, rules: MatchingRules
) -> list[Band]:
    """One Band per band name, in name order."""
    by_id = {p.id: p for p in people}
    if len(by_id) != len(people):
        raise ValueError("person ids must be unique")
    members: dict[str, list[Person]] = defaultdict(list)
    for person in sorted(people, key=lambda p: p.id):
        members[rules.band_of(person.level)].append(person)
    chain = _reporting_pairs(by_id)
    return [_band(name, members[name], chain, past, cycle, on, rules) for name in sorted(members)]


def _band(
    name: str,
    people: list[Person],
    reporting: set[Pair],
    past: Past,
    cycle: str,
    on: date,
    rules: MatchingRules,
) -> Band:
    index = {p.id: n for n, p in enumerate(people)}
    start, end = rules.workday

    def codes(values: Iterable[str | None]) -> Ints:
        # Departments and offices are typed (on the join page, in HR's files): "engineering "
        # is Engineering, whatever its case and spaces.
        table: dict[str, int] = {}
        keys = (None if v is None else " ".join(v.casefold().split()) for v in values)
        return np.array(
            [UNKNOWN if k is None else table.setdefault(k, len(table)) for k in keys],
            dtype=np.int64,
        )

    def in_band(pairs: Iterable[tuple[str, str, int]]) -> PairIndex:
        return PairIndex.build(
            (index[a], index[b], value) for a, b, value in pairs if a in index and b in index
        )

    offsets = [utc_offset(p.timezone, on, start) for p in people]
    distinct, zone = np.unique(np.array(offsets, dtype=np.int64), return_inverse=True)
    workday = _minutes(end) - _minutes(start)
    ids = tuple(index)
    digest = hashlib.sha256("\n".join((cycle, name, *ids)).encode()).digest()
    return Band(
        name=name,
        ids=ids,
        department=codes(p.department for p in people),
        zone=zone.astype(np.int64),
        shared=np.array(
            [[shared_minutes(a, b, workday) for b in distinct.tolist()] for a in distinct.tolist()],
            dtype=np.int64,
        ).reshape(len(distinct), len(distinct)),
        location=codes(p.location for p in people),
        why=codes(p.purpose.why if p.purpose else None for p in people),
        how=codes(p.purpose.how if p.purpose else None for p in people),
        priority=np.array([p.id in past.odd_last for p in people], dtype=np.bool_),
        reporting=in_band((a, b, 0) for a, b in reporting),
        recent=in_band((a, b, 0) for a, b in past.recent),
        older=in_band((a, b, cycles_ago) for (a, b), cycles_ago in past.older.items()),
        workday=workday,
        min_overlap=round(rules.min_overlap_hours * 60),
        repeat_window=rules.repeat_window,
        seed=int.from_bytes(digest[:8], "big"),
    )


def _reporting_pairs(by_id: dict[str, Person]) -> set[Pair]:
    """(person, manager) and (person, manager's manager), for those in the population. The
    manager's manager is the one the caller gave, or else the population's manager's manager."""
    pairs: set[Pair] = set()
    for person in by_id.values():
        boss = by_id.get(person.manager_id or "")
        skip_level = person.skip_level_id or (boss.manager_id if boss else None)
        pairs |= {
            pair(person.id, above) for above in (person.manager_id, skip_level) if above in by_id
        }
    return pairs


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
