"""Sending through SES, with the tenant's configuration set (bounce/complaint tracking), within
the account's send rate."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.message import EmailMessage
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from tandem.store.settings import Setting, setting

# Each instance paces on its own clock and SES counts per second: stay a little below the rate.
_HEADROOM = 0.9
# SES's answers to sending too fast. The SDK's standard retries know the first; ours cover both,
# for throttling that outlasts the SDK's few quick attempts.
THROTTLED = frozenset({"Throttling", "MaxSendingRateExceeded"})
_ATTEMPTS = 3
_BACKOFF_S = 1.0
_MAX_BACKOFF_S = 4.0


class NotSent(Exception):
    """SES refused or failed the message. Only SES's error code is kept: its messages can name
    recipients, and this error ends up in the logs."""


class AddressRejected(NotSent):
    """SES refuses the recipient's address itself: sending again cannot help."""


# A send whose answer never came back may have gone out; SES has no idempotency key, so it is
# counted as sent rather than risk delivering it twice (a lost email is the rarer harm here).
UNCONFIRMED = "unconfirmed"
_ANSWER_LOST = (ReadTimeoutError, ConnectionClosedError)


def _no_resend_after_a_lost_answer(
    caught_exception: Exception | None = None, **_: Any
) -> bool | None:
    return False if isinstance(caught_exception, _ANSWER_LOST) else None


@cache
def _ses() -> Any:
    client = boto3.client(
        "ses", config=Config(retries={"mode": "standard", "total_max_attempts": 3})
    )
    # Ahead of the SDK's retry handler, which would send again after a read timeout.
    client.meta.events.register("needs-retry.ses.SendRawEmail", _no_resend_after_a_lost_answer)
    return client


@cache
def max_send_rate() -> float:
    """The account's sending rate (recipients a second), asked once per process."""
    return float(_ses().get_send_quota()["MaxSendRate"])


class Pacer:
    """Spaces calls at least 1/rate seconds apart."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval


def mailer_rate() -> float:
    """What one mailer instance may send a second: its share of the account's rate, among the
    instances that may send at once (the wiring's MAILERS)."""
    return max_send_rate() * _HEADROOM / int(setting(Setting.MAILERS))


@cache
def _pacer() -> Pacer:
    return Pacer(mailer_rate())


def send(message: EmailMessage) -> str:
    """Sends one message at this instance's pace; returns SES's message id, or UNCONFIRMED if
    its answer was lost. Throttling is retried with exponential backoff and jitter before
    NotSent."""
    attempt = 0
    while True:
        _pacer().wait()
        try:
            response = _ses().send_raw_email(
                RawMessage={"Data": message.as_bytes()},
                ConfigurationSetName=setting(Setting.SES_CONFIGURATION_SET),
            )
            return str(response["MessageId"])
        except _ANSWER_LOST:
            return UNCONFIRMED
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "unknown")
            attempt += 1
            if code in THROTTLED and attempt < _ATTEMPTS:
                # Full jitter: instances throttled together do not retry together.
                time.sleep(random.uniform(0, min(_MAX_BACKOFF_S, _BACKOFF_S * 2**attempt)))  # noqa: S311
                continue
            if _refuses_the_address(code, error.response.get("Error", {}).get("Message", "")):
                raise AddressRejected(code) from None
            raise NotSent(code) from None


def _refuses_the_address(code: str, message: str) -> bool:
    """SES's InvalidParameterValue names what is wrong ("Missing final '@domain'", "Illegal
    address", "Local address contains control or whitespace"). The sender and the program
    leads are checked when the tenant is deployed, so an address it refuses is the recipient's.
    The message itself is never kept: it can quote the address."""
    wording = message.lower()
    return code == "InvalidParameterValue" and ("address" in wording or "domain" in wording)
