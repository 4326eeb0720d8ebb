"""One program on the local runtime, in a process of its own, optionally with a share of AWS
calls faulted; writes what it ends with as JSON, for a test to compare runs.

    python -m tests.support.program_run --people 24 --seed 3 [--quarters 4] \
        [--faults 0.1 --fault-seed 11] --out F

It plays a program year, or its first quarters, through the doors people use
(devtools/simulation/year.py): HR's roster upload, the invitations and signups, then each quarter
with its notice and matching, each group picking a slot, a session moved, the reminders schedule
whenever something is due, the answers to "how did it go?" (pledges and check-ins), the
end-of-quarter pulse, and the daily `exports` schedule from the day the quarter's exports are
due until they are written (a run that failed midway is taken over a day later). Whatever
exhausted its retries and sits in a dead-letter queue is moved back to its queue, as the runbook
says, whenever the runtime is idle, and left to complete before people act on it.

Under faults, people and the scheduler do what they do when AWS fails them: a page that answered
with an error is submitted again, and a failed scheduled run is retried (EventBridge Scheduler's
retry policy). A process of its own, because the local runtime points every AWS client of the
process at its embedded AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import urllib.error
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TypeVar

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "IDEMPOTENCY_TABLE_NAME": "tandem-demo-idempotency",
    }
)

import boto3

from devtools.local_runtime import aws, outbox
from devtools.local_runtime.runtime import POWERTOOLS_ENVIRONMENT, LocalRuntime
from devtools.simulation import browser, year
from infra import tenant_files
from tandem.analytics import gather
from tandem.model import bucket_layout
from tandem.model.clock import clock
from tandem.model.participant import Status
from tandem.model.tenant import Tenant
from tandem.store import bucket, participants, plans
from tests.support.faults import inject

SIGNUP_RATE = 0.9
MOVERS = 1
T = TypeVar("T")


def again_on_failure(attempt: Callable[..., T], failed: Callable[[T], bool]) -> Callable[..., T]:
    """A person taps again on an error page; the scheduler retries a failed run."""

    def retried(*args: Any, **kwargs: Any) -> T:
        for _ in range(20):
            try:
                result = attempt(*args, **kwargs)
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    raise
                continue
            if not failed(result):
                return result
        raise RuntimeError("still failing after 20 attempts")

    return retried


def replaying_dead_letters(runtime: LocalRuntime) -> Counter[str]:
    """From now on, whenever the runtime is idle, whatever sits in a dead-letter queue is moved
    back to its queue and left to complete, before people act on what it holds: the operator
    the runbook asks for, as the simulated hours between steps allow. Returns the count
    replayed, by queue, as it grows."""
    replayed: Counter[str] = Counter()
    wait = runtime.wait_until_idle

    def wait_then_replay(timeout_s: float = 60) -> bool:
        while (idle := wait(timeout_s)) and (moved := replay_dead_letters(runtime)):
            replayed.update(moved)
        return idle

    runtime.wait_until_idle = wait_then_replay  # type: ignore[method-assign]
    return replayed


def replay_dead_letters(runtime: LocalRuntime) -> dict[str, int]:
    """Moves every dead letter back to its queue (start-message-move-task, by hand), as an
    operator does hours later: by then the in-progress idempotency records of the invocations
    that failed have expired (a lost answer to writing one makes a retry find its own record)."""
    assert runtime.resources is not None
    sqs = boto3.client("sqs")
    received = {
        name: _receive_all(sqs, dlq) for name, dlq in runtime.resources.dead_letter_urls.items()
    }
    dead = {name: messages for name, messages in received.items() if messages}
    if not dead:
        return {}
    dynamodb, table = boto3.client("dynamodb"), runtime.resources.idempotency_table
    for item in dynamodb.scan(TableName=table)["Items"]:
        if item["status"]["S"] == "INPROGRESS":
            dynamodb.update_item(
                TableName=table,
                Key={"id": item["id"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": "0"}},
            )
    for name, messages in dead.items():
        dlq, queue = runtime.resources.dead_letter_urls[name], runtime.resources.queue_urls[name]
        for message in messages:
            sqs.send_message(QueueUrl=queue, MessageBody=message["Body"])
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    return {name: len(messages) for name, messages in dead.items()}


def _receive_all(sqs: Any, queue: str) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        received += messages
    return received


# What differs between two runs of the same program without meaning anything: when things
# happened (the clock flows while people click), and the upload's own time and ETag.
VOLATILE = ("_at", "expiration", "gsi1sk", "last_import")


def _comparable(value: dict[str, Any]) -> Any:
    """A DynamoDB attribute value with its sets in order (DynamoDB keeps none)."""
    [(kind, inner)] = value.items()
    return {kind: sorted(inner) if kind in ("SS", "NS") else inner}


def table_state(runtime: LocalRuntime) -> list[dict[str, Any]]:
    assert runtime.resources is not None
    pages = boto3.client("dynamodb").get_paginator("scan")
    items = [
        {k: _comparable(v) for k, v in item.items() if not any(w in k for w in VOLATILE)}
        for page in pages.paginate(TableName=runtime.resources.table)
        for item in page["Items"]
    ]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


PSEUDONYM = re.compile(r"\b[0-9a-f]{16}\b")


def export_csvs(tenant: Tenant, cycle_ids: list[str]) -> dict[str, str]:
    """Every CSV file of the exports, by key, with each pseudonym read back as the id it
    stands for: each run signs with a secret of its own, so its pseudonyms are its own too."""
    ids = gather.pseudonyms(tenant)
    real = {
        ids.participant(person.id): person.id
        for level in tenant.levels
        for status in Status
        for person in participants.in_level(level, status)
    } | {
        ids.group(cycle, plan.group): f"{cycle}/{plan.group}"
        for cycle in cycle_ids
        for plan in plans.of_cycle(cycle)
    }
    return {
        key: PSEUDONYM.sub(lambda m: real.get(m[0], m[0]), bucket.read(key).decode())
        for key in bucket.keys_under(bucket_layout.EXPORTS)
        if key.endswith(".csv")
    }


def own_draws(answer: Callable[[random.Random, outbox.SentEmail], None], seed: int) -> Any:
    """A person answers an email the same whenever it arrives: the draws of each answer are
    its own, not the next of one sequence that a delayed email would shift for everyone."""

    def answering(_: random.Random, email: outbox.SentEmail) -> None:
        answer(random.Random(f"{seed}:{email.mail_id}"), email)

    return answering


def in_a_fixed_order(sent_emails: Callable[..., list[outbox.SentEmail]]) -> Callable[..., Any]:
    """People act on their mail in an order of their own, not the order it arrived in, so the
    same seed makes the same choices however retries reordered the sends."""

    def ordered(skip: int = 0) -> list[outbox.SentEmail]:
        return sorted(sent_emails(skip), key=lambda e: (e.to, e.kind or "", e.mail_id or ""))

    return ordered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3, help="the company and its people's choices")
    parser.add_argument("--quarters", type=int, choices=range(1, 5), default=4, help="of the year")
    parser.add_argument("--faults", type=float, default=0.0, help="share of AWS calls failed")
    parser.add_argument("--fault-seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    tenant = tenant_files.tenant("demo")
    rng = random.Random(args.seed)
    retry_page = again_on_failure(browser._open, lambda page: page.status >= 500)
    browser._open = retry_page  # type: ignore[assignment]
    outbox.sent_emails = in_a_fixed_order(outbox.sent_emails)  # type: ignore[assignment]
    year.post = again_on_failure(year.post, lambda _: False)  # type: ignore[assignment]
    year.answer_after_session = own_draws(year.answer_after_session, args.seed)
    year.answer_pulse = own_draws(year.answer_pulse, args.seed)
    # Every log line the handlers write, for a test to read; failed messages come back sooner.
    POWERTOOLS_ENVIRONMENT["POWERTOOLS_LOG_LEVEL"] = "INFO"
    aws.VISIBILITY_TIMEOUT_S = 1
    started = time.monotonic()
    with year.running(tenant) as runtime:
        replayed = replaying_dead_letters(runtime)
        faulted = inject(args.faults, args.fault_seed) if args.faults else nullcontext()
        with faulted as faults:
            rows = year.roster_rows(tenant, args.people, args.seed)
            year.upload_roster(runtime, rows)
            year.sign_up(runtime, rng, SIGNUP_RATE)
            played = year.play_year(runtime, tenant, rng, movers=MOVERS, quarters=args.quarters)
            cycle_ids = [quarter.quarter.cycle for quarter in played]
            runtime.wait_until_idle(timeout_s=600)
        dead_letters = {n: d["dead_letters"] for n, d in runtime.queue_depths().items()}
        state = {
            "table": table_state(runtime),
            "exports": export_csvs(tenant, cycle_ids),
            "outbox": [e.as_dict() for e in outbox.sent_emails()],
            "dead_letters": dead_letters,
            "replayed": dict(replayed),
            "faults": {f"{op} {kind}": n for (op, kind), n in faults.injected.items()}
            if faults
            else {},
            "attempts": sum(faults.attempts.values()) if faults else 0,
            "seconds": round(time.monotonic() - started, 1),
        }
    clock.reset()
    args.out.write_text(json.dumps(state, indent=1, default=str))
    print(f"done in {state['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
