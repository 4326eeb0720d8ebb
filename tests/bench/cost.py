"""Cost bench: a program year for a synthetic company on the local runtime, every AWS request
counted, priced at public on-demand prices; prints markdown tables.

    python tests/bench/cost.py [--people PEOPLE]

The year is the one `make demo` plays (devtools/simulation/year.py): HR's roster upload, the
invitations, the signups on the real pages, then four quarters, each with its notice and
matching by the daily `matching` schedule, the kickoffs, slots picked and a few sessions moved
on the real pages (the calendar invitations), the hourly `reminders` schedule whenever
something is due (slot nudges, the reminders before and "how did it go?" after each of the
five sessions, the pulse and its reminder), everyone's answers on the feedback and pulse pages
(pledges, check-ins), and the quarter's exports by the daily `exports` schedule (with the
exports_ready email). Most runs of the schedules find nothing to do; the year skips them,
and one of each is measured instead (see idle_runs).

It is simulated for PEOPLE people (7 minutes here when the machine is quiet, 20 when it is
loaded) and scaled linearly to 1,000. Emails, page requests, answers and stored items grow
with people and scale well. The rest errs, by cents, both ways: high for what is scaled but
hardly grows with people (the exports_ready emails and each export's files; the schedule runs
that had work, whose number grows with groups only up to one an hour), low for what grows
faster (matching a band takes time about the cube of its size, and 24 people make bands of
about 8). What does not depend on headcount at all, every schedule run and the cost of the
idle ones, is in the per-tenant table, unscaled. Not 1,000 directly: every answer goes through
the real pages and the embedded AWS, and the embedded DynamoDB copies the whole table for
every item of a transaction (AWS does not), so a 1,000-person year would take hours.

How each service is counted:
- Lambda: every invocation, and its duration here times its configured memory. Durations here
  include the embedded AWS's own latency, so they overstate Lambda's.
- API Gateway: every request to the link pages.
- DynamoDB: request units from each request (see devtools/local_runtime/usage.py).
- SQS: what the functions send, plus one receive and one delete per batch an event source
  mapping takes. The local pollers' own idle polling is not counted: an event source mapping's
  idle long polling is a fixed cost of each queue, in the second table.
- SES, S3, Secrets Manager: their requests. EventBridge Scheduler: every run of each schedule
  in a year (hourly or daily), in the per-tenant table.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from devtools.local_runtime import outbox
from devtools.local_runtime.usage import Usage
from devtools.simulation import year as simulation
from infra import tenant_files, wiring
from tandem.model.clock import clock
from tests.bench import fixed_cost

# US East (N. Virginia) on-demand prices in USD, from each service's public pricing page.
PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,
    "api_request": 3.50 / 1e6,
    "write_unit": 0.625 / 1e6,
    "read_unit": 0.125 / 1e6,
    "email": 0.10 / 1000,
    "sqs_request": fixed_cost.SQS_REQUEST,
    "s3_write": 0.005 / 1000,
    "s3_read": 0.0004 / 1000,
    "secrets_call": 0.05 / 10_000,
    "scheduler_invocation": 1.00 / 1e6,
}
TARGET_PER_1000 = 10.0
PEOPLE = 24  # a year of at most about 20 minutes on this 2-core machine, loaded


@dataclass(frozen=True)
class Idle:
    """The schedules' runs of a year that find nothing to do, and what they ask of AWS."""

    runs: dict[str, int]  # by schedule
    gb_seconds: float
    read_units: float
    write_units: float


@dataclass(frozen=True)
class Year:
    usage: Usage  # the played year, its idle runs left out
    signed_up: int
    emails: Counter[str]  # by kind
    idle: Idle


