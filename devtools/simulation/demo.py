"""`make demo`: a synthetic company's program on the embedded AWS, narrated: HR uploads a
roster, employees sign up from their invitations, then a year of quarters runs on the program
calendar, each played through to the answers after its last conversation (see
devtools/simulation/year.py for the steps)."""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path

import boto3

from devtools.local_runtime import ADDRESS, outbox
from devtools.local_runtime.idp import console_users
from devtools.local_runtime.runtime import LocalRuntime
from devtools.simulation import population
from devtools.simulation import year as simulation
from devtools.simulation.year import QUARTERS, ROSTER_KEY, Played, Simulation
from infra import tenant_files
from tandem.model import bucket_layout
from tandem.model.participant import Status
from tandem.model.plan import is_circle
from tandem.model.tenant import Tenant
from tandem.store import participants

SIGNUP_RATE = 0.95  # the rest have not got round to it yet; one of them opts out instead
PAUSING = 3  # people who pause the second quarter through their link
MOVERS = 2  # people who move one session each quarter
DEMO_OUT = Path("demo-out")
HEADLINES = (
    "participants",
    "relationships_formed",
    "conversations_held",
    "completion_rate",
    "impact_rate",
    "helpfulness_mean",
    "ongoing_intent_rate",
    "fulfilment_mean",
)


def run(tenant_name: str, people: int, seed: int) -> int:
    started = time.monotonic()
    tenant = tenant_files.tenant(tenant_name)
    least = population.smallest(tenant.levels)
    if people < least:
        print(
            f"tandem demo: --people {people} is too few for tenant {tenant.name}: at least "
            f"{least} (someone in each department at each level above the first)",
            file=sys.stderr,
        )
        return 2
    print(f"Starting the embedded AWS for {people} people of a synthetic company...")
    with simulation.running(tenant) as runtime:
        assert runtime.resources is not None
        up = time.monotonic()
        company = Simulation(runtime, tenant, seed)
        print(f"Tandem demo: {tenant.organization} (tenant {tenant.name}) on the embedded AWS")
        where = f"API {runtime.api_url} · AWS {runtime.aws.endpoint}"
        print(f"  {where} · bucket {runtime.resources.bucket}\n")

        rows = simulation.roster_rows(tenant, people, seed)
        # Two mistakes HR makes, to show the results file.
        level = rows[0][3]
        rows.insert(
            40, ["sam.lee@@northwind", "Sam Lee", "Sales", level, "Europe/Paris", "", "Paris"]
        )
        rows.append(
            [
                f"alex.moon@{tenant.sender.partition('@')[2]}",
                "Alex Moon",
                "Sales",
                level,
                "Mars/Olympus",
                "",
                "",
            ]
        )
        print(
            f"1. HR uploads {ROSTER_KEY} ({len(rows)} rows), as with: aws s3 cp roster.csv s3://{runtime.resources.bucket}/roster/"
        )
        results = company.upload_roster(rows)
        counts = Counter(r["outcome"] for r in results)
        print(
            f"   {bucket_layout.roster_results(ROSTER_KEY)}: "
            + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        )
        for r in results:
            if r["outcome"] == "rejected":
                print(f"     line {r['line']} {r['email']}: {r['detail']}")
        print(f"   {len(company.emails_with_link('/signup/'))} invitation emails sent")

        print("2. Employees open their invitation on their phone and sign up")
        signups = company.sign_up(SIGNUP_RATE)
        welcomes = company.emails_with_link("/profile/", "You're signed up")
        done = f"{signups.signed_up} signed up, {signups.opted_out} opted out"
        print(f"   {done}, {signups.waiting} not yet")
        print(f"   {len(welcomes)} welcome emails sent")

        _purpose_mix(tenant)

        year_starts = time.monotonic()
        year = play_year(company)
        year_ends = time.monotonic()
        kickoffs = sum(e.kind == "kickoff" for e in outbox.sent_emails())
        # Downloaded: the embedded bucket is gone once the demo exits.
        previews = _download(
            runtime.resources.bucket, bucket_layout.PREVIEWS, DEMO_OUT / bucket_layout.PREVIEWS
        )
        print(f"   {kickoffs} kickoff emails; HR's matching previews in {previews}/")
        _report_answers(year)
        _export_year(runtime, [played.quarter.cycle for played in year])
    ended = time.monotonic()
    print(
        f"\nDone in {ended - started:.0f} s: the embedded AWS up in {up - started:.0f} s, "
        f"roster and signups {year_starts - up:.0f} s, the year {year_ends - year_starts:.0f} s, "
        f"its answers and exports {ended - year_ends:.0f} s."
    )
    _console_sign_in(tenant)
    return 0


