"""The tenant's data: one DynamoDB table and one private bucket, both kept when the stack goes;
and a table of idempotency records, which are not data and go with the stack."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import RegexAppliesTo
from constructs import Construct

from infra.stack.nag import excuse
from tandem.model import bucket_layout
from tandem.model.tenant import Tenant
from tandem.store import idempotency
from tandem.store.table import SCHEMA


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def _table(scope: Construct, id: str, **shape: Any) -> dynamodb.Table:
    """On demand, encrypted, with point-in-time recovery."""
    return dynamodb.Table(
        scope,
        id,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        **shape,
    )


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, tenant: Tenant) -> None:
        super().__init__(scope, id)
        retention = tenant.deployment.exports_retention_days
        self.table = _table(
            self,
            "Table",
            partition_key=_string(SCHEMA.partition_key),
            sort_key=_string(SCHEMA.sort_key),
            time_to_live_attribute=SCHEMA.ttl_attribute,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in SCHEMA.indexes:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string(index.partition_key),
                sort_key=_string(index.sort_key),
            )

        # Operational records only (what was sent, what ran): they expire within weeks.
        self.idempotency_table = _table(
            self,
            "IdempotencyTable",
            partition_key=_string(idempotency.KEY),
            time_to_live_attribute=idempotency.TTL,
            removal_policy=RemovalPolicy.DESTROY,
        )

        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        excuse(
            access_logs,
            "AwsSolutions-S1",
            "This is the access-log bucket; logging it to itself would loop.",
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="data-bucket/",
            lifecycle_rules=[
                # Overwritten or deleted files stay recoverable for a while, not forever.
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(90)),
                # HR's exports and matching previews are snapshots: old ones go.
                *(
                    s3.LifecycleRule(prefix=prefix, expiration=Duration.days(retention))
                    for prefix in (bucket_layout.EXPORTS, bucket_layout.PREVIEWS)
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

        # What HR's people or scripts may do, to attach to their role: upload rosters, read
        # the results, previews and exports; nothing else of the bucket, nothing of the table.
        # What HR reads, Tandem writes: an explicit Deny keeps HR from overwriting any of it,
        # even where an upload prefix contains it (roster/* holds roster/results/*).
        readable = bucket_layout.WRITTEN_FOR_HR
        self.hr_policy = iam.ManagedPolicy(
            self,
            "HrAccess",
            description="HR: rosters into the Tandem bucket; results, previews, exports out",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:PutObject"],
                    resources=[self.bucket.arn_for_objects(f"{bucket_layout.ROSTERS}*")],
                ),
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[self.bucket.arn_for_objects(f"{p}*") for p in readable],
                ),
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[self.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{p}*" for p in readable]}},
                ),
                iam.PolicyStatement(
                    effect=iam.Effect.DENY,
                    actions=["s3:PutObject"],
                    resources=[self.bucket.arn_for_objects(f"{p}*") for p in readable],
                ),
            ],
        )
        excuse(
            self.hr_policy,
            "AwsSolutions-IAM5",
            "Object wildcards under the four prefixes HR works with (roster uploads, results, "
            "previews, exports): the files' names are HR's own.",
            applies_to=[RegexAppliesTo(regex=r"/^Resource::<StorageBucket[0-9A-F]+\.Arn>\/.*\*$/")],
        )
