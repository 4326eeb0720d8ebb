"""HR's exports under moto: the quarter's and the year's files, what they hold and what they
never show, written once by the daily schedule and replaced, never duplicated, on demand."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import openpyxl
import pytest

from devtools.local_runtime.aws import Resources
from functions.exports import handler
from tandem.analytics import exports, gather
from tandem.model import bucket_layout, calendar
from tandem.model.clock import clock
from tandem.model.participant import Participant, participant_id
from tandem.model.plan import Plan, group_key
from tandem.model.slots import Slot
from tandem.model.tenant import Tenant
from tandem.store import (
    export_claims,
    feedback_answers,
    matches,
    participants,
    plans,
    pulse_answers,
)
from tests.integration.support import context, deliver_mail, load_event, person, queued, sent
from tests.support.faults import first_answer_lost

Q1 = "2027-Q1"  # starts Monday 11 January 2027, 09:00 in Paris
FILES = (
    "participants.csv",
    "groups.csv",
    "conversations.csv",
    "pledges.csv",
    "summary.csv",
    "report.html",
)
FORMULA = '=HYPERLINK("https://evil.example","click")'


def with_exports(tenant: Tenant, **settings: Any) -> Tenant:
    return replace(tenant, exports=replace(tenant.exports, **settings))


def quarter_of(cycle: str, people: list[Participant], answered_sessions: int = 5) -> None:
    """Pairs in order, each with a slot; every member says every session was held, pledges
    at each (the form saying HR may read its words) and checks in on the last (done, with
    impact, except every third)."""
    starts = datetime(2027, 1, 18, 9, tzinfo=UTC)
    for a, b in zip(people[::2], people[1::2], strict=True):
        members = (a.id, b.id)
        plan = Plan(
            cycle,
            group_key(members),
            "Manager",
            members,
            nudge_at=starts,
            slot=Slot(starts, "Europe/Paris", 5),
        )
        plans.to_item(plan, due=None).save()
        for session in range(1, answered_sessions + 1):
            for n, pid in enumerate(members):
                answers = {
                    "held": "yes",
                    "helpfulness": 4 + n,
                    "pledge": f"{FORMULA} pledge {session}",
                    "theme": "Delegation",
                    "note": "-2 as a note",
                    "pledge_shared": True,
                }
                if session > 1:
                    answers |= {"checkin": "done", "impact": "no" if session % 3 else "yes"}
                feedback_answers.save(cycle, plan.group, session, pid, answers, 0, starts)
    matches.mark_band_matched(cycle, "Manager")


@pytest.fixture
def people(aws: Resources) -> list[Participant]:
    found = [
        person("Ada", "Engineering"),
        person("Bo", "Sales"),
        replace(person("Cy", "Finance"), name="=cmd|' /C calc'!A0"),
        person("Di", "Legal"),
    ]
    participants.create_many(found)
    quarter_of(Q1, found)
    return found


def read(aws: Resources, key: str) -> bytes:
    body: bytes = boto3.client("s3").get_object(Bucket=aws.bucket, Key=key)["Body"].read()
    return body


def rows(aws: Resources, key: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read(aws, key).decode("utf-8-sig"))))


def keys(aws: Resources) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=aws.bucket, Prefix=bucket_layout.EXPORTS)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def scheduled(at: datetime) -> dict[str, Any]:
    event = load_event("scheduled_matching.json")
    event["time"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result: dict[str, Any] = handler.handler(event, context("exports"))
    return result


def test_a_quarter_and_its_year_to_date_each_get_every_file(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    written = exports.export(tenant, Q1)

    assert sorted(written) == sorted(
        (*bucket_layout.export_keys(Q1), *bucket_layout.export_keys("2027"))
    )
    assert keys(aws) == sorted(written)
    header = {
        "participants.csv": "participant,department,level,status,cycle,group",
        "groups.csv": "cycle,group,size,participants,slot_picked,sessions_held",
        "conversations.csv": "cycle,group,session,held",
        "pledges.csv": "text",
        "summary.csv": "cycle,scope,group,metric,value,n,note,reason",
    }
    for name, columns in header.items():
        assert read(aws, f"exports/{Q1}/{name}").decode("utf-8-sig").splitlines()[0] == columns


def test_rows_say_who_takes_part_and_which_conversations_were_held(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    exports.export(tenant, Q1)

    groups = rows(aws, f"exports/{Q1}/groups.csv")
    assert [(g["size"], g["slot_picked"], g["sessions_held"]) for g in groups] == [
        ("2", "yes", "5"),
        ("2", "yes", "5"),
    ]
    enrolled = rows(aws, f"exports/{Q1}/participants.csv")
    assert {(p["status"], p["cycle"]) for p in enrolled} == {("active", Q1)}
    by_group = {g["group"]: set(g["participants"].split()) for g in groups}
    assert {p["participant"] for p in enrolled if p["group"]} == set().union(*by_group.values())
    assert all(p["participant"] in by_group[p["group"]] for p in enrolled)
    conversations = rows(aws, f"exports/{Q1}/conversations.csv")
    assert len(conversations) == 2 * 5  # one per group and session
    assert {c["held"] for c in conversations} == {"yes"}
    # The year to date: every quarter's rows so far
    year = rows(aws, "exports/2027/participants.csv")
    assert year == enrolled


def test_ids_are_keyed_pseudonyms_stable_across_exports(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    exports.export(tenant, Q1)
    first = rows(aws, f"exports/{Q1}/participants.csv")
    exports.export(tenant, Q1)
    again = rows(aws, f"exports/{Q1}/participants.csv")

    ids = [row["participant"] for row in first]
    assert ids == [row["participant"] for row in again]
    assert len(set(ids)) == len(people) and all(len(i) == 16 for i in ids)
    everything = b"".join(read(aws, key) for key in keys(aws))
    for p in people:
        # Neither the address, its hash, the stored id nor any prefix of them
        assert p.email.encode() not in everything
        assert participant_id(p.email)[:12].encode() not in everything
        assert p.id[:12].encode() not in everything
    # Another tenant's key gives other ids
    other = gather.Pseudonyms("other", "another key")
    assert not {other.participant(p.id) for p in people} & set(ids)


def test_names_and_pledge_texts_only_when_the_tenant_enables_them_and_never_an_answer(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    exports.export(tenant, Q1)
    private = b"".join(read(aws, key) for key in keys(aws))
    assert b"pledge 1" not in private and b"as a note" not in private
    assert b"Ada Example" not in private
    assert rows(aws, f"exports/{Q1}/pledges.csv") == []

    exports.export(with_exports(tenant, include_identity=True, include_text=True), Q1)

    participants_rows = rows(aws, f"exports/{Q1}/participants.csv")
    assert {"name", "email"} <= set(participants_rows[0])
    assert "ada@acme.example" in {r["email"] for r in participants_rows}
    # A quarter of four people: fewer than min_group, so no pledge text
    assert rows(aws, f"exports/{Q1}/pledges.csv") == []

    exports.export(with_exports(tenant, include_text=True, min_group_size=3), Q1)

    texts = rows(aws, f"exports/{Q1}/pledges.csv")
    # Every pledge's words, alphabetically, with nothing else: not whose, not when
    assert len(texts) == 4 * 5 and set(texts[0]) == {"text"}
    assert [t["text"] for t in texts] == sorted(t["text"] for t in texts)
    everything = b"".join(read(aws, key) for key in keys(aws))
    assert b"as a note" not in everything  # notes never leave


def test_a_department_written_two_ways_is_one_department(aws: Resources, tenant: Tenant) -> None:
    """Someone who joins types their department: "engineering " is the roster's Engineering,
    and HR sees one department, not a second one of a single person."""
    found = [
        person("Ada", "Engineering"),
        person("Bo", "Engineering"),
        person("Cy", "engineering "),
        person("Di", "Legal"),
    ]
    participants.create_many(found)
    quarter_of(Q1, found)

    exports.export(tenant, Q1)

    enrolled = rows(aws, f"exports/{Q1}/participants.csv")
    assert sorted(r["department"] for r in enrolled) == [*["Engineering"] * 3, "Legal"]
    summary = rows(aws, f"exports/{Q1}/summary.csv")
    assert {r["group"] for r in summary if r["scope"] == "department"} == {"Engineering", "Legal"}


def test_a_pledge_text_the_form_did_not_say_would_be_read_stays_out(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    [plan] = [p for p in plans.of_cycle(Q1) if people[0].id in p.members]
    unshared = {"held": "yes", "helpfulness": 4, "pledge": "Kept to myself", "pledge_shared": False}
    feedback_answers.save(Q1, plan.group, 1, people[0].id, unshared, 1, clock.now())

    exports.export(with_exports(tenant, include_text=True, min_group_size=3), Q1)

    texts = [t["text"] for t in rows(aws, f"exports/{Q1}/pledges.csv")]
    assert len(texts) == 4 * 5 - 1 and "Kept to myself" not in texts


def test_no_cell_runs_as_a_formula_in_csv_or_xlsx(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    settings = {"include_identity": True, "include_text": True, "min_group_size": 3}
    exports.export(with_exports(tenant, **settings), Q1)

    names = {r["name"] for r in rows(aws, f"exports/{Q1}/participants.csv")}
    assert "'=cmd|' /C calc'!A0" in names
    texts = {r["text"] for r in rows(aws, f"exports/{Q1}/pledges.csv")}
    assert texts and all(t.startswith("'=HYPERLINK") for t in texts)
    for key in keys(aws):
        if key.endswith(".csv"):
            for row in csv.reader(io.StringIO(read(aws, key).decode("utf-8-sig"))):
                assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r", "\0") for c in row), key

    workbook = read(aws, f"exports/{Q1}/tandem-{Q1}.xlsx")
    with zipfile.ZipFile(io.BytesIO(workbook)) as parts:
        xml = b"".join(parts.read(n) for n in parts.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml  # no formula anywhere
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    assert book.sheetnames == ["summary", "participants", "groups", "conversations", "pledges"]
    sheet = [list(r) for r in book["participants"].iter_rows(values_only=True)]
    assert sheet[0][:4] == ["participant", "department", "level", "status"]
    assert "=cmd|' /C calc'!A0" in {r[6] for r in sheet[1:]}  # the text itself, never run
    conversations = list(book["conversations"].iter_rows(values_only=True))
    assert len(conversations) == 1 + 10 and conversations[1][2] == 1  # numbers stay numbers


def test_csv_files_open_in_excel_as_utf_8_and_the_workbook_is_ready_to_read(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    exports.export(with_exports(tenant, include_identity=True, min_group_size=3), Q1)
    # A byte-order mark: Excel on Windows reads "Zoë" and "李伟" as UTF-8 only with it
    for key in keys(aws):
        if key.endswith(".csv"):
            assert read(aws, key).startswith(b"\xef\xbb\xbf"), key
    book = openpyxl.load_workbook(io.BytesIO(read(aws, f"exports/{Q1}/tandem-{Q1}.xlsx")))
    assert book.sheetnames[0] == "summary"  # the figures first
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        last = sheet.cell(sheet.max_row, sheet.max_column).coordinate
        assert sheet.auto_filter.ref in (f"A1:{last}", last), sheet.title  # "A1": header only
        for column in range(1, sheet.max_column + 1):
            letter = sheet.cell(1, column).column_letter
            longest = max(len(str(c.value or "")) for c in sheet[letter])
            assert sheet.column_dimensions[letter].width >= min(longest, 60), (sheet.title, letter)
    summary = list(book["summary"].iter_rows(min_row=2, values_only=True))
    values = [row[4] for row in summary if row[4] is not None]
    assert values and all(isinstance(v, int | float) for v in values)  # numbers, not text


def test_re_exporting_replaces_the_same_files_and_removes_strays(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    exports.export(tenant, Q1)
    before = {key: read(aws, key) for key in keys(aws)}
    s3 = boto3.client("s3")
    s3.put_object(Bucket=aws.bucket, Key=f"exports/{Q1}/pulses.csv", Body=b"old")

    exports.export(tenant, Q1)

    assert keys(aws) == sorted(before)
    for key, body in before.items():
        if not key.endswith(".xlsx"):  # a workbook records when it was made
            assert read(aws, key) == body, key


def test_each_quarter_is_exported_once_two_weeks_after_its_fifth_sessions_week(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    q1 = calendar.cycle(tenant, Q1)
    due = exports.due_at(tenant, q1)
    # Fifth session's week: Monday 8 March 2027; that week, two more: due Monday 29 March.
    assert due == datetime.fromisoformat("2027-03-29T00:00:00+02:00")

    assert scheduled(due - timedelta(minutes=1)) == {"exported": []}
    assert keys(aws) == []
    assert scheduled(due + timedelta(hours=9)) == {"exported": [Q1]}
    assert scheduled(due + timedelta(days=1, hours=9)) == {"exported": []}
    mails = [m for m in queued(aws, "mail") if "exports_ready" in m["Body"]]
    assert len(mails) == len(tenant.hr_contacts)


def test_missed_quarters_are_caught_up_in_order(aws: Resources, tenant: Tenant) -> None:
    pair = [person("Ed", "Engineering"), person("Flo", "Sales")]
    participants.create_many(pair)
    for cycle in ("2026-Q4", Q1):
        quarter_of(cycle, pair, answered_sessions=1)

    later = exports.due_at(tenant, calendar.cycle(tenant, Q1)) + timedelta(days=3)
    assert scheduled(later) == {"exported": ["2026-Q4", Q1]}
    assert "exports/2026/participants.csv" in keys(aws)


def test_a_concurrent_or_repeated_run_neither_writes_nor_mails_again(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    due = exports.due_at(tenant, calendar.cycle(tenant, Q1))
    # Another run has claimed the quarter and is still at it
    assert export_claims.claim(Q1, due)
    assert scheduled(due + timedelta(minutes=5)) == {"exported": []}
    assert keys(aws) == [] and not queued(aws, "mail")
    # A run that died is taken over the next day, and the quarter is then done for good
    assert scheduled(due + timedelta(days=1)) == {"exported": [Q1]}
    assert scheduled(due + timedelta(days=2)) == {"exported": []}

    deliver_mail(aws)
    [mail] = [e for e in sent() if e.kind == "exports_ready"]
    assert mail.to == ["hana@acme.example"]


def test_a_claim_whose_put_lost_its_answer_is_the_runs_own(aws: Resources) -> None:
    due = datetime(2027, 3, 29, 7, tzinfo=UTC)
    with first_answer_lost("dynamodb.PutItem"):
        assert export_claims.claim(Q1, due)
    # A duplicate delivery of the same schedule run, at the same time, still finds it taken
    assert not export_claims.claim(Q1, due)


def test_the_leads_mail_names_the_files_and_how_to_fetch_them_with_no_link_to_them(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    scheduled(exports.due_at(tenant, calendar.cycle(tenant, Q1)) + timedelta(hours=9))
    deliver_mail(aws)
    deliver_mail(aws)  # a redelivery sends nothing new

    [mail] = [e for e in sent() if e.kind == "exports_ready"]
    assert Q1 in mail.subject
    assert "Hi Hana Ruiz," in mail.text  # a name as written, never cut at a space
    assert "the console's Exports page" in mail.text  # named, not linked
    # Forwarded, the email gives no one the files: no link to the bucket, signed or not.
    assert mail.links == []
    for body in (mail.text, mail.html):
        assert "X-Amz-" not in body and "https://" not in body
        for scope in (Q1, "2027"):
            assert f"aws s3 cp --recursive s3://{aws.bucket}/exports/{scope}/ {scope}/" in body
            for key in bucket_layout.export_keys(scope):
                assert key.rpartition("/")[2] in body


def test_on_demand_export_names_a_bad_cycle_and_writes_nothing(aws: Resources) -> None:
    refused = handler.handler({"cycle": "2027-Q9"}, context("exports"))

    assert "no cycle '2027-Q9'" in refused["error"]
    assert keys(aws) == []
    done = handler.handler({"cycle": Q1}, context("exports"))
    assert done["cycle"] == Q1 and len(done["files"]) == 14


def test_the_pulse_answers_make_the_fulfilment_and_ongoing_figures(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    answers = [(5, "yes", "=1+1"), (4, "yes", ""), (3, "no", ""), (4, "yes", "")]
    for who, (fulfilment, ongoing, comment) in zip(people, answers, strict=True):
        pulse_answers.save(Q1, who.id, fulfilment, ongoing, comment, 0, clock.now())
    exports.export(with_exports(tenant, min_group_size=3), Q1)
    everyone = {
        r["metric"]: r["value"]
        for r in rows(aws, f"exports/{Q1}/summary.csv")
        if r["scope"] == "all"
    }
    assert float(everyone["fulfilment_mean"]) == 4.0
    assert float(everyone["ongoing_intent_rate"]) == 0.75
    everything = b"".join(read(aws, key) for key in keys(aws))
    assert b"=1+1" not in everything  # a pulse comment never leaves


def test_answers_that_contradict_each_other_are_not_counted(
    aws: Resources, tenant: Tenant, people: list[Participant]
) -> None:
    # Stored before the form refused them: a helpfulness for a conversation that was not held,
    # and an impact for a pledge not done.
    [plan] = [p for p in plans.of_cycle(Q1) if people[0].id in p.members]
    starts = datetime(2027, 1, 18, 9, tzinfo=UTC)
    not_held = {"held": "no", "helpfulness": 1, "checkin": "not_done", "impact": "yes"}
    feedback_answers.save(Q1, plan.group, 3, people[0].id, not_held, 1, starts)

    [quarter] = gather.quarters_so_far(tenant, Q1, gather.pseudonyms(tenant))
    exports.export(with_exports(tenant, min_group_size=3), Q1)

    assert all(c.helpfulness is None for c in quarter.conversations if c.held != "yes")
    assert all(p.impact is None for p in quarter.pledges if p.checkin not in ("done", "partly"))
    # Not even a hidden figure counts the 1 of a conversation not held
    assert "helpfulness:1" not in {r["metric"] for r in rows(aws, f"exports/{Q1}/summary.csv")}
