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

from datetime import datetime, timedelta
from typing import Any

from tandem.model import bucket_layout, calendar
from tandem.model.calendar import Cycle
from tandem.model.jobs import BandJob
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.participant import Status
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


def notify(tenant: Tenant, cycle: Cycle) -> dict[str, Any]:
    """The notice to everyone who will be matched, and HR's preview of the cycle."""
    band_of = {level: band for band, levels in tenant.bands().items() for level in levels}
    # HR's follow-up list: whose group never picked a slot last quarter.
    never_picked = {
        member
        for previous in calendar.earlier_cycles(tenant, cycle, 1)
        for plan in plans.of_cycle(previous)
        if plan.slot is None
        for member in plan.members
    }
    rows, notices = [], []
    for level in tenant.levels:
        for status in (Status.ACTIVE, Status.INVITED):
            for person in participants.in_level(level, status):
                if status is Status.INVITED:
                    state = "not signed up yet"
                elif cycle.id in person.paused_cycles:
                    state = "paused this quarter"
                elif not person.to_be_matched(cycle.id):
                    state = "email does not reach them: not matched"
                else:
                    state = "to be matched"
                    notices.append(MailRequest.about_cycle(MailKind.NOTICE, person.id, cycle.id))
                last_quarter = "group never picked a slot" if person.id in never_picked else ""
                rows.append(
                    (
                        band_of[level],
                        level,
                        person.department,
                        person.name,
                        person.email,
                        state,
                        last_quarter,
                    )
                )
    queues.send_mail(notices)
    header = ("band", "level", "department", "name", "email", "status", "last_quarter")
    bucket.write_csv(bucket_layout.preview(cycle.id), to_csv(header, sorted(rows)))
    return {"cycle": cycle.id, "notified": len(notices), "preview": bucket_layout.preview(cycle.id)}
