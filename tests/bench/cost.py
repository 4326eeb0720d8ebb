"""Cost bench: a program year for a synthetic company on the local runtime, every AWS request
counted, priced at public on-demand prices; prints markdown tables.

    python tests/bench/cost.py [--people 250]

The year is simulated for 250 people and scaled linearly to 1,000: requests grow with people,
and the scaling also multiplies per-tenant work (the 365 daily runs), so it errs high. A full
1,000-person year takes about an hour here, because the embedded DynamoDB copies the whole table
for every item of a transaction (each stored group is one); AWS does not.

The year: HR's roster upload, the invitations, the signups on the real pages, and the daily
`matching` schedule run on each of 365 days (notices, matchings, kickoffs). What later issues
add (reminders, pledges, feedback, exports) is not in it yet.

How each service is counted:
- Lambda: every invocation, and its duration here times its configured memory. Durations here
  include the embedded AWS's own latency, so they overstate Lambda's.
- API Gateway: every request to the link pages.
- DynamoDB: request units from each request (see infra/local/usage.py).
- SQS: what the functions send, plus one receive and one delete per batch an event source
  mapping takes. The local pollers' own idle polling is not counted: an event source mapping's
  idle long polling is a fixed cost of each queue, in the second table.
- SES, S3, Secrets Manager, EventBridge Scheduler: their requests.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterable
from datetime import timedelta

import aws_cdk as cdk
from aws_cdk.assertions import Template

from infra import tenant_files, wiring
from infra.app import build
from infra.local import simulation
from infra.local.usage import Usage

# US East (N. Virginia) on-demand prices in USD, from each service's public pricing page.
PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,
    "api_request": 3.50 / 1e6,
    "write_unit": 0.625 / 1e6,
    "read_unit": 0.125 / 1e6,
    "email": 0.10 / 1000,
    "sqs_request": 0.40 / 1e6,
    "s3_write": 0.005 / 1000,
    "s3_read": 0.0004 / 1000,
    "secrets_call": 0.05 / 10_000,
    "scheduler_invocation": 1.00 / 1e6,
    "secret_month": 0.40,
    "kms_key_month": 1.00,
    "alarm_month": 0.10,
    "custom_metric_month": 0.30,
    "dashboard_month": 3.00,  # beyond the 3 an account gets free
}
# An SQS event source mapping long-polls its queue even when it is empty: five pollers, each a
# 20-second ReceiveMessage.
IDLE_RECEIVES_PER_YEAR = 5 * 3 * 60 * 24 * 365
TARGET_PER_1000 = 10.0


def simulate_year(people: int, seed: int) -> tuple[Usage, int]:
    tenant = tenant_files.tenant("demo")
    rng = random.Random(seed)
    with simulation.running(tenant) as runtime:
        simulation.upload_roster(runtime, simulation.roster_rows(tenant, people, seed))
        signups = simulation.sign_up(runtime, rng, rate=0.95)
        first = simulation.START.replace(
            hour=tenant.calendar.time.hour, minute=tenant.calendar.time.minute
        )
        for day in range(365):
            simulation.run_schedule_at(runtime, "matching", first + timedelta(days=day))
        return runtime.usage, signups.signed_up


def variable_costs(usage: Usage, scale: float) -> list[tuple[str, str, float]]:
    """(service, what was counted, dollars per year for 1,000 participants)."""
    memory = {f.name: f.memory_mb for f in wiring.FUNCTIONS}
    invocations = sum(usage.invocations.values())
    gb_seconds = sum(seconds * memory[name] / 1024 for name, seconds in usage.seconds.items())
    requests = usage.requests

    def count(service: str, operations: Iterable[str]) -> int:
        return sum(requests[(service, operation)] for operation in operations)

    sends = count("sqs", ("SendMessage", "SendMessageBatch"))
    mapping_calls = 2 * sum(usage.batches.values())
    emails = count("ses", ("SendRawEmail",))
    s3_writes = count("s3", ("PUT", "POST", "DELETE"))
    s3_reads = count("s3", ("GET", "HEAD"))
    secrets = count("secretsmanager", ("GetSecretValue",))
    api = usage.invocations["participant_pages"]
    schedules = usage.invocations["matching"]
    rows = [
        (
            "Lambda",
            f"{invocations:,} invocations, {gb_seconds:,.0f} GB-s",
            invocations * PRICE["lambda_request"] + gb_seconds * PRICE["lambda_gb_second"],
        ),
        ("API Gateway", f"{api:,} requests", api * PRICE["api_request"]),
        (
            "DynamoDB",
            f"{usage.write_units:,.0f} write, {usage.read_units:,.0f} read units",
            usage.write_units * PRICE["write_unit"] + usage.read_units * PRICE["read_unit"],
        ),
        ("SES", f"{emails:,} emails", emails * PRICE["email"]),
        (
            "SQS",
            f"{sends:,} sends, {mapping_calls:,} receives and deletes",
            (sends + mapping_calls) * PRICE["sqs_request"],
        ),
        (
            "S3",
            f"{s3_writes:,} writes, {s3_reads:,} reads",
            s3_writes * PRICE["s3_write"] + s3_reads * PRICE["s3_read"],
        ),
        ("Secrets Manager", f"{secrets:,} GetSecretValue", secrets * PRICE["secrets_call"]),
        ("EventBridge Scheduler", f"{schedules:,} runs", schedules * PRICE["scheduler_invocation"]),
    ]
    return [(service, counted, dollars * scale) for service, counted, dollars in rows]


def fixed_costs(usage: Usage) -> list[tuple[str, str, float]]:
    """(item, basis, dollars per year per tenant), from the demo tenant's stack."""
    app = cdk.App()
    [stack] = build(app, ["demo"])
    template = Template.from_stack(stack).to_json()["Resources"]
    alarms = sum(r["Type"] == "AWS::CloudWatch::Alarm" for r in template.values())
    secrets = sum(r["Type"] == "AWS::SecretsManager::Secret" for r in template.values())
    keys = sum(r["Type"] == "AWS::KMS::Key" for r in template.values())
    polled = len(wiring.QUEUES)
    metrics = len(usage.metrics)
    return [
        (
            "SQS idle polling",
            f"{polled} queues, an event source each",
            polled * IDLE_RECEIVES_PER_YEAR * PRICE["sqs_request"],
        ),
        ("Secrets Manager", f"{secrets} secret", secrets * 12 * PRICE["secret_month"]),
        (
            "KMS",
            f"{keys} keys (the alarm and SES event topics')",
            keys * 12 * PRICE["kms_key_month"],
        ),
        ("CloudWatch alarms", f"{alarms} alarms", alarms * 12 * PRICE["alarm_month"]),
        (
            "CloudWatch custom metrics",
            f"{metrics} metrics",
            metrics * 12 * PRICE["custom_metric_month"],
        ),
        (
            "CloudWatch dashboard",
            "1 (free for an account's first 3)",
            12 * PRICE["dashboard_month"],
        ),
    ]


