"""Delivering the outbox through SMTP (CRM_SMTP_URL), at most once per email.

URL forms: `smtp://host:port`, `smtp://user:password@host:587?starttls=1`, `smtps://host:465`; the sender
address is `?from=crm@example.com` (default `crm@localhost`).

Each email is claimed before it is sent by one conditional UPDATE (queued/failed → sent); only the
desktop whose UPDATE changed the row sends it, so two desktops never send the same email. If sending then
fails the row becomes `failed` with the error, and the next run tries it again. (If the computer dies
between the claim and the send, the email stays marked sent: never twice beats maybe twice.)
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select, update

from crm_desktop.db.engine import Database
from crm_desktop.db.models import OutboxEmail
from crm_desktop.services.errors import ValidationError
from crm_desktop.timeutil import now_iso

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    sender: str = "crm@localhost"

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValidationError({"CRM_SMTP_URL": "must look like smtp://host:port or smtps://host:port"})
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ValidationError({"CRM_SMTP_URL": "the port must be a number"}) from None
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname, port=port, ssl=parts.scheme == "smtps",
            starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=query.get("from", ["crm@localhost"])[0],
        )

    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self) -> smtplib.SMTP:
        if self.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
        if self.username:
            client.login(self.username, self.password or "")
        return client


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _message(row: OutboxEmail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, row.toAddress, row.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg["X-CRM-Dedupe-Key"] = row.dedupeKey
    msg.set_content(row.body)
    return msg


def _claim(db: Database, row_id: str) -> bool:
    def tx(session) -> bool:
        result = session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == row_id, OutboxEmail.status.in_(("queued", "failed")))
            .values(status="sent", sentAt=now_iso(), error=None)
        )
        return result.rowcount == 1
    return db.write(tx)


def _mark_failed(db: Database, row_id: str, error: str) -> None:
    db.write(lambda s: s.execute(update(OutboxEmail).where(OutboxEmail.id == row_id)
                                 .values(status="failed", sentAt=None, error=error[:500])))


def deliver_outbox(db: Database, config: SmtpConfig) -> Delivery:
    """Send every queued (or previously failed) email; returns how many went and what failed."""
    delivery = Delivery()
    with db.read() as session:
        rows = session.scalars(select(OutboxEmail).where(OutboxEmail.status.in_(("queued", "failed")))
                               .order_by(OutboxEmail.createdAt, OutboxEmail.id)).all()
    if not rows:
        return delivery
    try:
        client = config.connect()
    except (OSError, smtplib.SMTPException) as exc:
        delivery.errors.append(f"cannot reach the mail server {config.where()}: {exc}")
        return delivery
    try:
        for row in rows:
            if not _claim(db, row.id):
                continue  # another desktop took it
            try:
                client.send_message(_message(row, config.sender))
            except (OSError, smtplib.SMTPException) as exc:
                _mark_failed(db, row.id, str(exc))
                delivery.failed += 1
                delivery.errors.append(f"{row.toAddress}: {exc}")
            else:
                delivery.sent += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return delivery
