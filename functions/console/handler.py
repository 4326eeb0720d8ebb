"""The program leads' console: one router per page, every request through the guard (web.guard:
a session, a CSRF token with each POST, the route's role). GET pages change nothing but the
audit trail (a download is recorded as it is handed out); actions are POSTs."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from typing import Any

    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from tandem.lambdas.observability import logger, metrics
    from tandem.lambdas.openapi import html_pages

    from . import audit, exports, matching, overview, people, roster, settings, sign_in, web

app = APIGatewayRestResolver()
app.use(middlewares=[web.guard])
for module in (sign_in, overview, roster, matching, exports, people, audit, settings):
    app.include_router(module.router)


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return web.message("Page not found", "This address is not a page of the console.", status=404)


# What the console may answer, all as HTML: a page, a redirect (302 to sign in; 303 after an
# action, a sign-in or to a download), a form back with its problem (400), no session (401), a
# role or CSRF token short of the route's (403), nobody or nothing there (404), a person gone
# since the page was shown (409).
_STATUSES = {"get": (200, 302, 303, 401, 403, 404), "post": (200, 303, 400, 401, 403, 404, 409)}


def openapi() -> dict[str, Any]:
    """The console's OpenAPI document (served by the local runtime at
    /_local/console-openapi.json)."""
    return html_pages(app, "Tandem console", _STATUSES)


# Not traced by the X-Ray SDK: Tracer would record each page (names, addresses) as the
# response's metadata. Lambda's active tracing still times it.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
