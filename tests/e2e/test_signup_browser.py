"""An employee signs up on a phone-sized screen in headless Chromium, from the invitation email."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.support import Served, no_serious_violations

ROSTER = (
    "email,name,department,level,timezone,manager_email\n"
    "mina@northwind.example,Mina Sato,Marketing,Director,Asia/Tokyo,\n"
)


@pytest.mark.e2e
def test_an_invited_employee_signs_up_from_a_phone(
    served: Served, phone: Page, tmp_path: Path
) -> None:
    roster = tmp_path / "mina.csv"
    roster.write_text(ROSTER)
    before = len(served.outbox())
    served.aws("s3", "cp", str(roster), f"s3://{served.bucket}/roster/mina.csv")
    [invitation] = served.wait_for_emails(before + 1)[before:]
    signup = next(link for link in invitation["links"] if "/signup/" in link)

    phone.goto(signup)
    assert phone.get_by_role("heading", name="Welcome, Mina").is_visible()
    assert phone.get_by_label("Name", exact=True).input_value() == "Mina Sato"
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # Submitting with a question unanswered keeps the answers and says what is missing
    phone.get_by_label("One person growing because I helped them").check()
    phone.get_by_role("button", name="Sign up").click()
    assert phone.get_by_role("alert").is_visible()
    assert phone.get_by_label("One person growing because I helped them").is_checked()

    for choice in (
        "Someone I coached got the role they wanted",
        "In the people I work with one-to-one",
        "Something is out of balance and could work beautifully",
        "You make things work together smoothly",
        "that everything came together",
        "learning everything you can about it",
        "an answer or an insight",
        "uncovered something new",
    ):
        phone.get_by_label(choice).check()
    phone.get_by_label("Location").fill("Tokyo")
    phone.get_by_label("Name you go by").fill("Mina")
    phone.get_by_role("button", name="Sign up").click()

    assert phone.get_by_role("heading", name="You're in, Mina!").is_visible()
    assert phone.get_by_text("Individual, Harmony, Knowledge").is_visible()
    [welcome] = served.wait_for_emails(before + 2)[before + 1 :]
    assert welcome["subject"] == "You're signed up: Individual, Harmony, Knowledge"
    assert welcome["to"] == ["mina@northwind.example"]

    # Every email's footer leads to the preferences: a new time zone, then a pause
    phone.goto(next(link for link in welcome["links"] if "/preferences/" in link))
    no_serious_violations(phone)
    assert phone.get_by_label("Time zone").input_value() == "Asia/Tokyo"
    phone.get_by_label("Time zone").select_option("Europe/Paris")
    phone.get_by_role("button", name="Save my time zone").click()
    assert phone.get_by_role("status").inner_text() == "Saved: your time zone is now Europe/Paris."
    phone.get_by_role("button", name="Pause next quarter").click()
    assert phone.get_by_text("You are paused for next quarter").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.e2e
def test_the_open_signup_form_shows_each_problem_next_to_its_field(
    served: Served, phone: Page
) -> None:
    phone.goto(served.api_url + "/join")
    phone.get_by_label("Work email").fill("someone@gmail.com")
    phone.get_by_role("button", name="Email me my signup link").click()
    assert phone.get_by_role("alert").is_visible()
    email = phone.get_by_label("Work email")
    assert email.get_attribute("aria-invalid") == "true"
    assert phone.evaluate("document.activeElement.id") == "email"  # the first to fix
    described = phone.locator("#" + str(email.get_attribute("aria-describedby")))
    assert described.inner_text() == "Please enter your work email address (@northwind.example)."
    assert phone.get_by_label("Name").get_attribute("aria-invalid") == "true"
    no_serious_violations(phone)
