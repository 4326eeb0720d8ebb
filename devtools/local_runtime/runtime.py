"""The local runtime: the real handlers on the embedded AWS, wired by infra/wiring.py.

Queues are drained by pollers that act like Lambda's SQS event source mappings (batches,
partial batch failures, redrive to the dead-letter queue). One invocation runs at a time, as
if each function had a single instance: handlers keep per-invocation state in module globals.

Nothing waits on the wall clock: a poller takes a message the moment it is sent (moto's long
poll wakes on it), a failed message is made visible again at once instead of after the queue's
visibility timeout (its receive count still grows, and the last receive moves it to the
dead-letter queue), and `wait_until_idle` wakes when a poller finishes a batch.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from moto.sqs.models import Queue, sqs_backends

from devtools.local_runtime import events
from devtools.local_runtime.aws import ACCOUNT, REGION, EmbeddedAws, Resources, provision
from devtools.local_runtime.idp import ConsoleUser, LocalIdp, console_users, seed
from devtools.local_runtime.usage import Usage
from infra import wiring
from tandem.model.clock import clock
from tandem.model.tenant import Tenant
from tandem.store.user_pool import UserPool

Handler = Callable[[dict[str, Any], Any], Any]
log = logging.getLogger("tandem.local")

# Quiet, local-friendly Powertools: no X-Ray, no metrics on stdout, only warnings in the log.
POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "tandem-local",
    "POWERTOOLS_METRICS_NAMESPACE": "Tandem/local",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_s * 1000


class LocalRuntime:
    def __init__(
        self, tenant: Tenant, api_port: int, aws_port: int, *, log_level: str = "WARNING"
    ) -> None:
        self.tenant = tenant
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.log_level = log_level  # the handlers' Powertools log level
        self.usage = Usage()
        self.aws = EmbeddedAws(aws_port, self.usage)
        self._invoking = threading.Lock()
        self._stopping = threading.Event()
        self._batch_done = threading.Condition()
        self._pollers: list[threading.Thread] = []
        self.handlers: dict[str, Handler] = {}
        self.resources: Resources | None = None
        self.console_url = f"{self.api_url}/console"
        self.console_users: list[ConsoleUser] = []
        self.idp: LocalIdp | None = None

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(
            logging.ERROR
        )  # moto's request log: noise, and paths
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self.aws.start()
        self.resources = provision(self.tenant)
        self.console_users = console_users(self.tenant)
        seed(UserPool(self.resources.user_pool, self.resources.console_client), self.console_users)
        self.idp = LocalIdp(
            self.resources.user_pool, self.resources.console_client, self.console_url
        )
        os.environ.update(POWERTOOLS_ENVIRONMENT | {"POWERTOOLS_LOG_LEVEL": self.log_level})
        os.environ.update(
            {str(k): v for k, v in self.resources.settings(self.tenant, self.api_url).items()}
        )
        # Imported only now: handlers and Powertools read their settings when they load.
        self._metrics = importlib.import_module("tandem.lambdas.observability").metrics
        self.handlers = {
            f.name: importlib.import_module(f"functions.{f.name}.handler").handler
            for f in wiring.FUNCTIONS
        }
        for queue in wiring.QUEUES:
            poller = threading.Thread(
                target=self._poll, args=(queue,), name=f"poll-{queue.name}", daemon=True
            )
            poller.start()
            self._pollers.append(poller)

    def stop(self) -> None:
        self._stopping.set()
        for poller in self._pollers:
            poller.join(timeout=5)
        self.aws.stop()

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        spec = wiring.function(function)
        # The deadline is now: a failed message comes back at once, where on AWS it would come
        # back after the visibility timeout, six times the function's timeout. So an
        # idempotency record that a failed invocation left in progress has expired by then, as
        # on AWS; and as one invocation runs at a time, no other one can be holding it.
        context = LambdaContext(spec.name, spec.memory_mb, timeout_s=0)
        with self._invoking:
            started = time.monotonic()
            try:
                return self.handlers[function](event, context)
            finally:
                self.usage.invoked(function, time.monotonic() - started)
                # Disabled Powertools metrics are never flushed, only piled up (and printed at
                # 100 values): note their names, then drop them, as a flush would.
                names = self._metrics.provider.metric_set
                self.usage.metrics.update((function, name) for name in names)
                self._metrics.clear_metrics()

    def run_schedule(self, name: str) -> Any:
        """Runs a schedule's function with the event it would send at the local clock's time."""
        schedule = wiring.schedule(name)
        return self.invoke(schedule.function, events.scheduled_event(name, clock.now()))

    def _poll(self, queue: wiring.Queue) -> None:
        sqs = boto3.client("sqs")
        assert self.resources is not None
        url = self.resources.queue_urls[queue.name]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        while not self._stopping.is_set():
            received = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=queue.batch_size,
                WaitTimeSeconds=1,  # only how often a poller looks up to see if it must stop
                AttributeNames=["All"],
            ).get("Messages", [])
            if queue.trigger is not None:  # the event source mapping's filter
                trigger = queue.trigger
                filtered = [
                    m
                    for m in received
                    if not any(trigger.fires_for(key) for key in events.bucket_keys(m["Body"]))
                ]
                _delete(sqs, url, filtered)
                received = [m for m in received if m not in filtered]
            if received:
                self._deliver(sqs, queue, url, arn, received)
            with self._batch_done:  # also after a receive that dead-lettered what it found
                self._batch_done.notify_all()

    def _deliver(
        self, sqs: Any, queue: wiring.Queue, url: str, arn: str, batch: list[dict[str, Any]]
    ) -> None:
        """One batch to the queue's consumer: what it did is deleted, what failed comes back."""
        try:
            response = self.invoke(queue.consumer, events.sqs_event(arn, batch))
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        except Exception:  # a crashed invocation: every message comes back, as in Lambda
            log.exception("%s failed on a batch from the %s queue", queue.consumer, queue.name)
            failed = {m["MessageId"] for m in batch}
        self.usage.batches[queue.name] += 1
        _delete(sqs, url, [m for m in batch if m["MessageId"] not in failed])
        _make_visible(sqs, url, [m for m in batch if m["MessageId"] in failed])

    def queue_depths(self) -> dict[str, dict[str, int]]:
        """Messages waiting, in flight, and dead-lettered, per queue (asked of the embedded
        AWS in-process: the answer costs no request)."""
        assert self.resources is not None
        depths = {}
        for name, url in self.resources.queue_urls.items():
            queue = _queue(url)
            depths[name] = {
                "waiting": queue.approximate_number_of_messages,
                "in_flight": queue.approximate_number_of_messages_not_visible,
                "dead_letters": _queue(
                    self.resources.dead_letter_urls[name]
                ).approximate_number_of_messages,
            }
        return depths

    def idle(self) -> bool:
        """No queue holds a message, waiting, delayed or in flight (dead letters aside)."""
        assert self.resources is not None
        return not any(_holds_messages(_queue(url)) for url in self.resources.queue_urls.values())

    def wait_until_idle(self, timeout_s: float = 60) -> bool:
        """True once every queue is empty (dead letters aside); False if that takes too long."""
        deadline = time.monotonic() + timeout_s
        with self._batch_done:
            while not self.idle():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                # Woken by every finished batch; the short timeout covers what a poller cannot
                # tell at once (a receive that dead-lettered a message returns only when its
                # long poll ends) and what another client does to a queue.
                self._batch_done.wait(min(left, 0.05))
        return True


def _queue(url: str) -> Queue:
    """The embedded AWS's queue behind a URL."""
    return sqs_backends[ACCOUNT][REGION].get_queue(url.rpartition("/")[2])


def _holds_messages(queue: Queue) -> bool:
    # Every message not yet deleted or dead-lettered, visible or not: moto's counts iterate this
    # list, and may miss one while a poller deletes another; asking its length cannot.
    return bool(queue._messages)


def _delete(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    if messages:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )


def _make_visible(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    """Failed messages, visible again at once rather than when their visibility times out."""
    if messages:
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(messages)
            ],
        )
