"""The circles CSV file (`tandem match --format circles`): one row per person with their circle.

    cycle,circle,person,score
    2027-Q1,c001,ann,31
    2027-Q1,c001,bob,31
    2027-Q1,,eve,

A circle's id is stable for the same result: circles numbered in order of their members' ids,
zero-padded to at least three digits (c001; c0001 once a cycle has 1,000 circles). Its score is
the circle's soft score, on every member's row. Someone left out has an empty circle: the file
reads back (read_circles) as the next cycle's history, the people left out as having sat out,
which is what gives them priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tandem.matching.engine.files import InputError, StrPath, csv_rows, read_history
from tandem.matching.engine.history import cycle_order
from tandem.matching.engine.models import Group, MatchResult
from tandem.views.csvfiles import to_csv

CIRCLE_COLUMNS = ("cycle", "circle", "person", "score")


def circle_ids(groups: Sequence[Group]) -> list[tuple[str, Group]]:
    """(id, circle) for each circle, numbered per cycle in order of members."""
    numbered = []
    by_cycle: dict[str, list[Group]] = {}
    for group in groups:
        by_cycle.setdefault(group.cycle, []).append(group)
    for cycle in sorted(by_cycle, key=cycle_order):
        circles = sorted(by_cycle[cycle], key=lambda g: tuple(sorted(g.members)))
        width = max(3, len(str(len(circles))))
        numbered += [(f"c{k:0{width}d}", g) for k, g in enumerate(circles, start=1)]
    return numbered


def write_circles(path: StrPath, cycle: str, result: MatchResult) -> None:
    """One row per person: the circle's members in id order, circle by circle, then the people
    left out (empty circle and score)."""
    rows: list[list[str | int]] = [
        [group.cycle, circle, member, group.score]
        for circle, group in circle_ids(result.groups)
        for member in sorted(group.members)
    ]
    rows += [
        [cycle, "", u.person_id, ""] for u in sorted(result.unmatched, key=lambda u: u.person_id)
    ]
    Path(path).write_bytes(to_csv(CIRCLE_COLUMNS, rows))


def read_circles(path: StrPath) -> list[Group]:
    """The circles of a circles file, and a 1-tuple for each person left out: history for the
    next cycle. Raises InputError naming the line of the first problem."""
    members: dict[tuple[str, str], list[str]] = {}
    scores: dict[tuple[str, str], int] = {}
    left_out: list[Group] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in csv_rows(path, CIRCLE_COLUMNS):
        cycle, circle, person, score = (row[column] for column in CIRCLE_COLUMNS)
        if not cycle:
            raise InputError(path, line, "empty cycle")
        if not person:
            raise InputError(path, line, "empty person")
        if (cycle, person) in seen:
            first = seen[(cycle, person)]
            raise InputError(
                path, line, f"{person!r} appears twice in cycle {cycle!r} (first on line {first})"
            )
        seen[(cycle, person)] = line
        if not circle:
            left_out.append(Group(cycle, (person,)))
            continue
        try:
            scores[(cycle, circle)] = int(score) if score else 0
        except ValueError:
            raise InputError(path, line, f"score must be a whole number, not {score!r}") from None
        members.setdefault((cycle, circle), []).append(person)
    circles = [
        Group(cycle, tuple(sorted(people)), scores[(cycle, circle)])
        for (cycle, circle), people in members.items()
    ]
    return circles + left_out


def read_groups(path: StrPath) -> list[Group]:
    """Earlier cycles from either kind of file: a circles file (by its header) or the pairs'
    history (cycle,a,b,c)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as file:
        header = file.readline()
    return read_circles(path) if "circle" in header.split(",") else read_history(path)
