"""A synthetic company's program on the local runtime, through the doors real people use: HR's
upload to the bucket, the links in the emails, the real pages, the schedules at their time.
`make demo` narrates it; the cost bench counts what it asks of AWS; the faulted program test
plays it twice and compares.

What it may be asked to do otherwise than in the demo is in `Habits`, its one seam: how people
and the scheduler act when AWS fails them. Beyond the doors, it reads the store
only to narrate (`quarter`, `figures`) and where the scheduler would run for nothing
(`next_reminders_run`: the hourly schedule is run only in the hours it has work).
"""

from __future__ import annotations

import csv
import io
import json
import random
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import boto3

from devtools.local_runtime import outbox
from devtools.local_runtime.runtime import LocalRuntime
from devtools.local_runtime.server import serve_in_background
from devtools.simulation import browser
from devtools.simulation.population import company
from tandem.analytics import exports
from tandem.conversations import reminders
from tandem.model import bucket_layout, calendar
from tandem.model.clock import clock
from tandem.model.participant import Status
from tandem.model.tenant import Tenant
from tandem.people.roster import REQUIRED
from tandem.store import feedback_answers, matches, participants
from tandem.store import plans as plans_store
from tandem.views.csvfiles import to_csv

START = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
ROSTER_KEY = "roster/employees-2027.csv"
QUARTERS = 4
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(tenant: Tenant, *, log_level: str = "WARNING") -> Iterator[LocalRuntime]:
    """The tenant on the embedded AWS, its API served, the clock at the simulation's start;
    the handlers log at `log_level`."""
    api_port = free_port()
    runtime = LocalRuntime(tenant, api_port=api_port, aws_port=free_port(), log_level=log_level)
    runtime.start()
    server = serve_in_background(runtime, api_port)
    try:
        clock.set(START)
        yield runtime
    finally:
        server.shutdown()
        runtime.stop()
        clock.reset()


def roster_rows(tenant: Tenant, people: int, seed: int) -> list[list[str]]:
    domain = tenant.sender.partition("@")[2]
    return [e.roster_row() for e in company(people, tenant.levels, domain=domain, seed=seed)]


@dataclass(frozen=True)
class Habits:
    """How the simulated people and the scheduler act when AWS fails them. The defaults are the
    demo's: nobody tries again, and an error stops the simulation."""

    # Tries after a server error: a person submits the page again, the scheduler runs the
    # schedule again (EventBridge Scheduler's retry policy).
    retries: int = 0
    # Choices that do not depend on when mail arrived: people read their mail in a fixed order
    # (by address, kind and mail id), not the order it was sent in, and each answer draws from
    # its own email's seed, not the next of one sequence that a delayed email would shift.
    steady: bool = False


@dataclass(frozen=True)
class Signups:
    signed_up: int
    opted_out: int
    waiting: int


def expect(page: browser.Page, text: str) -> int:
    if page.status != 200 or text not in page.html:
        raise RuntimeError(f"unexpected page ({page.status}) instead of {text!r}")
    return 1


@dataclass(frozen=True)
class Quarter:
    cycle: str
    groups: list[tuple[str, ...]]
    sat_out: Counter[str]  # the matcher's reason -> how many people it left out for it
    paused: int

    @property
    def unmatched(self) -> int:
        return self.sat_out.total()

    @property
    def pairs(self) -> set[frozenset[str]]:
        return {frozenset(pair) for members in self.groups for pair in combinations(members, 2)}


def quarter(tenant: Tenant, cycle: str) -> Quarter:
    """What the quarter's matching came to, for the narrator."""
    paused = sum(
        cycle in p.paused_cycles
        for level in tenant.levels
        for p in participants.in_level(level, Status.ACTIVE)
    )
    return Quarter(
        cycle,
        [g.members for g in matches.groups(cycle)],
        sat_out=Counter(reason for _, _, reason in matches.unmatched(cycle)),
        paused=paused,
    )


@dataclass(frozen=True)
class Conversations:
    picked: int
    moved: int
    sent: dict[str, int]  # emails of the quarter, by kind


@dataclass(frozen=True)
class Played:
    quarter: Quarter
    conversations: Conversations


