"""`tandem serve`: the embedded AWS and the developer endpoints, used from outside."""

from __future__ import annotations

import json
import time
from pathlib import Path

from infra import wiring
from tests.e2e.support import Served

ROSTER = """email,name,department,level,timezone,manager_email,location
kai@northwind.example,Kai Müller,Engineering,Manager,Europe/Berlin,,Berlin
noor@northwind.example,Noor Haddad,Finance,Manager,Asia/Dubai,,Dubai
"""


def test_info_describes_the_running_tenant(served: Served) -> None:
    info = served.get_json("/_local/info")
    assert info["tenant"] == "demo"
    assert info["api_url"] == served.api_url
    assert info["aws_endpoint"].startswith("http://127.0.0.1:")
    assert info["bucket"] == "tandem-demo-data"
    assert isinstance(info["schedules"], list)


def test_info_lists_the_consoles_address_and_its_two_seeded_users(served: Served) -> None:
    console = served.get_json("/_local/info")["console"]
    assert console["url"] == f"{served.api_url}/console"
    assert {user["role"] for user in console["users"]} == {"program-lead", "viewer"}
    assert all(user["email"] and user["password"] for user in console["users"])


def test_the_openapi_document_lists_every_link_page_route_with_html_answers(served: Served) -> None:
    document = served.get_json("/_local/openapi.json")
    served_routes = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    # The link pages' document: the console's routes are not in it (they answer a browser's
    # session, not a token), so the fuzzing of the pages does not take them in.
    pages = [r for r in wiring.ROUTES if r.function == wiring.PARTICIPANT_PAGES.name]
    assert served_routes == {(route.method, route.path) for route in pages}
    answers = document["paths"]["/feedback/{token}"]["post"]["responses"]
    assert {"200", "400", "404", "410", "413"} <= set(answers)
    assert all(list(answer["content"]) == ["text/html"] for answer in answers.values())


