"""Signing in and out: to the user pool and back (tandem.console.signin), then the console's
own session cookie."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.console import sessions, signin
from tandem.console.audit import Action
from tandem.console.sessions import LIFETIME
from tandem.store import settings

from . import web

router = Router()
_CALLBACK = "/callback"


def _provider() -> signin.Provider:
    return signin.Provider.configured(settings.tenant())


def _return_to(requested: str | None) -> str:
    """Back to the console page that asked for a sign-in: only ever one of the console's."""
    if requested and requested.startswith("/console") and "//" not in requested:
        return web.address() + requested.removeprefix("/console")
    return web.address()


@router.get("/console/sign-in")
def sign_in() -> Response[str]:
    then = _return_to(router.current_event.get_query_string_value("next"))
    go_to, pending = signin.begin(
        _provider(), web.address() + _CALLBACK, web.pending_sign_ins(), then
    )
    remembered = web.cookie(
        web.SIGN_IN_COOKIE, pending, int(signin.PENDING_LIFETIME.total_seconds()), _CALLBACK
    )
    return web.redirect(go_to, status=302, cookies=[remembered])


@router.get("/console/callback")
def callback() -> Response[str]:
    query = router.current_event
    forget = web.cookie(web.SIGN_IN_COOKIE, "", 0, _CALLBACK)
    try:
        identity, then = signin.finish(
            _provider(),
            web.address() + _CALLBACK,
            web.pending_sign_ins(),
            web.cookie_value(router, web.SIGN_IN_COOKIE) or "",
            query.get_query_string_value("code") or "",
            query.get_query_string_value("state") or "",
        )
    except signin.SignInFailed as failed:
        return web.message(
            "You are not signed in",
            str(failed),
            status=401,
            link=(f"{web.address()}/sign-in", "Try again"),
            cookies=[forget],
        )
    if identity.role is None:
        return web.message(
            "No role in this console yet",
            f"You signed in as {identity.email}, but the console has no role for you. Ask your "
            "Tandem operator to give you one: program lead or viewer.",
            status=403,
            cookies=[forget],
        )
    session_id = secrets.token_urlsafe(18)
    value = web.sessions().issue(identity.email, identity.subject, identity.role, session_id)
    session = web.sessions().open(value)
    web.record(router, Action.SIGNED_IN, who=session)
    started = web.cookie(web.SESSION_COOKIE, value, int(LIFETIME.total_seconds()))
    return web.redirect(then, cookies=[started, forget])


@router.post("/console/sign-out")
def sign_out() -> Response[str]:
    sessions.end(web.current(router))
    web.record(router, Action.SIGNED_OUT)
    provider = _provider()
    query = urlencode(
        {"client_id": provider.client_id, "logout_uri": f"{web.address()}/signed-out"}
    )
    gone = web.cookie(web.SESSION_COOKIE, "", 0)
    return web.redirect(f"{provider.url}/logout?{query}", cookies=[gone])


@router.get("/console/signed-out")
def signed_out() -> Response[str]:
    return web.message(
        "You have signed out",
        "The console forgot your session on this browser.",
        link=(f"{web.address()}/sign-in", "Sign in again"),
    )
