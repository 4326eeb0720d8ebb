"""The mailer: every email goes through the queue, is sent once, and retried when SES fails."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import EndpointConnectionError

from devtools.local_runtime import events
from devtools.local_runtime.aws import SES_MAX_SEND_RATE, Resources
from functions.mailer import handler
from infra import wiring
from tandem.model import mail_request
from tandem.model.clock import clock
from tandem.model.mail_request import MailRequest
from tandem.model.participant import MailBlock, Participant, Source, Status
from tandem.store import participants, queues, ses
from tests.integration.support import context, deliver_mail, queued, sent, ses_error
from tests.support.faults import TIMEOUT, Faults, inject

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:tandem-test-mail"


@pytest.fixture
def ada(aws: Resources) -> Participant:
    person = Participant(
        email="ada@acme.example",
        name="Ada Lovelace",
        department="Engineering",
        level="Manager",
        timezone="Europe/London",
        status=Status.INVITED,
        source=Source.ROSTER,
        invited_at=clock.now(),
    )
    participants.create_many([person])
    return person


def test_a_redelivered_message_is_not_sent_twice(aws: Resources, ada: Participant) -> None:
    queues.send_mail([MailRequest.invite(ada.id)])
    messages = queued(aws, "mail")
    event = events.sqs_event(QUEUE_ARN, messages)
    assert handler.handler(event, context("mailer")) == {"batchItemFailures": []}
    # SQS delivers the same message again (e.g. the visibility timeout ran out first)
    assert handler.handler(event, context("mailer")) == {"batchItemFailures": []}
    assert [email.to for email in sent()] == [["ada@acme.example"]]


def test_the_same_intent_queued_twice_is_sent_once(aws: Resources, ada: Participant) -> None:
    queues.send_mail([MailRequest.invite(ada.id), MailRequest.invite(ada.id)])
    deliver_mail(aws)
    assert len(sent()) == 1


def test_mail_that_no_longer_applies_is_dropped_not_retried(
    aws: Resources, ada: Participant
) -> None:
    participants.leave(ada.id, clock.now())
    queues.send_mail([MailRequest.invite(ada.id), MailRequest.welcome("nobody-with-this-id")])
    assert deliver_mail(aws) == {"batchItemFailures": []}
    assert sent() == []


@pytest.fixture
def ses_unreachable_for() -> Iterator[set[str]]:
    """SES cannot be reached for sends to the addresses in the returned set. The hook runs first
    and raises, so the SDK's own retries run and the embedded SES never sees the request."""
    refused: set[str] = set()

    def refuse(request: Any, **_: Any) -> None:
        message = base64.b64decode(parse_qs(request.body)["RawMessage.Data"][0]).decode()
        if any(f"<{address}>" in message for address in refused):
            raise EndpointConnectionError(endpoint_url=request.url)

    hooks = ses._ses().meta.events
    hooks.register_first("before-send.ses.SendRawEmail", refuse, unique_id="test-unreachable")
    yield refused
    hooks.unregister("before-send.ses.SendRawEmail", unique_id="test-unreachable")


def test_when_ses_fails_only_that_message_fails_and_a_retry_sends_it(
    aws: Resources, ada: Participant, ses_unreachable_for: set[str]
) -> None:
    # Given two invites, and SES out of reach for Ada's
    grace = replace(ada, email="grace@acme.example", name="Grace Hopper")
    participants.create_many([grace])
    queues.send_mail([MailRequest.invite(ada.id), MailRequest.invite(grace.id)])
    messages = queued(aws, "mail")
    ses_unreachable_for.add(ada.email)
    # When the batch is processed, only Ada's message is reported failed (for SQS to retry)
    event = events.sqs_event(QUEUE_ARN, messages)
    ada_message = next(m["MessageId"] for m in messages if ada.id in m["Body"])
    assert handler.handler(event, context("mailer")) == {
        "batchItemFailures": [{"itemIdentifier": ada_message}]
    }
    assert [email.to for email in sent()] == [["grace@acme.example"]]
    # Then once SES recovers, the redelivered batch sends Ada's invite and not Grace's again
    ses_unreachable_for.clear()
    assert handler.handler(event, context("mailer")) == {"batchItemFailures": []}
    assert sorted(email.to[0] for email in sent()) == ["ada@acme.example", "grace@acme.example"]


def test_an_ses_refusal_fails_the_message_without_logging_the_address(
    aws: Resources, ada: Participant, caplog: pytest.LogCaptureFixture
) -> None:
    # SES's sandbox refuses unverified senders, and says which address in its message
    boto3.client("ses").delete_identity(Identity="coaching@acme.example")
    queues.send_mail([MailRequest.invite(ada.id)])
    messages = queued(aws, "mail")
    with pytest.raises(BatchProcessingError) as failed:  # the one record failed: SQS retries it
        handler.handler(events.sqs_event(QUEUE_ARN, messages), context("mailer"))
    # What Lambda would log: the error with each record's traceback, and Powertools' own log
    logged = str(failed.value) + caplog.text
    assert "NotSent: MessageRejected" in logged
    assert "@acme.example" not in logged


