"""The console's pages: wider than the link pages (tables, figures), as strict about what a
browser may do with them: no script at all, our own stylesheet only, no framing, no referrer,
nothing cached; forms post only to the console, or to the bucket the roster form uploads to."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from tandem.model.tenant import Tenant
from tandem.views import pages
from tandem.views.render import render, stylesheet

_STYLE = stylesheet("console/style.css")


def headers(form_targets: Iterable[str] = ()) -> dict[str, str]:
    """The pages' headers, with the console's stylesheet; `form_targets` are the origins a
    form of the page may post to besides the console."""
    targets = " ".join(("'self'", *form_targets))
    policy = (
        f"default-src 'none'; style-src 'sha256-{_STYLE.sha256}'; img-src data:; "
        f"form-action {targets}; frame-ancestors 'none'; base-uri 'none'"
    )
    return {**pages.HEADERS, "Content-Security-Policy": policy}


SVG_NAMESPACE = 'xmlns="http://www.w3.org/2000/svg"'


def svg_image(svg: str) -> str:
    """An SVG chart as an image's data: address; drawn as an image, its own styles apply and
    nothing in it runs, under the page's strict policy. An image is an XML document of its own:
    it needs the namespace that inline SVG goes without."""
    svg = str(svg)  # not Markup, whose replace would escape the quotes put in
    if SVG_NAMESPACE not in svg.partition(">")[0]:
        svg = svg.replace("<svg", f"<svg {SVG_NAMESPACE}", 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def page(name: str, tenant: Tenant, **context: Any) -> str:
    return render(f"console/{name}", css=_STYLE.css, tenant=tenant, **context)
