"""Roster import: HR drops a CSV under roster/; every valid row creates or updates a participant,
every new participant gets one invite, and every row's outcome lands in roster/results/.

A file that is not a readable roster (not UTF-8, wrong header, ragged rows, no rows) is rejected
whole before anything is written. An event imports only the content it announces (if the file
was overwritten since, the newer upload's event does the import); a redelivered event reports
the same outcomes and sends nothing new; an older upload arriving late never undoes what a
newer one set.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tandem.model import bucket_layout
from tandem.model.mail_request import MailRequest
from tandem.model.participant import (
    HR_FIELDS,
    PERSONAL_FIELDS,
    Details,
    ImportMark,
    Participant,
    Source,
    Status,
    participant_id,
)
from tandem.model.validation import Invalid, parse
from tandem.store import bucket, participants, queues
from tandem.views.csvfiles import to_csv

REQUIRED = ("email", "name", "department", "level", "timezone", "manager_email")
OPTIONAL = ("location", "preferred_name")
MAX_BYTES = 20 * 1024 * 1024
LEFT_DETAIL = "left the program; not invited again"
NEWER_DETAIL = "a newer roster upload already set this person: not applied"
CHANGED_DETAIL = "changed meanwhile (left, or a newer upload): not applied"
GONE_DETAIL = "created and removed again while this upload ran: not applied"


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster; nothing is imported."""


@dataclass(frozen=True)
class RowResult:
    line: int
    email: str
    outcome: RowOutcome
    detail: str = ""


