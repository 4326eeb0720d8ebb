"""Headless Chromium as the project runs it (the system's own, never a downloaded one) and the
accessibility check, shared by the browser tests and the gallery."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright

EXECUTABLE = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=ARGS, headless=True)


def serious_violations(page: Page) -> list[tuple[str, str]]:
    """The page's serious and critical accessibility violations: (rule, what it asks)."""
    found = Axe().run(page).response["violations"]
    return [(v["id"], v["help"]) for v in found if v["impact"] in ("serious", "critical")]
