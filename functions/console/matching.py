"""Matching: the next quarter's dates and its preview, live (the rows the notice writes into
matching/preview-<cycle>.csv), and that file once written."""

from __future__ import annotations

from collections import Counter

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.console import files
from tandem.console.audit import Action
from tandem.matching import daily
from tandem.model import calendar
from tandem.model.clock import clock
from tandem.store import settings

from . import web

router = Router()


@router.get("/console/matching")
def matching_page() -> Response[str]:
    tenant = settings.tenant()
    upcoming = calendar.next_cycle(tenant, clock.now())
    rows = daily.preview(tenant, upcoming)
    return web.page(
        router,
        "matching.html",
        "Matching",
        cycle=upcoming,
        rows=rows,
        counts=Counter(row.status for row in rows),
        statuses=(daily.TO_BE_MATCHED, daily.PAUSED, daily.NOT_SIGNED_UP, daily.UNREACHABLE),
        never_picked=sum(1 for row in rows if row.last_quarter),
        file=files.preview(upcoming.id),
    )


@router.get("/console/matching/preview")
def preview_file() -> Response[str]:
    upcoming = calendar.next_cycle(settings.tenant(), clock.now())
    file = files.preview(upcoming.id)
    if file is None:
        return web.message(
            "No preview file yet",
            "It is written with the notice, a week before matching.",
            status=404,
        )
    web.record(router, Action.DOWNLOADED, file.key)
    return web.redirect(files.download(file))
