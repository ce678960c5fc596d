"""`demo`: build a realistic platform database (hundreds of owners and properties, thousands of
enquiries, bookings and memberships over two years) at the platform URL, then sync it into the CRM."""

from __future__ import annotations

import argparse
import time

from sqlalchemy import func, inspect, select

from crm_desktop.app import AppContext
from crm_desktop.commands.sync import print_summary, stderr_progress
from crm_desktop.db.engine import redact_url
from crm_desktop.db.models import Contact
from crm_desktop.services.staff import needs_first_admin
from crm_desktop.sync.platform_tables import USER


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build a demo platform database and sync it into the CRM")
    p.add_argument("--if-empty", action="store_true", help="do nothing when the CRM already has contacts")
    p.add_argument("--seed", type=int, default=7, help="random seed (the same seed gives the same data)")
    p.add_argument("--owners", type=int, default=300, help="number of owners (default 300)")


def _platform_has_data(ctx: AppContext) -> bool:
    engine = ctx.platform_db.engine
    if not inspect(engine).has_table("user"):
        return False
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(USER)).scalar())


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from crm_desktop.demo.build import build_demo

    ctx.require_schema()
    if args.if_empty:
        with ctx.db.read() as s:
            if s.scalar(select(func.count()).select_from(Contact)):
                print("The CRM already has contacts; demo data not added.")
                return 0
    started = time.monotonic()
    where = redact_url(ctx.settings.platform_database_url)
    generate = not _platform_has_data(ctx)
    if not generate:
        print(f"The platform database {where} already has data; syncing it instead of adding demo data.")
    # Staff work is only invented on generated data, never on a real platform's enquiries.
    built = build_demo(ctx, owners=args.owners, seed=args.seed, generate=generate, progress=stderr_progress())
    if built.platform_counts is not None:
        counts = built.platform_counts
        print(f"Demo platform built in {where}: {counts.owners} owners, {counts.properties} properties, "
              f"{counts.guests} guests, {counts.enquiries} enquiries, {counts.bookings} bookings, "
              f"{counts.subscriptions} subscriptions, {counts.payments} payments.")
    print_summary(built.sync)
    if built.activity is not None:
        print(built.activity.summary())
    for result in built.jobs.results:  # segments, membership statuses, reminders (details: `jobs`)
        print(f"Daily job {result.job}: {result.message}")
    with ctx.db.read() as session:
        if needs_first_admin(session):
            print("Nobody can sign in yet (the demo staff have no passwords): the window offers to create "
                  "the first admin, or Cancel to look around without accounts.")
    print(f"Done in {time.monotonic() - started:.1f} s.")
    return 0
