"""The quarter, as the daily `matching` schedule drives it.

- From `notice_days` before a cycle starts, every participant who will be matched is told the
  date and how to pause, and HR gets matching/preview-<cycle>.csv: who will be matched, who is
  paused, who has not signed up yet, and whose group never picked a slot last quarter.
- From the cycle's start (catching up for two weeks if runs were missed), one job per band goes
  on the band queue (see tandem.bands).
Each step is recorded only after it is done, and doing it again changes nothing (mail ids,
idempotent band jobs), so a failed or repeated run is safe to retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tandem.model import bucket_layout, calendar
from tandem.model.calendar import Cycle
from tandem.model.jobs import BandJob
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.participant import Participant, Status
from tandem.model.tenant import Tenant
from tandem.store import bucket, matches, participants, plans, queues
from tandem.store.settings import Setting
from tandem.views.csvfiles import to_csv

CATCH_UP = timedelta(days=14)
GRACE = timedelta(days=1)  # after this, a cycle with a band not yet matched is overdue


def daily(tenant: Tenant, now: datetime) -> dict[str, Any]:
    """Does whatever the calendar says is due; reports what it did."""
    report: dict[str, Any] = {}
    upcoming = calendar.next_cycle(tenant, now)
    if now >= upcoming.notice_from and not matches.run_state(upcoming.id).noticed_at:
        report["notice"] = notify(tenant, upcoming)
        matches.mark(upcoming.id, "noticed_at", now)
    current = calendar.current_cycle(tenant, now)
    if now - current.starts <= CATCH_UP and not matches.run_state(current.id).matching_started_at:
        jobs = [BandJob(cycle=current.id, band=band) for band in tenant.bands()]
        queues.send(Setting.BAND_QUEUE, jobs)
        matches.mark(current.id, "matching_started_at", now)
        report["matching"] = {"cycle": current.id, "bands": [job.band for job in jobs]}
    return report


def matching_overdue(tenant: Tenant, now: datetime) -> bool:
    """The current cycle started more than a day ago and a band of it is still not matched (for
    the alarm, which keeps ringing until a re-run of the band has done it). A cycle that was
    never due, as for a tenant deployed after its catch-up, is not overdue."""
    current = calendar.current_cycle(tenant, now)
    late = now - current.starts
    state = matches.run_state(current.id)
    if late <= GRACE or (not state.matching_started_at and late > CATCH_UP):
        return False
    return bool(set(tenant.bands()) - state.matched_bands)


# What the preview says of each person, in its status column.
TO_BE_MATCHED = "to be matched"
PAUSED = "paused this quarter"
NOT_SIGNED_UP = "not signed up yet"
UNREACHABLE = "email does not reach them: not matched"
NEVER_PICKED = "group never picked a slot"
PREVIEW_HEADER = ("band", "level", "department", "name", "email", "status", "last_quarter")


@dataclass(frozen=True)
class PreviewRow:
    """One person of the preview: where they stand for the quarter about to be matched."""

    band: str
    person: Participant
    status: str
    last_quarter: str  # NEVER_PICKED, or ""

    @property
    def cells(self) -> tuple[str, ...]:
        p = self.person
        return (self.band, p.level, p.department, p.name, p.email, self.status, self.last_quarter)


def preview(tenant: Tenant, cycle: Cycle) -> list[PreviewRow]:
    """Everyone signed up or invited, in the order of the preview file: who will be matched,
    who is paused, who has not signed up, whom mail does not reach, and whose group never
    picked a slot last quarter (HR's follow-up list)."""
    band_of = {level: band for band, levels in tenant.bands().items() for level in levels}
    never_picked = {
        member
        for previous in calendar.earlier_cycles(tenant, cycle, 1)
        for plan in plans.of_cycle(previous)
        if plan.slot is None
        for member in plan.members
    }
    rows = []
    for level in tenant.levels:
        for status in (Status.ACTIVE, Status.INVITED):
            for person in participants.in_level(level, status):
                if status is Status.INVITED:
                    state = NOT_SIGNED_UP
                elif cycle.id in person.paused_cycles:
                    state = PAUSED
                elif not person.to_be_matched(cycle.id):
                    state = UNREACHABLE
                else:
                    state = TO_BE_MATCHED
                last_quarter = NEVER_PICKED if person.id in never_picked else ""
                rows.append(PreviewRow(band_of[level], person, state, last_quarter))
    return sorted(rows, key=lambda row: row.cells)


def notify(tenant: Tenant, cycle: Cycle) -> dict[str, Any]:
    """The notice to everyone who will be matched, and HR's preview of the cycle."""
    rows = preview(tenant, cycle)
    notified = queues.send_mail(
        MailRequest.about_cycle(MailKind.NOTICE, row.person.id, cycle.id)
        for row in rows
        if row.status == TO_BE_MATCHED
    )
    key = bucket_layout.preview(cycle.id)
    bucket.write_csv(key, to_csv(PREVIEW_HEADER, [row.cells for row in rows]))
    return {"cycle": cycle.id, "notified": notified, "preview": key}
