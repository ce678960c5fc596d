"""`staff` and `privacy` commands as an admin runs them: first admin, sign-in with --as, the key, exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_desktop import cli
from crm_desktop.db.engine import Database
from crm_desktop.services import contacts, sensitive

ROOT = Path(__file__).resolve().parents[2]
PW = "admin passphrase 1"


@pytest.fixture
def cli_env(crm_url, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", crm_url)
    monkeypatch.setenv("CRM_STAFF_PASSWORD", PW)
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", PW)
    return crm_url


def main(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_first_admin_then_staff_and_list(cli_env, capsys, monkeypatch):
    code, out, err = main(capsys, "staff", "list")
    assert code == 0 and "No staff accounts yet" in out
    code, out, err = main(capsys, "staff", "add", "--email", "sam@x.co", "--name", "Sam", "--role", "staff")
    assert code == 2 and "no admin yet" in err
    code, out, err = main(capsys, "staff", "add", "--email", "boss@x.co", "--name", "Bea Boss", "--role", "admin")
    assert code == 0 and "first admin" in out and PW not in out + err
    code, out, err = main(capsys, "staff", "add", "--email", "sam@x.co", "--name", "Sam", "--role", "staff")
    assert code == 2 and "--as" in err  # from now on an admin must sign in
    monkeypatch.setenv("CRM_STAFF_PASSWORD", "sam's own passphrase")
    code, out, err = main(capsys, "staff", "add", "--email", "sam@x.co", "--name", "Sam", "--as", "boss@x.co")
    assert code == 0, err
    code, out, err = main(capsys, "staff", "set-role", "sam@x.co", "viewer", "--as", "boss@x.co")
    assert code == 0 and "now viewer" in out
    code, out, err = main(capsys, "staff", "list")
    assert "boss@x.co" in out and "viewer" in out and "passphrase" not in out
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", "sam's own passphrase")  # a viewer cannot manage staff
    code, out, err = main(capsys, "staff", "deactivate", "boss@x.co", "--as", "sam@x.co")
    assert code == 2 and "not allowed to manage staff" in err
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", "wrong password!")
    code, out, err = main(capsys, "staff", "deactivate", "sam@x.co", "--as", "boss@x.co")
    assert code == 2 and err.strip() == "error: Wrong email or password."


def test_key_and_privacy_commands(cli_env, capsys, tmp_path, admin):
    assert main(capsys, "staff", "add", "--email", "boss@x.co", "--name", "Boss", "--role", "admin")[0] == 0
    code, out, err = main(capsys, "staff", "key", "status")
    assert code == 1 and "does not hold the key" in out
    assert main(capsys, "staff", "key", "create", "--as", "boss@x.co")[0] == 0
    assert main(capsys, "staff", "key", "status")[0] == 0
    db = Database(cli_env)
    c = db.write(lambda s: contacts.create_contact(s, admin, {"type": "owner", "email": "o@x.co", "firstName": "Ola"}))
    db.write(lambda s: sensitive.set_sensitive(s, admin, c.id, tax_id="GB111222333"))
    db.dispose()
    target = tmp_path / "ola.json"
    code, out, err = main(capsys, "privacy", "export", "--email", "O@x.co", "--out", str(target), "--as", "boss@x.co")
    assert code == 0, err
    data = json.loads(target.read_text())
    assert data["contact"]["firstName"] == "Ola" and data["contact"]["taxId"] == "•••• 2333"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    code, out, err = main(capsys, "privacy", "export", "--contact", c.id, "--include-sensitive", "--as", "boss@x.co")
    assert json.loads(out)["contact"]["taxId"] == "GB111222333"
    code, out, err = main(capsys, "privacy", "erase", "--contact", c.id, "--as", "boss@x.co")
    assert code == 2 and "--yes" in err
    code, out, err = main(capsys, "privacy", "erase", "--contact", c.id, "--as", "boss@x.co", "--yes")
    assert code == 0 and "Erased contact" in out
    code, out, err = main(capsys, "privacy", "export", "--email", "o@x.co", "--as", "boss@x.co")
    assert code == 2 and "No contact with the email" in err


def test_password_never_echoed_by_the_real_command(tmp_path, sqlite_template, capsys, monkeypatch):
    """One real process (SQLite only: what is printed does not depend on the database)."""
    path = tmp_path / "crm.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    env = {**os.environ, "CRM_DATABASE_URL": url, "CRM_STAFF_PASSWORD": "canary-pass-7781x"}
    out = subprocess.run([sys.executable, "main.py", "-v", "staff", "add", "--email", "a@x.co", "--name", "A",
                          "--role", "admin"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "canary-pass-7781x" not in out.stdout + out.stderr
    monkeypatch.setenv("CRM_DATABASE_URL", url)  # no terminal and no variable: told what to set
    monkeypatch.delenv("CRM_ADMIN_PASSWORD", raising=False)
    code, _out, err = main(capsys, "staff", "reset-password", "a@x.co", "--as", "a@x.co")
    assert code == 2 and "set CRM_ADMIN_PASSWORD" in err and "Traceback" not in err


def test_passwords_from_the_prompt_are_asked_twice(cli_env, capsys, monkeypatch):
    import getpass
    import io

    monkeypatch.delenv("CRM_STAFF_PASSWORD")
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", tty)
    answers = iter(["first passphrase", "other passphrase"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    code, out, err = main(capsys, "staff", "add", "--email", "boss@x.co", "--name", "Boss", "--role", "admin")
    assert code == 2 and "two passwords differ" in err
    answers = iter(["first passphrase", "first passphrase"])
    code, out, err = main(capsys, "staff", "add", "--email", "boss@x.co", "--name", "Boss", "--role", "admin")
    assert code == 0 and "first passphrase" not in out + err
