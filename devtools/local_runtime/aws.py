"""The embedded AWS: moto's server on 127.0.0.1, provisioned with the tenant's resources from
the same declarations the CDK stack uses (table schema, wiring), so boto3, PynamoDB, the AWS
CLI and HR's scripts all reach it with an endpoint URL. The runtime's own process skips the
network: its clients' requests go straight to the same server application."""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.handlers import BUILTIN_HANDLERS
from moto.core.botocore_stubber import MockRawResponse
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.ses.models import SESQuota, ses_backends
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from devtools.local_runtime.usage import CountingApp, Usage
from infra import wiring
from tandem.console.sessions import Role
from tandem.model.tenant import Tenant
from tandem.store import idempotency
from tandem.store.settings import Setting
from tandem.store.table import SCHEMA

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account
# The embedded SES answers as an account with production access; moto's own quota is the
# sandbox's one email a second, which would pace local mail to a crawl.
SES_MAX_SEND_RATE = 500


@dataclass(frozen=True)
class Resources:
    table: str
    idempotency_table: str
    bucket: str
    queue_urls: dict[str, str]  # wiring queue name -> URL
    dead_letter_urls: dict[str, str]
    secret_arn: str
    configuration_set: str
    user_pool: str  # the console's
    console_client: str

    @property
    def issuer(self) -> str:
        """The issuer moto names in the user pool's tokens, as Cognito does."""
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.user_pool}"

    def settings(self, tenant: Tenant, link_base: str) -> dict[Setting, str]:
        return {
            Setting.TABLE: self.table,
            Setting.IDEMPOTENCY_TABLE: self.idempotency_table,
            Setting.BUCKET: self.bucket,
            Setting.MAIL_QUEUE: self.queue_urls["mail"],
            Setting.BAND_QUEUE: self.queue_urls["bands"],
            Setting.SIGNING_SECRET: self.secret_arn,
            Setting.SES_CONFIGURATION_SET: self.configuration_set,
            Setting.LINK_BASE: link_base,
            Setting.TENANT: tenant.for_functions(),
            Setting.MAILERS: str(wiring.MAILERS),
            # The runtime's stand-in for the user pool's OAuth domain (idp.py).
            Setting.SIGN_IN_URL: f"{link_base}/_local/idp",
            Setting.SIGN_IN_CLIENT: self.console_client,
            Setting.SIGN_IN_ISSUER: self.issuer,
        }


def client_environment(endpoint: str) -> dict[str, str]:
    """What boto3 (and PynamoDB through it) needs to talk to the embedded AWS."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves a host name: finding one looks
    through the folder of every moto module, a millisecond spent again on every request."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backends:  # callers hold the dispatcher's lock
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


class EmbeddedAws:
    """moto's server (as its ThreadedMotoServer runs it), with every request counted.

    Other programs reach it over HTTP. This process's own clients (the handlers', PynamoDB's,
    the runtime's) are answered in-process by the same application: a botocore `before-send`
    hook, as moto's in-process mock uses, hands it the request, so a call costs what moto
    costs and not a connection and a server thread besides."""

    def __init__(self, port: int, usage: Usage) -> None:
        self.port = port
        self.usage = usage
        self._app = CountingApp(_Dispatcher(), usage)
        self._server: BaseWSGIServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._server = make_server(
            "127.0.0.1", self.port, self._app, threaded=True, request_handler=MotoRequestHandler
        )
        threading.Thread(
            target=self._server.serve_forever, name="embedded-aws", daemon=True
        ).start()
        os.environ.update(client_environment(self.endpoint))
        # Every botocore session made from now on carries the hook; boto3's default session
        # is made again so it does too.
        BUILTIN_HANDLERS.append(("before-send", self._answer_in_process))
        boto3.DEFAULT_SESSION = None

    def _answer_in_process(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        """The server application's answer to a request for the embedded AWS; None (send it
        as usual) for any other address."""
        if not request.url.startswith(self.endpoint + "/"):
            return None
        body = request.body.read() if hasattr(request.body, "read") else request.body
        environ = EnvironBuilder(
            base_url=self.endpoint,
            path=request.url.removeprefix(self.endpoint),
            method=request.method,
            headers=[
                (name, value.decode() if isinstance(value, bytes) else value)
                for name, value in request.headers.items()
            ],
            data=body or b"",
        ).get_environ()
        chunks, status, headers = run_wsgi_app(self._app, environ, buffered=True)
        answer = b"".join(chunks)
        return AWSResponse(request.url, int(status[:3]), dict(headers), MockRawResponse(answer))

    def stop(self) -> None:
        BUILTIN_HANDLERS.remove(("before-send", self._answer_in_process))
        if self._server:
            self._server.shutdown()


def provision(tenant: Tenant) -> Resources:
    """Creates the tenant's table, bucket, queues, secret and SES setup in the embedded AWS."""
    name = f"tandem-{tenant.name}"
    queue_urls, dead_letter_urls = _queues(name)
    resources = Resources(
        table=_table(name),
        idempotency_table=_idempotency_table(f"{name}-idempotency"),
        bucket=_bucket(f"{name}-data", queue_urls),
        queue_urls=queue_urls,
        dead_letter_urls=dead_letter_urls,
        secret_arn=_secret(f"{name}/link-signing"),
        configuration_set=_ses(name, tenant.sender),
        **_user_pool(f"{name}-console"),
    )
    return resources


