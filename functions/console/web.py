"""What every console route shares: who may open what (the guard, in one place), the session
and its cookie, the form body and its CSRF token, the page with the console's headers, and the
audit record of each action."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from tandem.console import audit
from tandem.console.audit import Action
from tandem.console.sessions import Role, Session, SessionRefused, Sessions, Signed
from tandem.store import settings, signing_keys
from tandem.store.settings import Setting
from tandem.views import console as views

# The app (in the guard) or a page's router: either gives the request and its context.
Routes = APIGatewayRestResolver | APIGatewayRouter
SESSION_COOKIE = "tandem_console"
SIGN_IN_COOKIE = "tandem_console_sign_in"
MAX_BODY = 8 * 1024  # the console's forms are a few fields; a roster goes to the bucket

# Who may open what, by route. Signing in is open to all; a viewer sees the overview and the
# exports; every other route is for program leads only, one added and forgotten here included.
OPEN = frozenset({"/console/sign-in", "/console/callback", "/console/signed-out"})
FOR_VIEWERS = frozenset(
    {"/console", "/console/exports", "/console/exports/{scope}/{name}", "/console/sign-out"}
)


@dataclass(frozen=True)
class MenuItem:
    path: str  # under the console's address
    label: str

    @property
    def route(self) -> str:
        return f"/console{self.path}"


MENU = (
    MenuItem("", "Overview"),
    MenuItem("/roster", "Roster"),
    MenuItem("/matching", "Matching"),
    MenuItem("/exports", "Exports"),
    MenuItem("/people", "People"),
    MenuItem("/audit", "Audit"),
    MenuItem("/settings", "Settings"),
)


def allowed(role: Role, route: str) -> bool:
    return role is Role.PROGRAM_LEAD or route in FOR_VIEWERS


def address() -> str:
    """The console's address, from the stack's (<api>/console)."""
    return settings.setting(Setting.LINK_BASE).rstrip("/") + "/console"


def path() -> str:
    """The console's path on its host: /console, or /<stage>/console on API Gateway's own."""
    return urlsplit(address()).path


def sessions() -> Sessions:
    return Sessions(settings.tenant().name, signing_keys.signing_keys())


def pending_sign_ins() -> Signed:
    return Signed(settings.tenant().name, signing_keys.signing_keys(), "console-sign-in")


def cookie(name: str, value: str, max_age: int, at: str = "") -> Cookie:
    """HttpOnly, Secure, Lax (sent when the identity provider, or S3 after an upload, sends the
    browser back; never with another site's form or fetch), for the console's path only."""
    return Cookie(
        name=name,
        value=value,
        path=path() + at,
        max_age=max_age,
        secure=True,
        http_only=True,
        same_site=SameSite.LAX_MODE,
    )


def cookie_value(app: Routes, name: str) -> str | None:
    header = app.current_event.headers.get("cookie") or ""
    try:
        jar = SimpleCookie(header)
    except CookieError:
        return None
    return jar[name].value if name in jar else None


def form(app: Routes) -> dict[str, str]:
    body = app.current_event.decoded_body or ""
    if len(body) > MAX_BODY:
        return {}
    try:
        fields = parse_qs(body, keep_blank_values=True, max_num_fields=20)
    except ValueError:
        fields = {}
    return {name: values[0] for name, values in fields.items()}


def source_ip(app: Routes) -> str:
    return str(app.current_event.request_context.identity.source_ip or "")


def guard(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Every request but the sign-in's: a genuine session, a CSRF token with every POST, and
    the role the route asks for; anything less changes nothing."""
    route = app.current_event.resource
    if route in OPEN:
        return next_middleware(app)
    posted = app.current_event.http_method == "POST"
    held = cookie_value(app, SESSION_COOKIE)
    if held is None:
        if posted:
            return refused(401, "You are not signed in", "Sign in, then send the form again.")
        return redirect(f"{address()}/sign-in?{_next(app)}", status=302)
    try:
        session = sessions().open(held)
    except SessionRefused:
        return refused(
            401,
            "Please sign in again",
            "Your session has ended (you signed out, or its working day is over), or it is not "
            "one of this console.",
            forget=True,
        )
    if posted and not sessions().csrf_matches(session, form(app).get("csrf", "")):
        return refused(
            403,
            "This form has expired",
            "Nothing was changed. Go back, reload the page and send the form again.",
        )
    if not allowed(session.role, route):
        return refused(
            403,
            "For program leads only",
            "Your role in the console is viewer: the overview and the exports. Nothing was "
            "changed.",
            session=session,
        )
    app.append_context(session=session)
    return next_middleware(app)


def _next(app: Routes) -> str:
    return urlencode({"next": app.current_event.path})


def current(app: Routes) -> Session:
    session: Session = app.context["session"]
    return session


def record(
    app: Routes,
    action: Action,
    subject: str | None = None,
    who: Session | None = None,
) -> None:
    audit.record(who or current(app), action, source_ip(app), subject)


def html(
    body: str, status: int = 200, form_targets: tuple[str, ...] = (), **extra: Any
) -> Response[str]:
    return Response(
        status, "text/html; charset=utf-8", body, headers=views.headers(form_targets), **extra
    )


def page(
    app: Routes,
    name: str,
    title: str,
    *,
    status: int = 200,
    form_targets: tuple[str, ...] = (),
    **context: Any,
) -> Response[str]:
    """A page of a signed-in person: the menu of their role, the CSRF token of its forms."""
    session = current(app)
    body = views.page(
        name,
        settings.tenant(),
        title=title,
        session=session,
        csrf=sessions().csrf_token(session),
        console=path(),
        here=app.current_event.resource.removeprefix("/console"),
        menu=[item for item in MENU if allowed(session.role, item.route)],
        **context,
    )
    return html(body, status, form_targets)


def message(
    title: str,
    *paragraphs: str,
    status: int = 200,
    link: tuple[str, str] | None = None,
    session: Session | None = None,
    cookies: list[Cookie] | None = None,
) -> Response[str]:
    """A page with a few words (and a link), signed in or not."""
    body = views.page(
        "message.html",
        settings.tenant(),
        title=title,
        paragraphs=paragraphs,
        link={"href": link[0], "label": link[1]} if link else None,
        session=session,
        csrf=sessions().csrf_token(session) if session else "",
        console=path(),
        here=None,  # a message is none of the menu's pages
        menu=[item for item in MENU if session and allowed(session.role, item.route)],
    )
    return html(body, status, cookies=cookies)


def refused(
    status: int, title: str, why: str, *, forget: bool = False, session: Session | None = None
) -> Response[str]:
    sign_in = None if session else (f"{address()}/sign-in", "Sign in")
    gone = [cookie(SESSION_COOKIE, "", 0)] if forget else []
    return message(title, why, status=status, link=sign_in, session=session, cookies=gone)


def redirect(
    location: str, status: int = 303, cookies: list[Cookie] | None = None
) -> Response[str]:
    return Response(
        status,
        "text/html; charset=utf-8",
        "",
        headers={**views.headers(), "Location": location},
        cookies=cookies or [],
    )