# How people answer after a session, around the figures peers publish: 80-83% of pledged
# actions completed, 91% of completed ones reported as impactful.
HELD, DONE, PARTLY, IMPACTFUL = 0.92, 0.815, 0.1, 0.91
PLEDGES = (
    ("Delegation", "Delegate the weekly report and coach whoever takes it"),
    ("Feedback", "Ask my team for one piece of feedback on our meetings"),
    ("Focus", "Block two mornings for focused work and keep them"),
    ("Growth", "Have the career conversation I keep postponing with a direct report"),
    ("Wellbeing", "Leave on time twice a week and say so to the team"),
    ("Relationships", "Have lunch with someone from another department"),
)
# How people answer the end-of-quarter pulse (a judgement, not a published figure): most feel
# fairly fulfilled, and somewhat more than half want to keep meeting their partner.
FULFILMENT = (2, 3, 3, 4, 4, 4, 5)
KEEP_MEETING = 0.87  # "87% yes in one customer"
KEEP_MEETING_EACH = 0.6  # in a circle, the chance to tick each other member (a judgement)
MINUTE = timedelta(minutes=1)


class Simulation:
    """The company's people, HR and the scheduler, acting on a running local runtime (see
    `running`): people's choices come from `seed`, their conduct from `habits`."""

    def __init__(
        self, runtime: LocalRuntime, tenant: Tenant, seed: int, habits: Habits = Habits()
    ) -> None:
        self.runtime = runtime
        self.tenant = tenant
        self.seed = seed
        self.habits = habits
        self.rng = random.Random(seed)

    # What people see and do

    def inbox(self, skip: int = 0) -> list[outbox.SentEmail]:
        """The mail sent so far (without the first `skip` sent), in the order people read it."""
        emails = outbox.sent_emails(skip)
        if self.habits.steady:
            return sorted(emails, key=lambda e: (e.to, e.kind or "", e.mail_id or ""))
        return emails

    def emails_with_link(self, fragment: str, subject: str = "") -> list[outbox.SentEmail]:
        return [
            e
            for e in self.inbox()
            if e.subject.startswith(subject) and any(fragment in link for link in e.links)
        ]

    def draws(self, email: outbox.SentEmail) -> random.Random:
        """Where a person's answer to an email draws its choices from."""
        if self.habits.steady:
            return random.Random(f"{self.seed}:{email.mail_id}")
        return self.rng

    def get(self, url: str) -> browser.Page:
        return self._tried(lambda: browser.get(url), lambda page: page.status >= 500)

    def post(self, url: str, fields: Mapping[str, str | list[str]]) -> browser.Page:
        return self._tried(lambda: browser.post(url, fields), lambda page: page.status >= 500)

    def post_local(self, path: str, body: Any = None) -> dict[str, Any]:
        """A developer endpoint of the runtime (the clock, a schedule's run, an SES event), as
        the scheduler and SES use them; `body` sent as JSON."""
        data = None if body is None else json.dumps(body).encode()

        def attempt() -> dict[str, Any]:
            request = urllib.request.Request(self.runtime.api_url + path, data, method="POST")
            with urllib.request.urlopen(request, timeout=600) as response:
                result: dict[str, Any] = json.load(response)
                return result

        return self._tried(attempt, lambda _: False)

    def _tried(self, attempt: Callable[[], T], failed: Callable[[T], bool]) -> T:
        """The attempt, and as many more after a server error as the habits have."""
        for _ in range(self.habits.retries):
            try:
                result = attempt()
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    raise
                continue
            if not failed(result):
                return result
        return attempt()

    def settle(self, timeout_s: float = 600) -> None:
        """Waits for what the last step set off: until every queue is empty."""
        if not self.runtime.wait_until_idle(timeout_s):
            raise RuntimeError(f"the runtime still had work after {timeout_s:.0f} s")

    # The steps of the year

    def upload_roster(self, rows: list[list[str]]) -> list[dict[str, str]]:
        """HR drops the roster in the bucket; returns its results file's rows."""
        assert self.runtime.resources is not None
        s3 = boto3.client("s3")
        bucket = self.runtime.resources.bucket
        s3.put_object(Bucket=bucket, Key=ROSTER_KEY, Body=to_csv((*REQUIRED, "location"), rows))
        self.settle()
        result = s3.get_object(Bucket=bucket, Key=bucket_layout.roster_results(ROSTER_KEY))
        return list(csv.DictReader(io.StringIO(result["Body"].read().decode("utf-8-sig"))))

    def sign_up(self, rate: float) -> Signups:
        """Each invitee opens the invitation: most sign up with their own answers, the rest do
        not yet, and one of those opts out through the leave link instead."""
        invitations = self.emails_with_link("/signup/", "You're invited")
        signed_up = opted_out = 0
        for email in invitations:
            if self.rng.random() > rate:
                if not opted_out:
                    opted_out += expect(
                        self.post(email.link("leave"), {"action": "leave"}),
                        "You have left the program",
                    )
                continue
            form = self.get(email.link("signup")).form()
            answers = {q: self.rng.choice(options) for q, options in form.choices.items()}
            signed_up += expect(
                self.post(email.link("signup"), {**form.values, **answers}),
                "Your purpose profile",
            )
        self.settle()
        return Signups(signed_up, opted_out, len(invitations) - signed_up - opted_out)

    def pause_coming_quarter(self, people: int) -> None:
        """A few people pause the coming quarter from the link in their welcome email."""
        welcomes = [e for e in self.inbox() if e.subject.startswith("You're signed up")]
        for email in self.rng.sample(welcomes, people):
            expect(
                self.post(email.link("pause"), {"action": "pause"}),
                "You are paused for next quarter",
            )

    def run_schedule_at(self, schedule: str, moment: datetime) -> dict[str, Any]:
        """Moves the clock, runs the schedule as the scheduler would, and waits for what it set
        off."""
        self.post_local("/_local/clock?" + urllib.parse.urlencode({"now": moment.isoformat()}))
        report = self.post_local(f"/_local/schedules/{schedule}")
        if report:
            self.settle(timeout_s=1800)
        return report

    def next_quarter(self) -> Quarter:
        """The notice a week ahead, then the matching at the cycle's start, each by the
        schedule."""
        cycle = calendar.next_cycle(self.tenant, clock.now())
        self.run_schedule_at("matching", cycle.notice_from + timedelta(hours=1))
        self.run_schedule_at("matching", cycle.starts + timedelta(minutes=5))
        return quarter(self.tenant, cycle.id)

    def answer_after_session(self, email: outbox.SentEmail) -> None:
        """A person answers the "how did it go?" email by sending the form its link opens: held
        or not, how helpful, a pledge with its theme and, from the second session, the check-in
        on the last pledge."""
        rng = self.draws(email)
        fields = {"version": "0", "held": "yes" if rng.random() < HELD else "no"}
        if fields["held"] == "yes":
            theme, pledge = rng.choice(PLEDGES)
            helpfulness = rng.choice((3, 4, 4, 5, 5))
            fields |= {"helpfulness": str(helpfulness), "pledge": pledge, "theme": theme}
        if (email.session or 0) > 1:
            draw = rng.random()
            fields["checkin"] = (
                "done" if draw < DONE else "partly" if draw < DONE + PARTLY else "not_done"
            )
            if fields["checkin"] != "not_done":
                fields["impact"] = "yes" if rng.random() < IMPACTFUL else "no"
        expect(self.post(email.link("feedback"), fields), "your answers are recorded")

    def answer_pulse(self, email: outbox.SentEmail) -> None:
        """A person answers the end-of-quarter pulse by sending the form its link opens."""
        rng = self.draws(email)
        fields: dict[str, str | list[str]] = {
            "version": "0",
            "fulfilment": str(rng.choice(FULFILMENT)),
            "ongoing": "yes" if rng.random() < KEEP_MEETING else "no",
        }
        # In a circle the page asks whom to keep meeting instead: tick some of the others.
        circle = self.get(email.link("pulse")).form().choices.get("keep_meeting", [])
        if circle:
            fields["keep_meeting"] = [m for m in circle if rng.random() < KEEP_MEETING_EACH]
        expect(self.post(email.link("pulse"), fields), "your answers are recorded")

    def play_quarter(
        self, cycle: calendar.Cycle, movers: int, silent: frozenset[str] = frozenset()
    ) -> Conversations:
        """The quarter through the doors people use: one member of each group picks a slot on
        the page the kickoff links to, a few move a session from their invitation, then the
        reminders schedule runs whenever something is due and everyone (but the `silent`
        addresses) answers each "how did it go?" and, after the last session, the
        end-of-quarter pulse."""
        read = outbox.count()
        picked = self.pick_slots(cycle)
        moved = self.move_sessions(cycle, movers)
        sent: Counter[str] = Counter()
        while (moment := next_reminders_run(cycle.id, clock.now())) is not None:
            self.run_schedule_at("reminders", moment)
            fresh = self.inbox(skip=read)
            read += len(fresh)
            sent.update(e.kind for e in fresh if e.cycle == cycle.id and e.kind)
            for email in fresh:
                if email.to[0] in silent:
                    continue
                if email.kind == "after_session" and email.cycle == cycle.id:
                    self.answer_after_session(email)
                elif email.kind == "pulse" and email.cycle == cycle.id:
                    self.answer_pulse(email)
        sent.update(e.kind for e in self.inbox(skip=read) if e.cycle == cycle.id and e.kind)
        return Conversations(picked, moved, dict(sent))

    def play_year(
        self, *, movers: int = 1, pausing: int = 0, quarters: int = QUARTERS
    ) -> Iterator[Played]:
        """The year (or its first `quarters`), quarter by quarter on the program calendar: the
        notice a week ahead, matching per band and the kickoffs, the quarter played through
        (play_quarter), then its exports by the daily schedule when due. `pausing` people
        pause the second quarter. Yields each quarter once exported, so a caller can tell it
        as it goes."""
        for number in range(quarters):
            if number == 1 and pausing:
                self.pause_coming_quarter(pausing)
            matched = self.next_quarter()
            cycle = calendar.cycle(self.tenant, matched.cycle)
            conversations = self.play_quarter(cycle, movers)
            self.export_when_due(cycle)
            yield Played(matched, conversations)

    def export_when_due(self, cycle: calendar.Cycle) -> None:
        """The daily `exports` schedule, at the program's time of day, from the day the quarter
        is due until a run reports it exported: a run that failed midway holds the quarter's
        claim, and a later day's run takes it over."""
        day = exports.due_at(self.tenant, cycle).date()
        first_run = datetime.combine(day, self.tenant.calendar.time, ZoneInfo(self.tenant.timezone))
        due = max(first_run, clock.now())
        for late in range(7):
            report = self.run_schedule_at("exports", due + timedelta(days=late))
            if cycle.id in report["exported"]:
                return
        raise RuntimeError(f"{cycle.id} still not exported a week after it was due")

    def pick_slots(self, cycle: calendar.Cycle) -> int:
        picked = 0
        kickoffs = [e for e in self.inbox() if e.kind == "kickoff" and e.cycle == cycle.id]
        for email in kickoffs:
            page = self.get(email.link("schedule"))
            form = page.form()
            if "slot" not in form.choices or "Pick another time" in page.html:
                continue  # a partner picked already, or there is no common slot
            choice = {"slot": self.rng.choice(form.choices["slot"])}
            picked += expect(self.post(email.link("schedule"), {**form.values, **choice}), "Done")
        self.settle()
        return picked

    def move_sessions(self, cycle: calendar.Cycle, movers: int) -> int:
        moved = 0
        invitations = [e for e in self.inbox() if e.kind == "invitation" and e.cycle == cycle.id]
        for email in self.rng.sample(invitations, min(movers, len(invitations))):
            page = self.get(email.link("reschedule") + "?session=2")
            form = page.form()
            if "starts" in form.choices:
                fields = {**form.values, "starts": form.choices["starts"][0]}
                moved += expect(self.post(email.link("reschedule"), fields), "Done")
        self.settle()
        return moved


