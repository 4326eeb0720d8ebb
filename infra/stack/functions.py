"""The Lambda functions of the wiring: one folder each under functions/, the domain and the
third-party layers, one role each holding exactly what its grants say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from cdk_nag import RegexAppliesTo
from constructs import Construct

from infra import wiring
from infra.stack.console import ConsoleSignIn
from infra.stack.mail import Mail
from infra.stack.nag import dead_letter_queue, excuse
from infra.wiring import Grant
from tandem.model.tenant import Tenant
from tandem.store.settings import Setting

ROOT = Path(__file__).parents[2]
RUNTIME = lambda_.Runtime.PYTHON_3_13  # the Makefile builds and compiles everything for 3.13
# What `make layer` builds, each with its bytecode: the third-party layers, and our code.
BUILT_LAYERS = ROOT / "build" / "layers"
BUILT_CODE = ROOT / "build" / "code"  # domain/ (the domain layer) and functions/
SHARED_LAYER = "deps"  # every function's third-party packages


# What the store does with a table (reading includes its indexes): no scans, no streams.
_TABLE_READS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:DescribeTable",
)
_TABLE_WRITES = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DescribeTable",
)

# Who calls each synchronously invoked function, and where its failures end up instead.
_SYNC_CALLER = {
    **{
        route.function: "API Gateway, which answers the caller with the error"
        for route in wiring.ROUTES
    },
    **{
        queue.consumer: f"its SQS event source; failed messages go to the {queue.name} DLQ"
        for queue in wiring.QUEUES
    },
}


@dataclass(frozen=True)
class Shared:
    """What the functions are granted access to."""

    tenant: Tenant
    table: dynamodb.ITable
    idempotency_table: dynamodb.ITable
    bucket: s3.IBucket
    queues: Mapping[str, sqs.IQueue]  # by wiring queue name
    signing_secret: secretsmanager.ISecret
    mail: Mail


# Settings that name what exists only once the functions do (the API, the console's user pool):
# given by set_link_base and set_sign_in.
_LATER = frozenset(
    {Setting.LINK_BASE, Setting.SIGN_IN_URL, Setting.SIGN_IN_CLIENT, Setting.SIGN_IN_ISSUER}
)


def _built(path: Path) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is missing: run `make layer` first")
    return path


class Functions(Construct):
    def __init__(self, scope: Construct, id: str, shared: Shared) -> None:
        super().__init__(scope, id)
        self._third_party: dict[str, lambda_.LayerVersion] = {}
        self._domain = lambda_.LayerVersion(
            self,
            "Domain",
            code=lambda_.Code.from_asset(str(_built(BUILT_CODE / "domain"))),
            compatible_runtimes=[RUNTIME],
            description="The tandem domain package",
        )
        self.shared = shared
        # Runs of asynchronously invoked (scheduled) functions that failed every retry.
        self.async_failures = dead_letter_queue(self, "async-failures", "failed scheduled runs")
        self.by_name = {spec.name: self._function(spec) for spec in wiring.FUNCTIONS}

    def _layer(self, name: str) -> lambda_.LayerVersion:
        """A third-party layer built by `make layer` from layers/<name>/requirements.txt."""
        if name not in self._third_party:
            self._third_party[name] = lambda_.LayerVersion(
                self,
                f"{name}-layer",
                code=lambda_.Code.from_asset(str(_built(BUILT_LAYERS / name)), exclude=[".built"]),
                compatible_runtimes=[RUNTIME],
                description=f"Third-party packages of layers/{name}/requirements.txt",
            )
        return self._third_party[name]

    def _function(self, spec: wiring.Function) -> lambda_.Function:
        tenant = self.shared.tenant
        log_group = logs.LogGroup(
            self,
            f"{spec.name}-logs",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Its own role without managed policies: write to its own log group, nothing else yet.
        role = iam.Role(
            self, f"{spec.name}-role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            spec.name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            # The function's folder as a package, so a handler may be split into modules.
            handler=f"{spec.name}.handler.handler",
            code=lambda_.Code.from_asset(
                str(_built(BUILT_CODE / "functions")),
                exclude=[f.name for f in wiring.FUNCTIONS if f is not spec],
            ),
            layers=[
                self._layer(SHARED_LAYER),
                self._domain,
                *(self._layer(n) for n in spec.layers),
            ],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            dead_letter_queue=self.async_failures if _SYNC_CALLER.get(spec.name) is None else None,
            environment={
                "POWERTOOLS_SERVICE_NAME": spec.name,
                "POWERTOOLS_METRICS_NAMESPACE": f"Tandem/{tenant.name}",
                # Traces keep timings, not payloads: responses hold pages with names and
                # freshly signed links, errors can quote addresses.
                "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
                **{
                    setting.value: self._value(setting)
                    for setting in spec.settings
                    if setting not in _LATER
                },
            },
        )
        for grant in spec.grants:
            self._grant(grant, function)
        older = (
            f"{RUNTIME.name}, the newest Python the build compiles bytecode for: on a newer "
            "runtime every module shipped would be compiled again at each cold start, tripling "
            "what a person waits for when a link opens (supported by Lambda into 2029)."
        )
        excuse(function, "AwsSolutions-L1", older)
        excuse(function, "Serverless-LambdaLatestVersion", older)
        if caller := _SYNC_CALLER.get(spec.name):
            excuse(
                function,
                "Serverless-LambdaDLQ",
                f"Invoked synchronously by {caller}: no asynchronous event to dead-letter.",
            )
        excuse(
            role,
            "AwsSolutions-IAM5",
            "X-Ray accepts trace segments only on Resource '*'; table index and bucket prefix "
            "wildcards are scoped to this tenant's table and to the prefixes the wiring grants.",
            applies_to=[
                "Resource::*",
                RegexAppliesTo(regex=r"/^Resource::<StorageTable[0-9A-F]+\.Arn>\/index\/\*$/"),
                *(
                    RegexAppliesTo(
                        regex=rf"/^Resource::<StorageBucket[0-9A-F]+\.Arn>\/{prefix}\*$/"
                    )
                    for prefix in (p.replace("/", "\\/") for p in wiring.BUCKET_PREFIXES.values())
                ),
            ],
        )
        return function

    def _value(self, setting: Setting) -> str:
        shared = self.shared
        return {
            Setting.TABLE: shared.table.table_name,
            Setting.IDEMPOTENCY_TABLE: shared.idempotency_table.table_name,
            Setting.BUCKET: shared.bucket.bucket_name,
            Setting.MAIL_QUEUE: shared.queues["mail"].queue_url,
            Setting.BAND_QUEUE: shared.queues["bands"].queue_url,
            Setting.SIGNING_SECRET: shared.signing_secret.secret_arn,
            Setting.SES_CONFIGURATION_SET: shared.mail.configuration_set.configuration_set_name,
            Setting.TENANT: shared.tenant.for_functions(),
            Setting.MAILERS: str(wiring.MAILERS),
        }[setting]

    def _grant(self, grant: Grant, function: lambda_.Function) -> None:
        shared = self.shared
        match grant:
            case Grant.READ_TABLE:
                shared.table.grant(function, *_TABLE_READS)
            case Grant.WRITE_TABLE:
                shared.table.grant(function, *_TABLE_WRITES)
            case Grant.RUN_ONCE:
                shared.idempotency_table.grant(function, "dynamodb:GetItem", *_TABLE_WRITES)
            case Grant.READ_ROSTERS | Grant.READ_PREVIEWS | Grant.READ_EXPORTS:
                objects = shared.bucket.arn_for_objects(wiring.BUCKET_PREFIXES[grant] + "*")
                self._allow(function, ["s3:GetObject"], objects)
            case Grant.LIST_ROSTERS | Grant.LIST_PREVIEWS | Grant.LIST_EXPORTS:
                self._allow_listing(function, wiring.BUCKET_PREFIXES[grant])
            case Grant.WRITE_ROSTER_RESULTS | Grant.WRITE_PREVIEWS | Grant.UPLOAD_ROSTERS:
                objects = shared.bucket.arn_for_objects(wiring.BUCKET_PREFIXES[grant] + "*")
                self._allow(function, ["s3:PutObject"], objects)
            case Grant.WRITE_EXPORTS:
                # Replacing an export: multipart uploads, and deleting what it no longer has.
                prefix = wiring.BUCKET_PREFIXES[grant]
                objects = shared.bucket.arn_for_objects(prefix + "*")
                writes = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
                self._allow(function, writes, objects)
                self._allow_listing(function, prefix)
            case Grant.SEND_MAIL:
                shared.queues["mail"].grant_send_messages(function)
            case Grant.SEND_BAND_JOBS:
                shared.queues["bands"].grant_send_messages(function)
            case Grant.SEND_EMAIL:
                shared.mail.grant_send(function)
            case Grant.SIGN_LINKS:
                shared.signing_secret.grant_read(function)
            case Grant.SIGN_IN_LEADS:
                pass  # the user pool's OAuth endpoints answer anyone, over HTTPS

    @staticmethod
    def _allow(function: lambda_.Function, actions: list[str], resource: str) -> None:
        function.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[resource]))

    def _allow_listing(self, function: lambda_.Function, prefix: str) -> None:
        """Listing the keys under one prefix of the bucket, and no other."""
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.shared.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [prefix + "*"]}},
            )
        )

    def set_link_base(self, url: str) -> None:
        """Functions that write links into emails, and the console, learn the API's address
        once it exists."""
        self._set_later({Setting.LINK_BASE: url})

    def set_sign_in(self, sign_in: ConsoleSignIn) -> None:
        """The console learns its user pool once it exists (its client names the console)."""
        self._set_later(
            {
                Setting.SIGN_IN_URL: sign_in.url,
                Setting.SIGN_IN_CLIENT: sign_in.client.user_pool_client_id,
                Setting.SIGN_IN_ISSUER: sign_in.issuer,
            }
        )

    def _set_later(self, values: Mapping[Setting, str]) -> None:
        for spec in wiring.FUNCTIONS:
            for setting, value in values.items():
                if setting in spec.settings:
                    self.by_name[spec.name].add_environment(setting.value, value)
