"""Signed link tokens: unguessable, bound to one tenant, participant and purpose, expiring.

HMAC-SHA256 over the participant id (and, for a purpose about one quarter or one conversation,
its scope: "2027-Q1" or "2027-Q1/3") and the time of signing, salted with tenant and purpose, so
a token made for one purpose, tenant, quarter or conversation never opens another. A token
expires its purpose's lifetime after it was signed, or earlier when it says so: a link a page
renders expires with the link that opened the page. The time of signing also lets a person's
links be revoked: those signed before the time on their profile are refused.
Verification accepts every key in the signing secret (newest signs), which lets the secret
rotate without breaking links already sent. Tokens are never logged: only their purpose and
outcome are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


@dataclass(frozen=True)
class Link:
    """What a verified token says: whose link, for what, since and until when."""

    purpose: Purpose
    participant: str
    scope: str | None  # the quarter or conversation, for a scoped purpose
    signed_at: datetime
    expires_at: datetime

    def revoked(self, links_from: datetime | None) -> bool:
        """Whether the person's links were revoked after this one was signed."""
        return links_from is not None and self.signed_at < links_from


class ClockSigner(TimestampSigner):
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
            signer=ClockSigner,
            signer_kwargs={"digest_method": hashlib.sha256},
        )

    def sign(
        self,
        purpose: Purpose,
        participant_id: str,
        scope: str | None = None,
        not_after: datetime | None = None,
    ) -> str:
        """A token for the participant (and the scope its purpose needs), expiring after its
        purpose's lifetime, or at `not_after` if that comes first."""
        if (scope is not None) != (purpose in SCOPED):
            raise ValueError(f"a {purpose} link {'needs' if scope is None else 'takes no'} scope")
        payload: object = participant_id if scope is None else [participant_id, scope]
        if not_after is not None and not_after < clock.now() + self._lifetimes[purpose]:
            payload = [participant_id, scope, int(not_after.timestamp())]
        return str(self._serializer(purpose).dumps(payload))

    def open(self, purpose: Purpose, token: str) -> Link:
        """What the token says; InvalidLink if forged, foreign, for another purpose or expired."""
        lifetime = self._lifetimes[purpose]
        try:
            payload, signed_at = self._serializer(purpose).loads(
                token, max_age=int(lifetime.total_seconds()), return_timestamp=True
            )
        except SignatureExpired:
            raise InvalidLink(purpose, expired=True) from None
        except BadSignature:
            raise InvalidLink(purpose, expired=False) from None
        participant, scope, not_after = _parts(payload)
        if participant is None or (scope is not None) != (purpose in SCOPED):
            raise InvalidLink(purpose, expired=False)
        expires_at = signed_at + lifetime
        if not_after is not None:
            expires_at = min(expires_at, datetime.fromtimestamp(not_after, UTC))
        if expires_at < clock.now():
            raise InvalidLink(purpose, expired=True)
        return Link(purpose, participant, scope, signed_at, expires_at)


def _parts(payload: object) -> tuple[str | None, str | None, int | None]:
    """(participant, scope, not after) of the three shapes a payload takes: the participant,
    [participant, scope], or [participant, scope or None, not after]; Nones for anything else."""
    match payload:
        case str(participant):
            return participant, None, None
        case [str(participant), str(scope)]:
            return participant, scope, None
        case [str(participant), str() | None as scope, int(not_after)]:
            return participant, scope, not_after
    return None, None, None