def test_hr_imports_a_roster_with_the_real_aws_cli(served: Served, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    before = len(served.outbox())
    imports_before = served.get_json("/_local/info")["invocations"].get("roster_import", 0)
    served.aws("s3", "cp", str(roster), f"s3://{served.bucket}/roster/hr upload.csv")
    emails = served.wait_for_emails(before + 2)[before:]
    assert sorted(e["to"][0] for e in emails) == ["kai@northwind.example", "noor@northwind.example"]
    for email in emails:
        assert set(email) == {
            *("id", "to", "subject", "text", "html", "links", "sent_at"),
            *("kind", "mail_id", "cycle", "session", "attachments", "reply_to"),
        }
        assert (email["kind"], email["cycle"], email["session"]) == ("invite", None, None)
        assert email["reply_to"] == ["camille.martin@northwind.example"]
        assert any(link.startswith(served.api_url + "/signup/") for link in email["links"])
    results = served.aws(
        "s3", "cp", f"s3://{served.bucket}/roster/results/hr upload.csv", "-"
    ).stdout
    assert results.splitlines()[1:] == [
        "2,kai@northwind.example,created,",
        "3,noor@northwind.example,created,",
    ]
    # The results file, written under roster/ too, is not taken for one more upload.
    info = served.wait_until_idle()
    assert info["invocations"]["roster_import"] == imports_before + 1  # other tests import too


def test_the_clock_can_be_moved_and_refuses_nonsense(served: Served) -> None:
    status, body = served.post("/_local/clock?now=2027-01-11T09:00:00%2B01:00")
    assert status == 200 and body["now"].startswith("2027-01-11T08:00:00")
    status, body = served.post("/_local/clock?now=tomorrow")
    assert status == 400 and "ISO-8601" in body["error"]


def test_a_bounce_can_be_played_to_the_mail_events_function(served: Served) -> None:
    status, body = served.post(
        "/_local/ses-events", {"type": "Bounce", "email": "gone@northwind.example"}
    )
    assert (status, body) == (202, {"queued": "mail-events"})
    deadline = time.monotonic() + 30
    while (queue := served.get_json("/_local/info")["queues"]["mail-events"])["waiting"] or queue[
        "in_flight"
    ]:
        assert time.monotonic() < deadline, queue
        time.sleep(0.2)
    assert queue["dead_letters"] == 0  # handled: nobody has that address
    status, body = served.post("/_local/ses-events", {"type": "Delivery", "email": "x@y.example"})
    assert status == 400 and "Bounce or Complaint" in body["error"]


def test_an_unknown_schedule_is_refused_with_the_known_ones(served: Served) -> None:
    status, body = served.post("/_local/schedules/no-such-schedule")
    assert status == 404 and "no schedule named 'no-such-schedule'" in body["error"]


def test_a_schedule_runs_at_the_local_clock_and_reports_what_it_did(served: Served) -> None:
    # A week before 2027-Q1 (Monday 11 January, 09:00 in Paris): the notice is due
    assert served.post("/_local/clock?now=2027-01-04T10:00:00%2B01:00")[0] == 200
    status, report = served.post("/_local/schedules/matching")
    assert status == 200 and report["notice"]["cycle"] == "2027-Q1"
    assert report["notice"]["preview"] == "matching/preview-2027-Q1.csv"
    assert served.post("/_local/schedules/matching") == (200, {})  # done already: nothing more


def test_a_malformed_page_address_gets_the_friendly_page(served: Served) -> None:
    import urllib.error
    import urllib.request

    for path in ("/pause/", "/signup/abc/extra", "/JOIN"):
        try:
            urllib.request.urlopen(served.api_url + path, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404
            assert "Page not found" in error.read().decode()
            assert error.headers["Content-Type"].startswith("text/html")
        else:
            raise AssertionError(f"{path} answered 200")


def test_hr_exports_a_quarter_on_demand_and_downloads_it(served: Served, tmp_path: Path) -> None:
    done = served.tandem("export", "--cycle", "2027-Q1")
    assert done.returncode == 0, done.stderr
    assert "exports/2027-Q1/report.html" in done.stdout

    served.aws("s3", "cp", "--recursive", f"s3://{served.bucket}/exports/", str(tmp_path))
    names = {p.name for p in (tmp_path / "2027-Q1").iterdir()}
    assert {"participants.csv", "pledges.csv", "summary.csv", "tandem-2027-Q1.xlsx"} <= names
    assert (tmp_path / "2027" / "tandem-2027.xlsx").is_file()

    refused = served.tandem("export", "--cycle", "2027-Q9")
    assert refused.returncode == 2 and "no cycle '2027-Q9'" in refused.stderr


def test_an_operator_revokes_then_erases_a_person_on_the_running_tenant(
    served: Served, tmp_path: Path
) -> None:
    import urllib.error
    import urllib.request

    def opened(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code

    roster = tmp_path / "rhea.csv"
    roster.write_text(
        "email,name,department,level,timezone,manager_email\n"
        "rhea@northwind.example,Rhea Stone,Legal,Manager,Europe/Madrid,\n"
    )
    before = len(served.outbox())
    served.aws("s3", "cp", str(roster), f"s3://{served.bucket}/roster/rhea.csv")
    [invite] = served.wait_for_emails(before + 1)[before:]
    signup = next(link for link in invite["links"] if "/signup/" in link)
    assert opened(signup) == 200
    time.sleep(1.1)  # a revocation refuses the links signed before its second
    revoked = served.tandem("revoke", "--email", "rhea@northwind.example")
    assert revoked.returncode == 0, revoked.stderr
    assert opened(signup) == 410
    status, body = served.post("/_local/revoke", {"email": "nobody@northwind.example"})
    assert status == 404 and "no participant" in body["error"]
    assert served.post("/_local/revoke", ["rhea"])[0] == 400

    erased = served.tandem("erase", "--email", "rhea@northwind.example")
    assert erased.returncode == 0, erased.stderr
    assert "profile deleted" in erased.stdout and "nothing in the table names them" in erased.stdout
    assert "roster/rhea.csv" in erased.stdout and "roster/results/rhea.csv" in erased.stdout


def test_a_message_that_always_fails_comes_back_at_once_until_it_is_dead_lettered(
    served: Served,
) -> None:
    """The runtime makes a failed message visible again at once, where SQS would wait out the
    visibility timeout; its receive count still grows, and the last receive dead-letters it."""
    [queue] = [q for q in wiring.QUEUES if q.name == "mail-events"]
    before = served.get_json("/_local/info")["invocations"].get(queue.consumer, 0)
    found = served.aws("sqs", "get-queue-url", "--queue-name", "tandem-demo-mail-events").stdout
    started = time.monotonic()
    url = json.loads(found)["QueueUrl"]
    served.aws("sqs", "send-message", "--queue-url", url, "--message-body", "not a notification")
    info = served.wait_until_idle()
    assert info["queues"][queue.name]["dead_letters"] == 1
    assert info["invocations"][queue.consumer] - before == queue.max_receive_count
    # One visibility timeout alone would be minutes: the five deliveries took seconds.
    assert time.monotonic() - started < min(30, queue.visibility_timeout_s)
