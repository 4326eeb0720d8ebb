"""Settings: the program as the tenant file configures it, read-only, with where to change it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.model import calendar, guides
from tandem.model.clock import clock
from tandem.store import settings

from . import web

router = Router()


@router.get("/console/settings")
def settings_page() -> Response[str]:
    tenant = settings.tenant()
    now = clock.now()
    upcoming = calendar.next_cycle(tenant, now)
    year = calendar.cycles_of_year(tenant, upcoming.starts.year)
    return web.page(
        router,
        "settings.html",
        "Settings",
        cycles=[c for c in year if c.starts >= upcoming.starts] or [upcoming],
        bands=tenant.bands(),
        tracks=guides.tracks(),
    )
