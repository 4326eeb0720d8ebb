"""The console's own session, once the identity provider has said who someone is: a cookie
value signed with the stack's signing key (itsdangerous, as link tokens are), bound to the
tenant, the person, their role and the time it was signed, and refused after a working day.
Each sign-in is also recorded as open (tandem.store.console_sessions) until its person signs
out: a copy of the cookie is refused from then on. A role taken away applies from the next
sign-in.

Every form carries a CSRF token, an HMAC of the session's random id under a salt of its own: a
page of another site can neither read nor make one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer

from tandem.links.tokens import ClockSigner
from tandem.model.clock import clock
from tandem.store import console_sessions

LIFETIME = timedelta(hours=9)  # a working day


class Role(StrEnum):
    """The user pool's groups: a program lead runs the program, a viewer reads its figures."""

    PROGRAM_LEAD = "program-lead"
    VIEWER = "viewer"


def role_of(groups: Iterable[str]) -> Role | None:
    """The role the groups give, the larger if both; None for no console group."""
    held = set(groups)
    return next((role for role in Role if role.value in held), None)


@dataclass(frozen=True)
class Session:
    email: str
    subject: str  # the user pool's id of the person (the ID token's `sub`)
    role: Role
    id: str  # random, one per sign-in: the CSRF token is made from it
    signed_at: datetime

    @property
    def lead(self) -> bool:
        return self.role is Role.PROGRAM_LEAD


class SessionRefused(Exception):
    """A cookie forged, expired, of another tenant or of another purpose."""


class Signed:
    """Values signed for one tenant and one purpose, with the time of signing (the product
    clock); every key of the signing secret verifies, the newest signs."""

    def __init__(self, tenant: str, keys: Sequence[str], purpose: str) -> None:
        if not keys:
            raise ValueError("the signing secret has no keys")
        self._keys = list(keys)
        self._salt = f"tandem/{tenant}/{purpose}"
        self._serializer = URLSafeTimedSerializer(
            self._keys,
            salt=self._salt,
            signer=ClockSigner,
            signer_kwargs={"digest_method": hashlib.sha256},
        )

    def sign(self, value: Any) -> str:
        return str(self._serializer.dumps(value))

    def open(self, signed: str, lifetime: timedelta) -> tuple[Any, datetime]:
        """The value and when it was signed; SessionRefused if forged or older than
        `lifetime`."""
        try:
            value, signed_at = self._serializer.loads(
                signed, max_age=int(lifetime.total_seconds()), return_timestamp=True
            )
        except BadSignature:  # expired, or signed in the future, included
            raise SessionRefused from None
        return value, signed_at

    def mac(self, text: str) -> str:
        """A keyed hash of `text` (the newest key's)."""
        return (
            Signer(self._keys, salt=self._salt, digest_method=hashlib.sha256)
            .get_signature(text)
            .decode()
        )

    def mac_matches(self, text: str, mac: str) -> bool:
        signer = Signer(self._keys, salt=self._salt, digest_method=hashlib.sha256)
        return signer.verify_signature(text.encode(), mac.encode())


class Sessions:
    def __init__(self, tenant: str, keys: Sequence[str]) -> None:
        self._sessions = Signed(tenant, keys, "console-session")
        self._forms = Signed(tenant, keys, "console-csrf")

    def issue(self, email: str, subject: str, role: Role, session_id: str) -> str:
        """The cookie's value for a session that starts now."""
        console_sessions.start(session_id, until=clock.now() + LIFETIME)
        return self._sessions.sign([email, subject, role.value, session_id])

    def open(self, cookie: str) -> Session:
        """The session a cookie holds; SessionRefused unless it is genuine, under a day and
        not signed out of."""
        value, signed_at = self._sessions.open(cookie, LIFETIME)
        match value:
            case [str(email), str(subject), str(role), str(session_id)] if role in set(
                Role
            ) and console_sessions.is_open(session_id):
                return Session(email, subject, Role(role), session_id, signed_at)
        raise SessionRefused

    def csrf_token(self, session: Session) -> str:
        return self._forms.mac(session.id)

    def csrf_matches(self, session: Session, token: str) -> bool:
        return bool(token) and self._forms.mac_matches(session.id, token)


def end(session: Session) -> None:
    """Signs the session out: its cookie, and any copy of it, opens nothing any more."""
    console_sessions.end(session.id)