def table(title: str, header: tuple[str, str, str], rows: list[tuple[str, str, float]]) -> None:
    print(f"\n**{title}**\n")
    print(f"| {header[0]} | {header[1]} | {header[2]} |\n|---|---|---|")
    for name, basis, dollars in rows:
        print(f"| {name} | {basis} | ${dollars:,.2f} |")
    print(f"| **total** | | **${sum(d for *_, d in rows):,.2f}** |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.monotonic()
    usage, signed_up = simulate_year(args.people, args.seed)
    scale = 1000 / args.people
    people = f"{args.people:,} people ({signed_up:,} signed up)"
    print(f"## Cost: a program year simulated for {people}, scaled to 1,000")
    variable = variable_costs(usage, scale)
    table(
        "Per 1,000 participants per year (counted, US East on-demand prices)",
        ("service", f"counted for {args.people:,} people", "$ per 1,000 / year"),
        variable,
    )
    total = sum(d for *_, d in variable)
    verdict = "under" if total < TARGET_PER_1000 else "OVER"
    target = f"${TARGET_PER_1000:.0f} per 1,000 participants per year (email included)"
    print(f"\n{verdict} the target of {target}.")
    table(
        "Per tenant per year, whatever its size", ("item", "basis", "$ / year"), fixed_costs(usage)
    )
    print(f"\n({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
