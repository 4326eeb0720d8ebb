"""HR's exports: the daily `exports` schedule exports each quarter once when it is due (and
mails the program leads); `{"cycle": "2027-Q1"}`, from `tandem export`, exports one on demand."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from typing import Any

    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from pydantic import BaseModel, ConfigDict

    from tandem.analytics import exports
    from tandem.lambdas.observability import logger, tracer
    from tandem.store import settings


class OnDemand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: str


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    tenant = settings.tenant()
    if "cycle" not in event:
        report = exports.daily(tenant, parse(event, model=EventBridgeModel).time)
        logger.info("daily run", extra={"report": report})
        return report
    try:
        cycle = parse(event, model=OnDemand).cycle
        written = exports.export(tenant, cycle)
    except ValueError as error:  # a malformed request, or a cycle the calendar lacks
        return {"error": str(error)}
    logger.info("exported on demand", extra={"cycle": cycle, "files": len(written)})
    return {"cycle": cycle, "files": written}
