"""Mail events: SES's bounce and complaint notifications for the tenant's configuration set,
through its SNS topic and the mail-events queue. A permanent bounce or a complaint stops mail to
the address and tells the person's partners; anything else is acknowledged and ignored."""

from aws_lambda_powertools.utilities.parser.models import SnsNotificationModel, SqsRecordModel
from pydantic import Json

from tandem.lambdas.observability import logger
from tandem.lambdas.queue_consumer import sqs_consumer
from tandem.mail import bounces
from tandem.model.clock import clock
from tandem.store import settings


class MailEventRecord(SqsRecordModel):
    body: Json[SnsNotificationModel]


def record_handler(record: MailEventRecord) -> None:
    event = bounces.SesEvent.model_validate_json(str(record.body.Message))
    outcome = bounces.handle(event, settings.tenant(), clock.now())
    logger.info("mail event handled", extra={"event": event.eventType, **outcome})


handler = sqs_consumer(MailEventRecord, record_handler)
