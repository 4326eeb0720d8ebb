"""`make gallery`: every page state and email kind, as people see them, in headless Chromium at
a phone's and a laptop's width, each checked for accessibility.

A small company (the demo tenant, 24 people) signs up and plays one quarter on the local
runtime, as in the demo; the gallery then keeps one email of each kind (its HTML part, and its
text part as a mail client without HTML shows it) and each page its links open, plus the pages'
answers to an empty form, a stale one (409), an expired link and a broken one. The images and
an index.html go to build/gallery/ (not committed); a serious accessibility violation on any of
them fails the run.

    python -m devtools.gallery [--out build/gallery]
"""

from __future__ import annotations

import argparse
import html
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Response, sync_playwright

from devtools.chromium import launch, serious_violations
from devtools.local_runtime import outbox
from devtools.local_runtime.runtime import LocalRuntime
from devtools.simulation import browser
from devtools.simulation.year import Simulation, roster_rows, running
from infra import tenant_files
from tandem.console.sessions import Role
from tandem.matching.band import REMATCH_NUDGE_AFTER
from tandem.model import calendar
from tandem.model.clock import clock
from tandem.model.participant import participant_id
from tandem.store import matches

TENANT, PEOPLE, SEED = "demo", 24, 7
WIDTHS = {360: 740, 1280: 900}  # width -> the viewport's height; the images are whole pages


@dataclass(frozen=True)
class State:
    name: str  # the images' file names: <name>-<width>.png
    caption: str
    html: str


def page_state(name: str, caption: str, page: browser.Page) -> State:
    return State(name, f"{caption} ({page.status})", page.html)


def forms(name: str, caption: str, url: str) -> list[State]:
    """A page with its form open, and that form sent empty."""
    return [
        page_state(f"{name}-open", caption, browser.get(url)),
        page_state(f"{name}-open-empty", f"{caption}, sent empty", browser.post(url, {})),
    ]


def text_page(subject: str, text: str) -> str:
    """An email's text part as a mail client that shows no HTML would."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(subject)}</title>"
        # Wrapped as a phone's mail client wraps it, long links included.
        "<style>pre{white-space:pre-wrap;overflow-wrap:anywhere;font:15px/1.45 monospace;"
        "margin:16px}</style>"
        f"</head><body><pre>{html.escape(text)}</pre></body></html>"
    )


def purpose(url: str) -> str:
    """The kind of page a link opens: /<purpose>/<token>."""
    return urlsplit(url).path.strip("/").split("/")[-2]


def collect() -> list[State]:
    """Plays the company's quarter and keeps each state as it was when reached."""
    tenant = tenant_files.tenant(TENANT)
    states: list[State] = []
    with running(tenant) as runtime:
        company = Simulation(runtime, tenant, SEED)
        company.upload_roster(roster_rows(tenant, PEOPLE, SEED))
        company.sign_up(rate=0.8)  # a few stay invited, so a signup page is still unanswered
        api = runtime.api_url

        # Before the quarter: the signup page of someone not yet signed up (nor opted out),
        # and the open doors.
        signed_up = {e.to[0] for e in company.emails_with_link("/profile/")}
        invitations = company.emails_with_link("/signup/", "You're invited")
        signup, unanswered = next(
            (url, page)
            for e in invitations
            if e.to[0] not in signed_up
            and (page := browser.get(url := e.link("signup"))).status == 200
        )
        states += [
            page_state("signup", "Signup, from the invitation", unanswered),
            page_state("signup-errors", "Signup sent empty", browser.post(signup, {})),
            page_state("links", "Get fresh links", browser.get(f"{api}/links")),
            page_state(
                "links-errors",
                "Get fresh links, a bad address",
                browser.post(f"{api}/links", {"email": "not an address"}),
            ),
            page_state("join", "Open signup", browser.get(f"{api}/join")),
            page_state("join-errors", "Open signup sent empty", browser.post(f"{api}/join", {})),
        ]

        # The quarter as play_year plays it, stopping where the slot and move forms are open.
        cycle = calendar.cycle(tenant, company.next_quarter().cycle)
        kickoff = next(e for e in outbox.sent_emails() if e.kind == "kickoff")
        states += forms("schedule", "Pick a slot", kickoff.link("schedule"))
        company.pick_slots(cycle)
        invitation = next(e for e in outbox.sent_emails() if e.kind == "invitation")
        move = invitation.link("reschedule") + "?session=2"
        states += forms("reschedule", "Move conversation 2", move)
        company.move_sessions(cycle, movers=1)  # before anyone stops: a group still meeting
        silent, stopping = troubles(company, cycle)
        states.append(page_state("reschedule-stop", "Stop for the quarter, asked first", stopping))
        company.play_quarter(cycle, movers=0, silent=silent)
        company.export_when_due(cycle)

        emails: dict[str, outbox.SentEmail] = {}
        for email in outbox.sent_emails():
            emails.setdefault(email.kind or email.subject, email)
        for kind, email in emails.items():
            states += [
                State(f"mail-{kind}", f"Email {kind}: {email.subject}", email.html),
                State(
                    f"mail-{kind}-text",
                    f"Email {kind}, text part",
                    text_page(email.subject, email.text),
                ),
            ]

        # The pages the links open once the quarter is over (most answered), each from the
        # last email that has one: the earlier links of a quarter may have expired.
        links = {
            purpose(url): url
            for email in outbox.sent_emails()
            for url in email.links
            if url.startswith(api) and purpose(url) != "signup"
        }
        pages = {kind: browser.get(url) for kind, url in links.items()}
        states += [page_state(kind, f"{kind} page", page) for kind, page in pages.items()]
        # Each form sent empty, but leave's: it has nothing to fill in, so it would just leave.
        states += [
            page_state(f"{kind}-empty", f"{kind} sent empty", browser.post(links[kind], {}))
            for kind, page in pages.items()
            if 'method="post"' in page.html and kind != "leave"
        ]
        answers = {"held": "yes", "helpfulness": "4", "theme": "Focus", "pledge": "Focus time"}
        again = {**answers, "version": "0", "checkin": "done", "impact": "yes"}
        states += [
            page_state(
                "feedback-stale",
                "Feedback sent from a page older than the answer recorded",
                browser.post(links["feedback"], again),
            ),
            page_state("expired", "Signup link past its lifetime", browser.get(signup)),
            page_state("not-found", "A broken link", browser.get(links["profile"] + "x")),
        ]
        states += console(runtime, next(iter(signed_up)))
    return states


