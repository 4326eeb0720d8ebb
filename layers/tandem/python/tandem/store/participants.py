"""Participant items: PARTICIPANT#<id> / PROFILE.

gsi1: LEVEL#<level> / <status>#<id>, so the matching run queries the active people of a level
instead of scanning. Every write is conditional: a person is created only if absent, and
changes are narrow updates: a roster writes the fields a person owns only while they are still
invited, so it never overwrites a signup made meanwhile.
PARTICIPANT#<id> / ERASED marks an id whose data was erased on request.
LEAVING / <id> notes a person who left and may still be listed in a group: written with the
leave, in one transaction, and deleted once their groups no longer list them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from tandem.model.participant import (
    PERSONAL_FIELDS,
    ImportMark,
    MailBlock,
    Participant,
    Source,
    Status,
)
from tandem.model.purpose import PurposeProfile
from tandem.store.table import TableModel, connection, failed_a_condition, sort_keys

PROFILE = "PROFILE"
ERASED = "ERASED"
LEAVING = "LEAVING"


class ConditionFailed(Exception):
    """The item was not in the state the change requires (or does not exist)."""


class _ByLevel(GlobalSecondaryIndex["ParticipantItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ParticipantItem(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_level = _ByLevel()

    email = UnicodeAttribute()
    name = UnicodeAttribute()
    department = UnicodeAttribute()
    level = UnicodeAttribute()
    timezone = UnicodeAttribute()
    manager_email = UnicodeAttribute(null=True)
    location = UnicodeAttribute(null=True)
    preferred_name = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    source = UnicodeAttribute()
    purpose_who = UnicodeAttribute(null=True)
    purpose_why = UnicodeAttribute(null=True)
    purpose_how = UnicodeAttribute(null=True)
    answers: MapAttribute[str, Any] = MapAttribute(null=True)
    paused_cycles = UnicodeSetAttribute(null=True)
    invited_at = UTCDateTimeAttribute(null=True)
    joined_at = UTCDateTimeAttribute(null=True)
    left_at = UTCDateTimeAttribute(null=True)
    last_import = UnicodeAttribute(null=True)
    last_import_at = UTCDateTimeAttribute(null=True)
    last_import_result = UnicodeAttribute(null=True)
    last_import_fields: ListAttribute[str] = ListAttribute(null=True)
    mail_blocked = UnicodeAttribute(null=True)
    mail_blocked_at = UTCDateTimeAttribute(null=True)
    links_from = UTCDateTimeAttribute(null=True)


class ErasureItem(TableModel):
    """PARTICIPANT#<id> / ERASED: the person asked for their data to be removed. Holds no
    personal data; it keeps rosters and the open signup from bringing them back. While the
    erasure is under way it also holds the alias their history moves to and the cycles it is
    in, so that a run started again finishes the same work; both go when it is done."""

    erased_at = UTCDateTimeAttribute()
    alias = UnicodeAttribute(null=True)
    cycles = UnicodeSetAttribute(null=True)


@dataclass(frozen=True)
class ErasureUnderWay:
    erased_at: datetime
    alias: str
    cycles: frozenset[str]


class LeavingItem(TableModel):
    """LEAVING / <id>: the person left at `left_at`; their groups may still list them."""

    left_at = UTCDateTimeAttribute()


def _key(pid: str) -> str:
    return f"PARTICIPANT#{pid}"


def _level_key(level: str) -> str:
    return f"LEVEL#{level}"


def _status_key(status: Status, pid: str) -> str:
    return f"{status}#{pid}"


def _to_item(p: Participant) -> ParticipantItem:
    purpose, mark = p.purpose, p.last_import
    return ParticipantItem(
        _key(p.id),
        PROFILE,
        gsi1pk=_level_key(p.level),
        gsi1sk=_status_key(p.status, p.id),
        email=p.email,
        name=p.name,
        department=p.department,
        level=p.level,
        timezone=p.timezone,
        manager_email=p.manager_email,
        location=p.location,
        preferred_name=p.preferred_name,
        status=p.status.value,
        source=p.source.value,
        purpose_who=purpose.who.value if purpose else None,
        purpose_why=purpose.why.value if purpose else None,
        purpose_how=purpose.how.value if purpose else None,
        answers=dict(p.answers) or None,
        paused_cycles=set(p.paused_cycles) or None,
        invited_at=p.invited_at,
        joined_at=p.joined_at,
        left_at=p.left_at,
        last_import=mark.upload if mark else None,
        last_import_at=mark.at if mark else None,
        last_import_result=mark.outcome if mark else None,
        last_import_fields=list(mark.fields) if mark else None,
        mail_blocked=p.mail_blocked.value if p.mail_blocked else None,
        mail_blocked_at=p.mail_blocked_at,
        links_from=p.links_from,
    )


def _to_participant(item: ParticipantItem) -> Participant:
    purpose = None
    if item.purpose_who and item.purpose_why and item.purpose_how:
        purpose = PurposeProfile.parse(item.purpose_who, item.purpose_why, item.purpose_how)
    return Participant(
        email=item.email,
        name=item.name,
        department=item.department,
        level=item.level,
        timezone=item.timezone,
        manager_email=item.manager_email,
        location=item.location,
        preferred_name=item.preferred_name,
        status=Status(item.status),
        source=Source(item.source),
        purpose=purpose,
        answers=dict(item.answers.as_dict() if item.answers else {}),
        paused_cycles=frozenset(item.paused_cycles or ()),
        invited_at=item.invited_at,
        joined_at=item.joined_at,
        left_at=item.left_at,
        last_import=_mark(item),
        mail_blocked=MailBlock(item.mail_blocked) if item.mail_blocked else None,
        mail_blocked_at=item.mail_blocked_at,
        links_from=item.links_from,
    )


def _mark(item: ParticipantItem) -> ImportMark | None:
    if not (item.last_import and item.last_import_at and item.last_import_result):
        return None
    fields = tuple(item.last_import_fields or ())
    return ImportMark(item.last_import, item.last_import_at, item.last_import_result, fields)


def get(pid: str) -> Participant | None:
    try:
        return _to_participant(ParticipantItem.get(_key(pid), PROFILE, consistent_read=True))
    except DoesNotExist:
        return None


def get_many(pids: Iterable[str]) -> dict[str, Participant]:
    keys = [(_key(pid), PROFILE) for pid in set(pids)]
    found = (
        _to_participant(item) for item in ParticipantItem.batch_get(keys, consistent_read=True)
    )
    return {p.id: p for p in found}


def create_many(participants: Iterable[Participant]) -> set[str]:
    """Creates each person only if absent and not erased, so whoever appeared since the caller
    looked (through the open signup, say) is never replaced, nor anyone erased meanwhile
    brought back; returns the ids of those not created. One transaction each: nobody needs the
    others' writes to be atomic with theirs."""
    return {p.id for p in participants if not create_if_absent(p)}


