"""The product from the outside: `tandem serve` in its own process, reached over HTTP, with the
AWS CLI, and in a browser, as a newcomer, HR and employees would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from devtools.chromium import launch as chromium_launch
from tests.e2e.support import Served
from tests.support.clock import PINNED

ROOT = Path(__file__).parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    port, aws_port = _free_port(), _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "POWERTOOLS_"))
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "tandem"),
            "serve",
            "--port",
            str(port),
            "--aws-port",
            str(aws_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    api_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(api_url + "/_local/info", timeout=2) as response:
                info = json.load(response)
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(
                    f"tandem serve did not start: {process.stderr.read() if process.stderr else ''}"
                )
            time.sleep(0.3)
    served = Served(info["api_url"], info["aws_endpoint"], info["bucket"])
    # Its clock pinned before anything is signed or stored, as in every test (tests/conftest.py).
    status, _ = served.post(f"/_local/clock?now={quote(PINNED.isoformat())}")
    assert status == 200
    yield served
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = chromium_launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()
