"""Bounces and complaints: SES's notifications for the tenant's configuration set.

A permanent bounce or a complaint means mail must stop going to that address: the person is
marked (the mailer drops their mail from then on, reminders included), and their partners are
told while the quarter's sessions are still ahead, since the person will not get the reminders
and guides. A transient bounce (a full mailbox, a server down) changes nothing: SES retried it.
A redelivered notification does the same again, and the mail ids keep anything from going out
twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from tandem.conversations.quarter import quarter_of
from tandem.model import calendar
from tandem.model.mail_request import MailRequest
from tandem.model.participant import MailBlock, participant_id
from tandem.model.tenant import Tenant
from tandem.store import participants, queues


class _Recipient(BaseModel):
    emailAddress: str


class _Bounce(BaseModel):
    bounceType: Literal["Permanent", "Transient", "Undetermined"]
    bouncedRecipients: list[_Recipient]


class _Complaint(BaseModel):
    complainedRecipients: list[_Recipient]


class SesEvent(BaseModel):
    """What SES publishes for a configuration set's event destination (the parts used here)."""

    eventType: str
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None

    def unreachable(self) -> tuple[MailBlock, list[str]] | None:
        """Why and which addresses mail must stop going to; None if it need not."""
        if self.bounce is not None and self.bounce.bounceType == "Permanent":
            return MailBlock.BOUNCED, [r.emailAddress for r in self.bounce.bouncedRecipients]
        if self.complaint is not None:
            return MailBlock.COMPLAINED, [
                r.emailAddress for r in self.complaint.complainedRecipients
            ]
        return None


def handle(event: SesEvent, tenant: Tenant, now: datetime) -> dict[str, int]:
    """Counts of people marked and of partner emails queued (nothing if none)."""
    found = event.unreachable()
    if found is None:
        return {}
    reason, addresses = found
    marked = told = 0
    for address in addresses:
        # Addresses are stored in lower case, and a person's id derives from theirs.
        person = participants.block_mail(participant_id(address.lower()), reason, now)
        if person is None:  # not a participant (any more)
            continue
        marked += 1
        quarter = quarter_of(person, calendar.current_cycle(tenant, now).id, tenant)
        # Sessions are affected while some are ahead, or not yet set: the group has not picked.
        if quarter is None or not (quarter.plan.slot is None or quarter.plan.upcoming(now)):
            continue
        told += queues.send_mail(
            MailRequest.partner_unreachable(partner.id, quarter.plan, person.id)
            for partner in quarter.partners
        )
    return {"marked": marked, "partners_told": told}