def simulate_year(people: int, seed: int) -> Year:
    """The year `make demo` plays (simulation.play_year), then the schedules' idle runs."""
    tenant = tenant_files.tenant("demo")
    with simulation.running(tenant) as runtime:
        company = simulation.Simulation(runtime, tenant, seed)
        company.upload_roster(simulation.roster_rows(tenant, people, seed))
        signups = company.sign_up(rate=0.95)
        for _ in company.play_year(movers=people // 10, pausing=people // 20):
            pass
        idle = idle_runs(company, clock.now() + timedelta(days=1))
        emails = Counter(e.kind or "other" for e in outbox.sent_emails())
        return Year(runtime.usage, signups.signed_up, emails, idle)


def runs_a_year(schedule: wiring.Schedule) -> int:
    return 24 * 365 if schedule.hourly else 365


def idle_runs(company: simulation.Simulation, at: datetime) -> Idle:
    """The year plays each schedule only when it has something to do; its other runs (most of
    the 8,760 hourly ones) each cost an invocation and a few reads, whatever the headcount. One
    of each schedule is run at `at`, when nothing is due, and counted once for each run of a
    year the played one did not make; the measuring run itself is taken off the played year."""
    memory = {f.name: f.memory_mb for f in wiring.FUNCTIONS}
    usage = company.runtime.usage
    runs: dict[str, int] = {}
    gb_seconds = reads = writes = 0.0
    for schedule in wiring.SCHEDULES:
        function = schedule.function
        missing = max(0, runs_a_year(schedule) - usage.invocations[function])
        sent = outbox.count()
        before = (usage.seconds[function], usage.read_units, usage.write_units)
        company.run_schedule_at(schedule.name, at)
        if outbox.count() != sent:
            raise RuntimeError(f"the {schedule.name} run at {at} was not idle: it sent mail")
        seconds = usage.seconds[function] - before[0]
        read, write = usage.read_units - before[1], usage.write_units - before[2]
        usage.invocations[function] -= 1
        usage.seconds[function], usage.read_units, usage.write_units = before
        runs[schedule.name] = missing
        gb_seconds += missing * seconds * memory[function] / 1024
        reads += missing * read
        writes += missing * write
    return Idle(runs, gb_seconds, reads, writes)


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
    ]
    return [(service, counted, dollars * scale) for service, counted, dollars in rows]


def fixed_costs(idle: Idle) -> list[tuple[str, str, float]]:
    """(item, basis, dollars per year per tenant): the schedules' runs of a year, and what the
    demo tenant's stack costs while idle, priced from its template (fixed_cost.py) for an
    account shared with other tenants."""
    hourly = sum(s.hourly for s in wiring.SCHEDULES)
    runs = sum(runs_a_year(s) for s in wiring.SCHEDULES)
    idle_runs = sum(idle.runs.values())
    stack = fixed_cost.lines(fixed_cost.template_resources("demo"), fixed_cost.emf_metrics())
    return [
        (
            "EventBridge Scheduler",
            f"{runs:,} runs: {hourly} schedule hourly, {len(wiring.SCHEDULES) - hourly} daily",
            runs * PRICE["scheduler_invocation"],
        ),
        (
            "Schedule runs with nothing to do",
            f"{idle_runs:,} Lambda invocations, {idle.gb_seconds:,.0f} GB-s,"
            f" {idle.read_units:,.0f} read units",
            idle_runs * PRICE["lambda_request"]
            + idle.gb_seconds * PRICE["lambda_gb_second"]
            + idle.read_units * PRICE["read_unit"]
            + idle.write_units * PRICE["write_unit"],
        ),
        *((line.item, line.basis, line.shared_account) for line in stack),
    ]


def table(title: str, header: tuple[str, str, str], rows: list[tuple[str, str, float]]) -> None:
    print(f"\n**{title}**\n")
    print(f"| {header[0]} | {header[1]} | {header[2]} |\n|---|---|---|")
    for name, basis, dollars in rows:
        print(f"| {name} | {basis} | ${dollars:,.2f} |")
    print(f"| **total** | | **${sum(d for *_, d in rows):,.2f}** |")


def emails_by_kind(emails: Counter[str], scale: float) -> list[tuple[str, str, float]]:
    """(kind, how many were sent, dollars per year for 1,000 participants), most first."""
    return [(kind, f"{n:,}", n * PRICE["email"] * scale) for kind, n in emails.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.monotonic()
    year = simulate_year(args.people, args.seed)
    scale = 1000 / args.people
    people = f"{args.people:,} people ({year.signed_up:,} signed up)"
    print(f"## Cost: a program year simulated for {people}, scaled to 1,000")
    idle = ", ".join(f"{n:,} {name}" for name, n in year.idle.runs.items())
    print(f"\nSchedule runs with nothing to do, counted from one of each: {idle}.")
    variable = variable_costs(year.usage, scale)
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
        "Emails by kind",
        ("kind", f"sent for {args.people:,} people", "$ per 1,000 / year"),
        emails_by_kind(year.emails, scale),
    )
    table(
        "Per tenant per year, whatever its size",
        ("item", "basis", "$ / year"),
        fixed_costs(year.idle),
    )
    print(f"\n({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
