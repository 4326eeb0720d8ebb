"""report.html: the program's figures for a program lead, at a glance, in one file that opens
anywhere and can be forwarded: charts are inline SVG drawn by pygal, with no script, no external
asset and no link to anywhere.

The report draws every figure from the summary rows, never from the row tables, so it shows
nothing the summary hides. `tables` gives only the period's name and quarters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from tandem.analytics.figures import (
    BREAKDOWNS,
    METRICS,
    NOT_BY_FORMAT,
    PURPOSE_AXES,
    THEME_MIN_GROUP,
    Reason,
    SummaryRow,
)
from tandem.analytics.tables import Tables
from tandem.views.render import render as render_template

# Published figures the program is held against: Imperative's, a manager peer coaching platform
# (its guide to manager-to-manager coaching), and one of its customers' (Siteimprove). Each
# tile says whose, and whether the program is at or below it.
BENCHMARKS = {
    "completion_rate": (0.80, "Pledges completed", "Imperative's published"),
    "impact_rate": (0.91, "With an impact", "Imperative's published"),
    "ongoing_intent_rate": (0.87, "Keep in touch", "an Imperative customer's"),
}
PEERS_PER_QUARTER = 1
_BY_QUARTER = {"fulfilment_mean": "Fulfilment", "helpfulness_mean": "Helpfulness"}

_INK, _ACCENT, _MUTED, _LINE = "#1d2433", "#0b5cad", "#8a94a3", "#d5dae1"
_LIGHT = "#9cc3ea"  # a light blue: a second series that reads apart from the first in greyscale
# A series' colour and the colour of the values printed on its bars, readable on it. Grey is
# only ever the published figures; the program's own second series is light blue.
_PROGRAM = ((_ACCENT, "#ffffff"), (_LIGHT, _INK))
_AGAINST_PUBLISHED = ((_ACCENT, "#ffffff"), (_MUTED, _INK))


_LOOK: dict[str, Any] = {  # everything but the colours, the same in every chart
    "background": "transparent",
    "plot_background": "transparent",
    "foreground": _INK,
    "foreground_strong": _INK,
    "foreground_subtle": _LINE,
    "font_family": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    "label_font_size": 17,
    "major_label_font_size": 17,
    "value_font_size": 17,
    "value_label_font_size": 17,
    "legend_font_size": 17,
    "title_font_size": 19,
    "no_data_font_size": 19,
    "opacity": "1",
    "opacity_hover": "1",
    "transition": "none",
    "guide_stroke_color": _LINE,
    "major_guide_stroke_color": _LINE,
}


def _style(series: tuple[tuple[str, str], ...]) -> Style:
    return Style(
        colors=tuple(colour for colour, _ in series),
        value_colors=tuple(on for _, on in series),
        **_LOOK,
    )


def _isolate(text: str) -> str:
    """Keep a name's own writing direction (or a planted U+202E) from spilling onto the chart's
    other labels: the text equivalent of <bdi>."""
    return f"\u2068{text}\u2069"


def _inert(root: Any) -> Any:
    """pygal always writes a configuration script and comments with links; a report has neither.
    Inline SVG in HTML needs no namespace declaration either."""
    for parent in list(root.iter()):
        for child in list(parent):
            if callable(child.tag) or str(child.tag).endswith("script"):
                parent.remove(child)
    root.attrib.pop("xmlns", None)
    return root


def _chart(kind: Callable[..., Any], title: str, **config: Any) -> Any:
    chart = kind(
        style=_style(config.pop("series", _PROGRAM)),
        js=[],
        disable_xml_declaration=True,
        title=title,
        width=480,
        height=config.pop("height", 300),
        print_values=True,
        show_legend=config.pop("show_legend", False),
        legend_at_bottom=True,
        legend_at_bottom_columns=1,  # side by side, a name ran into the next one's square
        truncate_legend=-1,
        max_scale=6,
        truncate_label=-1,
        margin=8,
        no_data_text="Hidden",
        **config,
    )
    # pygal names each chart (and scopes its CSS) with a random id: from the title instead, the
    # same figures always give the same file.
    chart.uuid = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return chart.add_xml_filter(_inert)


def _svg(chart: Any) -> Markup:
    # pygal escapes every label and value it writes; _inert removed what could run or fetch.
    return Markup(chart.render(is_unicode=True))  # noqa: S704


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


# Why a figure is hidden, as the report says it, after "Hidden:" (figures.Reason).
WHY = {
    Reason.FEW: "about fewer than {min_group} people",
    Reason.COMPLEMENTARY: "else the total minus the others would give a smaller group's away",
    Reason.DERIVED: "worked out from a figure that is hidden",
    Reason.QUARTER: "a quarter of this year hid it, and the year's figure would give it away",
    Reason.OVERLAP: "this report's participants differ from an earlier report's by only a few "
    "people, whose profiles the difference would show",
}


def why(reason: str, min_group: int) -> str:
    """Why a figure is hidden, in words."""
    return WHY[Reason(reason)].format(min_group=min_group)


@dataclass(frozen=True)
class Cell:
    """One figure as the report shows it: its text, or why it is hidden."""

    text: str  # "" when hidden or when there is nothing to measure
    reason: str = ""  # a figures.Reason when hidden

    @property
    def hidden(self) -> bool:
        return bool(self.reason)


class _Figures:
    """The rows of one file (a quarter's or the year's), by scope, group and metric."""

    def __init__(self, rows: Sequence[SummaryRow], cycle: str) -> None:
        self.rows = {(r.scope, r.group, r.metric): r for r in rows if r.cycle == cycle}

    def number(self, metric: str, scope: str = "all", group: str = "") -> float | None:
        row = self.rows.get((scope, group, metric))
        return float(row.value) if row and row.value else None

    def cell(self, metric: str, scope: str = "all", group: str = "") -> Cell:
        row = self.rows.get((scope, group, metric))
        if row is None:
            return Cell("")  # nothing to measure
        if not row.value:
            return Cell("", row.reason or Reason.FEW)
        kind = METRICS[metric][1] if metric in METRICS else "count"
        value = float(row.value)
        return Cell(
            {"count": f"{value:,.0f}", "rate": f"{value:.0%}", "mean": f"{value:.1f}"}[kind]
        )

    def answers(self, family: str) -> list[tuple[str, float | None]]:
        return [
            (metric.partition(":")[2], float(row.value) if row.value else None)
            for (scope, _, metric), row in self.rows.items()
            if scope == "all" and metric.startswith(f"{family}:")
        ]

    def hidden(self, labels: dict[str, str]) -> dict[str, list[str]]:
        """The hidden figures among `labels` (metric: label), by why they are hidden."""
        hidden: dict[str, list[str]] = {}
        for metric, label in labels.items():
            if (cell := self.cell(metric)).hidden:
                hidden.setdefault(cell.reason, []).append(label)
        return hidden

    def hidden_answers(self, family: str) -> dict[str, list[str]]:
        """The hidden answers of a question, by why they are hidden."""
        hidden: dict[str, list[str]] = {}
        for (scope, _, metric), row in self.rows.items():
            if scope == "all" and metric.startswith(f"{family}:") and not row.value:
                hidden.setdefault(row.reason, []).append(metric.partition(":")[2])
        return hidden

    def groups(self, scope: str) -> list[str]:
        return sorted({group for (s, group, _) in self.rows if s == scope})


def _benchmark_chart(figures: _Figures) -> Markup:
    # A horizontal chart draws its first category at the bottom: reversed, it reads downwards.
    shown = list(reversed(BENCHMARKS.items()))
    program = [figures.number(metric) for metric, _ in shown]
    # With none of the program's figures shown, its legend over no bars would read as zero:
    # the published figures alone, and the caption says why.
    drawn = any(value is not None for value in program)
    chart = _chart(
        pygal.HorizontalBar,
        "Against the published figures",
        series=_AGAINST_PUBLISHED if drawn else _AGAINST_PUBLISHED[1:],
        show_legend=True,
        range=(0, 1),
        value_formatter=_percent,
        y_labels=[0, 0.5, 1],
        margin_right=28,  # room for the last label, "100%"
        height=360,
    )
    chart.x_labels = [label for _, (_, label, _) in shown]
    if drawn:
        chart.add("This program", program)
    chart.add("Published", [target for _, (target, _, _) in shown])
    return _svg(chart)


def _title_only(title: str) -> Markup:
    """A chart with nothing to draw: empty axes saying "Hidden" say nothing, so the title, and
    the caption says why."""
    return Markup('<p class="chart-title">{}</p>').format(title)


def _answers_chart(
    title: str, answers: Sequence[tuple[str, float | None]], kind: Any = pygal.HorizontalBar
) -> Markup:
    if all(value is None for _, value in answers):
        return _title_only(title)
    if kind is pygal.HorizontalBar:
        answers = list(reversed(answers))  # first answer on top
    height = 300 if kind is pygal.Bar else 80 + 40 * len(answers)
    chart = _chart(kind, title, height=height, show_x_guides=False)
    chart.x_labels = [_isolate(label) for label, _ in answers]
    chart.add(title, [value for _, value in answers])
    return _svg(chart)


def _by_quarter_chart(quarters: Sequence[_Figures], cycles: Sequence[str]) -> Markup | None:
    if len(cycles) < 2 or not all(q.rows for q in quarters):
        return None
    title = "Fulfilment and helpfulness by quarter"
    if all(q.number(metric) is None for q in quarters for metric in _BY_QUARTER):
        return _title_only(title)
    chart = _chart(
        pygal.Bar,
        title,
        show_legend=True,
        range=(1, 5),
        value_formatter=lambda v: "" if v is None else f"{v:.1f}",
        show_x_guides=False,
    )
    chart.x_labels = list(cycles)
    for metric, name in _BY_QUARTER.items():
        chart.add(name, [q.number(metric) for q in quarters])
    return _svg(chart)


def _hidden_quarters(quarters: Sequence[_Figures], cycles: Sequence[str]) -> dict[str, list[str]]:
    """The quarters whose figures the chart by quarter leaves out, by why they are hidden."""
    hidden: dict[str, list[str]] = {}
    for quarter, cycle in zip(quarters, cycles, strict=True):
        cells = [quarter.cell(metric) for metric in _BY_QUARTER]
        if all(cell.hidden for cell in cells):
            hidden.setdefault(cells[0].reason, []).append(cycle)
    return hidden


def _helpfulness_chart(figures: _Figures) -> Markup:
    scores = dict(figures.answers("helpfulness"))
    answers = [(str(score), scores.get(str(score))) for score in range(1, 6)]
    return _answers_chart("How helpful was the conversation?", answers, pygal.Bar)


def _charts(figures: _Figures, rows: Sequence[SummaryRow], cycles: Sequence[str]) -> dict[str, Any]:
    purposes = [figures.answers(f"purpose_{axis}") for axis in PURPOSE_AXES]
    shown = any(value is not None for answers in purposes for _, value in answers)
    quarters = [_Figures(rows, cycle) for cycle in cycles]
    return {
        "benchmarks": _benchmark_chart(figures),
        "benchmarks_hidden": figures.hidden({m: label for m, (_, label, _) in BENCHMARKS.items()}),
        "helpfulness": _helpfulness_chart(figures),
        "themes": _answers_chart("Pledges by theme", figures.answers("pledge_theme")),
        "purpose": [
            (_answers_chart(axis.upper(), answers), figures.hidden_answers(f"purpose_{axis}"))
            for axis, answers in zip(PURPOSE_AXES, purposes, strict=True)
        ]
        if shown
        else None,
        # Why each axis's drivers are hidden, when none is shown
        "purpose_hidden": [
            (axis.upper(), figures.hidden_answers(f"purpose_{axis}")) for axis in PURPOSE_AXES
        ],
        "by_quarter": _by_quarter_chart(quarters, cycles),
        "by_quarter_hidden": _hidden_quarters(quarters, cycles),
    }


@dataclass(frozen=True)
class Column:
    metric: str
    heading: str  # short, for a table's header
    label: str  # in full, for the definitions

    @property
    def definition(self) -> str:
        return " ".join((METRICS[self.metric][0].__doc__ or "").split())


COLUMNS = [
    Column("participants", "Participants", "Participants"),
    Column("retention", "Retention", "Retention"),
    Column("conversations_held", "Conversations", "Conversations held"),
    Column("relationships_formed", "Relationships", "Relationships formed"),
    Column("pledges_made", "Pledges", "Pledges made"),
    Column("pledges_checked_in", "Checked in", "Pledges checked in"),
    Column("completion_rate", "Completed", "Pledges completed"),
    Column("impact_rate", "With impact", "Completed pledges with an impact"),
    Column("helpfulness_mean", "Helpfulness", "Helpfulness (1-5)"),
    Column("ongoing_intent_rate", "Keep in touch", "Intend to keep in touch"),
    Column("fulfilment_mean", "Fulfilment", "Fulfilment (1-5)"),
]


@dataclass(frozen=True)
class Tile:
    label: str
    cell: Cell
    context: str = ""
    tone: str = ""  # above | below a published figure
    metric: str = ""  # the figure's, for its definition


def _tiles(figures: _Figures, quarters: int) -> list[Tile]:
    tiles = [
        Tile("Participants", figures.cell("participants"), metric="participants"),
        _retention(figures),
        Tile("Conversations held", figures.cell("conversations_held"), metric="conversations_held"),
        _relationships(figures, quarters),
    ]
    for metric, (target, label, whose) in BENCHMARKS.items():
        value = figures.number(metric)
        benchmark = f"{whose} {target:.0%}"
        if value is None:
            tiles.append(Tile(label, figures.cell(metric), benchmark, "", metric))
            continue
        tone = "above" if _as_shown(value) >= _as_shown(target) else "below"
        context = f"{'at or above' if tone == 'above' else 'below'} {benchmark}"
        tiles.append(Tile(label, figures.cell(metric), context, tone, metric))
    tiles += [
        Tile(
            "Helpfulness",
            figures.cell("helpfulness_mean"),
            "mean answer, 1 to 5",
            "",
            "helpfulness_mean",
        ),
        Tile(
            "Fulfilment",
            figures.cell("fulfilment_mean"),
            "mean answer, 1 to 5",
            "",
            "fulfilment_mean",
        ),
    ]
    return tiles


def _as_shown(rate: float) -> int:
    """A rate to the percent, as its tile prints it: one that reads 90% is below 91% whatever
    its third decimal (0.905 prints as 90%)."""
    return int(f"{rate:.0%}".removesuffix("%"))


def _retention(figures: _Figures) -> Tile:
    cell = figures.cell("retention")
    if cell.hidden:  # "hidden of last quarter's participants came back" says nothing
        return Tile("Retention", cell)
    if not cell.text:  # no one was in a group the quarter before (a program's first quarter)
        return Tile(
            "Retention",
            Cell("None yet"),
            "no quarter before this one to come back from",
            "",
            "retention",
        )
    return Tile("Retention", cell, "of last quarter's participants came back", "", "retention")


def _relationships(figures: _Figures, quarters: int) -> Tile:
    """Imperative's yardstick: 1,000 managers form 4,000 relationships a year, four new peers
    each, so one a quarter (made for pairs: a circle meets more peers at once)."""
    participants, pairs = figures.number("participants"), figures.number("relationships_formed")
    expected = PEERS_PER_QUARTER * quarters
    if not participants or pairs is None:
        return Tile(
            "Relationships formed",
            figures.cell("relationships_formed"),
            metric="relationships_formed",
        )
    peers = 2 * pairs / participants  # each pair gives both of its people a peer
    tone = "above" if peers >= expected * 0.95 else "below"
    context = f"{peers:.1f} new peers each; Imperative's yardstick {expected}"
    return Tile(
        "Relationships formed",
        figures.cell("relationships_formed"),
        context,
        tone,
        "relationships_formed",
    )


def _reasons(figures: _Figures, scope: str, groups: Sequence[str]) -> list[Reason]:
    """Why a breakdown's hidden figures are hidden, in the order of their letters."""
    cells = (figures.cell(c.metric, scope, group) for group in groups for c in COLUMNS)
    return sorted({Reason(cell.reason) for cell in cells if cell.hidden}, key=list(Reason).index)


