"""The circles CSV file: one row per person, stable circle ids, read back as history."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tandem.matching.engine import Group, MatchResult, Unmatched
from tandem.matching.engine.circle_files import circle_ids, read_circles, write_circles
from tandem.matching.engine.circles import match_circles
from tandem.matching.engine.files import InputError

from .support import CYCLE, ON, person


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_one_row_per_person_with_their_circle_and_its_score(tmp_path: Path) -> None:
    result = MatchResult(
        groups=(Group(CYCLE, ("d", "e", "f", "g"), 12), Group(CYCLE, ("a", "b", "c", "h"), -3)),
        unmatched=(Unmatched("z", "a reason"),),
    )
    path = tmp_path / "circles.csv"

    write_circles(path, CYCLE, result)

    assert rows(path) == [
        ["cycle", "circle", "person", "score"],
        *([CYCLE, "c001", m, "-3"] for m in "abch"),
        *([CYCLE, "c002", m, "12"] for m in "defg"),
        [CYCLE, "", "z", ""],
    ]


def test_ids_widen_past_999_circles() -> None:
    groups = [
        Group(CYCLE, (f"p{k:05d}a", f"p{k:05d}b", f"p{k:05d}c", f"p{k:05d}d")) for k in range(1000)
    ]
    ids = [circle for circle, _ in circle_ids(groups)]
    assert ids[0] == "c0001"
    assert ids[-1] == "c1000"
    assert len(set(ids)) == 1000


def test_a_match_written_and_read_back_is_next_cycles_history(tmp_path: Path) -> None:
    # Given circles of ten people in five departments, and one person who overlaps no one
    people = [person(f"p{i}", f"d{i % 5}") for i in range(10)]
    people.append(person("kiri", "d9", timezone="Pacific/Kiritimati"))
    result = match_circles(people, [], CYCLE, ON)
    path = tmp_path / "circles.csv"

    # When written and read back
    write_circles(path, CYCLE, result)
    history = read_circles(path)

    # Then it holds the circles (with scores) and the one left out, as the engine's history
    assert sorted(history, key=lambda g: g.members) == sorted(
        result.as_history(CYCLE), key=lambda g: g.members
    )
    assert Group(CYCLE, ("kiri",)) in history


def test_names_that_look_like_formulas_are_written_as_text(tmp_path: Path) -> None:
    result = MatchResult((Group(CYCLE, ("=cmd()", "b", "c", "d"), 1),), ())
    path = tmp_path / "circles.csv"
    write_circles(path, CYCLE, result)
    assert rows(path)[1] == [CYCLE, "c001", "'=cmd()", "1"]


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (["2027-Q1,c001,ann,1", "2027-Q1,c002,ann,1"], 3, "'ann' appears twice"),
        (["2027-Q1,c001,,1"], 2, "empty person"),
        ([",c001,ann,1"], 2, "empty cycle"),
        (["2027-Q1,c001,ann,high"], 2, "score must be a whole number"),
    ],
)
def test_a_bad_circles_file_names_its_line(
    tmp_path: Path, lines: list[str], line: int, message: str
) -> None:
    path = tmp_path / "circles.csv"
    path.write_text("\n".join(["cycle,circle,person,score", *lines]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_circles(path)
    assert (raised.value.path, raised.value.line) == (path, line)
    assert raised.value.message.startswith(message)
