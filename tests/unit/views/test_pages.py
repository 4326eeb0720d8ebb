import base64
import hashlib
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from tandem.model import purpose
from tandem.model.participant import Participant, Source, Status
from tandem.model.tenant import BandFormat, Tenant
from tandem.views import pages


def test_the_style_sent_is_the_style_the_csp_allows(tenant: Tenant) -> None:
    html = pages.message(tenant, "Hello")
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in pages.HEADERS["Content-Security-Policy"]
    assert (
        "script-src" not in pages.HEADERS["Content-Security-Policy"]
    )  # default-src 'none' covers it


def someone(
    name: str = "Ada", timezone: str = "Europe/Paris", department: str = "Eng"
) -> Participant:
    return Participant(
        email="ada@acme.example",
        name=name,
        department=department,
        level="Manager",
        timezone=timezone,
        status=Status.INVITED,
        source=Source.ROSTER,
    )


def signup_form(
    tenant: Tenant, person: Participant, preferred_name: str | None = None, **problems: str
) -> str:
    """The signup form for `person`, with what they typed and any problems with it."""
    return pages.page(
        "profile_form.html",
        tenant,
        title="Sign up",
        signing_up=True,
        participant=person,
        form={
            "name": person.name,
            "preferred_name": preferred_name,
            "location": None,
            "answers": {},
        },
        selected_zone=person.timezone,
        questions=purpose.QUESTIONS,
        problems=problems,
        missing=[],
    )


def test_everything_a_person_typed_is_escaped(tenant: Tenant) -> None:
    eve = someone('Eve"><script>alert(1)</script>', "UTC", department="<i>Ops</i>")
    html = signup_form(tenant, eve, preferred_name="<b>E</b>", name="<b>bad</b>")
    assert "<script>" not in html and "<i>Ops</i>" not in html and "<b>bad</b>" not in html
    assert "<b>E</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;Ops&lt;/i&gt;" in html


def test_the_signup_form_asks_every_question_with_labelled_choices(tenant: Tenant) -> None:
    html = signup_form(tenant, someone())
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
    """The time zone field for a person whose zone, or answer, is `zone`."""
    [field] = re.findall(
        r'<select id="timezone".*?</select>', signup_form(tenant, someone(timezone=zone)), re.S
    )
    return field


def test_the_zones_are_grouped_by_region_with_utc_first_and_every_zone_offered_once(
    tenant: Tenant,
) -> None:
    field = zone_choice(tenant, "Asia/Calcutta")
    offered = re.findall(r'<option value="([^"]+)"', field)
    assert offered[0] == "UTC" and sorted(offered) == sorted([*pages.TIME_ZONES, "Asia/Calcutta"])
    groups = re.findall(r'<optgroup label="([^"]+)">', field)
    assert groups[:3] == ["Africa", "Americas", "Antarctica"] and "Indian Ocean" in groups
    assert '<option value="America/New_York">America/New York</option>' in field


def test_a_zone_the_list_leaves_out_as_an_alias_is_still_shown_chosen(tenant: Tenant) -> None:
    # A roster may give the old name; the person's page shows it, not a blank choice
    assert '<option value="Asia/Calcutta" selected>' in zone_choice(tenant, "Asia/Calcutta")
    assert '<option value="Mars/Base"' not in zone_choice(tenant, "Mars/Base")
    assert '<option value="" selected>Choose your time zone' in zone_choice(tenant, "Mars/Base")


def test_the_pages_promise_a_circle_band_a_circle(tenant: Tenant) -> None:
    managers_in_circles = {"Manager": BandFormat(format="circles", size=4)}
    circles = replace(tenant, matching=replace(tenant.matching, formats=managers_in_circles))
    assert "circle of about 4 people" in signup_form(circles, someone())
    assert "a new peer at your level from another part" in signup_form(tenant, someone())
    join = pages.page("join.html", circles, title="Join", form={}, selected_zone="", problems={})
    assert "one partner, or a small circle" in join and "conversations.\nTell us" in join
