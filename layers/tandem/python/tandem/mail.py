"""Email: what may be sent to whom, and how a message is composed.

Every email is a MailRequest on the mail queue. Its `mail_id` names the intent ("invite/<id>"),
so asking twice, or a redelivered message, never sends twice. Messages carry ids, not addresses
or links: the mailer reads the participant when it sends, so a person who left meanwhile gets
nothing, and links are signed at the last moment.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from tandem import program, settings
from tandem import purpose as purpose_profile
from tandem.links import Links, link_tokens
from tandem.participants import Participant, Status
from tandem.store import email as email_store
from tandem.store import participants as participants_store
from tandem.templates import template
from tandem.tenant import Tenant


class MailKind(StrEnum):
    INVITE = "invite"  # the personal signup link
    WELCOME = "welcome"  # after signup: the profile, how the program runs, the self-service links
    LINKS = "links"  # fresh links, asked for from an expired-link page


# Who each kind is for: a person who left gets nothing, an invite is moot once signed up.
_FOR_STATUS = {
    MailKind.INVITE: {Status.INVITED},
    MailKind.WELCOME: {Status.ACTIVE},
    MailKind.LINKS: {Status.INVITED, Status.ACTIVE},
}


class MailRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mail_id: str
    kind: MailKind
    participant_id: str

    @classmethod
    def invite(cls, participant_id: str) -> MailRequest:
        return cls(
            mail_id=f"invite/{participant_id}", kind=MailKind.INVITE, participant_id=participant_id
        )

    @classmethod
    def welcome(cls, participant_id: str) -> MailRequest:
        return cls(
            mail_id=f"welcome/{participant_id}",
            kind=MailKind.WELCOME,
            participant_id=participant_id,
        )

    @classmethod
    def fresh_links(cls, participant_id: str, now: datetime) -> MailRequest:
        """At most one a day per person, however often the form is sent."""
        return cls(
            mail_id=f"links/{participant_id}/{now.date().isoformat()}",
            kind=MailKind.LINKS,
            participant_id=participant_id,
        )


def applies_to(kind: MailKind, participant: Participant) -> bool:
    return participant.status in _FOR_STATUS[kind]


def compose(
    kind: MailKind, participant: Participant, tenant: Tenant, links: dict[str, str], now: datetime
) -> EmailMessage:
    context = {
        "participant": participant,
        "tenant": tenant,
        "links": links,
        "descriptions": purpose_profile.DESCRIPTIONS,
        "next_cycle": program.next_cycle(tenant, now),
    }
    text = template(f"mail/{kind}.txt")
    message = EmailMessage()
    message["Date"] = format_datetime(now)
    message["Subject"] = text.make_module(context).subject  # type: ignore[attr-defined]
    message["From"] = formataddr((tenant.sender_name, tenant.sender))
    message["To"] = formataddr((participant.name, participant.email))
    message["Reply-To"] = ", ".join(formataddr((c.name, c.email)) for c in tenant.hr_contacts)
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
    links = Links(settings.setting(settings.Setting.LINK_BASE), link_tokens())
    message = compose(
        request.kind, participant, settings.tenant(), links.for_participant(participant.id), now
    )
    return email_store.send(message)
