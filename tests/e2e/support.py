"""What the tests of this folder share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from devtools.chromium import serious_violations


def no_serious_violations(page: Page) -> None:
    serious = serious_violations(page)
    assert serious == [], serious


@dataclass(frozen=True)
class Served:
    api_url: str
    aws_endpoint: str
    bucket: str

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.api_url + path, timeout=10) as response:
            return json.load(response)

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api_url + path, data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def outbox(self) -> list[dict[str, Any]]:
        emails: list[dict[str, Any]] = self.get_json("/_local/outbox.json")
        return emails

    def wait_for_emails(self, count: int, timeout_s: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(emails := self.outbox()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} emails, the outbox has {len(emails)}")
            time.sleep(0.2)
        return emails

    def wait_until_idle(self, timeout_s: float = 30) -> dict[str, Any]:
        """/_local/info once no queue has a message waiting or in flight."""
        deadline = time.monotonic() + timeout_s
        while True:
            info = self.get_json("/_local/info")
            busy = [q for q in info["queues"].values() if q["waiting"] or q["in_flight"]]
            if not busy or time.monotonic() > deadline:
                return info
            time.sleep(0.2)

    def tandem(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The `tandem` command as the operator runs it against this runtime."""
        command = [str(Path(sys.executable).parent / "tandem"), *args, "--local", self.api_url]
        return subprocess.run(command, capture_output=True, text=True)

    def aws(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The AWS CLI as HR runs it, pointed at the embedded AWS."""
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "hr",
            "AWS_SECRET_ACCESS_KEY": "hr",
            "AWS_DEFAULT_REGION": "eu-west-1",
        }
        cli = Path(sys.executable).parent / "aws"
        return subprocess.run(
            [str(cli), "--endpoint-url", self.aws_endpoint, *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
