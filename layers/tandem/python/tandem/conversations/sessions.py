"""A group's quarter, as its members run it from their links: pick the recurring slot (and the
topic track), move one session, or stop for the quarter. Each change is stored conditionally on
the plan's version the member saw, and announced to the group by email with the calendar
update it makes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tandem.conversations import reminders
from tandem.conversations.quarter import Quarter, next_session, stranded
from tandem.model import guides
from tandem.model.calendar import Cycle
from tandem.model.jobs import RematchJob
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.participant import Participant
from tandem.model.plan import Plan, Session
from tandem.model.slots import (
    NOTICE,
    Slot,
    best_first,
    recurring_slots,
    shared_windows,
    whole_hours,
)
from tandem.model.tenant import Tenant
from tandem.store import matches, plans, queues
from tandem.store.settings import Setting

LATE_START = timedelta(weeks=1)  # a group that missed its first week starts a week later


class Changed(Exception):
    """The plan changed since the member saw it (another member acted): show it again."""


class TooLate(Exception):
    """What the member asked for is in the past: the first session (or that one) has begun."""


class NotOffered(ValueError):
    """The time asked for is not one the page offered (or no longer fits everyone)."""


class TooSoon(NotOffered):
    """The time asked for starts within NOTICE of now: it was offered by a page left open."""


def slot_options(q: Quarter, person: Participant, tenant: Tenant, now: datetime) -> list[Slot]:
    """The recurring slots in the person's own time zone that fit everyone on every session's
    real date, starting NOTICE from now at the soonest: in the group's first conversation week,
    or the week after once it has gone."""
    week = q.cycle.conversation_weeks[q.plan.first_session - 1]
    zones = _timezones(q, person)
    for start in (week, week + LATE_START):
        found = recurring_slots(
            zones, person.timezone, start, q.plan.count, tenant.matching.workday, now + NOTICE
        )
        if found:
            return found
    return []


def slot_choices(
    q: Quarter, person: Participant, tenant: Tenant, now: datetime
) -> tuple[list[Slot], list[Slot]]:
    """The slot options as a phone shows them: the few best first, the rest one step away."""
    options = slot_options(q, person, tenant, now)
    return best_first(
        options,
        lambda slot: slot.starts,
        _timezones(q, person),
        tenant.matching.workday,
        person.timezone,
    )


def _timezones(q: Quarter, person: Participant) -> list[str]:
    return [person.timezone, *(p.timezone for p in q.partners)]


def can_pick(plan: Plan, now: datetime) -> bool:
    """A slot can be (re)picked until the first session starts."""
    return plan.slot is None or plan.sessions[0].starts > now


def pick(
    person: Participant,
    q: Quarter,
    first: datetime,
    track: str,
    seen: int,
    tenant: Tenant,
    now: datetime,
) -> Plan:
    """Stores the slot starting at `first` (one of the options) and the track, and sends every
    member the calendar invitation. Changed if the plan moved on since version `seen`."""
    if q.plan.version != seen:
        raise Changed(q.plan.group)
    if not can_pick(q.plan, now):
        raise TooLate(q.plan.group)
    slot = next((s for s in slot_options(q, person, tenant, now) if s.first == first), None)
    if slot is None:
        raise _refusal(first, now)
    if track not in guides.tracks():
        raise NotOffered(track)
    changed = q.plan.changed(slot=slot, picked_by=person.id, picked_at=now, track=track, moved={})
    stored = _save(changed, now)
    queues.send_mail(
        MailRequest.about_plan(MailKind.INVITATION, m, stored, version=stored.sequence)
        for m in stored.active
    )
    return stored


def move_options(
    q: Quarter, person: Participant, session: Session, tenant: Tenant, now: datetime
) -> list[datetime]:
    """Whole hours in the session's week or the week after when everyone is at work, in the
    person's time zone, NOTICE from now at the soonest; its current time excluded."""
    local = session.starts.astimezone(ZoneInfo(person.timezone))
    week = local.date() - timedelta(days=local.weekday())
    zones = _timezones(q, person)
    options = [
        starts
        for monday in (week, week + timedelta(weeks=1))
        for window in shared_windows(zones, monday, tenant.matching.workday)
        for starts in whole_hours(window, person.timezone)
    ]
    taken = {s.starts for s in q.plan.sessions}
    return [o for o in options if o > now + NOTICE and o not in taken]


