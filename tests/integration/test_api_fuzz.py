"""The link pages fuzzed from their OpenAPI document (served by the local runtime at
/_local/openapi.json): over a thousand generated requests across every route, half of those
with a token given a genuine one for the route. None answers a 5xx or an undeclared status or
content type, and none that is refused changes anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from devtools.local_runtime.aws import Resources
from functions.participant_pages import handler
from infra import wiring
from tandem.links.tokens import ABOUT_SESSION, SCOPED, Purpose
from tandem.links.urls import link_tokens
from tandem.model.participant import participant_id
from tests.integration.fuzzing import answered_as_declared, api_schema, generated
from tests.integration.support import invite_ada, snapshot

ADA = participant_id("ada@acme.example")
EXAMPLES = 60  # per operation; the two without inputs (GET /join, GET /links) have one each
CALLS: Counter[str] = Counter()


schema = api_schema("openapi.json", wiring.PARTICIPANT_PAGES, handler.handler)


@pytest.fixture(scope="module", autouse=True)
def _enough_requests() -> Iterator[None]:
    yield
    assert sum(CALLS.values()) >= 1000, CALLS
    pages = [r for r in wiring.ROUTES if r.function == wiring.PARTICIPANT_PAGES.name]
    assert {f"{route.method} {route.path}" for route in pages} <= set(CALLS), CALLS


@pytest.fixture
def tokens(aws: Resources) -> dict[str, str]:
    """Ada is invited: a genuine token of hers for each purpose (the quarter ones lead to a
    quarter she has no group in)."""
    invite_ada()
    signer = link_tokens()
    scope = {p: "2027-Q1/1" if p in ABOUT_SESSION else "2027-Q1" for p in SCOPED}
    return {p.value: signer.sign(p, ADA, scope.get(p)) for p in Purpose}


@schema.parametrize()
@generated(EXAMPLES)
def test_generated_requests_get_declared_answers_and_refusals_change_nothing(
    case: schemathesis.Case, aws: Resources, tokens: dict[str, str], state: list[Any]
) -> None:
    token = case.path_parameters.get("token") if case.path_parameters else None
    if isinstance(token, str) and len(token) % 2 == 0:  # half the time, the real thing
        case.path_parameters = {"token": tokens[case.path.split("/")[1]]}
    answered_as_declared(case, aws, state, CALLS)


@pytest.fixture
def state(aws: Resources, tokens: dict[str, str]) -> list[Any]:
    """The table and queues as the last request left them."""
    return [snapshot(aws)]
