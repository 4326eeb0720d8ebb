"""Whatever arrives from outside (a roster file, a tenant file, the matching engine's input, a
form) either parses or raises the one error its reader documents: never anything else."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from tandem.conversations import feedback
from tandem.matching.engine.files import InputError, read_history, read_people
from tandem.model import purpose
from tandem.model.participant import Details, PersonalDetails
from tandem.model.plan import Plan
from tandem.model.tenant import TenantFileError, load_tenant
from tandem.model.validation import Invalid, parse
from tandem.people import roster

LEVELS = ("Manager", "Director")
DEMO_TENANT = json.loads(
    (Path(__file__).parents[2] / "infra" / "tenants" / "demo.json").read_text()
)
HOSTILE = [
    "",
    " ",
    '=HYPERLINK("https://evil.example","x")',
    "<script>alert(1)</script>",
    "\u202e",
    "Zoë <mallory@evil.example>",
    "a\nb",
    "\x00",
    '"',
    "Europe/Paris",
    "Manager",
    "ada@acme.example",
]
# Text a person or a file could hold: the usual suspects, and anything at all.
cells = st.sampled_from(HOSTILE) | st.text(max_size=40)
csv_cells = cells.map(lambda c: '"' + c.replace('"', '""') + '"') | cells


def csv_text(header: list[str]) -> st.SearchStrategy[str]:
    rows = st.lists(st.lists(csv_cells, min_size=0, max_size=len(header) + 2), max_size=6)
    separators = st.sampled_from([",", ";", "\t"])
    return st.tuples(rows, separators, st.sampled_from(["\n", "\r\n", "\r"])).map(
        lambda t: t[2].join(t[1].join(row) for row in [header, *t[0]])
    )


ROSTER_HEADER = [*roster.REQUIRED, *roster.OPTIONAL]


@given(
    st.binary(max_size=400)
    | csv_text(ROSTER_HEADER).map(str.encode)
    | csv_text(ROSTER_HEADER[:-2]).map(str.encode)
)
def test_the_roster_reader_accepts_a_file_or_rejects_it_whole(data: bytes) -> None:
    try:
        valid, rejected = roster.read_rows(data, LEVELS)
    except roster.RosterFileError as error:
        assert str(error)
        return
    assert all(isinstance(row, Details) and row.level in LEVELS for _, row in valid)
    assert all(
        result.outcome is roster.RowOutcome.REJECTED and result.detail for result in rejected
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cells,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cells, inner, max_size=3),
    max_leaves=10,
)


@given(
    st.one_of(
        json_values.map(json.dumps),
        # the demo tenant with one field set to anything
        st.tuples(st.sampled_from(sorted(DEMO_TENANT)), json_values).map(
            lambda change: json.dumps({**DEMO_TENANT, change[0]: change[1], "name": "acme"})
        ),
        st.text(max_size=60),
    ).map(str.encode)
    | st.binary(max_size=60)
)
def test_a_tenant_file_loads_or_is_refused_naming_the_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acme.json"
        path.write_bytes(data)
        try:
            load_tenant(path)
        except TenantFileError as error:
            assert str(error).startswith(str(path))


@given(
    (
        csv_text(["id", "department", "level", "timezone", "manager_id", "purpose_who"])
        | csv_text(["cycle", "a", "b", "c"])
        | st.text(max_size=80)
    ).map(str.encode)
    | st.binary(max_size=80)
)
def test_the_matching_input_is_read_or_refused_with_the_file_and_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.csv"
        path.write_bytes(data)
        for read in (read_people, read_history):
            try:
                read(path)
            except InputError as error:
                assert error.line >= 1 and str(path) in str(error)


form_fields = st.dictionaries(
    st.sampled_from(
        [
            *(field.name for field in dataclasses.fields(Details)),
            *feedback.FIELDS,
            *(question.id for question in purpose.QUESTIONS),
            "version",
            "action",
        ]
    )
    | st.text(max_size=8),
    cells,
    max_size=12,
)


@given(form_fields)
def test_signup_profile_and_open_signup_forms_validate_or_say_why(fields: dict[str, str]) -> None:
    for model in (Details, PersonalDetails):
        try:
            details = parse(model, fields)
        except Invalid:
            continue
        assert "\u202e" not in details.name
        if isinstance(details, Details):
            details.problem(LEVELS)


@given(form_fields)
def test_purpose_answers_score_or_name_the_questions_left(fields: dict[str, str]) -> None:
    try:
        purpose.score(fields)
    except purpose.IncompleteAnswers as incomplete:
        assert incomplete.question_ids == purpose.unanswered(fields)


@given(form_fields, st.integers(1, 5), st.booleans())
def test_feedback_answers_validate_or_come_back_field_by_field(
    fields: dict[str, str], session: int, asks_checkin: bool
) -> None:
    # validate reads only the context's flags, not the plan
    ctx = feedback.Context(cast(Plan, None), session, asks_checkin, session == 5)
    try:
        answers: Any = feedback.validate(fields, ctx, feedback.THEMES)
    except feedback.Invalid as invalid:
        assert invalid.problems and list(invalid.problems) == [
            f for f in feedback.FIELDS if f in invalid.problems
        ]
        return
    assert answers.pledge is None or 1 <= len(answers.pledge) <= 280
