"""Powertools idempotency records, in the tenant's idempotency table: operational records that
expire by TTL, kept apart from the program's data."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from tandem.store.settings import Setting, setting

KEY = "id"
TTL = "expiration"


def persistence_layer() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=setting(Setting.IDEMPOTENCY_TABLE), key_attr=KEY, expiry_attr=TTL
    )
