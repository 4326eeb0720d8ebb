"""Removing a participant's personal data on request, as the runbook does it."""

from __future__ import annotations

import json

import boto3
import pytest

from functions.roster_import import handler as roster_import
from infra.cli import main
from infra.local.aws import Resources
from tandem import mail
from tandem.mail import MailRequest
from tandem.participants import participant_id
from tandem.store import cycles, participants
from tests.integration.support import ROSTER, call_api, context, deliver_mail, results, sent, upload

ADA = participant_id("ada@acme.example")


@pytest.fixture
def ada_matched(aws: Resources) -> None:
    roster_import.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    cycles.save_group("2027-Q1", "Manager", [ADA, participant_id("linus@acme.example")], 20)


def test_erasure_deletes_the_profile_and_keeps_only_pseudonymous_history(
    aws: Resources, ada_matched: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["erase", "--table", aws.table, "--email", "Ada@Acme.example"]) == 0
    assert f"{ADA}: profile deleted" in capsys.readouterr().out
    assert participants.get(ADA) is None
    items = boto3.client("dynamodb").query(
        TableName=aws.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"PARTICIPANT#{ADA}"}},
    )["Items"]
    remaining = json.dumps(items)
    assert (
        "ada@acme.example" not in remaining
        and "Ada Lovelace" not in remaining
        and "Engineering" not in remaining
    )
    assert sorted(item["sk"]["S"] for item in items) == [
        "CYCLE#2027-Q1",
        "ERASED",
    ]  # the quarter still counts


def test_mail_already_queued_for_the_person_is_not_sent(aws: Resources, ada_matched: None) -> None:
    mail.enqueue([MailRequest.invite(ADA)])
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    deliver_mail(aws)
    assert all("ada@acme.example" not in email.to for email in sent())


def test_a_later_roster_does_not_bring_the_person_back(aws: Resources, ada_matched: None) -> None:
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    later = upload(aws, "roster/staff.csv", ROSTER, event_time="2027-02-01T08:00:00.000Z")
    roster_import.handler(later, context("roster_import"))
    [ada] = [r for r in results(aws, "staff.csv") if r["email"] == "ada@acme.example"]
    assert ada["outcome"] == "rejected" and "erased at the person's request" in ada["detail"]
    assert participants.get(ADA) is None


def test_the_person_may_come_back_by_their_own_choice(aws: Resources, ada_matched: None) -> None:
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    form = {
        "email": "ada@acme.example",
        "name": "Ada",
        "department": "Eng",
        "level": "Manager",
        "timezone": "UTC",
    }
    assert call_api("POST", "/join", form)[0] == 200
    assert participants.get(ADA) is not None
    assert participants.erased_among([ADA]) == {}


def test_the_table_is_found_from_the_deployed_stack(
    aws: Resources, capsys: pytest.CaptureFixture[str]
) -> None:
    template = {
        "Resources": {"Alarms": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TableName": {"Value": aws.table}},
    }
    boto3.client("cloudformation").create_stack(
        StackName="Tandem-test", TemplateBody=json.dumps(template)
    )
    assert main(["erase", "--stack", "Tandem-test", "--email", "nobody@acme.example"]) == 0
    assert "no profile found" in capsys.readouterr().out
    assert main(["erase", "--stack", "Tandem-missing", "--email", "x@acme.example"]) == 2
    assert main(["erase", "--table", aws.table, "--email", "not-an-address"]) == 2
