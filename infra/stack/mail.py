"""SES for the tenant: the sending identity and a configuration set that suppresses bounced and
complaining addresses, keeps the bounce and complaint rates of its own mail (its reputation
metrics, which the alarms read), and publishes its bounces and complaints to a topic that feeds
the mail-events queue."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

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

    def publish_events(self, events: tuple[str, ...], queue: sqs.IQueue) -> sqs.Queue:
        """Publishes these sending events to the queue, through an encrypted topic; returns the
        dead-letter queue of what SNS could not deliver to it."""
        stack = Stack.of(self)
        # A key of our own: SES cannot publish to a topic under the AWS-managed SNS key.
        key = kms.Key(
            self,
            "EventsKey",
            description="Encrypts the SES bounce and complaint notifications",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        topic = sns.Topic(
            self,
            "Events",
            display_name="SES bounces and complaints",
            master_key=key,
            enforce_ssl=True,
        )
        self.configuration_set.add_event_destination(
            "Notifications",
            destination=ses.EventDestination.sns_topic(topic),
            events=[ses.EmailSendingEvent[event.upper()] for event in events],
        )
        undelivered = dead_letter_queue(
            self, "undelivered-events", "SES events SNS could not deliver"
        )
        topic.add_subscription(subscriptions.SqsSubscription(queue, dead_letter_queue=undelivered))
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
