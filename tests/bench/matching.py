"""Bench of the matching engine; prints markdown tables.

    python tests/bench/matching.py [--quick]

1. Quality: our objective against networkx's exact solve of the same weighted graph, the split
   into cells forced on the same band, and a random shuffle (what chat bots do) for repeats and
   broken rules.
2. Scale: one band of up to 10,000 people, each size in a fresh process so peak memory is its own.
3. Growth: one band of 10,000 to 100,000 people, against the single solve the split replaced.
4. Four quarters on one population, each feeding the next: repeats must stay at zero.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import ParamSpec, TypeVar

import networkx as nx
import numpy as np
from single_solve import single_solve  # the bench's own directory is on the path

from tandem.matching.engine import Group, Person, match
from tandem.matching.engine.arrays import Band
from tandem.matching.engine.rules import feasible, overlap
from tandem.matching.engine.solve import DEFAULT_RULES, Split, bands, edges, pair_band, settle
from tandem.model.purpose import How, PurposeProfile, Who, Why

P = ParamSpec("P")
T = TypeVar("T")

ON = date(2027, 1, 15)
CYCLE = "2027-Q1"
EARLIER = ("2026-Q2", "2026-Q3", "2026-Q4")
# department -> share of staff in percent
DEPARTMENTS = {
    "Engineering": 30,
    "Sales": 20,
    "Operations": 15,
    "Finance": 15,
    "Marketing": 10,
    "People": 10,
}
# the stress case for the split: most people cannot be paired within their own department
SKEWED = {name: 60 if name == "Engineering" else 8 for name in DEPARTMENTS}
# (time zone, office, share of staff in percent): most staff in Europe and the Americas
ZONES = [
    ("Europe/London", "London", 18),
    ("Europe/Berlin", "Berlin", 12),
    ("Europe/Paris", "Paris", 8),
    ("America/New_York", "New York", 16),
    ("America/Chicago", "Chicago", 6),
    ("America/Los_Angeles", "San Francisco", 10),
    ("America/Sao_Paulo", "Sao Paulo", 4),
    ("Asia/Kolkata", "Bangalore", 10),
    ("Asia/Singapore", "Singapore", 6),
    ("Asia/Tokyo", "Tokyo", 4),
    ("Australia/Sydney", "Sydney", 4),
    ("Pacific/Auckland", "Auckland", 2),
]


def population(
    n: int, levels: int = 1, departments: dict[str, int] = DEPARTMENTS, seed: int = 7
) -> list[Person]:
    """Skewed departments and time zones, a management tree, offices, purpose profiles."""
    rnd = random.Random(seed)
    people = []
    for i in range(n):
        zone, office, _ = rnd.choices(ZONES, weights=[z[2] for z in ZONES])[0]
        people.append(
            Person(
                id=f"e{i:05d}",
                department=rnd.choices(list(departments), weights=list(departments.values()))[0],
                level=f"L{rnd.randrange(levels) + 1}",
                timezone=zone,
                manager_id=f"e{rnd.randrange(i):05d}" if i and rnd.random() < 0.9 else None,
                location=office if rnd.random() < 0.9 else None,
                purpose=_purpose(rnd) if rnd.random() < 0.8 else None,
            )
        )
    return people


def _purpose(rnd: random.Random) -> PurposeProfile:
    return PurposeProfile(rnd.choice(list(Who)), rnd.choice(list(Why)), rnd.choice(list(How)))


def shuffled_history(
    people: Sequence[Person], cycles: Sequence[str], seed: int = 11
) -> list[Group]:
    """Earlier cycles paired at random within each level, one sit-out when odd."""
    rnd = random.Random(seed)
    history = []
    for cycle in cycles:
        for level in sorted({p.level for p in people}):
            ids = [p.id for p in people if p.level == level]
            rnd.shuffle(ids)
            history += [Group(cycle, tuple(ids[k : k + 2])) for k in range(0, len(ids), 2)]
    return history


def broken_rules(band: Band, a: np.ndarray, b: np.ndarray) -> int:
    """How many of the pairs (a[k], b[k]) break a hard rule."""
    broken = 0
    for start in range(0, len(a), 256):
        rows = a[start : start + 256]
        ok = feasible(band, rows, overlap(band, rows))
        broken += int((~ok[np.arange(len(rows)), b[start : start + 256]]).sum())
    return broken


def met_before(pairs: Sequence[tuple[str, str]], history: Sequence[Group]) -> int:
    """How many of the pairs were partners in the history."""
    met = {frozenset(p) for g in history for p in combinations(g.members, 2)}
    return sum(frozenset(p) in met for p in pairs)


def audit(band: Band, a: np.ndarray, b: np.ndarray, history: Sequence[Group]) -> str:
    """ "repeats/broken" for the pairs (a[k], b[k]); a recent repeat also breaks a hard rule."""
    pairs = [(band.ids[i], band.ids[j]) for i, j in zip(a, b, strict=True)]
    return f"{met_before(pairs, history)}/{broken_rules(band, a, b)}"


def timed(task: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    start = time.perf_counter()
    result = task(*args, **kwargs)
    return result, time.perf_counter() - start


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


def exact_networkx(band: Band) -> tuple[int, int, float]:
    """(pairs, objective, seconds) of networkx's exact solve of the band's full weighted graph."""
    graph = nx.Graph()
    graph.add_nodes_from(range(band.size))
    for a, b, w in edges(band):
        graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
    pairs, seconds = timed(nx.max_weight_matching, graph, maxcardinality=True)
    return len(pairs), sum(graph[a][b]["weight"] for a, b in pairs), seconds


def quality(sizes: Sequence[int], exact_max: int) -> None:
    print("## Quality: one band against networkx's exact solve (history: 3 shuffled quarters)\n")
    rows = []
    for n in sizes:
        people = population(n)
        history = shuffled_history(people, EARLIER)
        (band,) = bands(people, history, CYCLE, ON)
        ours, ours_s = timed(pair_band, band)
        split, split_s = timed(pair_band, band, Split(exact_limit=0))
        edge_count = sum(len(a) for a, _, _ in edges(band))
        exact_pairs, exact, exact_s = exact_networkx(band) if n <= exact_max else (0, 0, 0.0)
        # Without networkx, compare the split with our whole solve, which is exact too
        reference = exact or ours.objective

        shuffle = np.random.default_rng(n).permutation(n)
        shuffle_a, shuffle_b = shuffle[0 : n - 1 : 2], shuffle[1::2]
        ours_a, ours_b = np.array(ours.pairs, dtype=np.int64).reshape(-1, 3)[:, :2].T
        rows.append(
            [
                n,
                edge_count,
                f"{len(ours.pairs)}/{exact_pairs or '-'}",
                ours.objective,
                exact or "-",
                f"{ours.objective / exact:.5f}" if exact else "-",
                f"{ours_s:.2f}",
                f"{exact_s:.1f}" if exact else "-",
                f"{split.objective / reference:.5f}"
                + ("" if split.certified else " (uncertified)"),
                f"{split_s:.2f}",
                audit(band, shuffle_a, shuffle_b, history),
                audit(band, ours_a, ours_b, history),
            ]
        )
    headers = ["people", "edges", "pairs ours/exact", "objective ours", "exact (networkx)", "ratio"]
    headers += ["ours s", "networkx s", "cells forced ratio", "cells s"]
    headers += ["shuffle repeats/broken", "ours repeats/broken"]
    table(headers, rows)


def scale_case(n: int, skewed: bool) -> dict[str, object]:
    """One band of n people, solved as `match` does, in this process."""
    people = population(n, departments=SKEWED if skewed else DEPARTMENTS)
    history = shuffled_history(people, EARLIER)
    start = time.perf_counter()
    (band,) = bands(people, history, CYCLE, ON)
    pairing = pair_band(band)
    groups, unmatched = settle(band, pairing, CYCLE, DEFAULT_RULES)
    seconds = time.perf_counter() - start
    return {
        "people": f"{n:,}" + (" (60% in one department)" if skewed else ""),
        "seconds": round(seconds, 2),
        "peak_mb": peak_rss_mb(),
        "mode": "cells" if pairing.split else "whole",
        "certified": pairing.certified,
        "groups": len(groups),
        "unmatched": len(unmatched),
        "objective": pairing.objective,
    }


def single_solve_case(n: int) -> dict[str, object]:
    """One band of n people, solved as the engine did before the split, in this process."""
    people = population(n)
    history = shuffled_history(people, EARLIER)
    start = time.perf_counter()
    (band,) = bands(people, history, CYCLE, ON)
    pairs = single_solve(band)
    return {
        "seconds": round(time.perf_counter() - start, 2),
        "peak_mb": peak_rss_mb(),
        "objective": sum(weight for _, _, weight in pairs),
    }


def in_child(*args: str) -> dict[str, object]:
    """A case run in a fresh process, so that its peak memory is its own."""
    child = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return dict(json.loads(child.stdout))


def peak_rss_mb() -> int:
    """This process's peak resident memory. ru_maxrss would report the parent's peak when that
    was higher (Linux carries it across fork and exec); VmHWM starts afresh at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def scale(cases: Sequence[tuple[int, bool]]) -> None:
    print("## Scale: one band, each case in a fresh process\n")
    columns = ("people", "mode", "certified", "groups", "unmatched", "seconds", "peak_mb")
    rows = []
    for n, skewed in cases:
        case = in_child("--scale-case", str(n), *(["--skewed"] if skewed else []))
        rows.append([case[column] for column in columns])
    table(
        ["people", "mode", "max pairs certified", "groups", "unmatched", "seconds", "peak RSS MB"],
        rows,
    )


