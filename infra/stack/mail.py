"""SES for the tenant: the sending identity and a configuration set that suppresses bounced and
complaining addresses, keeps the bounce and complaint rates of its own mail (its reputation
metrics, which the alarms read), and publishes its bounces and complaints to EventBridge, whose
rule feeds the mail-events queue."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import wiring
from infra.stack.nag import dead_letter_queue
from tandem.model.tenant import Tenant


class Mail(Construct):
    def __init__(self, scope: Construct, id: str, tenant: Tenant) -> None:
        super().__init__(scope, id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"tandem-{tenant.name}",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        self.identity = ses.EmailIdentity(
            self,
            "Sender",
            identity=ses.Identity.email(tenant.sender),
            configuration_set=self.configuration_set,
        )

    def publish_events(self, event_types: tuple[str, ...], queue: sqs.IQueue) -> sqs.Queue:
        """Publishes these sending events of the configuration set to the queue, through the
        account's default event bus (the only bus SES publishes to); returns the dead-letter
        queue of what EventBridge could not deliver to it."""
        # EventBridge rather than an SNS topic: a topic that carries addresses must be
        # encrypted, and SES cannot publish under the AWS-managed SNS key, so the topic cost a
        # customer key ($12 a year); the default bus and a rule cost nothing while idle.
        self.configuration_set.add_event_destination(
            "Notifications",
            destination=ses.EventDestination.event_bus(
                events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
            ),
            events=[ses.EmailSendingEvent[event.upper()] for event in event_types],
        )
        undelivered = dead_letter_queue(
            self, "undelivered-events", "SES events EventBridge could not deliver"
        )
        events.Rule(
            self,
            "Events",
            description="This tenant's SES bounces and complaints, to the mail-events queue",
            event_pattern=events.EventPattern(
                source=["aws.ses"],
                detail_type=[wiring.SES_DETAIL_TYPES[event] for event in event_types],
                # The default bus carries every tenant's mail events in a shared account.
                detail={
                    "mail": {
                        "tags": {
                            "ses:configuration-set": [self.configuration_set.configuration_set_name]
                        }
                    }
                },
            ),
            targets=[targets.SqsQueue(queue, dead_letter_queue=undelivered)],
        )
        return undelivered

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """SendRawEmail from the tenant's identity, through its configuration set only."""
        stack = Stack.of(self)
        configuration_set = stack.format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name,
        )
        identity = stack.format_arn(
            service="ses", resource="identity", resource_name=self.identity.email_identity_name
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendRawEmail"], resources=[identity, configuration_set]
            )
        )