def troubles(company: Simulation, cycle: calendar.Cycle) -> tuple[frozenset[str], browser.Page]:
    """What a quarter of the demo seldom sends, set off once the slots are picked: in two pairs
    of one band a member stops (their cancellation, the partner's "partner left") and the two
    left alone ask for a new partner (rematched, then nudged two days on without a time); one
    person's mail bounces (the partner is told); someone asks for fresh links. Returns the
    addresses of a pair that will answer nothing (asked whether it is meeting, reminded of the
    pulse), and the page that asks before stopping."""
    invitations = {
        e.to[0]: e for e in outbox.sent_emails() if e.kind == "invitation" and e.cycle == cycle.id
    }
    by_id = {participant_id(address): address for address in invitations}
    pairs = [
        (group.band, [by_id[m] for m in group.members])
        for group in matches.groups(cycle.id)
        if len(group.members) == 2 and all(m in by_id for m in group.members)
    ]
    bands = Counter(band for band, _ in pairs)
    band = next(band for band, count in bands.items() if count >= 2)
    stopping_pairs = [members for b, members in pairs if b == band][:2]
    silent, bouncing = [members for _, members in pairs if members not in stopping_pairs][:2]

    stop = invitations[stopping_pairs[0][0]].link("reschedule")
    asked = browser.get(stop + "?action=stop")
    for stopper, _ in stopping_pairs:
        link = invitations[stopper].link("reschedule")
        version = browser.get(link + "?action=stop").form().values["version"]
        browser.post(link, {"action": "stop", "version": version})
    company.settle()
    left_alone = {partner for _, partner in stopping_pairs}
    for email in outbox.sent_emails():
        if email.kind == "partner_left" and email.to[0] in left_alone:
            browser.post(email.link("rematch"), {"action": "rematch"})
    company.post_local("/_local/ses-events", {"type": "Bounce", "email": bouncing[0]})
    browser.post(f"{company.runtime.api_url}/links", {"email": bouncing[1]})
    company.settle()
    # The new pair is nudged before the quarter's play picks a time for it (from the kickoffs).
    company.run_schedule_at("reminders", clock.now() + REMATCH_NUDGE_AFTER + timedelta(hours=1))
    return frozenset(silent), asked


