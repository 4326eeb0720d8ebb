"""The mailer's side of email: what each request says, composed and sent through SES, once.

Only the mailer imports this package: it needs the templates, the links, the groups, the
calendar and SES, which the use cases that ask for mail do not.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tandem.conversations import feedback, invitations, pulse
from tandem.conversations.quarter import Quarter, partners_of, quarter_of
from tandem.lambdas.observability import logger
from tandem.links.tokens import Purpose
from tandem.links.urls import Links, link_tokens
from tandem.mail.compose import compose, compose_for_lead
from tandem.model import bucket_layout, calendar, guides
from tandem.model.mail_request import MailKind, MailRequest, applies_to
from tandem.model.participant import MailBlock, Participant
from tandem.model.plan import is_circle
from tandem.model.tenant import Tenant
from tandem.store import bucket, matches, participants, plans, ses, settings


def deliver(request: MailRequest, now: datetime) -> str | None:
    """Sends one request and returns SES's message id; None when it no longer applies."""
    if request.kind is MailKind.EXPORTS_READY:
        return _exports_ready(request, now)
    participant = participants.get(request.participant_id)
    if participant is None or not applies_to(request.kind, participant):
        return None
    tenant = settings.tenant()
    context = _context(request, participant, tenant, now)
    if context is None:
        return None
    links = Links(settings.setting(settings.Setting.LINK_BASE), link_tokens())
    urls = links.for_participant(participant.id, request.cycle, request.session)
    if request.kind is MailKind.LINKS:
        urls |= _quarter_links(links, participant.id, context, tenant)
    message = compose(request, participant, tenant, urls, now, **context)
    try:
        message_id = ses.send(message)
    except ses.AddressRejected:
        # Retrying cannot help: note it, so the person's mail is dropped from now on.
        participants.block_mail(participant.id, MailBlock.REJECTED, now)
        return None
    if request.kind in (MailKind.KICKOFF, MailKind.UNMATCHED):
        try:
            matches.mark_announced(participant.id, str(request.cycle), now)
        except Exception:
            # The email is out: failing its record would only send it again. Unmarked, a rerun
            # queues it again, and its mail id keeps it from going out twice.
            logger.exception("sent but not marked announced", extra={"kind": request.kind})
    return message_id


def _exports_ready(request: MailRequest, now: datetime) -> str | None:
    """To a program lead: which files the quarter's export and its year to date wrote, and the
    command that downloads them. No link: a forwarded email gives no one the files."""
    tenant = settings.tenant()
    if request.hr_contact is None or request.hr_contact >= len(tenant.hr_contacts):
        return None  # the tenant file no longer names this lead
    cycle = str(request.cycle)
    year = cycle.partition("-")[0]
    message = compose_for_lead(
        request,
        tenant.hr_contacts[request.hr_contact],
        tenant,
        now,
        cycle=cycle,
        year=year,
        bucket=settings.setting(settings.Setting.BUCKET),
        files={scope: _written(scope) for scope in (cycle, year)},
    )
    return ses.send(message)


def _written(scope: str) -> list[str]:
    """The names of the files in an export's folder, in the order HR reads them."""
    there = set(bucket.keys_under(bucket_layout.exports(scope)))
    return [key.rpartition("/")[2] for key in bucket_layout.export_keys(scope) if key in there]


def _context(
    request: MailRequest, participant: Participant, tenant: Tenant, now: datetime
) -> dict[str, Any] | None:
    """What a kind of mail says beyond the participant: the cycle, partners, the reason, the
    group's sessions and calendar."""
    if request.kind is MailKind.LINKS:
        return _quarter_now(participant, tenant, now)
    if request.cycle is None:
        return {}
    cycle = calendar.cycle(tenant, request.cycle)
    if request.kind is MailKind.NOTICE:
        return {"cycle": cycle}
    if request.group is not None:
        return _about_plan(request, participant, tenant, now)
    outcome = matches.outcome(participant.id, cycle.id)
    if outcome is None or outcome.announced:
        return None
    partners = partners_of(outcome)
    if outcome.partners and not partners:
        return None
    circle = is_circle((participant.id, *outcome.partners))
    return {"cycle": cycle, "partners": partners, "reason": outcome.reason, "circle": circle}


