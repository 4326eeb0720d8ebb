"""The mail queue: every email leaves through it, so the mailer can retry, dead-letter and
deduplicate in one place."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import boto3

from tandem.mail import MailRequest
from tandem.settings import Setting, setting


class EnqueueFailed(Exception):
    pass


@cache
def _sqs() -> Any:
    return boto3.client("sqs")


def enqueue(requests: Iterable[MailRequest]) -> int:
    """Queues the requests; raises when any is refused, so the caller's work is retried (the
    mailer drops duplicates by mail id). Returns how many were queued."""
    queue_url = setting(Setting.MAIL_QUEUE)
    pending = list(requests)
    for start in range(0, len(pending), 10):  # SQS takes ten messages per call
        batch = pending[start : start + 10]
        entries = [{"Id": str(i), "MessageBody": r.model_dump_json()} for i, r in enumerate(batch)]
        response = _sqs().send_message_batch(QueueUrl=queue_url, Entries=entries)
        if response.get("Failed"):
            raise EnqueueFailed(
                f"{len(response['Failed'])} of {len(entries)} mail requests refused"
            )
    return len(pending)
