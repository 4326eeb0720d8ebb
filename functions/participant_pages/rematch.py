"""A new partner for the rest of the quarter, for someone whose partners all stopped."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.conversations import sessions
from tandem.conversations.quarter import quarter_of, stranded
from tandem.links.tokens import Purpose
from tandem.model import calendar
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


@router.get("/rematch/<token>")
def rematch_page(token: str) -> Response[str]:
    person, cycle = _stranded(token)
    plan = stranded(person, cycle.id)
    if plan is None:
        return _group_on(person, cycle)
    return _rematch_form(person, plan.circle)


@router.post("/rematch/<token>")
def rematch(token: str) -> Response[str]:
    person, cycle = _stranded(token)
    plan = stranded(person, cycle.id)
    if plan is None:
        return _group_on(person, cycle)
    if web.form(router.current_event).get("action") != "rematch":
        return _rematch_form(
            person,
            plan.circle,
            [
                "To ask for a new partner, press “Find me a new partner” below. "
                "To wait for next quarter instead, you need do nothing."
            ],
            status=400,
        )
    try:
        sessions.ask_rematch(person, cycle, clock.now())
    except sessions.NotOffered:
        return _group_on(person, cycle)
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


def _stranded(token: str) -> tuple[Participant, calendar.Cycle]:
    link, person = web.opened_by_member(Purpose.REMATCH, token)
    return person, calendar.cycle(settings.tenant(), str(link.scope))


def _rematch_form(
    person: Participant, circle: bool, errors: list[str] | None = None, status: int = 200
) -> Response[str]:
    body = pages.page(
        "rematch.html",
        settings.tenant(),
        title="A new partner?",
        participant=person,
        circle=circle,
        errors=errors or [],
    )
    return web.html(body, status)


def _group_on(person: Participant, cycle: calendar.Cycle) -> Response[str]:
    if quarter_of(person, cycle.id, settings.tenant()) is None:
        return web.no_group()
    return _schedule_message()


def _schedule_message() -> Response[str]:
    return web.message(
        "Your group is still on",
        "This page is for people whose partners have all stopped, and you still have a partner "
        "this quarter. To pick or move a time, use the link in the latest email about your "
        "conversations.",
    )
