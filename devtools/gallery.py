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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, sync_playwright

from devtools.chromium import launch, serious_violations
from devtools.local_runtime import outbox
from devtools.simulation import browser
from devtools.simulation.year import Simulation, roster_rows, running
from infra import tenant_files
from tandem.model import calendar

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
        company.play_quarter(cycle, movers=1)
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
