"""Emails as a phone's mail app shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page

from tandem.mail.compose import compose
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.tenant import Tenant
from tests.integration.support import person

LINKS = {p: f"https://links.example/{p}/tok" for p in ("preferences", "leave")}


@pytest.mark.e2e
def test_a_session_list_keeps_each_number_on_one_line_on_a_phone(
    phone: Page, tenant: Tenant
) -> None:
    # Five Wednesdays, the longest day name: the dates take the line, and the numbers beside
    # them used to break after the digit ("1" above ".").
    first = datetime(2027, 1, 13, 14, tzinfo=UTC)
    sessions = [
        SimpleNamespace(
            number=n,
            starts=first + timedelta(weeks=2 * (n - 1)),
            ends=first + timedelta(weeks=2 * (n - 1), hours=1),
            cancelled=False,
            moved=False,
        )
        for n in range(1, 6)
    ]
    partner = person("Yusuf", "Sales")
    message = compose(
        MailRequest(mail_id="m", kind=MailKind.PARTNER_UNREACHABLE, participant_id="p1"),
        person("Carmen", "Engineering"),
        tenant,
        LINKS,
        first,
        plan=SimpleNamespace(slot=True, sessions=sessions),
        unreachable=[partner],
        partners=[partner],
    )
    phone.set_content(message.get_body(("html",)).get_content())
    numbers = phone.locator('table[role="presentation"] td:first-child')
    assert numbers.all_inner_texts() == ["1.", "2.", "3.", "4.", "5."]
    lines = (
        "e => { const r = new Range(); r.selectNodeContents(e); return r.getClientRects().length }"
    )
    assert [number.evaluate(lines) for number in numbers.all()] == [1] * 5
