"""CSV that is safe to open in a spreadsheet: a cell that starts like a formula is written with
a leading quote, so a name such as "=HYPERLINK(...)" stays text; and UTF-8 with a byte-order
mark, without which Excel on Windows reads "Zoë" as "ZoÃ«" (every reader here accepts it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")  # OWASP, CWE-1236


def safe_cell(value: object) -> str:
    """Text that starts like a formula gets a leading quote; numbers stay numbers (even -3)."""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return "" if value is None else str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
