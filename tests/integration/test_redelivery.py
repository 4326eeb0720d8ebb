"""Every handler against at-least-once delivery: its event twice in a row, four times at once,
and a delivery that dies just after its effect and before its bookkeeping (or just before its
effect), then comes again. Each time the work is done exactly once: the emails it sends, the
items it stores."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from devtools.local_runtime import events
from devtools.local_runtime.aws import Resources
from functions.mail_events import handler
from functions.mailer import handler as mailer
from functions.match_band import handler as match_band
from functions.roster_import import handler as roster_import
from tandem.model.clock import clock
from tandem.model.participant import participant_id
from tandem.store import feedback_answers, matches, participants
from tests.integration.support import (
    ROSTER,
    START,
    after_session_link,
    call_api,
    context,
    daily,
    deliver_mail,
    kickoff,
    matched_pair,
    notification,
    person,
    pick_first_slot,
    queued,
    reminders,
    run_band_jobs,
    sent,
    upload,
)

NOTICE_DAY = "2027-10-04T08:00:00Z"  # a week before 2027-Q4


class Crash(Exception):
    """The process died here."""


@dataclass(frozen=True)
class Case:
    """One handler's delivery: how to set it up, what it does once, and the store calls that
    make its effect and its bookkeeping."""

    arrange: Callable[[Resources], Callable[[], Any]]
    effect: Callable[[], Any]
    once: Any  # the effect of one delivery
    effect_call: str
    bookkeeping_call: str


def emails() -> Counter[tuple[str, str | None]]:
    return Counter((e.to[0], e.kind) for e in sent())


def roster(aws: Resources) -> Callable[[], Any]:
    event = upload(aws, "roster/january.csv", ROSTER)
    return lambda: roster_import.handler(event, context("roster_import"))


def notice(aws: Resources) -> Callable[[], Any]:
    participants.create_many([person("Flo", "Engineering"), person("Gus", "Sales")])
    return lambda: daily(NOTICE_DAY)


def band_job(aws: Resources) -> Callable[[], Any]:
    participants.create_many([person("Flo", "Engineering"), person("Gus", "Sales")])
    clock.set(datetime.fromisoformat(START))
    daily(START)
    event = events.sqs_event("arn:aws:sqs:eu-west-1:1:bands", queued(aws, "bands"))
    return lambda: match_band.handler(event, context("match_band"))


def kickoffs(aws: Resources) -> Callable[[], Any]:
    matched_pair(aws)
    event = events.sqs_event("arn:aws:sqs:eu-west-1:1:mail", queued(aws, "mail"))
    return lambda: mailer.handler(event, context("mailer"))


def day_before(aws: Resources) -> Callable[[], Any]:
    matched_pair(aws)
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 11, 8, tzinfo=UTC))
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    return lambda: reminders("2027-10-11T13:30:00Z")


def bounce(aws: Resources) -> Callable[[], Any]:
    day_before(aws)
    event = notification("ses_bounce.json", "flo@acme.example")
    return lambda: handler.handler(event, context("mail_events"))


def feedback_post(aws: Resources) -> Callable[[], Any]:
    matched_pair(aws)
    deliver_mail(aws)
    link = after_session_link(aws, "flo@acme.example")
    answers = {"held": "yes", "helpfulness": "4", "pledge": "Ask for feedback", "version": "0"}
    return lambda: call_api("POST", link, answers)


def flo_feedback() -> list[tuple[str, int]]:
    group = next(g for g in matches.groups("2027-Q4"))
    return [
        (f.held, f.version)
        for f in feedback_answers.of_group("2027-Q4", "+".join(group.members))
        if f.participant == participant_id("flo@acme.example")
    ]


CASES = {
    "roster_import": Case(
        roster,
        emails,
        Counter({(a, "invite"): 1 for a in ("ada@acme.example", "grace@acme.example")})
        + Counter({("linus@acme.example", "invite"): 1}),
        "tandem.store.participants.create_many",
        "tandem.store.bucket.write_csv",
    ),
    "matching": Case(
        notice,
        emails,
        Counter({("flo@acme.example", "notice"): 1, ("gus@acme.example", "notice"): 1}),
        "tandem.store.queues.send",
        "tandem.store.matches.mark",
    ),
    "match_band": Case(
        band_job,
        emails,
        Counter({("flo@acme.example", "kickoff"): 1, ("gus@acme.example", "kickoff"): 1}),
        "tandem.store.matches.save_group",
        "tandem.store.matches.mark_band_matched",
    ),
    "mailer": Case(
        kickoffs,
        emails,
        Counter({("flo@acme.example", "kickoff"): 1, ("gus@acme.example", "kickoff"): 1}),
        "tandem.store.ses.send",
        "tandem.store.matches.mark_announced",
    ),
    "reminders": Case(
        day_before,
        lambda: {k: n for k, n in emails().items() if k[1] == "before_session"},
        {("flo@acme.example", "before_session"): 1, ("gus@acme.example", "before_session"): 1},
        "tandem.store.queues.send",
        "tandem.store.plans.save",
    ),
    "mail_events": Case(
        bounce,
        lambda: {k: n for k, n in emails().items() if k[1] == "partner_unreachable"},
        {("gus@acme.example", "partner_unreachable"): 1},
        "tandem.store.participants.block_mail",
        "tandem.store.queues.send",
    ),
    "participant_pages": Case(
        feedback_post,
        flo_feedback,
        [("yes", 1)],
        "tandem.store.feedback_answers.save",
        "tandem.store.feedback_answers.save",
    ),
}


def settle(aws: Resources) -> None:
    """Whatever the deliveries queued is sent (the mailer keeps each intent to one email)."""
    run_band_jobs(aws)
    deliver_mail(aws)


@contextmanager
def crashing(target: str, after: bool) -> Iterator[list[str]]:
    """The store call dies, just after doing its work or just before; yields the crashes."""
    module, _, name = target.rpartition(".")
    original = getattr(__import__(module, fromlist=[name]), name)
    crashes: list[str] = []

    def dies(*args: Any, **kwargs: Any) -> Any:
        if after:
            original(*args, **kwargs)
        crashes.append(target)
        raise Crash(target)

    with mock.patch(target, dies):
        yield crashes


def failed(result: Any) -> bool:
    if isinstance(result, tuple):  # a page: its status
        return bool(result[0] >= 500)
    return bool(isinstance(result, dict) and result.get("batchItemFailures"))


@pytest.mark.parametrize("name", CASES)
def test_an_event_delivered_twice_in_a_row_acts_once(aws: Resources, name: str) -> None:
    case = CASES[name]
    deliver = case.arrange(aws)
    deliver()
    deliver()
    settle(aws)
    assert case.effect() == case.once


@pytest.mark.parametrize("name", CASES)
def test_an_event_delivered_four_times_at_once_acts_once(aws: Resources, name: str) -> None:
    case = CASES[name]
    deliver = case.arrange(aws)
    results: list[Any] = []

    def once() -> None:
        try:
            results.append(deliver())
        except BatchProcessingError:  # every record found another delivery in progress
            results.append({"batchItemFailures": ["all"]})

    threads = [threading.Thread(target=once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Deliveries that found another one in progress failed theirs: SQS comes back with it.
    if any(failed(r) for r in results):
        deliver()
    settle(aws)
    assert case.effect() == case.once


@pytest.mark.parametrize(
    ("dies", "after"),
    [("effect", False), ("bookkeeping", False), ("bookkeeping", True)],
    ids=["before-effect", "after-effect-before-bookkeeping", "after-bookkeeping"],
)
@pytest.mark.parametrize("name", CASES)
def test_a_delivery_that_dies_midway_then_comes_again_acts_once(
    aws: Resources, name: str, dies: str, after: bool
) -> None:
    case = CASES[name]
    deliver = case.arrange(aws)
    target = case.effect_call if dies == "effect" else case.bookkeeping_call
    # A batch whose every record failed raises
    with crashing(target, after) as crashes, suppress(Crash, BatchProcessingError):
        deliver()
    assert crashes
    deliver()  # SQS's redelivery; the scheduler's retry; the person submitting again
    settle(aws)
    assert case.effect() == case.once
