"""A message as it leaves: headers, a plain text and an HTML body from the kind's templates."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from tandem.conversations.invitations import Invitation
from tandem.model import calendar, purpose
from tandem.model.mail_request import REPLIES_TO_LEADS, MailRequest
from tandem.model.participant import Participant
from tandem.model.tenant import Contact, Tenant
from tandem.views.render import template

# Headers are folded only past RFC 5322's hard limit: folding a long link would turn it into an
# RFC 2047 encoded word, which mail providers do not read as the List-Unsubscribe URL.
_POLICY = policy.default.clone(max_line_length=998)


def compose(
    request: MailRequest,
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
        "descriptions": purpose.DESCRIPTIONS,
        "next_cycle": calendar.next_cycle(tenant, now),
        # How the person's band meets, for what the program promises before any group is made
        "band_format": tenant.format_for(participant.level),
        **extra,
    }
    # Mail about meeting is answered by the partners (a slot, running late); the rest by HR.
    # The footer says which.
    context["reply_partners"] = (
        [] if request.kind in REPLIES_TO_LEADS else extra.get("partners", [])
    )
    repliers = [(p.name, p.email) for p in context["reply_partners"]] or [
        (c.name, c.email) for c in tenant.hr_contacts
    ]
    message = _headers(request, context, _address(participant.name, participant.email), now)
    message["Reply-To"] = [_address(name, address) for name, address in repliers]
    # One-click unsubscribe (RFC 8058) leaves the program: the leave page accepts this POST.
    message["List-Unsubscribe"] = f"<{links['leave']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Every text part ends with the same footer, as the HTML part's base template does.
    _bodies(message, request, context, footer=template("mail/_footer.txt").render(context))
    invitation: Invitation | None = extra.get("calendar")
    if invitation is not None:
        # Beside the two bodies, so calendar clients show it as an invitation to answer.
        message.add_alternative(
            invitation.text,
            subtype="calendar",
            params={"method": invitation.method},
            cte="quoted-printable",
        )
    return message


def compose_for_lead(
    request: MailRequest, lead: Contact, tenant: Tenant, now: datetime, **extra: Any
) -> EmailMessage:
    """Mail to a program lead: no program links, nothing to unsubscribe from."""
    context = {"lead": lead, "tenant": tenant, "links": {}, **extra}
    message = _headers(request, context, _address(lead.name, lead.email), now)
    _bodies(message, request, context)
    return message


def _headers(
    request: MailRequest, context: dict[str, Any], to: Address, now: datetime
) -> EmailMessage:
    tenant: Tenant = context["tenant"]
    text = template(f"mail/{request.kind}.txt")
    message = EmailMessage(policy=_POLICY)
    message["Date"] = format_datetime(now)
    message["Subject"] = text.make_module(context).subject  # type: ignore[attr-defined]
    # Address objects, not formataddr: a name with an accent becomes an encoded word, and
    # formataddr then leaves "<...>" in the rest of the name as another address SES would use.
    message["From"] = _address(tenant.sender_name, tenant.sender)
    message["To"] = to
    # What the mail is about, for the sender's own tooling (the local outbox, SES logs): no
    # personal data.
    message["X-Tandem-Kind"] = request.kind.value
    # The intent, hashed: it names participants by id. Two messages with one value are one
    # email sent twice.
    message["X-Tandem-Mail-Id"] = hashlib.sha256(request.mail_id.encode()).hexdigest()[:20]
    if request.cycle:
        message["X-Tandem-Cycle"] = request.cycle
    if request.session:
        message["X-Tandem-Session"] = str(request.session)
    return message


def _bodies(
    message: EmailMessage, request: MailRequest, context: dict[str, Any], footer: str = ""
) -> None:
    # Quoted-printable: 7-bit safe whatever the line length the headers allow.
    kind = request.kind
    text = template(f"mail/{kind}.txt").render(context)
    if footer:
        text = text.rstrip("\n") + "\n" + footer
    message.set_content(text, cte="quoted-printable")
    # The subject titles the HTML part: a screen reader announces the title first.
    html = template(f"mail/{kind}.html").render({**context, "subject": message["Subject"]})
    message.add_alternative(html, subtype="html", cte="quoted-printable")


def _address(name: str, email: str) -> Address:
    # From its parts, not parsed: an address SES will refuse still reaches SES, which says so.
    username, _, domain = email.partition("@")
    return Address(name, username, domain)
