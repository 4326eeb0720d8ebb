"""What a platform engineer relies on when deploying and operating a tenant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra import app, tenant_files
from infra.stack import TenantStack
from infra.stack.monitoring import FAILED
from tandem.model import bucket_layout
from tests.infra.support import allows, function_ids, of_type

ROOT = Path(__file__).parents[2]


def resources_of(stack: TenantStack) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = Template.from_stack(stack).to_json()["Resources"]
    return found


def test_a_redeploy_can_never_replace_or_lose_the_table(stacks: dict[str, TenantStack]) -> None:
    for stack in stacks.values():
        [(logical_id, table)] = [
            (i, r)
            for i, r in of_type(resources_of(stack), "AWS::DynamoDB::Table").items()
            if "GlobalSecondaryIndexes" in r["Properties"]
        ]
        # Renaming a construct would change the logical id: CloudFormation would then create a
        # new, empty table. Pinned here on purpose; change it only with a migration plan.
        assert logical_id == "StorageTableB43FDCE7"
        assert "TableName" not in table["Properties"]  # a name change would force a replacement
        assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
        assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_old_exports_and_previews_expire_after_the_tenants_retention(
    stacks: dict[str, TenantStack],
) -> None:
    for name, stack in stacks.items():
        days = tenant_files.tenant(name).deployment.exports_retention_days
        [data] = [
            b
            for b in of_type(resources_of(stack), "AWS::S3::Bucket").values()
            if "LoggingConfiguration" in b["Properties"]
        ]
        rules = data["Properties"]["LifecycleConfiguration"]["Rules"]
        expiring = {r.get("Prefix"): r.get("ExpirationInDays") for r in rules if "Prefix" in r}
        assert expiring == {"exports/": days, "matching/": days}
        assert any(
            r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") == 90 for r in rules
        )


def test_a_tenant_with_its_own_domain_serves_and_links_only_there(
    stacks: dict[str, TenantStack],
) -> None:
    globex = Template.from_stack(stacks["globex"])
    domain = tenant_files.tenant("globex").deployment.domain
    assert domain is not None
    globex.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        {
            "DomainName": domain.name,
            "RegionalCertificateArn": domain.certificate_arn,
            "EndpointConfiguration": {"Types": ["REGIONAL"]},
            "SecurityPolicy": "TLS_1_2",
        },
    )
    globex.resource_count_is("AWS::ApiGateway::BasePathMapping", 1)
    globex.has_resource_properties("AWS::ApiGateway::RestApi", {"DisableExecuteApiEndpoint": True})
    resources = globex.to_json()["Resources"]
    mailer = resources[function_ids(resources)["mailer"]]["Properties"]["Environment"]["Variables"]
    assert mailer["LINK_BASE_URL"] == f"https://{domain.name}"
    assert "DomainTarget" in globex.to_json()["Outputs"]  # the CNAME target for their DNS


def test_the_tenant_file_pins_account_and_region(stacks: dict[str, TenantStack]) -> None:
    assert (stacks["globex"].account, stacks["globex"].region) == ("111122223333", "us-east-1")


def test_schedules_run_in_the_tenants_zone_at_its_time_or_its_own_cron(
    stacks: dict[str, TenantStack],
) -> None:
    Template.from_stack(stacks["globex"]).has_resource_properties(
        "AWS::Scheduler::Schedule",
        {
            "ScheduleExpression": "cron(0 10 ? * MON-FRI *)",
            "ScheduleExpressionTimezone": "America/New_York",
        },
    )
    Template.from_stack(stacks["demo"]).has_resource_properties(
        "AWS::Scheduler::Schedule",
        {"ScheduleExpression": "cron(0 9 * * ? *)", "ScheduleExpressionTimezone": "Europe/Paris"},
    )


def test_every_failure_has_an_alarm_that_notifies(tenant_stack: TenantStack) -> None:
    resources = resources_of(tenant_stack)
    alarms = {
        a["Properties"]["AlarmName"].split("-", 2)[2]: a["Properties"]
        for a in of_type(resources, "AWS::CloudWatch::Alarm").values()
    }
    # Every dead-letter queue but the alarm emails' own (its alarm would go the way that failed)
    queues = of_type(resources, "AWS::SQS::Queue")
    dead_letter_queues = {
        i
        for i, q in queues.items()
        if "RedrivePolicy" not in q["Properties"] and not i.startswith("Monitoring")
    }
    watched = {
        a["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for name, a in alarms.items()
        if name.endswith("-dead-letters")
        and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    assert watched == dead_letter_queues
    # Every function's failed invocations and ERROR lines, into the one failures metric
    failures = alarms["failures"]
    filters = of_type(resources, "AWS::Logs::MetricFilter").values()
    counted = {
        f["Properties"]["LogGroupName"]["Ref"]
        for f in filters
        if f["Properties"]["FilterPattern"] == FAILED.log_pattern_string
        and f["Properties"]["MetricTransformations"]
        == [
            {
                "MetricName": failures["MetricName"],
                "MetricNamespace": failures["Namespace"],
                "MetricValue": "1",
            }
        ]
    }
    functions = of_type(resources, "AWS::Lambda::Function")
    assert counted == {
        functions[i]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for i in function_ids(resources).values()
    }
    assert (failures["Statistic"], failures["Threshold"]) == ("Sum", 1)
    # Throttles anywhere in the account: no Tandem function reserves concurrency
    assert (alarms["throttles"]["Namespace"], alarms["throttles"]["MetricName"]) == (
        "AWS/Lambda",
        "Throttles",
    )
    assert "Dimensions" not in alarms["throttles"]
    assert not any("ReservedConcurrentExecutions" in f["Properties"] for f in functions.values())
    # The daily run's heartbeat: the matching function invoked at least once in four days
    missing = alarms["daily-run-missing"]
    assert missing["MetricName"] == "Invocations" and missing["TreatMissingData"] == "breaching"
    assert missing["Dimensions"][0]["Value"] == {"Ref": function_ids(resources)["matching"]}
    assert {"api-5xx-rate", "ses-bounce-rate", "ses-complaint-rate"} <= set(alarms)
    [topic] = [i for i in of_type(resources, "AWS::SNS::Topic") if i.startswith("Monitoring")]
    assert all(a["AlarmActions"] == [{"Ref": topic}] for a in alarms.values())


def test_ses_rates_alarm_before_aws_reviews_the_account(stack: TenantStack) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in of_type(resources_of(stack), "AWS::CloudWatch::Alarm").values()
    }
    bounces, complaints = (
        alarms["Tandem-demo-ses-bounce-rate"],
        alarms["Tandem-demo-ses-complaint-rate"],
    )
    assert bounces["Threshold"] < 0.05 and complaints["Threshold"] < 0.001
    # The rates SES keeps for the tenant's own configuration set, as it judges the account's
    [configuration_set] = of_type(resources_of(stack), "AWS::SES::ConfigurationSet")
    for alarm, event in ((bounces, "Bounce"), (complaints, "Complaint")):
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SES", f"Reputation.{event}Rate")
        assert alarm["Dimensions"] == [
            {"Name": "ses:configuration-set", "Value": {"Ref": configuration_set}}
        ]


def test_alarm_emails_subscribe_to_the_topic(stacks: dict[str, TenantStack]) -> None:
    Template.from_stack(stacks["globex"]).has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Protocol": "email",
            "Endpoint": "platform-oncall@globex.example",
            "RedrivePolicy": Match.any_value(),
        },
    )
    subscriptions = of_type(resources_of(stacks["demo"]), "AWS::SNS::Subscription").values()
    assert all(s["Properties"]["Protocol"] != "email" for s in subscriptions)


def test_each_tenant_has_the_outputs_the_runbook_uses(tenant_stack: TenantStack) -> None:
    outputs = set(Template.from_stack(tenant_stack).to_json()["Outputs"])
    assert {
        "LinkBaseUrl",
        "BucketName",
        "TableName",
        "SigningSecretArn",
        "AlarmTopicArn",
        "BandsQueueUrl",
        "ExportsFunctionName",
    } <= outputs
    assert {"MailDeadLetterQueueArn", "MailQueueArn", "MailEventsQueueUrl"} <= outputs


def test_only_a_tenant_that_asks_gets_a_dashboard(stacks: dict[str, TenantStack]) -> None:
    for name, stack in stacks.items():
        template = Template.from_stack(stack)
        if tenant_files.tenant(name).deployment.dashboard:
            template.has_resource_properties(
                "AWS::CloudWatch::Dashboard", {"DashboardName": stack.stack_name}
            )
            assert "DashboardName" in template.to_json()["Outputs"]
        else:
            template.resource_count_is("AWS::CloudWatch::Dashboard", 0)
            assert "DashboardName" not in template.to_json()["Outputs"]
    assert {tenant_files.tenant(name).deployment.dashboard for name in stacks} == {True, False}


def test_without_a_tenant_named_the_app_synthesises_every_tenant(tmp_path: Path) -> None:
    # As `cdk synth` runs it: a process of its own, told where to write by CDK_OUTDIR.
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path)}
    env.pop("CDK_CONTEXT_JSON", None)
    subprocess.run(
        [sys.executable, "-m", "infra.app"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    written = {p.name for p in tmp_path.glob("*.template.json")}
    assert written == {f"Tandem-{name}.template.json" for name in tenant_files.tenant_names()}


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone: unknown time zone 'Europe/Atlantis'"),
        (
            {"deployment": {"schedules": {"matching": "every day at 9"}}},
            "deployment.schedules.matching: not an EventBridge cron",
        ),
        (
            {"deployment": {"schedules": {"reminder": "cron(0 9 * * ? *)"}}},
            "deployment.schedules: no schedule reminder",
        ),
        ({"sender": None}, "sender: Input should be a valid string"),
        (
            {"deployment": {"dashboard": "yes"}},
            "deployment.dashboard: Input should be a valid boolean",
        ),
    ],
)
def test_a_tenant_file_with_a_mistake_fails_synth_naming_the_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mistake: dict[str, Any],
    message: str,
) -> None:
    good = json.loads((tenant_files.TENANTS_DIR / "demo.json").read_text())
    (tmp_path / "acme.json").write_text(json.dumps({**good, "name": "acme", **mistake}))
    monkeypatch.setattr(tenant_files, "TENANTS_DIR", tmp_path)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "out"))
    monkeypatch.setenv("CDK_CONTEXT_JSON", json.dumps({"tenant": "acme"}))
    assert app.main() == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "Tandem-acme.template.json").exists()


def test_hr_may_upload_rosters_and_read_what_tandem_writes_but_never_overwrite_it(
    tenant_stack: TenantStack,
) -> None:
    resources = resources_of(tenant_stack)
    [policy] = of_type(resources, "AWS::IAM::ManagedPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    buckets = of_type(resources, "AWS::S3::Bucket")
    arns = {logical_id: f"arn:aws:s3:::{logical_id.lower()}" for logical_id in buckets}
    [data] = [arns[i] for i, r in buckets.items() if "VersioningConfiguration" in r["Properties"]]

    def may(action: str, key: str) -> bool:
        return allows(statements, action, f"{data}/{key}", arns=arns)

    def may_list(prefix: str) -> bool:
        return allows(statements, "s3:ListBucket", data, {"s3:prefix": prefix}, arns=arns)

    # HR uploads rosters under roster/, however it names them
    assert may("s3:PutObject", f"{bucket_layout.ROSTERS}staff.csv")
    assert may("s3:PutObject", f"{bucket_layout.ROSTERS}2027/january staff.csv")
    # and reads, never writes, what Tandem writes for it: import results, previews, exports
    for prefix in bucket_layout.WRITTEN_FOR_HR:
        for key in (f"{prefix}staff.csv", f"{prefix}2027/staff.csv"):
            assert may("s3:GetObject", key), key
            assert not may("s3:PutObject", key), key
        assert may_list(prefix) and may_list(f"{prefix}2027/")
    # Nothing else: not the rosters it uploaded, not deleting, not the rest of the bucket
    assert not may("s3:GetObject", f"{bucket_layout.ROSTERS}staff.csv")
    assert not may("s3:DeleteObject", f"{bucket_layout.ROSTERS}staff.csv")
    assert not may("s3:PutObject", "staff.csv") and not may("s3:PutObject", "other/staff.csv")
    assert not may_list("") and not may_list("other/")
    allowed = {s["Action"] for s in statements if s["Effect"] == "Allow"}
    assert allowed == {"s3:PutObject", "s3:GetObject", "s3:ListBucket"}
