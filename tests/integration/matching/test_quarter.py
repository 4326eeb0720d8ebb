"""The quarter under moto: the daily schedule's notice and preview, the band jobs, the stored
groups and the kickoff emails; and what repeated or concurrent deliveries do."""

from __future__ import annotations

import copy
import csv
import io
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email import message_from_string
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from moto.ses.models import ses_backends

from devtools.local_runtime import events
from devtools.local_runtime.aws import Resources
from functions.match_band import handler
from tandem.matching import band as bands
from tandem.matching import daily as cycles_domain
from tandem.model.clock import clock
from tandem.model.jobs import BandJob
from tandem.model.participant import MailBlock, Participant, Status, participant_id
from tandem.people import selfservice
from tandem.store import matches, participants, settings
from tests.integration.support import (
    call_api,
    context,
    daily,
    deliver_mail,
    load_event,
    person,
    queued,
    run_band_jobs,
    sent,
)

NOTICE_DAY = "2027-01-04T09:00:00Z"  # a week before 2027-Q1 starts (Monday 11 January, 09:00 Paris)
START = "2027-01-11T08:00:00Z"
TO = "\N{EN DASH}"  # as pages write a range of hours


@pytest.fixture
def company(aws: Resources) -> list[Participant]:
    people = [
        person("Ada", "Engineering"),
        person("Bo", "Sales"),
        person("Cy", "Finance"),
        person("Di", "People"),
        person("Ed", "Legal"),
        person("Flo", "Engineering", "Director"),
        person("Gus", "Sales", "Director"),
        person("Hal", "Sales", status=Status.INVITED),
        person("Ivy", "Finance", paused_cycles=frozenset({"2027-Q1"})),
    ]
    participants.create_many(people)
    return people


def preview(aws: Resources, cycle: str) -> list[dict[str, str]]:
    body = boto3.client("s3").get_object(Bucket=aws.bucket, Key=f"matching/preview-{cycle}.csv")[
        "Body"
    ]
    return list(csv.DictReader(io.StringIO(body.read().decode("utf-8-sig"))))


def test_nothing_is_due_before_the_notice(company: list[Participant], aws: Resources) -> None:
    assert daily("2026-12-20T08:00:00Z") == {}
    assert queued(aws, "mail") == [] and queued(aws, "bands") == []


def test_a_week_ahead_the_matched_are_told_and_hr_gets_a_preview(
    company: list[Participant], aws: Resources
) -> None:
    report = daily(NOTICE_DAY)
    assert report == {
        "notice": {"cycle": "2027-Q1", "notified": 7, "preview": "matching/preview-2027-Q1.csv"}
    }
    statuses = {row["name"]: row["status"] for row in preview(aws, "2027-Q1")}
    assert statuses["Hal Example"] == "not signed up yet"
    assert statuses["Ivy Example"] == "paused this quarter"
    assert statuses["Ada Example"] == "to be matched"
    deliver_mail(aws)
    notices = sent()
    assert len(notices) == 7
    assert notices[0].subject == "New peer coaching partners on Monday 11 January 2027"
    assert any("/pause/" in link for link in notices[0].links)
    # The schedule delivered again the same day, or the next: nothing more
    assert daily(NOTICE_DAY) == {} and daily("2027-01-05T08:00:00Z") == {}
    deliver_mail(aws)
    assert len(sent()) == 7


def test_someone_mail_cannot_reach_is_not_matched_and_hr_sees_why(
    company: list[Participant], aws: Resources
) -> None:
    # A partner who never gets the kickoff would leave the other waiting all quarter.
    ada = company[0]
    participants.block_mail(ada.id, MailBlock.BOUNCED, clock.now())
    assert daily(NOTICE_DAY)["notice"]["notified"] == 6
    statuses = {row["name"]: row["status"] for row in preview(aws, "2027-Q1")}
    assert statuses["Ada Example"] == "email does not reach them: not matched"
    daily(START)
    run_band_jobs(aws)
    assert ada.id not in {m for g in matches.groups("2027-Q1") for m in g.members}
    assert ada.id not in {pid for pid, _, _ in matches.unmatched("2027-Q1")}


