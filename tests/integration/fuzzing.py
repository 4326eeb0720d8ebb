"""What the fuzz tests share: one function of the API run in this process behind the local
runtime's HTTP front, its OpenAPI document loaded from there, and the check every generated
request passes (a declared answer, and no change from a refusal)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from devtools.local_runtime.aws import Resources
from devtools.local_runtime.runtime import LambdaContext, LocalRuntime
from devtools.local_runtime.server import LocalApi
from infra import wiring
from tandem.model.tenant import Tenant
from tandem.store import settings as tandem_settings
from tests.integration.support import snapshot

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class _InProcess:
    """The part of the local runtime the HTTP front needs: the tenant and one function, run in
    this process against moto."""

    def __init__(self, function: wiring.Function, handler: Handler) -> None:
        self._function, self._handler = function, handler

    @property
    def tenant(self) -> Tenant:
        return tandem_settings.tenant()

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        assert function == self._function.name
        return self._handler(event, LambdaContext(function, self._function.memory_mb, 30))


def api_schema(document: str, function: wiring.Function, handler: Handler) -> Any:
    """The function's OpenAPI document, served at /_local/<document>, its requests answered by
    the handler."""
    front = LocalApi(cast(LocalRuntime, _InProcess(function, handler)))
    return schemathesis.openapi.from_wsgi(f"/_local/{document}", front)


def generated(examples: int) -> Any:
    """Hypothesis's settings for `examples` requests an operation, the same each run."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def answered_as_declared(
    case: schemathesis.Case, aws: Resources, state: list[Any], calls: Counter[str]
) -> None:
    """Sends the case: its answer must be declared, and a refusal must leave the table and the
    queues as the last request left them (nothing else runs meanwhile)."""
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    after = snapshot(aws)
    if response.status_code >= 400:
        assert after == state[0], f"{case.method} {case.path} refused, yet changed state"
    state[0] = after
    calls[f"{case.method} {case.path}"] += 1
