"""The hourly `reminders` schedule: first the sweep that finishes leaving (whoever left and is
still listed in a group is taken out of it, so their partners are not reminded of them), then
the slot nudge, and each session's reminders before and after, for whatever is due at the
event's own time (a late or repeated delivery sends nothing twice)."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from typing import Any

    from aws_lambda_powertools.utilities.parser import event_parser
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from tandem.conversations import reminders
    from tandem.lambdas.observability import logger, tracer
    from tandem.people import selfservice
    from tandem.store import settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=EventBridgeModel)
def handler(event: EventBridgeModel, context: LambdaContext) -> dict[str, Any]:
    tenant = settings.tenant()
    swept = selfservice.finish_leaving(tenant, event.time)
    report = reminders.run(tenant, event.time)
    logger.info("reminders run", extra={"report": report, "leaving_swept": swept})
    return report
