"""Fault injection for AWS calls: a set share of DynamoDB, SES, S3 and SQS calls fail as AWS
fails them, so the SDK's own retries (and ours, and SQS's redelivery) run for real.

    with inject(share=0.1, seed=7) as faults:
        ...  # every botocore client, existing or created inside, gets the hooks

A botocore `before-send` hook registered first answers a call with AWS's error response
(throttling or a 500) instead of sending it; moto's in-process stub also sees every
before-send, so the request is pointed at an address it does not serve. A read timeout is the
nastier fault: the call *did* reach the service and only its answer is lost; a `needs-retry`
hook registered first hands the client's own retry policy a read timeout, so the SDK sends the
call again (or the caller gets the timeout) exactly as after a real one.

Which calls fail is a pure function of the seed, the operation and how many times that
operation was called before: the same calls in the same order fail the same way. Operations of
SQS's event source (receive, delete, visibility) are Lambda's, not ours, and are spared.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.exceptions import ReadTimeoutError
from botocore.hooks import first_non_none_response
from botocore.session import Session

from tests.integration.support import ResponseBody, live_clients

SERVICES = frozenset({"dynamodb", "ses", "s3", "sqs"})
SPARED = frozenset(
    {
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "GetQueueAttributes",
    }
)
THROTTLE, SERVER_ERROR, TIMEOUT = "throttle", "server-error", "timeout"
KINDS = (THROTTLE, SERVER_ERROR, TIMEOUT)
_UNSERVED = "https://faulted.invalid/"
_HOOK_ID = "tests-faults"

# What each service answers when it throttles or fails: (status, code).
_THROTTLED = {
    "dynamodb": (400, "ProvisionedThroughputExceededException"),
    "sqs": (400, "ThrottlingException"),
    "ses": (400, "Throttling"),
    "s3": (503, "SlowDown"),
}
_FAILED = {
    "dynamodb": (500, "InternalServerError"),
    "sqs": (500, "InternalError"),
    "ses": (500, "InternalFailure"),
    "s3": (500, "InternalError"),
}


def error_response(service: str, kind: str) -> AWSResponse:
    """The service's own error response, in its protocol, for botocore to parse."""
    status, code = (_THROTTLED if kind == THROTTLE else _FAILED)[service]
    message = "Injected fault"
    if service in ("dynamodb", "sqs"):  # JSON protocols
        body = json.dumps({"__type": f"com.amazonaws.{service}#{code}", "message": message})
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-query-error": f"{code};"}
    elif service == "ses":  # query protocol
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
            "</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
        headers = {"Content-Type": "text/xml"}
    else:  # S3: rest-xml
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        headers = {"Content-Type": "application/xml"}
    return AWSResponse(_UNSERVED, status, headers, ResponseBody(body.encode()))


class Faults:
    """Decides which calls fail, and counts every attempt and every fault, by operation."""

    def __init__(self, share: float, seed: int, services: frozenset[str] = SERVICES) -> None:
        if not 0 <= share <= 1:
            raise ValueError(f"share must be within 0 and 1, not {share}")
        self.share, self.seed, self.services = share, seed, services
        self.attempts: Counter[str] = Counter()  # "service.Operation" -> attempts seen
        self.injected: Counter[tuple[str, str]] = Counter()  # (operation, kind) -> faults
        self._lock = threading.Lock()
        self._in_flight = threading.local()

    def decide(self, operation: str) -> str | None:
        """The fault for this attempt at the operation, or None to let it through."""
        with self._lock:
            nth = self.attempts[operation]
            self.attempts[operation] += 1
        draw = random.Random(f"{self.seed}:{operation}:{nth}").random()
        if draw >= self.share:
            return None
        kind = KINDS[int(draw / self.share * len(KINDS))]
        with self._lock:
            self.injected[operation, kind] += 1
        return kind

    def _target(self, event_name: str) -> tuple[str, str] | None:
        _, service, operation = event_name.split(".", 2)
        if service not in self.services or operation in SPARED:
            return None
        return service, operation

    def before_send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        target = self._target(event_name)
        if target is None:
            return None
        service, operation = target
        kind = self.decide(f"{service}.{operation}")
        # A call is sent and answered on one thread: needs_retry reads this back.
        self._in_flight.lost = kind == TIMEOUT
        if kind in (None, TIMEOUT):
            return None
        request.url = _UNSERVED
        return error_response(service, kind)

    def needs_retry(self, event_name: str, **call: Any) -> float | None:
        """A call whose answer was lost: the client's own retry policy decides, as it would on a
        read timeout, and the caller gets the timeout if it does not retry."""
        if not getattr(self._in_flight, "lost", False):
            return None
        self._in_flight.lost = False
        timeout = ReadTimeoutError(endpoint_url=call["request_dict"]["url"])
        emitter = call["endpoint"]._event_emitter
        decided = first_non_none_response(
            emitter.emit(event_name, **{**call, "response": None, "caught_exception": timeout})
        )
        if decided is None or decided is False:
            raise timeout
        return float(decided)

    def attach(self, client: BaseClient) -> None:
        events = client.meta.events
        # unique ids are per emitter, not per event
        events.register_first("before-send", self.before_send, unique_id=f"{_HOOK_ID}-send")
        events.register_first("needs-retry", self.needs_retry, unique_id=f"{_HOOK_ID}-retry")

    @staticmethod
    def detach(client: BaseClient) -> None:
        client.meta.events.unregister("before-send", unique_id=f"{_HOOK_ID}-send")
        client.meta.events.unregister("needs-retry", unique_id=f"{_HOOK_ID}-retry")

    @property
    def total(self) -> int:
        return sum(self.injected.values())


class FirstAnswersLost(Faults):
    """Only the first call of each of some operations fails, and as the nastier fault: it
    reaches the service and its answer is lost, so the SDK sends it again."""

    def __init__(self, operations: frozenset[str]) -> None:
        super().__init__(share=1.0, seed=0)
        self.operations = operations

    def decide(self, operation: str) -> str | None:
        with self._lock:
            first = self.attempts[operation] == 0
            self.attempts[operation] += 1
            if first and operation in self.operations:
                self.injected[operation, TIMEOUT] += 1
                return TIMEOUT
        return None


@contextmanager
def first_answer_lost(*operations: str) -> Iterator[Faults]:
    """The first call of each operation ("dynamodb.PutItem") loses its answer; nothing else
    fails."""
    with attached(FirstAnswersLost(frozenset(operations))) as faults:
        yield faults
    assert faults.total, f"none of {operations} was called"


@contextmanager
def inject(share: float, seed: int, services: frozenset[str] = SERVICES) -> Iterator[Faults]:
    """Faults on every botocore client alive now or created inside the block."""
    with attached(Faults(share, seed, services)) as faults:
        yield faults


@contextmanager
def attached(faults: Faults) -> Iterator[Faults]:
    """The faults on every botocore client alive now or created inside the block."""
    clients = live_clients()
    create_client = Session.create_client

    def create_and_attach(session: Session, *args: Any, **kwargs: Any) -> BaseClient:
        client = create_client(session, *args, **kwargs)
        faults.attach(client)
        clients.append(client)
        return client

    for client in clients:
        faults.attach(client)
    try:
        with mock.patch.object(Session, "create_client", create_and_attach):
            yield faults
    finally:
        for client in clients:
            Faults.detach(client)
