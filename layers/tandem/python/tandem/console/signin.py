"""Signing in to the console: OAuth 2.0's authorization-code flow with PKCE (RFC 7636) against
the tenant's user pool, which sends the person on to the company's identity provider when the
tenant file names one.

1. `begin`: a random state and code verifier, kept in a signed cookie that lives ten minutes;
   the browser goes to the pool's /oauth2/authorize with the state and the verifier's S256
   challenge.
2. `finish`: back at the callback with a code and the state. The state must be the cookie's
   (a sign-in started elsewhere is refused); the code and the verifier are redeemed at the
   pool's /oauth2/token, server to server over TLS. OpenID Connect Core 3.1.3.7 lets a client
   trust an ID token received straight from the token endpoint over TLS on that TLS server's
   validation instead of its signature: no JWT library here, but its issuer, audience, use and
   expiry are checked all the same.
3. The person's address, their user pool id and their role (from `cognito:groups`) make the
   console's own session (tandem.console.sessions).

Locally, the same flow runs against the local runtime's stand-in for the pool's two endpoints
(/_local/idp/oauth2/...), which signs in through moto's user pool: only the URL differs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from tandem.console.sessions import Role, SessionRefused, Signed, role_of
from tandem.model.tenant import Tenant
from tandem.model.validation import email_address
from tandem.store import settings, user_pool
from tandem.store.settings import Setting

PENDING_LIFETIME = timedelta(minutes=10)  # from the sign-in page to the callback
SCOPES = "openid email"


@dataclass(frozen=True)
class Provider:
    """The user pool, as the console reaches it."""

    url: str  # its OAuth domain: https://<prefix>.auth.<region>.amazoncognito.com
    client_id: str  # the console's app client (public: PKCE, no secret)
    issuer: str  # https://cognito-idp.<region>.amazonaws.com/<pool id>
    identity_provider: str | None = None  # the company's, to go straight to it

    @classmethod
    def configured(cls, tenant: Tenant) -> Provider:
        company = tenant.console.identity_provider
        return cls(
            settings.setting(Setting.SIGN_IN_URL).rstrip("/"),
            settings.setting(Setting.SIGN_IN_CLIENT),
            settings.setting(Setting.SIGN_IN_ISSUER),
            company.name if company else None,
        )


@dataclass(frozen=True)
class Identity:
    email: str
    subject: str
    role: Role | None  # None: signed in, but in no console group


class SignInFailed(Exception):
    """The sign-in cannot complete: the message says why, in words for the person."""


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def begin(provider: Provider, callback: str, pending: Signed, then: str) -> tuple[str, str]:
    """Where to send the browser, and the cookie value that remembers this sign-in (and where
    to go once signed in: `then`)."""
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": callback,
        "scope": SCOPES,
        "state": state,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    if provider.identity_provider:
        query["identity_provider"] = provider.identity_provider
    remembered = pending.sign([state, verifier, then])
    return f"{provider.url}/oauth2/authorize?{urlencode(query)}", remembered


def finish(
    provider: Provider, callback: str, pending: Signed, cookie: str, code: str, state: str
) -> tuple[Identity, str]:
    """Who signed in, from the callback's code and state and the cookie `begin` set; and where
    they were going."""
    try:
        remembered, _ = pending.open(cookie, PENDING_LIFETIME)
    except SessionRefused:
        raise SignInFailed("This sign-in took too long or was started elsewhere.") from None
    match remembered:
        case [str(expected), str(verifier), str(then)] if code and secrets.compare_digest(
            expected.encode(), state.encode()
        ):
            pass
        case _:
            raise SignInFailed("This sign-in was started elsewhere.")
    try:
        tokens = user_pool.redeem(
            f"{provider.url}/oauth2/token",
            {
                "grant_type": "authorization_code",
                "client_id": provider.client_id,
                "code": code,
                "redirect_uri": callback,
                "code_verifier": verifier,
            },
        )
    except user_pool.TokenRefused:
        raise SignInFailed("The sign-in service did not confirm who you are.") from None
    return _identity(provider, tokens.get("id_token")), then


def _identity(provider: Provider, id_token: object) -> Identity:
    claims = _claims(id_token)
    expected = {"iss": provider.issuer, "aud": provider.client_id, "token_use": "id"}
    if any(claims.get(name) != value for name, value in expected.items()):
        raise SignInFailed("The sign-in service answered for another application.")
    # The token's times are the identity provider's, on the real clock.
    expires = claims.get("exp")
    if not isinstance(expires, int) or expires <= time.time():
        raise SignInFailed("The sign-in service answered with an expired token.")
    try:
        email = email_address(str(claims.get("email", "")))
    except ValueError:
        raise SignInFailed("Your account has no email address the console can use.") from None
    groups = claims.get("cognito:groups", [])
    held = groups if isinstance(groups, list) else []
    return Identity(email, str(claims.get("sub", "")), role_of(str(g) for g in held))


def _claims(id_token: object) -> dict[str, Any]:
    """The payload of a JWT, unverified (see the module's doc for why that is sound here)."""
    try:
        _, payload, _ = str(id_token).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise SignInFailed("The sign-in service answered without an ID token.") from None
    if not isinstance(claims, dict):
        raise SignInFailed("The sign-in service answered without an ID token.")
    return claims
