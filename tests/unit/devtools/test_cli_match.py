"""`tandem match`: the engine on its own, from CSV files, as an analyst would run it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from devtools.cli import main

PEOPLE = """id,department,level,timezone,manager_id,location
ana,Sales,M,Europe/Paris,,Paris
ben,Engineering,M,Europe/London,,London
cai,Finance,M,Europe/Berlin,,Berlin
dev,Legal,M,Asia/Tokyo,,Tokyo
"""


def run(tmp_path: Path, people: str, *extra: str) -> tuple[int, Path]:
    (tmp_path / "people.csv").write_text(people)
    out = tmp_path / "pairs.csv"
    code = main(
        [
            "match",
            "--people",
            str(tmp_path / "people.csv"),
            "--cycle",
            "2027-Q1",
            "--on",
            "2027-01-11",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, out


def test_it_writes_the_groups_and_says_who_is_left_out_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, PEOPLE, "--unmatched", str(tmp_path / "unmatched.csv"))
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["cycle"], sorted([r["a"], r["b"], r["c"]])) for r in rows] == [
        ("2027-Q1", ["ana", "ben", "cai"])
    ]
    assert int(rows[0]["score"]) > 0
    reason = "no one at your level whose working hours overlap yours by 2 hours"
    said = capsys.readouterr().err
    assert f"unmatched dev: {reason}" in said
    assert "2027-Q1: matched 3 of 4 people (pairs: 0, trios: 1)" in said
    assert list(csv.DictReader((tmp_path / "unmatched.csv").open(encoding="utf-8-sig"))) == [
        {"id": "dev", "reason": reason}
    ]


def test_history_keeps_partners_apart(tmp_path: Path) -> None:
    (tmp_path / "history.csv").write_text("cycle,a,b,c\n2026-Q4,ana,ben,\n2026-Q4,cai,dev,\n")
    people = PEOPLE.replace("Asia/Tokyo", "Europe/Madrid")
    code, out = run(
        tmp_path, people, "--history", str(tmp_path / "history.csv"), "--odd-policy", "sit_out"
    )
    assert code == 0
    pairs = {frozenset((r["a"], r["b"])) for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    # Four people who could all meet, last quarter's partners kept apart: the other two pairs
    assert pairs == {frozenset(("ana", "cai")), frozenset(("ben", "dev"))} or pairs == {
        frozenset(("ana", "dev")),
        frozenset(("ben", "cai")),
    }


@pytest.mark.parametrize(
    ("people", "message"),
    [
        (PEOPLE.replace("Asia/Tokyo", "Mars/Base"), "people.csv:5: unknown time zone 'Mars/Base'"),
        (PEOPLE + "ana,Ops,M,UTC,,\n", "people.csv:6: duplicate id 'ana' (first on line 2)"),
        (
            PEOPLE.replace(
                "ben,Engineering,M,Europe/London,,", "ben,Engineering,M,Europe/London,zed,"
            ),
            "people.csv:3: unknown manager 'zed'",
        ),
        (PEOPLE.replace(",timezone,", ",tz,"), "people.csv:1: missing column(s): timezone"),
    ],
)
def test_bad_input_exits_2_with_the_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], people: str, message: str
) -> None:
    code, out = run(tmp_path, people)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_history_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, PEOPLE, "--history", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv" in capsys.readouterr().err and not out.exists()


CIRCLE_PEOPLE = "id,department,level,timezone\n" + "".join(
    f"p{n:02},{dept},M,Europe/Paris\n"
    for n, dept in enumerate(["Sales", "Legal", "Finance", "People", "Ops", "IT"] * 2)
)


def test_circles_come_one_row_per_person_and_feed_the_next_cycle(tmp_path: Path) -> None:
    code, out = run(tmp_path, CIRCLE_PEOPLE, "--format", "circles", "--size", "6")
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["cycle", "circle", "person", "score"]
    assert len(rows) == 12 and {r["person"] for r in rows} == {f"p{n:02}" for n in range(12)}
    circles: dict[str, set[str]] = {}
    for row in rows:
        circles.setdefault(row["circle"], set()).add(row["person"])
    assert sorted(len(c) for c in circles.values()) == [6, 6]
    # The file is the next cycle's history: nobody shares a circle with anyone twice
    later = tmp_path / "later.csv"
    code = main(
        [
            "match",
            *("--people", str(tmp_path / "people.csv"), "--history", str(out)),
            *("--cycle", "2027-Q2", "--on", "2027-04-12", "--out", str(later)),
            *("--format", "circles", "--size", "4", "--repeat-window", "1"),
        ]
    )
    assert code == 0
    again: dict[str, set[str]] = {}
    for row in csv.DictReader(later.open(encoding="utf-8-sig")):
        if row["circle"]:
            again.setdefault(row["circle"], set()).add(row["person"])
    for circle in again.values():
        assert all(len(circle & before) <= 1 for before in circles.values())


def test_a_size_without_circles_is_refused(tmp_path: Path) -> None:
    code, out = run(tmp_path, PEOPLE, "--size", "5")
    assert code == 2 and not out.exists()
