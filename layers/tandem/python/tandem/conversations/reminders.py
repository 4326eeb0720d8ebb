"""The hourly `reminders` schedule: for every group, the nudge to pick a slot, for each session
the reminder the day before and "how did it go?" once it is over, one check-in with a group
whose members marked two sessions in a row as not held, and after the last session the
quarter's pulse, with one reminder a week later to whoever has not answered.

Plans with something due sit in an index by the time it is due (see tandem.store.plans), so a
run queries what is due rather than scanning. Each reminder is recorded on the plan once
queued, and its mail id names the person and session, so it goes out once however often or
late the schedule runs; a late run never sends the day-before reminder of a session that has
begun.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from tandem.conversations import feedback, pulse
from tandem.model import calendar
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.plan import Plan
from tandem.model.tenant import Tenant
from tandem.store import plans, queues

BEFORE = timedelta(days=1)
# After a session, how long its members have to say whether they met before the group, having
# missed two in a row, is asked how it wants to go on (once a quarter).
CHECK_AFTER = timedelta(days=2)
# The pulse goes out a day after the last session rather than with its "how did it go?": that
# one is about the conversation just held and is best answered first, on its own; the pulse,
# about the whole quarter, loses nothing by waiting a day.
PULSE_AFTER = timedelta(days=1)
PULSE_REMINDER_AFTER = timedelta(days=7)


def next_due(plan: Plan, now: datetime) -> datetime | None:
    """When the plan next has something to send; None when it has nothing left."""
    if not plan.carries_on:
        return None
    if plan.slot is None:
        return None if "nudge" in plan.reminded else plan.nudge_at
    due = []
    for session in plan.sessions:
        if session.cancelled:
            continue
        if f"before:{session.number}" not in plan.reminded and session.starts > now:
            due.append(session.starts - BEFORE)
        if f"after:{session.number}" not in plan.reminded:
            due.append(session.ends)
        if _checks(plan, session.number):
            due.append(session.ends + CHECK_AFTER)
    last = pulse.last_session(plan)
    if last is not None and "pulse" not in plan.reminded:
        due.append(last.ends + PULSE_AFTER)
    elif last is not None and "pulse_reminder" not in plan.reminded:
        due.append(last.ends + PULSE_AFTER + PULSE_REMINDER_AFTER)
    return min(due, default=None)


def _checks(plan: Plan, number: int) -> bool:
    """Whether the two-sessions-not-held check after session `number` is still to be done."""
    return (
        number > plan.first_session
        and f"check:{number}" not in plan.reminded
        and "not_meeting" not in plan.reminded
    )


def due_now(plan: Plan, now: datetime) -> tuple[list[MailRequest], frozenset[str]]:
    """The mail due for the plan's members at `now`, and the marks that record it (a day-before
    reminder of a session already begun is marked without being sent)."""
    requests: list[MailRequest] = []
    marks: set[str] = set()
    members = plan.active if plan.carries_on else ()
    if plan.slot is None and "nudge" not in plan.reminded and plan.nudge_at <= now:
        marks.add("nudge")
        requests += [MailRequest.about_plan(MailKind.SLOT_NUDGE, m, plan) for m in members]
    for session in plan.sessions:
        if session.cancelled:
            continue
        before, after = f"before:{session.number}", f"after:{session.number}"
        if before not in plan.reminded and session.starts - BEFORE <= now:
            marks.add(before)
            if session.starts > now:
                requests += [
                    MailRequest.about_plan(MailKind.BEFORE_SESSION, m, plan, session.number)
                    for m in members
                ]
        if after not in plan.reminded and session.ends <= now:
            marks.add(after)
            requests += [
                MailRequest.about_plan(MailKind.AFTER_SESSION, m, plan, session.number)
                for m in members
            ]
        if _checks(plan, session.number) and session.ends + CHECK_AFTER <= now:
            marks.add(f"check:{session.number}")
            n = session.number
            if "not_meeting" not in marks and not (
                feedback.held(plan, n - 1) or feedback.held(plan, n)
            ):
                marks.add("not_meeting")
                requests += [MailRequest.about_plan(MailKind.NOT_MEETING, m, plan) for m in members]
    last = pulse.last_session(plan)
    if last is not None and last.ends + PULSE_AFTER <= now and "pulse" not in plan.reminded:
        marks.add("pulse")
        requests += [MailRequest.about_plan(MailKind.PULSE, m, plan) for m in members]
    # Only once the pulse was recorded as sent by an earlier run: never both in one.
    elif (
        last is not None
        and last.ends + PULSE_AFTER + PULSE_REMINDER_AFTER <= now
        and "pulse_reminder" not in plan.reminded
    ):
        marks.add("pulse_reminder")
        unanswered = pulse.unanswered(plan) if members else []
        requests += [MailRequest.about_plan(MailKind.PULSE_REMINDER, m, plan) for m in unanswered]
    return requests, frozenset(marks)


def run(tenant: Tenant, now: datetime) -> dict[str, Any]:
    """Queues everything due (in batches), then records it on each plan. A crash in between
    only queues it again next hour, and the mail ids keep it from going out twice."""
    current = calendar.current_cycle(tenant, now)
    # The quarter under way, the one before (its last sessions' reminders) and the next (the
    # eve of its first session falls before the quarter's official start).
    cycles = [
        *calendar.earlier_cycles(tenant, current, 1),
        current.id,
        calendar.next_cycle(tenant, now).id,
    ]
    requests: list[MailRequest] = []
    done: list[tuple[Plan, frozenset[str]]] = []
    for cycle in cycles:
        for plan in plans.due(cycle, now):
            queued, marks = due_now(plan, now)
            requests += queued
            done.append((plan, marks))
    queues.send_mail(requests)
    for plan, marks in done:
        marked = replace(plan, reminded=plan.reminded | marks)
        try:
            plans.save(marked, due=next_due(marked, now))
        except plans.Conflict:  # changed meanwhile: the next run sees it afresh
            continue
    counts: dict[str, int] = {}
    for request in requests:
        counts[request.kind] = counts.get(request.kind, 0) + 1
    return {"plans": len(done), "queued": counts} if done else {}
