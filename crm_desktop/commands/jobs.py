"""`jobs`: run the daily jobs now (once per day unless --force), or show/edit the reminder template."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crm_desktop.app import AppContext
from crm_desktop.commands.report import parse_today
from crm_desktop.jobs import templates
from crm_desktop.jobs.daily import JOBS, DailyReport, run_daily_jobs
from crm_desktop.services.actor import SYSTEM
from crm_desktop.services.errors import ValidationError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "jobs", help="run the daily jobs (membership statuses, segments, renewal reminders)",
        description="Each job runs once a day across all desktops sharing the database; a second run the "
                    "same day says so and does nothing unless --force is given.")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to run for (default: today, UTC)")
    p.add_argument("--force", action="store_true", help="run again even if already run for that day")
    p.add_argument("--only", metavar="JOB", action="append", choices=list(JOBS),
                   help="run only this job (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    tpl = p.add_mutually_exclusive_group()
    tpl.add_argument("--show-template", action="store_true", help="print the renewal reminder template")
    tpl.add_argument("--set-template", metavar="FILE", help="use the template in FILE ('Subject: ...' first)")
    tpl.add_argument("--reset-template", action="store_true", help="go back to the default template")


def print_report(report: DailyReport, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    print(f"Daily jobs for {report.day}")
    for r in report.results:
        print(f"- {r.job}: {r.message}")
        for line in r.changes:
            print(f"    {line}")


def _template(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.show_template:
        with ctx.db.read() as s:
            sys.stdout.write(templates.get_template(s))
        return 0
    text = None
    if args.set_template:
        try:
            text = Path(args.set_template).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError({"template": f"cannot read {args.set_template}: {exc.strerror}"}) from exc
    ctx.db.write(lambda s: templates.set_template(s, SYSTEM, text))
    print("Renewal reminder template saved." if text else "Renewal reminder template reset to the default.")
    return 0


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.require_schema()
    if args.show_template or args.set_template or args.reset_template:
        return _template(args, ctx)
    report = run_daily_jobs(ctx, parse_today(args.today), force=args.force,
                            only=tuple(args.only) if args.only else None)
    print_report(report, args.format)
    return 0