def test_at_the_start_one_job_per_band_is_queued_once(
    company: list[Participant], aws: Resources
) -> None:
    daily(NOTICE_DAY)
    assert daily(START) == {"matching": {"cycle": "2027-Q1", "bands": ["Manager", "Director"]}}
    assert daily(START) == {}  # a duplicate delivery of the schedule
    assert sorted(job["band"] for job in run_band_jobs(aws)) == ["Director", "Manager"]


def test_a_missed_start_is_caught_up_but_not_forever(
    company: list[Participant], aws: Resources
) -> None:
    assert "matching" in daily("2027-01-20T08:00:00Z")  # nine days late: still this quarter's arc
    assert "matching" not in daily("2027-04-01T08:00:00Z")  # months late: wait for the next one


def test_band_jobs_group_everyone_available_and_greet_them(
    company: list[Participant], aws: Resources
) -> None:
    daily(START)
    run_band_jobs(aws)
    groups = list(matches.groups("2027-Q1"))
    grouped = sorted(m for g in groups for m in g.members)
    available = [p for p in company if p.status is Status.ACTIVE and not p.paused_cycles]
    assert grouped == sorted(p.id for p in available)  # 5 managers: a pair and a trio
    assert sorted(len(g.members) for g in groups) == [2, 2, 3]
    by_id = {p.id: p for p in company}
    for group in groups:
        assert len({by_id[m].department for m in group.members}) == len(group.members)
        assert len({by_id[m].level for m in group.members}) == 1

    deliver_mail(aws)
    kickoffs = [e for e in sent() if e.subject.startswith("Meet your peer coaching partner")]
    assert len(kickoffs) == len(available)
    flo = next(e for e in kickoffs if e.to == ["flo@acme.example"])
    assert flo.subject == "Meet your peer coaching partner: Gus"
    assert (
        "Gus Example" in flo.text
        and "Director, Sales" in flo.text
        and "Society, Karma, Human" in flo.text
    )
    assert "Monday 11 January 2027" in flo.text and "Monday 8 March 2027" in flo.text


def test_kickoff_replies_go_to_the_partner(company: list[Participant], aws: Resources) -> None:
    daily(START)
    run_band_jobs(aws)
    deliver_mail(aws)
    raw = next(
        m for m in ses_backends["123456789012"]["eu-west-1"].sent_messages if "flo@" in m.raw_data
    )
    assert message_from_string(raw.raw_data)["Reply-To"] == "Gus Example <gus@acme.example>"
    html = next(e.html for e in sent() if e.to == ["flo@acme.example"])
    assert "A reply reaches Gus Example." in html  # the footer says so
    assert "2027.\nEach conversation" in html  # the week list ends its sentence, not the next


def test_a_redelivered_band_job_creates_nothing_new(
    company: list[Participant], aws: Resources
) -> None:
    daily(START)
    [job] = [m for m in queued(aws, "bands") if '"Manager"' in m["Body"]]
    event = copy.deepcopy(load_event("band_job.json"))
    event["Records"][0]["body"] = job["Body"]
    handler.handler(event, context("match_band"))
    first = sorted(g.members for g in matches.groups("2027-Q1"))
    deliver_mail(aws)
    mails = len(sent())
    event["Records"][0]["messageId"] = "redelivered"
    handler.handler(event, context("match_band"))  # within the idempotency window
    # and again after the idempotency window, straight to the band job
    bands.match_band(settings.tenant(), BandJob(cycle="2027-Q1", band="Manager"), clock.now())
    assert sorted(g.members for g in matches.groups("2027-Q1")) == first
    deliver_mail(aws)
    assert len(sent()) == mails


@pytest.fixture
def slow_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    """Band matching takes a second, so two deliveries of one job overlap."""
    original: Callable[..., dict[str, Any]] = bands.match_band

    def slow(*args: Any) -> dict[str, Any]:
        time.sleep(1)
        return original(*args)

    monkeypatch.setattr(bands, "match_band", slow)


