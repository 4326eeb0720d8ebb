"""The tenant's one DynamoDB table: its key schema, shared by the CDK stack, the local runtime
and every PynamoDB model below.

Items are keyed `pk`/`sk` with typed prefixes (PARTICIPANT#<id> / PROFILE ...). The overloaded
index `gsi1` serves the queries that are not by key; each model documents what it puts there.
Items with an `expiration` (epoch seconds) are deleted by DynamoDB's TTL.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache

import pynamodb.connection.base
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from tandem.store import clients
from tandem.store.settings import Setting

# PynamoDB opens a botocore session for each model class's connection: every one uses the
# store's session instead, which reads botocore's data files once (store/clients.py).
pynamodb.connection.base.get_session = clients.session
clients.load_service_data("dynamodb")  # while the function starts, not in its first request


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableSchema:
    partition_key: str
    sort_key: str
    indexes: tuple[Index, ...]
    ttl_attribute: str


SCHEMA = TableSchema(
    partition_key="pk",
    sort_key="sk",
    indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),),
    ttl_attribute="expiration",
)


class _FromEnvironment:
    """A Meta attribute read when PynamoDB connects, not when the model is imported."""

    def __init__(self, *names: str) -> None:
        self._names = names

    def __get__(self, instance: object, owner: type) -> str | None:
        return next((os.environ[n] for n in self._names if os.environ.get(n)), None)


class TableModel(Model):
    """Base of every item type: the table named by the function's settings, and its keys."""

    class Meta:
        table_name = _FromEnvironment(Setting.TABLE)
        region = _FromEnvironment("AWS_REGION", "AWS_DEFAULT_REGION")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


@cache
def connection() -> Connection:
    """PynamoDB's low-level connection, for transactions (one per process: it holds a client)."""
    return Connection(region=TableModel.Meta.region)


def save_version(item: TableModel, version: NumberAttribute, seen: int) -> bool:
    """Saves `item` (which carries version `seen` + 1) only if the stored one is still at
    `seen` (absent for 0): False if another writer saved first, so no update is lost."""
    condition = type(item).pk.does_not_exist() if seen == 0 else version == seen
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return is_stored(item)
    return True


def is_stored(item: TableModel) -> bool:
    """Whether the table holds exactly `item`. The SDK sends a put again when its answer was
    lost, and a condition on the version read then fails on the item the first attempt wrote:
    that item is this save, not another writer's."""
    try:
        stored = type(item).get(item.pk, item.sk, consistent_read=True)
    except DoesNotExist:
        return False
    return stored.serialize() == item.serialize()


def failed_a_condition(error: TransactWriteError) -> bool:
    """Whether a transaction was cancelled because one of its conditions failed (rather than a
    conflict with another transaction, throttling or a fault)."""
    reasons = [reason.code for reason in (error.cancellation_reasons or []) if reason]
    return "ConditionalCheckFailed" in reasons


def names(item: TableModel, text: str) -> bool:
    """Whether `text` appears anywhere in the item: its keys or any of its attributes (the
    erasure's test for an item that still names a person)."""
    return text in json.dumps(item.serialize())


def sort_keys(partition: str) -> list[str]:
    """The sort key of every item in one partition, whatever their kind."""
    return [item.sk for item in TableModel.query(partition, consistent_read=True)]


def rewrite(old: TableModel, new: TableModel | None) -> bool:
    """Rewrites an item as another, possibly under another key, or deletes it (None), in one
    transaction: only while the old item is still as it was read and the new key is free.
    False if another writer changed either first (read again and decide again)."""
    try:
        with TransactWrite(connection=connection()) as transaction:
            if new is None:
                transaction.delete(old, condition=_as_read(old))
            elif (new.pk, new.sk) == (old.pk, old.sk):
                transaction.save(new, condition=_as_read(old))
            else:
                transaction.delete(old, condition=_as_read(old))
                transaction.save(new, condition=TableModel.pk.does_not_exist())
    except TransactWriteError as error:
        if failed_a_condition(error):
            return False
        raise
    return True


def _as_read(item: TableModel) -> Condition:
    """The item is still as read: its version, for an item saved as versions, or else every
    attribute."""
    attributes, values = type(item).get_attributes(), item.attribute_values
    condition = type(item).pk.exists()
    if "version" in attributes:
        return condition & (attributes["version"] == values["version"])
    for name, attribute in attributes.items():
        if not (attribute.is_hash_key or attribute.is_range_key):
            value = values.get(name)
            condition &= attribute.does_not_exist() if value is None else attribute == value
    return condition