def rejoin(pid: str, status: Status) -> Participant:
    return _update(
        pid,
        [
            ParticipantItem.status.set(status.value),
            ParticipantItem.gsi1sk.set(_status_key(status, pid)),
            ParticipantItem.left_at.remove(),
        ],
        ParticipantItem.status == Status.LEFT.value,
    )


def begin_erasure(pid: str, now: datetime, alias: str, cycles: Iterable[str]) -> ErasureUnderWay:
    """Marks the id as erased, first of all: no roster or signup creates the person again from
    now on. An erasure already under way keeps its alias and adds the cycles found now."""
    try:
        marker = ErasureItem.get(_key(pid), ERASED, consistent_read=True)
    except DoesNotExist:
        marker = ErasureItem(_key(pid), ERASED, erased_at=now)
    marker.alias = marker.alias or alias
    marker.cycles = set(marker.cycles or ()) | set(cycles) or None
    marker.save()
    return ErasureUnderWay(marker.erased_at, marker.alias, frozenset(marker.cycles or ()))


def delete_profile(pid: str) -> bool:
    """Deletes the profile, all the personal data there is; False if there was none."""
    existed = get(pid) is not None
    ParticipantItem(_key(pid), PROFILE).delete()
    return existed


def end_erasure(pid: str) -> None:
    """The erasure is done: the marker keeps only its date."""
    ErasureItem(_key(pid), ERASED).update(
        actions=[ErasureItem.alias.remove(), ErasureItem.cycles.remove()],
        condition=ErasureItem.pk.exists(),
    )


