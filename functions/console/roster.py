"""Roster: the browser uploads a CSV straight to the bucket (a presigned form for one key under
roster/), where the import takes it as any upload, then comes back to read its results."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.console import files
from tandem.console.audit import Action
from tandem.model import bucket_layout
from tandem.model.clock import clock
from tandem.people import roster
from tandem.people.roster import RowOutcome

from . import web

router = Router()


@router.get("/console/roster")
def roster_page() -> Response[str]:
    upload = files.new_upload(clock.now())
    form = files.upload_form(upload, f"{web.address()}/roster/uploaded")
    target = urlsplit(form.url)
    return web.page(
        router,
        "roster.html",
        "Roster",
        form=form,
        columns=(*roster.REQUIRED, *roster.OPTIONAL),
        max_mb=roster.MAX_BYTES // 1024 // 1024,
        uploads=files.uploads(),
        form_targets=(f"{target.scheme}://{target.netloc}",),
    )


@router.get("/console/roster/uploaded")
def uploaded() -> Response[str]:
    """Where S3 sends the browser after an upload, with the key it stored."""
    key = router.current_event.get_query_string_value("key") or ""
    if not key.startswith(bucket_layout.CONSOLE_UPLOADS):
        return web.message(
            "Page not found", "This address is not a page of the console.", status=404
        )
    name = key.removeprefix(bucket_layout.ROSTERS)
    web.record(router, Action.UPLOADED_ROSTER, key)
    return web.redirect(_results_address(name))


def _results_address(name: str) -> str:
    return f"{web.address()}/roster/results?file={quote(name)}"


@router.get("/console/roster/results")
def results() -> Response[str]:
    upload = files.upload_named(router.current_event.get_query_string_value("file") or "")
    if upload is None:
        return web.message("Page not found", "No roster upload has this name.", status=404)
    found = files.results(upload)
    return web.page(
        router,
        "results.html",
        f"Import of {upload.name}",
        upload=upload,
        results=found,
        outcomes=list(RowOutcome),
        refresh=_results_address(upload.name),
    )
