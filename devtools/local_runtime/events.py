"""Real-shaped Lambda events, as AWS would deliver them, built from local inputs."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from devtools.local_runtime.aws import ACCOUNT, REGION
from infra import wiring


def api_gateway_event(
    *,
    method: str,
    resource: str,
    path: str,
    path_parameters: Mapping[str, str],
    headers: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: str | None,
    source_ip: str,
    now: datetime,
) -> dict[str, Any]:
    """An API Gateway REST API (v1) Lambda proxy event."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": dict(headers),
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": dict(query) or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "domainName": headers.get("Host", "127.0.0.1"),
            "httpMethod": method,
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
            "path": path,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourcePath": resource,
            "stage": "local",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def sqs_event(queue_arn: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS event source mapping's batch, from ReceiveMessage results."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody")
                or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def bucket_keys(body: str) -> list[str]:
    """The object keys an S3 notification names (none in S3's test event), decoded."""
    try:
        records = json.loads(body).get("Records", [])
    except (ValueError, AttributeError):
        return []
    return [unquote_plus(record["s3"]["object"]["key"]) for record in records]


def scheduled_event(schedule: str, at: datetime) -> dict[str, Any]:
    """What an EventBridge Scheduler schedule of the stack delivers (see infra/constructs)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{schedule}"],
        "detail": {},
    }


def ses_notification(
    event_type: str,
    address: str,
    at: datetime,
    configuration_set: str,
    sender: str,
    bounce_type: str = "Permanent",
) -> str:
    """What EventBridge's rule delivers to the mail-events queue for one SES bounce or complaint
    of the configuration set, as SES publishes it (event publishing, not identity
    notifications)."""
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    feedback_id = f"{uuid.uuid4()}-000000"
    event: dict[str, Any] = {
        "eventType": event_type,
        "mail": {
            "timestamp": stamp,
            "source": sender,
            "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender}",
            "sendingAccountId": ACCOUNT,
            "messageId": f"{uuid.uuid4()}-000000",
            "destination": [address],
            "headersTruncated": False,
            "tags": {
                "ses:configuration-set": [configuration_set],
                "ses:from-domain": [sender.partition("@")[2]],
                "ses:caller-identity": ["mailer"],
            },
        },
    }
    if event_type == "Bounce":
        permanent = bounce_type == "Permanent"
        event["bounce"] = {
            "bounceType": bounce_type,
            "bounceSubType": "General" if permanent else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1" if permanent else "4.2.2",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                    if permanent
                    else "smtp; 452 4.2.2 mailbox full",
                }
            ],
            "timestamp": stamp,
            "feedbackId": feedback_id,
            "reportingMTA": "dsn; a1-23.smtp-out.eu-west-1.amazonses.com",
        }
    else:
        event["complaint"] = {
            "complainedRecipients": [{"emailAddress": address}],
            "timestamp": stamp,
            "feedbackId": feedback_id,
            "complaintFeedbackType": "abuse",
            "arrivalDate": stamp,
        }
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": wiring.SES_DETAIL_TYPES[event_type.lower()],
            "source": "aws.ses",
            "account": ACCOUNT,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{configuration_set}"],
            "detail": event,
        }
    )
