"""CSV files in and out: validation with file and line, round trips, formula-safe cells."""

import csv
from pathlib import Path

import pytest

from tandem.matching.engine import Group, Person, Unmatched
from tandem.matching.engine.files import (
    InputError,
    read_history,
    read_people,
    write_groups,
    write_unmatched,
)
from tandem.model.purpose import PurposeProfile

HEADER = "id,department,level,timezone,manager_id,location,purpose_who,purpose_why,purpose_how"
GOOD = [
    "ann,sales,L1,Europe/London,,Paris,Individual,Karma,Human",
    "bob,legal,L1,America/New_York,ann,,,,",
]


def write(path: Path, *lines: str, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def people_error(tmp_path: Path, *lines: str) -> str:
    path = write(tmp_path / "people.csv", *lines)
    with pytest.raises(InputError) as raised:
        read_people(path)
    assert str(raised.value).startswith(f"{path}:")
    return str(raised.value).removeprefix(f"{path}:")


def history_error(tmp_path: Path, *lines: str) -> str:
    path = write(tmp_path / "history.csv", *lines)
    with pytest.raises(InputError) as raised:
        read_history(path)
    return str(raised.value).removeprefix(f"{path}:")


def test_reads_people_with_every_column(tmp_path: Path) -> None:
    people = read_people(write(tmp_path / "people.csv", HEADER, *GOOD))
    assert people == [
        Person(
            "ann",
            "sales",
            "L1",
            "Europe/London",
            location="Paris",
            purpose=PurposeProfile.parse("Individual", "Karma", "Human"),
        ),
        Person("bob", "legal", "L1", "America/New_York", manager_id="ann"),
    ]


def test_reads_people_with_a_bom_spaces_and_only_the_required_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.csv",
        " id , department ,level,timezone",
        " ann , sales , L1 , Europe/London ",
        "",
        bom=True,
    )
    assert read_people(path) == [Person("ann", "sales", "L1", "Europe/London")]


def test_error_message_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", HEADER, *GOOD, "cat,ops,L1,Mars/Base,,,,,")
    with pytest.raises(InputError) as raised:
        read_people(path)
    assert str(raised.value) == f"{path}:4: unknown time zone 'Mars/Base'"
    assert (raised.value.line, raised.value.message) == (4, "unknown time zone 'Mars/Base'")


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (["id,department,level"], "1: missing column(s): timezone"),
        ([], "1: missing column(s): id, department, level, timezone"),
        ([HEADER, *GOOD, "ann,ops,L2,UTC,,,,,"], "4: duplicate id 'ann' (first on line 2)"),
        ([HEADER, *GOOD, "cat,ops,L1,UTC,zed,,,,"], "4: unknown manager 'zed'"),
        ([HEADER, "ann,,L1,UTC,,,,,"], "2: empty department"),
        ([HEADER, *GOOD, "cat,ops,,UTC,,,,,"], "4: empty level"),
        (
            [HEADER, "ann,ops,L1,UTC,,,Society,Money,Human"],
            "2: why must be one of Karma, Harmony, not 'Money'",
        ),
        ([HEADER, "ann,ops,L1,UTC,,,Society,,Human"], "2: purpose needs who, why and how, or none"),
        ([HEADER, "ann,ops,L1,UTC,,,,,,extra"], "2: more cells than columns"),
    ],
)
def test_bad_people(tmp_path: Path, lines: list[str], error: str) -> None:
    assert people_error(tmp_path, *lines).startswith(error)


def test_an_unknown_manager_is_found_even_when_named_before_the_end(tmp_path: Path) -> None:
    # Given the manager is checked after every id is known
    lines = [HEADER, "ann,ops,L1,UTC,bob,,,,", "bob,ops,L1,UTC,,,,,", "cat,ops,L1,UTC,dan,,,,"]
    assert people_error(tmp_path, *lines) == "4: unknown manager 'dan'"


def test_reads_history_with_pairs_trios_and_sit_outs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "history.csv",
        "cycle,a,b,c",
        "2026-Q4,ann,bob,",
        "2026-Q4,cat,dan,eve",
        "2026-Q4,fay,,",
    )
    assert read_history(path) == [
        Group("2026-Q4", ("ann", "bob")),
        Group("2026-Q4", ("cat", "dan", "eve")),
        Group("2026-Q4", ("fay",)),
    ]


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (["cycle,a,b"], "1: missing column(s): c"),
        (["cycle,a,b,c", "2026-Q4,ann,,bob"], "2: c without b"),
        (["cycle,a,b,c", "2026-Q4,,bob,"], "2: empty a"),
        (["cycle,a,b,c", ",ann,bob,"], "2: empty cycle"),
        (
            ["cycle,a,b,c", "2026-Q3,ann,bob,", "2026-Q4,ann,cat,", "2026-Q4,bob,ann,"],
            "4: 'ann' appears twice in cycle '2026-Q4'",
        ),
        (["cycle,a,b,c", "2026-Q4,ann,ann,"], "2: 'ann' appears twice in cycle '2026-Q4'"),
    ],
)
def test_bad_history(tmp_path: Path, lines: list[str], error: str) -> None:
    assert history_error(tmp_path, *lines) == error


def test_groups_written_read_back_as_history(tmp_path: Path) -> None:
    # Given groups of a cycle, plus someone who sat out, in no particular order
    groups = [
        Group("2027-Q1", ("cat", "dan", "eve"), 40),
        Group("2027-Q1", ("ann", "bob"), -12),
        Group("2027-Q1", ("fay",)),
    ]
    path = tmp_path / "pairs.csv"

    # When written and read back
    write_groups(path, groups)

    # Then the file is sorted, keeps the scores, and is a valid history file
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "cycle,a,b,c,score",
        "2027-Q1,ann,bob,,-12",
        "2027-Q1,cat,dan,eve,40",
        "2027-Q1,fay,,,0",
    ]
    assert read_history(path) == [
        Group(g.cycle, g.members) for g in sorted(groups, key=lambda g: g.members)
    ]


def test_unmatched_are_written_with_their_reason(tmp_path: Path) -> None:
    path = tmp_path / "unmatched.csv"
    write_unmatched(path, [Unmatched("zed", "odd number"), Unmatched("amy", "no one")])
    assert list(csv.reader(path.open(encoding="utf-8-sig"))) == [
        ["id", "reason"],
        ["amy", "no one"],
        ["zed", "odd number"],
    ]


def test_written_files_never_carry_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    write_groups(path, [Group("2027-Q1", ("=cmd|' /C calc'!A0", "@bob"), 3)])
    write_unmatched(tmp_path / "u.csv", [Unmatched("-amy", "+reason")])
    assert list(csv.reader(path.open(encoding="utf-8-sig")))[1] == [
        "2027-Q1",
        "'=cmd|' /C calc'!A0",
        "'@bob",
        "",
        "3",
    ]
    assert list(csv.reader((tmp_path / "u.csv").open(encoding="utf-8-sig")))[1] == [
        "'-amy",
        "'+reason",
    ]
