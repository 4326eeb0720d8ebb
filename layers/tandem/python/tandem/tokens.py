"""Signed link tokens: unguessable, bound to one tenant, participant and purpose, expiring.

HMAC-SHA256 over the participant id and the time of signing, salted with tenant and purpose,
so a token made for one purpose or tenant never opens another. Verification accepts every key
in the signing secret (newest signs), which lets the secret rotate without breaking links
already sent. Tokens are never logged: only their purpose and outcome are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from tandem.clock import clock


class Purpose(StrEnum):
    SIGNUP = "signup"
    PROFILE = "profile"
    PAUSE = "pause"
    LEAVE = "leave"
    SCHEDULE = "schedule"  # the group's shared working hours, from the kickoff


# Long enough for the email that carries the link to stay useful; the leave link lives longest
# because an unsubscribe link must keep working.
LIFETIME = {
    Purpose.SIGNUP: timedelta(days=30),
    Purpose.PROFILE: timedelta(days=180),
    Purpose.PAUSE: timedelta(days=180),
    Purpose.LEAVE: timedelta(days=400),
    Purpose.SCHEDULE: timedelta(days=120),  # the quarter the kickoff introduces
}


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
    def __init__(self, tenant: str, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("the signing secret has no keys")
        self._tenant = tenant
        self._keys = list(keys)

    def _serializer(self, purpose: Purpose) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self._keys,
            salt=f"tandem/{self._tenant}/{purpose}",
            signer=_ClockSigner,
            signer_kwargs={"digest_method": hashlib.sha256},
        )

    def sign(self, purpose: Purpose, participant_id: str) -> str:
        return str(self._serializer(purpose).dumps(participant_id))

    def verify(self, purpose: Purpose, token: str) -> str:
        """The participant id the token was made for; InvalidLink if forged, foreign or expired."""
        max_age = int(LIFETIME[purpose].total_seconds())
        try:
            participant_id = self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired:
            raise InvalidLink(purpose, expired=True) from None
        except BadSignature:
            raise InvalidLink(purpose, expired=False) from None
        if not isinstance(participant_id, str):
            raise InvalidLink(purpose, expired=False)
        return participant_id
