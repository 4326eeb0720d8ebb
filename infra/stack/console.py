"""The console's sign-in: the tenant's Cognito user pool, its OAuth domain, the console's app
client (authorization code with PKCE, no secret), the two role groups, and the company's
identity provider when the tenant file names one (then the only way in)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, SecretValue
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.stack.nag import excuse
from tandem.console.sessions import Role
from tandem.model.tenant import IdentityProvider, Tenant

_ROLES = {
    Role.PROGRAM_LEAD: "Runs the program from the console: everything it offers",
    Role.VIEWER: "Reads the console's overview and exports",
}


class ConsoleSignIn(Construct):
    def __init__(self, scope: Construct, id: str, tenant: Tenant, console_url: str) -> None:
        super().__init__(scope, id)
        self.pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=f"tandem-{tenant.name}-console",
            # Lite: sign-in with the managed pages, MFA and federation is all the console
            # needs; free to 10,000 users a month (50 federated), the cheapest beyond.
            feature_plan=cognito.FeaturePlan.LITE,
            self_sign_up_enabled=False,  # an operator adds each person (tandem console add-user)
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(7),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Holds console accounts only, no program data: it goes with the stack.
            removal_policy=RemovalPolicy.DESTROY,
        )
        for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
            excuse(
                self.pool,
                rule,
                "Threat protection needs the Plus plan (billed per user, federated ones too); "
                "the pool's own users need a TOTP code besides their password, federated ones "
                "sign in under the company's own policies, and every console action is audited.",
            )
        for role, description in _ROLES.items():
            cognito.CfnUserPoolGroup(
                self,
                f"{role}-group",
                user_pool_id=self.pool.user_pool_id,
                group_name=role.value,
                description=description,
            )
        self.domain = self.pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=tenant.sign_in_prefix),
        )
        company = tenant.console.identity_provider
        federated = self._federate(company) if company else None
        provider = (
            cognito.UserPoolClientIdentityProvider.custom(federated.provider_name)
            if federated
            else cognito.UserPoolClientIdentityProvider.COGNITO
        )
        self.client = self.pool.add_client(
            "Console",
            user_pool_client_name="console",
            generate_secret=False,  # the console redeems codes with PKCE: no secret to keep
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                callback_urls=[f"{console_url}/callback"],
                logout_urls=[f"{console_url}/signed-out"],
            ),
            supported_identity_providers=[provider],
            prevent_user_existence_errors=True,
            # Read once, at the callback: the console keeps its own session, not the tokens.
            id_token_validity=Duration.minutes(5),
            access_token_validity=Duration.minutes(5),
            refresh_token_validity=Duration.minutes(60),
        )
        if federated:  # the client names the provider, which must exist first
            self.client.node.add_dependency(federated)

    def _federate(self, company: IdentityProvider) -> cognito.IUserPoolIdentityProvider:
        email = cognito.AttributeMapping(email=cognito.ProviderAttribute.other(company.email_claim))
        if company.saml_metadata_url:
            return cognito.UserPoolIdentityProviderSaml(
                self,
                "Company",
                user_pool=self.pool,
                name=company.name,
                metadata=cognito.UserPoolIdentityProviderSamlMetadata.url(
                    company.saml_metadata_url
                ),
                attribute_mapping=email,
            )
        assert company.oidc_issuer and company.oidc_client_id and company.oidc_client_secret_name
        return cognito.UserPoolIdentityProviderOidc(
            self,
            "Company",
            user_pool=self.pool,
            name=company.name,
            issuer_url=company.oidc_issuer,
            client_id=company.oidc_client_id,
            # A dynamic reference: CloudFormation reads the secret when it deploys; neither
            # the tenant file nor the template holds it.
            client_secret=SecretValue.secrets_manager(
                company.oidc_client_secret_name
            ).unsafe_unwrap(),
            scopes=["openid", "email"],
            attribute_mapping=email,
        )

    @property
    def url(self) -> str:
        """The pool's OAuth domain, where /oauth2/authorize and /oauth2/token are."""
        return self.domain.base_url()

    @property
    def issuer(self) -> str:
        return self.pool.user_pool_provider_url
