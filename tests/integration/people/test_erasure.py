"""Removing a participant's personal data on request, as the runbook does it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devtools.cli import main
from devtools.local_runtime.aws import Resources
from functions.roster_import import handler
from tandem.model import purpose
from tandem.model.clock import clock
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.participant import participant_id
from tandem.model.plan import Plan, group_key
from tandem.model.purpose import PurposeProfile
from tandem.people import erasure
from tandem.store import feedback_answers, matches, participants, plans, pulse_answers, queues, ses
from tests.integration.support import (
    ROSTER,
    call_api,
    context,
    deliver_mail,
    results,
    sent,
    upload,
)

ADA = participant_id("ada@acme.example")


@pytest.fixture
def ada_matched(aws: Resources) -> None:
    handler.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    matches.save_group(
        "2027-Q1", "Manager", [ADA, participant_id("linus@acme.example")], 20, clock.now()
    )


def test_erasure_deletes_the_profile_and_leaves_history_that_names_no_one(
    aws: Resources, ada_matched: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["erase", "--table", aws.table, "--email", "Ada@Acme.example"]) == 0
    assert f"{ADA}: profile deleted; 1 past quarter(s) moved" in capsys.readouterr().out
    assert participants.get(ADA) is None
    items = boto3.client("dynamodb").scan(TableName=aws.table)["Items"]
    everything = json.dumps(items)
    assert "ada@acme.example" not in everything and "Ada Lovelace" not in everything
    # Her id, a hash of her address, survives only on the marker that keeps rosters away
    holding = [(i["pk"]["S"], i["sk"]["S"]) for i in items if ADA in json.dumps(i)]
    assert holding == [(f"PARTICIPANT#{ADA}", "ERASED")]
    # The quarter still counts: Linus's match is with an anonymous alias
    [group] = matches.groups("2027-Q1")
    [alias] = [m for m in group.members if m != participant_id("linus@acme.example")]
    assert alias.startswith("erased-")
    linus = matches.outcome(participant_id("linus@acme.example"), "2027-Q1")
    assert linus is not None and linus.partners == (alias,)


def test_erasing_again_changes_nothing_more(aws: Resources, ada_matched: None) -> None:
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    before = boto3.client("dynamodb").scan(TableName=aws.table)["Items"]
    assert main(["erase", "--table", aws.table, "--email", "ada@acme.example"]) == 0
    after = boto3.client("dynamodb").scan(TableName=aws.table)["Items"]
    assert len(after) == len(before)


def test_mail_already_queued_for_the_person_is_not_sent(aws: Resources, ada_matched: None) -> None:
    queues.send_mail([MailRequest.invite(ADA)])
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    deliver_mail(aws)
    assert all("ada@acme.example" not in email.to for email in sent())


def test_an_erasure_while_the_kickoff_is_sent_leaves_nothing_under_the_id(
    aws: Resources, ada_matched: None
) -> None:
    # Given Ada and Linus signed up, and her kickoff is on its way
    personal = {"name": "Someone", "timezone": "UTC", "location": None}
    profile = PurposeProfile.parse("Society", "Karma", "Human")
    for pid in (ADA, participant_id("linus@acme.example")):
        participants.save_profile(pid, personal, profile, {}, clock.now())
    deliver_mail(aws)  # the roster's invitations
    queues.send_mail([MailRequest.about_cycle(MailKind.KICKOFF, ADA, "2027-Q1")])

    # When she is erased while SES sends it, before the mailer notes it was sent
    def erase_ada(**_: Any) -> None:
        erasure.erase("ada@acme.example", clock.now())

    hooks = ses._ses().meta.events
    hooks.register_first("before-send.ses.SendRawEmail", erase_ada, unique_id="test-erase")
    try:
        assert deliver_mail(aws) == {"batchItemFailures": []}
    finally:
        hooks.unregister("before-send.ses.SendRawEmail", unique_id="test-erase")
    # Then the email went out, and the note of it did not bring back an item under her id
    kickoff = sent()[-1]
    assert kickoff.to == ["ada@acme.example"] and "you are matched with" in kickoff.text
    items = boto3.client("dynamodb").scan(TableName=aws.table)["Items"]
    holding = [(i["pk"]["S"], i["sk"]["S"]) for i in items if ADA in json.dumps(i)]
    assert holding == [(f"PARTICIPANT#{ADA}", "ERASED")]
    assert matches.outcome(ADA, "2027-Q1") is None


def test_a_later_roster_does_not_bring_the_person_back(aws: Resources, ada_matched: None) -> None:
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    later = upload(aws, "roster/staff.csv", ROSTER, event_time="2027-02-01T08:00:00.000Z")
    handler.handler(later, context("roster_import"))
    [ada] = [r for r in results(aws, "staff.csv") if r["email"] == "ada@acme.example"]
    assert ada["outcome"] == "rejected" and "erased at the person's request" in ada["detail"]
    assert participants.get(ADA) is None


def test_only_the_person_can_lift_the_erasure_by_signing_up_again(
    aws: Resources, ada_matched: None
) -> None:
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    # Anyone may type Ada's address into the open signup: that alone lifts nothing
    form = {
        "email": "ada@acme.example",
        "name": "Not Ada",
        "department": "Eng",
        "level": "Manager",
        "timezone": "UTC",
    }
    assert call_api("POST", "/join", form)[0] == 200
    assert ADA in participants.erased_among([ADA])
    # Ada herself, from the invitation that went to her address, signs up: she is back
    deliver_mail(aws)
    invitation = next(e for e in sent() if e.to == ["ada@acme.example"])
    answers = {q.id: q.options[0][0].value for q in purpose.QUESTIONS}
    assert (
        call_api("POST", invitation.link("signup"), {"name": "Ada", "timezone": "UTC", **answers})[
            0
        ]
        == 200
    )
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


def test_answers_and_pulse_move_with_the_group_and_lose_the_persons_words(
    aws: Resources, ada_matched: None
) -> None:
    linus = participant_id("linus@acme.example")
    [group] = matches.groups("2027-Q1")
    now = clock.now()
    plans.to_item(
        Plan("2027-Q1", group_key(group.members), "Manager", group.members, now), due=None
    ).save()
    for pid, words in ((ADA, "Ada's secret pledge"), (linus, "Linus's pledge")):
        answer = {"held": "yes", "helpfulness": 4, "pledge": words, "note": f"{words} note"}
        feedback_answers.save("2027-Q1", group_key(group.members), 1, pid, answer, 0, now)
        pulse_answers.save("2027-Q1", pid, 4, "yes", f"{words} comment", 0, now)
    pulse_answers.mark_told("2027-Q1", ADA, linus, now)

    erasure.erase("ada@acme.example", now)

    everything = json.dumps(boto3.client("dynamodb").scan(TableName=aws.table)["Items"])
    assert ADA not in everything.replace(f"PARTICIPANT#{ADA}", "")  # only the marker
    assert "Ada's secret pledge" not in everything
    [renamed] = matches.groups("2027-Q1")
    answers = {
        f.participant: f for f in feedback_answers.of_group("2027-Q1", group_key(renamed.members))
    }
    [alias] = [m for m in renamed.members if m != linus]
    assert answers[linus].pledge == "Linus's pledge"  # the partner's own words stay his
    assert answers[alias].held == "yes" and answers[alias].helpfulness == 4  # still counts
    assert answers[alias].pledge == "(erased)" and answers[alias].note == ""
    pulses = {p.participant: p for p in pulse_answers.of_cycle("2027-Q1")}
    assert pulses[alias].ongoing == "yes" and pulses[alias].comment == ""
    assert pulse_answers.told("2027-Q1", alias, linus)
