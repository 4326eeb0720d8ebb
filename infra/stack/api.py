"""The REST API of the link pages, built from the wiring's routes."""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import wiring
from infra.stack.nag import excuse
from tandem.model.tenant import Tenant
from tandem.views import pages

# The route template, never the path: paths carry link tokens. No IP or user agent either.
STAGE = "prod"
ACCESS_LOG = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "method": "$context.httpMethod",
    "route": "$context.resourcePath",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "bytes": "$context.responseLength",
    "error": "$context.error.message",
}


class Api(Construct):
    def __init__(
        self, scope: Construct, id: str, tenant: Tenant, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, id)
        self._tenant = tenant
        access_log = logs.LogGroup(
            self,
            "AccessLog",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigateway.RestApi(
            self,
            "Api",
            rest_api_name=f"tandem-{tenant.name}",
            description=f"Tandem link pages for {tenant.organization}",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # With a domain of its own, links work only there: the default address is closed.
            disable_execute_api_endpoint=tenant.deployment.domain is not None,
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE,
                access_log_destination=apigateway.LogGroupLogDestination(access_log),
                access_log_format=apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG)),
                throttling_rate_limit=50,
                throttling_burst_limit=100,
                # X-Ray on the stage records each request's full URL, link token included.
                tracing_enabled=False,
                metrics_enabled=True,
            ),
        )
        self.domain = None
        if custom := tenant.deployment.domain:
            self.domain = apigateway.DomainName(
                self,
                "Domain",
                domain_name=custom.name,
                certificate=acm.Certificate.from_certificate_arn(
                    self, "Certificate", custom.certificate_arn
                ),
                endpoint_type=apigateway.EndpointType.REGIONAL,
                security_policy=apigateway.SecurityPolicy.TLS_1_2,
                mapping=self.rest_api,
            )
        # A path no route has (a link cut short, a typed URL) gets the friendly page, not API
        # Gateway's JSON. The page is a template: #[[ ]]# keeps VTL from reading its CSS.
        page = f"#[[{pages.not_found(tenant)}]]#"
        self.rest_api.add_gateway_response(
            "NotFound",
            type=apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
            status_code="404",
            # Static values in quotes; the CSP, which quotes its own sources, is left out: the
            # page holds nothing but our own words.
            response_headers={
                name: f"'{value}'"
                for name, value in {**pages.HEADERS, "Content-Type": "text/html"}.items()
                if "'" not in value
            },
            templates={"application/json": page, "text/html": page},
        )
        validator = self.rest_api.add_request_validator(
            "Validate", validate_request_parameters=True, validate_request_body=True
        )
        integrations: dict[str, apigateway.LambdaIntegration] = {}
        for route in wiring.ROUTES:
            resource = self.rest_api.root.resource_for_path(route.path)
            integration = integrations.setdefault(
                route.function, apigateway.LambdaIntegration(functions[route.function])
            )
            parameters = {
                f"method.request.path.{name}": True for name in _path_parameters(route.path)
            }
            resource.add_method(
                route.method,
                integration,
                request_parameters=parameters or None,
                request_validator=validator,
            )
        excuse(
            self.rest_api,
            "AwsSolutions-APIG4",
            "Employees never log in: every link page is opened from an emailed link whose "
            "signed, expiring, purpose-bound token is the authorisation, checked by the "
            "function. The console's pages check their own session cookie in the function, "
            "which a browser sends where it would not send a bearer token.",
        )
        excuse(
            self.rest_api,
            "AwsSolutions-COG4",
            "The link pages have no users (see AwsSolutions-APIG4); the console signs in "
            "through the tenant's user pool itself (authorization code with PKCE) and keeps "
            "a signed session cookie, which a Cognito authorizer cannot read.",
        )
        excuse(
            self.rest_api,
            "AwsSolutions-APIG3",
            "A WAF would cost more per tenant than the whole program (~$60/year); the stage "
            "throttles (50 rps, burst 100) and the pages take no action on GET.",
        )
        excuse(
            self.rest_api,
            "Serverless-APIGWXrayEnabled",
            "X-Ray on the stage would record each request's full URL, and the URL carries the "
            "link token; the functions behind it are traced, without payloads.",
        )
        excuse(
            self.rest_api,
            "AwsSolutions-APIG6",
            "Execution logs would record request paths, which carry link tokens; the access log "
            "records the route template instead.",
        )

    @property
    def url(self) -> str:
        """Where the link pages are: the tenant's own domain, or API Gateway's stage address.
        Built from the API's id and the stage's name, not the stage itself, so a function the
        API calls (the console) can be told it without a circular dependency."""
        custom = self._tenant.deployment.domain
        if custom:
            return f"https://{custom.name}"
        stack = Stack.of(self)
        host = f"{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"
        return f"https://{host}/{STAGE}"


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
