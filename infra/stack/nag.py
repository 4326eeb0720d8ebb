"""cdk-nag suppressions, always on the resource they excuse and always with the reason; and the
dead-letter queue, whose findings are always the same."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct, IConstruct


def excuse(
    resource: IConstruct,
    rule: str,
    reason: str,
    applies_to: Sequence[str | RegexAppliesTo] | None = None,
) -> None:
    NagSuppressions.add_resource_suppressions(
        resource,
        [NagPackSuppression(id=rule, reason=reason, applies_to=applies_to)],
        apply_to_children=True,
    )


def dead_letter_queue(scope: Construct, id: str, holds: str) -> sqs.Queue:
    """A queue where `holds` wait for replay (14 days, encrypted, TLS only)."""
    queue = sqs.Queue(
        scope,
        id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    reason = f"This is a dead-letter queue: {holds} wait here for replay."
    excuse(queue, "AwsSolutions-SQS3", reason)
    excuse(queue, "Serverless-SQSRedrivePolicy", reason)
    return queue
