"""What participants are told HR sees: on the signup page, in one paragraph that follows the
tenant's export settings, and on the feedback form when the words of a pledge may reach HR
(only then do they: the answer remembers it)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from devtools.local_runtime.aws import Resources
from tandem.model.participant import Participant, participant_id
from tandem.model.plan import group_key
from tandem.model.tenant import Tenant
from tandem.store import feedback_answers
from tests.integration.support import (
    after_session_link,
    call_api,
    deliver_mail,
    invite_ada,
    sent,
)

NOTICE = "HR may read the words of your pledge, with nothing to say who wrote them"


@pytest.fixture(params=[True, False], ids=["pledge words shared", "not"])
def tenant(request: pytest.FixtureRequest, tenant: Tenant) -> Tenant:
    shares = {"include_text": request.param}
    return replace(tenant, exports=replace(tenant.exports, **shares))


def test_the_signup_page_says_exactly_what_hr_sees(aws: Resources, tenant: Tenant) -> None:
    invite_ada()
    deliver_mail(aws)

    status, page = call_api("GET", sent()[-1].link("signup"))

    assert status == 200
    said = " ".join(re.sub(r"<[^>]+>", "", page.split("What HR sees")[1].split("</p>")[0]).split())
    # HR has everyone's name from the roster and the matching preview: the rows are not
    # anonymous, so the paragraph does not pretend they are
    assert said.startswith(
        "(with your name): that you take part (signed up, paused or left), your department and "
        "level, who is in your group each quarter, whether your group picked a time and which "
        "of its conversations it marked as held."
    )
    assert "only in figures about at least 5 people, never as yours" in said
    shares = tenant.exports.include_text
    assert ("The words of your pledges may reach HR" in said) == shares


def test_the_form_says_when_hr_may_read_a_pledge_and_the_answer_remembers_it(
    aws: Resources, tenant: Tenant, pair: list[Participant]
) -> None:
    link = after_session_link(aws, "flo@acme.example")
    shared = tenant.exports.include_text

    status, page = call_api("GET", link)
    assert status == 200 and (NOTICE in page) == shared
    answer = {"held": "yes", "helpfulness": "4", "pledge": "Ask my team", "version": "0"}
    assert call_api("POST", link, answer)[0] == 200

    [stored] = feedback_answers.of_group("2027-Q4", group_key([p.id for p in pair]))
    assert stored.participant == participant_id("flo@acme.example")
    assert stored.pledge_shared == shared
