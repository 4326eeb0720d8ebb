"""A program year on the local runtime, run once clean and once with 10% of its
AWS calls failing (tests/support/program_run.py, each in its own process, side by side): the same
people, groups, plans, answers, pledges, check-ins, pulse answers and exported files in the end,
every email sent once, nothing dead-lettered; and the logs of the faulted run hold no address,
name, pledge or link token."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devtools.simulation.year import PLEDGES

ROOT = Path(__file__).parents[2]
# The whole year, each quarter to its pulse and exports, and the year to date: both runs side by
# side take about five minutes on this two-core machine when it is loaded, the faulted one twice
# the clean one's.
QUARTERS = 4
PROGRAM = (
    *(sys.executable, "-m", "tests.support.program_run", "--people", "12", "--seed", "3"),
    *("--quarters", str(QUARTERS)),
)
# A link's secret: a page's signed token.
TOKEN = re.compile(
    r"/(?:signup|profile|pause|leave|preferences|schedule|reschedule|rematch|guide|feedback"
    r"|pulse)/([^/?#&\s]+)"
)


def run(tmp: Path, name: str, *options: str) -> tuple[dict[str, Any], str]:
    out, logs = tmp / f"{name}.json", tmp / f"{name}.log"
    with logs.open("w") as log:
        subprocess.run(
            [*PROGRAM, "--out", str(out), *options],
            cwd=ROOT,
            env=os.environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return json.loads(out.read_text()), logs.read_text()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    tmp = tmp_path_factory.mktemp("program")
    with ThreadPoolExecutor(2) as pool:
        clean = pool.submit(run, tmp, "clean")
        faulted = pool.submit(run, tmp, "faulted", "--faults", "0.1", "--fault-seed", "11")
        return {"clean": clean.result(), "faulted": faulted.result()}


def sends(state: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    return Counter((*e["to"], e["kind"], e["cycle"], e["session"]) for e in state["outbox"])


def test_faults_were_injected_into_every_service_and_the_clean_run_had_none(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    clean, faulted = runs["clean"][0], runs["faulted"][0]
    assert clean["faults"] == {} and not any(clean["dead_letters"].values())
    services = {fault.split(".")[0] for fault in faulted["faults"]}
    assert services == {"dynamodb", "ses", "s3", "sqs"}
    assert sum(faulted["faults"].values()) > 0.05 * faulted["attempts"]


def test_the_program_ends_in_the_same_state_with_faults(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    clean, faulted = runs["clean"][0], runs["faulted"][0]
    kinds = Counter(item["sk"]["S"].split("#")[0] for item in clean["table"])
    assert {"PROFILE", "GROUP", "PLAN", "FEEDBACK", "PULSE"} <= set(kinds)  # the state is real
    assert {"pledge", "checkin"} <= {field for item in clean["table"] for field in item}
    cycles = {item["pk"]["S"] for item in clean["table"] if item["sk"]["S"].startswith("GROUP#")}
    assert len(cycles) == QUARTERS
    assert faulted["table"] == clean["table"]


def test_the_exports_hold_the_same_figures_and_rows_with_faults(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    clean, faulted = runs["clean"][0], runs["faulted"][0]
    quarters = [f"2027-Q{n}" for n in range(1, QUARTERS + 1)]
    for scope in (*quarters, "2027"):
        for table in ("summary", "participants", "groups", "conversations", "pledges"):
            assert f"exports/{scope}/{table}.csv" in clean["exports"]
    # The first quarters show the figures of sessions, pledges, check-ins and the pulse. By the
    # last, few of the twelve have anyone new left to meet: its answers are about too few
    # people, and the year's, which would give them away, are hidden with them.
    for scope in quarters[:2]:
        summary = csv.DictReader(io.StringIO(clean["exports"][f"exports/{scope}/summary.csv"]))
        shown = {row["metric"] for row in summary if row["scope"] == "all" and row["value"]}
        assert {"conversations_held", "completion_rate", "ongoing_intent_rate"} <= shown
    assert faulted["exports"] == clean["exports"]


def test_every_email_is_sent_once_and_the_same_ones_with_faults(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    clean, faulted = runs["clean"][0], runs["faulted"][0]
    for state in (clean, faulted):
        ids = Counter(e["mail_id"] for e in state["outbox"])
        assert [i for i, n in ids.items() if n > 1] == []
    assert {e["mail_id"] for e in faulted["outbox"]} == {e["mail_id"] for e in clean["outbox"]}
    assert sends(faulted) == sends(clean)
    assert {"after_session", "pulse", "exports_ready"} <= {e["kind"] for e in clean["outbox"]}


def test_the_retries_see_every_message_through_and_none_is_dead_lettered(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    # The SDK's retries, the handlers' idempotency and SQS's redelivery (as on AWS, after the
    # in-progress record of a failed invocation expired) are enough at this rate of faults:
    # a dead letter here is a message that failed every delivery, a handler to fix.
    faulted = runs["faulted"][0]
    assert not any(faulted["dead_letters"].values())


def test_the_logs_of_the_faulted_run_hold_no_personal_data_or_token(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    state, logs = runs["faulted"]
    structured = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert len(structured) > 100 and {"level", "service", "message"} <= set(structured[0])
    secrets = {pledge for _theme, pledge in PLEDGES}
    for email in state["outbox"]:
        secrets.update(email["to"])
        secrets.update(match for link in email["links"] for match in TOKEN.findall(link))
    for item in state["table"]:
        if "name" in item:
            secrets.add(item["name"]["S"])
    assert len(secrets) > 30
    assert [s for s in secrets if s in logs] == []
