"""One tenant's stack: its own table, bucket, API, functions, queues, schedules, mail setup,
secret, alarms, and the dashboard if the tenant wants one."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack, Tags
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.stack.api import Api
from infra.stack.console import ConsoleSignIn
from infra.stack.functions import Functions, Shared
from infra.stack.mail import Mail
from infra.stack.monitoring import Monitoring
from infra.stack.nag import excuse
from infra.stack.queues import Queues
from infra.stack.schedules import Schedules
from infra.stack.storage import Storage
from tandem.model.tenant import Tenant


class TenantStack(Stack):
    def __init__(self, scope: Construct, id: str, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(
            scope, id, description=f"Tandem peer coaching for {tenant.organization}", **kwargs
        )
        Tags.of(self).add("tandem:tenant", tenant.name)
        storage = Storage(self, "Storage", tenant)
        mail = Mail(self, "Mail", tenant)
        queues = Queues(self, "Queues")
        signing_secret = secretsmanager.Secret(
            self,
            "LinkSigningSecret",
            description="Signs the links in Tandem emails: {current, previous[]}",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 (a JSON template, not a password)
                generate_string_key="current",
                password_length=64,
                exclude_punctuation=True,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        excuse(
            signing_secret,
            "AwsSolutions-SMG4",
            "Rotated by the runbook (docs/runbook.md), which keeps the previous key valid so links "
            "already emailed keep working; an automatic rotation would break them.",
        )
        functions = Functions(
            self,
            "Functions",
            Shared(
                tenant=tenant,
                table=storage.table,
                idempotency_table=storage.idempotency_table,
                bucket=storage.bucket,
                queues=queues.queues,
                signing_secret=signing_secret,
                mail=mail,
            ),
        )
        api = Api(self, "Api", tenant, functions.by_name)
        functions.set_link_base(api.url)
        sign_in = ConsoleSignIn(self, "ConsoleSignIn", tenant, f"{api.url}/console")
        functions.set_sign_in(sign_in)
        queues.connect(functions.by_name, storage.bucket, mail)
        schedules = Schedules(self, "Schedules", tenant, functions.by_name)
        dead_letters = {
            **queues.dead_letters,
            "undelivered-schedules": schedules.dead_letters,
            "failed-scheduled-runs": functions.async_failures,
        }
        monitoring = Monitoring(
            self,
            "Monitoring",
            tenant,
            functions.by_name,
            dead_letters,
            api.rest_api,
            mail.configuration_set,
        )

        # What the runbook and HR's scripts need, from `aws cloudformation describe-stacks`.
        outputs = {
            "LinkBaseUrl": api.url,
            "BucketName": storage.bucket.bucket_name,
            "TableName": storage.table.table_name,
            "SigningSecretArn": signing_secret.secret_arn,
            "HrPolicyArn": storage.hr_policy.managed_policy_arn,
            "AlarmTopicArn": monitoring.topic.topic_arn,
            "ExportsFunctionName": functions.by_name["exports"].function_name,  # tandem export
            "ConsoleUrl": f"{api.url}/console",
            "ConsoleUserPoolId": sign_in.pool.user_pool_id,  # tandem console add-user
            "ConsoleClientId": sign_in.client.user_pool_client_id,
            **{f"{_camel(name)}QueueArn": q.queue_arn for name, q in queues.queues.items()},
            **{f"{_camel(name)}QueueUrl": q.queue_url for name, q in queues.queues.items()},
            **{
                f"{_camel(name)}DeadLetterQueueArn": q.queue_arn for name, q in dead_letters.items()
            },
        }
        if api.domain:
            outputs["DomainTarget"] = api.domain.domain_name_alias_domain_name
        if monitoring.dashboard:
            outputs["DashboardName"] = monitoring.dashboard.dashboard_name
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
