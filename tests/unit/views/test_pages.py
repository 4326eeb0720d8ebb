import base64
import hashlib
import re
from zoneinfo import ZoneInfo

from tandem.model import purpose
from tandem.model.participant import Participant, Source, Status
from tandem.model.tenant import Tenant
from tandem.views import pages


def test_the_style_sent_is_the_style_the_csp_allows(tenant: Tenant) -> None:
    html = pages.message(tenant, "Hello")
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in pages.HEADERS["Content-Security-Policy"]
    assert (
        "script-src" not in pages.HEADERS["Content-Security-Policy"]
    )  # default-src 'none' covers it


def test_everything_a_person_typed_is_escaped(tenant: Tenant) -> None:
    person = Participant(
        email="eve@acme.example",
        name='Eve"><script>alert(1)</script>',
        department="<i>Ops</i>",
        level="Manager",
        timezone="UTC",
        status=Status.INVITED,
        source=Source.ROSTER,
    )
    html = pages.page(
        "profile_form.html",
        tenant,
        title="Sign up",
        signing_up=True,
        participant=person,
        form={"name": person.name, "preferred_name": "<b>E</b>", "location": None, "answers": {}},
        selected_zone="UTC",
        questions=purpose.QUESTIONS,
        problems={"name": "<b>bad</b>"},
        missing=[],
    )
    assert "<script>" not in html and "<i>Ops</i>" not in html and "<b>bad</b>" not in html
    assert "<b>E</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;Ops&lt;/i&gt;" in html


def test_the_signup_form_asks_every_question_with_labelled_choices(tenant: Tenant) -> None:
    person = Participant(
        email="ada@acme.example",
        name="Ada",
        department="Eng",
        level="Manager",
        timezone="Europe/Paris",
        status=Status.INVITED,
        source=Source.ROSTER,
    )
    html = pages.page(
        "profile_form.html",
        tenant,
        title="Sign up",
        signing_up=True,
        participant=person,
        form={"name": "Ada", "preferred_name": None, "location": None, "answers": {}},
        selected_zone="Europe/Paris",
        questions=purpose.QUESTIONS,
        problems={},
        missing=[],
    )
    assert html.count("<fieldset") == len(purpose.QUESTIONS) == 9
    assert html.count('type="radio"') == sum(len(q.options) for q in purpose.QUESTIONS)
    assert '<option value="Europe/Paris" selected>' in html
    assert '<html lang="en">' in html and 'name="viewport"' in html


def test_the_time_zones_offered_are_the_databases_own_names_each_of_which_opens() -> None:
    assert "Asia/Kolkata" in pages.TIME_ZONES and "Asia/Calcutta" not in pages.TIME_ZONES
    assert "Europe/Oslo" in pages.TIME_ZONES  # one per country, not only one per offset
    assert pages.TIME_ZONES[-1] == "UTC"
    for zone in pages.TIME_ZONES:
        ZoneInfo(zone)


def zone_choice(tenant: Tenant, zone: str) -> str:
    """The profile form's time zone field for a person whose zone, or answer, is `zone`."""
    person = Participant(
        email="ravi@acme.example",
        name="Ravi",
        department="Eng",
        level="Manager",
        timezone=zone,
        status=Status.ACTIVE,
        source=Source.ROSTER,
    )
    html = pages.page(
        "profile_form.html",
        tenant,
        title="Your profile",
        signing_up=False,
        participant=person,
        form={"name": "Ravi", "preferred_name": None, "location": None, "answers": {}},
        selected_zone=zone,
        questions=purpose.QUESTIONS,
        problems={},
        missing=[],
    )
    [field] = re.findall(r'<select id="timezone".*?</select>', html, re.S)
    return field


def test_a_zone_the_list_leaves_out_as_an_alias_is_still_shown_chosen(tenant: Tenant) -> None:
    # A roster may give the old name; the person's page shows it, not a blank choice
    assert '<option value="Asia/Calcutta" selected>' in zone_choice(tenant, "Asia/Calcutta")
    assert '<option value="Mars/Base"' not in zone_choice(tenant, "Mars/Base")
    assert '<option value="" selected>Choose your time zone' in zone_choice(tenant, "Mars/Base")
