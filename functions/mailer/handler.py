"""Mailer: sends each mail request from the mail queue through SES, exactly once per mail id.

A failed send fails only its own record (partial batch response); SQS retries it and, after
the last attempt, moves it to the dead-letter queue.
"""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from pydantic import Json

    from tandem.lambdas.observability import logger
    from tandem.lambdas.queue_consumer import sqs_consumer
    from tandem.mail import delivery
    from tandem.model.clock import clock
    from tandem.model.mail_request import MailRequest
    from tandem.store.idempotency import persistence_layer


class MailRecord(SqsRecordModel):
    # SqsRecordModel's type names pydantic's models; a dataclass validates alike.
    body: Json[MailRequest]  # type: ignore[assignment]


# Kept longer than a message can live in the queue and its dead-letter queue (14 days), so a
# replayed message is still recognised.
once = IdempotencyConfig(event_key_jmespath="mail_id", expires_after_seconds=15 * 24 * 3600)


@idempotent_function(
    data_keyword_argument="request", config=once, persistence_store=persistence_layer()
)
def send_once(request: MailRequest) -> dict[str, str | None]:
    message_id = delivery.deliver(request, clock.now())
    logger.info("mail handled", extra={"kind": request.kind, "sent": message_id is not None})
    return {"message_id": message_id}


def record_handler(record: MailRecord) -> None:
    send_once(request=record.body)


handler = sqs_consumer(MailRecord, record_handler, once)
