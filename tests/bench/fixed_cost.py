"""Fixed cost bench: what one tenant's stack costs while nobody uses it, priced from its
synthesized template (and the functions' own metrics), so it cannot drift from what is deployed.

    python -m tests.bench.fixed_cost [--tenant demo]

Two columns: a tenant in an account of its own, whose free tiers absorb part of it (10 alarm
metrics, 10 custom metrics, 3 dashboards, a million SQS requests a month), and a tenant in an
account shared with others, whose free tiers are spent. US East prices, in dollars a year.

How each resource is priced:
- Alarms: $0.10 a month for each metric an alarm reads; one with metric math pays for every
  metric in it, not for the expression.
- Custom metrics (a log metric filter's, or a function's EMF metric written with Powertools'
  `add_metric`): $0.30 a month, billed by the hour for the hours a metric has data. A scheduled
  function's metric is taken as published on each run (hourly: every hour of the month); the
  others publish only when something happens (a sign-up, a failure), which a quiet month does
  not have. A metric filter with a default value publishes for every log line: every hour.
- Dashboards $3, customer-managed KMS keys $1, Secrets Manager secrets $0.40 a month each.
- The console's user pool (Cognito, Lite plan) is billed per monthly active user: a handful of
  program leads sign in each month. The pool's own users: $0.0055 each beyond the 10,000 free;
  through the company's identity provider (SAML or OIDC): $0.015 each beyond the 50 free. The
  free tiers are the account's, so a shared account pays from the first user.
- An SQS event source mapping long-polls its queue even when it is empty: 20-second receives,
  each an SQS request ($0.40 per million), from 2 pollers once idle, or 5 when the mapping sets
  MaximumConcurrency (Lambda then keeps them). Five pollers everywhere is the upper bound.
- Every other resource type costs nothing while idle: its requests and storage are in the
  usage bench (cost.py). A type this bench does not know fails it, to be priced here.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra import wiring

FUNCTIONS_DIR = Path(__file__).parents[2] / "functions"
TARGET = 30.0  # dollars a year per tenant, in a shared account (issue 20)

# Per month, US East (N. Virginia), from each service's public pricing page.
ALARM_METRIC = 0.10
CUSTOM_METRIC = 0.30
DASHBOARD = 3.00
KMS_KEY = 1.00
SECRET = 0.40
SQS_REQUEST = 0.40 / 1e6
COGNITO_USER = 0.0055  # a monthly active user of the pool's own
COGNITO_FEDERATED_USER = 0.015  # one signed in through the company's identity provider
CONSOLE_USERS = 5  # program leads and viewers signing in each month: a handful
# What an account of its own gets free each month (always-free tiers).
FREE = {
    "alarm metrics": 10,
    "custom metrics": 10,
    "dashboards": 3,
    "SQS requests": 1e6,
    "console users": 10_000,
    "federated console users": 50,
}

HOURS = 730  # in a month, as AWS bills them
IDLE_POLLERS, KEPT_POLLERS = 2, 5
RECEIVES_PER_POLLER = HOURS * 60 * 3  # a month of 20-second long polls

Resources = Mapping[str, Mapping[str, Any]]

# Billed by request, duration or stored bytes only (cost.py counts those for a program year).
FREE_WHEN_IDLE = frozenset(
    {
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::DomainName",
        "AWS::ApiGateway::BasePathMapping",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        # Priced with the user pool, by its users.
        "AWS::Cognito::UserPoolClient",
        "AWS::Cognito::UserPoolDomain",
        "AWS::Cognito::UserPoolGroup",
        "AWS::Cognito::UserPoolIdentityProvider",
        "AWS::DynamoDB::Table",
        "AWS::Events::Rule",  # AWS services' events on the default bus are delivered free
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::Permission",
        "AWS::Logs::LogGroup",
        "AWS::Logs::QueryDefinition",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "AWS::Scheduler::Schedule",
        "AWS::SES::ConfigurationSet",
        "AWS::SES::EmailIdentity",
        "AWS::SNS::Subscription",
        "AWS::SNS::Topic",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::Queue",
        "AWS::SQS::QueuePolicy",
        "Custom::S3BucketNotifications",
    }
)


@dataclass(frozen=True)
class Line:
    item: str
    basis: str
    own_account: float  # dollars a year
    shared_account: float


@dataclass(frozen=True)
class Emitted:
    """An EMF metric a function publishes (Powertools: one metric per name and service)."""

    function: str
    name: str


def emf_metrics(functions_dir: Path = FUNCTIONS_DIR) -> list[Emitted]:
    """Every `add_metric(name=...)` in the functions' code."""
    found = set()
    for path in functions_dir.glob("*/**/*.py"):
        function = path.relative_to(functions_dir).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_metric"
            ):
                name = next(k.value for k in node.keywords if k.arg == "name")
                if not isinstance(name, ast.Constant):
                    raise ValueError(f"{path}:{node.lineno}: a metric name must be a literal")
                found.add(Emitted(function, name.value))
    return sorted(found, key=lambda e: (e.function, e.name))


