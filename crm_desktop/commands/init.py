"""`init`: create or upgrade the CRM database to the newest schema; harmless to repeat."""

from __future__ import annotations

import argparse

from crm_desktop.app import AppContext
from crm_desktop.db.engine import redact_url
from crm_desktop.db.migrate import upgrade


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("init", help="create or upgrade the CRM database")


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.check_reachable()
    before, after = upgrade(ctx.db.engine)
    where = redact_url(ctx.settings.database_url)
    if before == after:
        print(f"CRM database {where} is up to date (schema {after}).")
    else:
        print(f"CRM database {where} upgraded from {before or 'empty'} to schema {after}.")
    return 0
