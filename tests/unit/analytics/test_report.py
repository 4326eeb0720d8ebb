"""report.html: one self-contained, inert file that shows only what the summary shows."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from html import unescape

import pytest

from tandem.analytics.figures import Reason, SummaryRow, summaries
from tandem.analytics.report import WHY, _Figures, _tiles, render
from tandem.analytics.tables import year_to_date
from tests.support.programs import a_year, company

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
BIDI = "\u202eselaS"


@pytest.fixture(scope="module")
def year_report() -> str:
    quarters, rows = a_year()
    return render(year_to_date(quarters), rows, "Acme", min_group=5)


def test_the_report_runs_nothing_and_fetches_nothing(year_report: str) -> None:
    assert "<svg" in year_report
    lowered = year_report.lower()
    for forbidden in ("<script", "javascript:", "<link", "<iframe", "@import", "url(", " src="):
        assert forbidden not in lowered, forbidden
    assert not re.search(r"(https?|file|ftp):|//[a-z0-9]", lowered)


def test_the_same_figures_give_the_same_file(year_report: str) -> None:
    quarters, rows = a_year()
    assert render(year_to_date(quarters), rows, "Acme", min_group=5) == year_report
    assert 'id="chart-against-the-published-figures"' in year_report


def test_the_report_is_print_and_phone_friendly(year_report: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in year_report
    assert "@media print" in year_report


def test_hidden_figures_say_why_and_show_no_number(year_report: str) -> None:
    # The department of 3: its answers are about too few people; who takes part is shown
    row = re.search(r"<bdi>Finance</bdi></th>(.*?)</tr>", year_report)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    operational, answers = cells[:4], cells[4:]
    assert all(re.fullmatch(r"[\d,%]+", cell) for cell in operational), operational
    assert set(answers) == {"hidden<sup>a</sup>"}
    assert "<li><sup>a</sup> Hidden: about fewer than 5 people.</li>" in year_report


def test_each_hidden_figure_gives_its_own_reason() -> None:
    quarters, rows = a_year()
    year = [r for r in rows if r.cycle == "2027"]
    page = unescape(render(year_to_date(quarters), rows, "Acme", min_group=5))

    reasons = {r.reason for r in year if r.note}
    assert {Reason.FEW, Reason.QUARTER, Reason.OVERLAP} <= reasons
    for reason in reasons:
        assert WHY[reason].format(min_group=5) in page
    # Only the reason the purpose mix was hidden for, never another's
    purpose = {r.reason for r in year if r.metric.startswith("purpose_")}
    assert purpose == {Reason.OVERLAP}
    assert WHY[Reason.OVERLAP] in page.split('id="purpose"')[1].split("</section>")[0]


def test_a_programs_first_quarter_shows_no_retention_rather_than_hidden() -> None:
    quarters, _ = a_year()
    first = replace(quarters[0], previously_active=frozenset())
    rows = summaries([first], min_group=5)[0][0]

    html = render(first, rows, "Acme", min_group=5)

    tile = re.search(r'<span class="label">Retention</span>(.*?)</li>', html, re.S)
    assert tile is not None and "None yet" in tile.group(1) and "Hidden" not in tile.group(1)


def test_a_quarter_with_circles_shows_its_figures_by_format_and_the_year_does_not() -> None:
    quarters = company(random.Random(7), (24, 18, 12, 9, 3), 2, in_circles=0.4)
    (q1_rows, _), (q2_rows, year_rows) = summaries(quarters, min_group=5)

    quarter = render(quarters[-1], [*q1_rows, *q2_rows], "Acme", min_group=5)
    year = render(year_to_date(quarters), [*q1_rows, *q2_rows, *year_rows], "Acme", min_group=5)

    by_format = re.search(r'<h2 id="format">By format</h2>(.*?)</section>', quarter, re.S)
    assert by_format is not None
    assert ">circles</bdi>" in by_format.group(1) and ">pairs</bdi>" in by_format.group(1)
    assert "Retention" not in by_format.group(1)  # by format it would count only who came back
    assert 'id="format"' not in year


def test_the_year_report_shows_headline_figures_and_each_quarter(year_report: str) -> None:
    quarters, rows = a_year()
    participants = next(
        r for r in rows if r.cycle == "2027" and r.scope == "all" and r.metric == "participants"
    )
    assert f'<span class="value">{participants.value}</span>' in year_report
    assert "Fulfilment and helpfulness by quarter" in year_report
    assert all(q.scope in year_report for q in quarters)


def test_a_department_name_cannot_inject_markup_or_turn_the_text_around() -> None:
    quarters, rows = a_year({"Sales": XSS, "Operations": BIDI})

    html = render(year_to_date(quarters), rows, f"Acme {XSS}", min_group=5)

    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    # The override stays inside its own isolate: the rest of the line reads as written.
    assert f"<bdi>{BIDI}</bdi>" in html
    assert html.count("\u202e") == html.count(f"<bdi>{BIDI}</bdi>")


def test_a_chart_with_every_answer_hidden_is_its_title_and_why_not_empty_axes() -> None:
    quarters, _ = a_year()
    rows = [row for quarter, year in summaries(quarters, 100) for row in (*quarter, *year)]
    html = unescape(render(year_to_date(quarters), rows, "Acme", min_group=100))
    assert '<p class="chart-title">Pledges by theme</p>' in html
    assert "chart-pledges-by-theme" not in html  # no SVG drawn with empty axes
    assert "Hidden: Delegation" in html  # the caption says what and why


def test_with_the_programs_figures_hidden_its_charts_say_so_rather_than_draw_nothing() -> None:
    """A "This program" legend over no bars, or quarters' axes over nothing, read as zero."""
    quarters, _ = a_year()
    rows = [row for quarter, year in summaries(quarters, 100) for row in (*quarter, *year)]
    html = unescape(render(year_to_date(quarters), rows, "Acme", min_group=100))

    benchmarks = html.split('id="chart-against-the-published-figures"')[1].split("</figure>")[0]
    assert "This program" not in benchmarks.split("</svg>")[0]  # no legend for no bars
    assert "Published" in benchmarks
    assert (
        "Hidden for this program: Pledges completed, With an impact, Keep in touch "
        "(about fewer than 100 people)." in benchmarks
    )
    assert "chart-fulfilment-and-helpfulness-by-quarter" not in html
    by_quarter = html.split('<p class="chart-title">Fulfilment and helpfulness by quarter</p>')[1]
    assert (
        "Hidden: 2027-Q1, 2027-Q2, 2027-Q3 (about fewer than 100 people)."
        in (by_quarter.split("</figure>")[0])
    )


