"""A group's plan for the quarter: pick the slot (and the track), move one conversation, or stop."""

from datetime import datetime, timedelta

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.conversations import sessions
from tandem.conversations.quarter import Quarter, quarter_of
from tandem.links.tokens import Link, Purpose
from tandem.model import guides
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.model.slots import NOTICE
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()
CHOOSE_A_TIME = "Please choose a time."
CHOOSE_A_CONVERSATION = "Choose the conversation to move."
TOO_SOON = (  # a page left open while the time it offered came too close
    f"That time is now less than {NOTICE // timedelta(hours=1)} hours away: "
    "please choose a later one."
)


@router.get("/schedule/<token>")
def schedule_page(token: str) -> Response[str]:
    link, person, quarter = web.quarter(Purpose.SCHEDULE, token)
    if quarter is None:
        return web.no_group()
    return _schedule(link, person, quarter, form={})


@router.post("/schedule/<token>")
def pick_slot(token: str) -> Response[str]:
    link, person, quarter = web.quarter(Purpose.SCHEDULE, token)
    if quarter is None:
        return web.no_group()
    tenant, fields = settings.tenant(), web.form(router.current_event)
    track = fields.get("track", quarter.track(tenant))
    problems = {}
    try:
        first = datetime.fromisoformat(fields.get("slot", ""))
        seen = int(fields.get("version", ""))
    except ValueError:  # nothing chosen
        problems["slot"] = CHOOSE_A_TIME
    if track not in guides.tracks():  # a stale form, from before a track was removed
        problems["track"] = "Please choose a topic from the list."
        fields["track"] = quarter.track(tenant)  # not the list's first, that it would show
    if problems:
        return _schedule(link, person, quarter, fields, problems, status=400)
    try:
        sessions.pick(person, quarter, first, track, seen, tenant, clock.now())
    except sessions.TooSoon:
        return _schedule(link, person, quarter, fields, {"slot": TOO_SOON}, status=400)
    except sessions.NotOffered:  # not a time the page offered, or no longer fits everyone
        return _schedule(link, person, quarter, fields, {"slot": CHOOSE_A_TIME}, status=400)
    except sessions.Changed:
        notice = "Someone in your group changed the plan meanwhile: here it is now."
        return _schedule(link, person, _again(person, quarter), {}, notice=notice, status=409)
    except sessions.TooLate:
        notice = "Your first conversation has started: the time can no longer change."
        return _schedule(link, person, _again(person, quarter), {}, notice=notice, status=409)
    notice = "Done: everyone in your group gets the calendar invitation by email."
    return _schedule(link, person, _again(person, quarter), {}, notice=notice)


def _again(person: Participant, quarter: Quarter) -> Quarter:
    return quarter_of(person, quarter.cycle.id, settings.tenant()) or quarter


def _schedule(
    link: Link,
    person: Participant,
    quarter: Quarter,
    form: dict[str, str],
    problems: dict[str, str] | None = None,
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
        options=sessions.slot_choices(quarter, person, tenant, now) if can_pick else ([], []),
        form={"track": quarter.track(tenant), "slot": _chosen(quarter), **form},
        problems=problems or {},
        notice=notice,
        links=web.links(link),
    )
    return web.html(body, status)


def _chosen(quarter: Quarter) -> str:
    slot = quarter.plan.slot
    return slot.first.isoformat() if slot else ""


@router.get("/reschedule/<token>")
def reschedule_page(token: str) -> Response[str]:
    link, person, quarter = web.quarter(Purpose.RESCHEDULE, token)
    if quarter is None:
        return web.no_group()
    query = router.current_event.get_query_string_value
    if query("action", "") == "stop":  # the second step, that asks before stopping
        return _reschedule(link, person, quarter, None, stopping=True)
    return _reschedule(link, person, quarter, web.whole_number(query("session", "")))


@router.post("/reschedule/<token>")
def reschedule(token: str) -> Response[str]:
    link, person, quarter = web.quarter(Purpose.RESCHEDULE, token)
    if quarter is None:
        return web.no_group()
    fields, tenant, now = web.form(router.current_event), settings.tenant(), clock.now()
    number = web.whole_number(fields.get("session", ""))
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
    except sessions.TooSoon:
        return _reschedule(link, person, quarter, number, problem=TOO_SOON, status=400)
    except ValueError:  # nothing chosen, or not a time the page offered
        return _reschedule(link, person, quarter, number, problem=CHOOSE_A_TIME, status=400)
    except (sessions.Changed, sessions.TooLate):
        notice = "This conversation changed meanwhile, or has started: here is the plan now."
        return _reschedule(link, person, _again(person, quarter), None, notice=notice, status=409)
    notice = f"Done: conversation {number} moved, and everyone gets the calendar update."
    return _reschedule(link, person, _again(person, quarter), None, notice=notice)


def _reschedule(
    link: Link,
    person: Participant,
    quarter: Quarter,
    number: int | None,
    problem: str = "",
    notice: str = "",
    status: int = 200,
    stopping: bool = False,
) -> Response[str]:
    tenant, now = settings.tenant(), clock.now()
    upcoming = quarter.plan.upcoming(now)
    session = next((s for s in upcoming if s.number == number), None)
    if problem and session is None:  # sent without one of the conversations still to come
        problem = CHOOSE_A_CONVERSATION
    moves = sessions.move_choices(quarter, person, session, tenant, now) if session else ([], [])
    body = pages.page(
        "reschedule.html",
        tenant,
        title="Move a conversation",
        participant=person,
        quarter=quarter,
        upcoming=upcoming,
        session=session,
        options=moves,
        stopping=stopping and bool(upcoming),
        errors=[problem] if problem else [],
        problem=problem,
        notice=notice,
        links=web.links(link),
    )
    return web.html(body, status)