def lines(resources: Resources, emitted: Iterable[Emitted]) -> list[Line]:
    """The fixed cost of a tenant's stack, item by item."""
    unknown = {r["Type"] for r in resources.values()} - FREE_WHEN_IDLE - _PRICED
    if unknown:
        raise ValueError(f"price {', '.join(sorted(unknown))} in {__name__}, or name it free")

    def count(kind: str) -> int:
        return sum(r["Type"] == kind for r in resources.values())

    alarms = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    read = sum(_metrics_read(alarm) for alarm in alarms)
    metric_hours = _custom_metric_hours(resources, emitted)
    always = sum(metric_hours.values()) / HOURS
    quiet = sum(hours == 0 for hours in metric_hours.values())
    dashboards, keys, secrets = (
        count(f"AWS::{kind}")
        for kind in ("CloudWatch::Dashboard", "KMS::Key", "SecretsManager::Secret")
    )
    pollers = [_pollers(m) for m in resources.values() if _polls_a_queue(m, resources)]
    receives = sum(pollers) * RECEIVES_PER_POLLER
    federated = count("AWS::Cognito::UserPoolIdentityProvider") > 0
    return [
        _line(
            "CloudWatch alarms",
            f"{len(alarms)}, reading {read} metrics",
            read,
            ALARM_METRIC,
            "alarm metrics",
        ),
        _line(
            "CloudWatch custom metrics",
            f"{len(metric_hours)}: {quiet} with data only when something happens (a failure,"
            f" a sign-up), the others {always:.2f} metric-months",
            always,
            CUSTOM_METRIC,
            "custom metrics",
        ),
        _line("CloudWatch dashboards", f"{dashboards}", dashboards, DASHBOARD, "dashboards"),
        _line("KMS customer-managed keys", f"{keys}", keys, KMS_KEY),
        _line("Secrets Manager secrets", f"{secrets}", secrets, SECRET),
        _line(
            "SQS idle polling",
            f"{len(pollers)} event sources, {sum(pollers)} pollers: {receives:,} receives a month"
            f" ({len(pollers) * KEPT_POLLERS} pollers at most)",
            receives,
            SQS_REQUEST,
            "SQS requests",
        ),
        _line(
            "Cognito user pool (the console)",
            f"{count('AWS::Cognito::UserPool')} pool, {CONSOLE_USERS} users a month"
            + (" through the company's identity provider" if federated else ", its own"),
            CONSOLE_USERS * count("AWS::Cognito::UserPool"),
            COGNITO_FEDERATED_USER if federated else COGNITO_USER,
            "federated console users" if federated else "console users",
        ),
    ]


_PRICED = frozenset(
    {
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::Cognito::UserPool",
        "AWS::KMS::Key",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Logs::MetricFilter",
        "AWS::SecretsManager::Secret",
        "AWS::SES::ConfigurationSetEventDestination",
    }
)


