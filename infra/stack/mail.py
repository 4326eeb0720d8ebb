"""SES for the tenant: the sending identity and a configuration set that suppresses bounced and
complaining addresses and publishes its sending events as metrics."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from tandem.tenant import Tenant

METRIC_DIMENSION = "tenant"


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
        # Sends, deliveries, bounces and complaints as CloudWatch metrics (AWS/SES, dimension
        # "tenant"), for the bounce and complaint rate alarms.
        self.configuration_set.add_event_destination(
            "Metrics",
            destination=ses.EventDestination.cloud_watch_dimensions(
                [
                    ses.CloudWatchDimension(
                        name=METRIC_DIMENSION,
                        source=ses.CloudWatchDimensionSource.MESSAGE_TAG,
                        default_value=tenant.name,
                    )
                ]
            ),
            events=[
                ses.EmailSendingEvent.SEND,
                ses.EmailSendingEvent.DELIVERY,
                ses.EmailSendingEvent.BOUNCE,
                ses.EmailSendingEvent.COMPLAINT,
                ses.EmailSendingEvent.REJECT,
            ],
        )
        self.identity = ses.EmailIdentity(
            self,
            "Sender",
            identity=ses.Identity.email(tenant.sender),
            configuration_set=self.configuration_set,
        )

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