def _console_sign_in(tenant: Tenant) -> None:
    """Where the program leads' console is on a local run, and the sign-ins it seeds."""
    lead, viewer = console_users(tenant)
    # The demo's embedded AWS is gone once it ends: the local run starts a tenant of its own.
    print("\nTry it yourself: `make serve` runs the demo tenant, empty, on the embedded AWS")
    print("  (docs/walkthrough.md takes it from a roster to a quarter); its console:")
    print(f"  open {ADDRESS}/console and sign in as {lead.email}, password {lead.password}")
    print(f"  (or as a viewer: {viewer.email}, password {viewer.password})")


def play_year(company: Simulation) -> list[Played]:
    """The year as the simulation plays it (a few people pause the second quarter, a few move a
    session every quarter), then what each quarter came to."""
    print(f"4. {QUARTERS} quarters: a notice a week ahead, matching per band, kickoff emails, then")
    print("   slots picked on the page, a few sessions moved, reminders when due, answers")
    print(
        "   quarter  matched  pairs  trios  circles  unmatched  paused  repeats"
        "  slots  moved  reminders"
    )
    seen: set[frozenset[str]] = set()
    year = []
    for played in company.play_year(movers=MOVERS, pausing=PAUSING):
        year.append(played)
        quarter = played.quarter
        matched = sum(len(members) for members in quarter.groups)
        sizes = Counter(len(members) for members in quarter.groups)
        # A circle band's circles beside the pairs, by size: "4+4+5".
        circles = "+".join(sorted(str(len(m)) for m in quarter.groups if is_circle(m))) or "-"
        repeats = len(quarter.pairs & seen)
        seen |= quarter.pairs
        sent = played.conversations.sent
        reminders = sum(sent.get(k, 0) for k in ("slot_nudge", "before_session", "after_session"))
        print(
            f"   {quarter.cycle:<8} {matched:>7} {sizes[2]:>6} {sizes[3]:>6} {circles:>8}"
            f" {quarter.unmatched:>10} {quarter.paused:>7} {repeats:>8}"
            f" {played.conversations.picked:>6} {played.conversations.moved:>6} {reminders:>10}"
        )
    # Why, so that a band that cannot meet again without repeats is not a mystery.
    sat_out = sum((played.quarter.sat_out for played in year), Counter[str]())
    for reason, people in sat_out.most_common():
        times = "once" if people == 1 else f"{people} times"
        print(f"   left out {times} over the year: {reason}")
    return year


def _report_answers(year: list[Played]) -> None:
    figures = simulation.figures([played.quarter.cycle for played in year])
    print('5. The year\'s answers to "how did it go?", as the pages recorded them')
    print(
        f"   {figures.answers} answers, one per person and conversation: "
        f"{figures.held / max(1, figures.answers):.0%} said it was held, "
        f"helpfulness {figures.helpfulness:.2f} of 5 on average"
    )
    print("   (the exports count a conversation as held when one of its group says so)")
    print(
        f"   {figures.pledges} pledges made; of {figures.checked_in} check-ins "
        f"{figures.completion:.1%} done, and {figures.impact_rate:.1%} of those done had an impact"
    )


def _export_year(runtime: LocalRuntime, cycles: list[str]) -> None:
    """The bucket's exports/, which the schedule wrote quarter by quarter (each with its year
    to date), downloaded as HR would."""
    assert runtime.resources is not None
    data = runtime.resources.bucket
    folder = _download(data, bucket_layout.EXPORTS, DEMO_OUT / "exports")
    print(f"6. HR's exports, as with: aws s3 cp --recursive s3://{data}/exports/ {folder}")
    year = cycles[-1].split("-")[0]
    with (folder / year / "summary.csv").open(encoding="utf-8-sig", newline="") as summary:
        everyone = {r["metric"]: r for r in csv.DictReader(summary) if r["scope"] == "all"}
    print("   the year's headline figures (summary.csv; hidden when about too few people):")
    for metric in HEADLINES:
        row = everyone[metric]
        print(f"   {metric:<22} {row['value'] or 'hidden: ' + row['reason']}")
    print(f"   the year's report: {folder / year / 'report.html'}")


def _download(bucket_name: str, prefix: str, into: Path) -> Path:
    """Every object under `prefix`, to the same relative paths under `into`."""
    s3 = boto3.client("s3")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name, Prefix=prefix):
        for item in page.get("Contents", []):
            target = into / item["Key"].removeprefix(prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket_name, item["Key"], str(target))
    return into


def _purpose_mix(tenant: Tenant) -> None:
    """How many answered, not what: a pattern most people hold alone is their own answer, which
    HR sees only counted among at least min_group people (in the report)."""
    signed_up = [p for level in tenant.levels for p in participants.in_level(level, Status.ACTIVE)]
    patterns = {p.purpose.pattern for p in signed_up if p.purpose}
    answered = sum(p.purpose is not None for p in signed_up)
    print(f"3. Purpose profiles: {answered} of {len(signed_up)} answered the questionnaire")
    print(f"   {len(patterns)} of the 24 patterns among them; HR sees the mix only in its report,")
    print("   for patterns held by enough people")
