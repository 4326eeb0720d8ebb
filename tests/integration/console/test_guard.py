"""Who may do what in the console, checked on the server for every route: a form without its
CSRF token changes nothing, and a viewer is refused every program lead's page and action."""

from __future__ import annotations

from devtools.local_runtime.aws import Resources
from infra import wiring
from tandem.model.participant import Participant

# Signed in after `pair` has set the clock: a session lives a working day.
from tests.integration.console.support import CONSOLE, Browser, csrf
from tests.integration.support import LINK_BASE, snapshot

FOR_VIEWERS = {"/console", "/console/exports", "/console/exports/{scope}/{name}"}
OPEN = {"/console/sign-in", "/console/callback", "/console/signed-out", "/console/sign-out"}


def _url(path: str, pid: str) -> str:
    return LINK_BASE + path.replace("{pid}", pid).replace("{scope}", "2027").replace(
        "{name}", "summary.csv"
    )


def test_a_form_without_its_csrf_token_changes_nothing(
    aws: Resources, pair: list[Participant], lead: Browser
) -> None:
    before = snapshot(aws)
    pid = pair[0].id
    for token in (None, "", "forged"):
        form = {} if token is None else {"csrf": token}
        answer = lead.post(f"{CONSOLE}/people/{pid}/pause", form)
        assert answer["statusCode"] == 403
    assert snapshot(aws) == before


def test_a_csrf_token_of_another_session_changes_nothing(
    aws: Resources, pair: list[Participant], lead: Browser, viewer: Browser
) -> None:
    before = snapshot(aws)
    answer = lead.post(f"{CONSOLE}/people/{pair[0].id}/pause", {"csrf": csrf(viewer)})
    assert answer["statusCode"] == 403
    assert snapshot(aws) == before


def test_a_viewer_is_refused_every_lead_page_and_action_and_nothing_changes(
    aws: Resources, pair: list[Participant], viewer: Browser
) -> None:
    token = csrf(viewer)
    before = snapshot(aws)
    lead_routes = [
        r for r in wiring.ROUTES if r.function == "console" and r.path not in FOR_VIEWERS | OPEN
    ]
    assert len(lead_routes) > 15
    for route in lead_routes:
        form = {"csrf": token, "who": pair[0].email} if route.method == "POST" else None
        answer = viewer.call(route.method, _url(route.path, pair[0].id), form)
        assert answer["statusCode"] == 403, route
        assert "For program leads only" in answer["body"]
    assert snapshot(aws) == before  # the audit trail included: nothing done, nothing recorded


def test_a_viewer_sees_the_overview_and_exports_and_only_them_in_the_menu(viewer: Browser) -> None:
    page = viewer.get(CONSOLE)
    assert page["statusCode"] == 200
    assert ">Exports</a>" in page["body"] and ">People</a>" not in page["body"]
    assert viewer.get(f"{CONSOLE}/exports")["statusCode"] == 200
