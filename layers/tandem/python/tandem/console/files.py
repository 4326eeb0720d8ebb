"""The bucket's files as the console shows them: roster uploads and their results, the matching
previews, HR's exports. A download is a presigned link made at the click, by the console's own
role, that lives five minutes: never mailed, never kept. An upload is a presigned form that puts
one file under roster/, where the import picks it up as it does any upload."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from tandem.model import bucket_layout
from tandem.people.roster import MAX_BYTES, RowOutcome
from tandem.store import bucket

DOWNLOADS_LIVE = timedelta(minutes=5)
UPLOAD_FORMS_LIVE = timedelta(minutes=30)  # from the page to the file chosen and sent
# The form lets a file past the import's own limit through, for the import to refuse in words.
UPLOAD_LIMIT = 2 * MAX_BYTES


@dataclass(frozen=True)
class Upload:
    """A roster file under roster/, named by what follows the prefix."""

    name: str
    at: datetime | None = None

    @property
    def key(self) -> str:
        return bucket_layout.ROSTERS + self.name

    @property
    def results_key(self) -> str:
        return bucket_layout.roster_results(self.key)


def uploads() -> list[Upload]:
    """The uploads imported so far (those with results), newest first."""
    found = [
        Upload(file.key.removeprefix(bucket_layout.ROSTER_RESULTS), file.modified)
        for file in bucket.files_under(bucket_layout.ROSTER_RESULTS)
    ]
    return sorted(found, key=lambda upload: upload.at or datetime.min, reverse=True)


def upload_named(name: str) -> Upload | None:
    """The upload of a name from a page's address; None for one that cannot be an upload."""
    upload = Upload(name)
    if not bucket_layout.is_roster_upload(upload.key) or ".." in PurePosixPath(name).parts:
        return None
    return upload


def new_upload(now: datetime) -> Upload:
    """A name of its own for one roster sent from the console (the page cannot know the
    file's before it is chosen); .csv, so the import picks it up whatever the file is."""
    stamp = f"{now:%Y-%m-%d-%H%M%S}-{secrets.token_hex(3)}"
    return Upload(
        bucket_layout.CONSOLE_UPLOADS.removeprefix(bucket_layout.ROSTERS) + stamp + ".csv"
    )


def upload_form(upload: Upload, then: str) -> bucket.UploadForm:
    return bucket.upload_form(upload.key, UPLOAD_LIMIT, then, UPLOAD_FORMS_LIVE)


@dataclass(frozen=True)
class Results:
    """An import's outcomes, rejected rows first (a file refused whole is one row, line 0)."""

    rows: list[dict[str, str]]

    def count(self, outcome: RowOutcome) -> int:
        return sum(1 for row in self.rows if row["outcome"] == outcome)


def results(upload: Upload) -> Results | None:
    """None while the import has not written them."""
    data = bucket.read_if_there(upload.results_key)
    if data is None:
        return None
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    rejected_first = sorted(
        rows, key=lambda r: (r["outcome"] != RowOutcome.REJECTED, int(r["line"] or 0))
    )
    return Results(rejected_first)


def preview(cycle: str) -> bucket.File | None:
    """The preview file of a quarter, once the notice wrote it."""
    key = bucket_layout.preview(cycle)
    return next((f for f in bucket.files_under(key) if f.key == key), None)


@dataclass(frozen=True)
class Export:
    scope: str  # a quarter (2027-Q1) or a year to date (2027)
    files: list[bucket.File]

    @property
    def year_to_date(self) -> bool:
        return "-" not in self.scope

    def named(self, name: str) -> bucket.File | None:
        return next((f for f in self.files if f.key.rpartition("/")[2] == name), None)


def exports() -> list[Export]:
    """Every export in the bucket, the newest year first, each year to date before its
    quarters, the latest quarter first."""
    by_scope: dict[str, list[bucket.File]] = {}
    for file in bucket.files_under(bucket_layout.EXPORTS):
        scope = file.key.removeprefix(bucket_layout.EXPORTS).partition("/")[0]
        by_scope.setdefault(scope, []).append(file)
    found = [Export(scope, files) for scope, files in by_scope.items()]
    return sorted(found, key=_newest_first)


def _newest_first(export: Export) -> tuple[int, int]:
    year, _, quarter = export.scope.partition("-Q")
    return (-int(year) if year.isdigit() else 0, -int(quarter) if quarter.isdigit() else -99)


def export(scope: str) -> Export | None:
    files = bucket.files_under(bucket_layout.exports(scope))
    return Export(scope, files) if files else None


def download(file: bucket.File) -> str:
    """A link to the file for the next five minutes; an HTML report opens in the browser,
    anything else is saved under its name."""
    name = file.key.rpartition("/")[2]
    save_as = None if name.endswith(".html") else name
    return bucket.download_link(file.key, DOWNLOADS_LIVE, save_as)