def growth(sizes: Sequence[int], single_max: int) -> None:
    print("## Growth: one band, each case in a fresh process, against the single solve\n")
    rows = []
    first: tuple[int, float] | None = None
    for n in sizes:
        ours = in_child("--scale-case", str(n))
        seconds = float(str(ours["seconds"]))
        # how much the time grows each time the band doubles, on average since the first size
        factor = (seconds / first[1]) ** (1 / math.log2(n / first[0])) if first else None
        first = first or (n, seconds)
        single = in_child("--single-case", str(n)) if n <= single_max else None
        objective = int(str(ours["objective"]))
        rows.append(
            [
                f"{n:,}",
                ours["seconds"],
                f"{factor:.2f}" if factor else "-",
                ours["peak_mb"],
                ours["certified"],
                ours["groups"],
                objective,
                single["objective"] if single else "-",
                f"{objective / int(str(single['objective'])):.5f}" if single else "-",
                single["seconds"] if single else "-",
                single["peak_mb"] if single else "-",
            ]
        )
    # the stress case at the largest size: thousands left over, the bound must still be reached
    skewed = in_child("--scale-case", str(sizes[-1]), "--skewed")
    first_columns = [skewed["people"], skewed["seconds"], "-", skewed["peak_mb"]]
    rows.append([*first_columns, skewed["certified"], skewed["groups"], skewed["objective"]])
    rows[-1] += ["-"] * 4  # no single solve at this size
    headers = ["people", "seconds", "time x per doubling since the first", "peak RSS MB"]
    headers += ["max pairs certified"]
    headers += ["groups", "objective", "single solve objective", "ratio", "single solve s"]
    table([*headers, "single solve MB"], rows)


