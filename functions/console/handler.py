"""The program leads' console: one router per page, every request through the guard (web.guard:
a session, a CSRF token with each POST, the route's role). GET pages change nothing but the
audit trail (a download is recorded as it is handed out); actions are POSTs."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tandem.lambdas.observability import logger, metrics

from . import audit, exports, matching, overview, people, roster, settings, sign_in, web

app = APIGatewayRestResolver()
app.use(middlewares=[web.guard])
for module in (sign_in, overview, roster, matching, exports, people, audit, settings):
    app.include_router(module.router)


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return web.message("Page not found", "This address is not a page of the console.", status=404)


# Not traced by the X-Ray SDK: Tracer would record each page (names, addresses) as the
# response's metadata. Lambda's active tracing still times it.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
