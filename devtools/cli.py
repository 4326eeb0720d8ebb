"""The `tandem` command: run a tenant locally, play the demo, match people from CSV files; and
an operator's steps on a tenant, deployed or local: exports now, erase a person, revoke links,
give someone a role in the console."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from devtools.local_runtime import ADDRESS as LOCAL
from devtools.local_runtime import PORT
from tandem.model.tenant import TenantFileError

LOCAL_HELP = f"the running `tandem serve` (default: {LOCAL})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tandem", description="Tandem peer coaching, run locally."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run a tenant's API on the embedded AWS until Ctrl-C")
    serve.add_argument(
        "--tenant", default="demo", help="a tenant file in infra/tenants/ (default: demo)"
    )
    serve.add_argument("--port", type=int, default=PORT, help=f"API port (default: {PORT})")
    serve.add_argument(
        "--aws-port", type=int, help="embedded AWS endpoint port (default: port + 1)"
    )

    demo = commands.add_parser(
        "demo",
        help="a synthetic company's program, end to end, locally",
        description="A synthetic company's year of peer coaching on the embedded AWS: HR's "
        "roster, signups from the invitations, four quarters through the real pages, emails "
        "and schedules, and HR's exports downloaded into demo-out/.",
    )
    demo.add_argument(
        "--tenant", default="demo", help="a tenant file in infra/tenants/ (default: demo)"
    )
    demo.add_argument(
        "--people",
        type=int,
        default=40,
        metavar="N",
        help="employees on the roster (default: 40, whose 25 team leads can meet in circles all "
        "year; at least one per department at each level above the first: 12 for the demo tenant)",
    )
    demo.add_argument(
        "--seed", type=int, default=7, help="the company and its people's choices (default: 7)"
    )

    match = commands.add_parser(
        "match",
        help="match people from CSV files (the engine on its own)",
        description="PEOPLE.csv: id,department,level,timezone[,manager_id,location,purpose_who,"
        "purpose_why,purpose_how]. HISTORY.csv: cycle,a,b,c (a alone: a sat out), or a circles "
        "file. Pairs write PAIRS.csv: cycle,a,b,c,score, one row per pair or trio; the next "
        "cycle's history is the PAIRS.csv files so far, plus a row cycle,a for each unmatched "
        "person (their priority). Circles write one row per person: cycle,circle,person,score "
        "(an empty circle: left out), which is the next cycle's history as it is. Bad input "
        "exits 2 and writes nothing.",
    )
    match.add_argument("--people", required=True, type=Path, metavar="PEOPLE.csv")
    match.add_argument(
        "--history", type=Path, metavar="HISTORY.csv", help="earlier cycles (pairs or circles)"
    )
    match.add_argument(
        "--format",
        choices=("pairs", "circles"),
        default="pairs",
        help="pairs (a trio for an odd band), or circles of --size (default: pairs)",
    )
    match.add_argument(
        "--size",
        type=int,
        choices=(4, 5, 6),
        help="people per circle, with --format circles (default: 5; one more or one less where "
        "the band does not divide)",
    )
    match.add_argument("--cycle", help="this cycle's id, e.g. 2027-Q1 (default: today's quarter)")
    match.add_argument(
        "--on",
        type=date.fromisoformat,
        help="the cycle's first day, for time zones (default: today)",
    )
    match.add_argument("--out", required=True, type=Path, metavar="OUT.csv")
    match.add_argument(
        "--unmatched", type=Path, metavar="FILE", help="also write who is unmatched, and why"
    )
    match.add_argument(
        "--repeat-window", type=int, default=4, help="cycles before partners may meet again"
    )
    match.add_argument(
        "--min-overlap-hours",
        type=float,
        default=2.0,
        help="working hours a group must share on the cycle's dates (default: 2)",
    )
    match.add_argument(
        "--odd-policy",
        choices=("trio", "sit_out"),
        default="trio",
        help="pairs only: the odd one of a band joins a trio, or sits out (default: trio)",
    )

    export = commands.add_parser(
        "export", help="write a quarter's exports and its year to date now (no email)"
    )
    export.add_argument("--cycle", required=True, help="the quarter, e.g. 2027-Q1")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--local", nargs="?", const=LOCAL, metavar="URL", help=LOCAL_HELP)
    target.add_argument("--stack", help="the tenant's deployed stack, e.g. Tandem-acme")
    export.add_argument("--region", help="the stack's region (default: your AWS profile's)")

    erase = commands.add_parser(
        "erase",
        help="remove a participant's personal data, at their request (see docs/runbook.md)",
        description="Erases the person's data from the tenant's table, checks every place it "
        "could be under, and lists the files in the bucket that still name the address, for HR "
        "to remove. Exits 1 if the check finds something left (run it again), 2 on bad input.",
    )
    revoke = commands.add_parser(
        "revoke",
        help="make every link a participant holds stop working (their next email has new ones)",
    )
    for command in (erase, revoke):
        command.add_argument("--email", required=True, help="the person's address")
        where = command.add_mutually_exclusive_group(required=True)
        where.add_argument("--local", nargs="?", const=LOCAL, metavar="URL", help=LOCAL_HELP)
        where.add_argument("--stack", help="the tenant's deployed stack, e.g. Tandem-acme")
        where.add_argument(
            "--table", help="the tenant's table, through your AWS settings (AWS_ENDPOINT_URL...)"
        )
        command.add_argument("--region", help="the stack's region (default: your AWS profile's)")
    erase.add_argument("--bucket", help="with --table: the bucket to list the files of")

    console = commands.add_parser("console", help="the program leads' console")
    console_commands = console.add_subparsers(dest="console_command", required=True)
    add_user = console_commands.add_parser(
        "add-user",
        help="give someone a role in the console",
        description="Puts the person in the role's group (and out of the other). In a stack "
        "without the company's identity provider, someone new is created with a temporary "
        "password, which they change at their first sign-in, where they also set up their "
        "authenticator app; with --local the password is permanent (no MFA locally). With the "
        "company's provider, the person must have signed in once: run it again then. Exits 2 "
        "on bad input.",
    )
    add_user.add_argument("--email", required=True, help="the person's work address")
    add_user.add_argument("--role", required=True, choices=[r.value for r in _roles()])
    where = add_user.add_mutually_exclusive_group(required=True)
    where.add_argument("--local", nargs="?", const=LOCAL, metavar="URL", help=LOCAL_HELP)
    where.add_argument("--stack", help="the tenant's deployed stack, e.g. Tandem-acme")
    add_user.add_argument("--region", help="the stack's region (default: your AWS profile's)")

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args.tenant, args.port, args.aws_port or args.port + 1)
        if args.command == "match":
            return _match(args)
        if args.command == "erase":
            return _erase(args)
        if args.command == "revoke":
            return _revoke(args)
        if args.command == "export":
            return _export(args)
        if args.command == "console":
            return _add_console_user(args)
        from devtools.simulation import demo as demo_run

        return demo_run.run(args.tenant, args.people, args.seed)
    except TenantFileError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2


def _match(args: argparse.Namespace) -> int:
    from tandem.matching.engine import MatchingRules, match
    from tandem.matching.engine.circle_files import read_groups, write_circles
    from tandem.matching.engine.circles import match_circles
    from tandem.matching.engine.files import InputError, read_people, write_groups, write_unmatched

    if args.size is not None and args.format != "circles":
        print("tandem match: --size goes with --format circles", file=sys.stderr)
        return 2
    today = date.today()
    cycle = args.cycle or f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    try:
        people = read_people(args.people)
        history = read_groups(args.history) if args.history else []
        rules = MatchingRules(
            repeat_window=args.repeat_window,
            min_overlap_hours=args.min_overlap_hours,
            odd_policy=args.odd_policy,
        )
    except (InputError, OSError, ValueError) as error:
        print(f"tandem match: {error}", file=sys.stderr)
        return 2
    on = args.on or today
    if args.format == "circles":
        result = match_circles(people, history, cycle, on, rules, args.size or 5)
        write_circles(args.out, cycle, result)
        kinds = f"circles: {len(result.groups)}"
    else:
        result = match(people, history, cycle, on, rules)
        write_groups(args.out, result.groups)
        trios = sum(len(g.members) == 3 for g in result.groups)
        kinds = f"pairs: {len(result.groups) - trios}, trios: {trios}"
    if args.unmatched:
        write_unmatched(args.unmatched, result.unmatched)
    for left_out in result.unmatched:
        print(f"unmatched {left_out.person_id}: {left_out.reason}", file=sys.stderr)
    matched = sum(len(g.members) for g in result.groups)
    print(
        f"{cycle}: matched {matched} of {len(people)} people ({kinds}) -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    import json

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if args.local:
            result = _local(args.local, f"exports/{args.cycle}")
            bucket = "the local bucket"
        else:
            session = boto3.Session(region_name=args.region)
            outputs = _stack_outputs(session, args.stack)
            answer = session.client("lambda").invoke(
                FunctionName=outputs["ExportsFunctionName"],
                Payload=json.dumps({"cycle": args.cycle}).encode(),
            )
            result = json.load(answer["Payload"])
            bucket = f"s3://{outputs['BucketName']}"
    except (BotoCoreError, ClientError, KeyError, OSError, ValueError) as error:
        print(f"tandem export: {error}", file=sys.stderr)
        return 2
    if "files" not in result:
        print(f"tandem export: {result.get('error') or result}", file=sys.stderr)
        return 2
    print(f"{args.cycle}: wrote {len(result['files'])} files in {bucket}:")
    for key in result["files"]:
        print(f"  {key}")
    return 0


def _erase(args: argparse.Namespace) -> int:
    import os

    from botocore.exceptions import BotoCoreError, ClientError

    from tandem.people import erasure
    from tandem.store.settings import Setting

    try:
        now = _use_tenant(args)
        done = erasure.erase(args.email, now)
        files = erasure.naming_files(args.email) if os.environ.get(Setting.BUCKET) else None
    except (BotoCoreError, ClientError, KeyError, OSError, ValueError) as error:
        print(f"tandem erase: {error}", file=sys.stderr)
        return 2
    found = "profile deleted" if done.had_profile else "no profile found (marked anyway)"
    print(
        f"{done.participant_id}: {found}; {len(done.quarters)} quarter(s) moved to an anonymous "
        "alias; rosters and the open signup will not bring this person back."
    )
    if done.left:
        print("tandem erase: these still name the person; run the command again:", file=sys.stderr)
        for key in done.left:
            print(f"  {key}", file=sys.stderr)
        return 1
    print("Checked: nothing in the table names them any more, but the erasure marker.")
    if files is None:
        print("The bucket was not checked (give --bucket with --table).")
    elif files:
        print("These files in the bucket name the address; HR should remove them:")
        for key in files:
            print(f"  {key}")
    else:
        print("No file in the bucket names the address.")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from tandem.people import revocation

    try:
        if args.local:
            pid = _local(args.local, "revoke", {"email": args.email}).get("revoked")
        else:
            pid = revocation.revoke(args.email, _use_tenant(args))
    except (BotoCoreError, ClientError, KeyError, OSError, ValueError) as error:
        print(f"tandem revoke: {error}", file=sys.stderr)
        return 2
    if pid is None:
        print("tandem revoke: no participant has that address", file=sys.stderr)
        return 2
    print(f"{pid}: every link sent so far no longer works; their next email carries new ones.")
    return 0


def _roles() -> list[Any]:
    from tandem.console.sessions import Role

    return list(Role)


def _add_console_user(args: argparse.Namespace) -> int:
    import json
    import os
    import secrets
    import urllib.request

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from tandem.model.validation import email_address
    from tandem.store.user_pool import NotSignedInYet, UserPool

    try:
        email = email_address(args.email)
        if args.local:
            with urllib.request.urlopen(f"{args.local.rstrip('/')}/_local/info") as response:
                info = json.load(response)
            from devtools.local_runtime.aws import client_environment

            os.environ.update(client_environment(info["aws_endpoint"]))
            pool, client = info["console"]["user_pool"], info["console"]["client_id"]
            where = f"{info['console']['url']}"
        else:
            if args.region:
                os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = args.region
            outputs = _stack_outputs(boto3.Session(), args.stack)
            pool, client = outputs["ConsoleUserPoolId"], outputs["ConsoleClientId"]
            where = outputs["ConsoleUrl"]
        users = UserPool(pool, client)
        others = [role.value for role in _roles() if role.value != args.role]
        member = users.give_role(email, args.role, others)
        password = member.temporary_password
        if password and args.local:
            password = f"Local-{secrets.token_urlsafe(9)}-1"
            users.set_password(member.username, password)
    except NotSignedInYet:
        print(
            f"tandem console add-user: {args.email} has not signed in through the company's "
            "identity provider yet: ask them to sign in once, then run this again",
            file=sys.stderr,
        )
        return 2
    except (BotoCoreError, ClientError, KeyError, OSError, ValueError) as error:
        print(f"tandem console add-user: {error}", file=sys.stderr)
        return 2
    print(f"{email} is now {args.role} of the console at {where}")
    if password and args.local:
        print(f"  password: {password}")
    elif password:
        print(
            f"  temporary password: {password}\n"
            "  Hand it over by a channel other than email; it works for 7 days. At the first "
            "sign-in they choose their own password and set up an authenticator app."
        )
    return 0


def _local(url: str, endpoint: str, body: dict[str, str] | None = None) -> dict[str, Any]:
    """POSTs to a developer endpoint of the running `tandem serve`: its JSON answer, or error."""
    import json
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url.rstrip('/')}/_local/{endpoint}", data, method="POST")
    try:
        with _answer_of(url, request) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as refused:
        answer = json.load(refused)
    return answer


def _answer_of(url: str, request: Any) -> Any:
    """urlopen, with a sentence instead of "Connection refused" when no server runs there."""
    import urllib.error
    import urllib.request

    try:
        return urllib.request.urlopen(request)
    except urllib.error.URLError as error:
        if isinstance(error, urllib.error.HTTPError):
            raise
        raise OSError(
            f"nothing answers at {url}: start the local runtime with `tandem serve` "
            "(or give --local the URL it prints)"
        ) from None


def _use_tenant(args: argparse.Namespace) -> datetime:
    """Points this process at the tenant's table and bucket (the running `tandem serve`'s with
    --local, the stack's with --stack); returns the tenant's time (the local runtime's clock)."""
    import json
    import os

    import boto3

    from tandem.model.clock import clock
    from tandem.store.settings import Setting

    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = args.region
    if args.local:
        from devtools.local_runtime.aws import client_environment

        with _answer_of(args.local, f"{args.local.rstrip('/')}/_local/info") as response:
            info = json.load(response)
        os.environ.update(client_environment(info["aws_endpoint"]))
        os.environ[Setting.TABLE], os.environ[Setting.BUCKET] = info["table"], info["bucket"]
        return datetime.fromisoformat(info["now"])
    if args.stack:
        outputs = _stack_outputs(boto3.Session(), args.stack)
        os.environ[Setting.TABLE] = outputs["TableName"]
        os.environ[Setting.BUCKET] = outputs["BucketName"]
    else:
        os.environ[Setting.TABLE] = args.table
        if getattr(args, "bucket", None):
            os.environ[Setting.BUCKET] = args.bucket
    return clock.now()


def _stack_outputs(session: Any, stack: str) -> dict[str, str]:
    [found] = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}


