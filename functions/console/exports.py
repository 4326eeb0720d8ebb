"""Exports: each quarter's and each year to date's files, as the exports schedule (or `tandem
export`) wrote them; the report opens in the browser, every other file downloads. The link is
made at the click, recorded, and lives five minutes."""

from __future__ import annotations

import re

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.console import files
from tandem.console.audit import Action

from . import web

router = Router()
SCOPE = re.compile(r"^\d{4}(-Q\d{1,2})?$")


@router.get("/console/exports")
def exports_page() -> Response[str]:
    return web.page(router, "exports.html", "Exports", exports=files.exports())


@router.get("/console/exports/<scope>/<name>")
def download(scope: str, name: str) -> Response[str]:
    export = files.export(scope) if SCOPE.match(scope) else None
    file = export.named(name) if export else None
    if file is None:
        return web.message("Page not found", "This export has no such file.", status=404)
    web.record(router, Action.DOWNLOADED, file.key)
    return web.redirect(files.download(file))