def naming(pid: str) -> list[str]:
    """The keys of what is left under the person's id once their profile is deleted, but the
    erasure marker: their own partition, and the note of a leave."""
    keys = [f"{_key(pid)} / {sk}" for sk in sort_keys(_key(pid)) if sk != ERASED]
    return keys + [f"{LEAVING} / {pid}" for noted, _ in leaving() if noted == pid]


def note_leaving(pid: str, now: datetime) -> None:
    """Notes a person (an erased person's alias) for the hourly sweep to take out of the group
    they may still be listed in."""
    LeavingItem(LEAVING, pid, left_at=now).save()


def drop_leaving(pid: str) -> None:
    LeavingItem(LEAVING, pid).delete()


def erased_among(pids: Iterable[str]) -> dict[str, datetime]:
    """Which of these ids were erased on request, and when."""
    keys = [(_key(pid), ERASED) for pid in set(pids)]
    return {
        item.pk.removeprefix("PARTICIPANT#"): item.erased_at for item in ErasureItem.batch_get(keys)
    }


def create_if_absent(p: Participant) -> bool:
    """Creates the person only if absent and not erased on request, checked in one transaction
    (an erasure between a look at the marker and the write cannot be missed); False if not."""
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.condition_check(
                ErasureItem, _key(p.id), ERASED, condition=ErasureItem.pk.does_not_exist()
            )
            transaction.save(_to_item(p), condition=ParticipantItem.pk.does_not_exist())
    except TransactWriteError as error:
        if failed_a_condition(error):
            return False
        raise
    return True


def _update(
    pid: str,
    actions: list[Any],
    condition: Condition,
    done: Callable[[Participant], bool] | None = None,
) -> Participant:
    """Applies the actions if the condition holds; ConditionFailed otherwise, unless `done`
    says the person as stored already shows the change. The SDK sends an update again when its
    answer was lost, and the condition then fails on what the first attempt wrote: that is this
    change, not another writer's (the read-back store.table.is_stored does for whole items)."""
    item = ParticipantItem(_key(pid), PROFILE)
    try:
        item.update(actions=actions, condition=ParticipantItem.pk.exists() & condition)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        if done is not None and (stored := get(pid)) is not None and done(stored):
            return stored
        raise ConditionFailed(pid) from None
    return _to_participant(item)


def update_from_roster(
    pid: str, changes: Mapping[str, str | None], *, upload: str, at: datetime
) -> tuple[str, ...]:
    """Writes a roster's changes, unless a newer upload got there first or the person left;
    the personal fields only while the person is still invited (a signup meanwhile wins).
    Returns the fields written; ConditionFailed when none could be."""
    newer = ParticipantItem.last_import_at.does_not_exist() | (ParticipantItem.last_import_at < at)
    hr_only = {name: value for name, value in changes.items() if name not in PERSONAL_FIELDS}
    attempts = [(hr_only, ParticipantItem.status != Status.LEFT.value)]
    if hr_only != changes:
        attempts.insert(0, (dict(changes), ParticipantItem.status == Status.INVITED.value))
    for fields, status_allows in attempts:
        actions = [getattr(ParticipantItem, name).set(value) for name, value in fields.items()]
        if "level" in fields:
            actions.append(ParticipantItem.gsi1pk.set(_level_key(str(fields["level"]))))
        actions += [
            ParticipantItem.last_import.set(upload),
            ParticipantItem.last_import_at.set(at),
            ParticipantItem.last_import_result.set("updated"),
            ParticipantItem.last_import_fields.set(list(fields)),
        ]
        written = ImportMark(upload, at, "updated", tuple(fields))
        try:
            _update(pid, actions, status_allows & newer, _marked(written))
        except ConditionFailed:
            continue
        return tuple(fields)
    raise ConditionFailed(pid)


def _marked(mark: ImportMark) -> Callable[[Participant], bool]:
    return lambda person: person.last_import == mark


