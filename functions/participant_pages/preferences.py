"""Pause a quarter, leave the program (and the one-click unsubscribe), rejoin."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router
from aws_lambda_powertools.metrics import MetricUnit

from tandem import pages, program, selfservice, settings
from tandem.clock import clock
from tandem.observability import metrics
from tandem.participants import Participant, Status
from tandem.tokens import Purpose

from . import web

router = Router()


@router.get("/pause/<token>")
def pause_page(token: str) -> Response[str]:
    person = selfservice.active(web.participant(Purpose.PAUSE, token))
    return _pause(person)


@router.post("/pause/<token>")
def pause(token: str) -> Response[str]:
    person = selfservice.active(web.participant(Purpose.PAUSE, token))
    action = web.form(router.current_event).get("action")
    if person.status is not Status.ACTIVE or action not in ("pause", "resume"):
        return _pause(person, status=400)
    person, _ = selfservice.set_paused(person.id, settings.tenant(), clock.now(), action == "pause")
    return _pause(person)


def _pause(person: Participant, status: int = 200) -> Response[str]:
    tenant = settings.tenant()
    if person.status is Status.INVITED:
        return web.message(
            "You have not signed up yet",
            "Pausing is for people in the program. Use the signup link in your invitation "
            "email, or ask for fresh links below the next time a link does not work.",
            status=status,
        )
    body = pages.page(
        "pause.html",
        tenant,
        title="Pause a quarter",
        participant=person,
        next_cycle=program.next_cycle(tenant, clock.now()),
    )
    return web.html(body, status)


@router.get("/leave/<token>")
def leave_page(token: str) -> Response[str]:
    person = selfservice.current(web.participant(Purpose.LEAVE, token))
    if person.status is Status.LEFT:
        return _left()
    body = pages.page(
        "leave.html",
        settings.tenant(),
        title="Leave the program",
        participant=person,
        links=web.links(person.id),
    )
    return web.html(body)


@router.post("/leave/<token>")
def leave(token: str) -> Response[str]:
    """Also the one-click unsubscribe target of every email (RFC 8058); the page it shows
    offers to rejoin, which the same link's token allows."""
    pid = web.participant(Purpose.LEAVE, token)
    if web.form(router.current_event).get("action") == "rejoin":
        person = selfservice.rejoin(pid)
        if person.status is Status.INVITED:
            return web.message("Welcome back", "Use the link in your invitation email to sign up.")
        return web.message("Welcome back", "You will be matched again from the next quarter.")
    if selfservice.leave(pid, settings.tenant(), clock.now()):
        metrics.add_metric(name="Left", unit=MetricUnit.Count, value=1)
    return _left()


def _left() -> Response[str]:
    return web.html(pages.page("left.html", settings.tenant(), title="You have left the program"))
