"""The guide to one conversation: its questions, personalised, and the pledges to check in on."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.conversations import feedback
from tandem.links.tokens import Purpose
from tandem.model import guides
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


@router.get("/guide/<token>")
def guide_page(token: str) -> Response[str]:
    person, quarter, number = web.session_of(Purpose.GUIDE, token)
    session = quarter.plan.session(number) if quarter else None
    if quarter is None or session is None:
        return web.no_group()
    tenant = settings.tenant()
    guide = guides.group_guide(
        quarter.track(tenant), quarter.plan, number, person, quarter.partners
    )
    body = pages.page(
        "guide.html",
        tenant,
        title=guide.session.theme,
        participant=person,
        partners=quarter.partners,
        session=session,
        guide=guide,
        pledges=feedback.to_check_in(quarter.plan, number, person, quarter.partners),
    )
    return web.html(body)
