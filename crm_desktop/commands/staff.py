"""`staff`: manage staff accounts and the sensitive-data key from the command line.

The very first account (no admin yet) needs no sign-in and is always an admin. After that, changes are
made by a signed-in admin: `--as EMAIL`, with their password from a prompt or CRM_ADMIN_PASSWORD.
New passwords come from a prompt (asked twice, never echoed) or CRM_STAFF_PASSWORD for scripts.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from crm_desktop.app import AppContext
from crm_desktop.services import sensitive, staff
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import CrmError, NotFoundError

# Reads from the command line need no sign-in (the database URL is the key to the data) and cannot write.
CLI_READER = Actor("command-line", "viewer", "Command line")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("staff", help="staff accounts and the sensitive-data key")
    cmds = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = cmds.add_parser("add", help="create a staff account (the first one is the admin)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", default="staff", help="admin, staff or viewer (default staff)")
    _as(add, required=False)
    cmds.add_parser("list", help="list staff accounts")
    role = cmds.add_parser("set-role", help="change a member of staff's role")
    role.add_argument("email")
    role.add_argument("role")
    _as(role)
    for name, text in (("deactivate", "stop an account signing in"), ("reactivate", "let it sign in again"),
                       ("reset-password", "set a new password (unlocks the account)")):
        c = cmds.add_parser(name, help=text)
        c.add_argument("email")
        _as(c)
    key = cmds.add_parser("key", help="the key to sensitive data (bank details, tax ids) in this keychain")
    key.add_argument("key_action", choices=("create", "import", "show", "status"))
    _as(key, required=False)


def _as(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--as", dest="as_email", required=required, metavar="ADMIN_EMAIL",
                        help="sign in as this admin (password from a prompt or CRM_ADMIN_PASSWORD)")


def ask_secret(env_var: str, prompt: str, *, confirm: bool = False) -> str:
    """A secret from the environment, else from a prompt that does not echo; never printed."""
    value = os.environ.get(env_var)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CrmError(f"No terminal to ask for the password; set {env_var} instead.")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != value:
        raise CrmError("The two passwords differ; nothing was changed.")
    return value


def sign_in(ctx: AppContext, email: str | None) -> Actor:
    """Sign in for one command; failed attempts count towards the lock-out like in the window."""
    if not email:
        raise CrmError("Say who you are: add --as ADMIN_EMAIL.")
    password = ask_secret("CRM_ADMIN_PASSWORD", f"Password for {email}: ")
    with ctx.db.write_session() as session:  # a failed attempt is committed by authenticate itself
        actor = staff.authenticate(session, email, password)
    return actor


def _staff_id(ctx: AppContext, email: str) -> str:
    with ctx.db.read() as session:
        row = staff.find_by_email(session, email)
    if row is None:
        raise NotFoundError(f"No member of staff with the email {email}.")
    return row.id


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.require_schema()
    action = args.staff_command
    if action == "list":
        return _list(ctx)
    if action == "add":
        return _add(args, ctx)
    if action == "key":
        return _key(args, ctx)
    actor = sign_in(ctx, args.as_email)
    target = _staff_id(ctx, args.email)
    if action == "set-role":
        ctx.db.write(lambda s: staff.change_role(s, actor, target, args.role))
        print(f"{args.email} is now {args.role.strip().lower()}.")
    elif action in ("deactivate", "reactivate"):
        ctx.db.write(lambda s: staff.set_active(s, actor, target, action == "reactivate"))
        print(f"{args.email} {'can sign in again' if action == 'reactivate' else 'can no longer sign in'}.")
    elif action == "reset-password":
        actor.require("manage_staff")
        password = ask_secret("CRM_STAFF_PASSWORD", f"New password for {args.email}: ", confirm=True)
        ctx.db.write(lambda s: staff.reset_password(s, actor, target, password))
        print(f"Password for {args.email} changed; the account is unlocked.")
    return 0


def _list(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        rows = staff.list_staff(session, CLI_READER)
    if not rows:
        print("No staff accounts yet. Create the first admin with: "
              "python main.py staff add --email EMAIL --name NAME --role admin")
        return 0
    width = max(len(r.email) for r in rows)
    for r in rows:
        state = "active" if r.active else "inactive"
        if r.locked_until:
            state += f", locked until {r.locked_until}"
        if not r.has_password:
            state += ", no password"
        print(f"{r.email:<{width}}  {r.role:<6}  {r.name}  ({state})")
    return 0


def _add(args: argparse.Namespace, ctx: AppContext) -> int:
    with ctx.db.read() as session:
        first = staff.needs_first_admin(session)
    if first:
        if args.role.strip().lower() != "admin":
            raise CrmError("There is no admin yet: create the first account with --role admin.")
        password = ask_secret("CRM_STAFF_PASSWORD", f"Password for {args.email}: ", confirm=True)
        ctx.db.write(lambda s: staff.create_first_admin(s, args.email, args.name, password))
        print(f"Created the first admin, {args.email}. Sign in with that email and password.")
        return 0
    actor = sign_in(ctx, args.as_email)
    actor.require("manage_staff")
    password = ask_secret("CRM_STAFF_PASSWORD", f"Password for {args.email}: ", confirm=True)
    ctx.db.write(lambda s: staff.create_staff(s, actor, email=args.email, name=args.name, role=args.role,
                                              password=password))
    print(f"Created {args.role.strip().lower()} {args.email}.")
    return 0


def _key(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.key_action == "status":
        with ctx.db.read() as session:
            ok = sensitive.has_key(session)
        print("This computer holds the key to sensitive data." if ok else sensitive.MISSING_MESSAGE)
        return 0 if ok else 1
    actor = sign_in(ctx, args.as_email)
    if args.key_action == "create":
        ctx.db.write(lambda s: sensitive.create_key(s, actor))
        print("Created the key to sensitive data and saved it in this computer's keychain. Give it to other "
              "admins with `staff key show` (on this computer) and `staff key import` (on theirs).")
    elif args.key_action == "import":
        actor.require("sensitive")
        key = ask_secret("CRM_SENSITIVE_KEY", "Key to sensitive data: ")
        ctx.db.write(lambda s: sensitive.import_key(s, actor, key))
        print("Saved the key to sensitive data in this computer's keychain.")
    else:
        print(ctx.db.write(lambda s: sensitive.export_key(s, actor)))
    return 0
