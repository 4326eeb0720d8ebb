"""Roster import: S3 upload under roster/ -> queue -> this function -> participants, invites and
roster/results/<file>, for the content the event announces."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from datetime import datetime
    from typing import Literal
    from urllib.parse import unquote_plus

    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from pydantic import BaseModel, Json

    from tandem.lambdas.observability import logger
    from tandem.lambdas.queue_consumer import sqs_consumer
    from tandem.model import bucket_layout
    from tandem.people import roster
    from tandem.store import settings


class S3TestEvent(BaseModel):
    """What S3 sends once when the notification is set up."""

    Event: Literal["s3:TestEvent"]


# Only the fields the import uses: S3 notifications carry more, and not always the same.
class UploadedObject(BaseModel):
    key: str
    eTag: str
    size: int | None = None


class UploadedTo(BaseModel):
    object: UploadedObject


class UploadEvent(BaseModel):
    eventTime: datetime
    s3: UploadedTo


class UploadEvents(BaseModel):
    Records: list[UploadEvent]


class UploadRecord(SqsRecordModel):
    body: Json[UploadEvents | S3TestEvent]


def record_handler(record: UploadRecord) -> None:
    if isinstance(record.body, S3TestEvent):
        return
    for event in record.body.Records:
        stored = event.s3.object
        key = unquote_plus(stored.key)  # S3 sends keys URL-encoded
        if not bucket_layout.is_roster_upload(key):
            continue
        upload = roster.Upload(key, event.eventTime, stored.eTag, stored.size)
        report = roster.import_roster(upload, settings.tenant().levels)
        if report is None:
            logger.info("roster superseded by a newer upload of the same key", extra={"key": key})
            continue
        counts = {outcome.value: report.count(outcome) for outcome in roster.RowOutcome}
        # Nested: "created" is a reserved attribute of a log record.
        logger.info("roster imported", extra={"results": report.results_key, "outcomes": counts})


handler = sqs_consumer(UploadRecord, record_handler)
