"""The local runtime: the real handlers on the embedded AWS, wired by infra/wiring.py.

Queues are drained by pollers that act like Lambda's SQS event source mappings (batches,
partial batch failures, redrive to the dead-letter queue). One invocation runs at a time, as
if each function had a single instance: handlers keep per-invocation state in module globals.
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

from devtools.local_runtime import events
from devtools.local_runtime.aws import EmbeddedAws, Resources, provision
from devtools.local_runtime.usage import Usage
from infra import wiring
from tandem.model.clock import clock
from tandem.model.tenant import Tenant

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
    def __init__(self, tenant: Tenant, api_port: int, aws_port: int) -> None:
        self.tenant = tenant
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.usage = Usage()
        self.aws = EmbeddedAws(aws_port, self.usage)
        self._invoking = threading.Lock()
        self._stopping = threading.Event()
        self._pollers: list[threading.Thread] = []
        self.handlers: dict[str, Handler] = {}
        self.resources: Resources | None = None

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(
            logging.ERROR
        )  # moto's request log: noise, and paths
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self.aws.start()
        self.resources = provision(self.tenant)
        os.environ.update(POWERTOOLS_ENVIRONMENT)
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
        context = LambdaContext(spec.name, spec.memory_mb, spec.timeout_s)
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
                WaitTimeSeconds=1,
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
            if not received:
                continue
            try:
                response = self.invoke(queue.consumer, events.sqs_event(arn, received))
                failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
            except Exception:  # a crashed invocation: every message comes back, as in Lambda
                log.exception("%s failed on a batch from the %s queue", queue.consumer, queue.name)
                failed = {m["MessageId"] for m in received}
            self.usage.batches[queue.name] += 1
            _delete(sqs, url, [m for m in received if m["MessageId"] not in failed])

    def queue_depths(self) -> dict[str, dict[str, int]]:
        """Messages waiting, in flight, and dead-lettered, per queue."""
        sqs = boto3.client("sqs")
        assert self.resources is not None
        depths = {}
        for name, url in self.resources.queue_urls.items():
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            dead = sqs.get_queue_attributes(
                QueueUrl=self.resources.dead_letter_urls[name],
                AttributeNames=["ApproximateNumberOfMessages"],
            )["Attributes"]
            depths[name] = {
                "waiting": int(counts["ApproximateNumberOfMessages"]),
                "in_flight": int(counts["ApproximateNumberOfMessagesNotVisible"]),
                "dead_letters": int(dead["ApproximateNumberOfMessages"]),
            }
        return depths

    def wait_until_idle(self, timeout_s: float = 60) -> bool:
        """True once every queue is empty (dead letters aside); False if that takes too long."""
        sqs = boto3.client("sqs")
        assert self.resources is not None
        counts = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            # Only the queues themselves: asking is not free on the embedded AWS either.
            if all(
                not any(int(n) for n in attributes.values())
                for attributes in (
                    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=counts)["Attributes"]
                    for url in self.resources.queue_urls.values()
                )
            ):
                return True
            time.sleep(0.2)
        return False


def _delete(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    if messages:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