def next_reminders_run(cycle: str, now: datetime) -> datetime | None:
    """When the hourly schedule next has something to do for the cycle, skipping the hours it
    would find nothing: a minute before the next session that no run has reminded yet (that
    run sends the day-before reminder of every session starting within the day, and "how did
    it go?" for every session over), then, once all have begun, when what is left is due."""
    plans = [plan for plan in plans_store.of_cycle(cycle) if len(plan.active) >= 2]
    starts = [
        session.starts
        for plan in plans
        for session in plan.sessions
        if not session.cancelled and f"before:{session.number}" not in plan.reminded
    ]
    if starts:
        return max(min(starts) - MINUTE, now)
    due = [moment for plan in plans if (moment := reminders.next_due(plan, now))]
    return max(max(due), now + MINUTE) if due else None


@dataclass(frozen=True)
class Figures:
    """What people answered after their sessions, as recorded by the pages."""

    answers: int
    held: int
    helpfulness: float  # mean, among sessions held
    pledges: int
    checked_in: int
    done: int
    impact: int  # of those done, how many had an impact

    @property
    def completion(self) -> float:
        return self.done / max(1, self.checked_in)

    @property
    def impact_rate(self) -> float:
        return self.impact / max(1, self.done)


def figures(cycle_ids: list[str]) -> Figures:
    answers = [
        f
        for cycle in cycle_ids
        for plan in plans_store.of_cycle(cycle)
        for f in feedback_answers.of_group(cycle, plan.group)
    ]
    done = [f for f in answers if f.checkin == "done"]
    rated = [f.helpfulness for f in answers if f.helpfulness is not None]
    return Figures(
        answers=len(answers),
        held=sum(f.held == "yes" for f in answers),
        helpfulness=sum(rated) / max(1, len(rated)),
        pledges=sum(bool(f.pledge) for f in answers),
        checked_in=sum(f.checkin is not None for f in answers),
        done=len(done),
        impact=sum(f.impact == "yes" for f in done),
    )