def test_concurrent_deliveries_of_a_band_job_match_once(
    company: list[Participant], aws: Resources, slow_matching: None
) -> None:
    # Two Lambda instances get the same job at once (threads here; the handler's batch
    # processor is per instance, so each thread runs the idempotent job function itself).
    job = BandJob(cycle="2027-Q1", band="Manager")
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            handler.match_once(job=job)
            outcomes.append("matched")
        except IdempotencyAlreadyInProgressError:  # its record fails; SQS retries it later
            outcomes.append("retry later")

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["matched", "retry later"]
    members = [m for g in matches.groups("2027-Q1") for m in g.members]
    assert len(members) == len(set(members)) == 5
    # The retry, once the first is done, gets the recorded report and changes nothing
    assert handler.match_once(job=job)["groups"] == 2
    assert len([m for g in matches.groups("2027-Q1") for m in g.members]) == 5


def test_nobody_is_ever_stored_in_two_groups_of_a_cycle(aws: Resources) -> None:
    nudge = datetime.fromisoformat(START)
    assert matches.save_group("2027-Q1", "Manager", ["a", "b"], 10, nudge)
    assert not matches.save_group("2027-Q1", "Manager", ["a", "b"], 10, nudge)  # the same, again
    assert not matches.save_group("2027-Q1", "Manager", ["b", "c"], 12, nudge)  # b is taken
    assert not matches.save_unmatched("2027-Q1", "Manager", "a", "odd number")
    assert [g.members for g in matches.groups("2027-Q1")] == [("a", "b")]
    assert matches.outcome("c", "2027-Q1") is None


def test_the_next_quarter_brings_new_partners(aws: Resources) -> None:
    # Four managers in four departments: three quarters can pair everyone anew
    people = [
        person(n, d)
        for n, d in (("Ada", "Eng"), ("Bo", "Sales"), ("Cy", "Finance"), ("Di", "Legal"))
    ]
    participants.create_many(people)
    seen: set[frozenset[str]] = set()
    for start in (START, "2027-04-12T07:00:00Z", "2027-07-12T07:00:00Z"):
        daily(start)
        run_band_jobs(aws)
        cycle = "2027-Q" + str(1 + ["01", "04", "07"].index(start[5:7]))
        pairs = {frozenset(g.members) for g in matches.groups(cycle)}
        assert len(pairs) == 2 and not pairs & seen
        seen |= pairs


def test_a_paused_managers_own_manager_is_still_in_the_reporting_line(aws: Resources) -> None:
    # Gus (Director) manages Mo, who manages Ada; Mo pauses, and Ada and Gus share a band
    gus = person("Gus", "Sales", "Manager")
    mo = person(
        "Mo", "Ops", "Director", manager_email=gus.email, paused_cycles=frozenset({"2027-Q1"})
    )
    ada = person("Ada", "Engineering", "Manager", manager_email=mo.email)
    participants.create_many([gus, mo, ada])
    daily(START)
    run_band_jobs(aws)
    assert list(matches.groups("2027-Q1")) == []
    reasons = {pid: reason for pid, _, reason in matches.unmatched("2027-Q1")}
    assert (
        reasons[ada.id] == "everyone at your level in another department is in your reporting line"
    )
    deliver_mail(aws)
    [told] = [e for e in sent() if e.to == ["ada@acme.example"]]
    assert told.subject == "No peer coaching partner this quarter"
    assert "reporting line" in told.text and "priority next quarter" in told.text
    assert participant_id(gus.email) in reasons


def test_the_schedule_reads_its_own_time_not_the_wall_clock(
    company: list[Participant], aws: Resources
) -> None:
    clock.set(datetime.fromisoformat("2030-01-01T00:00:00+00:00"))
    assert daily(NOTICE_DAY)["notice"]["cycle"] == "2027-Q1"


