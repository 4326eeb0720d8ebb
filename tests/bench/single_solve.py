"""The engine before bands were split into cells: one sparse solve of the whole band.

Kept only as the bench's yardstick for the split (what it gains in time, what it gives up in
objective). Its cost grows about with the cube of the band: 12.7 s at 10,000 people, 672 s at
40,000. A candidate graph of each person's TOP_CANDIDATES best-scoring feasible partners plus the
feasible ones among RANDOM_PROBES random columns; the unmatched get WIDE_CANDIDATES and the graph
is solved again, at most REPAIR_ROUNDS times.
"""

from __future__ import annotations

import numpy as np
import rustworkx as rx

from tandem.matching.engine.arrays import Band, Bools, Ints
from tandem.matching.engine.solve import _block, _row_blocks, _weighted_edges

TOP_CANDIDATES = 8
WIDE_CANDIDATES = 64
REPAIR_ROUNDS = 2
RANDOM_PROBES = 8
TIE_BREAK = 1 << 10

Edge = tuple[int, int, int]


def single_solve(band: Band) -> tuple[Edge, ...]:
    """The pairs (a, b, solver weight) of the band, before any greedy pairing of leftovers."""
    n = band.size
    rng = np.random.default_rng(band.seed)
    graph = _CandidateGraph(n)
    could_pair = np.zeros(n, dtype=np.bool_)
    for rows in _row_blocks(n):
        ok, score = _block(band, rows)
        could_pair[rows] = ok.any(axis=1)
        keep = _candidates(ok, score, rng, TOP_CANDIDATES)
        odd_last = band.priority[rows]
        if odd_last.any():
            keep[odd_last] |= _candidates(ok[odd_last], score[odd_last], rng, WIDE_CANDIDATES)
        graph.add(*_weighted_edges(band, rows, keep, score))
    widened = band.priority.copy()
    pairs = _solve(graph.graph)
    for _ in range(REPAIR_ROUNDS):
        fresh = could_pair & ~_matched(n, pairs) & ~widened
        if not fresh.any():
            break
        for rows in _row_blocks(n, np.flatnonzero(fresh)):
            ok, score = _block(band, rows)
            graph.add(
                *_weighted_edges(band, rows, _candidates(ok, score, rng, WIDE_CANDIDATES), score)
            )
        widened |= fresh
        pairs = _solve(graph.graph)
    return pairs


def _matched(n: int, pairs: tuple[Edge, ...]) -> Bools:
    matched = np.zeros(n, dtype=np.bool_)
    matched[[p[0] for p in pairs] + [p[1] for p in pairs]] = True
    return matched


def _candidates(ok: Bools, score: Ints, rng: np.random.Generator, top: int) -> Bools:
    rows = np.arange(len(ok))[:, None]
    k = min(top, ok.shape[1] - 1)
    key = score.astype(np.int32) * TIE_BREAK + rng.integers(0, TIE_BREAK, ok.shape, dtype=np.int32)
    key[~ok] -= 1 << 30
    keep = np.zeros_like(ok)
    keep[rows, np.argpartition(key, -k, axis=1)[:, -k:]] = True
    keep[rows, rng.integers(0, ok.shape[1], (len(ok), RANDOM_PROBES))] = True
    return keep & ok


class _CandidateGraph:
    def __init__(self, n: int) -> None:
        self.n = n
        self.graph = rx.PyGraph(node_count_hint=n)
        self.graph.add_nodes_from(range(n))
        self.keys = np.empty(0, dtype=np.int64)

    def add(self, a: Ints, b: Ints, weight: Ints) -> None:
        low, high = np.minimum(a, b), np.maximum(a, b)
        keys, first = np.unique(low * self.n + high, return_index=True)
        new = ~np.isin(keys, self.keys, assume_unique=True)
        pick = first[new]
        self.graph.extend_from_weighted_edge_list(
            zip(low[pick].tolist(), high[pick].tolist(), weight[pick].tolist(), strict=True)
        )
        self.keys = np.union1d(self.keys, keys[new])


def _solve(graph: rx.PyGraph) -> tuple[Edge, ...]:
    mates = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    pairs = ((min(a, b), max(a, b)) for a, b in mates)
    return tuple(sorted((a, b, int(graph.get_edge_data(a, b))) for a, b in pairs))
