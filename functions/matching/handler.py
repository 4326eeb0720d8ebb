"""The daily `matching` schedule: the quarter's notice and preview a week ahead, then the start
of its matching (one job per band). What is due comes from the tenant's calendar and the
event's own time, so a late or repeated delivery does the right thing."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from typing import Any

    from aws_lambda_powertools.utilities.parser import event_parser
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from tandem.lambdas.observability import logger, tracer
    from tandem.matching import daily
    from tandem.store import settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=EventBridgeModel)
def handler(event: EventBridgeModel, context: LambdaContext) -> dict[str, Any]:
    tenant = settings.tenant()
    report = daily.daily(tenant, event.time)
    logger.info("daily run", extra={"report": report})
    # An ERROR line rings the tenant's failures alarm: every day until every band is matched.
    if daily.matching_overdue(tenant, event.time):
        logger.error("matching overdue")
    return report
