"""Mail events: SES's bounce and complaint events for the tenant's configuration set, through
EventBridge's rule and the mail-events queue. A permanent bounce or a complaint stops mail to
the address and tells the person's partners; anything else is acknowledged and ignored."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
    from pydantic import Json

    from tandem.lambdas.observability import logger
    from tandem.lambdas.queue_consumer import sqs_consumer
    from tandem.mail import bounces
    from tandem.model.clock import clock
    from tandem.store import settings


class SesEventBridgeModel(EventBridgeModel):
    detail: bounces.SesEvent  # what SES publishes, as the event's detail


class MailEventRecord(SqsRecordModel):
    body: Json[SesEventBridgeModel]


def record_handler(record: MailEventRecord) -> None:
    event = record.body.detail
    outcome = bounces.handle(event, settings.tenant(), clock.now())
    logger.info("mail event handled", extra={"event": event.eventType, **outcome})


handler = sqs_consumer(MailEventRecord, record_handler)
