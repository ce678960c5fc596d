"""Two processes writing one SQLite file at once queue for the lock instead of failing at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact

WRITER = """
import sys
from sqlalchemy import select
from crm_desktop.db.engine import Database
from crm_desktop.db.models import Contact
from crm_desktop.services import contacts
from crm_desktop.services.actor import Actor
db = Database(sys.argv[1])
actor = Actor("w" + sys.argv[2], "staff")
for i in range(60):
    # read-then-write in one transaction: the pattern that fails on a deferred lock upgrade
    def work(s, i=i):
        s.execute(select(Contact.id).limit(1)).all()
        contacts.create_contact(s, actor, {"type": "guest", "email": f"p{sys.argv[2]}-{i}@example.com"})
    db.write(work)
print("ok")
"""


def test_two_processes_write_without_locked_errors(tmp_path: Path, sqlite_template: Path):
    path = tmp_path / "shared.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(n)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    db = Database(url)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 120
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()
