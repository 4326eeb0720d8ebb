"""Audit: every console action, a month at a time, newest first (program leads only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.console import audit
from tandem.model.clock import clock

from . import web

router = Router()


def _month(value: str | None) -> datetime:
    """The first day of the month `value` names (YYYY-MM), or of this month."""
    this_month = (
        clock.now().astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    try:
        asked = datetime.strptime(value or "", "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return this_month
    return min(asked, this_month)


@router.get("/console/audit")
def audit_page() -> Response[str]:
    month = _month(router.current_event.get_query_string_value("month"))
    earlier = (month - timedelta(days=1)).replace(day=1)
    later = (month + timedelta(days=32)).replace(day=1)
    return web.page(
        router,
        "audit.html",
        "Audit",
        month=month,
        lines=audit.month(month),
        earlier=earlier,
        later=later if later <= clock.now() else None,
    )