def test_a_rerun_long_after_sends_no_kickoff_twice(
    company: list[Participant], aws: Resources
) -> None:
    daily(START)
    run_band_jobs(aws)
    deliver_mail(aws)
    sent_before = len(sent())
    # Months later, after the mail idempotency records expired, HR re-runs the band
    idempotency = boto3.resource("dynamodb").Table(aws.idempotency_table)
    for item in idempotency.scan()["Items"]:
        idempotency.delete_item(Key={"id": item["id"]})
    bands.match_band(settings.tenant(), BandJob(cycle="2027-Q1", band="Manager"), clock.now())
    deliver_mail(aws)
    assert len(sent()) == sent_before


def test_a_partner_who_left_before_the_kickoff_is_not_introduced_and_the_other_is_told(
    company: list[Participant], aws: Resources
) -> None:
    daily(START)
    run_band_jobs(aws)
    flo, gus = (participant_id(f"{n}@acme.example") for n in ("flo", "gus"))
    selfservice.leave(gus, settings.tenant(), datetime.fromisoformat(START))
    deliver_mail(aws)
    [told] = [e for e in sent() if e.to == ["flo@acme.example"]]
    assert told.kind == "partner_left" and "priority next quarter" in told.text
    assert matches.outcome(flo, "2027-Q1") is not None
    assert flo in {pid for pid, _, _ in matches.unmatched("2027-Q1")}  # first in line next time


def schedule_link(aws: Resources, address: str) -> str:
    """Starts the quarter and returns the schedule link of `address`'s kickoff, opened a day
    later."""
    daily(START)
    run_band_jobs(aws)
    deliver_mail(aws)
    kickoff = next(e for e in sent() if e.to == [address])
    clock.set(datetime.fromisoformat("2027-01-12T10:00:00Z"))
    return kickoff.link("schedule")


def test_without_a_partner_the_schedule_link_says_so(
    company: list[Participant], aws: Resources
) -> None:
    link = schedule_link(aws, "flo@acme.example")
    status, page = call_api("GET", link)
    assert status == 200 and "Gus Example" in page
    participants.leave(participant_id("gus@acme.example"), datetime.fromisoformat(START))
    status, page = call_api("GET", link)
    assert status == 404 and "No partner this quarter" in page and "Gus" not in page


def overdue(at: str) -> bool:
    return cycles_domain.matching_overdue(settings.tenant(), datetime.fromisoformat(at))


def test_matching_is_overdue_from_a_day_after_the_start_until_every_band_is_matched(
    company: list[Participant], aws: Resources
) -> None:
    daily(START)
    assert not overdue("2027-01-11T20:00:00Z")  # the band jobs still have the day
    # A day later only one band is matched: the other job failed (it waits in the DLQ)
    manager_job = next(j for j in queued(aws, "bands") if '"Manager"' in j["Body"])
    handler.handler(
        events.sqs_event("arn:aws:sqs:eu-west-1:1:bands", [manager_job]), context("match_band")
    )
    assert overdue("2027-01-12T09:00:00Z")
    # until the runbook's re-run matches it
    bands.match_band(settings.tenant(), BandJob(cycle="2027-Q1", band="Director"), clock.now())
    assert not overdue("2027-01-12T10:00:00Z")


def test_while_matching_is_overdue_each_daily_run_logs_the_error_that_rings_the_alarm(
    company: list[Participant], aws: Resources, caplog: pytest.LogCaptureFixture
) -> None:
    def errors_logged() -> list[str]:
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        caplog.clear()
        return errors

    daily(START)
    assert errors_logged() == []  # the band jobs still have the day
    daily("2027-01-12T09:00:00Z")  # none has run
    assert errors_logged() == ["matching overdue"]
    daily("2027-01-13T09:00:00Z")  # and again, every day, until
    assert errors_logged() == ["matching overdue"]
    run_band_jobs(aws)
    daily("2027-01-14T09:00:00Z")
    assert errors_logged() == []


def test_a_quarter_that_was_never_due_is_not_overdue(aws: Resources) -> None:
    # A tenant deployed a month into the quarter starts with the next one
    assert "matching" not in daily("2027-02-11T08:00:00Z")
    assert not overdue("2027-02-11T08:00:00Z")
