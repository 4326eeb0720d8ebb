"""Circles: a band matched into groups of 4 to 6 people instead of pairs (issue 22).

Every two members of a circle obey the pair rules (rules.py): other department, not in each
other's reporting line, not together within the repeat window (history groups of any size: all
who shared a group have met). Two more rules hold for the circle as a whole:
- the working days of ALL its members share at least the minimum overlap on the cycle's date
  (the intersection of their working days on the 24-hour UTC circle; for two people this is
  exactly timezones.shared_minutes);
- at most one person of a department, or at most two when the band's departments cannot all
  differ: when one per department would lower the upper bound on how many people the band's
  circles can hold (3 departments and circles of 5; or one department with 60% of the band).

Sizes: a band uses two neighbouring sizes, {size - 1, size} or {size, size + 1}, within 4..6,
whichever has the higher bound (then fewer circles off the target size), so circle sizes differ
by at most one. Bands of up to Cells.whole_limit people try both and keep the better result.

The upper bound (`bound`, per band and in total): no valid circles can place more people.
1. The core. A member of a circle of at least `lo` people has at least lo - 1 compatible people
   in it, of whom at most one (two per department) or none (one) is of their department. So
   peel away, until none is left, everyone with fewer such people among those still in: who is
   peeled can be in no circle. Counts come from tables of people by zone and department, less
   the forbidden pairs, never from an n x n array.
2. Time zones. Circles never span two components of the graph of zones whose working days
   overlap enough, so each component is bounded on its own and the bounds add up.
3. Counting. k circles hold at most hi * k people and, of a department of c people,
   min(c, cap * k); they need at least lo * k. The bound is the best k's count (dealing people
   round-robin into k circles shows the count is reachable as far as departments go).

The heuristic (deterministic: ties are broken by a random order seeded from the cycle, the band
and its ids; every budget counts steps, not seconds):
1. Cells. People of the core, in order of UTC offset and at random within one offset, are cut
   into cells of about Cells.cell_size people, a multiple of the target size (bands up to
   Cells.whole_limit: one cell); each cell is solved on dense cell x cell arrays, as the pair
   engine's cells are. A cell of at most EXACT_LIMIT people is solved exactly, by trying every
   set of disjoint valid circles.
2. In a cell: build circles one at a time. The seed is whoever sat out last cycle, else whoever
   has the fewest compatible people left; the circle grows by the candidate who keeps it able to
   reach the target size, then from the department with the most people left (dealing the
   largest departments first is what places the most people when departments are the limit),
   then who sat out last cycle, then who keeps the most candidates, then the best soft score.
   A seed that cannot reach the smallest size is set aside.
3. Repairs in a cell until none helps or the cell's own bound is reached: put someone left into
   a circle with room; form a new circle from people left plus members that circles above the
   smallest size can spare; one member out and two people left in; swap someone left for a
   member who can move to another circle with room. Then fairness: someone left who sat out
   last cycle takes the place of a member who did not. A band of one cell still below its
   bound: up to RESTARTS builds with seeds in random order, the best kept.
4. Sizes, then the soft score: a circle below the target size is spread over others below it,
   and circles above it spare members for a new one; then, while one improves, the best swaps
   of two members of different circles and moves of a member to another circle, several at a
   time when they touch different circles, within Cells.search_steps per person.
5. Across cells: the people left are solved together; while fewer are placed than the bound,
   a region (people left, then circles that can spare a member and the circles most compatible
   with them, up to Cells.repair_limit people) is repaired again with its circles kept.
6. Last, over the whole band until nothing changes: anyone left joins a circle with room, and
   anyone left who sat out last cycle takes the place of a member who did not.
Guaranteed: every circle satisfies every hard rule; sizes within the band's two sizes; nobody
left could join any circle that has room; nobody left who sat out last cycle could replace a
member who did not; placed <= bound; the most people placed in a band of at most EXACT_LIMIT.
Not guaranteed otherwise: the most people placed (the problem is NP-hard; the bench reports the
gap to the bound) or the best soft score.

Soft score of a circle (Group.score), summed over its pairs, in order of importance after
fairness (placing who sat out last cycle, above): SHARED_DEPARTMENT for two of one department
(more than all the rest of a circle can score, so departments spread first); the pair
objective's purpose terms (a shared WHY, a different HOW); then a different office.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import reduce
from itertools import combinations, pairwise
from operator import or_

import numpy as np

from tandem.matching.engine.arrays import UNKNOWN, Band, Bools, Ints, build_bands
from tandem.matching.engine.history import cycle_order, read_past
from tandem.matching.engine.models import Group, MatchingRules, MatchResult, Person, Unmatched
from tandem.matching.engine.objective import DIFFERENT_HOW, DIFFERENT_LOCATION, SAME_WHY
from tandem.matching.engine.rules import no_partner_reason, overlap, partner_counts
from tandem.matching.engine.timezones import DAY, utc_offset

SMALLEST, LARGEST = 4, 6
DEFAULT_SIZE = 5
DEFAULT_RULES = MatchingRules()

# The pair terms of the objective, then a department twice: more than a circle of 6 (15 pairs)
# can score with everything else, so a circle with fewer doubles always scores higher.
PAIR_BEST = SAME_WHY + DIFFERENT_HOW + DIFFERENT_LOCATION
SHARED_DEPARTMENT = 15 * PAIR_BEST + 1

TOO_FEW = "not enough compatible people at your level to form a circle"
NO_PLACE = "no circle at your level had a place for you this quarter: you get priority next quarter"
DEPARTMENT_FULL = (
    "every circle you could join already has {cap} of your department this quarter: "
    "you get priority next quarter"
)

REPAIR_ROUNDS = 3
RESTARTS = 3  # builds with seeds in random order, in a band of one cell still below its bound
EXACT_LIMIT = 10  # a cell of at most this many people is solved by trying every set of circles
BLOCK_CELLS = 1 << 21  # rows x n cells computed at once
CANDIDATE_CIRCLES = 40  # circles tried per person in a swap repair


@dataclass(frozen=True, slots=True)
class Cells:
    """How a band is cut and searched (tests make cells small)."""

    whole_limit: int = 400  # people solved as one cell, both size pairs tried
    cell_size: int = 200
    repair_limit: int = 600  # people in one region repaired across cells
    search_steps: float = 1.0  # soft-score moves per person in a cell


DEFAULT_CELLS = Cells()


@dataclass(frozen=True, slots=True)
class BandCircles:
    """What happened in one band."""

    band: str
    people: int
    sizes: tuple[int, int]  # the two sizes used
    cap: int  # the most people of one department in a circle
    bound: int  # no valid circles place more people of this band
    placed: int


@dataclass(frozen=True, slots=True)
class CircleResult:
    result: MatchResult
    bands: tuple[BandCircles, ...]

    @property
    def bound(self) -> int:
        return sum(b.bound for b in self.bands)

    @property
    def placed(self) -> int:
        return sum(b.placed for b in self.bands)


def match_circles(
    people: Sequence[Person],
    history: Sequence[Group],
    cycle: str,
    on: date,
    rules: MatchingRules = DEFAULT_RULES,
    size: int = DEFAULT_SIZE,
    cells: Cells = DEFAULT_CELLS,
) -> MatchResult:
    """Circles for the cycle starting on `on`, and a reason for everyone left out.

    Each Group lists its members in id order; its score is the circle's soft score.
    Deterministic: the same input gives the same result.
    """
    return solve_circles(people, history, cycle, on, rules, size, cells).result


def solve_circles(
    people: Sequence[Person],
    history: Sequence[Group],
    cycle: str,
    on: date,
    rules: MatchingRules = DEFAULT_RULES,
    size: int = DEFAULT_SIZE,
    cells: Cells = DEFAULT_CELLS,
) -> CircleResult:
    """match_circles with each band's sizes, department cap, upper bound and people placed."""
    groups: list[Group] = []
    unmatched: list[Unmatched] = []
    reports: list[BandCircles] = []
    for band, arcs in circle_bands(people, history, cycle, on, rules, size):
        plan = _plan(band, arcs, size)
        circles = _solve_band(band, plan, cells)
        for members in circles:
            groups.append(
                Group(cycle, tuple(band.ids[i] for i in members), _circle_score(band, members))
            )
        unmatched += _reasons(band, plan, circles)
        reports.append(
            BandCircles(
                band.name,
                band.size,
                (plan.lo, plan.hi),
                plan.cap,
                plan.bound,
                sum(len(c) for c in circles),
            )
        )
    result = MatchResult(
        groups=tuple(sorted(groups, key=lambda g: g.members)),
        unmatched=tuple(sorted(unmatched, key=lambda u: u.person_id)),
    )
    return CircleResult(result, tuple(reports))


