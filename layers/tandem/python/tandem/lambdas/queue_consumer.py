"""The Lambda entry point of a queue's consumer.

Each SQS record is parsed into its model and handled on its own: a failure fails only that
record (partial batch response), for SQS to retry and then dead-letter; the rest are done.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from tandem.lambdas.observability import logger, tracer

Record = TypeVar("Record", bound=SqsRecordModel)
Handler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def sqs_consumer(
    model: type[Record],
    record_handler: Callable[[Record], None],
    idempotency: IdempotencyConfig | None = None,
) -> Handler:
    processor = BatchProcessor(event_type=EventType.SQS, model=model)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        if idempotency is not None:
            # An in-progress record then expires with the invocation that holds it.
            idempotency.register_lambda_context(context)
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
