"""Solving one cycle: a maximum-cardinality, maximum-weight matching per band, then the odd one out.

Exact mode (bands of up to Split.exact_limit people): rustworkx's blossom algorithm on the whole
feasibility graph. The result is an exact optimum: the most pairs, then the most odd-last-cycle
people paired, then the best soft score. Its cost grows about with the cube of the band (12 s at
2,000 people here), which is why larger bands are split.

Split mode (larger bands): the band is cut into cells of about Split.cell_size people, in
order of UTC offset and at random within one offset, so a cell holds neighbours in time and a
random mix of departments, offices and purposes; each cell is solved exactly. The cells lose
little because a good partner is almost never rare: in a cell of 200 the median person still has
160 possible partners who share their whole working day (the bench measures the loss). Then a
repair across cells: while the pair count is below the bound of _most_pairs, or someone odd last
cycle is left unpaired, the people alternating paths from them reach (a partner, that partner's
mate, a partner of either ...) are re-solved exactly together, up to Split.repair_limit. If that
region holds every such path, the result has the most pairs and the most odd-last-cycle people
paired that any matching has (a better matching differs from ours on paths that start at someone
left, all of them inside the region). Last, any two people still left who could be partners are
paired greedily. Guaranteed:
- every pair satisfies the hard rules (each solve sees feasible edges only);
- no two unmatched people could have been partners (the matching is maximal);
- the pair count is the maximum when it reaches the bound (Pairing.certified), the usual case,
  skewed bands included, or when the repair region was whole;
- time and memory grow with the band's size, not its square: every step works on a cell, a
  region of at most Split.repair_limit people, or a block of those against the band.
Not guaranteed: the exact optimum of the soft score (pairs across cells are not considered).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import rustworkx as rx

from tandem.matching.engine.arrays import Band, Bools, Ints, build_bands
from tandem.matching.engine.history import read_past
from tandem.matching.engine.models import Group, MatchingRules, MatchResult, Person, Unmatched
from tandem.matching.engine.objective import scores, scores_of, solver_weights
from tandem.matching.engine.rules import (
    ALL_TAKEN,
    ODD_ONE_OUT,
    feasible,
    no_partner_reason,
    overlap,
    partner_counts,
)

REPAIR_ROUNDS = 3
LOWEST = np.iinfo(np.int64).min
BLOCK_CELLS = 1 << 21  # rows x n cells computed at once: a few tens of MB of temporaries

DEFAULT_RULES = MatchingRules()

Edge = tuple[int, int, int]  # (a, b, solver weight) with a < b, band indexes


@dataclass(frozen=True, slots=True)
class Split:
    """When a band is split into cells, and how finely (tests make them small)."""

    exact_limit: int = 2_000  # people solved as a whole: ~12 s here, cubic time beyond
    cell_size: int = 200  # at most 0.05% below the exact optimum in the bench; 0.05 s a cell
    repair_limit: int = 600  # people re-solved together across cells


DEFAULT_SPLIT = Split()


@dataclass(frozen=True, slots=True)
class Pairing:
    pairs: tuple[Edge, ...]  # in index order
    split: bool  # solved in cells, not as a whole
    certified: bool  # the number of pairs is provably the maximum

    @property
    def objective(self) -> int:
        return sum(weight for _, _, weight in self.pairs)


def match(
    people: Sequence[Person],
    history: Sequence[Group],
    cycle: str,
    on: date,
    rules: MatchingRules = DEFAULT_RULES,
    split: Split = DEFAULT_SPLIT,
) -> MatchResult:
    """Groups for the cycle starting on `on`, and a reason for everyone left out.

    Deterministic: the same input gives the same result.
    """
    groups: list[Group] = []
    unmatched: list[Unmatched] = []
    for band in bands(people, history, cycle, on, rules):
        band_groups, band_unmatched = settle(band, pair_band(band, split), cycle, rules)
        groups += band_groups
        unmatched += band_unmatched
    return MatchResult(
        groups=tuple(sorted(groups, key=lambda g: g.members)),
        unmatched=tuple(sorted(unmatched, key=lambda u: u.person_id)),
    )


def bands(
    people: Sequence[Person],
    history: Sequence[Group],
    cycle: str,
    on: date,
    rules: MatchingRules = DEFAULT_RULES,
) -> list[Band]:
    return build_bands(people, read_past(history, cycle, rules.repeat_window), cycle, on, rules)


def pair_band(band: Band, split: Split = DEFAULT_SPLIT) -> Pairing:
    if band.size <= split.exact_limit:
        return Pairing(_exact(band), split=False, certified=True)
    return _split_pairing(band, split)


def edges(band: Band) -> Iterator[tuple[Ints, Ints, Ints]]:
    """Every feasible pair once (a < b) with its solver weight, as arrays, block by block."""
    for rows in _row_blocks(band.size):
        ok, score = _block(band, rows)
        yield _weighted_edges(band, rows, ok & (rows[:, None] < np.arange(band.size)), score)


def settle(
    band: Band, pairing: Pairing, cycle: str, rules: MatchingRules
) -> tuple[list[Group], list[Unmatched]]:
    """Turn the matching into groups: maybe one trio, then a reason for each person left."""
    matched = {i for a, b, _ in pairing.pairs for i in (a, b)}
    left = [i for i in range(band.size) if i not in matched]
    partners = partner_counts(band)
    reasons = {i: None if partners[i] else no_partner_reason(band, i) for i in left}
    could_pair = [i for i in left if reasons[i] is None]
    sat_out = ODD_ONE_OUT if len(could_pair) == 1 else ALL_TAKEN
    first, second, weight = np.array(pairing.pairs, dtype=np.int64).reshape(-1, 3).T
    pair_scores = scores_of(band, first, second, weight).tolist()
    trio = (
        _best_trio(band, pairing.pairs, pair_scores, could_pair)
        if rules.odd_policy == "trio"
        else None
    )

    ids = band.ids
    groups = []
    for k, (a, b, _) in enumerate(pairing.pairs):
        if trio is not None and trio[0] == k:
            _, extra, score = trio
            groups.append(Group(cycle, (ids[a], ids[b], ids[extra]), score))
            left.remove(extra)
        else:
            groups.append(Group(cycle, (ids[a], ids[b]), pair_scores[k]))
    unmatched = [Unmatched(ids[i], reasons[i] or sat_out) for i in left]
    return groups, unmatched


def _best_trio(
    band: Band, pairs: Sequence[Edge], pair_scores: Sequence[int], extras: Sequence[int]
) -> tuple[int, int, int] | None:
    """(pair position, extra person, trio score) of the best trio, or None.

    A trio's pair never holds someone who was odd last cycle (the matching paired them, a trio
    would make them odd again); an extra who was odd last cycle joins only when no one else can.
    Then the best trio score wins; ties go to the first pair and the first extra in id order.
    """
    if not pairs or not extras:
        return None
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    open_pair = ~band.priority[a] & ~band.priority[b]
    extra = np.array(extras)
    candidates = []
    # Extras of one department at a time, against the pairs without it: in a band dominated by
    # one department the many left over are all in it, and every pair holds one of them
    for department in np.unique(band.department[extra]).tolist():
        k = np.flatnonzero(
            open_pair & (band.department[a] != department) & (band.department[b] != department)
        )
        if not len(k):
            continue
        for rows in _row_blocks(band.size, extra[band.department[extra] == department]):
            ok, score = _block(band, rows)
            fits = ok[:, a[k]] & ok[:, b[k]]
            total = np.where(
                fits, score[:, a[k]] + score[:, b[k]] + np.array(pair_scores)[k], LOWEST
            )
            best = total.argmax(axis=1)
            candidates += [
                (bool(band.priority[person]), -int(total[row, j]), int(person), int(k[j]))
                for row, (person, j) in enumerate(zip(rows, best, strict=True))
                if fits[row, j]
            ]
    if not candidates:
        return None
    _, minus_score, person, position = min(candidates)
    return position, person, -minus_score


def _split_pairing(band: Band, split: Split) -> Pairing:
    n = band.size
    could_pair = partner_counts(band) > 0
    most = _most_pairs(band, could_pair)
    mate = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n, dtype=np.int64)  # of each person's pair
    cells = _cells(band, split.cell_size)
    for cell, part in zip(cells, band.split(cells), strict=True):
        _solve_within(part, cell, mate, score)
    for _ in range(REPAIR_ROUNDS):
        left = could_pair & (mate < 0)
        # below the bound, anyone left may start an augmenting path; at it, only fairness can gain
        seeds = left if np.count_nonzero(mate >= 0) // 2 < most else left & band.priority
        if not seeds.any():
            break
        region, whole = _alternating_region(band, mate, seeds, split.repair_limit)
        _solve_within(band.subset(region), region, mate, score)
        if whole:  # the region held every alternating path: nothing more to gain
            break
    _pair_leftovers(band, could_pair & (mate < 0), mate, score)
    a = np.flatnonzero(mate > np.arange(n))
    b = mate[a]
    weight = solver_weights(band, a, b, score[a])
    pairs = tuple(zip(a.tolist(), b.tolist(), weight.tolist(), strict=True))
    return Pairing(pairs, split=True, certified=len(pairs) == most)


def _cells(band: Band, cell_size: int) -> list[Ints]:
    """The band cut into cells of about cell_size people, each of an even size but the last:
    people in order of UTC offset (zone indexes follow it), at random within one offset."""
    n = band.size
    count = -(-n // max(cell_size, 2))
    order = np.lexsort((np.random.default_rng(band.seed).permutation(n), band.zone))
    bounds = [2 * (k * n // (2 * count)) for k in range(count)] + [n]
    return [np.sort(order[start:end]) for start, end in pairwise(bounds) if end > start]


def _solve_within(part: Band, members: Ints, mate: Ints, score: Ints) -> None:
    """Pair these people (part is their band) exactly among themselves. Nobody outside may be
    a mate of theirs."""
    mate[members] = -1
    if not (pairs := _exact(part)):
        return
    a, b, weight = np.array(pairs, dtype=np.int64).T
    score[members[a]] = score[members[b]] = scores_of(part, a, b, weight)
    mate[members[a]], mate[members[b]] = members[b], members[a]


def _alternating_region(band: Band, mate: Ints, seeds: Bools, limit: int) -> tuple[Ints, bool]:
    """The people an alternating path from a seed can reach (a partner, that partner's mate, a
    partner of either ...), with every mate, at most `limit` of them, best-scoring partners first.

    Re-solving them exactly gains whatever an augmenting or a fairer path gains: every such
    path lies inside. Returns them in index order, and whether none was left out for the limit.
    """
    n = band.size
    first = np.flatnonzero(seeds)
    # fairness first, then people of departments rare among the seeds (they are the bottleneck)
    rare = np.bincount(band.department[first])[band.department[first]]
    first = first[np.lexsort((first, rare, ~band.priority[first]))][: max(limit // 2, 1)]
    whole = len(first) == seeds.sum()
    inside = np.zeros(n, dtype=np.bool_)
    inside[first] = True
    frontier = first
    near_seed = np.zeros(n, dtype=np.bool_)  # has a seed as a possible partner
    while len(frontier):
        best = np.full(n, LOWEST)
        for rows in _row_blocks(n, frontier):
            ok, score = _block(band, rows)
            best = np.maximum(best, np.where(ok & ~inside, score, LOWEST).max(axis=0))
            near_seed |= (ok & seeds[rows, None]).any(axis=0)
        reached = np.flatnonzero(best > LOWEST)
        bring = 1 + (mate[reached] >= 0)
        room = limit - int(inside.sum())
        full = bring.sum() > room
        if full:  # first who close a path (their mate could take a seed), then the best scores
            closes = near_seed[mate[reached]] & (mate[reached] >= 0)
            order = np.lexsort((reached, -best[reached], ~closes))
            reached = np.sort(reached[order[np.cumsum(bring[order]) <= room]])
        mates = mate[reached][mate[reached] >= 0]
        # both: in an odd cycle (a blossom) a path may leave a partner through its mate's edge
        frontier = np.union1d(reached, mates)
        inside[frontier] = True
        if full:
            return np.flatnonzero(inside), False
    return np.flatnonzero(inside), whole


def _most_pairs(band: Band, could_pair: Bools) -> int:
    """An upper bound on the pairs of any matching: half the people with a possible partner,
    and no more pairs than people outside the largest department (it cannot pair within)."""
    departments = band.department[could_pair]
    largest = int(np.bincount(departments).max()) if len(departments) else 0
    return min(len(departments) // 2, len(departments) - largest)


def _pair_leftovers(band: Band, left: Bools, mate: Ints, score: Ints) -> None:
    """Greedily pair compatible people still left, best score first, so that no two unmatched
    people could have been partners."""
    people = np.flatnonzero(left)
    if len(people) < 2:
        return
    part = band.subset(people)
    found: list[Edge] = []
    for rows in _row_blocks(part.size, np.flatnonzero(partner_counts(part) > 0)):
        ok, scores = _block(part, rows)
        keep = ok & (rows[:, None] < np.arange(part.size))
        r, c = np.nonzero(keep)
        found += zip(rows[r].tolist(), c.tolist(), scores[r, c].tolist(), strict=True)
    for a, b, pair_score in sorted(found, key=lambda e: (-e[2], e[0], e[1])):
        i, j = people[a], people[b]
        if mate[i] < 0 and mate[j] < 0:
            mate[i], mate[j] = j, i
            score[i] = score[j] = pair_score


def _block(band: Band, rows: Ints) -> tuple[Bools, Ints]:
    """rows x n: feasibility and pair scores."""
    shared = overlap(band, rows)
    return feasible(band, rows, shared), scores(band, rows, shared)


def _weighted_edges(band: Band, rows: Ints, keep: Bools, score: Ints) -> tuple[Ints, Ints, Ints]:
    """The kept cells of a block as edges (a, b, solver weight)."""
    r, b = np.nonzero(keep)
    a = rows[r]
    return a, b, solver_weights(band, a, b, score[r, b])


def _row_blocks(n: int, rows: Ints | None = None) -> Iterator[Ints]:
    rows = np.arange(n) if rows is None else rows
    step = max(1, BLOCK_CELLS // max(n, 1))
    for start in range(0, len(rows), step):
        yield rows[start : start + step]


def _exact(band: Band) -> tuple[Edge, ...]:
    """The exact optimum on the whole feasibility graph."""
    graph = rx.PyGraph(node_count_hint=band.size)
    graph.add_nodes_from(range(band.size))
    for a, b, weight in edges(band):
        graph.extend_from_weighted_edge_list(
            zip(a.tolist(), b.tolist(), weight.tolist(), strict=True)
        )
    mates = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    pairs = ((min(a, b), max(a, b)) for a, b in mates)
    return tuple(sorted((a, b, int(graph.get_edge_data(a, b))) for a, b in pairs))
