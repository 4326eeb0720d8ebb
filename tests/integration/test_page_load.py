"""The page load bench at a small size (tests/bench/pages_load.py, in a process of its own, as
the local runtime points every AWS client of its process at the embedded AWS): a hundred
submissions of the feedback form at once, double taps and stale tabs among them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
REQUESTS = 100


def test_concurrent_submissions_are_each_recorded_once_and_none_fails(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.pages_load",
            *("--people", "12", "--requests", str(REQUESTS), "--workers", "32"),
            *("--json", str(out)),
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    result = json.loads(out.read_text())

    # Every answer recorded once and kept, or answered as a conflict with what was kept.
    failures = {k: result[k] for k in ("lost", "doubled", "server_errors")}
    assert failures == {"lost": 0, "doubled": 0, "server_errors": 0}
    assert result["client_errors"] == result["conflicts"]
    assert result["ok"] + result["conflicts"] == REQUESTS
    # The load was what it claims: every request sent, duplicates and stale tabs among them.
    assert result["requests"] == REQUESTS
    assert result["duplicates"] > 0 and result["conflicts"] > 0
