"""The fault-injection harness itself: the share it fails, the same faults for the same seed,
AWS's own error codes, and the SDK's retries running through them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from moto import mock_aws

from tests.support.faults import KINDS, SERVER_ERROR, THROTTLE, TIMEOUT, Faults, inject

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def table() -> Iterator[str]:
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        yield "t"


def decisions(
    seed: int, share: float = 0.1, calls: int = 2000, operation: str = "dynamodb.PutItem"
) -> list[str | None]:
    faults = Faults(share, seed)
    return [faults.decide(operation) for _ in range(calls)]


def first_seed_with(*kinds: str | None, operation: str = "dynamodb.PutItem") -> int:
    """A seed whose first decisions for the operation are these (at a share of one half)."""
    return next(s for s in range(10_000) if decisions(s, 0.5, len(kinds), operation) == list(kinds))


def test_the_set_share_of_calls_fails_with_every_kind_of_fault() -> None:
    drawn = Counter(decisions(seed=1, calls=20_000))
    assert 0.09 < (20_000 - drawn[None]) / 20_000 < 0.11
    assert all(1_000 / len(KINDS) < drawn[kind] for kind in KINDS)


def test_the_same_seed_fails_the_same_calls_and_another_seed_others() -> None:
    assert decisions(seed=7) == decisions(seed=7)
    assert decisions(seed=7) != decisions(seed=8)


def test_a_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        Faults(1.5, seed=1)


def test_the_sdk_retries_through_faults_and_every_write_lands(table: str) -> None:
    dynamodb = boto3.client("dynamodb")
    with inject(share=0.2, seed=3) as faults:
        for n in range(40):
            dynamodb.put_item(TableName=table, Item={"pk": {"S": str(n)}})
    assert faults.total > 5 and faults.attempts["dynamodb.PutItem"] == 40 + faults.total
    assert dynamodb.scan(TableName=table)["Count"] == 40


@pytest.mark.parametrize(
    ("kind", "code"),
    [(THROTTLE, "ProvisionedThroughputExceededException"), (SERVER_ERROR, "InternalServerError")],
)
def test_a_fault_answers_with_dynamodbs_own_error(table: str, kind: str, code: str) -> None:
    dynamodb = boto3.client("dynamodb", config=NO_RETRIES)
    with inject(share=0.5, seed=first_seed_with(kind)), pytest.raises(ClientError) as error:
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert error.value.response["Error"]["Code"] == code
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"pk": {"S": "a"}})


@pytest.mark.parametrize(
    ("service", "operation", "kind", "code"),
    [
        ("s3", "ListBuckets", THROTTLE, "SlowDown"),
        ("s3", "ListBuckets", SERVER_ERROR, "InternalError"),
        ("ses", "GetSendQuota", THROTTLE, "Throttling"),
        ("ses", "GetSendQuota", SERVER_ERROR, "InternalFailure"),
        ("sqs", "ListQueues", THROTTLE, "ThrottlingException"),
        ("sqs", "ListQueues", SERVER_ERROR, "InternalError"),
    ],
)
def test_s3_ses_and_sqs_faults_parse_as_their_services_errors(
    service: str, operation: str, kind: str, code: str
) -> None:
    seed = first_seed_with(kind, operation=f"{service}.{operation}")
    with mock_aws(), inject(share=0.5, seed=seed), pytest.raises(ClientError) as error:
        client = boto3.client(service, config=NO_RETRIES)
        getattr(client, snake(operation))()
    assert error.value.response["Error"]["Code"] == code


def snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def test_a_timeout_loses_the_answer_of_a_call_that_went_through(table: str) -> None:
    # The put reached DynamoDB; its answer was lost; the SDK sends it again, and a conditional
    # put now finds its own item: what every caller of a conditional write must expect.
    dynamodb = boto3.client("dynamodb")
    with inject(share=0.5, seed=first_seed_with(TIMEOUT, None)), pytest.raises(ClientError) as e:
        dynamodb.put_item(
            TableName=table,
            Item={"pk": {"S": "once"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert "Item" in dynamodb.get_item(TableName=table, Key={"pk": {"S": "once"}})


def test_a_client_that_does_not_retry_gets_the_timeout_though_the_call_went_through(
    table: str,
) -> None:
    dynamodb = boto3.client("dynamodb", config=NO_RETRIES)
    with inject(share=0.5, seed=first_seed_with(TIMEOUT)), pytest.raises(ReadTimeoutError):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "sent"}})
    assert "Item" in dynamodb.get_item(TableName=table, Key={"pk": {"S": "sent"}})


def test_the_event_sources_own_sqs_calls_are_spared() -> None:
    with mock_aws():
        sqs = boto3.client("sqs", config=NO_RETRIES)
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        with inject(share=1.0, seed=1) as faults:
            sqs.receive_message(QueueUrl=url)
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        assert faults.total == 0


def test_clients_created_inside_the_block_are_faulted_and_none_after_it(table: str) -> None:
    with inject(share=1.0, seed=1) as faults:
        inside = boto3.client("dynamodb", config=NO_RETRIES)
        with pytest.raises(ClientError):
            inside.describe_table(TableName=table)
    assert faults.total == 1
    inside.describe_table(TableName=table)  # unhooked
