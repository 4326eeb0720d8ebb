"""A browser on the console: its cookies kept between requests, which go to the console's
handler as API Gateway events; and sign-in through the same code flow as in AWS, against the
local runtime's stand-in for the user pool (called in-process instead of over HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from devtools.local_runtime.aws import Resources
from devtools.local_runtime.idp import ConsoleUser, LocalIdp, console_users, seed
from tandem.model.tenant import Tenant
from tandem.store import user_pool
from tandem.store.user_pool import UserPool
from tests.integration.support import LINK_BASE, api_event, context

CONSOLE = f"{LINK_BASE}/console"


@dataclass
class Browser:
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)  # every Set-Cookie header received

    def call(self, method: str, url: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        from functions.console import handler

        jar = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        function, event = api_event(method, url.removeprefix(LINK_BASE), form, jar or None)
        assert function == "console"
        response: dict[str, Any] = handler.handler(event, context("console"))
        for header in (response.get("multiValueHeaders") or {}).get("Set-Cookie", []):
            self.set_cookies.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, url: str) -> dict[str, Any]:
        return self.call("GET", url)

    def post(self, url: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        return self.call("POST", url, form or {})


def location(response: dict[str, Any]) -> str:
    return str(response["multiValueHeaders"]["Location"][0])


def local_idp(aws: Resources, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> LocalIdp:
    """The stand-in for the user pool's sign-in, its two users seeded; the console's call to
    the token endpoint answered by it in-process."""
    local = LocalIdp(aws.user_pool, aws.console_client, CONSOLE)
    seed(UserPool(aws.user_pool, aws.console_client), console_users(tenant))

    def redeem(token_url: str, fields: dict[str, str]) -> dict[str, Any]:
        assert token_url == f"{LINK_BASE}/_local/idp/oauth2/token"
        answer = local(_request("POST", token_url, fields), "oauth2/token")
        if answer.status_code != 200:
            raise user_pool.TokenRefused(answer.status_code)
        result: dict[str, Any] = answer.json
        return result

    monkeypatch.setattr(user_pool, "redeem", redeem)
    return local


def _request(method: str, url: str, form: dict[str, str] | None = None) -> Request:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    return Request(
        EnvironBuilder(path=parts.path, method=method, query_string=query, data=form).get_environ()
    )


def sign_in(idp: LocalIdp, user: ConsoleUser, browser: Browser | None = None) -> Browser:
    """The whole flow a person's browser goes through: the console sends it to the sign-in
    page, the page back to the console's callback with a code, which starts the session."""
    browser = browser or Browser()
    to_idp = location(browser.get(f"{CONSOLE}/sign-in"))
    page = _request("GET", to_idp)
    form = {**page.args.to_dict(), "email": user.email, "password": user.password}
    back = idp(_request("POST", to_idp, form), "oauth2/authorize")
    assert back.status_code == 302, back.get_data(as_text=True)
    started = browser.get(back.headers["Location"])
    assert started["statusCode"] == 303, started["body"]
    return browser


def csrf(browser: Browser) -> str:
    """The CSRF token the forms of the browser's session carry."""
    body = str(browser.get(CONSOLE)["body"])
    return body.split('name="csrf" value="', 1)[1].split('"', 1)[0]
