"""What a platform engineer deploys: storage kept and encrypted, least privilege, quiet logs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cfnlint.api
from aws_cdk.assertions import Annotations, Match, Template

from infra import wiring
from infra.stack import TenantStack
from infra.stack.functions import BUILT_CODE, RUNTIME
from tandem.store.settings import Setting
from tandem.store.table import SCHEMA
from tests.infra.support import allows, function_ids, of_type


def test_cdk_nag_finds_nothing_unexplained(tenant_stack: TenantStack) -> None:
    # Both packs: AwsSolutions and Serverless; a suppression with its reason is not a finding.
    findings = Annotations.from_stack(tenant_stack)
    errors = findings.find_error("*", Match.string_like_regexp(".*"))
    warnings = findings.find_warning("*", Match.string_like_regexp("(AwsSolutions|Serverless)-.*"))
    assert [f"{e.id}: {e.entry.data}" for e in errors + warnings] == []


def test_cfn_lint_finds_no_error(tenant_stack: TenantStack) -> None:
    template = json.dumps(Template.from_stack(tenant_stack).to_json())
    found = cfnlint.api.lint(
        template, config=cfnlint.api.ManualArgs(regions=["us-east-1", "eu-west-1"])
    )
    assert [str(m) for m in found if m.rule.id.startswith("E")] == []


def test_every_suppression_gives_a_reason(resources: dict[str, dict[str, Any]]) -> None:
    suppressions = [
        rule
        for r in resources.values()
        for rule in r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions
    assert all(len(rule["reason"]) > 30 for rule in suppressions)


def test_the_table_is_kept_recoverable_encrypted_and_shaped_like_the_store(
    template: Template,
) -> None:
    template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "DeletionProtectionEnabled": True,
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True},
                "TimeToLiveSpecification": {"AttributeName": SCHEMA.ttl_attribute, "Enabled": True},
                "KeySchema": [
                    {"AttributeName": SCHEMA.partition_key, "KeyType": "HASH"},
                    {"AttributeName": SCHEMA.sort_key, "KeyType": "RANGE"},
                ],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": index.name,
                        "KeySchema": [
                            {"AttributeName": index.partition_key, "KeyType": "HASH"},
                            {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                    for index in SCHEMA.indexes
                ],
            },
        },
    )


def test_buckets_are_private_encrypted_tls_only_and_kept(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    buckets = of_type(tenant_resources, "AWS::S3::Bucket")
    assert len(buckets) == 2  # the data bucket and its access-log bucket
    for bucket in buckets.values():
        assert bucket["DeletionPolicy"] == "Retain"
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    [data] = [b for b in buckets.values() if "LoggingConfiguration" in b["Properties"]]
    assert data["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = of_type(tenant_resources, "AWS::S3::BucketPolicy").values()
    denies_plain_http = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(denies_plain_http) == 2


def test_every_queue_is_encrypted_and_every_failure_path_ends_in_a_dead_letter_queue(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    queues = of_type(tenant_resources, "AWS::SQS::Queue")
    assert all(q["Properties"]["SqsManagedSseEnabled"] for q in queues.values())
    work = {
        i: q["Properties"]["RedrivePolicy"]
        for i, q in queues.items()
        if "RedrivePolicy" in q["Properties"]
    }
    assert sorted(r["maxReceiveCount"] for r in work.values()) == sorted(
        q.max_receive_count for q in wiring.QUEUES
    )
    # Every other queue is the dead-letter target of something: a work queue, the scheduled
    # functions' asynchronous invocations, the schedules, SES's events rule or the alarm emails.
    targets = [
        json.dumps(r["Properties"].get(key, {}))
        for r in tenant_resources.values()
        for key in ("RedrivePolicy", "DeadLetterConfig", "Target", "Targets")
    ]
    for queue in set(queues) - set(work):
        assert any(f'"{queue}", "Arn"' in target for target in targets), f"{queue} is no one's DLQ"


def test_the_roster_import_is_not_fed_the_results_files_it_writes_under_roster(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    ids = {logical_id: name for name, logical_id in function_ids(tenant_resources).items()}
    filters = {
        ids[m["Properties"]["FunctionName"]["Ref"]]: m["Properties"].get("FilterCriteria")
        for m in of_type(tenant_resources, "AWS::Lambda::EventSourceMapping").values()
    }
    [pattern] = filters.pop(wiring.ROSTER_IMPORT.name)["Filters"]
    # The S3 notification body; the anything-but applies to each record's (URL-encoded) key.
    assert json.loads(pattern["Pattern"]) == {
        "body": {
            "Records": {
                "s3": {"object": {"key": [{"anything-but": {"prefix": "roster/results/"}}]}}
            }
        }
    }
    assert set(filters.values()) == {None}  # every other queue feeds its consumer everything


def test_functions_run_the_runtime_their_bytecode_is_for_traced_with_their_own_settings_only(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    functions = function_ids(tenant_resources)
    assert set(functions) == {f.name for f in wiring.FUNCTIONS}
    [secret] = of_type(tenant_resources, "AWS::SecretsManager::Secret")
    for spec in wiring.FUNCTIONS:
        properties = tenant_resources[functions[spec.name]]["Properties"]
        assert properties["Runtime"] == RUNTIME.name
        assert properties["TracingConfig"] == {"Mode": "Active"}
        # the shared third-party layer, the domain, and the function's own (matching's numpy)
        assert len(properties["Layers"]) == 2 + len(spec.layers)
        variables = properties["Environment"]["Variables"]
        expected = {s.value for s in spec.settings} | {
            "POWERTOOLS_SERVICE_NAME",
            "POWERTOOLS_METRICS_NAMESPACE",
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE",
            "POWERTOOLS_TRACER_CAPTURE_ERROR",
        }
        assert set(variables) == expected
        # Traces keep timings only: pages carry names and freshly signed links
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
        assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"
        # The signing secret is referenced by ARN, never inlined.
        if Setting.SIGNING_SECRET.value in variables:
            assert variables[Setting.SIGNING_SECRET.value] == {"Ref": secret}


def _statements(resources: dict[str, dict[str, Any]], function: str) -> list[dict[str, Any]]:
    role = resources[function_ids(resources)[function]]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in of_type(resources, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    return {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }


def test_roles_hold_only_what_the_wiring_grants(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    roles = of_type(tenant_resources, "AWS::IAM::Role")
    function_roles = [
        r for r in roles.values() if "lambda.amazonaws.com" in json.dumps(r["Properties"])
    ]
    custom = [r for r in function_roles if "ManagedPolicyArns" not in r["Properties"]]
    assert len(custom) == len(wiring.FUNCTIONS)  # no AWS managed policy on our functions

    mailer, pages, roster = (
        _actions(_statements(tenant_resources, name))
        for name in ("mailer", "participant_pages", "roster_import")
    )
    assert "ses:SendRawEmail" in mailer
    assert "ses:SendRawEmail" not in pages | roster
    assert not any(a.startswith("s3:") for a in pages)
    # Lists an export to name its files in the leads' mail; reads none of them
    assert {a for a in mailer if a.startswith("s3:")} == {"s3:ListBucket"}
    assert {a for a in roster if a.startswith("s3:")} == {"s3:GetObject", "s3:PutObject"}
    assert (
        "sqs:SendMessage" in pages
        and "sqs:SendMessage" in roster
        and "sqs:SendMessage" not in mailer
    )
    assert not any(a == "*" or a.endswith(":*") for a in mailer | pages | roster)


def test_the_api_logs_routes_never_paths_and_throttles(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    [stage] = of_type(tenant_resources, "AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    log_format = json.loads(properties["AccessLogSetting"]["Format"])
    assert log_format["route"] == "$context.resourcePath"
    assert not any("$context.path" in v or "sourceIp" in v for v in log_format.values())
    [settings] = properties["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == 50 and settings["ThrottlingBurstLimit"] == 100
    assert "LoggingLevel" not in settings  # execution logs would record tokens
    assert properties.get("TracingEnabled") is not True  # X-Ray would record the URL: the token


def test_ses_sends_through_a_configuration_set_that_suppresses_bounces(template: Template) -> None:
    template.has_resource_properties(
        "AWS::SES::ConfigurationSet",
        {
            "Name": "tandem-demo",
            "DeliveryOptions": {"TlsPolicy": "REQUIRE"},
            "ReputationOptions": {"ReputationMetricsEnabled": True},
            "SuppressionOptions": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        },
    )
    template.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": "coaching@northwind.example"}
    )


def test_the_signing_key_is_generated_by_secrets_manager_not_written_in_the_template(
    template: Template,
) -> None:
    template.has_resource(
        "AWS::SecretsManager::Secret",
        {
            "DeletionPolicy": "Retain",
            "Properties": {
                "GenerateSecretString": Match.object_like(
                    {"GenerateStringKey": "current", "PasswordLength": 64}
                )
            },
        },
    )
    template.resource_properties_count_is(
        "AWS::SecretsManager::Secret", {"SecretString": Match.any_value()}, 0
    )


def test_each_function_ships_its_own_folder_as_a_package_that_lambda_can_import(
    stack: TenantStack, resources: dict[str, dict[str, Any]]
) -> None:
    stage = cdk.Stage.of(stack)
    assert stage is not None
    assembly = Path(stage.synth().directory)
    ids = function_ids(resources)
    layer = BUILT_CODE / "domain" / "python"
    for spec in wiring.FUNCTIONS:
        properties = resources[ids[spec.name]]["Properties"]
        assert properties["Handler"] == f"{spec.name}.handler.handler"
        asset = assembly / f"asset.{properties['Code']['S3Key'].removesuffix('.zip')}"
        shipped = {p.name for p in asset.iterdir()} - {"__init__.py"}
        assert shipped == {spec.name}, f"{spec.name} ships {shipped}"
        # As Lambda does: the asset's root and the layers on the path, the module by name
        env = {
            "PYTHONPATH": f"{asset}:{layer}",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "IDEMPOTENCY_TABLE_NAME": "t",
        }
        imported = subprocess.run(
            [sys.executable, "-c", f"import {spec.name}.handler as h; assert callable(h.handler)"],
            env=env,
            cwd=asset,
            capture_output=True,
            text=True,
        )
        assert imported.returncode == 0, imported.stderr


def test_a_path_no_route_has_gets_the_friendly_page_not_api_gateways_json(
    resources: dict[str, dict[str, Any]],
) -> None:
    [response] = of_type(resources, "AWS::ApiGateway::GatewayResponse").values()
    properties = response["Properties"]
    assert properties["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN"
    assert properties["StatusCode"] == "404"
    assert properties["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'text/html'"
    page = properties["ResponseTemplates"]["application/json"]
    assert page.startswith("#[[<!doctype html>") and "Page not found" in page


def test_the_exports_function_replaces_files_under_exports_and_nowhere_else(
    tenant_resources: dict[str, dict[str, Any]],
) -> None:
    buckets = of_type(tenant_resources, "AWS::S3::Bucket")
    arns = {logical_id: f"arn:aws:s3:::{logical_id.lower()}" for logical_id in buckets}
    [data] = [arns[i] for i, r in buckets.items() if "VersioningConfiguration" in r["Properties"]]
    # Their bucket statements (the evaluator resolves bucket ARNs only)
    exports, mailer = (
        [s for s in _statements(tenant_resources, name) if "s3:" in json.dumps(s["Action"])]
        for name in ("exports", "mailer")
    )

    def may(statements: list[dict[str, Any]], action: str, key: str) -> bool:
        return allows(statements, action, f"{data}/{key}", arns=arns)

    for action in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"):
        assert may(exports, action, "exports/2027-Q1/pledges.csv")
        assert not may(exports, action, "roster/staff.csv")
        assert not may(exports, action, "matching/preview-2027-Q1.csv")
    assert not may(exports, "s3:GetObject", "roster/staff.csv")
    assert allows(exports, "s3:ListBucket", data, {"s3:prefix": "exports/2027-Q1/"}, arns=arns)
    assert not allows(exports, "s3:ListBucket", data, {"s3:prefix": "roster/"}, arns=arns)
    assert "ses:SendRawEmail" not in _actions(_statements(tenant_resources, "exports"))
    # The mailer only lists exports, to name their files in the leads' mail: it reads none
    assert allows(mailer, "s3:ListBucket", data, {"s3:prefix": "exports/2027/"}, arns=arns)
    assert not allows(mailer, "s3:ListBucket", data, {"s3:prefix": "roster/"}, arns=arns)
    assert not may(mailer, "s3:GetObject", "exports/2027-Q1/report.html")
    assert not may(mailer, "s3:PutObject", "exports/2027-Q1/report.html")


def test_bounced_addresses_travel_on_no_topic_the_alarm_topic_carries_alarm_texts_only(
    tenant_stack: TenantStack, tenant_resources: dict[str, dict[str, Any]]
) -> None:
    # SES's bounces and complaints (recipient addresses) go by EventBridge to an encrypted
    # queue: the alarm topic is the stack's only topic, and needs no key of its own
    [alarms] = of_type(tenant_resources, "AWS::SNS::Topic")
    assert alarms.startswith("Monitoring")
    assert of_type(tenant_resources, "AWS::KMS::Key") == {}
    # The alarm topic carries alarm texts only: the tenant's alarms are all that publish to it
    published = {
        action["Ref"]
        for alarm in of_type(tenant_resources, "AWS::CloudWatch::Alarm").values()
        for action in alarm["Properties"]["AlarmActions"]
    }
    assert published == {alarms}
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(tenant_resources, "AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [{"Ref": alarms}]
    ]
    [allowed] = [s for s in policy if s["Effect"] == "Allow"]
    assert allowed["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allowed["Action"] == "sns:Publish"
    source = allowed["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Join"][1]
    assert source[-1].endswith(f":alarm:{tenant_stack.stack_name}-*")  # its own alarms only
