"""Canary: plant a password, a tax id, bank details, the sensitive-data key, a Stripe key and a remember-me
token; drive sign-in, reveal, exports (JSON, CSV, reports), the offline replica, the command line and
verbose logging (SQL with parameters included); then search every file the app wrote, every log line
and everything it printed for any of them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from crm_desktop import cli, exporting
from crm_desktop import secrets as keychain
from crm_desktop.offline.replica import Replica
from crm_desktop.services import contacts, privacy, sensitive, staff
from crm_desktop.services import table_queries as tq

PASSWORD = "canary-Passw0rd-7781"
TAX = "CANARYTAX0042"
ACCOUNT = "CANARYACCT991"
BANK = json.dumps({"accountName": "Olive Owner", "sortCode": "20-00-00", "accountNumber": ACCOUNT})
STRIPE = "sk_test_CANARYstripeKEY0000000000"


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def verbose_log(tmp_path: Path):
    """Everything logged at DEBUG, SQL statements with their parameters included, into one file."""
    path = tmp_path / "logs" / "everything.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    old = (root.level, sql.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.INFO)
    yield path
    root.removeHandler(handler)
    handler.close()
    root.setLevel(old[0])
    sql.setLevel(old[1])


def test_no_secret_or_sensitive_value_leaks_anywhere(db, crm_url, tmp_path, isolated_env, verbose_log, capsys,
                                                     monkeypatch, memory_keyring):
    keychain.set_secret(keychain.STRIPE_KEY, STRIPE)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    boss = db.write(lambda s: staff.create_first_admin(s, "boss@example.com", "Bea Boss", PASSWORD))
    with db.session() as s:
        with pytest.raises(staff.SignInFailed):
            staff.authenticate(s, "boss@example.com", PASSWORD + "x")
        actor = staff.authenticate(s, "boss@example.com", PASSWORD)
        s.commit()
    token = db.write(lambda s: staff.issue_remember_token(s, actor))
    key = db.write(lambda s: sensitive.create_key(s, actor))
    own = db.write(lambda s: contacts.create_contact(s, actor, {"type": "owner", "email": "olive@example.com",
                                                                "firstName": "Olive", "businessName": "=1+2"}))
    db.write(lambda s: sensitive.set_sensitive(s, actor, own.id, tax_id=TAX, bank_details=BANK))
    assert db.write(lambda s: sensitive.reveal(s, actor, own.id, "taxId")) == TAX
    db.write(lambda s: contacts.update_contact(s, actor, own.id, {"city": "Bath"}))

    # exports as staff make them: personal data JSON, the contacts table as CSV, reports as CSV
    (out_dir / "person.json").write_text(db.write(lambda s: privacy.export_person_json(s, actor, own.id)))
    with db.read() as s:
        table = tq.table("contacts")
        rows = [list(r.values()) for r in tq.iter_rows(s, table, tq.TableQuery())]
    exporting.export_rows(db, actor, "table:contacts", out_dir / "contacts.csv", list(table.fields), rows)
    monkeypatch.setenv("CRM_DATABASE_URL", crm_url)
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", PASSWORD)
    for argv in (["-v", "staff", "list"], ["-v", "staff", "key", "status"],
                 ["-v", "privacy", "export", "--contact", own.id, "--as", "boss@example.com",
                  "--out", str(out_dir / "cli-person.json")],
                 ["report", "owners", "--format", "csv", "--output", str(out_dir / "owners.csv")]):
        assert cli.main(argv) == 0
    # the offline replica, in the app's data folder
    replica = Replica(isolated_env / "replica.sqlite3")
    replica.refresh(db, full=True)
    replica.close()
    printed = capsys.readouterr()

    secrets_ = {"password": PASSWORD, "tax id": TAX, "account": ACCOUNT, "sensitive key": key,
                "stripe key": STRIPE, "remember token": token}
    written = files_under(out_dir, isolated_env, verbose_log.parent)
    assert {p.name for p in written} >= {"person.json", "contacts.csv", "cli-person.json", "owners.csv",
                                         "replica.sqlite3", "everything.log"}
    assert verbose_log.stat().st_size > 1000  # the log really captured the work (SQL included)
    for path in written:
        data = path.read_bytes()
        for what, value in secrets_.items():
            assert value.encode() not in data, f"{what} found in {path}"
    for what, value in secrets_.items():
        assert value not in printed.out + printed.err, f"{what} printed"
    if db.dialect == "sqlite":  # the CRM database itself holds only the hashes and ciphertext
        database = Path(crm_url.removeprefix("sqlite:///"))
        blob = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        for what, value in secrets_.items():
            assert value.encode() not in blob, f"{what} found in the CRM database"
    assert boss.id in verbose_log.read_text(encoding="utf-8")  # sanity: the log is about this run
