"""The console fuzzed from its OpenAPI document (served by the local runtime at
/_local/console-openapi.json): generated requests across every route, half of them with a
program lead's session, their forms half the time with its CSRF token and their person the
real one. None answers a 5xx or an undeclared status or content type, and none that is refused
changes anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import cycle
from typing import Any

import pytest
import schemathesis

from devtools.local_runtime.aws import Resources
from functions.console import handler
from infra import wiring
from tandem.model.participant import participant_id
from tests.integration.console.support import Browser, csrf
from tests.integration.fuzzing import answered_as_declared, api_schema, generated
from tests.integration.support import invite_ada, snapshot

ADA = participant_id("ada@acme.example")
EXAMPLES = 30  # per operation
CALLS: Counter[str] = Counter()
# Every other request signed in, every other form of those with the session's CSRF token.
SIGNED_IN, WITH_CSRF = cycle((True, False)), cycle((True, False))


# Signing out would end the session the other requests use; its own tests are in test_sign_in.
schema = api_schema("console-openapi.json", wiring.CONSOLE, handler.handler).exclude(
    path="/console/sign-out"
)


@pytest.fixture(scope="module", autouse=True)
def _every_route_called() -> Iterator[None]:
    yield
    routes = {f"{r.method} {r.path}" for r in wiring.ROUTES if r.function == wiring.CONSOLE.name}
    assert routes - {"POST /console/sign-out"} <= set(CALLS), CALLS


@pytest.fixture
def session(lead: Browser) -> dict[str, str]:
    """A program lead's session cookie and its forms' CSRF token; Ada on the roster."""
    invite_ada()
    return {"cookie": lead.cookies["tandem_console"], "csrf": csrf(lead)}


@pytest.fixture
def state(aws: Resources, session: dict[str, str]) -> list[Any]:
    """The table and queues as the last request left them."""
    return [snapshot(aws)]


@schema.parametrize()
@generated(EXAMPLES)
def test_generated_console_requests_get_declared_answers_and_refusals_change_nothing(
    case: schemathesis.Case, aws: Resources, session: dict[str, str], state: list[Any]
) -> None:
    if next(SIGNED_IN):
        case.cookies = {**(case.cookies or {}), "tandem_console": session["cookie"]}
        if isinstance(case.body, dict):
            # The one field a console form reads besides its token, given a generated value.
            typed = {"who": str(next(iter(case.body.values()), ""))}
            token = {"csrf": session["csrf"]} if next(WITH_CSRF) else {}
            case.body = {**case.body, **typed, **token}
        if case.path_parameters and "pid" in case.path_parameters:
            case.path_parameters = {**case.path_parameters, "pid": ADA}
    answered_as_declared(case, aws, state, CALLS)
