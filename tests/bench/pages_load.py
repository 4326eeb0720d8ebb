"""Page load bench: concurrent submissions of the "how did it go?" form on the local runtime,
distinct and duplicate; checks in the store that each is recorded once and none is lost, and
prints a markdown table.

    python -m tests.bench.pages_load [--people 48] [--requests 1000] [--workers 64] [--json FILE]

The company goes through the doors people use (devtools/simulation/year.py): HR's roster, every
invitee signs up, the quarter is matched, each group picks a slot on its page, and the
reminders schedule runs once every group's first conversation is over, so each member has a
"how did it go?" email. Then, in rounds, everyone answers the form its link opens, all at once
from a pool of threads: an answer sent once, a double tap (the same answer sent 2-4 times at
once) or two tabs (two different answers, each sent once or twice, both on the version the page
showed). Each answer's pledge is worded its own way, so the store says whose answer it holds.
After each round the next starts from the version the page shows then, as a person's next visit
would.

What counts, per form and round (one write is expected: no one else writes these items):
- recorded: a copy answered 200 ("your answers are recorded");
- answered conflict: a copy answered 409 "already recorded" showing the answer the store kept,
  as a second tap or a stale tab is; the person sees what was kept, so nothing is lost silently;
- doubled: the form recorded more than once in the round (a second 200, or its version advanced
  by more than one);
- lost: an answer answered 200 that the store does not hold after the round, or a form that
  none of its copies recorded.

The local runtime runs one invocation at a time, like a single Lambda instance: this measures
requests arriving at once, queued by the runtime, not handlers racing each other. What makes
racing handlers safe in AWS is the write's condition on the version the page showed (and
DynamoDB applying it atomically), forced into its worst interleavings by
tests/integration/test_races.py, test_redelivery.py and, for this form, the test of a tab that
loses a race in test_conversations.py. Latency is from the request leaving to its answer,
queueing behind the other requests included, on the embedded AWS; the pages function's own
mean time per request is reported beside it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import timedelta
from html import escape
from pathlib import Path

from devtools.local_runtime import outbox
from devtools.local_runtime.runtime import LocalRuntime
from devtools.local_runtime.usage import Usage
from devtools.simulation import browser, year
from infra import tenant_files, wiring
from tandem.model import calendar
from tandem.store import feedback_answers, participants
from tandem.store import plans as plans_store

PAGES = wiring.PARTICIPANT_PAGES.name
SESSION = 1
RECORDED = "your answers are recorded"
ALREADY_RECORDED = "Your answer was already recorded"


@dataclass(frozen=True)
class Form:
    """One person's "how did it go?" form, and where the store keeps its answer."""

    link: str
    cycle: str
    group: str
    participant: str


@dataclass(frozen=True)
class Submission:
    """One answer as sent: the form's fields, with the version the page showed, sent `copies`
    times at once."""

    form: Form
    fields: dict[str, str]
    copies: int

    @property
    def pledge(self) -> str:
        return self.fields["pledge"]


@dataclass(frozen=True)
class Answered:
    submission: Submission
    status: int
    page: str
    seconds: float

    @property
    def recorded(self) -> bool:
        return self.status == 200 and RECORDED in self.page

    def conflict_showing(self, kept: str) -> bool:
        """A 409 that says the answer was already recorded and shows the one kept."""
        return self.status == 409 and ALREADY_RECORDED in self.page and escape(kept) in self.page


@dataclass(frozen=True)
class Result:
    people: int
    rounds: int
    requests: int
    distinct: int
    duplicates: int
    ok: int
    client_errors: int
    conflicts: int  # answered conflicts: 409s showing the answer kept
    server_errors: int
    lost: int
    doubled: int
    seconds: float
    p50_ms: float
    p99_ms: float
    handler_ms: float  # mean time in the pages function, the rest of a latency is queueing

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def after_first_session(runtime: LocalRuntime, people: int, seed: int) -> list[Form]:
    """A company whose groups have held their first conversation: everyone's feedback form."""
    tenant = runtime.tenant
    company = year.Simulation(runtime, tenant, seed)
    company.upload_roster(year.roster_rows(tenant, people, seed))
    company.sign_up(rate=1.0)
    cycle = calendar.cycle(tenant, company.next_quarter().cycle)
    company.pick_slots(cycle)
    plans = [p for p in plans_store.of_cycle(cycle.id) if p.slot is not None]
    # An hour after the last first conversation ends, before any second one starts: one run
    # sends every "how did it go?" about the first, and those forms stay open during the load.
    over = max(first.ends for p in plans if (first := p.session(SESSION)))
    company.run_schedule_at("reminders", over + timedelta(hours=1))
    where = {pid: (plan.group, pid) for plan in plans for pid in plan.active}
    address = {p.email: pid for pid, p in participants.get_many(where).items()}
    return [
        Form(email.link("feedback"), cycle.id, *where[address[email.to[0]]])
        for email in outbox.sent_emails()
        if email.kind == "after_session" and email.session == SESSION
    ]


def submissions(
    form: Form, seen: int, rng: random.Random, numbers: Iterator[int], budget: int
) -> list[Submission]:
    """What the form's person sends in one round, in at most `budget` requests: one answer
    sent once, a double tap, or two tabs with different answers."""

    def answer(copies: int) -> Submission:
        theme, pledge = rng.choice(year.PLEDGES)
        fields = {
            "version": str(seen),
            "held": "yes",
            "helpfulness": str(rng.randint(1, 5)),
            "pledge": f"{pledge} ({next(numbers)})",
            "theme": theme,
        }
        return Submission(form, fields, copies)

    draw = rng.random()
    if draw < 0.4 or budget < 2:
        return [answer(1)]
    if draw < 0.8:
        return [answer(min(rng.randint(2, 4), budget))]
    tabs = [answer(rng.randint(1, 2)) for _ in range(2)]
    if tabs[0].copies + tabs[1].copies > budget:
        return [answer(1), answer(1)]
    return tabs


