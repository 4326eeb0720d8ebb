"""Band matcher: one message per band of a cycle, from the band queue.

A job runs once at a time (Powertools idempotency keyed on cycle and band) and a repeat finds
the band already settled; a failure fails its record, for SQS to retry, then dead-letter.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

from tandem import bands, settings
from tandem.cycles import BandJob
from tandem.observability import logger, metrics, tracer
from tandem.store.idempotency import persistence_layer


class BandJobRecord(SqsRecordModel):
    body: Json[BandJob]


processor = BatchProcessor(event_type=EventType.SQS, model=BandJobRecord)
one_at_a_time = IdempotencyConfig(event_key_jmespath="[cycle, band]", expires_after_seconds=3600)


@idempotent_function(
    data_keyword_argument="job", config=one_at_a_time, persistence_store=persistence_layer()
)
def match_once(job: BandJob) -> dict[str, Any]:
    report = bands.match_band(settings.tenant(), job)
    metrics.add_metric(name="Groups", unit=MetricUnit.Count, value=report["groups"])
    metrics.add_metric(name="Unmatched", unit=MetricUnit.Count, value=report["unmatched"])
    logger.info("band matched", extra={"report": report})
    return report


def record_handler(record: BandJobRecord) -> None:
    match_once(job=record.body)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    one_at_a_time.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
