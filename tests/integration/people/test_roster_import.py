"""Roster import: S3 upload event (via SQS) -> participants, invites, results file."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from devtools.local_runtime.aws import Resources
from functions.roster_import import handler
from tandem.model import purpose
from tandem.model.clock import clock
from tandem.model.participant import Participant, PersonalDetails, Source, Status, participant_id
from tandem.model.purpose import PurposeProfile
from tandem.model.tenant import Tenant
from tandem.people import selfservice
from tandem.store import participants
from tests.integration.support import (
    ROSTER,
    context,
    deliver_mail,
    load_event,
    queued,
    results,
    sent,
    upload,
)


def test_each_valid_row_creates_a_participant_and_one_invite(aws: Resources) -> None:
    # Given HR uploads a roster with three good rows and one bad one
    event = upload(aws, "roster/january 2027.csv", ROSTER)
    # When the import runs
    response = handler.handler(event, context("roster_import"))
    # Then the results file tells each row's outcome
    assert response == {"batchItemFailures": []}
    assert [(r["line"], r["outcome"]) for r in results(aws, "january 2027.csv")] == [
        ("2", "created"),
        ("3", "created"),
        ("4", "created"),
        ("5", "rejected"),
    ]
    # and the three people exist, invited, and get exactly one invitation each
    ada = participants.get(participant_id("ada@acme.example"))
    assert ada is not None and ada.status is Status.INVITED
    assert ada.manager_email == "grace@acme.example"
    assert deliver_mail(aws) == {"batchItemFailures": []}
    invites = sent()
    assert sorted(to for email in invites for to in email.to) == [
        "ada@acme.example",
        "grace@acme.example",
        "linus@acme.example",
    ]
    assert all(any("/signup/" in link for link in email.links) for email in invites)


def test_a_name_written_last_comma_first_greets_by_the_preferred_name_or_the_whole_name(
    aws: Resources,
) -> None:
    # A common HRIS export: "Last, First", with the name people go by beside it (or not)
    roster = (
        "email,name,department,level,timezone,manager_email,preferred_name\n"
        'sio@acme.example,"O\'Connor, Siobhán",Engineering,Manager,Europe/Dublin,,Siobhán\n'
        'marc@acme.example,"Dupont, Marc",Sales,Manager,Europe/Paris,,\n'
    )
    handler.handler(upload(aws, "roster/hris.csv", roster), context("roster_import"))
    assert [r["outcome"] for r in results(aws, "hris.csv")] == ["created", "created"]
    deliver_mail(aws)
    greetings = {e.to[0]: e.text.splitlines()[0] for e in sent()}
    assert greetings == {"sio@acme.example": "Hi Siobhán,", "marc@acme.example": "Hi Dupont, Marc,"}
    sio = participants.get(participant_id("sio@acme.example"))
    assert sio is not None and (sio.name, sio.preferred_name) == ("O'Connor, Siobhán", "Siobhán")


def test_importing_the_same_file_again_invites_nobody_twice(aws: Resources) -> None:
    handler.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    deliver_mail(aws)
    # HR uploads the very same file a week later
    again = upload(aws, "roster/staff.csv", ROSTER, event_time="2026-12-08T08:00:00.000Z")
    handler.handler(again, context("roster_import"))
    deliver_mail(aws)
    assert [r["outcome"] for r in results(aws, "staff.csv")] == ["unchanged"] * 3 + ["rejected"]
    assert len(sent()) == 3


def test_a_redelivered_upload_reports_the_same_outcomes_and_sends_nothing_new(
    aws: Resources,
) -> None:
    event = upload(aws, "roster/staff.csv", ROSTER)
    handler.handler(event, context("roster_import"))
    first = results(aws, "staff.csv")
    handler.handler(event, context("roster_import"))  # S3 delivers at least once
    assert results(aws, "staff.csv") == first
    deliver_mail(aws)
    assert len(sent()) == 3


def test_a_changed_row_updates_what_hr_owns(aws: Resources) -> None:
    handler.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    moved = ROSTER.replace("Ada Lovelace,Engineering,Manager", "Ada Lovelace,Research,Director")
    later = upload(aws, "roster/staff.csv", moved, event_time="2027-02-01T08:00:00.000Z")
    handler.handler(later, context("roster_import"))
    [ada] = [r for r in results(aws, "staff.csv") if r["email"] == "ada@acme.example"]
    assert (ada["outcome"], ada["detail"]) == ("updated", "changed department, level")
    stored = participants.get(participant_id("ada@acme.example"))
    assert stored is not None and (stored.department, stored.level) == ("Research", "Director")
    assert [p.email for p in participants.in_level("Director", Status.INVITED)] == [
        "ada@acme.example",
        "grace@acme.example",
    ]


def test_a_malformed_file_is_rejected_whole_and_changes_nothing(aws: Resources) -> None:
    broken = ROSTER.replace("timezone,", "time zone,")
    handler.handler(upload(aws, "roster/broken.csv", broken), context("roster_import"))
    [row] = results(aws, "broken.csv")
    assert row["outcome"] == "rejected"
    assert row["detail"].startswith(
        "file rejected, nothing imported: bad header (missing columns: timezone"
    )
    assert participants.get(participant_id("ada@acme.example")) is None
    assert queued(aws, "mail") == []


def test_the_s3_test_event_and_result_files_are_ignored(aws: Resources) -> None:
    assert handler.handler(load_event("s3_test_event.json"), context("roster_import")) == {
        "batchItemFailures": []
    }
    own_result = upload(aws, "roster/results/staff.csv", "line,email,outcome,detail\n")
    assert handler.handler(own_result, context("roster_import")) == {"batchItemFailures": []}
    assert queued(aws, "mail") == []


def test_an_unreadable_notification_fails_the_invocation_so_sqs_retries_it(aws: Resources) -> None:
    event = load_event("roster_upload.json")
    event["Records"][0]["body"] = "{not json"
    with pytest.raises(BatchProcessingError):  # the whole batch failed: Lambda reports an error
        handler.handler(event, context("roster_import"))


def test_a_late_redelivery_of_an_older_upload_changes_nothing(aws: Resources) -> None:
    # Given upload A, then upload B moving Ada to Research, both imported
    first = upload(aws, "roster/january.csv", ROSTER, event_time="2026-12-01T08:00:00.000Z")
    handler.handler(first, context("roster_import"))
    moved = ROSTER.replace("Ada Lovelace,Engineering", "Ada Lovelace,Research")
    later = upload(aws, "roster/february.csv", moved, event_time="2027-02-01T08:00:00.000Z")
    handler.handler(later, context("roster_import"))
    # When SQS delivers A's event once more (its retry came late)
    handler.handler(first, context("roster_import"))
    # Then Ada stays where B put her, and A's results say why
    ada = participants.get(participant_id("ada@acme.example"))
    assert ada is not None and ada.department == "Research"
    [row] = [r for r in results(aws, "january.csv") if r["email"] == "ada@acme.example"]
    assert row["outcome"] == "unchanged" and "a newer roster upload" in row["detail"]


def test_an_older_file_processed_after_a_newer_one_does_not_undo_it(aws: Resources) -> None:
    moved = ROSTER.replace("Ada Lovelace,Engineering", "Ada Lovelace,Research")
    setup = upload(aws, "roster/setup.csv", ROSTER, event_time="2026-11-01T08:00:00.000Z")
    handler.handler(setup, context("roster_import"))
    newer = upload(aws, "roster/new.csv", moved, event_time="2027-02-01T08:00:00.000Z")
    older = upload(
        aws,
        "roster/old.csv",
        ROSTER.replace("Engineering", "Legal"),
        event_time="2027-01-01T08:00:00.000Z",
    )
    handler.handler(newer, context("roster_import"))
    handler.handler(older, context("roster_import"))  # its event comes last
    ada = participants.get(participant_id("ada@acme.example"))
    assert ada is not None and ada.department == "Research"
    [row] = [r for r in results(aws, "old.csv") if r["email"] == "ada@acme.example"]
    assert row["outcome"] == "unchanged" and "a newer roster upload" in row["detail"]


def test_a_file_overwritten_before_its_event_is_left_to_the_newer_upload(aws: Resources) -> None:
    stale = upload(aws, "roster/staff.csv", ROSTER)
    fresh = upload(
        aws,
        "roster/staff.csv",
        ROSTER.replace("Linus Pauling", "Linus Two"),
        event_time="2026-12-01T08:05:00.000Z",
    )
    handler.handler(stale, context("roster_import"))  # the first event, read too late
    assert participants.get(participant_id("linus@acme.example")) is None  # nothing of it applied
    handler.handler(fresh, context("roster_import"))
    linus = participants.get(participant_id("linus@acme.example"))
    assert linus is not None and linus.name == "Linus Two"
    assert {r["outcome"] for r in results(aws, "staff.csv")} == {"created", "rejected"}


def test_an_oversized_file_is_rejected_without_being_read(aws: Resources) -> None:
    event = upload(aws, "roster/huge.csv", ROSTER)
    notification = json.loads(event["Records"][0]["body"])
    notification["Records"][0]["s3"]["object"]["size"] = 50 * 1024 * 1024
    event["Records"][0]["body"] = json.dumps(notification)
    handler.handler(event, context("roster_import"))
    [row] = results(aws, "huge.csv")
    assert "larger than 20 MB" in row["detail"]
    assert participants.get(participant_id("ada@acme.example")) is None


def test_a_signup_during_an_import_keeps_what_the_person_entered(aws: Resources) -> None:
    handler.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    ada = participant_id("ada@acme.example")
    # HR's next roster changes Ada's department and time zone; she signs up just before it lands
    stamp = participants.get(ada)
    assert stamp is not None and stamp.last_import is not None
    changes = {"department": "Research", "timezone": "Asia/Tokyo"}
    participants.save_profile(
        ada,
        {"name": "Ada L.", "timezone": "Europe/Rome", "location": None},
        PurposeProfile.parse("Society", "Karma", "Human"),
        {},
        stamp.last_import.at,
    )
    written = participants.update_from_roster(
        ada, changes, upload="next", at=stamp.last_import.at + timedelta(days=1)
    )
    assert written == ("department",)  # HR's field; her own time zone stays hers
    after = participants.get(ada)
    assert after is not None and (after.department, after.timezone) == ("Research", "Europe/Rome")


def test_a_person_who_joins_while_the_import_runs_keeps_their_signup(
    aws: Resources, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the import reads Ada as absent, and right after that she joins through the open
    # signup and completes it
    ada = participant_id("ada@acme.example")
    answers = {q.id: q.options[0][0].value for q in purpose.QUESTIONS}
    read_before_she_joined = participants.get_many

    def read_then_ada_signs_up(pids: list[str]) -> dict[str, Participant]:
        found = read_before_she_joined(pids)
        details = {
            "email": "ada@acme.example",
            "name": "Ada L.",
            "department": "Research",
            "level": "Manager",
            "timezone": "Europe/Rome",
        }
        selfservice.join(details, tenant, clock.now())
        personal = PersonalDetails(name="Ada L.", timezone="Europe/Rome")
        selfservice.save_profile(ada, personal, answers, clock.now())
        return found

    monkeypatch.setattr(participants, "get_many", read_then_ada_signs_up)
    # When the import creates the people it read as absent
    handler.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    # Then Ada's signup stands: still active, with her answers and her own details
    stored = participants.get(ada)
    assert stored is not None and stored.status is Status.ACTIVE
    assert stored.answers == answers and stored.purpose is not None
    assert (stored.name, stored.timezone, stored.source) == (
        "Ada L.",
        "Europe/Rome",
        Source.OPEN_SIGNUP,
    )
    # and the roster applied to her as to anyone already there: HR's fields, reported updated
    assert stored.department == "Engineering"
    [row] = [r for r in results(aws, "staff.csv") if r["email"] == "ada@acme.example"]
    assert (row["outcome"], row["detail"]) == ("updated", "changed department, manager_email")
    # while the others were created as usual
    assert [r["outcome"] for r in results(aws, "staff.csv")] == [
        "updated",
        "created",
        "created",
        "rejected",
    ]


def test_creating_many_never_replaces_anyone_already_there(aws: Resources) -> None:
    # Given more people than one write request takes, some of whom exist already
    def person(n: int, status: Status = Status.INVITED) -> Participant:
        return Participant(
            email=f"p{n}@acme.example",
            name=f"Person {n}",
            department="Sales",
            level="Manager",
            timezone="UTC",
            status=status,
            source=Source.ROSTER,
        )

    there = [person(n, Status.ACTIVE) for n in (0, 99, 100, 101, 249)]
    assert participants.create_many(there) == set()
    # When they are all created
    taken = participants.create_many(person(n) for n in range(250))
    # Then those already there are reported and untouched, and everyone else exists
    assert taken == {p.id for p in there}
    stored = participants.get_many(person(n).id for n in range(250))
    assert len(stored) == 250
    assert {p.id for p in stored.values() if p.status is Status.ACTIVE} == taken


@pytest.fixture
def info_logs() -> Iterator[list[logging.LogRecord]]:
    """What the handlers log at Powertools' level when the stack sets none, as deployed: INFO."""
    from tandem.lambdas.observability import logger

    records: list[logging.LogRecord] = []
    keep = logging.Handler()
    keep.emit = records.append  # type: ignore[method-assign]
    level = logger.log_level
    logger.setLevel("INFO")
    logger.addHandler(keep)
    yield records
    logger.removeHandler(keep)
    logger.setLevel(level)


def test_an_import_logs_its_counts_at_the_deployed_log_level(
    aws: Resources, info_logs: list[logging.LogRecord]
) -> None:
    event = upload(aws, "roster/january 2027.csv", ROSTER)
    assert handler.handler(event, context("roster_import")) == {"batchItemFailures": []}
    [record] = [r for r in info_logs if r.getMessage() == "roster imported"]
    assert record.outcomes == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