def coverage_bound(
    people: Sequence[Person],
    history: Sequence[Group],
    cycle: str,
    on: date,
    rules: MatchingRules = DEFAULT_RULES,
    size: int = DEFAULT_SIZE,
) -> int:
    """How many people any valid circles of this size could place at most, over all bands."""
    return sum(
        _plan(band, arcs, size).bound
        for band, arcs in circle_bands(people, history, cycle, on, rules, size)
    )


def circle_bands(
    people: Sequence[Person],
    history: Sequence[Group],
    cycle: str,
    on: date,
    rules: MatchingRules = DEFAULT_RULES,
    size: int = DEFAULT_SIZE,
) -> list[tuple[Band, Bools]]:
    """The bands, each with its zones' working days as zone x minute-of-the-UTC-day arrays.

    Priority goes to who sat out the most recent earlier cycle (a 1-tuple in history), not to
    members of a trio or a circle.
    """
    if not SMALLEST <= size <= LARGEST:
        raise ValueError(f"circle size must be {SMALLEST} to {LARGEST}, not {size}")
    past = read_past(history, cycle, rules.repeat_window)
    sat_out = _sat_out_last(history, cycle)
    by_id = {p.id: p for p in people}
    start, end = rules.workday
    first = start.hour * 60 + start.minute
    workday = end.hour * 60 + end.minute - first
    found = []
    for band in build_bands(people, past, cycle, on, rules):
        band = replace(band, priority=np.array([i in sat_out for i in band.ids], dtype=np.bool_))
        arcs = np.zeros((len(band.shared), DAY), dtype=np.bool_)
        for k, person_id in enumerate(band.ids):
            zone = int(band.zone[k])
            offset = utc_offset(by_id[person_id].timezone, on, start)
            arcs[zone, (first - offset + np.arange(workday)) % DAY] = True
        found.append((band, arcs))
    return found


def _sat_out_last(history: Sequence[Group], cycle: str) -> frozenset[str]:
    now = cycle_order(cycle)
    earlier = [g.cycle for g in history if cycle_order(g.cycle) < now]
    if not earlier:
        return frozenset()
    last = max(earlier, key=cycle_order)
    return frozenset(g.members[0] for g in history if g.cycle == last and len(g.members) == 1)


# --- the rules of a band ------------------------------------------------------------------


@dataclass(eq=False)
class _Plan:
    """A band's rules for circles: sizes lo..hi, at most `cap` per department, the core."""

    band: Band
    arcs: Bools
    size: int
    lo: int
    hi: int
    cap: int
    bound: int
    core: Bools  # people who could be in some circle
    common_cache: dict[int, bool]

    def fits(self, zones: int) -> bool:
        """Whether people of these zones (a bit mask) share the minimum working time."""
        known = self.common_cache.get(zones)
        if known is None:
            picked = [z for z in range(zones.bit_length()) if zones >> z & 1]
            common = int(np.logical_and.reduce(self.arcs[picked]).sum())
            known = self.common_cache[zones] = common >= self.band.min_overlap
        return known

    def fitting_zones(self, zones: int) -> Bools:
        """For each zone: whether someone of it could join people of these zones."""
        return np.array([self.fits(zones | 1 << z) for z in range(len(self.arcs))])


def _size_pairs(size: int) -> list[tuple[int, int]]:
    return [(lo, lo + 1) for lo in (size - 1, size) if lo >= SMALLEST and lo + 1 <= LARGEST]


