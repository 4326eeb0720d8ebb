"""`make demo`: a synthetic company joins the program on the embedded AWS, through the same
doors real people use: HR uploads a roster to the bucket, employees open the invite emails and
sign up on the real pages; then four quarters of matching run on the program calendar."""

from __future__ import annotations

import csv
import io
import json
import random
import socket
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from itertools import combinations

import boto3

from infra import tenant_files
from infra.local import browser, outbox
from infra.local.population import Employee, company
from infra.local.runtime import LocalRuntime
from infra.local.server import serve_in_background
from tandem import cycles as cycles_domain
from tandem import program
from tandem.clock import clock
from tandem.csvfiles import to_csv
from tandem.participants import Status
from tandem.roster import REQUIRED, results_key
from tandem.store import cycles, participants
from tandem.tenant import Tenant

START = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
ROSTER_KEY = "roster/employees-2027.csv"
SIGNUP_RATE = 0.95  # the rest have not got round to it yet; one of them opts out instead


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(tenant_name: str, people: int, seed: int) -> int:
    started = time.monotonic()
    tenant = tenant_files.tenant(tenant_name)
    api_port = free_port()
    runtime = LocalRuntime(tenant, api_port=api_port, aws_port=free_port())
    runtime.start()
    server = serve_in_background(runtime, api_port)
    try:
        clock.set(START)
        assert runtime.resources is not None
        print(f"Tandem demo: {tenant.organization} (tenant {tenant.name}) on the embedded AWS")
        where = f"API {runtime.api_url} · AWS {runtime.aws.endpoint}"
        print(f"  {where} · bucket {runtime.resources.bucket}\n")
        employees = company(
            people, tenant.levels, domain=tenant.sender.partition("@")[2], seed=seed
        )
        _upload_roster(runtime, employees)
        _sign_up(runtime, random.Random(seed))
        _purpose_mix(tenant)
        _four_quarters(runtime, tenant, random.Random(seed))
    finally:
        server.shutdown()
        runtime.stop()
    print(f"\nDone in {time.monotonic() - started:.0f} s.")
    return 0


def _upload_roster(runtime: LocalRuntime, employees: list[Employee]) -> None:
    rows = [e.roster_row() for e in employees]
    # Two mistakes HR makes, to show the results file.
    rows.insert(
        40, ["sam.lee@@northwind", "Sam Lee", "Sales", rows[0][3], "Europe/Paris", "", "Paris"]
    )
    rows.append(
        [
            "alex.moon@" + rows[0][0].partition("@")[2],
            "Alex Moon",
            "Sales",
            rows[0][3],
            "Mars/Olympus",
            "",
            "",
        ]
    )
    data = to_csv((*REQUIRED, "location"), rows)
    assert runtime.resources is not None
    bucket = runtime.resources.bucket
    print(
        f"1. HR uploads {ROSTER_KEY} ({len(rows)} rows), as with: aws s3 cp roster.csv s3://{bucket}/roster/"
    )
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key=ROSTER_KEY, Body=data)
    runtime.wait_until_idle()
    result = s3.get_object(Bucket=bucket, Key=results_key(ROSTER_KEY))["Body"].read().decode()
    results = list(csv.DictReader(io.StringIO(result)))
    counts = Counter(r["outcome"] for r in results)
    print(
        f"   {results_key(ROSTER_KEY)}: "
        + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    )
    for r in results:
        if r["outcome"] == "rejected":
            print(f"     line {r['line']} {r['email']}: {r['detail']}")
    print(f"   {len(_emails_with_link('/signup/'))} invitation emails sent")


def _emails_with_link(fragment: str) -> list[outbox.SentEmail]:
    return [e for e in outbox.sent_emails() if any(fragment in link for link in e.links)]


