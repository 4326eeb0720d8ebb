"""Pause a quarter, change time zone, leave the program (and the one-click unsubscribe),
rejoin: each on its own page from the welcome email, and all in one place, the preferences
page every email's footer links to."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router
from aws_lambda_powertools.metrics import MetricUnit

from tandem.lambdas.observability import metrics
from tandem.links.tokens import Link, Purpose
from tandem.model import calendar
from tandem.model.clock import clock
from tandem.model.participant import Participant, Status
from tandem.model.validation import InvalidForm
from tandem.people import selfservice
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


@router.get("/preferences/<token>")
def preferences_page(token: str) -> Response[str]:
    link, person = web.opened(Purpose.PREFERENCES, token)
    if person.status is Status.LEFT:
        return _left()
    return _preferences(link, person)


@router.post("/preferences/<token>")
def change_preferences(token: str) -> Response[str]:
    link, person = web.opened(Purpose.PREFERENCES, token)
    fields = web.form(router.current_event)
    action = fields.get("action")
    if action == "rejoin":  # leaving is the leave page's, which asks first
        return _leave_or_rejoin(person.id, action)
    person = selfservice.in_program(person)
    if action in ("pause", "resume", "timezone") and person.status is not Status.ACTIVE:
        return _not_signed_up(status=400)
    if action in ("pause", "resume"):
        return _preferences(link, _set_paused(person, action))
    if action != "timezone":
        notice = "Nothing was changed: please use one of the buttons below."
        return _preferences(link, person, notice=notice, status=400)
    try:
        person = selfservice.change_timezone(person.id, fields)
    except InvalidForm as invalid:
        return _preferences(link, person, fields, invalid.problems, status=400)
    except selfservice.Changed:
        notice = "Your time zone was changed meanwhile, from another tab: here it is now."
        return _preferences(link, selfservice.active(person.id), notice=notice, status=409)
    return _preferences(link, person, notice=f"Saved: your time zone is now {person.timezone}.")


def _preferences(
    link: Link,
    person: Participant,
    form: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    tenant = settings.tenant()
    body = pages.page(
        "preferences.html",
        tenant,
        title="Your preferences",
        participant=person,
        next_cycle=calendar.next_cycle(tenant, clock.now()),
        selected_zone=(form or {}).get("timezone", person.timezone),
        problems=problems or {},
        notice=notice,
        links=web.links(link),
    )
    return web.html(body, status)


def _set_paused(person: Participant, action: str) -> Participant:
    paused, _ = selfservice.set_paused(person.id, settings.tenant(), clock.now(), action == "pause")
    return paused


@router.get("/pause/<token>")
def pause_page(token: str) -> Response[str]:
    _, person = web.opened_by_member(Purpose.PAUSE, token)
    return _pause(person)


@router.post("/pause/<token>")
def pause(token: str) -> Response[str]:
    _, person = web.opened_by_member(Purpose.PAUSE, token)
    action = web.form(router.current_event).get("action", "")
    if person.status is not Status.ACTIVE or action not in ("pause", "resume"):
        return _pause(person, status=400)
    return _pause(_set_paused(person, action))


def _pause(person: Participant, status: int = 200) -> Response[str]:
    tenant = settings.tenant()
    if person.status is Status.INVITED:
        return _not_signed_up(status)
    body = pages.page(
        "pause.html",
        tenant,
        title="Pause a quarter",
        participant=person,
        next_cycle=calendar.next_cycle(tenant, clock.now()),
    )
    return web.html(body, status)


def _not_signed_up(status: int) -> Response[str]:
    return web.message(
        "You have not signed up yet",
        "Pausing and changing your time zone are for people in the program. Use the signup "
        "link in your invitation email, or ask for fresh links below the next time a link "
        "does not work.",
        status=status,
    )


@router.get("/leave/<token>")
def leave_page(token: str) -> Response[str]:
    link, person = web.opened(Purpose.LEAVE, token)
    return _leave_page(link, person)


@router.post("/leave/<token>")
def leave(token: str) -> Response[str]:
    """The leave page's buttons, and the one-click unsubscribe of every email: RFC 8058's body
    leaves too. Any other POST (a link scanner's empty one) gets the page back, unchanged."""
    link, person = web.opened(Purpose.LEAVE, token)
    fields = web.form(router.current_event)
    one_click = fields.get("List-Unsubscribe") == "One-Click"
    action = "leave" if one_click else fields.get("action", "")
    if action not in ("leave", "rejoin"):
        return _leave_page(link, person, status=400)
    return _leave_or_rejoin(person.id, action)


def _leave_page(link: Link, person: Participant, status: int = 200) -> Response[str]:
    if person.status is Status.LEFT:
        return _left(status)
    body = pages.page(
        "leave.html",
        settings.tenant(),
        title="Leave the program",
        participant=person,
        links=web.links(link),
    )
    return web.html(body, status)


def _leave_or_rejoin(pid: str, action: str) -> Response[str]:
    if action == "rejoin":
        person = selfservice.rejoin(pid)
        if person.status is Status.INVITED:
            return web.message("Welcome back", "Use the link in your invitation email to sign up.")
        return web.message("Welcome back", "You will be matched again from the next quarter.")
    if selfservice.leave(pid, settings.tenant(), clock.now()):
        metrics.add_metric(name="Left", unit=MetricUnit.Count, value=1)
    return _left()


def _left(status: int = 200) -> Response[str]:
    page = pages.page("left.html", settings.tenant(), title="You have left the program")
    return web.html(page, status)
