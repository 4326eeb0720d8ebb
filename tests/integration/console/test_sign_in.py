"""Signing in to the console: the authorization-code flow with PKCE through the user pool (here
the local runtime's stand-in, as in `tandem serve`), then the console's own session cookie."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

from devtools.local_runtime.idp import LocalIdp, console_users
from tandem.console import audit
from tandem.console.sessions import LIFETIME, Role, Sessions
from tandem.model.clock import clock
from tandem.model.tenant import Tenant
from tandem.store import signing_keys
from tests.integration.console.support import CONSOLE, Browser, csrf, location, sign_in


def test_a_page_without_a_session_sends_to_sign_in_and_a_form_is_refused(idp: LocalIdp) -> None:
    browser = Browser()
    page = browser.get(f"{CONSOLE}/people")
    assert page["statusCode"] == 302
    assert location(page) == f"{CONSOLE}/sign-in?next=%2Fconsole%2Fpeople"
    assert browser.post(f"{CONSOLE}/people", {"who": "ada@acme.example"})["statusCode"] == 401


def test_the_code_flow_ends_in_a_session_cookie_of_a_working_day(
    idp: LocalIdp, tenant: Tenant
) -> None:
    browser = Browser()
    to_idp = location(browser.get(f"{CONSOLE}/sign-in?next=/console/settings"))
    assert "code_challenge_method=S256" in to_idp and "code_challenge=" in to_idp
    lead = next(u for u in console_users(tenant) if u.role is Role.PROGRAM_LEAD)
    sign_in(idp, lead, browser)
    page = browser.get(f"{CONSOLE}/settings")
    assert page["statusCode"] == 200 and lead.email in page["body"]
    [entry] = audit.month(clock.now())
    assert (entry.actor, entry.action, entry.source_ip) == (lead.email, "signed in", "203.0.113.9")


def test_the_cookies_are_http_only_secure_same_site_for_the_console_only(
    idp: LocalIdp, tenant: Tenant
) -> None:
    lead = next(u for u in console_users(tenant) if u.role is Role.PROGRAM_LEAD)
    browser = sign_in(idp, lead)
    jar = {
        name: morsel
        for header in browser.set_cookies
        for name, morsel in SimpleCookie(header).items()
    }
    pending, session = jar["tandem_console_sign_in"], jar["tandem_console"]
    for morsel in (pending, session):
        assert morsel["httponly"] and morsel["secure"] and morsel["samesite"] == "Lax"
    assert pending["path"] == "/console/callback" and session["path"] == "/console"
    assert session["max-age"] == str(int(LIFETIME.total_seconds()))


def test_a_wrong_password_signs_nobody_in(idp: LocalIdp, tenant: Tenant) -> None:
    lead = next(u for u in console_users(tenant) if u.role is Role.PROGRAM_LEAD)
    wrong = type(lead)(lead.email, "Not-the-password-1", lead.role)
    browser = Browser()
    try:
        sign_in(idp, wrong, browser)
    except AssertionError as refused:
        assert "Incorrect email or password" in str(refused)
    else:
        raise AssertionError("signed in with a wrong password")
    assert "tandem_console" not in browser.cookies


def test_a_callback_with_a_state_of_another_sign_in_is_refused(idp: LocalIdp) -> None:
    browser = Browser()
    browser.get(f"{CONSOLE}/sign-in")
    answer = browser.get(f"{CONSOLE}/callback?code=abc&state=not-the-one")
    assert answer["statusCode"] == 401
    assert "tandem_console" not in browser.cookies


def test_forged_expired_and_other_tenant_sessions_are_refused(
    idp: LocalIdp, lead: Browser, tenant: Tenant
) -> None:
    genuine = lead.cookies["tandem_console"]
    forged = genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB")
    other = Sessions("globex", signing_keys.signing_keys()).issue(
        "lead@globex.example", "sub", Role.PROGRAM_LEAD, "id"
    )
    for cookie in (forged, other, "not-a-session"):
        assert Browser({"tandem_console": cookie}).get(CONSOLE)["statusCode"] == 401
    clock.set(clock.now() + LIFETIME + timedelta(minutes=1))
    assert Browser({"tandem_console": genuine}).get(CONSOLE)["statusCode"] == 401


def test_signing_out_forgets_the_session(lead: Browser) -> None:
    out = lead.post(f"{CONSOLE}/sign-out", {"csrf": csrf(lead)})
    assert out["statusCode"] == 303 and "/_local/idp/logout?" in location(out)
    assert "tandem_console" not in lead.cookies


def test_a_cookie_copied_before_signing_out_no_longer_opens_the_console(lead: Browser) -> None:
    """Signing out ends the session on the server too (OWASP ASVS 3.3.1): a copy of the cookie
    (another tab's, a shared machine's, a stolen one) is refused from then on."""
    copied = Browser({"tandem_console": lead.cookies["tandem_console"]})
    token = csrf(copied)  # the copy opens the console, forms and all
    lead.post(f"{CONSOLE}/sign-out", {"csrf": csrf(lead)})
    page = copied.get(CONSOLE)
    assert page["statusCode"] == 401 and "Please sign in again" in page["body"]
    assert copied.post(f"{CONSOLE}/people", {"csrf": token})["statusCode"] == 401


def test_every_sign_in_is_a_session_of_its_own(
    idp: LocalIdp, lead: Browser, tenant: Tenant
) -> None:
    """Signing out on one device leaves the person's other sessions open."""
    [user] = [u for u in console_users(tenant) if u.role is Role.PROGRAM_LEAD]
    other = sign_in(idp, user)
    lead.post(f"{CONSOLE}/sign-out", {"csrf": csrf(lead)})
    assert other.get(CONSOLE)["statusCode"] == 200
