"""Bounces and complaints: SES's notifications (through SNS and the mail-events queue) stop mail
to the address and tell the person's partner while their conversations are ahead."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from devtools.local_runtime import events
from devtools.local_runtime.aws import Resources
from functions.mail_events import handler
from tandem.model.clock import clock
from tandem.model.participant import MailBlock, Participant
from tandem.store import participants
from tests.integration.support import (
    context,
    deliver_mail,
    kickoff,
    load_event,
    notification,
    of_kind,
    pick_first_slot,
    queued,
    reminders,
    sent,
)


@pytest.fixture
def picked(aws: Resources, pair: list[Participant]) -> list[Participant]:
    """The pair, with their slot picked (Tuesdays from 12 October)."""
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    return pair


def handle(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = handler.handler(event, context("mail_events"))
    return result


def test_a_permanent_bounce_stops_the_persons_mail_and_tells_the_partner_once(
    aws: Resources, picked: list[Participant], caplog: pytest.LogCaptureFixture
) -> None:
    _, gus = picked
    # Given Gus's address bounces for good
    event = notification("ses_bounce.json", "Gus@acme.example")
    assert handle(event) == {"batchItemFailures": []}
    # Then Gus is marked, and Flo is told, once however often SNS or SQS deliver it
    marked = participants.get(gus.id)
    assert marked is not None and marked.mail_blocked is MailBlock.BOUNCED
    assert handle(event) == {"batchItemFailures": []}
    deliver_mail(aws)
    [told] = of_kind("partner_unreachable")
    assert told.to == ["flo@acme.example"] and "Our emails no longer reach Gus" in told.subject
    assert "Tuesday 12 October 2027" in told.text  # the sessions still in the calendar
    assert told.reply_to == ["hana@acme.example"]  # "the program leads will help", not Gus
    assert "@acme.example" not in caplog.text
    # And the reminders before the first session reach Flo only
    reminders("2027-10-11T16:00:00Z")
    deliver_mail(aws)
    assert [e.to for e in of_kind("before_session")] == [["flo@acme.example"]]


def test_a_complaint_stops_the_mail_too(aws: Resources, picked: list[Participant]) -> None:
    flo, _ = picked
    assert handle(notification("ses_complaint.json", flo.email)) == {"batchItemFailures": []}
    marked = participants.get(flo.id)
    assert marked is not None and marked.mail_blocked is MailBlock.COMPLAINED
    deliver_mail(aws)
    assert [e.to for e in of_kind("partner_unreachable")] == [["gus@acme.example"]]


def test_a_transient_bounce_changes_nothing(aws: Resources, picked: list[Participant]) -> None:
    flo, _ = picked
    transient = notification("ses_bounce.json", flo.email, bounce={"bounceType": "Transient"})
    assert handle(transient) == {"batchItemFailures": []}
    marked = participants.get(flo.id)
    assert marked is not None and marked.mail_blocked is None
    assert queued(aws, "mail") == []


def test_after_the_last_session_the_partner_is_not_told(
    aws: Resources, picked: list[Participant]
) -> None:
    _, gus = picked
    clock.set(datetime(2027, 12, 31, 12, tzinfo=UTC))
    handle(notification("ses_bounce.json", gus.email))
    marked = participants.get(gus.id)
    assert marked is not None and marked.mail_blocked is MailBlock.BOUNCED
    assert queued(aws, "mail") == []


def test_an_address_nobody_has_is_acknowledged(aws: Resources) -> None:
    assert handle(notification("ses_bounce.json", "stranger@acme.example")) == {
        "batchItemFailures": []
    }
    assert sent() == []


def test_the_local_runtime_builds_the_notification_the_samples_show() -> None:
    at = datetime(2027, 1, 12, 9, tzinfo=UTC)
    for sample, kind in (("ses_bounce.json", "Bounce"), ("ses_complaint.json", "Complaint")):
        real = json.loads(load_event(sample)["Records"][0]["body"])
        local = json.loads(
            events.ses_notification(kind, "a@b.example", at, "tandem-test", "c@b.example")
        )
        assert set(local) == set(real)
        assert local["detail-type"] == real["detail-type"]
        real_event, local_event = real["detail"], local["detail"]
        assert set(local_event) == set(real_event)
        key = kind.lower()
        assert set(local_event[key]) == set(real_event[key])