def console(runtime: LocalRuntime, someone: str) -> list[State]:
    """The program leads' console as a lead and a viewer reach it, in a browser (it signs in):
    the sign-in page and a wrong password, each page of the menu, a person found (`someone`)
    and the question before erasing them, a search that is not an address and one that finds
    nobody, a person who is not there, the page after signing out, and a lead's page refused
    to a viewer."""
    users = {user.role: user for user in runtime.console_users}
    states: list[State] = []
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        page = chromium.new_page()

        def keep(name: str, caption: str, answer: Response | None) -> None:
            status = answer.status if answer else 0
            states.append(
                State(f"console-{name}", f"Console: {caption} ({status})", page.content())
            )

        def visit(name: str, caption: str, path: str) -> None:
            keep(name, caption, page.goto(runtime.console_url + path))

        def submit(button: str) -> Response | None:
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name=button).click()
            return navigation.value

        def sign_in(role: Role, password: str) -> Response | None:
            page.goto(runtime.console_url)
            page.get_by_label("Email").fill(users[role].email)
            page.get_by_label("Password").fill(password)
            return submit("Sign in")

        keep("sign-in", "sign in", page.goto(runtime.console_url))
        lead, viewer = users[Role.PROGRAM_LEAD], users[Role.VIEWER]
        keep("sign-in-error", "sign in, a wrong password", sign_in(lead.role, viewer.password))
        sign_in(lead.role, lead.password)
        for name in ("overview", "roster", "matching", "exports", "people", "audit", "settings"):
            visit(name, name, "" if name == "overview" else f"/{name}")
        for name, typed in (
            ("not-an-address", "not@an address"),
            ("nobody", "no@one.example"),
            ("too-short", "E"),
            ("several", "Emma"),
        ):
            page.goto(runtime.console_url + "/people")
            page.get_by_label("Their name or email address").fill(typed)
            keep(f"people-{name}", f"people, {typed}", submit("Find"))
        visit("person", "a person found", f"/people/{participant_id(someone)}")
        visit(
            "mark-left",
            "before marking a person as left",
            f"/people/{participant_id(someone)}?confirm=leave",
        )
        visit("erase", "before erasing a person", f"/people/{participant_id(someone)}/erase")
        visit("not-found", "a person who is not there", "/people/p-nobody")
        keep("signed-out", "signed out", submit("Sign out"))
        sign_in(viewer.role, viewer.password)
        visit("refused", "a lead's page, to a viewer", "/roster")
        chromium.close()
    return states


@dataclass(frozen=True)
class Shot:
    state: State
    violations: dict[int, list[tuple[str, str]]]  # width -> serious violations


def photograph(chromium: Browser, states: list[State], out: Path) -> list[Shot]:
    shots = []
    for state in states:
        violations = {}
        for width, height in WIDTHS.items():
            context = chromium.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.set_content(state.html)
            page.screenshot(path=out / f"{state.name}-{width}.png", full_page=True)
            violations[width] = serious_violations(page)
            context.close()
        shots.append(Shot(state, violations))
    return shots


def index(shots: list[Shot]) -> str:
    """The page that shows the images, each state's widths side by side."""
    sections = "".join(
        f"<section><h2>{html.escape(shot.state.caption)}</h2>"
        + "".join(figure(shot, width) for width in WIDTHS)
        + "</section>"
        for shot in shots
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tandem gallery</title>'
        "<style>figure{display:inline-block;vertical-align:top;margin:8px}</style></head>"
        f"<body><h1>Tandem gallery</h1>{sections}</body></html>"
    )


def figure(shot: Shot, width: int) -> str:
    alt = html.escape(f"{shot.state.caption} at {width} px")
    found = len(shot.violations[width])
    return (
        f'<figure><img src="{shot.state.name}-{width}.png" alt="{alt}" width="{width // 2}">'
        f"<figcaption>{width} px · {found} serious violations</figcaption></figure>"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.gallery", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/gallery"))
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    states = collect()
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        shots = photograph(chromium, states, out)
        chromium.close()
    (out / "index.html").write_text(index(shots), encoding="utf-8")
    print(f"{'state':<32} {'widths':<10} serious violations")
    for shot in shots:
        found = sorted({rule for v in shot.violations.values() for rule, _ in v})
        count = sum(len(v) for v in shot.violations.values())
        print(f"{shot.state.name:<32} {'360 1280':<10} {count} {' '.join(found)}")
    failed = sum(bool(v) for shot in shots for v in shot.violations.values())
    print(f"\n{len(shots)} states, {len(shots) * len(WIDTHS)} images in {out / 'index.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
