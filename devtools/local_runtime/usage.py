"""What a local run asked of AWS, counted the way AWS bills it: requests by service and
operation, DynamoDB request units, Lambda invocations and their duration. The cost bench prices
it; `GET /_local/info` shows the requests.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

_SERVICE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request")
_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
_FORM = "application/x-www-form-urlencoded"


@dataclass
class Usage:
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (service, operation)
    write_units: float = 0.0
    read_units: float = 0.0
    invocations: Counter[str] = field(default_factory=Counter)  # by function
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    # by queue: the batches an event source mapping would have received and deleted
    batches: Counter[str] = field(default_factory=Counter)
    metrics: set[tuple[str, str]] = field(default_factory=set)  # (function, custom metric)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def invoked(self, function: str, seconds: float) -> None:
        with self.lock:
            self.invocations[function] += 1
            self.seconds[function] += seconds

    def by_service(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for (service, _), count in self.requests.items():
            totals[service] += count
        return dict(totals)


class CountingApp:
    """WSGI middleware in front of moto's server: counts every request it serves."""

    def __init__(self, app: Callable[..., Iterable[bytes]], usage: Usage) -> None:
        self.app = app
        self.usage = usage

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        match = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else "unsigned"
        body = b""
        # Only small API bodies are read (and put back); S3 objects stream through untouched.
        if service == "dynamodb" or environ.get("CONTENT_TYPE", "").startswith(_FORM):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
        operation = _operation(environ, body)
        response = b"".join(self.app(environ, start_response))
        with self.usage.lock:
            self.usage.requests[(service, operation)] += 1
            if service == "dynamodb":
                writes, reads = _request_units(operation, body, response)
                self.usage.write_units += writes
                self.usage.read_units += reads
        return [response]


def _operation(environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")  # JSON protocols: DynamoDB, SQS, Secrets Manager
    if target:
        return str(target).rpartition(".")[2]
    action = parse_qs(body.decode(errors="replace")).get("Action")  # query protocols: SES
    return action[0] if action else str(environ["REQUEST_METHOD"])  # S3: by HTTP method


def _request_units(operation: str, body: bytes, response: bytes) -> tuple[float, float]:
    """(write, read) request units, as on-demand DynamoDB bills them for items under 1 KB:
    a write is 1 unit (2 in a transaction); a read is 1 unit per 4 KB, half when eventually
    consistent."""
    request = json.loads(body or b"{}")
    if operation in _WRITES:
        return 1, 0
    if operation == "BatchWriteItem":
        return sum(len(items) for items in request["RequestItems"].values()), 0
    if operation == "TransactWriteItems":
        return 2 * len(request["TransactItems"]), 0
    if operation == "GetItem":
        return 0, 1 if request.get("ConsistentRead") else 0.5
    if operation == "BatchGetItem":  # each item is rounded up to 4 KB on its own
        tables = request["RequestItems"].values()
        return 0, sum(len(t["Keys"]) * (1 if t.get("ConsistentRead") else 0.5) for t in tables)
    if operation in ("Query", "Scan"):  # the items read are summed, then rounded up
        units = max(1, math.ceil(len(response) / 4096))
        return 0, units * (1 if request.get("ConsistentRead") else 0.5)
    return 0, 0
