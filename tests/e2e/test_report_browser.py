"""report.html opened from disk, as HR opens a downloaded file, on a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tandem.analytics.report import render
from tandem.analytics.tables import year_to_date
from tests.e2e.support import no_serious_violations
from tests.support.programs import a_year


@pytest.fixture
def report(tmp_path: Path) -> str:
    quarters, rows = a_year()
    path = tmp_path / "report.html"
    path.write_text(render(year_to_date(quarters), rows, "Acme", min_group=5), encoding="utf-8")
    return path.as_uri()


def shows_the_report(page: Page, report: str, width: int, shot: Path) -> None:
    page.goto(report)
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 0
    assert page.get_by_role("heading", name="2027 so far").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    charts = page.locator("figure svg")
    assert charts.count() >= 4
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and 0 < box["width"] <= width
    no_serious_violations(page)


@pytest.mark.e2e
def test_the_report_reads_on_a_desktop(browser: Browser, report: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        shows_the_report(context.new_page(), report, 1280, tmp_path / "report-1280.png")
    finally:
        context.close()


@pytest.mark.e2e
def test_the_report_reads_on_a_phone(phone: Page, report: str, tmp_path: Path) -> None:
    shows_the_report(phone, report, 360, tmp_path / "report-360.png")
