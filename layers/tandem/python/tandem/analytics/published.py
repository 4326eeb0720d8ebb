"""The summary figures and the report, which `tandem.analytics.figures` and
`tandem.analytics.report` make from the tables: the one place an export asks for them.

Until those modules are in, the summary has no rows and the report is a title page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from tandem.analytics.tables import Tables


@dataclass(frozen=True)
class SummaryRow:
    cycle: str
    scope: str  # all | department | level
    group: str
    metric: str
    value: str  # "" when suppressed
    n: int
    note: str


def summaries(
    quarters: Sequence[Tables], year: Tables, min_group: int
) -> tuple[list[SummaryRow], list[SummaryRow]]:
    """(the last quarter's rows, the year-to-date rows)."""
    return [], []


def render(tables: Tables, summary: Sequence[SummaryRow], organization: str) -> str:
    title = escape(f"Peer coaching at {organization}: {tables.scope}")
    head = f'<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>{title}</title>'
    return f"{head}<h1>{title}</h1></html>\n"
