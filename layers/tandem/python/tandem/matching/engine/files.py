"""The engine's CSV files: people and history in, groups and unmatched people out.

Readers validate the whole file before returning and raise InputError naming file and line.
Writers neutralise text cells a spreadsheet would run as a formula (tandem.views.csvfiles).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from os import PathLike
from pathlib import Path
from zoneinfo import available_timezones

from tandem.matching.engine.history import cycle_order
from tandem.matching.engine.models import Group, Person, Unmatched
from tandem.model.purpose import PurposeProfile
from tandem.views.csvfiles import to_csv

StrPath = str | PathLike[str]

PEOPLE_COLUMNS = ("id", "department", "level", "timezone")
PURPOSE_COLUMNS = ("purpose_who", "purpose_why", "purpose_how")
HISTORY_COLUMNS = ("cycle", "a", "b", "c")


class InputError(ValueError):
    def __init__(self, path: StrPath, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def read_people(path: StrPath) -> list[Person]:
    people: list[Person] = []
    line_of: dict[str, int] = {}
    for line, row in csv_rows(path, PEOPLE_COLUMNS):
        for column in PEOPLE_COLUMNS:
            if not row[column]:
                raise InputError(path, line, f"empty {column}")
        person_id = row["id"]
        if person_id in line_of:
            raise InputError(
                path, line, f"duplicate id {person_id!r} (first on line {line_of[person_id]})"
            )
        if row["timezone"] not in _time_zones():
            raise InputError(path, line, f"unknown time zone {row['timezone']!r}")
        line_of[person_id] = line
        people.append(
            Person(
                id=person_id,
                department=row["department"],
                level=row["level"],
                timezone=row["timezone"],
                manager_id=row.get("manager_id") or None,
                location=row.get("location") or None,
                purpose=_purpose(path, line, row),
            )
        )
    for person in people:  # managers may come later in the file
        if person.manager_id and person.manager_id not in line_of:
            raise InputError(path, line_of[person.id], f"unknown manager {person.manager_id!r}")
    return people


def _purpose(path: StrPath, line: int, row: dict[str, str]) -> PurposeProfile | None:
    drivers = [row.get(column, "") for column in PURPOSE_COLUMNS]
    if not any(drivers):
        return None
    if not all(drivers):
        raise InputError(path, line, "purpose needs who, why and how, or none of them")
    try:
        return PurposeProfile.parse(*drivers)
    except ValueError as error:
        raise InputError(path, line, str(error)) from None


def read_history(path: StrPath) -> list[Group]:
    """Rows of cycle,a,b,c (other columns, like a groups file's score, are ignored)."""
    history: list[Group] = []
    seen: set[tuple[str, str]] = set()
    for line, row in csv_rows(path, HISTORY_COLUMNS):
        cycle, a, b, c = (row[column] for column in HISTORY_COLUMNS)
        if not cycle:
            raise InputError(path, line, "empty cycle")
        if not a:
            raise InputError(path, line, "empty a")
        if c and not b:
            raise InputError(path, line, "c without b")
        members = tuple(m for m in (a, b, c) if m)
        for member in members:
            if (cycle, member) in seen:
                raise InputError(path, line, f"{member!r} appears twice in cycle {cycle!r}")
            seen.add((cycle, member))
        history.append(Group(cycle, members))
    return history


def write_groups(path: StrPath, groups: Iterable[Group]) -> None:
    """One row per pair or trio; the file reads back as history (its score is ignored)."""
    rows: list[list[str | int]] = [
        [g.cycle, *g.members, *[""] * (3 - len(g.members)), g.score]
        for g in sorted(groups, key=lambda g: (cycle_order(g.cycle), g.members))
    ]
    Path(path).write_bytes(to_csv(("cycle", "a", "b", "c", "score"), rows))


def write_unmatched(path: StrPath, unmatched: Iterable[Unmatched]) -> None:
    rows = [[u.person_id, u.reason] for u in sorted(unmatched, key=lambda u: u.person_id)]
    Path(path).write_bytes(to_csv(("id", "reason"), rows))


def csv_rows(path: StrPath, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, stripped cells by column) for each non-blank row after the header."""
    with Path(path).open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        try:
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in required if name not in header]
            if missing:
                raise InputError(path, 1, f"missing column(s): {', '.join(missing)}")
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(header):
                    raise InputError(path, reader.line_num, "more cells than columns")
                values = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
                yield reader.line_num, dict(zip(header, values, strict=True))
        except UnicodeDecodeError:
            raise InputError(path, reader.line_num + 1, "not UTF-8 text") from None
        except csv.Error as error:
            raise InputError(path, reader.line_num, f"not CSV: {error}") from None


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())