def _plan(band: Band, arcs: Bools, size: int) -> _Plan:
    """The department cap, then the two sizes with the highest bound."""
    options = {
        cap: [(*_bound(band, cap, lo, hi, size), lo, hi) for lo, hi in _size_pairs(size)]
        for cap in (1, 2)
    }
    # one per department, unless that lowers the bound
    best = {cap: max(o[0] for o in found) for cap, found in options.items()}
    cap = 1 if best[1] >= best[2] else 2
    bound, _, core, lo, hi = max(options[cap], key=lambda o: (o[0], -o[1], -o[3]))
    return _Plan(band, arcs, size, lo, hi, cap, bound, core, {})


def _bound(band: Band, cap: int, lo: int, hi: int, size: int) -> tuple[int, int, Bools]:
    """(bound, circles off the target size at the bound, core) for these sizes and cap."""
    near = band.shared >= band.min_overlap
    alive = np.ones(band.size, dtype=np.bool_)
    while alive.any():
        other, same = _degrees(band, alive, near)
        drop = alive & (other + np.minimum(same, cap - 1) < lo - 1)
        if not drop.any():
            break
        alive &= ~drop
    bound = off_size = 0
    for zones in _components(near):
        counts = np.bincount(band.department[alive & np.isin(band.zone, zones)])
        placed, circles = most_placed(counts, lo, hi, cap, size)
        bound += placed
        off_size += _off_size(placed, circles, size)
    return bound, off_size, alive


def _degrees(band: Band, alive: Bools, near: Bools) -> tuple[Ints, Ints]:
    """For each person: compatible people still alive in other departments, and in their own
    (all rules but the department's), from zone x department tables less forbidden pairs."""
    table = np.zeros((len(near), int(band.department.max()) + 1), dtype=np.int64)
    np.add.at(table, (band.zone[alive], band.department[alive]), 1)
    reach = near.astype(np.int64) @ table  # zone x department: alive people within overlap
    own = reach[band.zone, band.department]
    other = reach.sum(axis=1)[band.zone] - own
    same = own - (alive & near[band.zone, band.zone])
    i = np.concatenate([band.reporting.i, band.recent.i])
    j = np.concatenate([band.reporting.j, band.recent.j])
    i, j = np.divmod(np.unique(i * band.size + j), band.size)  # a pair in both counts once
    counted = alive[j] & near[band.zone[i], band.zone[j]] & (i != j)  # one's own manager
    same_department = band.department[i] == band.department[j]
    other -= np.bincount(i[counted & ~same_department], minlength=band.size)
    same -= np.bincount(i[counted & same_department], minlength=band.size)
    return other, same


def _components(near: Bools) -> list[Ints]:
    """Zones in connected groups of the graph 'working days overlap enough'."""
    seen = np.zeros(len(near), dtype=np.bool_)
    found = []
    for start in range(len(near)):
        if seen[start]:
            continue
        group = np.zeros(len(near), dtype=np.bool_)
        group[start] = True
        while True:
            grown = group | near[group].any(axis=0)
            if (grown == group).all():
                break
            group = grown
        seen |= group
        found.append(np.flatnonzero(group))
    return found


