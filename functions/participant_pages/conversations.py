"""The quarter's conversations: pick a slot, move one, stop, find a new partner, read the guide."""

from datetime import datetime

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.conversations import feedback, sessions
from tandem.conversations.quarter import Quarter, alone, quarter_of
from tandem.links.tokens import Purpose
from tandem.links.urls import Links, link_tokens
from tandem.model import calendar, guides
from tandem.model.answers import AnsweredMeanwhile, Feedback
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.people import selfservice
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


def _quarter(purpose_: Purpose, token: str) -> tuple[Participant, Quarter | None]:
    pid, cycle = link_tokens().verify_scoped(purpose_, token)
    person = selfservice.active(pid)
    return person, quarter_of(person, cycle, settings.tenant())


def _no_group() -> Response[str]:
    # 404: the link names a quarter or conversation this person has nothing in (any more).
    return web.message(
        "No partner this quarter",
        "You are not in a pair or trio this quarter. We email you when the next one starts.",
        status=404,
    )


@router.get("/schedule/<token>")
def schedule_page(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.SCHEDULE, token)
    if quarter is None:
        return _no_group()
    return _schedule(person, quarter, token, form={})


@router.post("/schedule/<token>")
def pick_slot(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.SCHEDULE, token)
    if quarter is None:
        return _no_group()
    tenant, fields = settings.tenant(), web.form(router.current_event)
    track = fields.get("track", quarter.track(tenant))
    try:
        first = datetime.fromisoformat(fields.get("slot", ""))
        seen = int(fields.get("version", ""))
        sessions.pick(person, quarter, first, track, seen, tenant, clock.now())
    except ValueError:  # nothing chosen, or not a time the page offered
        return _schedule(person, quarter, token, fields, invalid={"slot"}, status=400)
    except sessions.Changed:
        notice = "Someone in your group changed the plan meanwhile: here it is now."
        return _schedule(person, _again(person, quarter), token, {}, notice=notice, status=409)
    except sessions.TooLate:
        notice = "Your first conversation has started: the time can no longer change."
        return _schedule(person, _again(person, quarter), token, {}, notice=notice, status=409)
    notice = "Done: everyone in your group gets the calendar invitation by email."
    return _schedule(person, _again(person, quarter), token, {}, notice=notice)


def _again(person: Participant, quarter: Quarter) -> Quarter:
    return quarter_of(person, quarter.cycle.id, settings.tenant()) or quarter


