"""Signed link tokens: unguessable, bound to one tenant, participant and purpose, expiring.

HMAC-SHA256 over the participant id (and, for a purpose about one quarter or one conversation,
its scope: "2027-Q1" or "2027-Q1/3") and the time of signing, salted with tenant and purpose, so
a token made for one purpose, tenant, quarter or conversation never opens another.
Verification accepts every key in the signing secret (newest signs), which lets the secret
rotate without breaking links already sent. Tokens are never logged: only their purpose and
outcome are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from tandem.model.clock import clock


class Purpose(StrEnum):
    SIGNUP = "signup"
    PROFILE = "profile"
    PAUSE = "pause"
    LEAVE = "leave"
    PREFERENCES = "preferences"  # pause, time zone and leave in one place (every email's footer)
    SCHEDULE = "schedule"  # pick the quarter's recurring slot (scope: the cycle)
    RESCHEDULE = "reschedule"  # move one conversation, or stop for the quarter (the cycle)
    GUIDE = "guide"  # one conversation's guide (scope: "<cycle>/<session>")
    FEEDBACK = "feedback"  # after a conversation: held, helpful, the pledge ("<cycle>/<session>")
    REMATCH = "rematch"  # a partner left: find another, or wait for next quarter (the cycle)
    PULSE = "pulse"  # the end-of-quarter pulse: fulfilment, keep meeting? (the cycle)


# Long enough for the email that carries the link to stay useful; the leave link lives longest
# because an unsubscribe link must keep working.
LIFETIME = {
    Purpose.SIGNUP: timedelta(days=30),
    Purpose.PROFILE: timedelta(days=180),
    Purpose.PAUSE: timedelta(days=180),
    Purpose.LEAVE: timedelta(days=400),
    Purpose.PREFERENCES: timedelta(days=400),  # it leaves too
    Purpose.SCHEDULE: timedelta(days=120),  # the quarter the kickoff introduces
    Purpose.RESCHEDULE: timedelta(days=120),
    Purpose.GUIDE: timedelta(days=120),
    Purpose.REMATCH: timedelta(days=120),
    Purpose.FEEDBACK: timedelta(days=120),
    Purpose.PULSE: timedelta(days=120),
}
# Purposes whose token also names what it is about (a quarter, or one of its conversations).
SCOPED = frozenset(
    {
        Purpose.SCHEDULE,
        Purpose.RESCHEDULE,
        Purpose.GUIDE,
        Purpose.REMATCH,
        Purpose.FEEDBACK,
        Purpose.PULSE,
    }
)
# Of those, the ones about one conversation rather than the quarter.
ABOUT_SESSION = frozenset({Purpose.GUIDE, Purpose.FEEDBACK})


class InvalidLink(Exception):
    def __init__(self, purpose: Purpose, *, expired: bool) -> None:
        super().__init__(f"{'expired' if expired else 'invalid'} {purpose} link")
        self.purpose = purpose
        self.expired = expired


class _ClockSigner(TimestampSigner):
    """Reads the product clock, so local runs and tests can age a link."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


class LinkTokens:
    def __init__(
        self, tenant: str, keys: Sequence[str], lifetimes: Mapping[Purpose, timedelta] | None = None
    ) -> None:
        if not keys:
            raise ValueError("the signing secret has no keys")
        self._tenant = tenant
        self._keys = list(keys)
        self._lifetimes = {**LIFETIME, **(lifetimes or {})}  # the tenant may shorten some

    def _serializer(self, purpose: Purpose) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self._keys,
            salt=f"tandem/{self._tenant}/{purpose}",
            signer=_ClockSigner,
            signer_kwargs={"digest_method": hashlib.sha256},
        )

    def sign(self, purpose: Purpose, participant_id: str, scope: str | None = None) -> str:
        if (scope is not None) != (purpose in SCOPED):
            raise ValueError(f"a {purpose} link {'needs' if scope is None else 'takes no'} scope")
        payload = participant_id if scope is None else [participant_id, scope]
        return str(self._serializer(purpose).dumps(payload))

    def verify(self, purpose: Purpose, token: str) -> str:
        """The participant id the token was made for; InvalidLink if forged, foreign or expired."""
        payload = self._load(purpose, token)
        if not isinstance(payload, str):
            raise InvalidLink(purpose, expired=False)
        return payload

    def verify_scoped(self, purpose: Purpose, token: str) -> tuple[str, str]:
        """The participant id and the scope (quarter or conversation) the token was made for."""
        payload = self._load(purpose, token)
        if not (
            isinstance(payload, list)
            and len(payload) == 2
            and all(isinstance(part, str) for part in payload)
        ):
            raise InvalidLink(purpose, expired=False)
        return payload[0], payload[1]

    def _load(self, purpose: Purpose, token: str) -> object:
        max_age = int(self._lifetimes[purpose].total_seconds())
        try:
            return self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired:
            raise InvalidLink(purpose, expired=True) from None
        except BadSignature:
            raise InvalidLink(purpose, expired=False) from None