def move_choices(
    q: Quarter, person: Participant, session: Session, tenant: Tenant, now: datetime
) -> tuple[list[datetime], list[datetime]]:
    """The move options as a phone shows them: the few best first, the rest one step away."""
    options = move_options(q, person, session, tenant, now)
    return best_first(
        options,
        lambda starts: [starts],
        _timezones(q, person),
        tenant.matching.workday,
        person.timezone,
    )


def move(
    person: Participant,
    q: Quarter,
    number: int,
    starts: datetime,
    seen: int,
    tenant: Tenant,
    now: datetime,
) -> Plan:
    """Moves one session to `starts` (one of its options) and sends everyone its update."""
    if q.plan.version != seen:
        raise Changed(q.plan.group)
    session = q.plan.session(number)
    if session is None or session.cancelled or session.starts <= now:
        raise TooLate(q.plan.group)
    if starts not in move_options(q, person, session, tenant, now):
        raise _refusal(starts, now)
    stored = _save(q.plan.changed(moved={**q.plan.moved, number: starts}), now)
    queues.send_mail(
        MailRequest.about_plan(
            MailKind.SESSION_MOVED, m, stored, session=number, version=stored.sequence
        )
        for m in stored.active
    )
    return stored


def _refusal(asked: datetime, now: datetime) -> NotOffered:
    """Why a time is not among the options: too soon (a page left open), or never offered
    (a time without its UTC offset is no time at all)."""
    too_soon = asked.tzinfo is not None and asked <= now + NOTICE
    return (TooSoon if too_soon else NotOffered)(asked.isoformat())


def stop(person_id: str, plan: Plan, now: datetime, seen: int | None = None) -> Plan | None:
    """The person stops for the quarter (or left the program): their sessions are cancelled in
    their calendar and the others are told. A group left with too few to carry on (one member
    of a pair or trio; two of a circle) has its remaining sessions cancelled, and who remains
    has priority next quarter and may ask for a new partner now. None if they were not in the
    group any more, or once its conversations are over: then nothing is left to cancel, tell or
    make up for."""
    if seen is not None and plan.version != seen:
        raise Changed(plan.group)
    if person_id not in plan.active or plan.over(now):
        return None
    remaining = [m for m in plan.active if m != person_id]
    upcoming = plan.upcoming(now)
    changes: dict[str, object] = {"dropped": plan.dropped | {person_id}}
    carries_on = len(remaining) >= plan.quorum
    if not carries_on and upcoming:
        changes["cancelled_from"] = upcoming[0].number
    stored = _save(plan.changed(**changes), now)
    if not carries_on:
        reason = "your circle stopped" if plan.circle else "your partner left"
        for member in remaining:
            matches.save_sat_out(plan.cycle, plan.band, member, reason)
    requests = [
        MailRequest.about_plan(MailKind.PARTNER_LEFT, m, stored, version=stored.sequence)
        for m in remaining
    ]
    if stored.slot is not None:
        requests.append(
            MailRequest.about_plan(
                MailKind.CANCELLATION, person_id, stored, version=stored.sequence
            )
        )
    queues.send_mail(requests)
    return stored


WITHDRAW_ATTEMPTS = 5


def withdraw(person_id: str, cycle: str, now: datetime) -> bool:
    """Stops a person who left in their group of the cycle, if it still lists them, reading the
    plan again whenever another change got there first (a member's, the reminders'). True once
    nothing is left to do; False if the plan kept changing, for the hourly sweep to finish."""
    for _ in range(WITHDRAW_ATTEMPTS):
        outcome = matches.outcome(person_id, cycle)
        plan = plans.get(cycle, outcome.group) if outcome and outcome.group else None
        if plan is None:
            return True
        try:
            stop(person_id, plan, now)
        except Changed:
            continue
        return True
    return False


def ask_rematch(person: Participant, cycle: Cycle, now: datetime) -> None:
    """Puts a person whose group stopped (their partners left) in the band's pool for a new
    partner; the band matcher pairs the pool for the rest of the quarter, circle members too (a
    new circle could not form mid-quarter). NotOffered if their group carries on, TooLate when
    no session of the quarter is left to hold."""
    plan = stranded(person, cycle.id)
    if plan is None:
        raise NotOffered(person.id)
    if next_session(cycle, now) is None:
        raise TooLate(plan.group)
    matches.ask_rematch(cycle.id, plan.band, person.id, now)
    queues.send(
        Setting.BAND_QUEUE, [RematchJob(cycle=cycle.id, band=plan.band, asked_by=person.id)]
    )


def _save(plan: Plan, now: datetime) -> Plan:
    try:
        return plans.save(plan, due=reminders.next_due(plan, now))
    except plans.Conflict:
        raise Changed(plan.group) from None
