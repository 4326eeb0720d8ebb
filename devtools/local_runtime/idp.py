"""The user pool's managed sign-in, as the local runtime stands in for it.

moto's cognito-idp holds the pool, its users and groups, and hands out signed tokens, but has
no sign-in page and no OAuth endpoints. These are the three the console uses, with the
parameters and checks of Cognito's: /oauth2/authorize (the page: email and password, checked by
InitiateAuth ADMIN_USER_PASSWORD_AUTH, then back to the registered callback with a code),
/oauth2/token (a code, once, within a minute, with the PKCE verifier of its S256 challenge) and
/logout. The console's code is the same as in AWS; only the URL it is given differs.

Local users have no MFA challenge (moto's pool has MFA off) and are created with a permanent
password, so there is no first password change either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.exceptions import ClientError
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Request, Response

from tandem.console.sessions import Role
from tandem.model.tenant import Tenant
from tandem.store.user_pool import UserPool

CODE_LIFETIME_S = 60
_pages = Environment(
    loader=FileSystemLoader(__file__.rsplit("/", 1)[0] + "/templates"),
    autoescape=select_autoescape(),
)
_AUTHORIZE = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


@dataclass(frozen=True)
class ConsoleUser:
    email: str
    password: str
    role: Role


def console_users(tenant: Tenant) -> list[ConsoleUser]:
    """The local console's two users, with passwords known to whoever runs it: the tenant's
    first program lead, and a viewer at the tenant's own domain."""
    domain = tenant.sender.partition("@")[2]
    return [
        ConsoleUser(tenant.hr_contacts[0].email, "Local-lead-1", Role.PROGRAM_LEAD),
        ConsoleUser(f"viewer@{domain}", "Local-viewer-1", Role.VIEWER),
    ]


def seed(pool: UserPool, users: list[ConsoleUser]) -> None:
    roles = [role.value for role in Role]
    for user in users:
        member = pool.give_role(user.email, user.role, [r for r in roles if r != user.role])
        pool.set_password(member.username, user.password)


@dataclass(frozen=True)
class _Code:
    tokens: dict[str, Any]
    challenge: str
    client_id: str
    redirect_uri: str
    expires: float  # time.monotonic()


class LocalIdp:
    def __init__(self, pool_id: str, client_id: str, console_url: str) -> None:
        self.pool_id = pool_id
        self.client_id = client_id
        self.callback = f"{console_url}/callback"
        self.signed_out = f"{console_url}/signed-out"
        self._codes: dict[str, _Code] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Request, endpoint: str) -> Response:
        if endpoint == "oauth2/authorize" and request.method == "GET":
            return self._authorize(request.args.to_dict())
        if endpoint == "oauth2/authorize" and request.method == "POST":
            return self._sign_in(request.form.to_dict())
        if endpoint == "oauth2/token" and request.method == "POST":
            return self._token(request.form.to_dict())
        if endpoint == "logout" and request.method == "GET":
            return self._logout(request.args.to_dict())
        return _error(404, "not_found", f"no such endpoint: {request.method} {endpoint}")

    def _refusal(self, params: dict[str, str]) -> str | None:
        """What is wrong with an authorization request, as Cognito checks it (it shows an
        error rather than send anyone to an address it does not know)."""
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") != self.callback:
            return "redirect_uri is not a callback URL of this app client"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "a code_challenge with code_challenge_method S256 is required"
        return None

    def _authorize(self, params: dict[str, str], problem: str = "", status: int = 200) -> Response:
        refusal = self._refusal(params)
        if refusal:
            return Response(f"Sign-in refused: {refusal}", 400, mimetype="text/plain")
        page = _pages.get_template("sign_in.html").render(
            params={name: params.get(name, "") for name in _AUTHORIZE},
            email=params.get("email", ""),
            problem=problem,
        )
        return Response(page, status, mimetype="text/html")

    def _sign_in(self, form: dict[str, str]) -> Response:
        if self._refusal(form):
            return self._authorize(form)
        cognito = boto3.client("cognito-idp")
        try:
            answer = cognito.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={
                    "USERNAME": form.get("email", "").strip().lower(),
                    "PASSWORD": form.get("password", ""),
                },
            )
        except ClientError:
            return self._authorize(form, "Incorrect email or password.", 400)
        result = answer.get("AuthenticationResult")
        if result is None:  # a challenge: local users have none (see the module's doc)
            return self._authorize(form, f"Cannot answer {answer.get('ChallengeName')} here.", 400)
        code = secrets.token_urlsafe(24)
        tokens = {
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "refresh_token": result.get("RefreshToken", ""),
            "token_type": "Bearer",
            "expires_in": result["ExpiresIn"],
        }
        with self._lock:
            self._codes[code] = _Code(
                tokens,
                form["code_challenge"],
                form["client_id"],
                form["redirect_uri"],
                time.monotonic() + CODE_LIFETIME_S,
            )
        query = urlencode({"code": code, "state": form.get("state", "")})
        return Response("", 302, headers={"Location": f"{form['redirect_uri']}?{query}"})

    def _token(self, form: dict[str, str]) -> Response:
        with self._lock:
            granted = self._codes.pop(form.get("code", ""), None)  # once, whatever follows
        if form.get("grant_type") != "authorization_code":
            return _error(400, "unsupported_grant_type", "only authorization_code")
        if granted is None or granted.expires < time.monotonic():
            return _error(400, "invalid_grant", "unknown, used or expired code")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if (
            form.get("client_id") != granted.client_id
            or form.get("redirect_uri") != granted.redirect_uri
            or not secrets.compare_digest(challenge.encode(), granted.challenge.encode())
        ):
            return _error(400, "invalid_grant", "client, redirect_uri or code_verifier mismatch")
        return Response(json.dumps(granted.tokens), 200, mimetype="application/json")

    def _logout(self, params: dict[str, str]) -> Response:
        if params.get("client_id") != self.client_id or params.get("logout_uri") != self.signed_out:
            return Response(
                "Sign-out refused: unknown client or logout_uri", 400, mimetype="text/plain"
            )
        return Response("", 302, headers={"Location": self.signed_out})


def _error(status: int, code: str, description: str) -> Response:
    body = json.dumps({"error": code, "error_description": description})
    return Response(body, status, mimetype="application/json")
