"""Overview: the current quarter, live, with the exports' figures and their suppression."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.analytics import report
from tandem.console import overview
from tandem.model.clock import clock
from tandem.store import settings
from tandem.views import console as views

from . import web

router = Router()


@router.get("/console")
def overview_page() -> Response[str]:
    tenant = settings.tenant()
    now = overview.current(tenant, clock.now())
    return web.page(
        router,
        "overview.html",
        "Overview",
        overview=now,
        charts=[
            (title, views.svg_image(chart) if chart else None)
            for title, chart in now.figures.charts
        ],
        why=lambda reason: report.why(reason, now.min_group),
    )
