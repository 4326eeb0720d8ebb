"""The curious HR (SECURITY.md): a year of four quarters with a department of two and one of
four, exported quarter by quarter as the schedule does, with names and pledge texts switched on.
HR keeps every file each export wrote (the year to date is replaced each quarter), then joins
the row files on people and groups, and adds and subtracts every figure of every file, to get at
anyone's answers or at a hidden figure."""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import boto3
import openpyxl
import pytest

from devtools.local_runtime.aws import Resources
from tandem.analytics import exports
from tandem.model import bucket_layout
from tandem.model.participant import Participant
from tandem.model.plan import Plan, group_key
from tandem.model.purpose import How, PurposeProfile, Who, Why
from tandem.model.slots import Slot
from tandem.model.tenant import Tenant
from tandem.store import feedback_answers, participants, plans, pulse_answers
from tests.integration.support import person
from tests.support.attacker import File, attack

QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4")
DEPARTMENTS = {"Legal": 2, "Finance": 4, "Sales": 8, "Engineering": 8}
MIN_GROUP = 5
# What a row may say of a person or a group: what running the program needs
ROWS = {
    "participants.csv": ["participant", "department", "level", "status", "cycle", "group"],
    "groups.csv": ["cycle", "group", "size", "participants", "slot_picked", "sessions_held"],
    "conversations.csv": ["cycle", "group", "session", "held"],
}
NAMES = ["name", "email"]


@dataclass(frozen=True)
class Export:
    """What HR downloaded after one quarter's export: every file, by key."""

    quarter: str
    files: dict[str, bytes]

    def csv(self, scope: str, name: str) -> list[dict[str, str]]:
        text = self.files[f"{bucket_layout.exports(scope)}{name}"].decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    def header(self, scope: str, name: str) -> list[str]:
        text = self.files[f"{bucket_layout.exports(scope)}{name}"].decode("utf-8-sig")
        return next(csv.reader(io.StringIO(text)))


def a_year(rnd: random.Random) -> list[Participant]:
    """The company, and its year of answers in the store: pairs (a trio when odd) of the 85%
    taking part each quarter, answering as people do, a few answers contradicting others."""
    people = [
        person(
            f"{department}{i}",
            department,
            "Manager" if i % 2 else "Director",
            purpose=PurposeProfile(
                rnd.choice(list(Who)), rnd.choice(list(Why)), rnd.choice(list(How))
            ),
        )
        for department, size in DEPARTMENTS.items()
        for i in range(size)
    ]
    participants.create_many(people)
    starts = {q: datetime(2027, 1 + 3 * i, 18, 9, tzinfo=UTC) for i, q in enumerate(QUARTERS)}
    for cycle in QUARTERS:
        active = [p.id for p in people if rnd.random() < 0.85]
        rnd.shuffle(active)
        groups = [active[i : i + 2] for i in range(0, len(active) - 1, 2)]
        if len(active) % 2:
            groups[-1].append(active[-1])
        for members in groups:
            plan = Plan(
                cycle,
                group_key(members),
                "Manager",
                tuple(members),
                nudge_at=starts[cycle],
                slot=Slot(starts[cycle], "Europe/Paris", 5),
            )
            plans.to_item(plan, due=None).save()
            for pid in members:
                _answers(rnd, cycle, plan.group, pid, starts[cycle])
    return people


def _answers(rnd: random.Random, cycle: str, group: str, pid: str, at: datetime) -> None:
    for session in range(1, 6):
        held = rnd.choice(("yes",) * 5 + ("no",))
        answer: dict[str, object] = {
            "held": held,
            # A rating of a conversation not held: stored before the form refused it
            "helpfulness": rnd.randint(1, 5) if held == "yes" or rnd.random() < 0.3 else None,
            "pledge": f"Pledge {rnd.randrange(10**6)}",
            "theme": rnd.choice(("", "Delegation", "Focus", "Team")),
            "pledge_shared": rnd.random() < 0.8,
        }
        if session > 1:
            checkin = rnd.choice(("done",) * 6 + ("partly", "not_done"))
            answer |= {"checkin": checkin, "impact": rnd.choice(("yes",) * 8 + ("no",))}
        feedback_answers.save(cycle, group, session, pid, answer, 0, at)
    pulse_answers.save(
        cycle, pid, rnd.randint(2, 5), rnd.choice(("yes", "yes", "no")), "my partner X", 0, at
    )


