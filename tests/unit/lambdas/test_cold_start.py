"""What a cold pages function loads before it can answer a person who opened a link: nothing
that a page does not need (a person waits for every import), so the gain cannot silently
regress. tests/bench/cold_start.py measures what is left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import wiring

ROOT = Path(__file__).parents[3]

# Modules the pages function must not load, with why a page does without them (the X-Ray SDK,
# the largest single import, has its own test below).
DENIED = {
    "aws_lambda_powertools.utilities.parameters": "imports boto3; the signing key is read by "
    "the store's own client (store/signing_keys.py)",
    "boto3": "its session and resource layer: the store's clients are plain botocore",
    "pydantic": "about 100 ms: the models are dataclasses, which it validates where input comes "
    "in (tandem/model/validation.py), and a page only reads",
    "boto3.resources": "boto3's resource layer",
    "s3transfer": "S3 transfers (with multiprocessing): the exports and roster functions only",
    "tandem.store.bucket": "the bucket: no page reads or writes a file",
    "tandem.store.ses": "sending mail: pages queue it for the mailer",
}


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


def test_the_pages_function_starts_without_a_module_on_the_deny_list() -> None:
    loaded = modules_after("import functions.participant_pages.handler")
    assert {name: why for name, why in DENIED.items() if name in loaded} == {}


def test_the_pages_function_starts_without_the_x_ray_sdk() -> None:
    assert "aws_xray_sdk" not in modules_after("import functions.participant_pages.handler")


def test_the_functions_that_trace_still_load_it() -> None:
    assert "aws_xray_sdk" in modules_after("import functions.reminders.handler")


def data_files_parsed(then: str, first: str = "") -> list[str]:
    """The botocore data files a fresh interpreter parses while it runs `then`, after `first`."""
    probe = f"""
import json
import botocore.loaders
{first}
read = []
load_file = botocore.loaders.JSONFileLoader.load_file
def counted(self, path):
    read.append(path)
    return load_file(self, path)
botocore.loaders.JSONFileLoader.load_file = counted
{then}
print(json.dumps(read))
"""
    read: list[str] = printed_by(probe)
    return read


def printed_by(probe: str) -> Any:
    """What a fresh interpreter running `probe` with the store's settings prints, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-1", "TABLE_NAME": "bench"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_cold_page_parses_each_of_botocores_data_files_once() -> None:
    """A page's first request builds a client for the signing key and one for each item type it
    reads or writes (PynamoDB connects per model class): each would parse botocore's data files
    (the 1 MB endpoints file among them) again if it had a session of its own."""
    read = data_files_parsed(
        """
from tandem.store import clients, table
from tandem.store.participants import ParticipantItem
from tandem.store.plans import PlanItem
clients.client("secretsmanager")
for model in (ParticipantItem, PlanItem):
    model._get_connection().connection.client
table.connection().client
"""
    )
    assert any(path.endswith("/endpoints") for path in read)
    assert sorted(path for path in set(read) if read.count(path) > 1) == []


def test_a_pages_first_request_parses_none_of_botocores_data_files() -> None:
    """Parsed while the function loads, on the full vCPU Lambda gives a function's init, not in
    a person's first request, which runs on the share of one its memory buys."""
    loaded = """
from tandem.store import clients, signing_keys, table
from tandem.store.participants import ParticipantItem
"""
    first_request = """
clients.client("secretsmanager")
ParticipantItem._get_connection().connection.client
"""
    assert data_files_parsed(first_request, first=loaded) == []


def test_showing_a_guide_loads_no_validation() -> None:
    """The schedule and guide pages read the content library, reviewed files shipped with the
    code and validated by the tests (tests/unit/model/test_guides.py), not at every cold start."""
    statement = "from tandem.model import guides; guides.tracks(); guides.circle_tracks(); "
    assert "pydantic" not in modules_after(statement + "guides.drivers()")


def test_building_the_stores_clients_lists_no_folder_of_other_services() -> None:
    """botocore checks a service's name by listing the folders of every service it knows (some
    450, with 2,700 file checks, about 18 ms of a cold start); a wrong name still fails."""
    probe = """
import json, os
from botocore.exceptions import UnknownServiceError
from tandem.store import clients
listdir, listed = os.listdir, []
os.listdir = lambda path: listed.append(path) or listdir(path)
clients.load_service_data("dynamodb", "secretsmanager")
clients.client("secretsmanager")
try:
    clients.client("no-such-service")
    refused = False
except UnknownServiceError:
    refused = True
print(json.dumps([len(listed), refused]))
"""
    listed, refused = printed_by(probe)
    assert listed < 20 and refused


@pytest.mark.parametrize("function", [function.name for function in wiring.FUNCTIONS])
def test_a_function_loads_with_the_garbage_collector_paused(function: str) -> None:
    """The collector would walk everything a cold start makes again and again while it is made
    (tandem/lambdas/cold_start.py): paused while the handler's modules load, then resumed with
    what they made frozen out of its sight."""
    probe = f"""
import gc, json, sys
seen = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "tandem.store.settings":
            seen.append(gc.isenabled())
sys.meta_path.insert(0, Watch())
import functions.{function}.handler
print(json.dumps([seen, gc.isenabled(), gc.get_freeze_count()]))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    during, after, frozen = json.loads(done.stdout)
    assert during == [False]
    assert after is True
    assert frozen > 10_000
