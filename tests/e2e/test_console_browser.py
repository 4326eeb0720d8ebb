"""The program leads' console in a browser, against `tandem serve`: signing in through the local
stand-in for the user pool's page, a roster uploaded from the page and its results, the overview
against the quarter's summary.csv, an export downloaded, one person acted on with its audit
entry; a viewer refused each lead page and action; no serious accessibility violation on any
console page, at 360 and 1280 px."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.support import Served, no_serious_violations

ROSTER = """email,name,department,level,timezone,manager_email,location
rae@globex.example,Rae Console,Engineering,Manager,Europe/London,,London
sol@globex.example,Sol Console,Sales,Manager,Europe/Paris,,
broken@@globex,Nobody,Sales,Manager,Europe/Paris,,
"""
SIZES = ({"width": 360, "height": 740}, {"width": 1280, "height": 900})


def _user(served: Served, role: str) -> dict[str, str]:
    users: list[dict[str, str]] = served.get_json("/_local/info")["console"]["users"]
    return next(u for u in users if u["role"] == role)


@pytest.fixture(params=SIZES, ids=("360px", "1280px"))
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=request.param, accept_downloads=True)
    yield context.new_page()
    context.close()


def sign_in(page: Page, served: Served, role: str) -> None:
    user = _user(served, role)
    page.goto(served.get_json("/_local/info")["console"]["url"])
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def reads_well(page: Page) -> None:
    """No serious accessibility violation, and nothing wider than the screen."""
    no_serious_violations(page)
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def menu(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Console").get_by_role("link", name=name)


def _summary(served: Served, scope: str) -> dict[str, dict[str, Any]]:
    text = served.aws("s3", "cp", f"s3://{served.bucket}/exports/{scope}/summary.csv", "-").stdout
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return {row["metric"]: row for row in rows if row["scope"] == "all"}


def test_a_lead_uploads_a_roster_reads_the_figures_downloads_and_acts(
    page: Page, served: Served, tmp_path: Path
) -> None:
    sign_in(page, served, "program-lead")
    reads_well(page)

    menu(page, "Roster").click()
    reads_well(page)
    roster = tmp_path / "staff.csv"
    roster.write_text(ROSTER)
    page.get_by_label("Roster file (CSV UTF-8)").set_input_files(roster)
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", name=re.compile("^Import of"))).to_be_visible()
    for _ in range(60):  # the import runs from the bucket's notification, as for any upload
        if page.get_by_role("table").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_role("status")).to_contain_text("1 rejected")
    first = page.get_by_role("row").nth(1)
    expect(first).to_contain_text("broken@@globex")
    reads_well(page)

    # The overview agrees with the quarter's summary.csv, written now.
    menu(page, "Overview").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    quarter = re.search(r"\d{4}-Q\d", heading)
    assert quarter, heading
    assert served.post(f"/_local/exports/{quarter[0]}")[0] == 200
    summary = _summary(served, quarter[0])
    page.reload()
    participants = page.locator(".tile", has_text="Participants").first
    expect(participants.locator(".value")).to_have_text(summary["participants"]["value"])
    reads_well(page)

    menu(page, "Exports").click()
    reads_well(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="summary.csv").first.click()
    assert download.value.suggested_filename == "summary.csv"

    menu(page, "People").click()
    page.get_by_label("Their name or email address").fill("rae@globex.example")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Rae Console")).to_be_visible()
    reads_well(page)
    page.get_by_role("link", name="Erase Rae Console's data…").click()
    erase = page.get_by_role("button", name=re.compile("^Erase"))
    assert erase.inner_text() == "Erase Rae Console's data"  # as shown, the space kept
    reads_well(page)
    page.go_back()
    page.get_by_role("button", name="Send fresh links").click()
    expect(page.get_by_role("status")).to_contain_text("Fresh links are on their way")

    menu(page, "Audit").click()
    entry = page.get_by_role("row", name=re.compile("sent fresh links to rae@globex.example")).first
    expect(entry).to_be_visible()
    reads_well(page)
    for name in ("Matching", "Settings"):
        menu(page, name).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        reads_well(page)


def test_a_viewer_is_refused_each_lead_page_and_action(page: Page, served: Served) -> None:
    sign_in(page, served, "viewer")
    console = page.evaluate("document.location.origin") + "/console"
    expect(menu(page, "People")).to_have_count(0)
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value") or ""
    for path in ("/roster", "/matching", "/people", "/audit", "/settings"):
        answer = page.goto(console + path)
        assert answer is not None and answer.status == 403, path
        expect(page.get_by_role("heading", name="For program leads only")).to_be_visible()
    reads_well(page)
    for action in ("links", "pause", "leave", "revoke", "erase"):
        posted = page.request.post(
            f"{console}/people/{'0' * 20}/{action}", form={"csrf": csrf}, max_redirects=0
        )
        assert posted.status == 403, action
