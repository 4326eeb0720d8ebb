"""What a tenant costs before anyone uses it, priced from its template (tests/bench/fixed_cost.py):
one more alarm, key, secret, dashboard or polled queue shows at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bench import fixed_cost
from tests.bench.fixed_cost import Emitted, Line

# Dollars a year for a tenant in an account shared with others: the target of issue 20 ($27.34
# when it was reached: the alarms, the signing secret and the queues' idle pollers).
CEILING = 30.0


def shared(lines: list[Line], item: str) -> float:
    [line] = [line for line in lines if line.item == item]
    return line.shared_account


def test_a_tenants_fixed_cost_stays_under_the_ceiling(
    resources: dict[str, dict[str, Any]],
) -> None:
    lines = fixed_cost.lines(resources, fixed_cost.emf_metrics())
    in_a_shared_account = sum(line.shared_account for line in lines)
    assert in_a_shared_account <= CEILING, fixed_cost.table(lines)
    # An account of its own: its free tiers take the first ten alarm metrics, and more
    assert sum(line.own_account for line in lines) < in_a_shared_account - 10 * 12 * 0.10


def test_an_alarm_costs_every_metric_it_reads_metric_math_included(
    resources: dict[str, dict[str, Any]],
) -> None:
    def alarms_cost(added: dict[str, dict[str, Any]]) -> float:
        return shared(fixed_cost.lines({**resources, **added}, []), "CloudWatch alarms")

    def stat(name: str) -> dict[str, Any]:
        return {"Id": name, "MetricStat": {"Metric": {"MetricName": name}}, "ReturnData": False}

    plain = {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors"}}
    rate = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {"Metrics": [{"Id": "rate", "Expression": "a / (b + c)"}, *map(stat, "abc")]},
    }
    before = alarms_cost({})
    assert alarms_cost({"Plain": plain}) == pytest.approx(before + 1.20)
    assert alarms_cost({"Rate": rate}) == pytest.approx(before + 3 * 1.20)


def test_a_metric_published_by_every_run_of_a_schedule_is_a_fixed_cost() -> None:
    def metrics_cost(emitted: list[Emitted]) -> float:
        return shared(fixed_cost.lines({}, emitted), "CloudWatch custom metrics")

    assert metrics_cost([Emitted("reminders", "Queued")]) == pytest.approx(12 * 0.30)  # hourly
    assert metrics_cost([Emitted("exports", "Files")]) == pytest.approx(12 * 0.30 / 24)  # daily
    assert metrics_cost([Emitted("participant_pages", "SignedUp")]) == 0  # when someone signs up


def test_each_event_source_polls_its_queue_while_it_is_empty(
    resources: dict[str, dict[str, Any]],
) -> None:
    polling = shared(fixed_cost.lines(resources, []), "SQS idle polling")
    # Two pollers each once idle, five for the mail queue (its MaximumConcurrency keeps them)
    receives = (2 + 2 + 2 + 5) * 3 * 60 * 730
    assert polling == pytest.approx(12 * receives * 0.40 / 1e6)


def test_a_resource_type_the_bench_cannot_price_fails_it(
    resources: dict[str, dict[str, Any]],
) -> None:
    gateway = {"Type": "AWS::EC2::NatGateway", "Properties": {}}
    with pytest.raises(ValueError, match="price AWS::EC2::NatGateway"):
        fixed_cost.lines({**resources, "Gateway": gateway}, [])


def test_the_bench_finds_the_metrics_a_function_publishes(tmp_path: Path) -> None:
    (tmp_path / "reminders").mkdir()
    (tmp_path / "reminders" / "handler.py").write_text(
        'metrics.add_metric(name="Queued", unit="Count", value=1)\n'
        'metrics.add_dimension(name="queue", value="mail")\n'
    )
    assert fixed_cost.emf_metrics(tmp_path) == [Emitted("reminders", "Queued")]


def test_the_consoles_user_pool_costs_its_users_more_when_federated(
    resources: dict[str, dict[str, Any]],
) -> None:
    item = "Cognito user pool (the console)"
    own_users = fixed_cost.lines(resources, [])
    [line] = [line for line in own_users if line.item == item]
    assert line.own_account == 0  # a handful of users, inside the account's 10,000 free
    assert line.shared_account == pytest.approx(12 * 5 * 0.0055)
    company = {"Type": "AWS::Cognito::UserPoolIdentityProvider", "Properties": {}}
    federated = fixed_cost.lines({**resources, "Company": company}, [])
    assert shared(federated, item) == pytest.approx(12 * 5 * 0.015)
