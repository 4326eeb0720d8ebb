"""The wiring's schedules: EventBridge Scheduler in the tenant's own time zone (so daylight
saving never moves them), daily (or hourly) at the program's time of day unless the tenant file
says otherwise, delivering a Scheduled Event."""

from __future__ import annotations

from aws_cdk import Aws, Duration, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from cdk_nag import RegexAppliesTo
from constructs import Construct

from infra import wiring
from infra.stack.nag import dead_letter_queue, excuse
from tandem.model.tenant import Tenant

# The same shape as devtools/local_runtime/events.scheduled_event: what the handlers parse.
SCHEDULED_EVENT = {
    "version": "0",
    "id": scheduler.ContextAttribute.execution_id,
    "detail-type": "Scheduled Event",
    "source": "aws.scheduler",
    "account": Aws.ACCOUNT_ID,
    "time": scheduler.ContextAttribute.scheduled_time,
    "region": Aws.REGION,
    "resources": [scheduler.ContextAttribute.schedule_arn],
    "detail": {},
}


def cron(tenant: Tenant, schedule: wiring.Schedule) -> str:
    at = tenant.calendar.time
    default = f"cron({at.minute} {'*' if schedule.hourly else at.hour} * * ? *)"
    return tenant.deployment.schedules.get(schedule.name, default)


class Schedules(Construct):
    def __init__(
        self, scope: Construct, id: str, tenant: Tenant, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, id)
        self.dead_letters = dead_letter_queue(
            self, "undelivered", "runs the scheduler could not deliver"
        )
        # One role for the scheduler, allowed to invoke only the scheduled functions.
        role = iam.Role(
            self,
            "role",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
        )
        self.schedules = {
            schedule.name: scheduler.Schedule(
                self,
                schedule.name,
                description=f"Tandem {schedule.name} for {tenant.organization}",
                schedule=scheduler.ScheduleExpression.expression(
                    cron(tenant, schedule), time_zone=TimeZone.of(tenant.timezone)
                ),
                target=targets.LambdaInvoke(
                    functions[schedule.function],
                    input=scheduler.ScheduleTargetInput.from_object(SCHEDULED_EVENT),
                    retry_attempts=10,
                    max_event_age=Duration.hours(12),
                    dead_letter_queue=self.dead_letters,
                    role=role,
                ),
            )
            for schedule in wiring.SCHEDULES
        }
        # After the targets exist: their invoke grants create the role's policy.
        excuse(
            role,
            "AwsSolutions-IAM5",
            "CDK's invoke grant adds the function's qualified ARNs (<arn>:*, its versions); "
            "the scheduled functions only.",
            applies_to=[RegexAppliesTo(regex=r"/^Resource::<Functions\w+\.Arn>:\*$/")],
        )
