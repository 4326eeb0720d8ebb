"""What every page route shares: the HTML response with the pages' security headers, the
form body, the token check, the self-service links and the message page; and for the pages of a
quarter, the person's group that quarter (or the page saying they have none)."""

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from tandem.conversations.quarter import Quarter, quarter_of
from tandem.links.tokens import Link, Purpose
from tandem.links.urls import Links, link_tokens
from tandem.model.participant import Participant
from tandem.people import selfservice
from tandem.store import settings
from tandem.views import pages

MAX_BODY = 8 * 1024  # a real answer is well under this; anything larger is refused unread


def html(body: str, status: int = 200) -> Response[str]:
    return Response(status, "text/html; charset=utf-8", body, headers=pages.HEADERS)


def form(event: APIGatewayProxyEvent) -> dict[str, str]:
    """Each field's first value."""
    return {name: values[0] for name, values in form_lists(event).items()}


def form_lists(event: APIGatewayProxyEvent) -> dict[str, list[str]]:
    """Each field's values, as checkboxes of one name send them."""
    try:
        return parse_qs(event.decoded_body or "", keep_blank_values=True, max_num_fields=40)
    except ValueError:
        return {}


def whole_number(value: str) -> int | None:
    """A number written in ASCII digits, or None: str.isdigit() also accepts "²", which int()
    refuses."""
    return int(value) if value.isascii() and value.isdigit() else None


def opened(purpose: Purpose, token: str) -> tuple[Link, Participant]:
    """The link a token makes, and the person it names (selfservice.holder)."""
    link = link_tokens().open(purpose, token)
    return link, selfservice.holder(link)


def opened_by_member(purpose: Purpose, token: str) -> tuple[Link, Participant]:
    """As opened, for a page only people in the program use (Gone once they left)."""
    link = link_tokens().open(purpose, token)
    return link, selfservice.active_holder(link)


def links(opened: Link) -> dict[str, str]:
    """The links the page `opened` leads to (links.urls.LEADS_TO), expiring with it."""
    # Relative to /<purpose>/<token>, so links work under any stage or custom domain.
    return Links("..", link_tokens()).leading_from(opened)


def message(title: str, *paragraphs: str, status: int = 200) -> Response[str]:
    return html(pages.message(settings.tenant(), title, *paragraphs), status)


def not_found() -> Response[str]:
    return html(pages.not_found(settings.tenant()), 404)


def quarter(purpose: Purpose, token: str) -> tuple[Link, Participant, Quarter | None]:
    """The link about a quarter, the person it names, and their group's quarter."""
    link, person = opened_by_member(purpose, token)
    return link, person, quarter_of(person, str(link.scope), settings.tenant())


def session_of(purpose: Purpose, token: str) -> tuple[Participant, Quarter | None, int]:
    """The person, their group's quarter and the session a link about one session names."""
    link, person = opened_by_member(purpose, token)
    cycle, _, number = str(link.scope).partition("/")
    quarter = quarter_of(person, cycle, settings.tenant())
    return person, quarter, whole_number(number) or 0


def no_group() -> Response[str]:
    # 404: the link names a quarter or conversation this person has nothing in (any more).
    return message(
        "No partner this quarter",
        "You are not in a group (a pair, trio or circle) this quarter. We email you when the "
        "next one starts.",
        status=404,
    )