def test_only_the_published_figures_are_grey_and_values_read_on_their_bars(
    year_report: str,
) -> None:
    benchmarks, by_quarter = (
        year_report.split('id="chart-against-the-published-figures"')[1].split("</svg>")[0],
        year_report.split('id="chart-fulfilment-and-helpfulness-by-quarter"')[1].split("</svg>")[0],
    )
    assert "#8a94a3" in benchmarks and "#8a94a3" not in by_quarter
    assert "#ffffff" in benchmarks  # white values on the dark blue bars


def test_each_benchmark_tile_says_whose_figure_it_is(year_report: str) -> None:
    """ "80% published" left HR asking by whom; the figures are Imperative's and a customer's."""
    contexts = re.findall(r'<span class="context (?:above|below)">(.*?)</span>', year_report)
    against_published = [unescape(context) for context in contexts if "%" in context]
    assert len(against_published) == 3
    assert all("Imperative" in context for context in against_published)


def test_a_tile_judges_a_rate_as_it_prints_it() -> None:
    """0.905 prints as 90%: it is below Imperative's 91%, in its colour and in words."""
    rows = [
        SummaryRow("2027", "all", "", "impact_rate", "0.905", 40, ""),
        SummaryRow("2027", "all", "", "completion_rate", "0.8", 40, ""),
    ]
    tiles = {tile.label: tile for tile in _tiles(_Figures(rows, "2027"), quarters=4)}
    impact, done = tiles["With an impact"], tiles["Pledges completed"]
    assert (impact.cell.text, impact.tone) == ("90%", "below")
    assert impact.context == "below Imperative's published 91%"
    assert (done.tone, done.context) == ("above", "at or above Imperative's published 80%")
