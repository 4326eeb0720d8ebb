"""Removing a participant's personal data on request, as the runbook does it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import boto3
import pytest

from devtools.cli import main
from devtools.local_runtime.aws import Resources
from functions.roster_import import handler
from tandem.conversations import sessions
from tandem.model import calendar
from tandem.model.clock import clock
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.participant import participant_id
from tandem.model.plan import Plan, group_key
from tandem.model.purpose import PurposeProfile
from tandem.people import erasure, selfservice
from tandem.store import (
    feedback_answers,
    matches,
    participants,
    plans,
    pulse_answers,
    queues,
    ses,
    settings,
)
from tests.integration.support import (
    ROSTER,
    call_api,
    context,
    deliver_mail,
    matched,
    person,
    results,
    run_band_jobs,
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
    assert f"{ADA}: profile deleted; 1 quarter(s) moved" in capsys.readouterr().out
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


def test_the_open_signup_never_brings_an_erased_person_back(
    aws: Resources, ada_matched: None
) -> None:
    main(["erase", "--table", aws.table, "--email", "ada@acme.example"])
    deliver_mail(aws)
    before = len(sent())
    form = {
        "email": "ada@acme.example",
        "name": "Ada Again",
        "department": "Eng",
        "level": "Manager",
        "timezone": "UTC",
    }
    # The same answer as for anyone, and nothing created or sent
    status, page = call_api("POST", "/join", form)
    assert status == 200 and "Check your inbox" in page
    assert participants.get(ADA) is None
    deliver_mail(aws)
    assert len(sent()) == before


def test_the_table_is_found_from_the_deployed_stack(
    aws: Resources, capsys: pytest.CaptureFixture[str]
) -> None:
    template = {
        "Resources": {"Alarms": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TableName": {"Value": aws.table}, "BucketName": {"Value": aws.bucket}},
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


def holding(aws: Resources, pid: str) -> list[tuple[str, str]]:
    """The keys of every item that names the id anywhere (by a scan, as a test may)."""
    items = boto3.client("dynamodb").scan(TableName=aws.table, ConsistentRead=True)["Items"]
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in items if pid in json.dumps(i))


def only_the_marker(aws: Resources, pid: str) -> None:
    assert holding(aws, pid) == [(f"PARTICIPANT#{pid}", "ERASED")]


def words_left(aws: Resources, *words: str) -> list[str]:
    everything = json.dumps(boto3.client("dynamodb").scan(TableName=aws.table)["Items"])
    return [w for w in words if w in everything]


QUARTER = "2027-Q4"
PEOPLE = [
    person("Ada", "Engineering"),
    person("Bo", "Sales"),
    person("Cy", "Finance"),
    person("Di", "People"),
]


@pytest.fixture
def rematched(aws: Resources) -> tuple[str, str]:
    """Four people paired as 2027-Q4 starts; one of each pair leaves, and the two left alone
    are paired for the rest of the quarter. Each of those two has said something in both
    groups. Returns the two re-matched ids."""
    matched(aws, PEOPLE)
    tenant = settings.tenant()
    clock.set(datetime(2027, 10, 19, 9, tzinfo=UTC))
    first = list(matches.groups(QUARTER))
    for group in first:
        selfservice.leave(group.members[1], tenant, clock.now())
    alone = [group.members[0] for group in first]
    for pid in alone:
        answer = {"held": "yes", "helpfulness": 4, "pledge": f"old pledge of {pid}", "note": "n"}
        feedback_answers.save(QUARTER, _group_of(pid), 1, pid, answer, 0, clock.now())
        found = participants.get(pid)
        assert found is not None
        sessions.ask_rematch(found, calendar.cycle(tenant, QUARTER), clock.now())
    run_band_jobs(aws)
    new_group = _group_of(alone[0])
    assert new_group == _group_of(alone[1])  # paired again, together
    for pid in alone:
        answer = {"held": "yes", "helpfulness": 5, "pledge": f"new pledge of {pid}"}
        feedback_answers.save(QUARTER, new_group, 2, pid, answer, 0, clock.now())
        pulse_answers.save(QUARTER, pid, 4, "yes", f"comment of {pid}", 0, clock.now())
    pulse_answers.mark_told(QUARTER, alone[0], alone[1], clock.now())
    return alone[0], alone[1]


def _group_of(pid: str) -> str:
    outcome = matches.outcome(pid, QUARTER)
    assert outcome is not None and outcome.group is not None
    return outcome.group


@pytest.mark.parametrize("erased", [0, 1])
def test_erasing_someone_re_matched_in_a_quarter_renames_both_groups(
    aws: Resources, rematched: tuple[str, str], erased: int
) -> None:
    pid, partner = rematched[erased], rematched[1 - erased]
    [address] = [p.email for p in PEOPLE if p.id == pid]
    assert main(["erase", "--table", aws.table, "--email", address]) == 0
    only_the_marker(aws, pid)
    assert (
        words_left(aws, f"old pledge of {pid}", f"new pledge of {pid}", f"comment of {pid}") == []
    )
    # The partner's quarter is the new group, renamed, with its plan and their own words
    group = _group_of(partner)
    plan = plans.get(QUARTER, group)
    assert plan is not None and partner in plan.active and len(plan.members) == 2
    mine = {f.participant: f for f in feedback_answers.of_group(QUARTER, group) if f.session == 2}
    assert mine[partner].pledge == f"new pledge of {partner}"
    [alias] = [m for m in plan.members if m != partner]
    assert mine[alias].pledge == "(erased)" and alias.startswith("erased-")
    assert pulse_answers.told(QUARTER, alias, partner)
    # The first group still counts, under the same alias
    assert sum(alias in g.members for g in matches.groups(QUARTER)) == 2


def test_erasing_one_of_a_trio_renames_them_for_both_partners(aws: Resources) -> None:
    participants.create_many(PEOPLE[:3])
    trio = [p.id for p in PEOPLE[:3]]
    matches.save_group(QUARTER, "Manager", trio, 30, clock.now())
    group = group_key(trio)
    for pid in trio:
        answer = {"held": "yes", "helpfulness": 3, "pledge": f"pledge of {pid}"}
        feedback_answers.save(QUARTER, group, 1, pid, answer, 0, clock.now())
    assert main(["erase", "--table", aws.table, "--email", PEOPLE[1].email]) == 0
    only_the_marker(aws, trio[1])
    [renamed] = matches.groups(QUARTER)
    alias = renamed.members[1]
    assert renamed.members == (trio[0], alias, trio[2])
    for pid in (trio[0], trio[2]):
        outcome = matches.outcome(pid, QUARTER)
        assert outcome is not None and outcome.group == group_key(renamed.members)
        assert alias in outcome.partners
    answers = feedback_answers.of_group(QUARTER, group_key(renamed.members))
    assert sorted(str(f.pledge) for f in answers) == sorted(
        ["(erased)", f"pledge of {trio[0]}", f"pledge of {trio[2]}"]
    )


def test_erasing_someone_waiting_for_a_new_partner_drops_the_request(
    aws: Resources,
) -> None:
    matched(aws, PEOPLE[:2])
    tenant = settings.tenant()
    clock.set(datetime(2027, 10, 19, 9, tzinfo=UTC))
    selfservice.leave(PEOPLE[1].id, tenant, clock.now())
    ada = participants.get(PEOPLE[0].id)
    assert ada is not None
    sessions.ask_rematch(ada, calendar.cycle(tenant, QUARTER), clock.now())
    assert matches.rematch_pool(QUARTER, "Manager") == [ada.id]
    assert main(["erase", "--table", aws.table, "--email", ada.email]) == 0
    only_the_marker(aws, ada.id)
    assert matches.rematch_pool(QUARTER, "Manager") == []
    run_band_jobs(aws)  # the band job the request queued finds nobody to pair
    only_the_marker(aws, ada.id)


def test_mail_queued_for_the_person_brings_nothing_back(aws: Resources, ada_matched: None) -> None:
    [group] = matches.groups("2027-Q1")
    queues.send_mail(
        [
            MailRequest.invite(ADA),
            MailRequest.about_cycle(MailKind.KICKOFF, ADA, "2027-Q1"),
            MailRequest.fresh_links(ADA, clock.now()),
        ]
    )
    assert main(["erase", "--table", aws.table, "--email", "ada@acme.example"]) == 0
    deliver_mail(aws)
    only_the_marker(aws, ADA)
    assert all("ada@acme.example" not in email.to for email in sent())
    assert ADA not in group_key(next(iter(matches.groups("2027-Q1"))).members)
    assert group.members  # (the group was there to rename)


def test_the_erasure_fails_loudly_when_something_still_names_the_person(
    aws: Resources, ada_matched: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with mock.patch.object(plans, "rewrite_naming"):  # as if the plans' key shape were forgotten
        assert main(["erase", "--table", aws.table, "--email", "ada@acme.example"]) == 1
    refused = capsys.readouterr().err
    assert "still name the person" in refused and f"CYCLE#2027-Q1 / PLAN#{ADA}" in refused
    # Run again, it finishes the same work under the same alias
    assert main(["erase", "--table", aws.table, "--email", "ada@acme.example"]) == 0
    only_the_marker(aws, ADA)
    [group] = matches.groups("2027-Q1")
    assert plans.get("2027-Q1", group_key(group.members)) is not None


def test_the_erasure_lists_the_files_in_the_bucket_that_name_the_address(
    aws: Resources, ada_matched: None, capsys: pytest.CaptureFixture[str]
) -> None:
    erase = ["erase", "--table", aws.table, "--bucket", aws.bucket]
    assert main([*erase, "--email", "ada@acme.example"]) == 0
    out = capsys.readouterr().out
    assert "roster/staff.csv" in out and "roster/results/staff.csv" in out
    assert main([*erase, "--email", "nobody@acme.example"]) == 0
    assert "No file in the bucket names the address" in capsys.readouterr().out


def test_a_roster_import_racing_the_erasure_does_not_bring_the_person_back(
    aws: Resources,
) -> None:
    event = upload(aws, "roster/staff.csv", ROSTER)
    create_many = participants.create_many

    def erased_meanwhile(people: Any) -> set[str]:
        # The import has read Ada as absent and not erased; she asks to be erased now
        erasure.erase("ada@acme.example", clock.now())
        return create_many(people)

    with mock.patch.object(participants, "create_many", erased_meanwhile):
        handler.handler(event, context("roster_import"))
    assert participants.get(ADA) is None
    [ada] = [r for r in results(aws, "staff.csv") if r["email"] == "ada@acme.example"]
    assert ada["outcome"] == "rejected" and "erased at the person's request" in ada["detail"]
    deliver_mail(aws)
    assert all("ada@acme.example" not in email.to for email in sent())