def quarters(n: int) -> None:
    print(f"## Four quarters on {n} people in 3 levels, each quarter's groups fed to the next\n")
    people = population(n, levels=3)
    history: list[Group] = []
    rows = []
    odd_before: set[str] = set()
    for quarter in ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"):
        result, seconds = timed(match, people, history, quarter, ON)
        pairs = [p for g in result.groups for p in combinations(g.members, 2)]
        odd = {m for g in result.groups if len(g.members) == 3 for m in g.members}
        odd |= {u.person_id for u in result.unmatched}
        rows.append(
            [
                quarter,
                len(result.groups),
                sum(len(g.members) == 3 for g in result.groups),
                len(result.unmatched),
                met_before(pairs, history),
                len(odd & odd_before),
                f"{seconds:.2f}",
            ]
        )
        history += result.as_history(quarter)
        odd_before = odd
    table(
        ["quarter", "groups", "trios", "unmatched", "repeats", "odd twice running", "seconds"], rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller set, for a smoke run")
    parser.add_argument(
        "--exact-max",
        type=int,
        help="largest band checked with networkx (default 1000, quick 500; 2000 adds ~7 min)",
    )
    parser.add_argument("--scale-case", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--skewed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--single-case", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only-growth", action="store_true", help="only the growth table (about 4 minutes)"
    )
    args = parser.parse_args()
    if args.scale_case:
        print(json.dumps(scale_case(args.scale_case, args.skewed)))
        return
    if args.single_case:
        print(json.dumps(single_solve_case(args.single_case)))
        return
    if not args.only_growth:
        exact_max = args.exact_max or (500 if args.quick else 1_000)
        quality([200, 500] if args.quick else [200, 500, 1000, 2000], exact_max)
        sizes = [1_000, 2_000] if args.quick else [1_000, 2_000, 5_000, 10_000]
        scale([(n, False) for n in sizes] + [(sizes[-1], True)])
    # the single solve takes 88 s at 20,000 people and 11 minutes at 40,000: compared up to 20,000
    growth([2_500, 5_000] if args.quick else [10_000, 20_000, 40_000, 100_000], 20_000)
    if not args.only_growth:
        quarters(301 if args.quick else 1_001)


if __name__ == "__main__":
    main()