def _serve(tenant_name: str, port: int, aws_port: int) -> int:
    import logging

    from devtools.local_runtime.runtime import LocalRuntime
    from devtools.local_runtime.server import serve_in_background
    from infra import tenant_files

    tenant = tenant_files.tenant(tenant_name)
    runtime = LocalRuntime(tenant, api_port=port, aws_port=aws_port)
    runtime.start()
    server = serve_in_background(runtime, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    assert runtime.resources is not None
    bucket = runtime.resources.bucket
    lead = runtime.console_users[0]
    print(
        f"Tandem for {tenant.organization} (tenant {tenant.name}) is running on the embedded AWS.\n"
        f"  API            {runtime.api_url}\n"
        f"  Console        {runtime.console_url}   (sign in as {lead.email}, password "
        f"{lead.password}; the viewer's sign-in is in Info)\n"
        f"  AWS endpoint   {runtime.aws.endpoint}   (credentials: any; region eu-west-1)\n"
        f"  Outbox         {runtime.api_url}/_local/outbox\n"
        f"  Info           {runtime.api_url}/_local/info\n\n"
        f"Import a roster as HR would:\n"
        f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region eu-west-1 \\\n"
        f"    --endpoint-url {runtime.aws.endpoint} s3 cp roster.csv s3://{bucket}/roster/roster.csv\n"
        "Ctrl-C stops (the embedded AWS keeps nothing)."
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        runtime.stop()
    return 0