@dataclass(frozen=True)
class Report:
    results_key: str
    results: tuple[RowResult, ...]
    invited: int

    def count(self, outcome: RowOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise RosterFileError(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB; split it")


def read_rows(
    data: bytes, levels: Sequence[str]
) -> tuple[list[tuple[int, Details]], list[RowResult]]:
    """Valid rows (with their line numbers) and rejected rows; RosterFileError for a bad file."""
    _check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError("the file is not UTF-8 text: export it as 'CSV UTF-8'") from None
    records = list(_records(text))
    if not records:
        raise RosterFileError("the file is empty")
    header = [name.strip().lower() for name in records[0][1]]
    _check_header(header)
    if len(records) == 1:
        raise RosterFileError("the file has a header but no rows")

    valid: list[tuple[int, Details]] = []
    rejected: list[RowResult] = []
    for line, fields in records[1:]:
        if len(fields) != len(header):
            raise RosterFileError(
                f"line {line} has {len(fields)} fields, the header has {len(header)}"
            )
        raw = dict(zip(header, fields, strict=True))
        try:
            row = parse(Details, raw)
        except Invalid as error:
            rejected.append(RowResult(line, raw["email"].strip(), RowOutcome.REJECTED, str(error)))
            continue
        problem = row.problem(levels)
        if problem:
            rejected.append(RowResult(line, row.email, RowOutcome.REJECTED, problem))
        else:
            valid.append((line, row))
    return _without_duplicates(valid, rejected)


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank records, each with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        while True:
            start = reader.line_num + 1
            fields = next(reader, None)
            if fields is None:
                return records
            if any(f.strip() for f in fields):
                records.append((start, fields))
    except csv.Error as error:
        raise RosterFileError(f"line {reader.line_num}: not valid CSV ({error})") from None


def _check_header(header: list[str]) -> None:
    expected = ",".join(REQUIRED) + f"[,{','.join(OPTIONAL)}]"
    if len(header) == 1 and ";" in header[0]:
        raise RosterFileError(
            f"the columns are separated by ';': save the file with commas ({expected})"
        )
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = [
        f"{label}: {', '.join(names)}"
        for label, names in (
            ("missing columns", missing),
            ("unknown columns", unknown),
            ("repeated columns", repeated),
        )
        if names
    ]
    if problems:
        raise RosterFileError(f"bad header ({'; '.join(problems)}); the header must be {expected}")


def _without_duplicates(
    valid: list[tuple[int, Details]], rejected: list[RowResult]
) -> tuple[list[tuple[int, Details]], list[RowResult]]:
    """An address on several lines is ambiguous: every one of those lines is rejected."""
    lines_of: dict[str, list[int]] = defaultdict(list)
    for line, row in valid:
        lines_of[row.email].append(line)
    for result in rejected:
        if result.email.lower() in lines_of:
            lines_of[result.email.lower()].append(result.line)
    duplicated = {email for email, lines in lines_of.items() if len(lines) > 1}
    for line, row in valid:
        if row.email in duplicated:
            others = ", ".join(str(n) for n in sorted(lines_of[row.email]) if n != line)
            rejected.append(
                RowResult(
                    line, row.email, RowOutcome.REJECTED, f"duplicate email (also on line {others})"
                )
            )
    kept = [(line, row) for line, row in valid if row.email not in duplicated]
    return kept, sorted(rejected, key=lambda r: r.line)


def plan(row: Details, existing: Participant | None) -> tuple[RowOutcome, dict[str, str | None]]:
    """The outcome of one valid row and the fields it changes on an existing participant."""
    if existing is None:
        return RowOutcome.CREATED, {}
    if existing.status is Status.LEFT:
        return RowOutcome.UNCHANGED, {}
    owned = HR_FIELDS if existing.status is not Status.INVITED else HR_FIELDS + PERSONAL_FIELDS
    changes = {
        name: getattr(row, name) for name in owned if getattr(row, name) != getattr(existing, name)
    }
    return (RowOutcome.UPDATED if changes else RowOutcome.UNCHANGED), changes


@dataclass(frozen=True)
class Upload:
    """One roster upload, as its S3 event describes it."""

    key: str
    at: datetime  # the event time: uploads apply in this order
    etag: str
    size: int | None = None

    @property
    def ref(self) -> str:
        """The same for every delivery of this upload's event, different for each upload."""
        return f"{self.key}@{self.at.isoformat()}#{self.etag}"


def import_roster(upload: Upload, levels: Sequence[str]) -> Report | None:
    """Imports one uploaded roster file and writes its results file; None when the file was
    overwritten since (the newer upload's own event imports it, and writes the results)."""
    try:
        if upload.size is not None:
            _check_size(upload.size)  # before reading a file too large to import
        valid, results = read_rows(bucket.read(upload.key, upload.etag), levels)
    except bucket.Superseded:
        return None
    except RosterFileError as error:
        results = [
            RowResult(0, "", RowOutcome.REJECTED, f"file rejected, nothing imported: {error}")
        ]
        return _finish(upload.key, results, invites=[])

    ids = [participant_id(row.email) for _, row in valid]
    existing, erased = participants.get_many(ids), participants.erased_among(ids)
    decided = {
        line: _apply(row, existing.get(pid), erased.get(pid), upload)
        for (line, row), pid in zip(valid, ids, strict=True)
    }
    new = {
        pid: (line, row) for (line, row), pid in zip(valid, ids, strict=True) if decided[line].new
    }
    taken = participants.create_many(_new_participant(row, upload) for line, row in new.values())
    if taken:
        # Created since they were read (through the open signup): what they did there stands,
        # and the row applies to them as to anyone already in the program.
        again, erased = participants.get_many(taken), participants.erased_among(taken)
        for pid in taken:
            line, row = new[pid]
            decided[line] = _apply(row, again.get(pid), erased.get(pid), upload)
            if decided[line].new:  # and gone again since, without an erasure marker
                decided[line] = _Decision(RowOutcome.UNCHANGED, GONE_DETAIL)
    for line, row in valid:
        results.append(RowResult(line, row.email, decided[line].outcome, decided[line].detail))
    invites = [
        pid
        for (line, _), pid in zip(valid, ids, strict=True)
        if decided[line].outcome is RowOutcome.CREATED
    ]
    queues.send_mail(MailRequest.invite(pid) for pid in invites)
    return _finish(upload.key, sorted(results, key=lambda r: r.line), invites)


@dataclass(frozen=True)
class _Decision:
    outcome: RowOutcome
    detail: str = ""
    new: bool = False  # the person is to be created


def _apply(
    row: Details, person: Participant | None, erased_at: datetime | None, upload: Upload
) -> _Decision:
    """What one valid row does to the person it names (as read): updates are written here,
    a person to create is left to the caller, who creates all of them at once."""
    mark = person.last_import if person else None
    if erased_at:
        detail = f"data erased at the person's request on {erased_at:%Y-%m-%d}: remove this row"
        return _Decision(RowOutcome.REJECTED, detail)
    if mark and mark.upload == upload.ref:
        # This very upload was applied before (a redelivery): report what it did then.
        return _Decision(RowOutcome(mark.outcome), _changed(mark.fields))
    if mark and mark.at > upload.at:
        return _Decision(RowOutcome.UNCHANGED, NEWER_DETAIL)
    outcome, changes = plan(row, person)
    if outcome is RowOutcome.CREATED:
        return _Decision(outcome, new=True)
    if outcome is RowOutcome.UPDATED:
        pid = participant_id(row.email)
        try:
            fields = participants.update_from_roster(pid, changes, upload=upload.ref, at=upload.at)
        except participants.ConditionFailed:  # left, or a newer upload, while this one ran
            return _Decision(RowOutcome.UNCHANGED, CHANGED_DETAIL)
        return _Decision(outcome, _changed(fields))
    if person is not None and person.status is Status.LEFT:
        return _Decision(outcome, LEFT_DETAIL)
    return _Decision(outcome, _changed(tuple(changes)))


def _changed(fields: tuple[str, ...]) -> str:
    return "changed " + ", ".join(fields) if fields else ""


def _new_participant(row: Details, upload: Upload) -> Participant:
    return Participant(
        **dataclasses.asdict(row),
        status=Status.INVITED,
        source=Source.ROSTER,
        invited_at=upload.at,
        last_import=ImportMark(upload.ref, upload.at, RowOutcome.CREATED.value),
    )


def _finish(key: str, results: list[RowResult], invites: list[str]) -> Report:
    rows = [(r.line or "", r.email, r.outcome, r.detail) for r in results]
    bucket.write_csv(
        bucket_layout.roster_results(key), to_csv(("line", "email", "outcome", "detail"), rows)
    )
    return Report(bucket_layout.roster_results(key), tuple(results), invited=len(invites))