@dataclass(frozen=True)
class Glance:
    """The report's figures at a glance, for another page (the console's overview): its tiles,
    its charts against the published figures and of the helpfulness answers (SVG documents;
    None for a chart whose answers are all hidden, as the tiles say why), and each figure's
    definition."""

    tiles: list[Tile]
    charts: list[tuple[str, Markup | None]]  # what it shows, the chart
    definitions: list[Column]


def glance(tables: Tables, summary: Sequence[SummaryRow]) -> Glance:
    """As `render` shows `summary`'s figures of `tables.scope`, hidden ones hidden alike."""
    figures = _Figures(summary, tables.scope)
    charts = [
        ("This program against the published figures", _benchmark_chart(figures)),
        ("Answers to how helpful was the conversation (1 to 5)", _helpfulness_chart(figures)),
    ]
    drawn = [(title, chart if chart.startswith("<svg") else None) for title, chart in charts]
    return Glance(_tiles(figures, len(tables.cycles)), drawn, COLUMNS)


def _period(tables: Tables) -> tuple[str, str]:
    if tables.cycles == (tables.scope,):
        return f"{tables.scope} report", f"The quarter {tables.scope}"
    quarters = ", ".join(tables.cycles)
    return f"{tables.scope} so far", f"The year to date: {quarters}"


