"""`make demo`: a synthetic company's program on the embedded AWS, narrated: HR uploads a
roster, employees sign up from their invitations, then four quarters of matching run on the
program calendar (see infra/local/simulation.py for the steps)."""

from __future__ import annotations

import random
import time
from collections import Counter

from infra import tenant_files
from infra.local import outbox, simulation
from infra.local.simulation import ROSTER_KEY
from tandem import program
from tandem.cycles import preview_key
from tandem.participants import Status
from tandem.roster import results_key
from tandem.store import participants
from tandem.tenant import Tenant

SIGNUP_RATE = 0.95  # the rest have not got round to it yet; one of them opts out instead
PAUSING = 3  # people who pause the second quarter through their link
MOVERS = 4  # people who move one session of the first quarter
PLAYED_WEEKS = 2  # of the first quarter, day by day: its first conversation


def run(tenant_name: str, people: int, seed: int) -> int:
    started = time.monotonic()
    tenant = tenant_files.tenant(tenant_name)
    rng = random.Random(seed)
    with simulation.running(tenant) as runtime:
        assert runtime.resources is not None
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
        results = simulation.upload_roster(runtime, rows)
        counts = Counter(r["outcome"] for r in results)
        print(
            f"   {results_key(ROSTER_KEY)}: "
            + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        )
        for r in results:
            if r["outcome"] == "rejected":
                print(f"     line {r['line']} {r['email']}: {r['detail']}")
        print(f"   {len(simulation.emails_with_link('/signup/'))} invitation emails sent")

        print("2. Employees open their invitation on their phone and sign up")
        signups = simulation.sign_up(runtime, rng, SIGNUP_RATE)
        welcomes = simulation.emails_with_link("/profile/", "You're signed up")
        done = f"{signups.signed_up} signed up, {signups.opted_out} opted out"
        print(f"   {done}, {signups.waiting} not yet")
        print(f"   {len(welcomes)} welcome emails sent")

        _purpose_mix(tenant)

        print("4. Four quarters: a notice a week ahead, then matching per band and kickoff emails")
        print("   quarter  matched  groups  trios  unmatched  paused  repeats")
        seen: set[frozenset[str]] = set()
        conversations = None
        for number in range(4):
            if number == 1:
                simulation.pause_coming_quarter(rng, PAUSING)
            quarter = simulation.next_quarter(runtime, tenant)
            if number == 0:  # the first quarter is played through, session by session
                cycle = program.cycle(tenant, quarter.cycle)
                conversations = simulation.play_conversations(
                    runtime, cycle, rng, MOVERS, PLAYED_WEEKS
                )
            matched = sum(len(members) for members in quarter.groups)
            trios = sum(len(members) == 3 for members in quarter.groups)
            repeats = len(quarter.pairs & seen)
            seen |= quarter.pairs
            print(
                f"   {quarter.cycle:<8} {matched:>7} {len(quarter.groups):>7} {trios:>6}"
                f" {quarter.unmatched:>10} {quarter.paused:>7} {repeats:>8}"
            )
        kickoffs = sum(e.kind == "kickoff" for e in outbox.sent_emails())
        print(
            f"   {kickoffs} kickoff emails; HR previews in s3://{runtime.resources.bucket}/{preview_key('<quarter>')}"
        )
        if conversations:
            sent = conversations.sent
            print("5. The first quarter's first two weeks: groups pick a slot on the page, and")
            print("   the hourly reminders schedule runs (here once a day) through a conversation")
            print(
                f"   {conversations.picked} groups picked a slot: {sent.get('invitation', 0)} "
                f"calendar invitations sent"
            )
            print(
                f"   {conversations.moved} sessions moved: "
                f"{sent.get('session_moved', 0)} calendar updates"
            )
            reminders = ", ".join(
                f"{sent.get(kind, 0)} {kind}"
                for kind in ("slot_nudge", "before_session", "after_session")
            )
            print(f"   reminders sent by kind: {reminders}")
            answers = conversations.answers
            held = answers["held:yes"]
            answered = held + answers["held:no"]
            print(
                f"   {answered} answered on the page: {held / max(1, answered):.0%} held, "
                f"helpfulness {answers['helpfulness'] / max(1, held):.1f} of 5, "
                f"{answers['pledges']} pledges made"
            )
    print(f"\nDone in {time.monotonic() - started:.0f} s.")
    return 0


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