def _line(item: str, basis: str, units: float, price: float, free: str | None = None) -> Line:
    """`units` a month at `price` each; an account of its own has FREE[free] of them free."""
    billable = max(0.0, units - FREE[free]) if free else units
    return Line(item, basis, 12 * billable * price, 12 * units * price)


def _metrics_read(alarm: Mapping[str, Any]) -> int:
    properties = alarm["Properties"]
    if "Metrics" in properties:  # metric math: each metric it reads, not the expressions
        return sum("MetricStat" in query for query in properties["Metrics"])
    return 1


def _custom_metric_hours(resources: Resources, emitted: Iterable[Emitted]) -> dict[str, float]:
    """Each custom metric and the hours a month it has data while nobody uses the tenant."""
    schedules = {s.function: s for s in wiring.SCHEDULES}
    hours: dict[str, float] = {}
    for metric in emitted:
        schedule = schedules.get(metric.function)
        runs = 0.0 if schedule is None else HOURS if schedule.hourly else HOURS / 24
        hours[f"{metric.function}/{metric.name}"] = runs
    for resource in resources.values():
        properties = resource["Properties"]
        if resource["Type"] == "AWS::Logs::MetricFilter":
            for metric in properties["MetricTransformations"]:
                key = f"{metric['MetricNamespace']}/{metric['MetricName']}"
                hours[key] = max(hours.get(key, 0.0), HOURS if "DefaultValue" in metric else 0.0)
        if resource["Type"] == "AWS::SES::ConfigurationSetEventDestination":
            destination = properties["EventDestination"]
            if "CloudWatchDestination" in destination:  # a metric per event type, when mail goes
                for event in destination["MatchingEventTypes"]:
                    hours[f"AWS/SES/{event}"] = 0.0
    return hours


def _polls_a_queue(resource: Mapping[str, Any], resources: Resources) -> bool:
    if resource["Type"] != "AWS::Lambda::EventSourceMapping":
        return False
    source = resource["Properties"]["EventSourceArn"]
    [logical_id, _] = source["Fn::GetAtt"]
    return bool(resources[logical_id]["Type"] == "AWS::SQS::Queue")


def _pollers(mapping: Mapping[str, Any]) -> int:
    kept = "MaximumConcurrency" in mapping["Properties"].get("ScalingConfig", {})
    return KEPT_POLLERS if kept else IDLE_POLLERS


def template_resources(tenant: str) -> dict[str, dict[str, Any]]:
    """The tenant's stack as `make synth` builds it (the layers must be built)."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import build

    [stack] = build(cdk.App(), [tenant])
    resources: dict[str, dict[str, Any]] = Template.from_stack(stack).to_json()["Resources"]
    return resources


def table(rows: list[Line]) -> str:
    out = ["| item | basis | account of its own | shared account |", "|---|---|---|---|"]
    out += [
        f"| {r.item} | {r.basis} | ${r.own_account:,.2f} | ${r.shared_account:,.2f} |" for r in rows
    ]
    own, shared = (
        sum(getattr(r, column) for r in rows) for column in ("own_account", "shared_account")
    )
    out.append(f"| **total** | | **${own:,.2f}** | **${shared:,.2f}** |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="demo")
    args = parser.parse_args()
    rows = lines(template_resources(args.tenant), emf_metrics())
    print(f"## Fixed cost of a tenant ({args.tenant}), dollars a year, from its template\n")
    print(table(rows))
    shared = sum(r.shared_account for r in rows)
    verdict = "within" if shared <= TARGET else "OVER"
    print(f"\nIn a shared account: {verdict} the target of ${TARGET:.0f} a year per tenant.")
    print(
        "Not here: the schedules' runs and their functions' idle runs (cents a year, measured"
        " by cost.py); the reputation metrics SES publishes for the configuration set, which"
        " its pricing does not list as custom metrics."
    )


if __name__ == "__main__":
    main()
