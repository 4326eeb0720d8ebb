"""Reading a roster file: what is rejected whole, what is rejected by row, and why."""

import pytest

from tandem.model.participant import Participant, Source, Status
from tandem.people.roster import RosterFileError, RowOutcome, plan, read_rows

LEVELS = ("Manager", "Director")
HEADER = "email,name,department,level,timezone,manager_email,location\n"


def rows(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


def test_valid_rows_are_normalised() -> None:
    valid, rejected = read_rows(
        rows(
            " Ada@Acme.Example ,Ada Lovelace,Engineering,Manager,Europe/London,boss@acme.example,"
        ),
        LEVELS,
    )
    assert rejected == []
    [(line, row)] = valid
    assert line == 2
    assert (row.email, row.location, row.manager_email) == (
        "ada@acme.example",
        None,
        "boss@acme.example",
    )


def test_excel_bom_header_case_and_missing_optional_column_are_accepted() -> None:
    data = "\ufeffEmail,Name,Department,Level,Timezone,Manager_Email\r\n"
    data += "ada@acme.example,Ada,Eng,Manager,UTC,\r\n"
    valid, _ = read_rows(data.encode(), LEVELS)
    assert valid[0][1].manager_email is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("bad@@acme,Ada,Eng,Manager,UTC,,", "email: not a valid email address"),
        ("ada@acme.example,Ada,Eng,Manager,Mars/Base,,", "timezone: unknown time zone 'Mars/Base'"),
        # a folder of the time zone database, and a name too long for a file name: rejected rows,
        # not an import that fails on an error of the file system
        ("ada@acme.example,Ada,Eng,Manager,America,,", "timezone: unknown time zone 'America'"),
        (f"ada@acme.example,Ada,Eng,Manager,{'A' * 300},,", "timezone: unknown time zone"),
        ("ada@acme.example,,Eng,Manager,UTC,,", "name: must not be empty"),
        ("ada@acme.example,Ada,Eng,Intern,UTC,,", "level: unknown level 'Intern'"),
        (
            "ada@acme.example,Ada,Eng,Manager,UTC,ada@acme.example,",
            "manager_email: is the person's own",
        ),
        (
            "ada@acme.example,Ada,Eng,Manager,UTC,not-an-email,",
            "manager_email: not a valid email address",
        ),
        (  # a line break inside a quoted cell would become an email header
            'ada@acme.example,"Ada\nBcc: all@acme.example",Eng,Manager,UTC,,',
            "name: must be one line of text",
        ),
    ],
)
def test_a_bad_row_is_rejected_with_its_reason(line: str, reason: str) -> None:
    valid, rejected = read_rows(rows("ok@acme.example,Ok,Eng,Manager,UTC,,", line), LEVELS)
    assert [row.email for _, row in valid] == ["ok@acme.example"]
    [result] = rejected
    assert (result.line, result.outcome) == (3, RowOutcome.REJECTED)
    assert reason in result.detail


def test_every_line_of_a_duplicated_address_is_rejected() -> None:
    valid, rejected = read_rows(
        rows(
            "ada@acme.example,Ada,Eng,Manager,UTC,,",
            "bob@acme.example,Bob,Sales,Manager,UTC,,",
            "ADA@acme.example,Ada L,Eng,Director,UTC,,",
        ),
        LEVELS,
    )
    assert [row.email for _, row in valid] == ["bob@acme.example"]
    assert [(r.line, r.detail) for r in rejected] == [
        (2, "duplicate email (also on line 4)"),
        (4, "duplicate email (also on line 2)"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (HEADER.encode(), "a header but no rows"),
        (b"email,name\nada@acme.example,Ada\n", "missing columns: department, level"),
        (
            rows("a@acme.example,A,E,Manager,UTC,,", header=HEADER.replace("location", "locaton")),
            "unknown columns: locaton",
        ),
        (rows("a@acme.example,A,E,Manager,UTC,,,extra"), "line 2 has 8 fields, the header has 7"),
        (rows('a@acme.example,"A,E,Manager,UTC,,'), "not valid CSV"),
        ("email,name\n".encode("utf-16"), "not UTF-8"),
        (b"email;name;department;level;timezone;manager_email\n", "separated by ';'"),
    ],
)
def test_a_malformed_file_is_rejected_whole(data: bytes, message: str) -> None:
    with pytest.raises(RosterFileError, match=message):
        read_rows(data, LEVELS)


def person(status: Status, **changes: str) -> Participant:
    fields = {
        "email": "ada@acme.example",
        "name": "Ada",
        "department": "Eng",
        "level": "Manager",
        "timezone": "UTC",
    }
    return Participant(**{**fields, **changes}, status=status, source=Source.ROSTER)


def test_plan_decides_created_updated_unchanged() -> None:
    [(_, row)] = read_rows(rows("ada@acme.example,Ada,Eng,Manager,UTC,,"), LEVELS)[0]
    assert plan(row, None) == (RowOutcome.CREATED, {})
    assert plan(row, person(Status.ACTIVE)) == (RowOutcome.UNCHANGED, {})
    assert plan(row, person(Status.ACTIVE, department="Sales")) == (
        RowOutcome.UPDATED,
        {"department": "Eng"},
    )


def test_after_signup_the_roster_no_longer_overrides_what_the_person_owns() -> None:
    [(_, row)] = read_rows(rows("ada@acme.example,Ada,Eng,Manager,UTC,,"), LEVELS)[0]
    assert plan(row, person(Status.INVITED, timezone="Asia/Tokyo")) == (
        RowOutcome.UPDATED,
        {"timezone": "UTC"},
    )
    assert plan(row, person(Status.ACTIVE, timezone="Asia/Tokyo")) == (RowOutcome.UNCHANGED, {})


def test_people_who_left_are_left_alone() -> None:
    [(_, row)] = read_rows(rows("ada@acme.example,Ada,Eng,Manager,UTC,,"), LEVELS)[0]
    assert plan(row, person(Status.LEFT, department="Sales")) == (RowOutcome.UNCHANGED, {})
