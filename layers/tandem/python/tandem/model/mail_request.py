"""Email: what may be sent to whom. Every email is a MailRequest on the mail queue; the mailer
(tandem.mail.delivery) composes and sends it; store.queues.send_mail puts it there.

A request's `mail_id` names the intent ("invite/<id>"), so asking twice, or a redelivered
message, never sends twice. Requests carry ids, not addresses or links: the mailer reads the
participant when it sends, so a person who left meanwhile gets nothing, and links are signed at
the last moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tandem.model.participant import Participant, Status
from tandem.model.plan import Plan
from tandem.model.validation import Strict


class MailKind(StrEnum):
    INVITE = "invite"  # the personal signup link
    WELCOME = "welcome"  # after signup: the profile, how the program runs, the self-service links
    LINKS = "links"  # fresh links, asked for from an expired-link page
    NOTICE = "notice"  # a week before matching: the date, and how to pause this one
    KICKOFF = "kickoff"  # matched: who the partner is and what the quarter looks like
    UNMATCHED = "unmatched"  # no partner this quarter: why, and priority next time
    INVITATION = "invitation"  # a slot was picked: the calendar invitation for the sessions
    SESSION_MOVED = "session_moved"  # one session moved: the update of that session
    CANCELLATION = "cancellation"  # the group's remaining sessions are off
    SLOT_NUDGE = "slot_nudge"  # no slot picked five days after the kickoff
    BEFORE_SESSION = "before_session"  # the day before: when, with whom, the guide
    AFTER_SESSION = "after_session"  # just after: how did it go?
    PARTNER_LEFT = "partner_left"  # a member stopped: what happens to the group
    REMATCHED = "rematched"  # a new partner for the rest of the quarter
    NOT_MEETING = "not_meeting"  # two sessions in a row not held: how to go on
    PARTNER_UNREACHABLE = "partner_unreachable"  # mail to a partner bounces: what to do
    EXPORTS_READY = "exports_ready"  # to a program lead: a quarter's exports, to download
    PULSE = "pulse"  # after the quarter's last session: fulfilment, keep meeting?
    PULSE_REMINDER = "pulse_reminder"  # a week later, to whoever has not answered
    ONGOING_MATCH = "ongoing_match"  # a partner also wants to keep meeting: their address


# Mail asking for a person's own view of the conversations (a reply may be candid about the
# partner), and the cancellation sent to whoever stopped: replies reach the program leads, not
# the partners.
REPLIES_TO_LEADS = frozenset(
    {MailKind.AFTER_SESSION, MailKind.PULSE, MailKind.PULSE_REMINDER, MailKind.CANCELLATION}
)

# Who each kind is for: a person who left gets nothing, an invite is moot once signed up.
_FOR_STATUS = {
    MailKind.INVITE: {Status.INVITED},
    MailKind.LINKS: {Status.INVITED, Status.ACTIVE},
    MailKind.EXPORTS_READY: set(),  # for the program leads, never a participant
} | {
    kind: {Status.ACTIVE}
    for kind in MailKind
    if kind not in (MailKind.INVITE, MailKind.LINKS, MailKind.EXPORTS_READY)
}
# Still tried for an address that bounced or complained: the person just asked for them (signed
# up from a link that reached them, or asked for fresh links), so they are expected, not more of
# what bounced; SES's own suppression list still stops a dead address.
_DESPITE_BLOCK = {MailKind.WELCOME, MailKind.LINKS}


@dataclass(frozen=True, kw_only=True)
class MailRequest(Strict):  # the mailer validates each one it takes off the queue
    mail_id: str
    kind: MailKind
    participant_id: str  # "" for mail to a program lead (hr_contact)
    hr_contact: int | None = None  # which of the tenant's hr_contacts
    cycle: str | None = None  # for the mail about one quarter
    group: str | None = None  # for the mail about one group's conversations (its key)
    session: int | None = None  # for the mail about one of them (1-5)
    partner: str | None = None  # for the mail about one partner of the group

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

    @classmethod
    def about_plan(
        cls,
        kind: MailKind,
        participant_id: str,
        plan: Plan,
        session: int | None = None,
        version: int | None = None,
    ) -> MailRequest:
        """Mail about a group's conversations: once per person and session, or, for what
        changes the calendar, once per person and change (the plan's calendar sequence)."""
        scope = [plan.cycle, plan.group]
        scope += [str(session)] if session is not None else []
        scope += [f"v{version}"] if version is not None else []
        return cls(
            mail_id="/".join((kind, *scope, participant_id)),
            kind=kind,
            participant_id=participant_id,
            cycle=plan.cycle,
            group=plan.group,
            session=session,
        )

    @classmethod
    def exports_ready(cls, hr_contact: int, cycle: str) -> MailRequest:
        """To one program lead, once per quarter."""
        kind = MailKind.EXPORTS_READY
        return cls(
            mail_id=f"{kind}/{cycle}/hr{hr_contact}",
            kind=kind,
            participant_id="",
            hr_contact=hr_contact,
            cycle=cycle,
        )

    @classmethod
    def partner_unreachable(cls, participant_id: str, plan: Plan, unreachable: str) -> MailRequest:
        """To a partner of a person whose address stopped taking mail: once per both."""
        kind = MailKind.PARTNER_UNREACHABLE
        return cls(
            mail_id="/".join((kind, plan.cycle, plan.group, unreachable, participant_id)),
            kind=kind,
            participant_id=participant_id,
            cycle=plan.cycle,
            group=plan.group,
        )

    @classmethod
    def ongoing_match(cls, participant_id: str, plan: Plan, partner: str) -> MailRequest:
        """To one of two members who both want to keep meeting: once per person and partner."""
        kind = MailKind.ONGOING_MATCH
        return cls(
            mail_id="/".join((kind, plan.cycle, plan.group, partner, participant_id)),
            kind=kind,
            participant_id=participant_id,
            cycle=plan.cycle,
            group=plan.group,
            partner=partner,
        )


def applies_to(kind: MailKind, participant: Participant) -> bool:
    reachable = participant.mail_blocked is None or kind in _DESPITE_BLOCK
    return participant.status in _FOR_STATUS[kind] and reachable
