"""The console's audit trail: AUDIT#<yyyy-mm> / <time>#<random>, one item per action, written
once and never changed, but for an erasure, which puts an alias in place of the person's id.

gsi1: AUDIT-OF#<subject> / <time>, so the entries about one person are found without a scan.
Entries expire two years after the action (the table's TTL): long enough to answer for a year's
program, not kept for ever.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from tandem.model.audit import AuditEntry
from tandem.store.table import TableModel, rewrite

KEPT_FOR = timedelta(days=730)


class _BySubject(GlobalSecondaryIndex["AuditItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class AuditItem(TableModel):
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    role = UnicodeAttribute()
    action = UnicodeAttribute()
    source_ip = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_subject = _BySubject()
    expiration = TTLAttribute(null=True)


def _month(at: datetime) -> str:
    return f"AUDIT#{at:%Y-%m}"


def _subject_key(subject: str) -> str:
    return f"AUDIT-OF#{subject}"


def _to_item(entry: AuditEntry, pk: str, sk: str) -> AuditItem:
    about = entry.subject
    return AuditItem(
        pk,
        sk,
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        source_ip=entry.source_ip,
        subject=entry.subject,
        gsi1pk=_subject_key(about) if about else None,
        gsi1sk=entry.at.isoformat() if about else None,
        expiration=entry.at + KEPT_FOR,
    )


def _to_entry(item: AuditItem) -> AuditEntry:
    return AuditEntry(item.at, item.actor, item.role, item.action, item.source_ip, item.subject)


def append(entry: AuditEntry) -> None:
    """Adds the entry; a random suffix keeps two actions of the same instant apart."""
    sk = f"{entry.at.isoformat()}#{secrets.token_hex(4)}"
    _to_item(entry, _month(entry.at), sk).save(condition=AuditItem.pk.does_not_exist())


def of_month(month: datetime) -> list[AuditEntry]:
    """The entries of the month `month` is in (UTC), newest first."""
    query = AuditItem.query(_month(month), scan_index_forward=False, consistent_read=True)
    return [_to_entry(item) for item in query]


def _about(subject: str) -> list[AuditItem]:
    """The items about `subject` as stored: the index may lag, so each is read again."""
    found = []
    for hit in AuditItem.by_subject.query(_subject_key(subject)):
        try:
            item = AuditItem.get(hit.pk, hit.sk, consistent_read=True)
        except DoesNotExist:
            continue
        if item.subject == subject:
            found.append(item)
    return found


def naming(subject: str) -> list[str]:
    """The keys of the entries still about `subject` (an erasure's check)."""
    return [f"{item.pk} / {item.sk}" for item in _about(subject)]


def rewrite_naming(subject: str, alias: str) -> None:
    """Puts `alias` in place of `subject` in every entry about it (an erasure)."""
    for item in _about(subject):
        rewrite(item, _to_item(replace(_to_entry(item), subject=alias), item.pk, item.sk))
