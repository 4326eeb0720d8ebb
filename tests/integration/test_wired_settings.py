"""Each function does its job with only the settings infra/wiring.py gives it: in AWS it gets
nothing else, while the local runtime and the other tests set every setting for everyone."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from devtools.local_runtime.aws import Resources
from devtools.local_runtime.idp import console_users
from functions.match_band import handler
from functions.matching import handler as matching
from functions.roster_import import handler as roster_import
from infra import wiring
from tandem.links.tokens import Purpose
from tandem.links.urls import link_tokens
from tandem.model.clock import clock
from tandem.model.participant import MailBlock, Participant, Source, Status, participant_id
from tandem.model.tenant import Tenant
from tandem.store import matches, participants
from tandem.store.settings import Setting
from tests.integration.console.support import CONSOLE, csrf, local_idp, sign_in
from tests.integration.support import (
    LINK_BASE,
    ROSTER,
    call_api,
    context,
    deliver_mail,
    load_event,
    queued,
    sent,
    upload,
)

COVERED = {
    *("roster_import", "mailer", "participant_pages", "matching", "match_band", "reminders"),
    "mail_events",
    "exports",
    "console",
}


def only_the_settings_of(function: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in set(Setting) - wiring.function(function).settings:
        monkeypatch.delenv(setting.value, raising=False)


def test_every_wired_function_is_checked_here() -> None:
    assert {f.name for f in wiring.FUNCTIONS} == COVERED


def test_roster_import(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    event = upload(aws, "roster/staff.csv", ROSTER)
    only_the_settings_of("roster_import", monkeypatch)
    roster_import.handler(event, context("roster_import"))
    assert len(queued(aws, "mail")) == 3


def test_mailer(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    roster_import.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    only_the_settings_of("mailer", monkeypatch)
    deliver_mail(aws)
    assert len(sent()) == 3
    assert all(any("/signup/" in link for link in email.links) for email in sent())


def test_participant_pages(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    roster_import.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    queued(aws, "mail")  # the invitations: taken off the queue
    only_the_settings_of("participant_pages", monkeypatch)
    token = link_tokens().sign(Purpose.SIGNUP, participant_id("ada@acme.example"))
    assert "Welcome, Ada" in call_api("GET", f"/signup/{token}")[1]
    assert call_api("POST", "/links", {"email": "ada@acme.example"})[0] == 200


def test_matching(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    roster_import.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    only_the_settings_of("matching", monkeypatch)
    for at in ("2027-01-04T09:00:00Z", "2027-01-11T08:00:00Z"):  # the notice, then the start
        matching.handler({**load_event("scheduled_matching.json"), "time": at}, context("matching"))
    preview = boto3.client("s3").get_object(Bucket=aws.bucket, Key="matching/preview-2027-Q1.csv")
    assert b"not signed up yet" in preview["Body"].read()
    assert len(queued(aws, "bands")) == 2  # Manager and Director


def test_match_band(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    pair = [
        Participant(
            email=f"{name}@acme.example",
            name=name.title(),
            department=department,
            level="Manager",
            timezone="Europe/Paris",
            status=Status.ACTIVE,
            source=Source.ROSTER,
        )
        for name, department in (("ada", "Engineering"), ("bo", "Sales"))
    ]
    participants.create_many(pair)
    only_the_settings_of("match_band", monkeypatch)
    handler.handler(load_event("band_job.json"), context("match_band"))  # 2027-Q1, Manager
    assert [set(g.members) for g in matches.groups("2027-Q1")] == [{p.id for p in pair}]
    assert len(queued(aws, "mail")) == 2  # the kickoffs


def test_reminders(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    test_match_band(aws, monkeypatch)
    queued(aws, "mail")  # the kickoffs: taken off the queue
    from functions.reminders import handler as reminders

    only_the_settings_of("reminders", monkeypatch)
    five_days_on = {**load_event("scheduled_matching.json"), "time": "2027-01-16T09:00:00Z"}
    assert reminders.handler(five_days_on, context("reminders"))["queued"] == {"slot_nudge": 2}
    assert len(queued(aws, "mail")) == 2


def test_mail_events(aws: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    test_match_band(aws, monkeypatch)
    queued(aws, "mail")  # the kickoffs: taken off the queue
    from functions.mail_events import handler as mail_events

    only_the_settings_of("mail_events", monkeypatch)
    clock.set(datetime(2027, 1, 12, 9, tzinfo=UTC))  # the group has not picked its slot yet
    mail_events.handler(load_event("ses_bounce.json"), context("mail_events"))  # ada's address
    ada = participants.get(participant_id("ada@acme.example"))
    assert ada is not None and ada.mail_blocked is MailBlock.BOUNCED
    assert len(queued(aws, "mail")) == 1  # bo is told


def test_exports(aws: Resources, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    test_match_band(aws, monkeypatch)
    queued(aws, "mail")  # the kickoffs: taken off the queue
    from functions.exports import handler as exports

    def only_the_settings_of_again(function: str) -> None:
        for setting, value in aws.settings(tenant, LINK_BASE).items():
            monkeypatch.setenv(setting, value)
        only_the_settings_of(function, monkeypatch)

    only_the_settings_of_again("exports")
    due = {**load_event("scheduled_matching.json"), "time": "2027-03-29T08:00:00Z"}
    assert exports.handler(due, context("exports")) == {"exported": ["2027-Q1"]}
    only_the_settings_of_again("mailer")
    deliver_mail(aws)
    [ready] = [e for e in sent() if e.kind == "exports_ready"]
    assert f"s3://{aws.bucket}/exports/2027-Q1/" in ready.text and "report.html" in ready.text


def test_console(aws: Resources, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    roster_import.handler(upload(aws, "roster/staff.csv", ROSTER), context("roster_import"))
    idp = local_idp(aws, tenant, monkeypatch)
    only_the_settings_of("console", monkeypatch)
    lead = sign_in(idp, console_users(tenant)[0])
    ada = lead.post(f"{CONSOLE}/people", {"csrf": csrf(lead), "who": "ada@acme.example"})
    links = lead.post(f"{ada['multiValueHeaders']['Location'][0]}/links", {"csrf": csrf(lead)})
    assert links["statusCode"] == 303
    for page in ("", "/roster", "/matching", "/exports", "/audit", "/settings"):
        assert lead.get(CONSOLE + page)["statusCode"] == 200, page