def _schedule(
    person: Participant,
    quarter: Quarter,
    token: str,
    form: dict[str, str],
    invalid: frozenset[str] | set[str] = frozenset(),
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    tenant, now = settings.tenant(), clock.now()
    can_pick = sessions.can_pick(quarter.plan, now)
    picked_by = {p.id: p for p in [person, *quarter.partners]}.get(quarter.plan.picked_by or "")
    body = pages.page(
        "schedule.html",
        tenant,
        title="Your conversations" if quarter.plan.slot else "Pick a time together",
        participant=person,
        quarter=quarter,
        picked_by=picked_by,
        track=guides.tracks()[quarter.track(tenant)],
        tracks=guides.tracks(),
        can_pick=can_pick,
        options=sessions.slot_options(quarter, person, tenant, now) if can_pick else [],
        form={"track": quarter.track(tenant), "slot": _chosen(quarter), **form},
        errors=["Please choose a time."] if invalid else [],
        invalid=invalid,
        notice=notice,
        links=_quarter_links(person, quarter),
    )
    return web.html(body, status)


def _chosen(quarter: Quarter) -> str:
    slot = quarter.plan.slot
    return slot.first.isoformat() if slot else ""


def _quarter_links(person: Participant, quarter: Quarter) -> dict[str, str]:
    return Links("..", link_tokens()).for_participant(person.id, quarter.cycle.id)


@router.get("/reschedule/<token>")
def reschedule_page(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.RESCHEDULE, token)
    if quarter is None:
        return _no_group()
    number = router.current_event.get_query_string_value("session", "")
    return _reschedule(person, quarter, int(number) if number.isdigit() else None)


@router.post("/reschedule/<token>")
def reschedule(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.RESCHEDULE, token)
    if quarter is None:
        return _no_group()
    fields, tenant, now = web.form(router.current_event), settings.tenant(), clock.now()
    number = int(fields["session"]) if fields.get("session", "").isdigit() else None
    try:
        seen = int(fields.get("version", ""))
        if fields.get("action") == "stop":
            sessions.stop(person.id, quarter.plan, now, seen)
            return web.message(
                "Your conversations this quarter are cancelled",
                "Your group is told, and the cancellation reaches your calendar by email. "
                "You stay in the program and are matched again next quarter.",
            )
        if number is None:
            raise ValueError("no session")
        starts = datetime.fromisoformat(fields.get("starts", ""))
        sessions.move(person, quarter, number, starts, seen, tenant, now)
    except ValueError:
        return _reschedule(person, quarter, number, invalid={"starts"}, status=400)
    except (sessions.Changed, sessions.TooLate):
        notice = "This conversation changed meanwhile, or has started: here is the plan now."
        return _reschedule(person, _again(person, quarter), None, notice=notice, status=409)
    notice = f"Done: conversation {number} moved, and everyone gets the calendar update."
    return _reschedule(person, _again(person, quarter), None, notice=notice)


def _reschedule(
    person: Participant,
    quarter: Quarter,
    number: int | None,
    invalid: frozenset[str] | set[str] = frozenset(),
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    tenant, now = settings.tenant(), clock.now()
    upcoming = quarter.plan.upcoming(now)
    session = next((s for s in upcoming if s.number == number), None)
    options = sessions.move_options(quarter, person, session, tenant, now) if session else []
    body = pages.page(
        "reschedule.html",
        tenant,
        title="Move a conversation",
        participant=person,
        quarter=quarter,
        upcoming=upcoming,
        session=session,
        options=options,
        errors=["Please choose a time."] if invalid else [],
        invalid=invalid,
        notice=notice,
        links=_quarter_links(person, quarter),
    )
    return web.html(body, status)


@router.get("/rematch/<token>")
def rematch_page(token: str) -> Response[str]:
    person, cycle = _alone(token)
    if alone(person, cycle.id) is None:
        return _not_alone(person, cycle)
    return _rematch_form(person)


@router.post("/rematch/<token>")
def rematch(token: str) -> Response[str]:
    person, cycle = _alone(token)
    if web.form(router.current_event).get("action") != "rematch":
        return _rematch_form(
            person,
            [
                "To ask for a new partner, press “Find me a new partner” below. "
                "To wait for next quarter instead, you need do nothing."
            ],
            status=400,
        )
    try:
        sessions.ask_rematch(person, cycle, clock.now())
    except sessions.NotOffered:
        return _not_alone(person, cycle)
    except sessions.TooLate:
        return web.message(
            "Too late this quarter",
            "There are no conversations left this quarter to hold with a new partner. "
            "You have priority next quarter.",
        )
    return web.message(
        "We are looking for a new partner",
        "As soon as someone at your level whose partner also left asks too, we introduce you "
        "by email. If nobody does this quarter, you are matched first next quarter.",
    )


def _alone(token: str) -> tuple[Participant, calendar.Cycle]:
    pid, cycle_id = link_tokens().verify_scoped(Purpose.REMATCH, token)
    return selfservice.active(pid), calendar.cycle(settings.tenant(), cycle_id)


def _rematch_form(
    person: Participant, errors: list[str] | None = None, status: int = 200
) -> Response[str]:
    body = pages.page(
        "rematch.html",
        settings.tenant(),
        title="A new partner?",
        participant=person,
        errors=errors or [],
    )
    return web.html(body, status)


def _not_alone(person: Participant, cycle: calendar.Cycle) -> Response[str]:
    if quarter_of(person, cycle.id, settings.tenant()) is None:
        return _no_group()
    return _schedule_message()


def _schedule_message() -> Response[str]:
    return web.message(
        "Your group is still on",
        "This page is for people whose partners have all stopped, and you still have a partner "
        "this quarter. To pick or move a time, use the link in the latest email about your "
        "conversations.",
    )


@router.get("/guide/<token>")
def guide_page(token: str) -> Response[str]:
    person, quarter, number = _session_of(Purpose.GUIDE, token)
    session = quarter.plan.session(number) if quarter else None
    if quarter is None or session is None:
        return _no_group()
    tenant = settings.tenant()
    guide = guides.guide(quarter.track(tenant), number, quarter.partners)
    body = pages.page(
        "guide.html",
        tenant,
        title=guide.session.theme,
        participant=person,
        partners=quarter.partners,
        session=session,
        guide=guide,
        pledges=feedback.to_check_in(quarter.plan, number, person, quarter.partners),
    )
    return web.html(body)


@router.get("/feedback/<token>")
def feedback_page(token: str) -> Response[str]:
    person, quarter, number = _session_of(Purpose.FEEDBACK, token)
    if quarter is None or quarter.plan.session(number) is None:
        return _no_group()
    ctx = feedback.context(quarter.plan, number, person.id)
    recorded = feedback.recorded(quarter.plan, number, person.id)
    return _feedback(person, quarter, ctx, _as_form(recorded), recorded, {})


@router.post("/feedback/<token>")
def record_feedback(token: str) -> Response[str]:
    body = router.current_event.body or ""
    if len(body) > web.MAX_BODY:
        return web.message(
            "That is too long to send",
            "Please shorten your note or pledge and send the form again.",
            status=413,
        )
    person, quarter, number = _session_of(Purpose.FEEDBACK, token)
    if quarter is None or quarter.plan.session(number) is None:
        return _no_group()
    ctx = feedback.context(quarter.plan, number, person.id)
    fields = web.form(router.current_event)
    recorded = feedback.recorded(quarter.plan, number, person.id)
    try:
        answers = feedback.validate(fields, ctx, feedback.THEMES)
        seen = int(fields.get("version", "0")) if fields.get("version", "0").isdigit() else -1
        saved = feedback.record(person.id, ctx, answers, seen, clock.now())
    except feedback.Invalid as invalid:
        return _feedback(person, quarter, ctx, fields, recorded, invalid.problems, status=400)
    except AnsweredMeanwhile:
        # Read again: what won was written after the read above, by another tab or tap.
        recorded = feedback.recorded(quarter.plan, number, person.id)
        notice = "Your answer was already recorded (from another tab or a second tap): here it is."
        return _feedback(person, quarter, ctx, _as_form(recorded), recorded, {}, notice, 409)
    except feedback.Closed:
        return web.message(
            "This conversation is closed",
            "Your next conversation has started, so these answers can no longer change.",
            status=409,
        )
    notice = (
        "Thank you: your answers are recorded. You can change them until your next conversation."
    )
    return _feedback(person, quarter, ctx, _as_form(saved), saved, {}, notice)


def _session_of(purpose: Purpose, token: str) -> tuple[Participant, Quarter | None, int]:
    """The person, their group's quarter and the session a link about one session names."""
    pid, scope = link_tokens().verify_scoped(purpose, token)
    person = selfservice.active(pid)
    cycle, _, number = scope.partition("/")
    quarter = quarter_of(person, cycle, settings.tenant())
    return person, quarter, int(number) if number.isdigit() else 0


def _as_form(recorded: Feedback | None) -> dict[str, str]:
    if recorded is None:
        return {}
    values = {name: getattr(recorded, name) for name in feedback.FIELDS}
    return {k: str(v) for k, v in values.items() if v is not None} | {
        "version": str(recorded.version)
    }


def _feedback(
    person: Participant,
    quarter: Quarter,
    ctx: feedback.Context,
    form: dict[str, str],
    recorded: Feedback | None,
    problems: dict[str, str],
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    mine = [
        p for p in feedback.pledges_before(quarter.plan, ctx.session) if p.participant == person.id
    ]
    body = pages.page(
        "feedback.html",
        settings.tenant(),
        title="How did it go?",
        participant=person,
        quarter=quarter,
        ctx=ctx,
        form=form,
        version=recorded.version if recorded else 0,
        last_pledge=mine[0].pledge if mine else None,
        themes=feedback.THEMES,
        problems=problems,
        notice=notice,
    )
    return web.html(body, status)
