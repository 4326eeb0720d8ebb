"""What every page route shares: the HTML response with the pages' security headers, the
form body, the token check, the self-service links and the message page."""

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from tandem.links.tokens import Purpose
from tandem.links.urls import Links, link_tokens
from tandem.store import settings
from tandem.views import pages

MAX_BODY = 8 * 1024  # a real answer is well under this; anything larger is refused unread


def html(body: str, status: int = 200) -> Response[str]:
    return Response(status, "text/html; charset=utf-8", body, headers=pages.HEADERS)


def form(event: APIGatewayProxyEvent) -> dict[str, str]:
    try:
        fields = parse_qs(event.decoded_body or "", keep_blank_values=True, max_num_fields=40)
    except ValueError:
        fields = {}
    return {name: values[0] for name, values in fields.items()}


def participant(purpose: Purpose, token: str) -> str:
    return link_tokens().verify(purpose, token)


def links(pid: str) -> dict[str, str]:
    # Relative to /<purpose>/<token>, so links work under any stage or custom domain.
    return Links("..", link_tokens()).for_participant(pid)


def message(title: str, *paragraphs: str, status: int = 200) -> Response[str]:
    return html(pages.message(settings.tenant(), title, *paragraphs), status)


def not_found() -> Response[str]:
    return html(pages.not_found(settings.tenant()), 404)
