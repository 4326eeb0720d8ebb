"""Reminders bench: one hourly `reminders` run over a quarter in which every group has its
day-before reminder due, on the embedded AWS (moto, in process), every AWS call counted;
prints a markdown table.

    python tests/bench/reminders.py [--participants 10000]

The seed: that many active participants in pairs of one cycle (the demo tenant's 2027-Q4), each
pair with a picked slot whose first session starts within the next 24 hours of `now` (spread
over the hours and over time zones), so at `now` every group's day-before reminder is due and
none of their sessions has begun.

Participants and plans (as `tandem.scheduling.pick` stores them, through the stores' own item
conversion) go in by batch writes: moto copies the whole table for every item of a transaction,
so the stores' transactions (`participants.create_many`, `cycles.save_group`) would take hours
at this size. The run reads only plans, so the groups' and outcomes' items are left out.

Then `tandem.reminders.run(tenant, now)` is timed, and run again at the same `now` (a duplicate
delivery of the schedule), which must queue nothing. Every AWS call either makes is counted by
service and operation (at botocore's client, so PynamoDB's calls count too). The targets (issue
9): at most 0.15 queue calls per reminder, and no Scan.

The seconds are the embedded AWS's: moto answers in process, so they leave out AWS's network
round trips (a few milliseconds per call on Lambda) and include moto's own work. One piece of
moto's work is taken out: its SQS counts every message already in the queue, reading the clock
for each, on every message sent (queueing 10,000 would take over an hour); here nothing is
received or delayed, so the bench counts the queue's messages in constant time instead.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
from botocore.client import BaseClient
from moto import mock_aws
from moto.sqs.models import Queue as SqsQueue

from devtools.local_runtime.aws import REGION, provision
from infra import tenant_files
from tandem.conversations import reminders
from tandem.model import calendar
from tandem.model.calendar import Cycle
from tandem.model.participant import Participant, Source, Status
from tandem.model.plan import NUDGE_AFTER, Plan, group_key
from tandem.model.rhythm import SESSIONS
from tandem.model.slots import Slot
from tandem.model.tenant import Tenant
from tandem.store import participants as participants_store
from tandem.store import plans as plans_store

CYCLE = "2027-Q4"
ZONES = (
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Singapore",
    "Asia/Kolkata",
)
QUEUE_CALLS_TARGET = 0.15
LINK_BASE = "https://coaching.example"

Calls = Counter[tuple[str, str]]


@contextmanager
def constant_time_queue_depth() -> Iterator[None]:
    """moto's SQS with its queue depth counted in constant time (see the module's doc): exact
    while no message is received or delayed, as here."""
    depth = property(lambda queue: len(queue._messages))
    none = property(lambda queue: 0)
    with (
        mock.patch.object(SqsQueue, "approximate_number_of_messages", depth),
        mock.patch.object(SqsQueue, "approximate_number_of_messages_delayed", none),
        mock.patch.object(SqsQueue, "approximate_number_of_messages_not_visible", none),
    ):
        yield


@contextmanager
def counting() -> Iterator[Calls]:
    """Counts every AWS call made inside, by (service, operation)."""
    calls: Calls = Counter()
    make_api_call = BaseClient._make_api_call

    def counted(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls[(client.meta.service_model.service_name, operation)] += 1
        return make_api_call(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", counted):
        yield calls


def people(tenant: Tenant, count: int) -> list[Participant]:
    return [
        Participant(
            email=f"person{n:05d}@northwind.example",
            name=f"Person{n:05d} Example",
            department=f"Department {n % 40}",
            level=tenant.levels[(n // 2) % len(tenant.levels)],
            timezone=ZONES[(n // 2) % len(ZONES)],
            status=Status.ACTIVE,
            source=Source.ROSTER,
        )
        for n in range(count)
    ]


def picked_plans(cycle: Cycle, pairs: list[list[Participant]], now: datetime) -> list[Plan]:
    """Each pair's plan once a member picked a slot, as tandem.scheduling.pick makes it: the
    first sessions spread over the 24 hours after `now`, on the hour."""
    plans = []
    for n, pair in enumerate(pairs):
        members = tuple(p.id for p in pair)
        plan = Plan(
            cycle.id,
            group_key(members),
            pair[0].level,
            members,
            nudge_at=cycle.starts + NUDGE_AFTER,
        )
        first = now.replace(minute=0, second=0) + timedelta(hours=1 + n % 24)
        slot = Slot(first, pair[0].timezone, SESSIONS)
        plans.append(
            plan.changed(slot=slot, picked_by=members[0], picked_at=cycle.starts, moved={})
        )
    return plans


def seed(tenant: Tenant, count: int, now: datetime) -> tuple[int, int, float]:
    """Stores the participants and their groups' plans; (participants, groups, seconds)."""
    started = time.monotonic()
    cycle = calendar.cycle(tenant, CYCLE)
    everyone = people(tenant, count)
    with participants_store.ParticipantItem.batch_write() as people_batch:
        for person in everyone:
            people_batch.save(participants_store._to_item(person))
    pairs = [everyone[i : i + 2] for i in range(0, len(everyone) - 1, 2)]
    plans = picked_plans(cycle, pairs, now)
    with plans_store.PlanItem.batch_write() as batch:
        for plan in plans:
            # As plans_store.save stores it: the version after the one read, due when
            # reminders.next_due says (the day before the first session, here).
            due = reminders.next_due(plan, cycle.starts)
            assert due is not None and due <= now, plan.group
            batch.save(plans_store.to_item(replace(plan, version=plan.version + 1), due))
    return len(everyone), len(plans), time.monotonic() - started