def _sign_up(runtime: LocalRuntime, rng: random.Random) -> None:
    print("2. Employees open their invitation on their phone and sign up")
    invitations = [
        e for e in _emails_with_link("/signup/") if e.subject.startswith("You're invited")
    ]
    signed_up = left = 0
    for email in invitations:
        signup = next(link for link in email.links if "/signup/" in link)
        if rng.random() > SIGNUP_RATE:
            if not left:  # one person opts out through the leave link instead
                leave = next(link for link in email.links if "/leave/" in link)
                left += _expect(browser.post(leave, {}), "You have left the program")
            continue
        form = browser.get(signup).form()
        answers = {question: rng.choice(options) for question, options in form.choices.items()}
        signed_up += _expect(
            browser.post(signup, {**form.values, **answers}), "Your purpose profile"
        )
    runtime.wait_until_idle()
    welcomes = [e for e in outbox.sent_emails() if e.subject.startswith("You're signed up")]
    waiting = len(invitations) - signed_up - left
    print(f"   {signed_up} signed up, {left} opted out, {waiting} not yet")
    print(f"   {len(welcomes)} welcome emails sent")


def _expect(page: browser.Page, text: str) -> int:
    if page.status != 200 or text not in page.html:
        raise RuntimeError(f"unexpected page ({page.status}) instead of {text!r}")
    return 1


def _purpose_mix(tenant: Tenant) -> None:
    signed_up = [p for level in tenant.levels for p in participants.in_level(level, Status.ACTIVE)]
    patterns = Counter(p.purpose.pattern for p in signed_up if p.purpose)
    print(f"3. Purpose profiles: {len(patterns)} of the 24 patterns among {len(signed_up)} people")
    top = max(patterns.values(), default=1)
    for pattern, n in patterns.most_common(8):
        print(f"   {pattern:<34} {n:>3} {'#' * round(20 * n / top)}")
    for axis in ("who", "why", "how"):
        drivers = Counter(str(getattr(p.purpose, axis)) for p in signed_up if p.purpose)
        print(f"   {axis.upper():<4}" + ", ".join(f"{d} {n}" for d, n in drivers.most_common()))


PAUSING = 3  # people who pause the second quarter through their link


def _post(runtime: LocalRuntime, path: str) -> dict[str, object]:
    request = urllib.request.Request(runtime.api_url + path, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        result: dict[str, object] = json.load(response)
        return result


def _at(runtime: LocalRuntime, moment: datetime) -> None:
    _post(runtime, "/_local/clock?" + urllib.parse.urlencode({"now": moment.isoformat()}))


def _four_quarters(runtime: LocalRuntime, tenant: Tenant, rng: random.Random) -> None:
    print("4. Four quarters: a notice a week ahead, then matching per band and kickoff emails")
    print("   quarter  matched  groups  trios  unmatched  paused  repeats")
    seen: set[frozenset[str]] = set()
    for quarter in range(4):
        cycle = program.next_cycle(tenant, clock.now())
        if quarter == 1:
            _pause_some(rng)
        _at(runtime, cycle.notice_from + timedelta(hours=1))
        _post(runtime, "/_local/schedules/matching")
        runtime.wait_until_idle()
        _at(runtime, cycle.starts + timedelta(minutes=5))
        _post(runtime, "/_local/schedules/matching")
        runtime.wait_until_idle(timeout_s=300)
        groups = list(cycles.groups(cycle.id))
        pairs = {frozenset(pair) for g in groups for pair in combinations(g.members, 2)}
        paused = sum(
            1
            for level in tenant.levels
            for p in participants.in_level(level, Status.ACTIVE)
            if cycle.id in p.paused_cycles
        )
        matched = sum(len(g.members) for g in groups)
        trios = sum(len(g.members) == 3 for g in groups)
        unmatched = len(list(cycles.unmatched(cycle.id)))
        repeats = len(pairs & seen)
        print(
            f"   {cycle.id:<8} {matched:>7} {len(groups):>7} {trios:>6} {unmatched:>10}"
            f" {paused:>7} {repeats:>8}"
        )
        seen |= pairs
    kickoffs = sum(
        e.subject.startswith("Meet your peer coaching partner") for e in outbox.sent_emails()
    )
    print(
        f"   {kickoffs} kickoff emails; HR previews in s3://.../{cycles_domain.preview_key('<quarter>')}"
    )


def _pause_some(rng: random.Random) -> None:
    """A few people pause the coming quarter from the link in their welcome email."""
    welcomes = [e for e in outbox.sent_emails() if e.subject.startswith("You're signed up")]
    for email in rng.sample(welcomes, PAUSING):
        pause = next(link for link in email.links if "/pause/" in link)
        _expect(browser.post(pause, {"action": "pause"}), "You are paused for next quarter")
