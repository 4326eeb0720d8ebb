"""HR's exports: a quarter's rows, figures and report as files under exports/<cycle>/, then the
year to date under exports/<year>/, and the program leads told what was written.

The daily `exports` schedule exports each quarter two weeks after the week of its fifth session
(the pulse has had its week), catching up any quarter whose run was missed, once: a marker
claimed before writing keeps a duplicate or concurrent run from writing or mailing again.
`tandem export` runs `export` on demand, which replaces the files and mails nobody.
Re-exporting writes the same keys and deletes any other key left in the folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from tandem.analytics import figures, files, gather, report
from tandem.analytics.figures import SummaryRow
from tandem.analytics.tables import Tables, year_to_date
from tandem.model import bucket_layout, calendar
from tandem.model.calendar import Cycle
from tandem.model.mail_request import MailRequest
from tandem.model.tenant import Tenant
from tandem.store import bucket, export_claims, matches, queues

# After the Monday of the fifth session's week: that week, then two for the pulse.
AFTER_FIFTH_WEEK = timedelta(weeks=3)
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def due_at(tenant: Tenant, cycle: Cycle) -> datetime:
    """When a quarter's export is due: midnight, in the tenant's zone, two weeks after the
    week of its fifth session."""
    day = cycle.conversation_weeks[-1] + AFTER_FIFTH_WEEK
    return datetime.combine(day, time(0), ZoneInfo(tenant.timezone))


def daily(tenant: Tenant, now: datetime) -> dict[str, Any]:
    """Exports every quarter of this year or last that was matched, is due and is not
    exported yet, oldest first; mails the program leads about each."""
    year = now.astimezone(ZoneInfo(tenant.timezone)).year
    due = [
        cycle
        for y in (year - 1, year)
        for cycle in calendar.cycles_of_year(tenant, y)
        if due_at(tenant, cycle) <= now
        and matches.run_state(cycle.id).matched_bands
        and not export_claims.done(cycle.id)
    ]
    exported = []
    for cycle in due:
        if not export_claims.claim(cycle.id, now):
            continue  # another run has it
        export(tenant, cycle.id)
        queues.send_mail(
            MailRequest.exports_ready(contact, cycle.id)
            for contact in range(len(tenant.hr_contacts))
        )
        export_claims.finish(cycle.id, now)
        exported.append(cycle.id)
    return {"exported": exported}


def export(tenant: Tenant, cycle: str) -> list[str]:
    """Writes the quarter's files, then its year to date's; returns the keys written.
    ValueError for a cycle the calendar does not have."""
    quarters = gather.quarters_so_far(tenant, cycle, gather.pseudonyms(tenant))
    published = figures.summaries(quarters, tenant.exports.min_group_size)
    quarter_rows, year_rows = published[-1]
    # The year's report draws each quarter as its export published it.
    drawn = [row for rows, _ in published for row in rows]
    return [
        *_write(tenant, quarters[-1], quarter_rows, quarter_rows),
        *_write(tenant, year_to_date(quarters), year_rows, [*drawn, *year_rows]),
    ]


def _write(
    tenant: Tenant, tables: Tables, summary: Sequence[SummaryRow], drawn: Sequence[SummaryRow]
) -> list[str]:
    """The tables, `summary` as summary.csv, and the report drawn from `drawn` (the summary,
    and for a year the rows of its quarters too)."""
    folder = bucket_layout.exports(tables.scope)
    settings = tenant.exports
    sheets = files.sheets(
        tables, summary, identity=settings.include_identity, min_group=settings.min_group_size
    )
    html = report.render(tables, drawn, tenant.organization, min_group=settings.min_group_size)
    written = [
        *(_upload(folder, f"{s.name}.csv", partial(files.write_csv, s)) for s in sheets),
        _upload(folder, "report.html", lambda out: out.write(html.encode())),
        _upload(folder, f"tandem-{tables.scope}.xlsx", partial(files.write_xlsx, sheets)),
    ]
    bucket.delete(sorted(set(bucket.keys_under(folder)) - set(written)))
    return written


def _upload(folder: str, name: str, write: Callable[[IO[bytes]], object]) -> str:
    with files.spooled() as out:
        write(out)
        bucket.upload(folder + name, out, CONTENT_TYPES[Path(name).suffix])
    return folder + name
