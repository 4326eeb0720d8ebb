"""What wakes a platform engineer, and what shows the program's health, for one tenant.

Alarms go to an SNS topic (the tenant file's alarm_emails subscribe): any message in a
dead-letter queue, function errors and throttles, the API's 5xx rate, SES bounce and complaint
rates below the levels at which AWS reviews an account (5% / 0.1%), and matching that did not
run: the daily run's heartbeat missing, or a quarter started without its matching.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.stack.mail import METRIC_DIMENSION
from infra.stack.nag import dead_letter_queue
from tandem.model.tenant import Tenant

FIVE_MINUTES = Duration.minutes(5)
DAY = Duration.days(1)
# 80% of the rates at which AWS puts an account's sending under review, to act before it.
BOUNCE_RATE = 0.04
COMPLAINT_RATE = 0.0008
API_5XX_RATE = 0.05
AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        tenant: Tenant,
        functions: Mapping[str, lambda_.Function],
        dead_letters: Mapping[str, sqs.IQueue],
        api: apigateway.RestApi,
    ) -> None:
        super().__init__(scope, id)
        self.tenant = tenant
        # A key of our own: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
        key = kms.Key(
            self,
            "AlarmsKey",
            description=f"Encrypts Tandem {tenant.name}'s alarm notifications",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
        )
        self.topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"Tandem {tenant.name} alarms",
            master_key=key,
            enforce_ssl=True,
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

        for name, queue in dead_letters.items():
            self._alarm(
                f"{name}-dead-letters",
                queue.metric_approximate_number_of_messages_visible(
                    period=FIVE_MINUTES, statistic="Maximum"
                ),
                1,
                f"Messages wait in the {name} dead-letter queue: see 'Replay a dead-letter queue'.",
            )
        for name, function in functions.items():
            self._alarm(
                f"{name}-errors", function.metric_errors(period=FIVE_MINUTES), 1, f"{name} failed."
            )
            self._alarm(
                f"{name}-throttles",
                function.metric_throttles(period=FIVE_MINUTES),
                1,
                f"{name} was throttled.",
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
                self._ses_rate(event),
                rate,
                f"The {event.lower()} rate of the last day is near the level at which AWS reviews "
                "the account (check the roster's addresses, or what was sent).",
            )
        self._alarm(
            "matching-overdue",
            self._custom("MatchingOverdue", "matching", "Maximum", DAY),
            1,
            "A quarter started more than a day ago and a band of it is still not matched: see "
            "'Re-run a quarter's matching'.",
        )
        self._alarm(
            "daily-run-missing",
            self._custom("DailyRun", "matching", "Sum", DAY),
            1,
            "The daily matching run has not run for four days (schedule or function broken).",
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=4,  # a weekday-only schedule leaves weekends without a run
            missing=cloudwatch.TreatMissingData.BREACHING,
        )
        self.dashboard = self._dashboard(functions, dead_letters, api)

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

    def _custom(
        self, name: str, function: str, statistic: str = "Sum", period: Duration = DAY
    ) -> cloudwatch.Metric:
        """A metric our functions publish (Powertools: namespace per tenant, dimension service)."""
        return cloudwatch.Metric(
            namespace=f"Tandem/{self.tenant.name}",
            metric_name=name,
            dimensions_map={"service": function},
            statistic=statistic,
            period=period,
        )

    def _ses(self, event: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/SES",
            metric_name=event,
            dimensions_map={METRIC_DIMENSION: self.tenant.name},
            statistic="Sum",
            period=DAY,
        )

    def _ses_rate(self, event: str) -> cloudwatch.MathExpression:
        return cloudwatch.MathExpression(
            expression="IF(sent > 0, events / sent, 0)",
            using_metrics={"events": self._ses(event), "sent": self._ses("Send")},
            period=DAY,
            label=f"{event} rate",
        )

    def _dashboard(
        self,
        functions: Mapping[str, lambda_.Function],
        dead_letters: Mapping[str, sqs.IQueue],
        api: apigateway.RestApi,
    ) -> cloudwatch.Dashboard:
        def graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=metrics, width=8)

        dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"Tandem-{self.tenant.name}"
        )
        dashboard.add_widgets(
            graph(
                "Participants joining and leaving (per day)",
                [
                    self._custom("SignedUp", "participant_pages"),
                    self._custom("Left", "participant_pages"),
                ],
            ),
            graph(
                "Matching (per run)",
                [self._custom("Groups", "match_band"), self._custom("Unmatched", "match_band")],
            ),
            graph(
                "Email (per day)",
                [
                    self._custom("MailSent", "mailer"),
                    self._ses("Delivery"),
                    self._ses("Bounce"),
                    self._ses("Complaint"),
                ],
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
            cloudwatch.AlarmStatusWidget(alarms=self.alarms, title="Alarms", width=24)
        )
        return dashboard