def send(submission: Submission) -> Answered:
    started = time.monotonic()
    page = browser.post(submission.form.link, submission.fields)
    return Answered(submission, page.status, page.html, time.monotonic() - started)


@dataclass(frozen=True)
class Outcome:
    lost: int
    doubled: int
    conflicts: int  # answered conflicts
    version: int  # what the page shows after the round


def judge(form: Form, seen: int, answered: list[Answered]) -> Outcome:
    """A form's round, against what the store holds after it (see the module's definitions)."""
    stored = feedback_answers.get(form.cycle, form.group, SESSION, form.participant)
    version = stored.version if stored else 0
    kept = stored.pledge if stored and stored.pledge else ""
    recorded = [a for a in answered if a.recorded]
    lost = len({a.submission.pledge for a in recorded} - {kept}) + (not recorded)
    doubled = max(len(recorded) - 1, version - seen - 1, 0)
    conflicts = sum(a.conflict_showing(kept) for a in answered) if kept else 0
    return Outcome(lost, doubled, conflicts, version)


def one_round(
    pool: ThreadPoolExecutor,
    seen: dict[Form, int],
    rng: random.Random,
    numbers: Iterator[int],
    budget: int,
) -> list[Answered]:
    """Everyone's answers of one round, every copy in flight at once, within `budget` requests."""
    sent: list[Submission] = []
    for form in rng.sample(list(seen), len(seen)):
        left = budget - sum(s.copies for s in sent)
        if left <= 0:
            break
        sent += submissions(form, seen[form], rng, numbers, left)
    copies = [s for s in sent for _ in range(s.copies)]
    rng.shuffle(copies)  # copies of one answer arrive among the others, not in a row
    return list(pool.map(send, copies))


def load(forms: list[Form], requests: int, workers: int, seed: int, usage: Usage) -> Result:
    """Rounds of concurrent submissions until `requests` have been sent, each round judged."""
    invoked, busy = usage.invocations[PAGES], usage.seconds[PAGES]
    rng = random.Random(seed)
    numbers = iter(range(1, requests + 1))
    seen = dict.fromkeys(forms, 0)
    answered: list[Answered] = []
    outcomes: list[Outcome] = []
    rounds, seconds = 0, 0.0
    with ThreadPoolExecutor(workers) as pool:
        while len(answered) < requests:
            rounds += 1
            started = time.monotonic()
            this_round = one_round(pool, seen, rng, numbers, requests - len(answered))
            seconds += time.monotonic() - started
            answered += this_round
            by_form: defaultdict[Form, list[Answered]] = defaultdict(list)
            for a in this_round:
                by_form[a.submission.form].append(a)
            for form, answers in by_form.items():
                outcomes.append(judge(form, seen[form], answers))
                seen[form] = outcomes[-1].version
    statuses = Counter(a.status // 100 for a in answered)
    latencies = [a.seconds * 1000 for a in answered]
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    distinct = len({a.submission.pledge for a in answered})
    return Result(
        people=len(forms),
        rounds=rounds,
        requests=len(answered),
        distinct=distinct,
        duplicates=len(answered) - distinct,
        ok=statuses[2],
        client_errors=statuses[4],
        conflicts=sum(o.conflicts for o in outcomes),
        server_errors=statuses[5],
        lost=sum(o.lost for o in outcomes),
        doubled=sum(o.doubled for o in outcomes),
        seconds=seconds,
        p50_ms=percentiles[49],
        p99_ms=percentiles[98],
        handler_ms=(usage.seconds[PAGES] - busy) / (usage.invocations[PAGES] - invoked) * 1000,
    )


def run(people: int, requests: int, workers: int, seed: int) -> Result:
    tenant = tenant_files.tenant("demo")
    with year.running(tenant) as runtime:
        forms = after_first_session(runtime, people, seed)
        return load(forms, requests, workers, seed, runtime.usage)


def table(result: Result, workers: int) -> str:
    r = result
    return "\n".join(
        (
            f"\n**{r.requests:,} submissions of the feedback form by {r.people} people,"
            f" {workers} in flight at once, on the local runtime ({r.rounds} rounds)**\n",
            "| requests | distinct | duplicates | 2xx | 4xx (answered conflicts) | 5xx | lost"
            " | doubled | requests/s | p50 ms | p99 ms | handler ms (mean) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {r.requests:,} | {r.distinct:,} | {r.duplicates:,} | {r.ok:,}"
            f" | {r.client_errors:,} ({r.conflicts:,}) | {r.server_errors} | {r.lost} | {r.doubled}"
            f" | {r.throughput:.1f} | {r.p50_ms:.0f} | {r.p99_ms:.0f} | {r.handler_ms:.0f} |",
            "\nThe local runtime runs one invocation at a time (one Lambda instance), so a request"
            " waits for those ahead of it: latency is mostly that queue, the handler's own time is"
            " the last column. This proves no lost or doubled answer and no 5xx when requests"
            " arrive at once; handlers racing in AWS are covered by the writes' conditions"
            " (tests/integration/test_races.py, test_redelivery.py, test_conversations.py).",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=48)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=64, help="requests in flight at once")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the result here, for a test")
    args = parser.parse_args()
    result = run(args.people, args.requests, args.workers, args.seed)
    print(table(result, args.workers))
    if args.json:
        args.json.write_text(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
