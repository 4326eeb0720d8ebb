"""The HTML pages behind emailed links: small, accessible, phone-first, and strict about what a
browser may do with them (no scripts, no framing, no referrer that could leak a link token)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from tandem.model.tenant import Tenant
from tandem.model.validation import time_zone
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


def _zone_table() -> list[str]:
    """The zones a person picks from: the time zone database's own list, one or more per
    country (zone.tab), without the old names it keeps only as aliases (Asia/Calcutta beside
    Asia/Kolkata), and UTC. One file read, not the 600 zone files that listing them all opens."""
    table = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return [*sorted({row[2] for row in rows}), "UTC"]


TIME_ZONES = _zone_table()


def _zones_with(selected: str | None) -> list[str]:
    """The list, with a person's own zone should it be an alias the list leaves out (a roster
    may give one): their page shows what they have, not a blank choice."""
    if not selected or selected in TIME_ZONES:
        return TIME_ZONES
    try:
        time_zone(selected)
    except ValueError:
        return TIME_ZONES  # a form sent back with a zone that is not one: they choose again
    return sorted([*TIME_ZONES, selected])


# A region's name where the database's first word would puzzle someone picking theirs
_REGION_NAMES = {
    "America": "Americas",
    "Atlantic": "Atlantic Ocean",
    "Indian": "Indian Ocean",
    "Pacific": "Pacific Ocean",
}


def _by_region(zones: list[str]) -> list[tuple[str, list[str]]]:
    """The zones as a picker groups them, by region (UTC is offered first, on its own). Each
    keeps its full name: a form filled by its label still finds it."""
    regions: dict[str, list[str]] = {}
    for zone in zones:
        if zone == "UTC":
            continue
        region, _, place = zone.partition("/")
        name = _REGION_NAMES.get(region, region) if place else "Other"
        regions.setdefault(name, []).append(zone)
    return list(regions.items())


def page(name: str, tenant: Tenant, **context: Any) -> str:
    zones = _zones_with(context.get("selected_zone"))
    person = context.get("participant")
    # How the person's band meets, for what a page promises each quarter brings
    band_format = tenant.format_for(person.level) if person else None
    return render(
        f"pages/{name}",
        css=_STYLE.css,
        tenant=tenant,
        time_zones=zones,
        zone_regions=_by_region(zones),
        band_format=band_format,
        **context,
    )


def message(tenant: Tenant, title: str, *paragraphs: str) -> str:
    return page("message.html", tenant, title=title, paragraphs=paragraphs)


def not_found(tenant: Tenant) -> str:
    """The page for an address no route answers: the function's own, and API Gateway's for
    paths that never reach it (a link cut short, a typed URL)."""
    return message(tenant, "Page not found", "Please use the links in your emails from us.")
