"""The doors for people without a working link: the open signup and "email me fresh links"."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.model.clock import clock
from tandem.model.validation import InvalidForm, email_address
from tandem.people import selfservice
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


@router.get("/join")
def join_page() -> Response[str]:
    tenant = settings.tenant()
    if not tenant.open_signup.enabled:
        return web.not_found()
    return _join_form({}, tenant.timezone)


@router.post("/join")
def join() -> Response[str]:
    tenant = settings.tenant()
    if not tenant.open_signup.enabled:
        return web.not_found()
    fields = web.form(router.current_event)
    try:
        details = selfservice.join(fields, tenant, clock.now())
    except InvalidForm as invalid:
        return _join_form(fields, fields.get("timezone", ""), invalid.problems)
    return web.message(
        "Check your inbox",
        f"We sent a link to {details.email}. Open it on any device to finish signing up.",
    )


def _join_form(
    form: dict[str, str], zone: str, problems: dict[str, str] | None = None
) -> Response[str]:
    body = pages.page(
        "join.html",
        settings.tenant(),
        title="Join peer coaching",
        form=form,
        selected_zone=zone,
        problems=problems or {},
    )
    return web.html(body, 400 if problems else 200)


@router.get("/links")
def links_page() -> Response[str]:
    return links_form("Get fresh links", "Lost an email, or a link stopped working?", action="")


@router.post("/links")
def send_links() -> Response[str]:
    entered = web.form(router.current_event).get("email", "")
    try:
        email = email_address(entered)
    except ValueError:
        problem = selfservice.PROBLEMS["email"]
        if entered.strip():  # something, but not an address: show what one looks like
            domain = settings.tenant().sender.partition("@")[2]
            problem = f"{problem.removesuffix('.')}, like name@{domain}."
        return links_form("Get fresh links", "", "", email=entered, problem=problem, status=400)
    selfservice.request_links(email, clock.now())
    return web.message(
        "Check your inbox",
        f"If {email} is in the program, fresh links are on their way. "
        "They can take a few minutes; check your spam folder too.",
    )


def links_form(
    title: str,
    intro: str,
    action: str,
    email: str = "",
    problem: str = "",
    status: int = 200,
) -> Response[str]:
    """`action` is where the form posts: "" from /links itself, "../links" from a link page."""
    body = pages.page(
        "links_request.html",
        settings.tenant(),
        title=title,
        intro=intro,
        email=email,
        problems={"email": problem} if problem else {},
        action=action,
    )
    return web.html(body, status)
