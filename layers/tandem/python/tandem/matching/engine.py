"""Solving one cycle: a maximum-cardinality, maximum-weight matching per band, then the odd one out.

Dense mode (at most DENSE_EDGE_LIMIT feasible edges, so every band of up to 2,000 people):
rustworkx's blossom algorithm on the whole feasibility graph. The result is an exact optimum:
the most pairs, then the most odd-last-cycle people paired, then the best soft score. The limit
is set by time, not memory: with our varied weights the blossom took 29 s on a 2.5 M-edge band
here (260 MB), while sparse mode found the same objective in 0.5 s.

Sparse mode (bigger bands): a candidate graph of each person's TOP_CANDIDATES best-scoring
feasible partners plus the feasible ones among a few random probes (random edges keep the graph
an expander, so it almost always holds a matching as large as the full graph's). People who
were odd last cycle get WIDE_CANDIDATES. Then a bounded repair: while the pair count is below
an upper bound and some unmatched person has not been widened yet, the unmatched get
WIDE_CANDIDATES too and the graph is solved again (at most REPAIR_ROUNDS times). Last, any two
people still unmatched who could be partners are paired greedily. Guaranteed:
- every pair satisfies the hard rules (candidates are feasible edges only);
- no two unmatched people could have been partners (the matching is maximal);
- the pair count is the maximum when it reaches the bound min(people with a possible partner
  // 2, people outside the largest department), which is the usual case, skewed bands
  included (Pairing.certified); otherwise it is best effort;
- time and memory stay bounded: at most n * (WIDE_CANDIDATES + RANDOM_PROBES) edges.
Not guaranteed: the exact optimum of the soft score (the bench measures the gap), and that
people who were odd last cycle are paired whenever the full graph would allow it (they have
WIDE_CANDIDATES partners to choose from and the dominant bonus, not their whole neighbourhood).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import rustworkx as rx

from tandem.matching.band import Band, Bools, Ints, build_bands
from tandem.matching.history import read_past
from tandem.matching.models import Group, MatchingRules, MatchResult, Person, Unmatched
from tandem.matching.objective import score_of, scores, solver_weights
from tandem.matching.rules import ALL_TAKEN, ODD_ONE_OUT, feasible, no_partner_reason, overlap

DENSE_EDGE_LIMIT = 2_000_000
TOP_CANDIDATES = 8
WIDE_CANDIDATES = 64  # for people odd last cycle, and for those a solve leaves unmatched
REPAIR_ROUNDS = 2  # re-solves after widening the unmatched people's choice
RANDOM_PROBES = 8  # random columns tried per person; the feasible ones become candidates too
TIE_BREAK = 1 << 10  # random low bits under the score, so equal scores do not pile on one person
NO_TRIO = np.iinfo(np.int64).min
BLOCK_CELLS = 1 << 21  # rows x n cells computed at once: a few tens of MB of temporaries

DEFAULT_RULES = MatchingRules()

Edge = tuple[int, int, int]  # (a, b, solver weight) with a < b, band indexes


@dataclass(frozen=True, slots=True)
class Pairing:
    pairs: tuple[Edge, ...]  # in index order
    sparse: bool
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
) -> MatchResult:
    """Groups for the cycle starting on `on`, and a reason for everyone left out.

    Deterministic: the same input gives the same result.
    """
    groups: list[Group] = []
    unmatched: list[Unmatched] = []
    for band in bands(people, history, cycle, on, rules):
        band_groups, band_unmatched = settle(band, pair_band(band), cycle, rules)
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


def pair_band(band: Band, edge_limit: int = DENSE_EDGE_LIMIT) -> Pairing:
    n = band.size
    if n * (n - 1) // 2 <= edge_limit or _count_edges(band) <= edge_limit:
        graph = _empty_graph(n)
        for a, b, weight in edges(band):
            _extend(graph, a, b, weight)
        return Pairing(_solve(graph), sparse=False, certified=True)
    return _sparse_pairing(band)


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
    reasons = {i: no_partner_reason(band, i) for i in left}
    could_pair = [i for i in left if reasons[i] is None]
    sat_out = ODD_ONE_OUT if len(could_pair) == 1 else ALL_TAKEN
    pair_scores = [score_of(band, a, b, weight) for a, b, weight in pairing.pairs]
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
    candidates = []
    for rows in _row_blocks(band.size, np.array(extras)):
        ok, score = _block(band, rows)
        fits = ok[:, a] & ok[:, b] & open_pair
        total = np.where(fits, score[:, a] + score[:, b] + np.array(pair_scores), NO_TRIO)
        best = total.argmax(axis=1)
        candidates += [
            (bool(band.priority[extra]), -int(total[row, k]), int(extra), int(k))
            for row, (extra, k) in enumerate(zip(rows, best, strict=True))
            if fits[row, k]
        ]
    if not candidates:
        return None
    _, minus_score, extra, k = min(candidates)
    return k, extra, -minus_score


def _sparse_pairing(band: Band) -> Pairing:
    n = band.size
    rng = np.random.default_rng(band.seed)
    graph = _CandidateGraph(n)
    could_pair = np.zeros(n, dtype=np.bool_)
    for rows in _row_blocks(n):
        ok, score = _block(band, rows)
        could_pair[rows] = ok.any(axis=1)
        keep = _candidates(ok, score, rng, TOP_CANDIDATES)
        odd_last = band.priority[rows]
        if odd_last.any():  # fairness comes first: they get a wider choice
            keep[odd_last] |= _candidates(ok[odd_last], score[odd_last], rng, WIDE_CANDIDATES)
        graph.add(*_weighted_edges(band, rows, keep, score))

    most = _most_pairs(band, could_pair)
    widened = band.priority.copy()
    pairs = _solve(graph.graph)
    for _ in range(REPAIR_ROUNDS):
        fresh = could_pair & ~_matched(n, pairs) & ~widened
        if len(pairs) == most or not fresh.any():
            break
        for rows in _row_blocks(n, np.flatnonzero(fresh)):
            ok, score = _block(band, rows)
            keep = _candidates(ok, score, rng, WIDE_CANDIDATES)
            graph.add(*_weighted_edges(band, rows, keep, score))
        widened |= fresh
        pairs = _solve(graph.graph)
    pairs += _pair_leftovers(band, could_pair & ~_matched(n, pairs))
    return Pairing(tuple(sorted(pairs)), sparse=True, certified=len(pairs) == most)


def _most_pairs(band: Band, could_pair: Bools) -> int:
    """An upper bound on the pairs of any matching: half the people with a possible partner,
    and no more pairs than people outside the largest department (it cannot pair within)."""
    departments = band.department[could_pair]
    largest = int(np.bincount(departments).max()) if len(departments) else 0
    return min(len(departments) // 2, len(departments) - largest)


def _pair_leftovers(band: Band, left: Bools) -> tuple[Edge, ...]:
    """Greedily pair compatible people the solve left over, best weight first, so that no two
    unmatched people could have been partners."""
    found: list[Edge] = []
    for rows in _row_blocks(band.size, np.flatnonzero(left)):
        ok, score = _block(band, rows)
        keep = ok & left & (rows[:, None] < np.arange(band.size))
        a, b, weight = _weighted_edges(band, rows, keep, score)
        found += zip(a.tolist(), b.tolist(), weight.tolist(), strict=True)
    taken: set[int] = set()
    pairs = []
    for edge in sorted(found, key=lambda e: (-e[2], e[0], e[1])):
        if taken.isdisjoint(edge[:2]):
            taken.update(edge[:2])
            pairs.append(edge)
    return tuple(pairs)


def _matched(n: int, pairs: Sequence[Edge]) -> Bools:
    matched = np.zeros(n, dtype=np.bool_)
    matched[[p[0] for p in pairs] + [p[1] for p in pairs]] = True
    return matched


def _candidates(ok: Bools, score: Ints, rng: np.random.Generator, top: int) -> Bools:
    """Per row: the `top` best-scoring feasible partners (ties broken at random) and the
    feasible ones among RANDOM_PROBES random columns."""
    rows = np.arange(len(ok))[:, None]
    k = min(top, ok.shape[1] - 1)
    key = score.astype(np.int32) * TIE_BREAK + rng.integers(0, TIE_BREAK, ok.shape, dtype=np.int32)
    key[~ok] -= 1 << 30  # below every feasible key yet still distinct, which keeps selection fast
    keep = np.zeros_like(ok)
    keep[rows, np.argpartition(key, -k, axis=1)[:, -k:]] = True
    keep[rows, rng.integers(0, ok.shape[1], (len(ok), RANDOM_PROBES))] = True
    return keep & ok


class _CandidateGraph:
    """A rustworkx graph that ignores edges it already has."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.graph = _empty_graph(n)
        self.keys = np.empty(0, dtype=np.int64)

    def add(self, a: Ints, b: Ints, weight: Ints) -> None:
        low, high = np.minimum(a, b), np.maximum(a, b)
        keys, first = np.unique(low * self.n + high, return_index=True)
        new = ~np.isin(keys, self.keys, assume_unique=True)
        pick = first[new]
        _extend(self.graph, low[pick], high[pick], weight[pick])
        self.keys = np.union1d(self.keys, keys[new])


def _count_edges(band: Band) -> int:
    total = 0
    for rows in _row_blocks(band.size):
        total += int(feasible(band, rows, overlap(band, rows)).sum())
    return total // 2


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


def _empty_graph(n: int) -> rx.PyGraph:
    graph = rx.PyGraph(node_count_hint=n)
    graph.add_nodes_from(range(n))
    return graph


def _extend(graph: rx.PyGraph, a: Ints, b: Ints, weight: Ints) -> None:
    graph.extend_from_weighted_edge_list(zip(a.tolist(), b.tolist(), weight.tolist(), strict=True))


def _solve(graph: rx.PyGraph) -> tuple[Edge, ...]:
    mates = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    pairs = ((min(a, b), max(a, b)) for a, b in mates)
    return tuple(sorted((a, b, int(graph.get_edge_data(a, b))) for a, b in pairs))
