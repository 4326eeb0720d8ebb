"""Powertools idempotency records, kept in the tenant table under IDEMPOTENCY#<use> and
expired by its TTL."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from tandem.settings import Setting, setting
from tandem.store.table import SCHEMA


def persistence_layer(use: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=setting(Setting.TABLE),
        key_attr=SCHEMA.partition_key,
        sort_key_attr=SCHEMA.sort_key,
        static_pk_value=f"IDEMPOTENCY#{use}",
        expiry_attr=SCHEMA.ttl_attribute,
    )
