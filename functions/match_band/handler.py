"""Band matcher: one message per band of a cycle, from the band queue; and the pool of people
whose partners left mid-quarter, paired again when one of them asks.

A job runs once at a time (Powertools idempotency keyed on cycle and band) and a repeat finds
the band already settled; a failure fails its record, for SQS to retry, then dead-letter.
"""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from typing import Any

    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from pydantic import Json

    from tandem.lambdas.observability import logger
    from tandem.lambdas.queue_consumer import sqs_consumer
    from tandem.matching import band
    from tandem.model.clock import clock
    from tandem.model.jobs import BandJob, RematchJob
    from tandem.store import settings
    from tandem.store.idempotency import persistence_layer


class JobRecord(SqsRecordModel):
    # SqsRecordModel's type names pydantic's models; dataclasses validate alike.
    body: Json[BandJob | RematchJob]  # type: ignore[assignment]


one_at_a_time = IdempotencyConfig(event_key_jmespath="[cycle, band]", expires_after_seconds=3600)


@idempotent_function(
    data_keyword_argument="job", config=one_at_a_time, persistence_store=persistence_layer()
)
def match_once(job: BandJob) -> dict[str, Any]:
    report = band.match_band(settings.tenant(), job, clock.now())
    logger.info("band matched", extra={"report": report})
    return report


def record_handler(record: JobRecord) -> None:
    if isinstance(record.body, RematchJob):
        # Safe to repeat without a record: pairing takes people out of the pool atomically.
        report = band.rematch(settings.tenant(), record.body, clock.now())
        logger.info("pool rematched", extra={"report": report})
    else:
        match_once(job=record.body)


handler = sqs_consumer(JobRecord, record_handler, one_at_a_time)
