"""Removing a person's personal data when they ask (the runbook's "erase" step).

In this order, so that a run started again after a crash finishes the same work:
1. Marked: PARTICIPANT#<id> / ERASED, first. A roster import or the open signup creates a
   person only if that marker is absent, in the same transaction, so nobody brings the
   person back, even an import that looked before the erasure began.
2. Deleted: the profile, which holds every piece of personal data in the table (name and
   the name they go by, address, department, level, manager, time zone, location, answers,
   purpose profile). From then on, pages and queued emails find no one: the mailer drops
   what is queued.
3. Re-keyed: in every quarter the person took part in, whatever names their id is rewritten
   with a random alias in its place: their groups (the old one too, if they were re-matched),
   plans, everyone's answers in those groups, outcomes (theirs and their partners'), their
   pulse, the marks of wanting to keep meeting, their unmatched or sat-out mark. The matches,
   conversations and relationships still count in the aggregates but lead to no one: the id
   is a hash of the address, which anyone who can guess the address could recompute. Their
   own words (pledges, notes, pulse comment) are dropped on the way; a pledge still counts as
   made. Dropped: a pending request for a new partner, the note of a leave. A group still
   under way is left by the alias at the next hourly sweep (as a leave), so the partners are
   told and no longer reminded of someone who is gone. The console's audit entries about the
   person name the alias too: what was done stays on record, not to whom.
4. Checked: every key shape the id can be under is queried, and whatever still names it is
   reported (the command then fails): the PARTICIPANT#<id> partition, LEAVING / <id>, and in
   each quarter of the person the GROUP#, PLAN#, FEEDBACK#, PULSE#, ONGOING#, UNMATCHED# and
   REMATCH# items, the outcomes of everyone grouped with them, and the audit entries about
   them. The quarters are those of
   the person's outcomes (every item about a person in a quarter follows from their outcome),
   kept on the marker until the check passes; then the marker keeps only its date.
5. Listed, not touched: the files in the bucket that name the address (rosters HR uploaded,
   their results, matching previews, exports); HR removes them.
"""

from __future__ import annotations

import html
import io
import secrets
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime

from tandem.model import bucket_layout
from tandem.model.answers import ERASED_PLEDGE, Feedback, Pulse
from tandem.model.participant import participant_id
from tandem.model.validation import email_address
from tandem.store import (
    audit,
    bucket,
    feedback_answers,
    matches,
    participants,
    plans,
    pulse_answers,
)

PASSES = 3  # a pass re-keys what names the person; a write racing it is caught by the next
# Where HR's files and Tandem's files for HR are (the results are under the rosters).
FILES = (bucket_layout.ROSTERS, bucket_layout.PREVIEWS, bucket_layout.EXPORTS)


@dataclass(frozen=True)
class Erasure:
    participant_id: str
    alias: str  # what stands in for the id in the history kept
    had_profile: bool
    quarters: frozenset[str]  # re-keyed and checked
    left: tuple[str, ...]  # the keys of items that still name the person: none when complete


def erase(email: str, now: datetime) -> Erasure:
    """Erases the person's data from the table (see naming_files for the bucket). Raises
    ValueError for something that is not an email address. Safe to run again."""
    pid = participant_id(email_address(email))
    under_way = participants.begin_erasure(
        pid, now, alias=f"erased-{secrets.token_hex(10)}", cycles=matches.cycles_of(pid)
    )
    had_profile = participants.delete_profile(pid)
    participants.drop_leaving(pid)
    for _ in range(PASSES):
        for cycle in under_way.cycles:
            _rekey(cycle, pid, under_way.alias)
        audit.rewrite_naming(pid, under_way.alias)
        left = remaining(pid, under_way.alias, under_way.cycles)
        if not left:
            if under_way.cycles:  # the sweep takes the alias out of a group under way
                participants.note_leaving(under_way.alias, now)
            participants.end_erasure(pid)
            break
    return Erasure(pid, under_way.alias, had_profile, under_way.cycles, tuple(left))


def _rekey(cycle: str, pid: str, alias: str) -> None:
    def rename(value: str) -> str:
        return value.replace(pid, alias)  # an id, or a group key holding it

    def feedback(group: str, answer: Feedback) -> tuple[str, Feedback]:
        if answer.participant == pid:
            pledge = ERASED_PLEDGE if answer.pledge else None
            answer = replace(answer, participant=alias, pledge=pledge, note="", pledge_shared=False)
        return rename(group), answer

    def pulse(answer: Pulse) -> Pulse:
        # Theirs, or a circle member's that ticked them to keep meeting.
        kept = tuple(sorted(rename(m) for m in answer.keep_meeting))
        if answer.participant == pid:
            answer = replace(answer, participant=alias, comment="")
        return replace(answer, keep_meeting=kept)

    # The outcomes first, theirs and their partners': found through the groups, which move.
    grouped = {pid} | {m for g in matches.groups(cycle) if pid in g.members for m in g.members}
    matches.rewrite_outcomes_naming(cycle, grouped, pid, rename)
    matches.rewrite_naming(cycle, pid, rename)
    matches.drop_rematch_request(cycle, pid)  # the alias waits for no one
    plans.rewrite_naming(cycle, pid, rename)
    feedback_answers.rewrite_naming(cycle, pid, feedback)
    pulse_answers.rewrite_naming(cycle, pid, rename, pulse)


def remaining(pid: str, alias: str, cycles: frozenset[str]) -> list[str]:
    """The keys of the items that still name the person, in every key shape they can be under
    (see the module's doc): none once the erasure is complete."""
    left = participants.naming(pid) + audit.naming(pid)
    for cycle in sorted(cycles):
        groups = [g.members for g in matches.groups(cycle) if {pid, alias} & set(g.members)]
        left += matches.outcomes_naming(cycle, {m for g in groups for m in g}, pid)
        left += matches.naming(cycle, pid)
        left += plans.naming(cycle, pid)
        left += feedback_answers.naming(cycle, pid)
        left += pulse_answers.naming(cycle, pid)
    return left


def naming_files(email: str) -> list[str]:
    """The bucket objects whose text holds the address (CSV, HTML or a workbook), for HR."""
    address = email_address(email)
    forms = {address.encode(), html.escape(address).encode()}
    return [
        key
        for prefix in FILES
        for key in bucket.keys_under(prefix)
        if any(form in text for text in _texts(bucket.read(key)) for form in forms)
    ]


def _texts(data: bytes) -> list[bytes]:
    """The object's text in lower case: a workbook's (a zip of XML parts) part by part."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            return [workbook.read(name).lower() for name in workbook.namelist()]
    return [data.lower()]
