"""The `tandem` command: run a tenant locally, play the demo, match from CSV files."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tandem.tenant import TenantFileError


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

    demo = commands.add_parser(
        "demo", help="a synthetic company signs up, end to end, on the embedded AWS"
    )
    demo.add_argument("--tenant", default="demo")
    demo.add_argument("--people", type=int, default=120)
    demo.add_argument("--seed", type=int, default=7)

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args.tenant, args.port, args.aws_port or args.port + 1)
        from infra.local import demo as demo_run

        return demo_run.run(args.tenant, args.people, args.seed)
    except TenantFileError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2


def _serve(tenant_name: str, port: int, aws_port: int) -> int:
    import logging

    from infra import tenant_files
    from infra.local.runtime import LocalRuntime
    from infra.local.server import serve_in_background

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
