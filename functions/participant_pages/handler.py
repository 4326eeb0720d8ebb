"""Participant pages: the pages behind emailed links, one router per concern. GET shows and
never changes anything (mail scanners open links); the change is the POST of the page's form.
Domain errors become friendly pages here, in one place."""

from tandem.lambdas.cold_start import collector_paused

with collector_paused():
    from typing import Any

    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from tandem.lambdas.observability import logger, metrics
    from tandem.lambdas.openapi import html_pages
    from tandem.links.tokens import InvalidLink
    from tandem.model import purpose
    from tandem.people import selfservice

    from . import doors, feedback, guide, preferences, profile, pulse, rematch, schedule, web

app = APIGatewayRestResolver()
for module in (profile, preferences, schedule, rematch, guide, feedback, pulse, doors):
    app.include_router(module.router)


@app.exception_handler(InvalidLink)
def invalid_link(error: InvalidLink) -> Response[str]:
    logger.info("link refused", extra={"purpose": error.purpose, "expired": error.expired})
    if error.expired:
        return doors.links_form(
            "This link has expired",
            "Links in our emails stop working after a while, so that an old email in the wrong "
            "hands opens nothing.",
            "../links",
            status=410,
        )
    return doors.links_form(
        "This link does not work",
        "It may have been cut short when it was copied.",
        "../links",
        status=404,
    )


@app.exception_handler(selfservice.Gone)
def gone(_: selfservice.Gone) -> Response[str]:
    return web.message(
        "This link no longer works",
        'You are no longer in the program. To come back, open the "Leave the program" link at '
        "the foot of any of our emails and choose to rejoin.",
        status=410,
    )


@app.exception_handler(purpose.IncompleteAnswers)
def incomplete(_: purpose.IncompleteAnswers) -> Response[str]:
    # The form checks the answers first; should the two checks ever differ, this is no 500.
    return web.message(
        "Some questions still need an answer",
        "Please go back, answer each of the nine questions, and send the form again.",
        status=400,
    )


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return web.not_found()


# What each method's pages may answer, all as HTML: a page, a form back with its problems
# (400), a link that leads nowhere (404), a conflict with a newer answer (409), a link expired
# or a person gone (410), a body too large (413).
_STATUSES = {"get": (200, 404, 410), "post": (200, 400, 404, 409, 410, 413)}


def openapi() -> dict[str, Any]:
    """The pages' OpenAPI document (served by the local runtime at /_local/openapi.json)."""
    return html_pages(app, "Tandem link pages", _STATUSES)


# Not traced by the X-Ray SDK: a person waits for its cold start, and Tracer would record each
# page (names, pledges) as the response's metadata. Lambda's active tracing still times it.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
