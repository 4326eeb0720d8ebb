"""The queues work leaves through: mail requests to the mailer, band jobs to the matcher.
Sending raises when SQS refuses anything, so the caller's own work is retried (consumers
drop duplicates by the message's own key)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable

from tandem.model.mail_request import MailRequest
from tandem.model.validation import Strict
from tandem.store.clients import client
from tandem.store.settings import Setting, setting


class EnqueueFailed(Exception):
    pass


def send(queue: Setting, messages: Iterable[Strict]) -> int:
    """Sends every message (as JSON) to the queue the setting names; returns how many."""
    queue_url = setting(queue)
    pending = list(messages)
    for start in range(0, len(pending), 10):  # SQS takes ten messages per call
        batch = pending[start : start + 10]
        entries = [{"Id": str(i), "MessageBody": _json(m)} for i, m in enumerate(batch)]
        response = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries)
        if response.get("Failed"):
            raise EnqueueFailed(f"{len(response['Failed'])} of {len(entries)} messages refused")
    return len(pending)


def send_mail(requests: Iterable[MailRequest]) -> int:
    """Puts mail requests on the mail queue; the mailer sends each intent (mail id) once."""
    return send(Setting.MAIL_QUEUE, requests)


def _json(message: Strict) -> str:
    return json.dumps(dataclasses.asdict(message), separators=(",", ":"), ensure_ascii=False)
