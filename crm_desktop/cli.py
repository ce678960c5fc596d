"""The command line: `python main.py COMMAND` or `crm-desktop COMMAND`; no command opens the window."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError, ProgrammingError

from crm_desktop import __version__
from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.db.engine import DatabaseUnavailable
from crm_desktop.services.errors import CrmError

# Each command lives in crm_desktop/commands/<name>.py with add_parser() and run().
COMMANDS = ("init", "sync", "jobs", "report", "demo", "staff", "privacy")

log = logging.getLogger("crm_desktop")


def _load(name: str):
    try:
        return importlib.import_module(f"crm_desktop.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"crm_desktop.commands.{name}":
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-desktop", description="Desktop CRM for the marketplace.")
    parser.add_argument("--version", action="version", version=f"crm-desktop {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="open the database, run the migrations, report the keychain, and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _load(name)
        if module is not None:
            module.add_parser(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"error: bad configuration: {exc}", file=sys.stderr)
        return 2
    if args.self_test:
        from crm_desktop.self_test import run_self_test
        from crm_desktop.ui.self_check import check_ui

        return run_self_test(settings, ui_check=check_ui)
    if not args.command:
        from crm_desktop.ui.launch import launch

        return launch(settings)
    ctx = AppContext(settings)
    module = _load(args.command)
    try:
        return int(module.run(args, ctx) or 0)
    except (DatabaseUnavailable, CrmError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (NoSuchTableError, ProgrammingError) as exc:
        print(f"error: the database is missing a table or column ({_one_line(exc)}); "
              "run `python main.py init`, and check the platform database URL.", file=sys.stderr)
        return 2
    except (OperationalError, DBAPIError) as exc:
        from crm_desktop.db.errors import describe_db_error

        print(f"error: {describe_db_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    finally:
        ctx.close()