def save_profile(
    pid: str,
    personal: Mapping[str, str | None],
    purpose: PurposeProfile,
    answers: Mapping[str, str],
    now: datetime,
) -> Participant:
    """Stores personal details and the questionnaire; a first save activates an invited person."""
    actions = [getattr(ParticipantItem, name).set(value) for name, value in personal.items()]
    actions += [
        ParticipantItem.purpose_who.set(purpose.who.value),
        ParticipantItem.purpose_why.set(purpose.why.value),
        ParticipantItem.purpose_how.set(purpose.how.value),
        ParticipantItem.answers.set(dict(answers)),
        ParticipantItem.status.set(Status.ACTIVE.value),
        ParticipantItem.gsi1sk.set(_status_key(Status.ACTIVE, pid)),
        ParticipantItem.joined_at.set(ParticipantItem.joined_at | now),
    ]
    return _update(pid, actions, ParticipantItem.status != Status.LEFT.value)


def set_paused(pid: str, cycle: str, paused: bool) -> Participant:
    action = ParticipantItem.paused_cycles.add if paused else ParticipantItem.paused_cycles.delete
    return _update(pid, [action({cycle})], ParticipantItem.status == Status.ACTIVE.value)


def set_timezone(pid: str, zone: str, shown: str) -> Participant:
    """Changes a signed-up person's time zone, only if it is still the one they were shown."""
    condition = (ParticipantItem.status == Status.ACTIVE.value) & (
        ParticipantItem.timezone == shown
    )
    return _update(
        pid,
        [ParticipantItem.timezone.set(zone)],
        condition,
        lambda p: p.status is Status.ACTIVE and p.timezone == zone,
    )


def leave(pid: str, now: datetime) -> None:
    """Marks the person as left, and notes them among those leaving, in one transaction: if
    what follows (taking them out of their group) never happens, the note remains for the
    hourly sweep. ConditionFailed if they had left already (or do not exist); a retry of this
    very leave, whose answer was lost, is read back as done."""
    actions: list[Action] = [
        ParticipantItem.status.set(Status.LEFT.value),
        ParticipantItem.gsi1sk.set(_status_key(Status.LEFT, pid)),
        ParticipantItem.left_at.set(now),
    ]
    condition = ParticipantItem.pk.exists() & (ParticipantItem.status != Status.LEFT.value)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(ParticipantItem(_key(pid), PROFILE), actions, condition)
            transaction.save(LeavingItem(LEAVING, pid, left_at=now))
    except TransactWriteError as error:
        if not failed_a_condition(error):
            raise
        stored = get(pid)
        if stored is None or stored.status is not Status.LEFT or stored.left_at != now:
            raise ConditionFailed(pid) from None


def leaving() -> Iterator[tuple[str, datetime]]:
    """Everyone noted as leaving, with when they left (by query on one partition)."""
    for item in LeavingItem.query(LEAVING, consistent_read=True):
        yield item.sk, item.left_at


def done_leaving(pid: str, left_at: datetime) -> None:
    """Drops the note of the leave at `left_at`: a later leave's note (the person came back and
    left again meanwhile) stays."""
    try:
        LeavingItem(LEAVING, pid).delete(condition=LeavingItem.left_at == left_at)
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def block_mail(pid: str, reason: MailBlock, now: datetime) -> Participant | None:
    """Notes that mail no longer reaches the person; the first reason and time stay, so a
    redelivered notice changes nothing. None if there is no such person."""
    item = ParticipantItem(_key(pid), PROFILE)
    try:
        item.update(
            actions=[
                ParticipantItem.mail_blocked.set(ParticipantItem.mail_blocked | reason.value),
                ParticipantItem.mail_blocked_at.set(ParticipantItem.mail_blocked_at | now),
            ],
            condition=ParticipantItem.pk.exists(),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return _to_participant(item)


def revoke_links(pid: str, at: datetime) -> Participant:
    """Refuses from now on every link signed before `at`, to the second (the time a link
    carries). ConditionFailed if there is no such person."""
    links_from = ParticipantItem.links_from.set(at.replace(microsecond=0))
    return _update(pid, [links_from], ParticipantItem.pk.exists())


def in_level(level: str, status: Status) -> Iterator[Participant]:
    """Everyone of a level in a status, by query on gsi1 (never a scan)."""
    query = ParticipantItem.by_level.query(
        _level_key(level), ParticipantItem.gsi1sk.startswith(f"{status}#")
    )
    return (_to_participant(item) for item in query)


def of_levels(levels: Iterable[str]) -> Iterator[Participant]:
    """Everyone of these levels, whatever their status, by queries on gsi1 (never a scan)."""
    return (person for level in levels for status in Status for person in in_level(level, status))
