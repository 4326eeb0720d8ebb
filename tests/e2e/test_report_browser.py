"""report.html opened from disk, as HR opens a downloaded file, on a desktop and on a phone."""

from __future__ import annotations

import math
import re
import zlib
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


# A paper's size in CSS px (96 to the inch).
PAPERS = {"A4": (793.7, 1122.5), "Letter": (816, 1056)}


def drawn_on(pdf: bytes) -> list[bool]:
    """Whether each page of a PDF that Chromium printed draws anything: Chromium writes a page
    with nothing on it as an empty content stream."""
    kids = re.search(rb"/Type /Pages\b.*?/Kids \[(.*?)\]", pdf, re.S)
    assert kids is not None
    drawn = []
    for page in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(
            rb"(?<![0-9])" + page + rb" 0 obj(?:(?!endobj).)*?/Contents (\d+) 0 R", pdf, re.S
        )
        assert contents is not None
        stream = re.search(
            rb"(?<![0-9])" + contents.group(1) + rb" 0 obj\s*<<([^>]*)>> stream\r?\n", pdf
        )
        assert stream is not None
        length = re.search(rb"/Length (\d+)", stream.group(1))
        assert length is not None
        body = pdf[stream.end() : stream.end() + int(length.group(1))]
        drawn.append(bool(zlib.decompress(body) if b"FlateDecode" in stream.group(1) else body))
    return drawn


def printable_area(page: Page, paper: str) -> tuple[float, float]:
    """The paper's size less the report's own @page margins, in CSS px."""
    margin = page.evaluate(
        """() => {
            const rule = [...document.styleSheets].flatMap(s => [...s.cssRules])
                .find(r => r instanceof CSSPageRule);
            const probe = document.createElement("div");
            probe.style.width = rule ? rule.style.marginLeft : "0";
            document.body.append(probe);
            const px = probe.getBoundingClientRect().width;
            probe.remove();
            return px;
        }"""
    )
    width, height = PAPERS[paper]
    return width - 2 * margin, height - 2 * margin


@pytest.mark.e2e
@pytest.mark.parametrize("paper", PAPERS)
def test_the_report_prints_without_empty_pages_or_cut_charts(
    browser: Browser, report: str, paper: str
) -> None:
    """Printed, the report takes the pages its content needs (its height laid out at the
    printable width, over a page's), and each chart lies whole on one page."""
    page = browser.new_page()
    try:
        page.goto(report)
        width, height = printable_area(page, paper)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": math.floor(width), "height": math.floor(height)})
        needed = math.ceil(page.evaluate("document.documentElement.scrollHeight") / height)
        printed = drawn_on(page.pdf(format=paper))
        assert len(printed) == needed

        charts = page.locator("figure")
        assert charts.count() >= 4
        for index in range(charts.count()):
            # Only this chart visible: the pages that draw anything are the ones it is on.
            charts.nth(index).evaluate(
                """chart => {
                    document.querySelector("[data-printed]")?.removeAttribute("data-printed");
                    chart.dataset.printed = "";
                }"""
            )
            page.add_style_tag(
                content="html,body{background:none!important}body *{visibility:hidden}"
                "[data-printed],[data-printed] *{visibility:visible}"
            )
            assert drawn_on(page.pdf(format=paper)).count(True) == 1, index
    finally:
        page.close()
