"""SES for the tenant: the sending identity and a configuration set that suppresses bounced and
complaining addresses and publishes reputation metrics."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from tandem.tenant import Tenant


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