def timed_run(tenant: Tenant, now: datetime) -> tuple[dict[str, Any], Calls, float]:
    with counting() as calls:
        started = time.monotonic()
        report = reminders.run(tenant, now)
        seconds = time.monotonic() - started
    return report, calls, seconds


def queue_calls(calls: Calls) -> int:
    return sum(n for (service, _), n in calls.items() if service == "sqs")


def by_service(calls: Calls, service: str) -> str:
    found = sorted((op, n) for (s, op), n in calls.items() if s == service)
    return ", ".join(f"{op} {n:,}" for op, n in found) or "none"


def queue_depth(url: str) -> int:
    """The mail queue's messages, by moto's own (linear) count; not among the counted calls."""
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def row(label: str, report: dict[str, Any], calls: Calls, seconds: float) -> str:
    queued = sum(report.get("queued", {}).values())
    table_calls = sum(n for (service, _), n in calls.items() if service == "dynamodb")
    per = f"{table_calls / queued:.2f} / {queue_calls(calls) / queued:.3f}" if queued else "-"
    scans = calls[("dynamodb", "Scan")]
    return (
        f"| {label} | {report.get('plans', 0):,} | {queued:,} | {seconds:.1f}"
        f" | {by_service(calls, 'dynamodb')} | {by_service(calls, 'sqs')} | {per}"
        f" | {scans or 'none'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    args = parser.parse_args()
    started = time.monotonic()
    tenant = tenant_files.tenant("demo")
    # The Tuesday of the quarter's first week, at the tenant's time of day.
    now = (calendar.cycle(tenant, CYCLE).starts + timedelta(days=1)).astimezone(UTC)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update({"AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
    with mock_aws():
        resources = provision(tenant)
        os.environ.update({str(k): v for k, v in resources.settings(tenant, LINK_BASE).items()})
        participants, groups, seeding = seed(tenant, args.participants, now)
        with constant_time_queue_depth():
            first, first_calls, first_seconds = timed_run(tenant, now)
            again, again_calls, again_seconds = timed_run(tenant, now)
        in_queue = queue_depth(resources.queue_urls["mail"])

    print(f"## Reminders: {participants:,} participants in {groups:,} groups, all due at once")
    print(
        f"\nOne `reminders` run at {now:%Y-%m-%d %H:%M} UTC, when every group's day-before"
        " reminder is due, then the same run again (a duplicate delivery). Seeding took"
        f" {seeding:.0f} s.\n"
    )
    print(
        "| run | plans due | reminders queued | seconds to queue | DynamoDB calls | SQS calls"
        " | per reminder: DynamoDB / queue calls | Scan |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(row("first", first, first_calls, first_seconds))
    print(row("again, same `now`", again, again_calls, again_seconds))

    services = {s for calls in (first_calls, again_calls) for s, _ in calls}
    if services - {"dynamodb", "sqs"}:
        print(f"\nOther services called: {', '.join(sorted(services - {'dynamodb', 'sqs'}))}.")
    queued = first.get("queued", {})
    reminded = sum(queued.values())
    per_reminder = queue_calls(first_calls) / reminded if reminded else float("inf")
    scans = first_calls[("dynamodb", "Scan")] + again_calls[("dynamodb", "Scan")]
    expected = {"before_session": 2 * groups}
    verdicts = [
        f"{'within' if per_reminder <= QUEUE_CALLS_TARGET else 'OVER'} the target of at most"
        f" {QUEUE_CALLS_TARGET} queue calls per reminder",
        "no Scan" if not scans else f"{scans} Scan(s), where the target is none",
        "every group's day-before reminder queued"
        if queued == expected
        else f"queued {queued} where {expected} was due",
        f"{in_queue:,} messages in the mail queue",
        "the duplicate run queued nothing" if not again else f"the duplicate run queued {again}",
    ]
    print(f"\n{'; '.join(verdicts)}.")
    print(f"\n({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