def _table(name: str) -> str:
    dynamodb = boto3.client("dynamodb")
    keys = {SCHEMA.partition_key, SCHEMA.sort_key} | {
        attr for index in SCHEMA.indexes for attr in (index.partition_key, index.sort_key)
    }
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in sorted(keys)],
        KeySchema=_key_schema(SCHEMA.partition_key, SCHEMA.sort_key),
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in SCHEMA.indexes
        ],
    )
    dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": SCHEMA.ttl_attribute},
    )
    return name


def _idempotency_table(name: str) -> str:
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": idempotency.KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": idempotency.KEY, "KeyType": "HASH"}],
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": idempotency.TTL}
    )
    return name


def _key_schema(partition_key: str, sort_key: str) -> list[dict[str, str]]:
    return [
        {"AttributeName": partition_key, "KeyType": "HASH"},
        {"AttributeName": sort_key, "KeyType": "RANGE"},
    ]


def _queues(prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    sqs = boto3.client("sqs")
    urls, dead_letter_urls = {}, {}
    for queue in wiring.QUEUES:
        dlq_url = sqs.create_queue(QueueName=f"{prefix}-{queue.name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count}
        urls[queue.name] = sqs.create_queue(
            QueueName=f"{prefix}-{queue.name}",
            Attributes={
                # As on AWS; the runtime makes a failed message visible again at once.
                "VisibilityTimeout": str(queue.visibility_timeout_s),
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
        dead_letter_urls[queue.name] = dlq_url
    return urls, dead_letter_urls


def _bucket(name: str, queue_urls: dict[str, str]) -> str:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    sqs = boto3.client("sqs")
    notifications: list[dict[str, Any]] = []
    for queue in wiring.QUEUES:
        if queue.trigger is None:
            continue
        arn = sqs.get_queue_attributes(QueueUrl=queue_urls[queue.name], AttributeNames=["QueueArn"])
        rules = [
            {"Name": "prefix", "Value": queue.trigger.prefix},
            {"Name": "suffix", "Value": queue.trigger.suffix},
        ]
        notifications.append(
            {
                "QueueArn": arn["Attributes"]["QueueArn"],
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": rules}},
            }
        )
    s3.put_bucket_notification_configuration(
        Bucket=name, NotificationConfiguration={"QueueConfigurations": notifications}
    )
    return name


def _user_pool(name: str) -> dict[str, str]:
    """The console's user pool, its app client and role groups, as the stack declares them but
    for MFA, which the local sign-in does not ask (devtools/local_runtime/idp.py)."""
    cognito = boto3.client("cognito-idp")
    pool = cognito.create_user_pool(
        PoolName=name, UsernameAttributes=["email"], MfaConfiguration="OFF"
    )["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="console",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    for role in Role:
        cognito.create_group(GroupName=role.value, UserPoolId=pool)
    return {"user_pool": pool, "console_client": client}


def _secret(name: str) -> str:
    value = json.dumps({"current": secrets.token_urlsafe(48)})
    return str(boto3.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"])


def _ses(name: str, sender: str) -> str:
    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress=sender)
    ses.create_configuration_set(ConfigurationSet={"Name": name})
    backend = ses_backends[ACCOUNT][REGION]
    sandbox = backend.get_send_quota

    def out_of_the_sandbox() -> SESQuota:
        quota = sandbox()
        quota.max_send_rate = SES_MAX_SEND_RATE
        return quota

    backend.get_send_quota = out_of_the_sandbox  # type: ignore[method-assign]
    return name
