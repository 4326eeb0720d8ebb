"""One program on the local runtime, in a process of its own, optionally with a share of AWS
calls faulted; writes what it ends with as JSON, for a test to compare runs.

    python -m tests.support.program_run --people 24 --seed 3 [--quarters 4] \
        [--faults 0.1 --fault-seed 11] --out F

It plays a program year, or its first quarters, through the doors people use
(devtools/simulation/year.py): HR's roster upload, the invitations and signups, then each quarter
with its notice and matching, each group picking a slot, a session moved, the reminders schedule
whenever something is due, the answers to "how did it go?" (pledges and check-ins), the
end-of-quarter pulse, and the daily `exports` schedule from the day the quarter's exports are
due until they are written (a run that failed midway is taken over a day later).

Its people, scheduler and operator have the habits (devtools/simulation/year.py) that make two
runs comparable when AWS fails one of them: a page that answered with an error is submitted
again and a failed scheduled run is retried (EventBridge Scheduler's retry policy); and people
read their mail in a fixed order and draw each answer from its email's own seed, so mail that
retries delayed changes nobody's choices. A process of its own, because the local runtime points
every AWS client of the process at its embedded AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "IDEMPOTENCY_TABLE_NAME": "tandem-demo-idempotency",
    }
)

import boto3

from devtools.local_runtime import outbox
from devtools.local_runtime.runtime import LocalRuntime
from devtools.simulation import year
from devtools.simulation.year import Habits, Simulation
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
COMPARABLE = Habits(retries=19, steady=True)


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
        key: PSEUDONYM.sub(lambda m: real.get(m[0], m[0]), bucket.read(key).decode("utf-8-sig"))
        for key in bucket.keys_under(bucket_layout.EXPORTS)
        if key.endswith(".csv")
    }


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
    started = time.monotonic()
    # Every log line the handlers write, for a test to read.
    with year.running(tenant, log_level="INFO") as runtime:
        company = Simulation(runtime, tenant, args.seed, COMPARABLE)
        faulted = inject(args.faults, args.fault_seed) if args.faults else nullcontext()
        with faulted as faults:
            company.upload_roster(year.roster_rows(tenant, args.people, args.seed))
            company.sign_up(SIGNUP_RATE)
            played = company.play_year(movers=MOVERS, quarters=args.quarters)
            cycle_ids = [quarter.quarter.cycle for quarter in played]
            company.settle()
        dead_letters = {n: d["dead_letters"] for n, d in runtime.queue_depths().items()}
        state = {
            "table": table_state(runtime),
            "exports": export_csvs(tenant, cycle_ids),
            "outbox": [e.as_dict() for e in outbox.sent_emails()],
            "dead_letters": dead_letters,
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
