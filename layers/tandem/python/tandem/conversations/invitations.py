"""Calendar invitations (iCalendar, iTIP over email) for a group's conversations.

One biweekly series per group and quarter, not five separate events: an invitation email can
carry one UID only (Outlook and others import just the first of several), and a series written
in local time with its TZID and VTIMEZONE keeps the same local time across daylight saving in
the zone of whoever picked the slot. A moved session is an update of that occurrence only
(RECURRENCE-ID), cancelled sessions are METHOD:CANCEL; both raise the SEQUENCE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vRecur

from tandem.model.participant import Participant
from tandem.model.plan import Plan, Session
from tandem.model.slots import CONVERSATION
from tandem.model.tenant import Tenant

PRODID = "-//Tandem//peer coaching//EN"


@dataclass(frozen=True)
class Invitation:
    method: str  # REQUEST or CANCEL
    text: str  # the iCalendar object

    @property
    def content_type(self) -> str:
        return f"text/calendar; method={self.method}; charset=UTF-8"


def series(
    plan: Plan, tenant: Tenant, attendees: Sequence[Participant], now: datetime
) -> Invitation:
    """The whole series, as it stands (moved sessions as overrides, cancelled ones excluded)."""
    assert plan.slot is not None
    zone = ZoneInfo(plan.slot.timezone)
    master = _event(plan, tenant, attendees, now, plan.slot.first, zone)
    master.add("rrule", vRecur(freq="WEEKLY", interval=2, count=plan.slot.count))
    originals = dict(zip((s.number for s in plan.sessions), plan.slot.starts, strict=True))
    for session in plan.sessions:
        if session.cancelled:
            master.add("exdate", originals[session.number].astimezone(zone))
    events = [master] + [
        _override(plan, tenant, attendees, now, s, originals[s.number])
        for s in plan.sessions
        if s.moved and not s.cancelled
    ]
    return _calendar("REQUEST", events)


def moved(
    plan: Plan, tenant: Tenant, attendees: Sequence[Participant], session: Session, now: datetime
) -> Invitation:
    """The update of one moved session: its occurrence only, at its new time."""
    assert plan.slot is not None
    original = plan.slot.starts[session.number - plan.first_session]
    return _calendar("REQUEST", [_override(plan, tenant, attendees, now, session, original)])


def cancelled(
    plan: Plan,
    tenant: Tenant,
    attendees: Sequence[Participant],
    now: datetime,
    sessions: Sequence[Session] | None = None,
) -> Invitation:
    """The cancellation of some sessions (each occurrence), or of the whole series."""
    assert plan.slot is not None
    zone = ZoneInfo(plan.slot.timezone)
    if sessions is None:
        event = _event(plan, tenant, attendees, now, plan.slot.first, zone)
        event.add("rrule", vRecur(freq="WEEKLY", interval=2, count=plan.slot.count))
        events = [event]
    else:
        events = [
            _override(
                plan, tenant, attendees, now, s, plan.slot.starts[s.number - plan.first_session]
            )
            for s in sessions
        ]
    for event in events:
        event["status"] = "CANCELLED"
    return _calendar("CANCEL", events)


def _calendar(method: str, events: list[Event]) -> Invitation:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return Invitation(method, calendar.to_ical().decode())


def _event(
    plan: Plan,
    tenant: Tenant,
    attendees: Sequence[Participant],
    now: datetime,
    starts: datetime,
    zone: ZoneInfo,
) -> Event:
    event = Event()
    event.add("uid", plan.calendar_uid(tenant.name))
    event.add("sequence", plan.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", starts.astimezone(zone))
    event.add("dtend", (starts + CONVERSATION).astimezone(zone))
    names = " & ".join(p.known_as for p in attendees)
    event.add("summary", f"Peer coaching: {names}")
    event.add(
        "description",
        "Your peer coaching conversation: one hour, online (one of you sends a video link). "
        "The guide with this session's four questions arrives by email the day before.",
    )
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{tenant.sender}")
    organizer.params["CN"] = tenant.sender_name
    event.add("organizer", organizer)
    for person in attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params.update(
            {
                "CN": person.name,
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "TRUE",
            }
        )
        event.add("attendee", attendee)
    return event


def _override(
    plan: Plan,
    tenant: Tenant,
    attendees: Sequence[Participant],
    now: datetime,
    session: Session,
    original: datetime,
) -> Event:
    assert plan.slot is not None
    zone = ZoneInfo(plan.slot.timezone)
    event = _event(plan, tenant, attendees, now, session.starts, zone)
    event.add("recurrence-id", original.astimezone(zone))
    return event
