"""Mailer bench: the mailer's sustained send rate against a throttled SES; prints a markdown table.

    python -m tests.bench.mailer [--rate 5] [--mails 100]

SES is moto's, in process, behind a botocore `before-send` hook registered first: it answers
GetSendQuota with the account's rate and Throttling to any send beyond that many in the last
second, as SES does, so the SDK's own retries and the mailer's backoff run as they would in
Lambda. The rate is set below what this machine pushes through the embedded AWS (about 8 mails
a second from two threads: composing, signing links and moto's DynamoDB are the work), so SES
sets the pace and not the machine; pacing scales with the rate. Each mailer instance is a thread
with its own pacer, as each Lambda instance is a process of its own, sending invitations through
the mailer's idempotent send (compose, sign links, SES). The wired concurrency is one row; a row
with twice as many instances as the pacing shares the rate between shows what throttling costs.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from queue import Empty, Queue
from typing import Any

from botocore.awsrequest import AWSResponse
from moto import mock_aws

from devtools.local_runtime.aws import provision
from devtools.local_runtime.runtime import LambdaContext
from infra import tenant_files, wiring
from tests.integration.support import ResponseBody, ses_error

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_SERVICE_NAME": "bench",
        "POWERTOOLS_METRICS_NAMESPACE": "Tandem/bench",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "IDEMPOTENCY_TABLE_NAME": "tandem-demo-idempotency",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)


class ThrottledSes:
    """SES at `rate` sends a second, counting what it answers. SES lets an account exceed its
    rate in short bursts but not for long: a token bucket holding one second's sends."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.tokens = float(rate)
        self.filled = time.monotonic()
        self.throttled = 0
        self._lock = threading.Lock()

    def quota(self, request: Any, **_: Any) -> AWSResponse:
        body = (
            '<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
            f"<GetSendQuotaResult><Max24HourSend>1000000.0</Max24HourSend><MaxSendRate>"
            f"{self.rate}.0</MaxSendRate><SentLast24Hours>0.0</SentLast24Hours>"
            "</GetSendQuotaResult><ResponseMetadata><RequestId>bench</RequestId>"
            "</ResponseMetadata></GetSendQuotaResponse>"
        )
        return AWSResponse(
            request.url, 200, {"Content-Type": "text/xml"}, ResponseBody(body.encode())
        )

    def send(self, request: Any, **_: Any) -> AWSResponse | None:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.filled) * self.rate)
            self.filled = now
            if self.tokens < 1:
                self.throttled += 1
                return ses_error(request, "Throttling", "Maximum sending rate exceeded.")
            self.tokens -= 1
        return None  # on to the embedded SES


@contextmanager
def throttled_ses(rate: int) -> Iterator[ThrottledSes]:
    from tandem.store import ses as email

    ses = ThrottledSes(rate)
    hooks = email._ses().meta.events
    hooks.register_first("before-send.ses.GetSendQuota", ses.quota, unique_id="bench-quota")
    hooks.register_first("before-send.ses.SendRawEmail", ses.send, unique_id="bench-send")
    email.max_send_rate.cache_clear()
    try:
        yield ses
    finally:
        hooks.unregister("before-send.ses.GetSendQuota", unique_id="bench-quota")
        hooks.unregister("before-send.ses.SendRawEmail", unique_id="bench-send")


class _Uncounted:
    """Metrics are Lambda's to flush; here they would pile up and print."""

    def add_metric(self, **_: Any) -> None:
        pass


@dataclass
class Row:
    mailers: int
    mails: int
    seconds: float
    throttled: int
    failed: int

    @property
    def rate(self) -> float:
        return (self.mails - self.failed) / self.seconds


def run(rate: int, mailers: int, mails: int, row: int) -> Row:
    from functions.mailer import handler
    from tandem.model.mail_request import MailRequest
    from tandem.model.participant import Participant, Source, Status
    from tandem.store import participants
    from tandem.store import ses as email

    people = [
        Participant(
            email=f"p{row}-{i}@northwind.example",
            name=f"Person {i}",
            department="Engineering",
            level="Manager",
            timezone="Europe/Paris",
            status=Status.INVITED,
            source=Source.ROSTER,
        )
        for i in range(mails)
    ]
    participants.create_many(people)
    work: Queue[MailRequest] = Queue()
    for p in people:
        work.put(MailRequest.invite(p.id))
    failed = [0] * mailers
    own = threading.local()

    def instance(number: int) -> None:
        # Its own pacer, as a Lambda instance has: the bench's threads share one process.
        own.pacer = email.Pacer(email.mailer_rate())
        while True:
            try:
                request = work.get_nowait()
            except Empty:
                return
            try:
                handler.send_once(request=request)
            except email.NotSent:
                failed[number] += 1  # SQS would deliver it again

    per_process = email._pacer
    email._pacer = lambda: own.pacer  # type: ignore[assignment]
    handler.once.register_lambda_context(LambdaContext("mailer", 512, 30))
    handler.metrics = _Uncounted()  # type: ignore[assignment]
    try:
        with throttled_ses(rate) as ses:
            started = time.monotonic()
            threads = [threading.Thread(target=instance, args=(n,)) for n in range(mailers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - started
    finally:
        email._pacer = per_process
    return Row(mailers, mails, seconds, ses.throttled, sum(failed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=5, help="SES's MaxSendRate (sends a second)")
    parser.add_argument("--mails", type=int, default=100, help="invitations per row")
    args = parser.parse_args()
    [wired] = [q.max_concurrency for q in wiring.QUEUES if q.consumer == "mailer"]
    assert wired is not None
    tenant = tenant_files.tenant("demo")
    rows = []
    with mock_aws():
        resources = provision(tenant)
        for setting, value in resources.settings(tenant, "https://links.example").items():
            os.environ[setting] = value
        for row, mailers in enumerate((1, wired, 2 * wired)):
            rows.append(run(args.rate, mailers, args.mails, row))
    print(f"\n**The mailer against SES throttled at {args.rate} sends a second**\n")
    print("| mailer instances | mails | sent per second | SES throttled | records failed |")
    print("|---|---|---|---|---|")
    for r in rows:
        label = f"{r.mailers} (wired)" if r.mailers == wired else str(r.mailers)
        print(f"| {label} | {r.mails} | {r.rate:.1f} | {r.throttled} | {r.failed} |")


if __name__ == "__main__":
    main()
