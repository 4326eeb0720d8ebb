"""Email: what may be sent to whom, and how a message is composed.

Every email is a MailRequest on the mail queue. Its `mail_id` names the intent ("invite/<id>"),
so asking twice, or a redelivered message, never sends twice. Messages carry ids, not addresses
or links: the mailer reads the participant when it sends, so a person who left meanwhile gets
nothing, and links are signed at the last moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from tandem import groups, program, settings
from tandem import purpose as purpose_profile
from tandem.links import Links, link_tokens
from tandem.participants import Participant, Status
from tandem.store import cycles as cycles_store
from tandem.store import email as email_store
from tandem.store import participants as participants_store
from tandem.store import queues
from tandem.templates import template
from tandem.tenant import Tenant


class MailKind(StrEnum):
    INVITE = "invite"  # the personal signup link
    WELCOME = "welcome"  # after signup: the profile, how the program runs, the self-service links
    LINKS = "links"  # fresh links, asked for from an expired-link page
    NOTICE = "notice"  # a week before matching: the date, and how to pause this one
    KICKOFF = "kickoff"  # matched: who the partner is and what the quarter looks like
    UNMATCHED = "unmatched"  # no partner this quarter: why, and priority next time


# Who each kind is for: a person who left gets nothing, an invite is moot once signed up.
_FOR_STATUS = {
    MailKind.INVITE: {Status.INVITED},
    MailKind.LINKS: {Status.INVITED, Status.ACTIVE},
} | {
    kind: {Status.ACTIVE}
    for kind in (MailKind.WELCOME, MailKind.NOTICE, MailKind.KICKOFF, MailKind.UNMATCHED)
}


class MailRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mail_id: str
    kind: MailKind
    participant_id: str
    cycle: str | None = None  # for the mail about one quarter

    @classmethod
    def _once(
        cls, kind: MailKind, participant_id: str, *scope: str, cycle: str | None = None
    ) -> MailRequest:
        mail_id = "/".join((kind, *scope, participant_id))
        return cls(mail_id=mail_id, kind=kind, participant_id=participant_id, cycle=cycle)

    @classmethod
    def invite(cls, participant_id: str) -> MailRequest:
        return cls._once(MailKind.INVITE, participant_id)

    @classmethod
    def welcome(cls, participant_id: str) -> MailRequest:
        return cls._once(MailKind.WELCOME, participant_id)

    @classmethod
    def fresh_links(cls, participant_id: str, now: datetime) -> MailRequest:
        """At most one a day per person, however often the form is sent."""
        return cls._once(MailKind.LINKS, participant_id, now.date().isoformat())

    @classmethod
    def about_cycle(cls, kind: MailKind, participant_id: str, cycle: str) -> MailRequest:
        """A notice, kickoff or unmatched mail: one per person and cycle."""
        return cls._once(kind, participant_id, cycle, cycle=cycle)


def enqueue(requests: Iterable[MailRequest]) -> int:
    """Puts the requests on the mail queue; the mailer sends each intent once."""
    return queues.send(settings.Setting.MAIL_QUEUE, requests)


def applies_to(kind: MailKind, participant: Participant) -> bool:
    return participant.status in _FOR_STATUS[kind]


def compose(
    kind: MailKind,
    participant: Participant,
    tenant: Tenant,
    links: dict[str, str],
    now: datetime,
    **extra: Any,
) -> EmailMessage:
    context = {
        "participant": participant,
        "tenant": tenant,
        "links": links,
        "descriptions": purpose_profile.DESCRIPTIONS,
        "next_cycle": program.next_cycle(tenant, now),
        **extra,
    }
    text = template(f"mail/{kind}.txt")
    message = EmailMessage()
    message["Date"] = format_datetime(now)
    message["Subject"] = text.make_module(context).subject  # type: ignore[attr-defined]
    message["From"] = formataddr((tenant.sender_name, tenant.sender))
    message["To"] = formataddr((participant.name, participant.email))
    # A kickoff is answered by the partners, to agree on a slot; anything else by HR.
    repliers = [(p.name, p.email) for p in extra.get("partners", [])] or [
        (c.name, c.email) for c in tenant.hr_contacts
    ]
    message["Reply-To"] = ", ".join(formataddr(r) for r in repliers)
    # One-click unsubscribe (RFC 8058) leaves the program: the leave page accepts this POST.
    message["List-Unsubscribe"] = f"<{links['leave']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text.render(context))
    message.add_alternative(template(f"mail/{kind}.html").render(context), subtype="html")
    return message


def deliver(request: MailRequest, now: datetime) -> str | None:
    """Sends one request and returns SES's message id; None when it no longer applies."""
    participant = participants_store.get(request.participant_id)
    if participant is None or not applies_to(request.kind, participant):
        return None
    tenant = settings.tenant()
    context = _context(request, participant, tenant)
    if context is None:
        return None
    links = Links(settings.setting(settings.Setting.LINK_BASE), link_tokens())
    message = compose(
        request.kind, participant, tenant, links.for_participant(participant.id), now, **context
    )
    message_id = email_store.send(message)
    if request.kind in (MailKind.KICKOFF, MailKind.UNMATCHED):
        cycles_store.mark_announced(participant.id, str(request.cycle), now)
    return message_id


def _context(
    request: MailRequest, participant: Participant, tenant: Tenant
) -> dict[str, Any] | None:
    """What a kind of mail says beyond the participant: the cycle, partners, the reason."""
    if request.cycle is None:
        return {}
    cycle = program.cycle(tenant, request.cycle)
    if request.kind is MailKind.NOTICE:
        return {"cycle": cycle}
    outcome = cycles_store.outcome(participant.id, cycle.id)
    if outcome is None or outcome.announced:
        return None
    partners = groups.partners(outcome)
    if outcome.partners and not partners:
        return None
    return {"cycle": cycle, "partners": partners, "reason": outcome.reason}
