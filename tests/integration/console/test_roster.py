"""A roster uploaded from the console lands under roster/ as `aws s3 cp` would put it, goes
through the same import, and its results are read back on the console, rejected rows first."""

from __future__ import annotations

from urllib.parse import quote

from devtools.local_runtime.aws import Resources
from functions.roster_import import handler as roster_import
from tandem.model.clock import clock
from tandem.store import audit
from tests.integration.console.support import CONSOLE, Browser, location
from tests.integration.support import ROSTER, context, upload


def _form(page: str) -> dict[str, str]:
    """The hidden fields of the page's upload form."""
    fields = {}
    for chunk in page.split('<input type="hidden" name="')[1:]:
        name, _, rest = chunk.partition('" value="')
        fields[name] = rest.partition('"')[0]
    return fields


def test_an_upload_is_imported_as_any_and_its_results_show_rejected_rows_first(
    aws: Resources, lead: Browser
) -> None:
    page = lead.get(f"{CONSOLE}/roster")
    assert page["statusCode"] == 200
    fields = _form(page["body"])
    key = fields["key"]
    assert key.startswith("roster/console/") and key.endswith(".csv")
    assert fields["success_action_redirect"] == f"{CONSOLE}/roster/uploaded"
    # What S3 does with the browser's form: stores the file, then the notification's import.
    roster_import.handler(upload(aws, key, ROSTER), context("roster_import"))
    back = lead.get(f"{CONSOLE}/roster/uploaded?bucket={aws.bucket}&key={quote(key)}")
    assert back["statusCode"] == 303
    results = lead.get(location(back))
    assert results["statusCode"] == 200
    body = results["body"]
    assert "3 created" in body and "1 rejected" in body
    assert body.index("bad@@acme") < body.index("ada@acme.example")  # rejected first
    assert key.removeprefix("roster/") in lead.get(f"{CONSOLE}/roster")["body"]  # past imports
    [uploaded] = [e for e in audit.of_month(clock.now()) if e.action == "uploaded-roster"]
    assert uploaded.subject == key


def test_a_file_that_is_not_a_roster_is_refused_whole_in_words(
    aws: Resources, lead: Browser
) -> None:
    key = _form(lead.get(f"{CONSOLE}/roster")["body"])["key"]
    roster_import.handler(upload(aws, key, "%PDF-1.7 not a csv\x00"), context("roster_import"))
    name = key.removeprefix("roster/")
    body = lead.get(f"{CONSOLE}/roster/results?file={quote(name)}")["body"]
    assert "whole file" in body and "0 created" in body


def test_results_not_ready_yet_say_so_and_other_keys_are_no_page(lead: Browser) -> None:
    waiting = lead.get(f"{CONSOLE}/roster/results?file=console%2Fnot-yet.csv")
    assert waiting["statusCode"] == 200 and "The import is running" in waiting["body"]
    for name in ("results/x.csv", "../exports/2027/summary.csv"):
        answer = lead.get(f"{CONSOLE}/roster/results?file={quote(name)}")
        assert answer["statusCode"] == 404
    assert lead.get(f"{CONSOLE}/roster/uploaded?key=exports%2Fx.csv")["statusCode"] == 404
