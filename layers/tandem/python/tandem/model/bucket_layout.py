"""The tenant bucket's layout: where HR puts files and where Tandem writes them.

The one home of the prefixes: the use cases build keys from it, and the wiring, the stack's
grants and HR's policy read it at synth time, so this module imports nothing heavy.
"""

from __future__ import annotations

ROSTERS = "roster/"  # HR uploads rosters here
ROSTER_RESULTS = "roster/results/"  # Tandem writes each upload's row outcomes (inside ROSTERS)
CONSOLE_UPLOADS = "roster/console/"  # rosters uploaded from the console's page (inside ROSTERS)
PREVIEWS = "matching/"  # Tandem writes each quarter's matching preview
EXPORTS = "exports/"  # Tandem writes each quarter's and year's analytics

# What Tandem writes for HR to read (and what expires after the tenant's retention).
WRITTEN_FOR_HR = (ROSTER_RESULTS, PREVIEWS, EXPORTS)


def roster_results(upload_key: str) -> str:
    return ROSTER_RESULTS + upload_key.removeprefix(ROSTERS)


def upload_of(results_key: str) -> str:
    """The upload a results file is about."""
    return ROSTERS + results_key.removeprefix(ROSTER_RESULTS)


def is_roster_upload(key: str) -> bool:
    """Uploads under roster/, but not the result files the import itself writes there."""
    return key.startswith(ROSTERS) and not key.startswith(ROSTER_RESULTS)


def preview(cycle: str) -> str:
    return f"{PREVIEWS}preview-{cycle}.csv"


def exports(scope: str) -> str:
    """The folder of one export: a quarter (`2027-Q1`) or a year to date (`2027`)."""
    return f"{EXPORTS}{scope}/"


def export_keys(scope: str) -> tuple[str, ...]:
    """Every file of one export, in the order HR reads them."""
    tables = ("summary", "participants", "groups", "conversations", "pledges")
    names = ("report.html", f"tandem-{scope}.xlsx", *(f"{table}.csv" for table in tables))
    return tuple(exports(scope) + name for name in names)
