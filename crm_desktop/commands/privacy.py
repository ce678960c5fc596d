"""`privacy`: personal data requests from the command line: export one person as JSON, or erase them.

Both need a signed-in member of staff (`--as EMAIL`): exports are audited under their name, and erasure
and exports with bank details / tax ids are for admins only.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from crm_desktop.app import AppContext
from crm_desktop.commands.staff import sign_in
from crm_desktop.services import contacts, privacy
from crm_desktop.services.errors import CrmError, NotFoundError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("privacy", help="personal data requests: export or erase one person")
    cmds = p.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    export = cmds.add_parser("export", help="everything the CRM holds about one person, as JSON")
    erase = cmds.add_parser("erase", help="erase one person's personal data (figures are kept)")
    for c in (export, erase):
        who = c.add_mutually_exclusive_group(required=True)
        who.add_argument("--contact", metavar="ID", help="the contact id")
        who.add_argument("--email", help="the contact's email")
        c.add_argument("--as", dest="as_email", required=True, metavar="STAFF_EMAIL",
                       help="sign in as this member of staff (password from a prompt or CRM_ADMIN_PASSWORD)")
    export.add_argument("--out", type=Path, help="write the JSON here (default: print it)")
    export.add_argument("--include-sensitive", action="store_true",
                        help="include bank details and tax ids in clear (admins; audited)")
    erase.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")


def _contact_id(ctx: AppContext, args: argparse.Namespace) -> str:
    if args.contact:
        return args.contact
    with ctx.db.read() as session:
        row = contacts.find_by_email(session, args.email)
    if row is None:
        raise NotFoundError(f"No contact with the email {args.email}.")
    return row.id


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.require_schema()
    actor = sign_in(ctx, args.as_email)
    contact_id = _contact_id(ctx, args)
    if args.privacy_command == "export":
        text = ctx.db.write(lambda s: privacy.export_person_json(s, actor, contact_id,
                                                                 include_sensitive=args.include_sensitive))
        if args.out:
            write_private(args.out, text)
            print(f"Wrote the personal data of contact {contact_id} to {args.out}.")
        else:
            print(text)
        return 0
    if not args.yes:
        raise CrmError("Erasure cannot be undone; add --yes to erase this person's personal data.")
    counts = ctx.db.write(lambda s: privacy.erase_person(s, actor, contact_id))
    touched = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    print(f"Erased contact {contact_id}" + (f" (also blanked: {touched})." if touched else "."))
    return 0


def write_private(path: Path, text: str) -> None:
    """Personal data goes to a file only its owner can read."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise CrmError(f"Cannot write {path}: {exc.strerror}") from exc
