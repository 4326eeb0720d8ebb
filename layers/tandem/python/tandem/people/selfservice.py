"""What a participant does from an emailed link: sign up, update the profile, pause a quarter,
leave; and the two doors for people without a working link: the open signup and "email me
fresh links". Answers never reveal whether an address is known."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from tandem.conversations import sessions
from tandem.links.tokens import InvalidLink, Link
from tandem.model import calendar, purpose
from tandem.model.calendar import Cycle
from tandem.model.mail_request import MailRequest
from tandem.model.participant import (
    Details,
    Participant,
    PersonalDetails,
    Source,
    Status,
    participant_id,
)
from tandem.model.tenant import Tenant
from tandem.model.validation import Invalid, InvalidForm, parse, time_zone
from tandem.store import participants, queues


class Gone(Exception):
    """The participant does not exist or has left: the link leads nowhere any more."""


# What a person reads when a detail they typed is wrong, by field, in the order of the forms.
PROBLEMS = {
    "email": "Please enter your work email address.",
    "name": "Please enter your name (one line, up to 200 characters).",
    "preferred_name": "Please keep the name you go by to one line of up to 200 characters.",
    "department": "Please enter your department (one line, up to 200 characters).",
    "level": "Please choose your level from the list.",
    "timezone": "Please choose your time zone from the list.",
    "manager_email": "Please enter your manager's work email address (not yours), or nothing.",
    "location": "Please keep your location to one line of up to 200 characters.",
}


class Changed(Exception):
    """Changed meanwhile (from another tab): nothing was overwritten."""


def current(pid: str) -> Participant:
    person = participants.get(pid)
    if person is None:
        raise Gone(pid)
    return person


def active(pid: str) -> Participant:
    return in_program(current(pid))


def in_program(person: Participant) -> Participant:
    if person.status is Status.LEFT:
        raise Gone(person.id)
    return person


def holder(link: Link) -> Participant:
    """The person a link names: Gone if there is none, and the link refused as expired if
    their links were revoked after it was signed."""
    person = current(link.participant)
    if link.revoked(person.links_from):
        raise InvalidLink(link.purpose, expired=True)
    return person


def active_holder(link: Link) -> Participant:
    """The holder of the link, while in the program (Gone once they left)."""
    return in_program(holder(link))


def save_profile(
    pid: str, personal: PersonalDetails, answers: Mapping[str, str], now: datetime
) -> tuple[Participant, bool]:
    """Signs up an invited person or updates a signed-up one; returns the participant and
    whether this was the signup, which also sends the welcome email. Raises
    purpose.IncompleteAnswers before changing anything."""
    profile = purpose.score(answers)
    first_time = active(pid).status is Status.INVITED
    try:
        person = participants.save_profile(pid, dataclasses.asdict(personal), profile, answers, now)
    except participants.ConditionFailed:
        raise Gone(pid) from None
    if first_time:
        queues.send_mail([MailRequest.welcome(pid)])
    return person, first_time


def set_paused(pid: str, tenant: Tenant, now: datetime, paused: bool) -> tuple[Participant, Cycle]:
    """Pauses (or resumes) the next quarter; matching resumes by itself after it."""
    cycle = calendar.next_cycle(tenant, now)
    try:
        return participants.set_paused(pid, cycle.id, paused), cycle
    except participants.ConditionFailed:
        raise Gone(pid) from None


def change_timezone(pid: str, fields: Mapping[str, str]) -> Participant:
    """Moves a signed-up person to the time zone chosen, if their zone is still the one the
    page showed (`shown_timezone`); InvalidForm for a zone not in the list, Changed if it
    changed meanwhile. What is offered and sent from then on uses the new zone."""
    try:
        zone = time_zone(fields.get("timezone", ""))
    except ValueError:
        raise InvalidForm({"timezone": PROBLEMS["timezone"]}) from None
    try:
        return participants.set_timezone(pid, zone, fields.get("shown_timezone", ""))
    except participants.ConditionFailed:
        active(pid)  # Gone if they left meanwhile
        raise Changed(pid) from None


def leave(pid: str, tenant: Tenant, now: datetime) -> bool:
    """Leaves the program, and the group of the quarter under way (or about to start) if in
    one; True if this call did it. Leaving twice is leaving once, and finishes what the first
    left undone (a lost answer, a crash, a plan that kept changing)."""
    person = current(pid)
    left_now = False
    if person.status is not Status.LEFT:
        try:
            participants.leave(pid, now)
            left_now = True
        except participants.ConditionFailed:  # left meanwhile, by a concurrent request
            pass  # (when is unknown here: the sweep drops that leave's note)
    _leave_groups(pid, now if left_now else person.left_at, tenant, now)
    return left_now


def finish_leaving(tenant: Tenant, now: datetime) -> int:
    """The hourly sweep: takes everyone noted as leaving out of the groups that still list
    them (a leave whose click died half-way, an erased person's alias). Returns how many it
    looked at."""
    noted = list(participants.leaving())
    for pid, left_at in noted:
        person = participants.get(pid)
        if person is not None and person.status is not Status.LEFT:  # came back meanwhile
            participants.done_leaving(pid, left_at)
        else:
            _leave_groups(pid, left_at, tenant, now)
    return len(noted)


def _leave_groups(pid: str, left_at: datetime | None, tenant: Tenant, now: datetime) -> None:
    cycles = (calendar.current_cycle(tenant, now).id, calendar.next_cycle(tenant, now).id)
    done = [sessions.withdraw(pid, cycle, now) for cycle in cycles]
    if all(done) and left_at is not None:
        participants.done_leaving(pid, left_at)


def rejoin(pid: str) -> Participant:
    """Undoes leaving: back to where the person was (signed up, or still invited)."""
    person = current(pid)
    if person.status is not Status.LEFT:
        return person
    status = Status.ACTIVE if person.joined_at else Status.INVITED
    try:
        return participants.rejoin(pid, status)
    except participants.ConditionFailed:  # rejoined meanwhile, by a concurrent request
        return current(pid)


def join(fields: Mapping[str, str], tenant: Tenant, now: datetime) -> Details:
    """The open signup: a new person gets the same invite a roster would send, so only the
    owner of the address can complete the signup; a known person gets fresh links instead.
    Both take one conditional write and one message, so that the time the answer takes does
    not tell whether the address is known (the mailer drops the links of someone who left).
    Raises InvalidForm with every problem, before changing anything."""
    details = _join_details(fields, tenant)
    person = Participant(
        **dataclasses.asdict(details),
        status=Status.INVITED,
        source=Source.OPEN_SIGNUP,
        invited_at=now,
    )
    if participants.create_if_absent(person):
        request = MailRequest.invite(person.id)
    else:
        request = MailRequest.fresh_links(person.id, now)
    queues.send_mail([request])
    return details


def _join_details(fields: Mapping[str, str], tenant: Tenant) -> Details:
    details, wrong = None, set()
    try:
        details = parse(Details, fields)
    except Invalid as error:
        wrong = error.fields()
    domains = tenant.open_signup.email_domains
    if domains and fields.get("email", "").strip().lower().rpartition("@")[2] not in domains:
        wrong.add("email")
    if fields.get("level") not in tenant.levels:
        wrong.add("level")
    if details is not None and details.manager_email == details.email:
        wrong.add("manager_email")
    if wrong or details is None:
        problems = {field: PROBLEMS[field] for field in PROBLEMS if field in wrong}
        if "email" in problems and domains:
            problems["email"] = f"Please enter your work email address (@{' or @'.join(domains)})."
        raise InvalidForm(problems)
    return details


def request_links(email: str, now: datetime) -> None:
    """Emails fresh links to a current participant. Whoever asks, the same one message is
    queued without a look at the table, so the time the answer takes does not tell whether the
    address is known: the mailer drops the links of anyone unknown or gone."""
    queues.send_mail([MailRequest.fresh_links(participant_id(email), now)])