def render(
    tables: Tables, summary: Sequence[SummaryRow], organization: str, *, min_group: int = 5
) -> str:
    """The report of one export: the figures of `tables.scope` (a quarter or a year), and, when
    `summary` also holds the published rows of the year's quarters, how they moved by quarter.
    `min_group` is only what the report says was hidden, not what it hides."""
    figures = _Figures(summary, tables.scope)
    period, span = _period(tables)
    # By format only where the summary has it: a program with circles.
    breakdowns = [
        (scope, groups)
        for scope in BREAKDOWNS
        if (groups := figures.groups(scope)) or scope != "format"
    ]
    return render_template(
        "report/report.html",
        organization=organization,
        period=period,
        span=span,
        figures=figures,
        tiles=_tiles(figures, len(tables.cycles)),
        charts=_charts(figures, summary, tables.cycles),
        breakdowns=[
            {
                "scope": scope,
                "groups": groups,
                "columns": [
                    c for c in COLUMNS if scope != "format" or c.metric not in NOT_BY_FORMAT
                ],
                "reasons": _reasons(figures, scope, groups),
            }
            for scope, groups in breakdowns
        ],
        columns=COLUMNS,
        min_group=min_group,
        theme_min_group=max(min_group, THEME_MIN_GROUP),
        why=lambda reason, threshold=min_group: why(reason, threshold),
        mark=lambda reason: "abcde"[list(Reason).index(Reason(reason))],  # a table's notes
    )