def most_placed(counts: Ints, lo: int, hi: int, cap: int, size: int) -> tuple[int, int]:
    """(people, circles): the most people circles of lo..hi with at most `cap` of a department
    can hold, counting heads by department, and the circle count that does it closest to the
    target size (then the fewest circles)."""
    people = int(counts.sum())
    k = np.arange(1, people // lo + 1)
    if not len(k):
        return 0, 0
    held = np.minimum(hi * k, np.minimum(counts[None, :], cap * k[:, None]).sum(axis=1))
    held = np.where(held >= lo * k, held, 0)
    best = int(held.max())
    if not best:
        return 0, 0
    ties = k[held == best].tolist()
    return best, min(ties, key=lambda c: (_off_size(best, c, size), c))


def _off_size(people: int, circles: int, size: int) -> int:
    """Circles not of the target size when people are dealt as evenly as possible."""
    if not circles:
        return 0
    small, larger = divmod(people, circles)
    return (circles - larger) * (small != size) + larger * (small + 1 != size)


# --- pair arrays ----------------------------------------------------------------------------


def _compatible(band: Band, rows: Ints, cap: int) -> Bools:
    """rows x n: the two may be in one circle as far as pairs go (the department only when the
    cap is one; never on the diagonal)."""
    ok = overlap(band, rows) >= band.min_overlap
    if cap == 1:
        ok &= band.department[rows, None] != band.department[None, :]
    for forbidden in (band.reporting, band.recent):
        row, col, _ = forbidden.in_rows(rows, band.size)
        ok[row, col] = False
    ok[np.arange(len(rows)), rows] = False
    return ok


def _soft(band: Band, a: Ints, b: Ints) -> Ints:
    """The soft score of the pairs (a, b), broadcast."""

    def same(code: Ints) -> Bools:
        return (code[a] == code[b]) & (code[a] != UNKNOWN)

    def different(code: Ints) -> Bools:
        return (code[a] != code[b]) & (code[a] != UNKNOWN) & (code[b] != UNKNOWN)

    return (
        SAME_WHY * same(band.why)
        + DIFFERENT_HOW * different(band.how)
        + DIFFERENT_LOCATION * different(band.location)
        - SHARED_DEPARTMENT * (band.department[a] == band.department[b])
    ).astype(np.int64)


def _circle_score(band: Band, members: Sequence[int]) -> int:
    if len(members) < 2:
        return 0
    a, b = np.array(list(combinations(members, 2)), dtype=np.int64).T
    return int(_soft(band, a, b).sum())


def _row_blocks(n: int, rows: Ints) -> list[Ints]:
    step = max(1, BLOCK_CELLS // max(n, 1))
    return [rows[start : start + step] for start in range(0, len(rows), step)]


# --- one cell, on dense arrays ----------------------------------------------------------------


class _Region:
    """Circles among a few hundred people of a band, on dense arrays: build, repair, improve."""

    def __init__(
        self,
        part: Band,
        plan: _Plan,
        rank: Ints,
        circles: Sequence[Sequence[int]] = (),
    ) -> None:
        self.plan = plan
        self.lo, self.hi, self.cap = plan.lo, plan.hi, plan.cap
        m = self.m = part.size
        index = np.arange(m)
        self.A = _compatible(part, index, plan.cap)
        self.S = _soft(part, index[:, None], index[None, :])
        np.fill_diagonal(self.S, 0)
        self.department = part.department
        self.departments = int(plan.band.department.max()) + 1
        self.zone = part.zone
        self.priority = part.priority
        self.rank = rank
        self.circle = np.full(m, -1, dtype=np.int64)
        self.members: list[list[int]] = []
        for members in circles:
            self._new(list(members))
        self.core = self._core()

    # circles

    def _new(self, members: list[int]) -> None:
        self.circle[members] = len(self.members)
        self.members.append(members)

    def _add(self, c: int, v: int) -> None:
        self.members[c].append(v)
        self.circle[v] = c

    def _remove(self, v: int) -> None:
        self.members[self.circle[v]].remove(v)
        self.circle[v] = -1

    def _zones(self, members: Sequence[int]) -> int:
        return reduce(or_, (1 << int(self.zone[w]) for w in members), 0)

    def can_join(self, c: int, v: int, without: int = -1) -> bool:
        others = [w for w in self.members[c] if w != without]
        if not self.A[v, others].all():
            return False
        if self.cap > 1 and sum(self.department[w] == self.department[v] for w in others) >= (
            self.cap
        ):
            return False
        return self.plan.fits(self._zones(others) | 1 << int(self.zone[v]))

    def sizes(self) -> Ints:
        return np.array([len(m) for m in self.members], dtype=np.int64)

    def circles(self) -> list[list[int]]:
        return [sorted(m) for m in self.members if m]

    def left(self) -> Ints:
        """People of the core left out, who sat out last cycle first, then fewest options."""
        left = np.flatnonzero(self.core & (self.circle < 0))
        options = self.A[np.ix_(left, np.flatnonzero(self.core))].sum(axis=1)
        return left[np.lexsort((self.rank[left], options, ~self.priority[left]))]

    def _core(self) -> Bools:
        """As _bound's core, within the region."""
        alive = np.ones(self.m, dtype=np.bool_)
        same = self.department[:, None] == self.department[None, :]
        while alive.any():
            edges = self.A & alive[None, :]
            degree = (edges & ~same).sum(axis=1)
            degree += np.minimum((edges & same).sum(axis=1), self.cap - 1)
            drop = alive & (degree < self.lo - 1)
            if not drop.any():
                break
            alive &= ~drop
        return alive

    # building

    def target(self) -> int:
        counts = np.bincount(self.department[self.core], minlength=self.departments)
        people, circles = most_placed(counts, self.lo, self.hi, self.cap, self.plan.size)
        if not circles:
            return self.plan.size
        return min(max((2 * people + circles) // (2 * circles), self.lo), self.hi)

    def grow(
        self,
        seed: int,
        pool: Bools,
        target: int,
        left: Bools | None = None,
        floor: int = 0,
    ) -> list[int]:
        """A circle from the seed and people of the pool, as large as target. With `left`:
        people left come first, and members of circles (donors) join only as many as their
        circle can spare above `floor` people."""
        members = [seed]
        candidates = pool & self.A[seed]
        candidates[seed] = False
        plenty = np.bincount(self.department[pool], minlength=self.departments)
        plenty[self.department[seed]] -= 1
        spare = self.sizes() - floor
        if left is not None and self.circle[seed] >= 0:
            spare[self.circle[seed]] -= 1
        while len(members) < target:
            idx = np.flatnonzero(candidates)
            if self.cap > 1:
                held = np.bincount(self.department[members], minlength=self.departments)
                idx = idx[held[self.department[idx]] < self.cap]
            if left is not None:
                donors = self.circle[idx]
                idx = idx[(donors < 0) | (np.append(spare, 0)[donors] > 0)]
            idx = idx[self.plan.fitting_zones(self._zones(members))[self.zone[idx]]]
            if not len(idx):
                break
            common = self.A[np.ix_(idx, idx)].sum(axis=1)
            finish = common >= target - len(members) - 1
            gain = self.S[idx][:, members].sum(axis=1)
            keys = [
                self.rank[idx],
                -gain,
                -common,
                ~self.priority[idx],
                -plenty[self.department[idx]],
            ]
            if left is not None:
                keys.append(~left[idx])
            keys.append(~finish)
            v = int(idx[np.lexsort(keys)[0]])
            members.append(v)
            plenty[self.department[v]] -= 1
            if left is not None and self.circle[v] >= 0:
                spare[self.circle[v]] -= 1
            candidates &= self.A[v]
        return members

    def build(self, target: int, at_random: bool = False) -> None:
        """Circles one at a time: seeds who sat out last cycle first, then the fewest options
        (at_random: in random order)."""
        failed = np.zeros(self.m, dtype=np.bool_)
        while True:
            free = self.core & (self.circle < 0)
            idx = np.flatnonzero(free)
            if len(idx) < self.lo or failed[idx].all():
                return
            options = self.A[np.ix_(idx, idx)].sum(axis=1) * (not at_random)
            order = np.lexsort((self.rank[idx], options, ~self.priority[idx], failed[idx]))
            seed = int(idx[order[0]])
            members = self.grow(seed, free, target)
            if len(members) >= self.lo:
                self._new(members)
            else:
                failed[seed] = True

    # repairs

    def home(self, v: int, exclude: int = -1, below: int = 0) -> int:
        """The circle with room (fewer than `below` people, by default the largest size) that
        v can join, smallest first, then the best score; or -1."""
        placed = self.circle >= 0
        count = len(self.members)
        sizes = self.sizes()
        fits = np.bincount(self.circle[placed & self.A[v]], minlength=count)
        room = (fits == sizes) & (sizes < (below or self.hi)) & (sizes > 0)
        if self.cap > 1:
            mine = placed & (self.department == self.department[v])
            room &= np.bincount(self.circle[mine], minlength=count) < self.cap
        if exclude >= 0:
            room[exclude] = False
        found = np.flatnonzero(room)
        if not len(found):
            return -1
        gain = np.bincount(self.circle[placed], weights=self.S[v, placed], minlength=count)
        for c in found[np.lexsort((found, -gain[found], sizes[found]))].tolist():
            if self.can_join(c, v):
                return c
        return -1

    def insert(self) -> int:
        placed = 0
        for v in self.left().tolist():
            c = self.home(v)
            if c >= 0:
                self._add(c, v)
                placed += 1
        return placed

    def form_with_donors(self) -> int:
        placed = 0
        for seed in self.left().tolist():
            if self.circle[seed] >= 0:
                continue
            left = self.core & (self.circle < 0)
            sizes = self.sizes()
            donor = np.append(sizes, 0)[self.circle] > self.lo  # -1: no circle, size 0
            members = self.grow(seed, left | donor, self.lo, left, self.lo)
            if len(members) >= self.lo:
                placed += int(left[members].sum())
                for v in members:
                    if self.circle[v] >= 0:
                        self._remove(v)
                self._new(members)
        return placed

    def expand(self) -> int:
        """One member out, two people left in: a circle with room gains one. The member
        leaving did not sit out last cycle (or both joining did)."""
        placed = 0
        for c, members in enumerate(self.members):
            if not members or len(members) >= self.hi:
                continue
            left = self.core & (self.circle < 0)
            if left.sum() < 2:
                break
            for w in list(members):
                rest = [x for x in members if x != w]
                pair = self._two_joining(rest, left)
                if pair is None or (self.priority[w] and not self.priority[list(pair)].all()):
                    continue
                self._remove(w)
                for u in pair:
                    self._add(c, u)
                placed += 1
                break
        return placed

    def _two_joining(self, rest: list[int], left: Bools) -> tuple[int, int] | None:
        """Two people left who can join these members together; who sat out first."""
        idx = np.flatnonzero(left & self.A[:, rest].all(axis=1))
        held = np.bincount(self.department[rest], minlength=self.departments)
        if self.cap > 1:
            idx = idx[held[self.department[idx]] < self.cap]
        idx = idx[self.plan.fitting_zones(self._zones(rest))[self.zone[idx]]]
        if len(idx) < 2:
            return None
        pairs = np.triu(self.A[np.ix_(idx, idx)], 1)
        if self.cap > 1:  # two of one department only where the members have none of it
            d = self.department[idx]
            pairs &= (d[:, None] != d[None, :]) | (held[d] == 0)[:, None]
        a, b = np.nonzero(pairs)
        sat_out = self.priority[idx[a]].astype(np.int64) + self.priority[idx[b]]
        order = np.lexsort((self.rank[idx[b]], self.rank[idx[a]], -sat_out))
        zones = self._zones(rest)
        for k in order[: CANDIDATE_CIRCLES * CANDIDATE_CIRCLES].tolist():
            u, v = int(idx[a[k]]), int(idx[b[k]])
            if self.plan.fits(zones | 1 << int(self.zone[u]) | 1 << int(self.zone[v])):
                return u, v
        return None

    def eject(self, fairness: bool = False) -> int:
        """Someone left takes the place of a member who moves to another circle with room.
        With fairness: someone left who sat out last cycle takes the place of a member who did
        not, who moves if a circle has room and else is left out."""
        placed = 0
        left = self.left()
        for u in (left[self.priority[left]] if fairness else left).tolist():
            if self.circle[u] >= 0:
                continue
            sizes = self.sizes()
            fits = np.bincount(self.circle[(self.circle >= 0) & self.A[u]], minlength=len(sizes))
            candidates = np.flatnonzero((sizes > 0) & (fits >= sizes - 1))
            for c in candidates[:CANDIDATE_CIRCLES].tolist():
                if self._swap_in(u, c, fairness):
                    placed += 1
                    break
        return placed

    def _swap_in(self, u: int, c: int, fairness: bool) -> bool:
        blockers = [w for w in self.members[c] if not self.A[u, w]]
        for w in blockers or list(self.members[c]):
            if fairness and self.priority[w]:
                continue
            if not self.can_join(c, u, without=w):
                continue
            self._remove(w)
            self._add(c, u)
            home = self.home(w, exclude=c)
            if home >= 0:
                self._add(home, w)
                return True
            if fairness:
                return True
            self._remove(u)
            self._add(c, w)
        return False

    def bound(self) -> int:
        counts = np.bincount(self.department[self.core], minlength=self.departments)
        return most_placed(counts, self.lo, self.hi, self.cap, self.plan.size)[0]

    # sizes

    def rebalance(self, target: int) -> None:
        """Fewer circles off the target size, the same people placed: a circle below it is
        spread over others below it; circles above it spare members for a new circle."""
        for c in np.argsort(self.sizes(), kind="stable").tolist():
            members = list(self.members[c])
            if not members or len(members) >= target:
                continue
            for v in members:
                self._remove(v)
            moved = []
            for v in members:
                home = self.home(v, exclude=c, below=target)
                if home < 0:
                    break
                self._add(home, v)
                moved.append(v)
            if len(moved) < len(members):
                for v in moved:
                    self._remove(v)
                for v in members:
                    self._add(c, v)
        nobody = np.zeros(self.m, dtype=np.bool_)
        for seed in self.rank.argsort().tolist():
            sizes = self.sizes()
            if self.circle[seed] < 0 or sizes[self.circle[seed]] <= target:
                continue
            above = np.append(sizes, 0)[self.circle] > target
            members = self.grow(seed, above, target, nobody, target)
            if len(members) == target:
                for v in members:
                    self._remove(v)
                self._new(members)

    # soft score

    def improve(self, steps: int) -> None:
        """Best-improvement local search: swap two members of different circles, or move a
        member to another circle, while the soft score rises (placement never changes); each
        step applies the best moves that touch different circles."""
        count = len(self.members)
        if count < 2:
            return
        # compatible members and score with members, person x circle, kept up to date
        F = np.zeros((self.m, count), dtype=np.int64)
        G = np.zeros((self.m, count), dtype=np.int64)
        held = np.zeros((count, self.departments), dtype=np.int64)
        for c, members in enumerate(self.members):
            F[:, c] = self.A[:, members].sum(axis=1)
            G[:, c] = self.S[:, members].sum(axis=1)
            held[c] = np.bincount(self.department[members], minlength=self.departments)
        for _ in range(steps):
            move = self._best_move(F, G, held)
            if move is None:
                return
            for v, source, target in move:
                F[:, source] -= self.A[:, v]
                F[:, target] += self.A[:, v]
                G[:, source] -= self.S[:, v]
                G[:, target] += self.S[:, v]
                held[source, self.department[v]] -= 1
                held[target, self.department[v]] += 1
                self._remove(v)
            for v, _, target in move:
                self._add(target, v)

    def _best_move(self, F: Ints, G: Ints, held: Ints) -> list[tuple[int, int, int]] | None:
        """The best improving swaps or moves: [(person, from circle, to circle)], or None."""
        placed = np.flatnonzero(self.circle >= 0)
        sizes = self.sizes()
        c = self.circle[placed]
        A = self.A[np.ix_(placed, placed)]
        S = self.S[np.ix_(placed, placed)]
        own = G[placed, c]
        # swap x (row) and y (column): y into x's circle without x, x into y's without y
        fits = F[np.ix_(placed, c)]  # [x, y]: x's compatible members of c(y)
        rest = sizes[c] - 1  # each circle but the one leaving it
        into_x, into_y = fits.T - A, fits - A  # y's fits in c(x) without x; x's in c(y)
        valid = (into_x == rest[:, None]) & (into_y == rest[None, :])
        valid &= c[:, None] != c[None, :]
        if self.cap > 1:
            d = self.department[placed]
            same = d[:, None] == d[None, :]
            valid &= held[c[:, None], d[None, :]] - same < self.cap
            valid &= held[c[None, :], d[:, None]] - same < self.cap
        gain = G[np.ix_(placed, c)]  # [x, y]: x's score with c(y)
        delta = np.where(valid, gain.T - S - own[:, None] + gain - S - own[None, :], 0)
        # move x into another circle with room, if its own keeps the smallest size
        moves = (F[placed] == sizes[None, :]) & ((sizes < self.hi) & (sizes > 0))[None, :]
        moves &= (sizes[c] > self.lo)[:, None]
        moves[np.arange(len(placed)), c] = False
        if self.cap > 1:
            moves &= held.T[self.department[placed]] < self.cap  # [x, circle]
        move_delta = np.where(moves, G[placed] - own[:, None], 0)
        return self._apply_best(placed, delta, move_delta)

    def _apply_best(
        self, placed: Ints, delta: Ints, move_delta: Ints
    ) -> list[tuple[int, int, int]] | None:
        """The best swaps and moves that keep each circle's working time in common, no two
        touching one circle (a move's gain depends on its two circles only, so they add up):
        [(person, from circle, to circle)], or None."""
        gains = np.concatenate([delta.ravel(), move_delta.ravel()])
        found = np.flatnonzero(gains > 0)
        found = found[np.argsort(-gains[found], kind="stable")][: 8 * CANDIDATE_CIRCLES]
        touched: set[int] = set()
        chosen: list[tuple[int, int, int]] = []
        for k in found.tolist():
            if k < delta.size:
                x, y = (int(placed[i]) for i in divmod(k, len(placed)))
                cx, cy = int(self.circle[x]), int(self.circle[y])
                if cx in touched or cy in touched:
                    continue
                rest_x = [w for w in self.members[cx] if w != x]
                rest_y = [w for w in self.members[cy] if w != y]
                zone_x, zone_y = 1 << int(self.zone[x]), 1 << int(self.zone[y])
                if self.plan.fits(self._zones(rest_x) | zone_y) and self.plan.fits(
                    self._zones(rest_y) | zone_x
                ):
                    chosen += [(x, cx, cy), (y, cy, cx)]
                    touched |= {cx, cy}
            else:
                i, target = divmod(k - delta.size, move_delta.shape[1])
                x = int(placed[i])
                source = int(self.circle[x])
                if source in touched or target in touched:
                    continue
                if self.can_join(target, x):
                    chosen.append((x, source, target))
                    touched |= {source, target}
        return chosen or None

    def solve(self, steps: int, restarts: int = 0) -> None:
        """Cover, with restarts while below the bound; then sizes and the soft score. A small
        cell without circles given is solved exactly."""
        if not self.members and int(self.core.sum()) <= EXACT_LIMIT:
            self.solve_exactly()
            return
        target = self.target()
        most = self.bound()
        given = [list(c) for c in self.members]
        rng = np.random.default_rng(self.rank)
        best: tuple[tuple[int, int], list[list[int]], Ints] | None = None
        for attempt in range(1 + restarts):
            if best is not None:
                if best[0][0] >= most:
                    break
                self.circle[:] = -1
                self.members = []
                for circle in given:
                    self._new(list(circle))
                self.rank = rng.permutation(self.m)
            self.cover(target, most, at_random=attempt > 0)
            placed = self.circle >= 0
            quality = (int(placed.sum()), int(self.priority[placed].sum()))
            if best is None or quality > best[0]:
                best = (quality, [list(c) for c in self.members], self.rank)
        assert best is not None
        _, circles, self.rank = best
        self.circle[:] = -1
        self.members = []
        for circle in circles:
            self._new(circle)
        self.rebalance(target)
        self.improve(steps)

    def solve_exactly(self) -> None:
        """Every valid circle of the core, then the best set of disjoint ones: the most people,
        then the most who sat out last cycle, the fewest off the target size, the best score."""
        core = np.flatnonzero(self.core).tolist()
        found: list[tuple[int, tuple[int, int, int, int], tuple[int, ...]]] = []
        for k in range(self.hi, self.lo - 1, -1):  # large circles first: a high bar early
            for members in combinations(core, k):
                if self._valid(list(members)):
                    value = (
                        k,
                        int(self.priority[list(members)].sum()),
                        -(k != self.plan.size),
                        int(self.S[np.ix_(members, members)].sum()) // 2,
                    )
                    found.append((sum(1 << v for v in members), value, members))
        best: tuple[tuple[int, ...], list[int]] = ((0, 0, 0, 0), [])
        everyone = sum(1 << v for v in core)

        def search(start: int, used: int, chosen: list[int], total: tuple[int, ...]) -> None:
            nonlocal best
            if total > best[0]:
                best = (total, list(chosen))
            if total[0] + (everyone & ~used).bit_count() < best[0][0]:
                return  # cannot place as many as the best
            for k in range(start, len(found)):
                bits, value, _ = found[k]
                if not bits & used:
                    added = tuple(a + b for a, b in zip(total, value, strict=True))
                    search(k + 1, used | bits, [*chosen, k], added)

        search(0, 0, [], (0, 0, 0, 0))
        for k in best[1]:
            self._new(list(found[k][2]))

    def _valid(self, members: list[int]) -> bool:
        if not self.A[np.ix_(members, members)][np.triu_indices(len(members), 1)].all():
            return False
        held = np.bincount(self.department[members], minlength=self.departments)
        return int(held.max()) <= self.cap and self.plan.fits(self._zones(members))

    def cover(self, target: int, most: int, at_random: bool = False) -> None:
        """Place as many as the repairs can, who sat out last cycle first."""
        self.build(target, at_random)  # with circles given, among the people left
        for _ in range(REPAIR_ROUNDS * 2):
            if int((self.circle >= 0).sum()) >= most:
                break
            progress = self.insert() + self.form_with_donors() + self.insert()
            progress += self.expand() + self.insert() + self.eject()
            if not progress:
                break
        self.eject(fairness=True)
        self.insert()


# --- a band -----------------------------------------------------------------------------------


def _solve_band(band: Band, plan: _Plan, cells: Cells) -> list[list[int]]:
    """Circles of band indexes, each sorted."""
    rank = np.empty(band.size, dtype=np.int64)
    rank[np.random.default_rng(band.seed).permutation(band.size)] = np.arange(band.size)
    core = np.flatnonzero(plan.core)
    state = _Assignment(band.size)
    if len(core) <= cells.whole_limit:
        state.extend(np.arange(band.size), _solve_small(band, plan, rank, cells))
    else:
        parts = _cells(band, core, rank, cells.cell_size, plan.size)
        for members, part in zip(parts, band.split(parts), strict=True):
            state.extend(members, _solve_region(part, plan, rank[members], cells))
        _across_cells(band, plan, rank, state, cells)
    _last_pass(band, plan, state)
    return state.circles()


def _solve_small(band: Band, plan: _Plan, rank: Ints, cells: Cells) -> list[list[int]]:
    """The whole band as one cell, with each pair of sizes; the best result wins (most placed,
    then most of who sat out last cycle, fewest circles off the target size, best score)."""
    best: tuple[tuple[int, ...], list[list[int]], _Plan] | None = None
    for lo, hi in _size_pairs(plan.size):
        sized = replace(plan, lo=lo, hi=hi)
        if (lo, hi) != (plan.lo, plan.hi):
            _, _, sized.core = _bound(band, plan.cap, lo, hi, plan.size)
        core = np.flatnonzero(sized.core)
        found = _solve_region(band.subset(core), sized, rank[core], cells, restarts=RESTARTS)
        circles = [[int(core[i]) for i in c] for c in found]
        placed = [i for c in circles for i in c]
        quality = (
            len(placed),
            int(band.priority[placed].sum()),
            -sum(len(c) != plan.size for c in circles),
            sum(_circle_score(band, c) for c in circles),
            (lo, hi) == (plan.lo, plan.hi),
        )
        if best is None or quality > best[0]:
            best = (quality, circles, sized)
    if best is None:
        return []
    _, circles, chosen = best
    plan.lo, plan.hi, plan.core = chosen.lo, chosen.hi, chosen.core
    return circles


def _solve_region(
    part: Band,
    plan: _Plan,
    rank: Ints,
    cells: Cells,
    circles: Sequence[Sequence[int]] = (),
    restarts: int = 0,
) -> list[list[int]]:
    region = _Region(part, plan, rank, circles)
    region.solve(round(cells.search_steps * part.size), restarts)
    return region.circles()


class _Assignment:
    """Circles of a whole band, by band index."""

    def __init__(self, n: int) -> None:
        self.circle = np.full(n, -1, dtype=np.int64)
        self.members: list[list[int]] = []
        self.size = np.zeros(0, dtype=np.int64)

    def extend(self, people: Ints, circles: Sequence[Sequence[int]]) -> None:
        """Add circles given as positions in `people`."""
        for local in circles:
            members = [int(people[i]) for i in local]
            self.circle[members] = len(self.members)
            self.members.append(members)
        self.size = np.array([len(m) for m in self.members], dtype=np.int64)

    def add(self, c: int, v: int) -> None:
        self.members[c].append(v)
        self.circle[v] = c
        self.size[c] += 1

    def remove(self, v: int) -> None:
        c = self.circle[v]
        self.members[c].remove(v)
        self.circle[v] = -1
        self.size[c] -= 1

    def drop(self, c: int) -> None:
        self.circle[self.members[c]] = -1
        self.members[c] = []
        self.size[c] = 0

    def placed(self) -> int:
        return int((self.circle >= 0).sum())

    def circles(self) -> list[list[int]]:
        return [sorted(m) for m in self.members if m]


def _cells(band: Band, people: Ints, rank: Ints, cell_size: int, unit: int) -> list[Ints]:
    """People cut into cells of about cell_size, in order of UTC offset, at random within one;
    every cell but the last holds a multiple of `unit` people (circles of the target size)."""
    order = people[np.lexsort((rank[people], band.zone[people]))]
    count = max(1, round(len(order) / max(cell_size, 1)))
    units = len(order) // unit
    bounds = [unit * (k * units // count) for k in range(count)] + [len(order)]
    return [np.sort(order[a:b]) for a, b in pairwise(bounds) if b > a]


def _across_cells(band: Band, plan: _Plan, rank: Ints, state: _Assignment, cells: Cells) -> None:
    # the people left, solved together
    left = np.flatnonzero(plan.core & (state.circle < 0))
    if len(left) >= plan.lo:
        pieces = _cells(band, left, rank, cells.repair_limit, plan.size)
        for members, part in zip(pieces, band.split(pieces), strict=True):
            state.extend(members, _solve_region(part, plan, rank[members], cells))
    # regions of people left and the circles most compatible with them, circles kept
    for _ in range(REPAIR_ROUNDS):
        left = np.flatnonzero(plan.core & (state.circle < 0))
        before = state.placed()
        if not len(left) or before >= plan.bound:
            break
        _repair_region(band, plan, rank, state, left, cells)
        if state.placed() <= before:
            break


def _repair_region(
    band: Band, plan: _Plan, rank: Ints, state: _Assignment, left: Ints, cells: Cells
) -> None:
    seeds = left[np.lexsort((rank[left], ~band.priority[left]))][: max(cells.repair_limit // 3, 1)]
    touch = np.zeros(len(state.size), dtype=np.int64)
    for rows in _row_blocks(band.size, seeds):
        ok = _compatible(band, rows, plan.cap) & (state.circle >= 0)[None, :]
        _, cols = np.nonzero(ok)
        touch += np.bincount(state.circle[cols], minlength=len(touch))
    room = cells.repair_limit - len(seeds)
    chosen: list[int] = []
    # circles that can spare a member for a new circle first, then the most compatible pairs
    spare = state.size > plan.lo
    for c in np.lexsort((np.arange(len(touch)), -touch, ~spare)).tolist():
        if touch[c] <= 0:
            continue
        if room < len(state.members[c]):
            break
        chosen.append(c)
        room -= len(state.members[c])
    region = np.sort(np.concatenate([seeds, *(np.array(state.members[c]) for c in chosen)]))
    position = np.full(band.size, -1, dtype=np.int64)
    position[region] = np.arange(len(region))
    kept = [[int(position[v]) for v in state.members[c]] for c in chosen]
    for c in chosen:
        state.drop(c)
    solved = _solve_region(band.subset(region), plan, rank[region], cells, kept)
    state.extend(region, solved)


def _last_pass(band: Band, plan: _Plan, state: _Assignment) -> None:
    """Over the whole band, until nothing changes: anyone left joins a circle with room; anyone
    left who sat out last cycle takes the place of a member who did not (who moves to a circle
    with room if one fits). Each change places more people, or more who sat out, so it ends."""
    changed = True
    while changed:
        changed = False
        left = np.flatnonzero(plan.core & (state.circle < 0))
        left = left[np.argsort(~band.priority[left], kind="stable")]
        for rows in _row_blocks(band.size, left):
            ok = _compatible(band, rows, plan.cap)
            for row, u in enumerate(rows.tolist()):
                if _join(band, plan, state, u, ok[row]) or (
                    band.priority[u] and _replace(band, plan, state, u, ok[row])
                ):
                    changed = True


def _fits_circle(
    band: Band, plan: _Plan, members: Sequence[int], v: int, compatible: Bools
) -> bool:
    if not compatible[members].all():
        return False
    department = band.department
    if plan.cap > 1 and sum(department[w] == department[v] for w in members) >= plan.cap:
        return False
    zones = reduce(or_, (1 << int(band.zone[w]) for w in (*members, v)), 0)
    return plan.fits(zones)


def _open_circles(state: _Assignment, compatible: Bools) -> Ints:
    """Circles whose members but at most one are compatible with someone: the only circles
    that person could take a place in."""
    placed = state.circle >= 0
    fits = np.bincount(state.circle[placed & compatible], minlength=len(state.size))
    return np.flatnonzero((state.size > 0) & (fits >= state.size - 1))


def _join(band: Band, plan: _Plan, state: _Assignment, u: int, compatible: Bools) -> bool:
    placed = state.circle >= 0
    count = len(state.size)
    fits = np.bincount(state.circle[placed & compatible], minlength=count)
    room = (fits == state.size) & (state.size > 0) & (state.size < plan.hi)
    if plan.cap > 1:
        mine = placed & (band.department == band.department[u])
        room &= np.bincount(state.circle[mine], minlength=count) < plan.cap
    for c in np.flatnonzero(room).tolist():
        if _fits_circle(band, plan, state.members[c], u, compatible):
            state.add(c, u)
            return True
    return False


def _replace(band: Band, plan: _Plan, state: _Assignment, u: int, compatible: Bools) -> bool:
    for c in _open_circles(state, compatible).tolist():
        members = state.members[c]
        blockers = [w for w in members if not compatible[w]]
        for w in blockers or list(members):
            if band.priority[w]:
                continue
            rest = [x for x in members if x != w]
            if _fits_circle(band, plan, rest, u, compatible):
                state.remove(w)
                state.add(c, u)
                _join(band, plan, state, w, _compatible(band, np.array([w]), plan.cap)[0])
                return True
    return False


# --- who is left out, and why ---------------------------------------------------------------


def _reasons(band: Band, plan: _Plan, circles: Sequence[Sequence[int]]) -> list[Unmatched]:
    """The pair rule that leaves someone without any partner; else, outside the core, too few
    compatible people for a circle; else the department limit when a circle with room would
    otherwise take them; else no place."""
    state = _Assignment(band.size)
    state.extend(np.arange(band.size), circles)
    left = np.flatnonzero(state.circle < 0)
    partners = partner_counts(band)
    reasons: dict[int, str] = {}
    for i in left.tolist():
        reason = None if partners[i] else no_partner_reason(band, i)
        if reason is None and not plan.core[i]:
            reason = TOO_FEW
        if reason is not None:
            reasons[i] = reason
    wording = DEPARTMENT_FULL.format(cap="one" if plan.cap == 1 else "two")
    unexplained = np.array([i for i in left.tolist() if i not in reasons], dtype=np.int64)
    uncapped = replace(plan, cap=LARGEST)
    placed = state.circle >= 0
    room = (state.size > 0) & (state.size < plan.hi)
    for rows in _row_blocks(band.size, unexplained):
        # compatible with every member but for the department: the cap decides
        ok = _compatible(band, rows, 2)
        for row, u in enumerate(rows.tolist()):
            fits = np.bincount(state.circle[placed & ok[row]], minlength=len(state.size))
            blocked = any(
                _fits_circle(band, uncapped, state.members[c], u, ok[row])
                for c in np.flatnonzero(room & (fits == state.size)).tolist()
            )
            reasons[u] = wording if blocked else NO_PLACE
    return [Unmatched(band.ids[i], reasons[i]) for i in left.tolist()]
