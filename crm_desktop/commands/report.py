"""`report`: print a report (owners, properties, funnel, memberships) as a table, JSON or safe CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from crm_desktop.app import AppContext
from crm_desktop.reports.catalog import REPORTS, ReportOptions, run_report
from crm_desktop.reports.render import FORMATS, render
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.audit import log_activity
from crm_desktop.services.errors import ValidationError
from crm_desktop.timeutil import parse_day, utcnow


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="print a report: owners, properties, funnel, memberships, segments, scores or outbox",
                       description="Reports computed from the CRM database (exact money, SQL aggregates).")
    p.add_argument("name", choices=list(REPORTS), help="which report")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--owner", metavar="ID", help="only this owner (contact id)")
    p.add_argument("--property", metavar="ID", help="properties report: only this property (CRM id)")
    p.add_argument("--month", metavar="YYYY-MM", help="only this month (churn month for memberships)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to report as of (default: today, UTC)")
    p.add_argument("--limit", type=int, metavar="N", help="owners report: at most N owners")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of the terminal")


def parse_today(value: str | None) -> date:
    if not value:
        return utcnow().date()
    try:
        day = parse_day(value)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({"today": f"must be a date YYYY-MM-DD, not {value!r}"})
    return day


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.require_schema()
    options = ReportOptions(today=parse_today(args.today), owner_id=args.owner, property_id=args.property,
                            month=args.month, limit=args.limit)
    with ctx.db.read() as session:
        report = run_report(session, SYSTEM, args.name, options)
    text = render(report, args.format)
    if not args.output:
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ValidationError({"output": f"cannot write {path}: {exc.strerror}"}) from exc
    ctx.db.write(lambda s: log_activity(s, SYSTEM, "report", args.name, "exported",
                                        metadata={"format": args.format, "rows": len(report.rows),
                                                  "file": str(path), **report.params}))
    print(f"Wrote {len(report.rows)} rows of the {report.title.lower()} report to {path}.", file=sys.stderr)
    return 0