def _quarter_now(participant: Participant, tenant: Tenant, now: datetime) -> dict[str, Any]:
    """For fresh links, the quarter the person is in (None if in no group): the conversation
    ahead, the one whose answers are open (the last begun, until the next begins) and whether
    the pulse is open."""
    quarter = quarter_of(participant, calendar.current_cycle(tenant, now).id, tenant)
    if quarter is None:
        return {"quarter": None}
    sessions = [s for s in quarter.plan.sessions if not s.cancelled]
    days = tenant.conversations.feedback_link_days
    begun = [s for s in sessions if s.starts <= now < s.ends + timedelta(days=days)]
    return {
        "quarter": quarter,
        "ahead": next((s for s in sessions if s.starts > now), None),
        "answering": begun[-1] if begun else None,
        "pulse_open": pulse.is_open(quarter.plan, days, now),
    }


def _quarter_links(
    links: Links, pid: str, context: dict[str, Any], tenant: Tenant
) -> dict[str, str]:
    """The links to that quarter: its plan, the guide ahead, and the answers while they are
    open (a feedback or pulse link expires when the one sent after the session would)."""
    quarter: Quarter | None = context["quarter"]
    if quarter is None:
        return {}
    cycle = quarter.cycle.id
    urls = {"schedule": links.url(Purpose.SCHEDULE, pid, cycle)}  # it links to moving one
    answers_close = timedelta(days=tenant.conversations.feedback_link_days)
    if ahead := context["ahead"]:
        urls["guide"] = links.url(Purpose.GUIDE, pid, f"{cycle}/{ahead.number}")
    if answering := context["answering"]:
        scope, closes = f"{cycle}/{answering.number}", answering.ends + answers_close
        urls["feedback"] = links.url(Purpose.FEEDBACK, pid, scope, closes)
    last = pulse.last_session(quarter.plan)
    if context["pulse_open"] and last is not None:
        urls["pulse"] = links.url(Purpose.PULSE, pid, cycle, last.ends + answers_close)
    return urls


def _about_plan(
    request: MailRequest, participant: Participant, tenant: Tenant, now: datetime
) -> dict[str, Any] | None:
    plan = plans.get(str(request.cycle), str(request.group))
    if plan is None:
        return None
    kind = request.kind
    # The one who stopped gets only the cancellation of their own calendar entries.
    if (participant.id not in plan.active) != (kind is MailKind.CANCELLATION):
        return None
    everyone = participants.get_many(plan.members)
    members = [everyone[m] for m in plan.active if m in everyone]
    partners = [p for p in members if p.id != participant.id]
    left = [everyone[m] for m in plan.dropped if m in everyone]
    track = tenant.conversations.track_of(plan.cycle, plan.track)
    context: dict[str, Any] = {
        "cycle": calendar.cycle(tenant, plan.cycle),
        "plan": plan,
        "partners": partners,
        "left": left,
        "picked_by": everyone.get(plan.picked_by or ""),
        "track": guides.tracks()[track],
    }
    session = plan.session(request.session) if request.session else None
    if request.session is not None:
        if session is None or session.cancelled:
            return None
        context["session"] = session
        context["guide"] = guides.group_guide(track, plan, session.number, participant, partners)
        context["pledges"] = feedback.to_check_in(plan, session.number, participant, partners)
    if request.partner is not None:  # about one partner only (and replies reach them)
        context["partners"] = [p for p in partners if p.id == request.partner]
        return context if context["partners"] else None
    if kind is MailKind.PARTNER_UNREACHABLE:
        context["unreachable"] = [p for p in partners if p.mail_blocked]
        # Replies go to the program leads, who can help, not to the partners.
        context["partners"] = []
        return context if context["unreachable"] else None
    if kind is MailKind.INVITATION or (kind is MailKind.PARTNER_LEFT and plan.carries_on):
        if plan.slot is None:
            return None
        context["calendar"] = invitations.series(plan, tenant, members, now)
    elif kind is MailKind.SESSION_MOVED and session is not None:
        context["calendar"] = invitations.moved(plan, tenant, members, session, now)
    elif kind is MailKind.CANCELLATION and plan.slot is not None:
        context["calendar"] = invitations.cancelled(plan, tenant, [participant], now)
    elif kind is MailKind.PARTNER_LEFT and plan.slot is not None:
        cancelled = [s for s in plan.sessions if s.cancelled]
        context["calendar"] = invitations.cancelled(plan, tenant, members + left, now, cancelled)
    return context
