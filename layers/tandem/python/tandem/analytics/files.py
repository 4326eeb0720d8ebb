"""The files of an export: the rows HR may see (who takes part, the groups and their sessions,
the words of pledges shared) and the figures, each as a CSV file and all of them as the sheets
of one xlsx workbook, written to temporary files so that memory does not grow with the rows.

A cell a spreadsheet would run as a formula is written with a leading single quote in the CSV
files (`tandem.views.csvfiles.safe_cell`); the workbook stores every text as a string cell, which
Excel never evaluates (a quote there would show).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

import xlsxwriter

from tandem.analytics.tables import PledgeRow, Tables
from tandem.views.csvfiles import safe_cell

Cell = str | int | float
_IN_MEMORY = 4 * 1024 * 1024  # a temporary file beyond this goes to disk


@dataclass(frozen=True)
class Sheet:
    name: str  # the CSV file's name without .csv, and the workbook sheet's
    header: tuple[str, ...]
    rows: Callable[[], Iterator[tuple[Cell, ...]]]  # read for the CSV, and twice for the sheet
    numbers: tuple[str, ...] = ()  # columns of numbers written as text, rounded ("0.850")


def cell(value: Any) -> Cell:
    """A value as the files write it: the wire's words, ISO dates, UTC times, "" for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return " ".join(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def _sheet(
    name: str, columns: Sequence[str], rows: Iterable[object], numbers: tuple[str, ...] = ()
) -> Sheet:
    def read() -> Iterator[tuple[Cell, ...]]:
        return (tuple(cell(getattr(row, c)) for c in columns) for row in rows)

    return Sheet(name, tuple(columns), read, numbers)


# The columns HR reads (docs/analytics.md, "The files"). Rows carry only what running the
# program needs and participants are told HR sees; names only when the tenant asks for them.
PARTICIPANTS = ("participant", "department", "level", "status", "cycle", "group")
GROUPS = ("cycle", "group", "size", "participants", "slot_picked", "sessions_held")
CONVERSATIONS = ("cycle", "group", "session", "held")
PLEDGES = ("text",)
SUMMARY = ("cycle", "scope", "group", "metric", "value", "n", "note", "reason")


@dataclass(frozen=True)
class _GroupSession:
    """One session of a group: whether any member marked it held."""

    cycle: str
    group: str
    session: int
    held: bool


def _group_sessions(tables: Tables) -> list[_GroupSession]:
    """Each group's sessions, from its members' answers: the held one of any member's."""
    sessions: dict[tuple[str, str, int], bool] = {}
    for c in tables.conversations:
        key = (c.cycle, c.group, c.session)
        sessions[key] = sessions.get(key, False) or c.held == "yes"
    return [_GroupSession(*key, held) for key, held in sessions.items()]


def _shared_pledges(tables: Tables, min_group: int) -> list[PledgeRow]:
    """The pledges whose words may go to HR, to be written with nothing but their words: of
    quarters with at least `min_group` people, in alphabetical order (which says nothing of who
    wrote them or when)."""
    people: dict[str, set[str]] = defaultdict(set)
    for group in tables.groups:
        people[group.cycle].update(group.participants)
    shared = [p for p in tables.pledges if p.text and len(people[p.cycle]) >= min_group]
    return sorted(shared, key=lambda p: p.text)


def sheets(
    tables: Tables, summary: Sequence[object], *, identity: bool, min_group: int
) -> list[Sheet]:
    """The export's files: the figures first, then who takes part (with names if the tenant
    asks), the groups and their sessions, and the words of pledges shared."""
    return [
        _sheet("summary", SUMMARY, summary, numbers=("value",)),
        _sheet(
            "participants",
            (*PARTICIPANTS, *(("name", "email") if identity else ())),
            tables.enrolments,
        ),
        _sheet("groups", GROUPS, tables.groups),
        _sheet("conversations", CONVERSATIONS, _group_sessions(tables)),
        _sheet("pledges", PLEDGES, _shared_pledges(tables, min_group)),
    ]


def spooled() -> IO[bytes]:
    """A temporary file kept in memory while small."""
    return tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)


def write_csv(sheet: Sheet, out: IO[bytes]) -> None:
    """UTF-8 with a byte-order mark (Excel on Windows reads UTF-8 only with it), a header
    row, RFC 4180 quoting; `out` is left open at its end."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(sheet.header)
    writer.writerows(tuple(safe_cell(v) for v in row) for row in sheet.rows())
    text.flush()
    text.detach()


def write_xlsx(sheets: Sequence[Sheet], out: IO[bytes]) -> None:
    """One workbook, a sheet per table, rows streamed (constant memory): text as strings,
    numbers as numbers (a summary value too, shown as rounded), so nothing in it is ever a
    formula. Each sheet opens ready to read: its header frozen and filtered, its columns as
    wide as what they hold."""
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    bold = book.add_format({"bold": True})
    rounded = {
        places: book.add_format({"num_format": f"0.{'0' * places}" if places else "0"})
        for places in range(4)
    }
    for sheet in sheets:
        widths, count = _measured(sheet)
        page = book.add_worksheet(sheet.name)
        for c, width in enumerate(widths):  # before any row: constant memory writes them first
            page.set_column(c, c, width)
        page.write_row(0, 0, sheet.header, bold)
        page.freeze_panes(1, 0)
        page.autofilter(0, 0, count, len(sheet.header) - 1)
        numbers = {sheet.header.index(name) for name in sheet.numbers}
        for r, row in enumerate(sheet.rows(), start=1):
            for c, value in enumerate(row):
                if isinstance(value, str) and c in numbers and value:
                    places = len(value.partition(".")[2])
                    page.write_number(r, c, float(value), rounded[places])
                elif isinstance(value, str):
                    if value:
                        page.write_string(r, c, value)
                else:
                    page.write_number(r, c, value)
    book.close()


_WIDEST = 60  # characters: a longer text wraps in the cell rather than push the rest away


def _measured(sheet: Sheet) -> tuple[list[int], int]:
    """Each column's width (its longest text, header included, and a margin) and the rows."""
    widths = [len(name) for name in sheet.header]
    count = 0
    for row in sheet.rows():
        widths = [max(width, len(str(value))) for width, value in zip(widths, row, strict=True)]
        count += 1
    return [min(width + 2, _WIDEST) for width in widths], count
