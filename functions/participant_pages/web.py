"""What every page route shares: the HTML response with the pages' security headers, the
form body, the token check, the self-service links and the message page; and for the pages of a
quarter, the person's group that quarter (or the page saying they have none)."""

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from tandem.conversations.quarter import Quarter, quarter_of
from tandem.links.tokens import Purpose
from tandem.links.urls import Links, link_tokens
from tandem.model.participant import Participant
from tandem.people import selfservice
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


def whole_number(value: str) -> int | None:
    """A number written in ASCII digits, or None: str.isdigit() also accepts "²", which int()
    refuses."""
    return int(value) if value.isascii() and value.isdigit() else None


def participant(purpose: Purpose, token: str) -> str:
    return link_tokens().verify(purpose, token)


def links(pid: str) -> dict[str, str]:
    # Relative to /<purpose>/<token>, so links work under any stage or custom domain.
    return Links("..", link_tokens()).for_participant(pid)


def message(title: str, *paragraphs: str, status: int = 200) -> Response[str]:
    return html(pages.message(settings.tenant(), title, *paragraphs), status)


def not_found() -> Response[str]:
    return html(pages.not_found(settings.tenant()), 404)


def quarter(purpose: Purpose, token: str) -> tuple[Participant, Quarter | None]:
    """The person a link about a quarter names, and their group's quarter."""
    pid, cycle = link_tokens().verify_scoped(purpose, token)
    person = selfservice.active(pid)
    return person, quarter_of(person, cycle, settings.tenant())


def session_of(purpose: Purpose, token: str) -> tuple[Participant, Quarter | None, int]:
    """The person, their group's quarter and the session a link about one session names."""
    pid, scope = link_tokens().verify_scoped(purpose, token)
    person = selfservice.active(pid)
    cycle, _, number = scope.partition("/")
    quarter = quarter_of(person, cycle, settings.tenant())
    return person, quarter, whole_number(number) or 0


def no_group() -> Response[str]:
    # 404: the link names a quarter or conversation this person has nothing in (any more).
    return message(
        "No partner this quarter",
        "You are not in a pair or trio this quarter. We email you when the next one starts.",
        status=404,
    )


def quarter_links(person: Participant, quarter: Quarter) -> dict[str, str]:
    return Links("..", link_tokens()).for_participant(person.id, quarter.cycle.id)