def downloaded(aws: Resources) -> dict[str, bytes]:
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=aws.bucket, Prefix=bucket_layout.EXPORTS)["Contents"]
    return {
        item["Key"]: s3.get_object(Bucket=aws.bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }


@pytest.fixture
def year(aws: Resources, tenant: Tenant) -> tuple[list[Participant], list[Export]]:
    settings = {"include_identity": True, "include_text": True, "min_group_size": MIN_GROUP}
    curious = replace(tenant, exports=replace(tenant.exports, **settings))
    people = a_year(random.Random(18))
    kept = []
    for quarter in QUARTERS:
        exports.export(curious, quarter)
        kept.append(Export(quarter, downloaded(aws)))
    return people, kept


def test_the_row_files_carry_no_answer_to_join_on(
    year: tuple[list[Participant], list[Export]],
) -> None:
    people, kept = year
    for export in kept:
        for scope in (export.quarter, export.quarter[:4]):
            for name, columns in ROWS.items():
                extra = NAMES if name == "participants.csv" else []
                assert export.header(scope, name) == columns + extra, (scope, name)
            # Pledge texts: the words alone
            assert export.header(scope, "pledges.csv") == ["text"]
    everything = b"".join(body for export in kept for body in export.files.values())
    assert b"my partner X" not in everything  # a pulse comment never leaves
    # Names sit beside the operational rows only (and in the workbook's copy of them)
    for p in people:
        named = [k for k, body in kept[-1].files.items() if p.name.encode() in body]
        assert named and all(k.endswith("/participants.csv") for k in named), named


def test_pledge_texts_come_alone_in_no_order_and_only_where_the_form_said_so(
    year: tuple[list[Participant], list[Export]],
) -> None:
    _, kept = year
    texts = [row["text"] for row in kept[-1].csv("2027", "pledges.csv")]
    shared = [
        str(answer.pledge)
        for quarter in QUARTERS
        for _, answer in feedback_answers.of_cycle(quarter)
        if answer.pledge_shared
    ]
    assert texts == sorted(shared)  # every quarter has more than MIN_GROUP people


def test_adding_and_subtracting_every_file_of_the_year_gives_no_answer_and_no_hidden_figure(
    year: tuple[list[Participant], list[Export]],
) -> None:
    _, kept = year
    # What HR knows of who was in a group each quarter, from participants.csv
    members = {
        export.quarter: {
            row["participant"]: (row["department"], row["level"])
            for row in export.csv(export.quarter, "participants.csv")
            if row["group"]
        }
        for export in kept
    }
    assert any(len({p for p, a in m.items() if a[0] == "Legal"}) == 2 for m in members.values())
    files = [
        file
        for k, export in enumerate(kept, start=1)
        for file in (
            File((export.quarter,), export.csv(export.quarter, "summary.csv")),
            File(QUARTERS[:k], export.csv("2027", "summary.csv")),
        )
    ]
    hidden = [r for f in files for r in f.rows if r["note"]]
    assert {r["group"] for r in hidden} >= {"Legal", "Finance"}  # the attack has work to do

    assert attack(files, members, MIN_GROUP) == []


def test_headcounts_are_what_the_rows_say_and_never_hidden(
    year: tuple[list[Participant], list[Export]],
) -> None:
    _, kept = year
    for export in kept:
        summary = export.csv(export.quarter, "summary.csv")
        enrolled = [r for r in export.csv(export.quarter, "participants.csv") if r["group"]]
        for department in DEPARTMENTS:
            [row] = [
                r
                for r in summary
                if (r["scope"], r["group"], r["metric"])
                == ("department", department, "participants")
            ]
            assert int(row["value"]) == sum(r["department"] == department for r in enrolled)
        first = export.quarter == QUARTERS[0]
        assert first == (not [r for r in summary if r["metric"] == "retention"])


def test_the_workbook_and_the_report_show_no_more_than_the_summary(
    year: tuple[list[Participant], list[Export]],
) -> None:
    _, kept = year
    for export in kept:
        for scope in (export.quarter, "2027"):
            folder = bucket_layout.exports(scope)
            book = openpyxl.load_workbook(
                io.BytesIO(export.files[f"{folder}tandem-{scope}.xlsx"]), read_only=True
            )
            sheet = list(book["summary"].iter_rows(min_row=2, values_only=True))
            rows = export.csv(scope, "summary.csv")
            assert len(sheet) == len(rows)
            for cells, row in zip(sheet, rows, strict=True):
                value = cells[4]  # the number the CSV shows rounded
                assert value == (float(row["value"]) if row["value"] else None)
                others = ["" if v is None else str(v) for v in cells[:4] + cells[5:]]
                assert others == [v for k, v in row.items() if k != "value"]
            report = export.files[f"{folder}report.html"].decode()
            for r in rows:
                if r["note"] and r["scope"] != "all":
                    cells = re.search(rf"<bdi>{r['group']}</bdi></th>(.*?)</tr>", report)
                    assert cells is not None and "hidden<sup>" in cells.group(1)
