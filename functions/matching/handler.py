"""The daily `matching` schedule: the quarter's notice and preview a week ahead, then the start
of its matching (one job per band). What is due comes from the tenant's calendar and the
event's own time, so a late or repeated delivery does the right thing."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from tandem import cycles, settings
from tandem.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=EventBridgeModel)
def handler(event: EventBridgeModel, context: LambdaContext) -> dict[str, Any]:
    report = cycles.daily(settings.tenant(), event.time)
    metrics.add_metric(name="DailyRun", unit=MetricUnit.Count, value=1)
    if "notice" in report:
        metrics.add_metric(
            name="NoticesQueued", unit=MetricUnit.Count, value=report["notice"]["notified"]
        )
    if "matching" in report:
        metrics.add_metric(
            name="BandJobsQueued", unit=MetricUnit.Count, value=len(report["matching"]["bands"])
        )
    logger.info("daily run", extra={"report": report})
    return report
