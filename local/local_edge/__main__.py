"""``python -m local_edge up|down|ports|token|rotate|metrics|edge``: the local stack's command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from local_edge.edge import EdgeConfig, serve
from local_edge.metrics import format_table, read_log_dir, summarize, write_chart
from local_edge.stack import (
    Settings,
    StackError,
    check_ports,
    demo_call_problem,
    demo_token,
    down,
    rotate_client_secret,
    up,
)


def print_metrics(logs: Path, png: Path) -> int:
    """The metrics table on stdout and the chart at ``png``; 1 when the logs hold no record."""
    if not logs.is_dir():
        print(f"error: no function logs at {logs}: run `make local` first", file=sys.stderr)
        return 1
    points = read_log_dir(logs)
    if not points:
        print(f"error: no metrics records in {logs}/*.log yet: call the stack (curl lines of `make local`)")
        return 1
    print(format_table(summarize(points)))
    chart = write_chart(points, png)
    print(f"\nrequests by outcome: {chart}" if chart else "\nno Requests metric to chart yet")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_edge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start moto, terraform apply examples/local, start the edge (idempotent)")
    commands.add_parser("down", help="stop every process `up` started and remove the state folder")
    commands.add_parser("ports", help="check that the stack's ports are free (or its own); start nothing")
    token = commands.add_parser("token", help="print an access token of a client (for curl)")
    token.add_argument("--scope", help="space-separated scopes (default: all the client's scopes)")
    token.add_argument("--client", default="demo", help="client key in the module's clients map")
    rotate = commands.add_parser("rotate", help="rotate a client's secret now (Secrets Manager's four steps)")
    rotate.add_argument("--client", default="demo", help="client key in the module's clients map")
    metrics = commands.add_parser("metrics", help="print the functions' metrics from the stack's logs; chart")
    metrics.add_argument("--logs", type=Path, help="folder of the function logs (default: the stack's)")
    metrics.add_argument("--png", type=Path, help="requests by outcome chart (default: <state>/metrics.png)")
    edge = commands.add_parser("edge", help="run the edge servers in the foreground")
    edge.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "edge":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        serve(EdgeConfig.load(args.config))
        return 0
    try:
        settings = Settings()
        if args.command == "up":
            info = up(settings)
            return 0 if demo_call_problem(info.client_status, info.client_body) is None else 1
        if args.command == "ports":
            check_ports(settings)
            return 0
        if args.command == "rotate":
            print(f"==> rotating the secret of client {args.client!r} ...")
            done = rotate_client_secret(settings, args.client)
            print(
                f"    client {done['client_id']} kept its id; its new secret's id is "
                f"{done['client_secret_id']} (the id Cognito gives the secret, not the secret)"
            )
            return 0
        if args.command == "metrics":
            return print_metrics(args.logs or settings.logs, args.png or settings.state_dir / "metrics.png")
        if args.command == "token":
            print(demo_token(settings, args.scope, args.client)["access_token"])
            return 0
        down(settings)
        return 0
    except (StackError, ValueError) as err:  # ValueError: a LOCAL_*_PORT that is not a port
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