def test_the_mailers_ask_ses_for_its_rate_once_and_together_stay_under_it(
    aws: Resources, ada: Participant
) -> None:
    ses.max_send_rate.cache_clear()
    ses._pacer.cache_clear()
    asked: list[str] = []
    hooks = ses._ses().meta.events
    hooks.register("before-call.ses.GetSendQuota", lambda **_: asked.append("quota"), "t-quota")
    try:
        grace = replace(ada, email="grace@acme.example", name="Grace Hopper")
        participants.create_many([grace])
        queues.send_mail([MailRequest.invite(ada.id), MailRequest.invite(grace.id)])
        deliver_mail(aws)
    finally:
        hooks.unregister("before-call.ses.GetSendQuota", unique_id="t-quota")
    assert len(sent()) == 2 and asked == ["quota"]
    [mailers] = [q.max_concurrency for q in wiring.QUEUES if q.consumer == "mailer"]
    assert mailers is not None
    assert mailers * ses.mailer_rate() <= SES_MAX_SEND_RATE


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits of the SDK's retries and of ours, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    return waits


@pytest.fixture
def ses_throttles() -> Iterator[Callable[[str, int], list[str]]]:
    """SES answers `code` to the next `times` sends (as above the account's send rate); the
    hook runs first, so the SDK's own retries run. Returns the list of attempts seen."""
    hooks = ses._ses().meta.events
    attempts: list[str] = []

    def throttle(code: str, times: int) -> list[str]:
        def answer(request: Any, **_: Any) -> Any:
            attempts.append(code)
            if len(attempts) <= times:
                return ses_error(request, code, "Maximum sending rate exceeded.")
            return None

        hooks.register_first("before-send.ses.SendRawEmail", answer, unique_id="test-throttle")
        return attempts

    yield throttle
    hooks.unregister("before-send.ses.SendRawEmail", unique_id="test-throttle")


# The SDK retries Throttling three times, then ours take over; it does not know the other code.
@pytest.mark.parametrize(("code", "times"), [("Throttling", 4), ("MaxSendingRateExceeded", 2)])
def test_a_throttled_send_is_retried_with_backoff_and_goes_out_once(
    aws: Resources,
    ada: Participant,
    slept: list[float],
    ses_throttles: Callable[[str, int], list[str]],
    code: str,
    times: int,
) -> None:
    attempts = ses_throttles(code, times)
    queues.send_mail([MailRequest.invite(ada.id)])
    assert deliver_mail(aws) == {"batchItemFailures": []}
    assert [email.to for email in sent()] == [["ada@acme.example"]]
    assert len(attempts) == times + 1
    assert len(slept) == times and all(0 <= wait <= 4 for wait in slept)


def test_a_send_still_throttled_after_the_retries_fails_its_record_for_sqs_to_retry(
    aws: Resources,
    ada: Participant,
    slept: list[float],
    ses_throttles: Callable[[str, int], list[str]],
) -> None:
    queues.send_mail([MailRequest.invite(ada.id)])
    messages = queued(aws, "mail")
    attempts = ses_throttles("Throttling", 1000)
    with pytest.raises(BatchProcessingError) as failed:  # the one record failed: SQS retries it
        handler.handler(events.sqs_event(QUEUE_ARN, messages), context("mailer"))
    assert "NotSent: Throttling" in str(failed.value)
    assert len(attempts) == 9  # the SDK's three, three times
    assert sent() == []


def test_an_address_ses_refuses_blocks_the_person_and_is_not_retried(
    aws: Resources, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an address SES finds unusable (a roster row that slipped through without a domain)
    nobody = Participant(
        email="ada.lovelace",
        name="Ada Lovelace",
        department="Engineering",
        level="Manager",
        timezone="Europe/London",
        status=Status.INVITED,
        source=Source.ROSTER,
    )
    participants.create_many([nobody])
    queues.send_mail([MailRequest.invite(nobody.id)])
    # When the mailer sends the invite, the record is done, not failed for a retry
    assert deliver_mail(aws) == {"batchItemFailures": []}
    # Then the person is marked, the address is not in the logs, and later mail is dropped
    marked = participants.get(nobody.id)
    assert marked is not None and marked.mail_blocked is MailBlock.REJECTED
    assert "ada.lovelace" not in caplog.text
    tried: list[str] = []
    hooks = ses._ses().meta.events
    hooks.register("before-call.ses.SendRawEmail", lambda **_: tried.append("send"), "t-send")
    try:
        again = MailRequest(
            mail_id="invite/again", kind=mail_request.MailKind.INVITE, participant_id=nobody.id
        )
        queues.send_mail([again])
        assert deliver_mail(aws) == {"batchItemFailures": []}
    finally:
        hooks.unregister("before-call.ses.SendRawEmail", unique_id="t-send")
    assert tried == [] and sent() == []


def test_a_send_whose_answer_was_lost_is_not_sent_again(aws: Resources, ada: Participant) -> None:
    # SES took the message but its answer timed out: SES has no idempotency key, so sending it
    # again (the SDK's retry, or SQS's) would deliver it twice.
    lost_answer = next(
        s for s in range(1000) if Faults(0.5, s).decide("ses.SendRawEmail") == TIMEOUT
    )
    queues.send_mail([MailRequest.invite(ada.id)])
    with inject(share=0.5, seed=lost_answer, services=frozenset({"ses"})) as faults:
        assert deliver_mail(aws) == {"batchItemFailures": []}
    assert faults.injected == {("ses.SendRawEmail", TIMEOUT): 1}
    assert [email.to for email in sent()] == [["ada@acme.example"]]


def test_each_email_carries_its_intent_hashed_so_a_double_send_shows(
    aws: Resources, ada: Participant
) -> None:
    grace = replace(ada, email="grace@acme.example")
    participants.create_many([grace])
    queues.send_mail([MailRequest.invite(ada.id), MailRequest.invite(grace.id)])
    deliver_mail(aws)
    ids = [email.mail_id for email in sent()]
    assert len(set(ids)) == 2 and all(i and ada.id not in i for i in ids)
