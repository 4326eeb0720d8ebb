"""The `tandem` command: run a tenant locally, play the demo, match people from CSV files."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from tandem.model.tenant import TenantFileError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tandem", description="Tandem peer coaching, run locally."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run a tenant's API on the embedded AWS until Ctrl-C")
    serve.add_argument(
        "--tenant", default="demo", help="a tenant file in infra/tenants/ (default: demo)"
    )
    serve.add_argument("--port", type=int, default=8000, help="API port (default: 8000)")
    serve.add_argument(
        "--aws-port", type=int, help="embedded AWS endpoint port (default: port + 1)"
    )

    demo = commands.add_parser("demo", help="a synthetic company's program, end to end, locally")
    demo.add_argument("--tenant", default="demo")
    demo.add_argument("--people", type=int, default=12)
    demo.add_argument("--seed", type=int, default=7)

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
    target.add_argument(
        "--local",
        nargs="?",
        const="http://127.0.0.1:8000",
        metavar="URL",
        help="the running `tandem serve` (default: http://127.0.0.1:8000)",
    )
    target.add_argument("--stack", help="the tenant's deployed stack, e.g. Tandem-acme")
    export.add_argument("--region", help="the stack's region (default: your AWS profile's)")

    erase = commands.add_parser(
        "erase",
        help="remove a participant's personal data, at their request (see docs/runbook.md)",
    )
    erase.add_argument("--email", required=True, help="the person's address")
    where = erase.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="the tenant's deployed stack, e.g. Tandem-acme")
    where.add_argument("--table", help="the tenant's table, e.g. tandem-demo on the local runtime")
    erase.add_argument("--region", help="the stack's region (default: your AWS profile's)")

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args.tenant, args.port, args.aws_port or args.port + 1)
        if args.command == "match":
            return _match(args)
        if args.command == "erase":
            return _erase(args)
        if args.command == "export":
            return _export(args)
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
    import urllib.error
    import urllib.request

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if args.local:
            request = urllib.request.Request(
                f"{args.local.rstrip('/')}/_local/exports/{args.cycle}", method="POST"
            )
            try:
                with urllib.request.urlopen(request) as response:
                    result = json.load(response)
            except urllib.error.HTTPError as refused:
                result = json.load(refused)
            bucket = "the local bucket"
        else:
            session = boto3.Session(region_name=args.region)
            [stack] = session.client("cloudformation").describe_stacks(StackName=args.stack)[
                "Stacks"
            ]
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
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
    from datetime import UTC, datetime

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from tandem.people import erasure
    from tandem.store.settings import Setting

    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = args.region
    try:
        if args.stack:
            [stack] = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"]
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
            os.environ[Setting.TABLE] = outputs["TableName"]
        else:
            os.environ[Setting.TABLE] = args.table
        done = erasure.erase(args.email, datetime.now(UTC))
    except (BotoCoreError, ClientError, KeyError, ValueError) as error:
        print(f"tandem erase: {error}", file=sys.stderr)
        return 2
    found = "profile deleted" if done.had_profile else "no profile found (marked anyway)"
    print(
        f"{done.participant_id}: {found}; {done.quarters_rekeyed} past quarter(s) moved to an "
        "anonymous alias; rosters will not bring this person back."
    )
    return 0


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
    print(
        f"Tandem for {tenant.organization} (tenant {tenant.name}) is running on the embedded AWS.\n"
        f"  API            {runtime.api_url}\n"
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
