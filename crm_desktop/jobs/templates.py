"""The renewal reminder email template: editable by staff (a crm_settings row), with a default file.

A template is "Subject: ..." on the first line, a blank line, then the body. Placeholders are
`${name}` (Python string.Template); only the names in FIELDS are allowed, so a typo is caught when the
template is saved, not when a reminder goes out.
"""

from __future__ import annotations

from importlib import resources
from string import Template

from sqlalchemy.orm import Session

from crm_desktop.db.models import Setting
from crm_desktop.services.actor import Actor
from crm_desktop.services.audit import diff, log_activity
from crm_desktop.services.errors import ValidationError
from crm_desktop.timeutil import now_iso

SETTING_KEY = "renewal_reminder_template"
DEFAULT_FILE = "renewal_reminder.txt"
FIELDS = {
    "first_name": "the owner's first name (or 'there')",
    "last_name": "the owner's last name",
    "name": "the owner's full name",
    "business_name": "the owner's business name",
    "email": "the owner's email address",
    "tier": "the plan tier, e.g. Gold",
    "price": "the plan price, e.g. £850.00",
    "billing_cycle": "annually or monthly",
    "end_date": "the day the membership ends, e.g. 1 April 2026",
    "days_left": "days from today to the end date",
}


def default_template() -> str:
    return resources.files("crm_desktop").joinpath("resources", DEFAULT_FILE).read_text(encoding="utf-8")


def get_template(session: Session) -> str:
    row = session.get(Setting, SETTING_KEY)
    return row.value if row is not None and row.value else default_template()


def split(template: str) -> tuple[str, str]:
    """(subject template, body template); ValidationError when the first line is not 'Subject: ...'."""
    first, _, rest = template.replace("\r\n", "\n").partition("\n")
    if not first.lower().startswith("subject:") or not first[8:].strip():
        raise ValidationError({"template": "the first line must be 'Subject: ...' with a subject"})
    return first[8:].strip(), rest.lstrip("\n")


def validate(template: str) -> None:
    subject, body = split(template)
    problems = []
    for part in (subject, body):
        tpl = Template(part)
        if not tpl.is_valid():
            problems.append("a '$' that is not a placeholder (write $$ for a dollar sign)")
        unknown = sorted(set(tpl.get_identifiers()) - set(FIELDS))
        if unknown:
            problems.append("unknown placeholder(s) " + ", ".join("${" + u + "}" for u in unknown)
                            + "; allowed: " + ", ".join(sorted(FIELDS)))
    if not body.strip():
        problems.append("the email body is empty")
    if problems:
        raise ValidationError({"template": "; ".join(problems)})


def set_template(session: Session, actor: Actor, template: str | None) -> None:
    """Save the template (None or blank: go back to the default); audited with before and after."""
    actor.require("write")
    if template is not None and template.strip():
        validate(template)
    else:
        template = None
    row = session.get(Setting, SETTING_KEY)
    before = row.value if row is not None else None
    if row is None:
        row = Setting(key=SETTING_KEY, updatedAt=now_iso())
        session.add(row)
    row.value = template
    row.updatedAt = now_iso()
    changes = diff({"template": before}, {"template": template})
    if changes:
        log_activity(session, actor, "outbox", SETTING_KEY, "updated", changes,
                     reason="renewal reminder template edited")


def render(template: str, fields: dict[str, str]) -> tuple[str, str]:
    subject, body = split(template)
    return Template(subject).safe_substitute(fields), Template(body).safe_substitute(fields)
