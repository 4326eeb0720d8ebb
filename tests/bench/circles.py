"""Bench of circles (issue 22); prints markdown tables.

    python tests/bench/circles.py [--quick]

1. Scale: one band of 1,000 and 10,000 people (the pair bench's population: skewed departments
   and time zones, a management tree, offices, purpose profiles), also with 60% in one
   department, each case in a fresh process so its peak memory is its own. History: two
   quarters of random pairs, then a quarter of random circles of five in which 3% sat out.
   Gap to bound: how far the people placed are below the upper bound (no valid circles could
   place more), in percent of the bound.
2. Four quarters on one population, each quarter's circles fed to the next as history:
   repeats must stay at zero, and nobody should sit out twice running.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

from matching import (  # the pair bench, beside this file
    CYCLE,
    DEPARTMENTS,
    ON,
    SKEWED,
    met_before,
    peak_rss_mb,
    population,
    shuffled_history,
    table,
)

from tandem.matching.engine import Group, Person
from tandem.matching.engine.circles import solve_circles

PAIR_QUARTERS = ("2026-Q2", "2026-Q3")
LAST = "2026-Q4"
SAT_OUT = 0.03


def history(people: Sequence[Person], seed: int = 13) -> list[Group]:
    """Two quarters of random pairs, then random circles of five with 3% sitting out."""
    found = shuffled_history(people, PAIR_QUARTERS)
    ids = [p.id for p in people]
    random.Random(seed).shuffle(ids)
    out = round(len(ids) * SAT_OUT)
    found += [Group(LAST, (i,)) for i in ids[:out]]
    rest = ids[out:]
    found += [Group(LAST, tuple(sorted(rest[k : k + 5]))) for k in range(0, len(rest), 5)]
    return found


def rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def scale_case(n: int, skewed: bool, size: int) -> dict[str, object]:
    """One band of n people in circles of `size`, in this process."""
    people = population(n, departments=SKEWED if skewed else DEPARTMENTS)
    past = history(people)
    sat_out = {g.members[0] for g in past if g.cycle == LAST and len(g.members) == 1}
    before = rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    solved = solve_circles(people, past, CYCLE, ON, size=size)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    (band,) = solved.bands
    groups = solved.result.groups
    department = {p.id: p.department for p in people}
    placed = {m for g in groups for m in g.members}
    return {
        "people": f"{n:,}" + (" (60% in one department)" if skewed else ""),
        "size": size,
        "sizes": "{}-{}".format(*band.sizes),
        "cap": band.cap,
        "circles": len(groups),
        "placed": solved.placed,
        "bound": solved.bound,
        "gap": f"{100 * (solved.bound - solved.placed) / max(solved.bound, 1):.2f}",
        "sat_out": f"{len(sat_out & placed)}/{len(sat_out)}",
        "doubles": sum(
            department[a] == department[b] for g in groups for a, b in combinations(g.members, 2)
        ),
        "repeats": met_before([p for g in groups for p in combinations(g.members, 2)], past),
        "seconds": round(seconds, 1),
        "cpu": round(cpu_seconds, 1),
        "before_mb": before,
        "peak_mb": peak_rss_mb(),
    }


def in_child(*args: str) -> dict[str, object]:
    """A case run in a fresh process, so that its peak memory is its own."""
    child = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return dict(json.loads(child.stdout))


def scale(cases: Sequence[tuple[int, bool, int]]) -> None:
    print("## Scale: one band, each case in a fresh process\n")
    columns = ["people", "size", "sizes", "cap", "circles", "placed", "bound", "gap"]
    columns += ["sat_out", "doubles", "repeats", "seconds", "cpu", "before_mb", "peak_mb"]
    rows = []
    for n, skewed, size in cases:
        case = in_child("--case", str(n), str(size), *(["--skewed"] if skewed else []))
        rows.append([case[column] for column in columns])
    headers = ["people", "size", "sizes used", "most of a department", "circles", "placed"]
    headers += ["bound", "gap to bound %", "sat out last time: placed", "same-department pairs"]
    headers += ["repeats", "seconds", "CPU s", "RSS before solve MB", "peak RSS MB"]
    table(headers, rows)


def quarters(n: int, size: int) -> None:
    print(f"## Four quarters on {n:,} people in 3 levels, circles of {size}, fed forward\n")
    people = population(n, levels=3)
    past: list[Group] = []
    rows = []
    out_before: set[str] = set()
    for quarter in ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"):
        start = time.perf_counter()
        solved = solve_circles(people, past, quarter, ON, size=size)
        seconds = time.perf_counter() - start
        result = solved.result
        pairs = [p for g in result.groups for p in combinations(g.members, 2)]
        out = {u.person_id for u in result.unmatched}
        rows.append(
            [
                quarter,
                len(result.groups),
                solved.placed,
                solved.bound,
                len(out),
                met_before(pairs, past),
                len(out & out_before),
                f"{seconds:.1f}",
            ]
        )
        past += result.as_history(quarter)
        out_before = out
    headers = ["quarter", "circles", "placed", "bound", "left out", "repeats"]
    table([*headers, "left out twice running", "seconds"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 people only")
    parser.add_argument("--case", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--skewed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        n, size = args.case
        print(json.dumps(scale_case(n, args.skewed, size)))
        return
    sizes = [1_000] if args.quick else [1_000, 10_000]
    cases = [(n, skewed, 5) for n in sizes for skewed in (False, True)]
    if not args.quick:
        cases += [(10_000, False, 4), (10_000, False, 6)]
    scale(cases)
    quarters(301 if args.quick else 1_001, 5)


if __name__ == "__main__":
    main()
