"""The HTML pages behind emailed links: small, accessible, phone-first, and strict about what a
browser may do with them (no scripts, no framing, no referrer that could leak a link token)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from tandem.model.tenant import Tenant
from tandem.views.render import render, stylesheet

_STYLE = stylesheet("pages/style.css")

HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE.sha256}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    # The pages' addresses hold tokens: once seen over HTTPS, never asked for over plain HTTP.
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
TIME_ZONES = [*sorted(zone for zone in available_timezones() if zone.startswith(_REGIONS)), "UTC"]


def page(name: str, tenant: Tenant, **context: Any) -> str:
    return render(f"pages/{name}", css=_STYLE.css, tenant=tenant, time_zones=TIME_ZONES, **context)


def message(tenant: Tenant, title: str, *paragraphs: str) -> str:
    return page("message.html", tenant, title=title, paragraphs=paragraphs)


def not_found(tenant: Tenant) -> str:
    """The page for an address no route answers: the function's own, and API Gateway's for
    paths that never reach it (a link cut short, a typed URL)."""
    return message(tenant, "Page not found", "Please use the links in your emails from us.")
