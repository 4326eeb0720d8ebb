"""What earlier cycles say about this one: who may not meet again, who met long ago, who was odd."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from tandem.matching.engine.models import Group

Pair = tuple[str, str]  # two ids, the smaller first


def cycle_order(cycle: str) -> tuple[tuple[int, str], ...]:
    """Sorts cycle ids by the numbers in them, so 2027-Q10 comes after 2027-Q9."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", cycle)
    )


def pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True, slots=True)
class Past:
    recent: frozenset[Pair]  # partners within the repeat window: a hard rule forbids them
    older: dict[Pair, int]  # partners before the window -> cycles ago (1 = the last cycle)
    odd_last: frozenset[str]  # in a trio or sat out in the most recent earlier cycle


# The groups of a cycle that were the odd ones out: someone sat out (alone), or made a trio.
# A circle (four to six, by choice of the band's format) is not odd.
ODD_SIZES = (1, 3)


def read_past(history: Sequence[Group], cycle: str, window: int) -> Past:
    """Ages count distinct earlier cycle ids, in the order of the numbers in them."""
    now = cycle_order(cycle)
    cycles = {g.cycle for g in history}  # a few ids for many groups: order each id once
    earlier = sorted((c for c in cycles if cycle_order(c) < now), key=cycle_order)[::-1]
    age = {c: n for n, c in enumerate(earlier, start=1)}
    last_met: dict[Pair, int] = {}
    for group in history:
        if group.cycle in age:
            for a, b in combinations(group.members, 2):
                key = pair(a, b)
                last_met[key] = min(last_met.get(key, age[group.cycle]), age[group.cycle])
    odd_last = {
        member
        for group in history
        if earlier and group.cycle == earlier[0] and len(group.members) in ODD_SIZES
        for member in group.members
    }
    return Past(
        recent=frozenset(p for p, a in last_met.items() if a <= window),
        older={p: a for p, a in last_met.items() if a > window},
        odd_last=frozenset(odd_last),
    )
