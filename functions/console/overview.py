"""Overview: the current quarter, live."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.model import calendar
from tandem.model.clock import clock
from tandem.store import settings

from . import web

router = Router()


@router.get("/console")
def overview_page() -> Response[str]:
    cycle = calendar.current_cycle(settings.tenant(), clock.now())
    return web.page(router, "overview.html", "Overview", cycle=cycle)
