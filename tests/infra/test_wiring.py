"""One wiring, two runtimes: every route, queue, trigger and function of infra/wiring.py exists
in the CDK stack and in the local runtime, and nothing else does."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from devtools.local_runtime.aws import provision
from devtools.local_runtime.server import route_for
from infra import tenant_files, wiring
from tandem.model.tenant import Tenant
from tandem.store.table import SCHEMA
from tests.infra.support import function_ids, of_type

FUNCTIONS_DIR = Path(__file__).parents[2] / "functions"
TRIGGERS = {(q.trigger.prefix, q.trigger.suffix) for q in wiring.QUEUES if q.trigger}


def _filters(configurations: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(prefix, suffix) of each bucket-to-queue notification."""
    rules = [
        {rule["Name"].lower(): rule["Value"] for rule in c["Filter"]["Key"]["FilterRules"]}
        for c in configurations
    ]
    return {(r["prefix"], r["suffix"]) for r in rules}


def _api_paths(resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Full path of each API Gateway resource, by logical id."""
    parts = of_type(resources, "AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        properties = parts[logical_id]["Properties"]
        parent = properties["ParentId"]
        prefix = path(parent["Ref"]) if "Ref" in parent else ""
        return f"{prefix}/{properties['PathPart']}"

    return {logical_id: path(logical_id) for logical_id in parts}


def _target_function(integration_uri: Any) -> str:
    return re.search(r"'Fn::GetAtt': \['(\w+)', 'Arn'\]", str(integration_uri)).group(1)  # type: ignore[union-attr]


def test_every_route_is_an_api_method_on_its_function_and_nothing_more(
    resources: dict[str, dict[str, Any]],
) -> None:
    paths = _api_paths(resources)
    ids = function_ids(resources)
    deployed = {
        (
            m["Properties"]["HttpMethod"],
            paths[m["Properties"]["ResourceId"]["Ref"]],
            _target_function(m["Properties"]["Integration"]["Uri"]),
        )
        for m in of_type(resources, "AWS::ApiGateway::Method").values()
    }
    assert deployed == {(r.method, r.path, ids[r.function]) for r in wiring.ROUTES}


def test_every_queue_feeds_its_consumer_and_every_trigger_fills_its_queue(
    resources: dict[str, dict[str, Any]],
) -> None:
    ids = function_ids(resources)
    mappings = {
        (
            m["Properties"]["FunctionName"]["Ref"],
            m["Properties"]["BatchSize"],
            tuple(m["Properties"]["FunctionResponseTypes"]),
        )
        for m in of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    }
    assert mappings == {
        (ids[q.consumer], q.batch_size, ("ReportBatchItemFailures",)) for q in wiring.QUEUES
    }
    [notifications] = of_type(resources, "Custom::S3BucketNotifications").values()
    configured = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert _filters(configured) == TRIGGERS


def test_every_queue_of_ses_events_gets_them_from_the_configuration_sets_rule(
    resources: dict[str, dict[str, Any]],
) -> None:
    ids = function_ids(resources)
    consumer_of = {
        m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]: m["Properties"]["FunctionName"]["Ref"]
        for m in of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    }
    [destination] = [
        d["Properties"]
        for d in of_type(resources, "AWS::SES::ConfigurationSetEventDestination").values()
        if "EventBridgeDestination" in d["Properties"]["EventDestination"]
    ]
    published = destination["EventDestination"]["MatchingEventTypes"]
    assert destination["EventDestination"]["EventBridgeDestination"]["EventBusArn"]["Fn::Join"][1][
        -1
    ].endswith(":event-bus/default")  # the only bus SES publishes to
    fed = set()
    for rule in of_type(resources, "AWS::Events::Rule").values():
        pattern = rule["Properties"]["EventPattern"]
        if pattern["source"] != ["aws.ses"]:
            continue
        # Only this tenant's configuration set: the default bus is the whole account's
        tags = pattern["detail"]["mail"]["tags"]["ses:configuration-set"]
        assert tags == [destination["ConfigurationSetName"]]
        events = tuple(
            sorted(e for e in published if wiring.SES_DETAIL_TYPES[e] in pattern["detail-type"])
        )
        for target in rule["Properties"]["Targets"]:
            assert "DeadLetterConfig" in target  # what EventBridge cannot deliver is kept
            fed.add((consumer_of[target["Arn"]["Fn::GetAtt"][0]], events))
    assert fed == {
        (ids[q.consumer], tuple(sorted(q.ses_events))) for q in wiring.QUEUES if q.ses_events
    }


def test_every_schedule_runs_its_function_daily_or_hourly_in_the_tenants_time_zone(
    resources: dict[str, dict[str, Any]],
) -> None:
    ids = function_ids(resources)
    deployed = {
        (
            _target_function(s["Properties"]["Target"]["Arn"]),
            s["Properties"]["ScheduleExpression"],
            s["Properties"]["ScheduleExpressionTimezone"],
        )
        for s in of_type(resources, "AWS::Scheduler::Schedule").values()
    }
    tenant = tenant_files.tenant("demo")
    at = tenant.calendar.time
    expected = {
        (
            ids[s.function],
            f"cron({at.minute} {'*' if s.hourly else at.hour} * * ? *)",
            tenant.timezone,
        )
        for s in wiring.SCHEDULES
    }
    assert deployed == expected


def test_the_local_runtime_sends_the_event_shape_the_scheduler_sends() -> None:
    from devtools.local_runtime.events import scheduled_event
    from infra.stack.schedules import SCHEDULED_EVENT

    local = scheduled_event("matching", datetime(2027, 1, 11, 8, tzinfo=UTC))
    assert set(local) == set(SCHEDULED_EVENT)
    for constant in ("version", "detail-type", "source", "detail"):
        assert local[constant] == SCHEDULED_EVENT[constant]


def test_the_local_runtime_provisions_the_same_queues_triggers_and_table(tenant: Tenant) -> None:
    with mock_aws():
        resources = provision(tenant)
        assert (
            set(resources.queue_urls)
            == set(resources.dead_letter_urls)
            == {q.name for q in wiring.QUEUES}
        )
        configured = boto3.client("s3").get_bucket_notification_configuration(
            Bucket=resources.bucket
        )
        assert _filters(configured["QueueConfigurations"]) == TRIGGERS
        table = boto3.client("dynamodb").describe_table(TableName=resources.table)["Table"]
        assert [k["AttributeName"] for k in table["KeySchema"]] == [
            SCHEMA.partition_key,
            SCHEMA.sort_key,
        ]
        assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == [
            i.name for i in SCHEMA.indexes
        ]


def test_the_local_server_answers_every_route_with_its_function() -> None:
    for route in wiring.ROUTES:
        example = re.sub(r"\{\w+\}", "x", route.path)
        for path in (example, f"{example}/"):  # as API Gateway, whatever the trailing slash
            found = route_for(route.method, path)
            assert found is not None and found[0].function == route.function


def test_each_function_serves_exactly_its_wired_routes() -> None:
    for spec in wiring.FUNCTIONS:
        app = getattr(importlib.import_module(f"functions.{spec.name}.handler"), "app", None)
        # Powertools keys its routes "GET/signup/<token>".
        keys = app._route_keys if app else []
        served = {
            (match.group(1), match.group(2).replace("<", "{").replace(">", "}"))
            for match in (re.fullmatch(r"([A-Z]+)(/.*)", key) for key in keys)
            if match
        }
        assert served == {(r.method, r.path) for r in wiring.ROUTES if r.function == spec.name}


def test_every_function_folder_is_wired_and_every_wired_function_has_a_handler() -> None:
    folders = {p.parent.name for p in FUNCTIONS_DIR.glob("*/handler.py")}
    assert folders == {f.name for f in wiring.FUNCTIONS}
    for name in folders:
        assert callable(importlib.import_module(f"functions.{name}.handler").handler)


def test_the_wiring_reads_the_bucket_layout_without_loading_any_use_case() -> None:
    # CDK synth imports the wiring: the use cases (and PynamoDB with them) stay out of it.
    script = (
        "import sys, infra.wiring; "
        "print(sorted(m for m in sys.modules if m.startswith(('pynamodb', 'tandem.people.roster', "
        "'tandem.matching.daily'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
