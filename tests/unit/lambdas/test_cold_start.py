"""What a cold pages function loads before it can answer a person who opened a link: not the
X-Ray SDK (the largest single import), which only the functions that trace need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]


def modules_after(statement: str) -> set[str]:
    probe = f"{statement}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "false"},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout))


def test_the_pages_function_starts_without_the_x_ray_sdk() -> None:
    assert "aws_xray_sdk" not in modules_after("import functions.participant_pages.handler")


def test_the_functions_that_trace_still_load_it() -> None:
    assert "aws_xray_sdk" in modules_after("import functions.reminders.handler")
