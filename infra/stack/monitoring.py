"""What wakes a platform engineer for one tenant: every failure raises an alarm, at the least cost.

Every metric an alarm reads costs $0.10 a month (tests/bench/fixed_cost.py prices the template),
so each alarm reads as few as it can, AWS's own where they exist:
- a message in any dead-letter queue (one alarm per queue: its name says which to replay);
- failures: a failed invocation of any function (error, timeout, crash) or an ERROR line in
  its log, counted by metric filters on the functions' log groups into one metric, which has
  data (and costs) only in hours that had a failure; the daily run logs an ERROR each day a
  quarter's matching is overdue;
- Lambda throttling in the account and region (no function reserves concurrency, so a
  throttle means the account's is spent: every function of every tenant there is at risk);
- the API's 5xx rate; the bounce and complaint rates SES keeps for the tenant's configuration
  set, below the levels at which AWS reviews an account (5% / 0.1%);
- the daily matching run missing for four days (its function not invoked).
They notify an SNS topic that the tenant file's alarm_emails subscribe to. The dashboard
($3 a month beyond an account's third) is the tenant's option, deployment.dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.stack.nag import dead_letter_queue, excuse
from tandem.model.tenant import Tenant

FIVE_MINUTES = Duration.minutes(5)
HOUR = Duration.hours(1)
DAY = Duration.days(1)
# 80% of the rates at which AWS puts an account's sending under review, to act before it.
BOUNCE_RATE = 0.04
COMPLAINT_RATE = 0.0008
API_5XX_RATE = 0.05
AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
FAILURES = "Failures"
# A failed invocation (Lambda's JSON system log: the report of an invocation that did not
# succeed) or an ERROR line of Powertools' logger.
FAILED = logs.FilterPattern.any(
    logs.FilterPattern.all(
        logs.FilterPattern.string_value("$.type", "=", "platform.report"),
        logs.FilterPattern.string_value("$.record.status", "!=", "success"),
    ),
    logs.FilterPattern.string_value("$.level", "=", "ERROR"),
)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        tenant: Tenant,
        functions: Mapping[str, lambda_.Function],
        dead_letters: Mapping[str, sqs.IQueue],
        api: apigateway.RestApi,
        configuration_set: ses.IConfigurationSet,
    ) -> None:
        super().__init__(scope, id)
        self.tenant = tenant
        self.configuration_set = configuration_set
        self.topic = sns.Topic(
            self, "Alarms", display_name=f"Tandem {tenant.name} alarms", enforce_ssl=True
        )
        excuse(
            self.topic,
            "AwsSolutions-SNS2",
            "Carries alarm names, descriptions and metric values only: nothing personal or "
            "secret, the very text its email subscriptions deliver. CloudWatch cannot publish "
            "under the AWS-managed SNS key, and a key of our own would cost $12 a year.",
        )
        # Only this tenant's alarms publish: the policy that enforces TLS replaces SNS's default.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sns:Publish"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                    "ArnLike": {
                        "aws:SourceArn": Stack.of(self).format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name=f"Tandem-{tenant.name}-*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        )
        if tenant.deployment.alarm_emails:
            undelivered = dead_letter_queue(
                self, "undelivered-alarms", "alarm emails SNS could not deliver"
            )
            for address in tenant.deployment.alarm_emails:
                self.topic.add_subscription(
                    subscriptions.EmailSubscription(address, dead_letter_queue=undelivered)
                )
        self.alarms: list[cloudwatch.Alarm] = []
        self.failures = self._count_failures(functions)

        for name, queue in dead_letters.items():
            self._alarm(
                f"{name}-dead-letters",
                queue.metric_approximate_number_of_messages_visible(
                    period=FIVE_MINUTES, statistic="Maximum"
                ),
                1,
                f"Messages wait in the {name} dead-letter queue: see 'Replay a dead-letter queue'.",
            )
        self._alarm(
            "failures",
            self.failures,
            1,
            f"A function failed or logged an error: CloudWatch Logs Insights, saved query "
            f"Tandem-{tenant.name}/failures, says which and why. 'matching overdue' every day "
            "means a band of the quarter is still not matched: see 'Re-run a quarter's matching'.",
        )
        self._alarm(
            "throttles",
            cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name="Throttles",
                statistic="Sum",
                period=FIVE_MINUTES,
            ),
            1,
            "Lambda throttled a function in this account and region: its concurrency is spent "
            "(no Tandem function reserves any). Raise the quota, or find what holds it.",
        )
        self._alarm(
            "api-5xx-rate",
            api.metric_server_error(period=FIVE_MINUTES, statistic="Average"),
            API_5XX_RATE,
            "More than 5% of link-page requests failed on the server side.",
            evaluation_periods=3,
        )
        for event, rate in (("Bounce", BOUNCE_RATE), ("Complaint", COMPLAINT_RATE)):
            self._alarm(
                f"ses-{event.lower()}-rate",
                self._reputation(event),
                rate,
                f"The tenant's {event.lower()} rate is near the level at which AWS reviews the "
                "account (check the roster's addresses, or what was sent).",
            )
        self._alarm(
            "daily-run-missing",
            functions["matching"].metric_invocations(period=DAY, statistic="Sum"),
            1,
            "The daily matching run has not run for four days (its schedule is off or gone).",
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=4,  # a weekday-only schedule leaves weekends without a run
            missing=cloudwatch.TreatMissingData.BREACHING,
        )
        self.dashboard = (
            self._dashboard(functions, dead_letters, api) if tenant.deployment.dashboard else None
        )

    def _count_failures(self, functions: Mapping[str, lambda_.Function]) -> cloudwatch.Metric:
        """One metric of the tenant's failures, from every function's log, and the saved query
        that lists them."""
        namespace = f"Tandem/{self.tenant.name}"
        log_groups = [function.log_group for function in functions.values()]
        for name, log_group in zip(functions, log_groups, strict=True):
            logs.MetricFilter(
                self,
                f"{name}-failures",
                log_group=log_group,
                filter_pattern=FAILED,
                metric_namespace=namespace,
                metric_name=FAILURES,
                metric_value="1",
            )
        logs.QueryDefinition(
            self,
            "FailuresQuery",
            query_definition_name=f"Tandem-{self.tenant.name}/failures",
            query_string=logs.QueryString(
                fields=["@timestamp", "@log", "message", "record.status", "errorType"],
                filter_statements=[
                    '(type = "platform.report" and record.status != "success") or level = "ERROR"'
                ],
                sort="@timestamp desc",
            ),
            log_groups=log_groups,
        )
        return cloudwatch.Metric(
            namespace=namespace, metric_name=FAILURES, statistic="Sum", period=FIVE_MINUTES
        )

    def _reputation(self, event: str) -> cloudwatch.Metric:
        """The rate SES keeps for the configuration set, as it judges an account's."""
        return cloudwatch.Metric(
            namespace="AWS/SES",
            metric_name=f"Reputation.{event}Rate",
            dimensions_map={"ses:configuration-set": self.configuration_set.configuration_set_name},
            statistic="Maximum",
            period=HOUR,
        )

    def _alarm(
        self,
        id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = AT_LEAST,
        evaluation_periods: int = 1,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            alarm_name=f"Tandem-{self.tenant.name}-{id}",
            alarm_description=description,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def _dashboard(
        self,
        functions: Mapping[str, lambda_.Function],
        dead_letters: Mapping[str, sqs.IQueue],
        api: apigateway.RestApi,
    ) -> cloudwatch.Dashboard:
        """The program's figures from the functions' logs (Logs Insights, paid per query by the
        data it reads), and AWS's own metrics."""

        def graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=metrics, width=8)

        def logged(title: str, function: str, query: str) -> cloudwatch.LogQueryWidget:
            return cloudwatch.LogQueryWidget(
                title=title,
                log_group_names=[functions[function].log_group.log_group_name],
                query_lines=query.split(" | "),
                view=cloudwatch.LogQueryVisualizationType.BAR,
                width=8,
            )

        def pages(name: str) -> cloudwatch.Metric:
            # The link pages' own EMF metrics (Powertools: service dimension).
            return cloudwatch.Metric(
                namespace=f"Tandem/{self.tenant.name}",
                metric_name=name,
                dimensions_map={"service": "participant_pages"},
                statistic="Sum",
                period=DAY,
            )

        dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"Tandem-{self.tenant.name}"
        )
        dashboard.add_widgets(
            graph("Participants joining and leaving (per day)", [pages("SignedUp"), pages("Left")]),
            logged(
                "Groups formed and people unmatched (per day)",
                "match_band",
                'filter message = "band matched" | stats sum(report.groups) as groups, '
                "sum(report.unmatched) as unmatched by bin(1d)",
            ),
            logged(
                "Emails handled (per day)",
                "mailer",
                'filter message = "mail handled" | stats count() as emails by bin(1d)',
            ),
        )
        dashboard.add_widgets(
            graph(
                "Function errors",
                [f.metric_errors(period=FIVE_MINUTES, label=name) for name, f in functions.items()],
            ),
            graph(
                "Dead letters waiting",
                [
                    q.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, statistic="Maximum", label=name
                    )
                    for name, q in dead_letters.items()
                ],
            ),
            graph(
                "Link pages",
                [
                    api.metric_count(period=FIVE_MINUTES),
                    api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                ],
            ),
        )
        dashboard.add_widgets(
            graph(
                "SES bounce and complaint rates",
                [self._reputation("Bounce"), self._reputation("Complaint")],
            ),
            cloudwatch.AlarmStatusWidget(alarms=self.alarms, title="Alarms", width=16),
        )
        return dashboard
