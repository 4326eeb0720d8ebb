"""The queues of the wiring, each with its dead-letter queue, consumer and bucket trigger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as notifications
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra import wiring
from infra.stack.mail import Mail
from infra.stack.nag import dead_letter_queue, excuse

_NOTIFICATIONS_HANDLER = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"


class Queues(Construct):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letters: dict[str, sqs.Queue] = {}
        for queue in wiring.QUEUES:
            dead_letters = dead_letter_queue(
                self, f"{queue.name}-dlq", f"{queue.name} messages that failed"
            )
            self.dead_letters[queue.name] = dead_letters
            self.queues[queue.name] = sqs.Queue(
                self,
                queue.name,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                visibility_timeout=Duration.seconds(queue.visibility_timeout_s),
                retention_period=Duration.days(4),
                dead_letter_queue=sqs.DeadLetterQueue(
                    max_receive_count=queue.max_receive_count, queue=dead_letters
                ),
            )

    def connect(
        self, functions: dict[str, lambda_.Function], bucket: s3.IBucket, mail: Mail
    ) -> None:
        """Each queue feeds its consumer, with partial batch failures; triggers and SES's events
        feed the queues."""
        for queue in wiring.QUEUES:
            consumer = functions[queue.consumer]
            consumer.add_event_source(
                sources.SqsEventSource(
                    self.queues[queue.name],
                    batch_size=queue.batch_size,
                    report_batch_item_failures=True,
                    max_concurrency=queue.max_concurrency,
                    filters=_excluding(queue.trigger),
                )
            )
            excuse(
                consumer,
                "Serverless-LambdaEventSourceMappingDestination",
                "SQS event sources take no on-failure destination: the queue's redrive policy "
                "moves failed messages to its dead-letter queue.",
            )
            if queue.trigger:
                bucket.add_event_notification(
                    s3.EventType.OBJECT_CREATED,
                    notifications.SqsDestination(self.queues[queue.name]),
                    s3.NotificationKeyFilter(
                        prefix=queue.trigger.prefix, suffix=queue.trigger.suffix
                    ),
                )
                _excuse_notifications_handler(Stack.of(self))
            if queue.ses_events:
                self.dead_letters[f"undelivered-{queue.name}"] = mail.publish_events(
                    queue.ses_events, self.queues[queue.name]
                )


def _excluding(trigger: wiring.BucketTrigger | None) -> list[Mapping[str, Any]] | None:
    """The event source mapping's filter for a trigger's excluded keys: it matches an S3
    notification with a key outside them (Lambda filters as EventBridge patterns do)."""
    if trigger is None or trigger.excluded is None:
        return None
    key = [{"anything-but": {"prefix": trigger.excluded}}]
    return [lambda_.FilterCriteria.filter({"body": {"Records": {"s3": {"object": {"key": key}}}}})]


def _excuse_notifications_handler(stack: Stack) -> None:
    """CDK configures bucket notifications through a singleton custom resource of its own."""
    NagSuppressions.add_resource_suppressions_by_path(
        stack,
        f"/{stack.node.path}/{_NOTIFICATIONS_HANDLER}/Role/Resource",
        [
            NagPackSuppression(
                id="AwsSolutions-IAM4",
                reason="CDK's bucket-notification custom resource, run at deploy time only; its "
                "role carries just the basic Lambda logging policy.",
                applies_to=[
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                ],
            )
        ],
    )
