"""Staff accounts: hashed passwords, sign-in, lock-out, remember-me tokens and admin-only management."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_desktop.db.models import ActivityLog, Setting, Staff
from crm_desktop.services import staff
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.staff import SignInFailed
from crm_desktop.timeutil import iso, utcnow

PW = "correct horse battery"


def first_admin(db):
    return db.write(lambda s: staff.create_first_admin(s, "Boss@Example.com", "Bea Boss", PW))


def sign_in(db, email, password):
    with db.session() as s:
        actor = staff.authenticate(s, email, password)
        s.commit()
        return actor


def audit_actions(db, staff_id):
    with db.read() as s:
        return [a.action for a in s.scalars(select(ActivityLog).where(ActivityLog.entityId == staff_id)
                                            .order_by(ActivityLog.timestamp, ActivityLog.id))]


def test_first_admin_then_sign_in_with_hash_only(db, caplog):
    caplog.set_level(logging.DEBUG)
    with db.read() as s:
        assert staff.needs_first_admin(s) and not staff.sign_in_required(s)
    boss = first_admin(db)
    with db.read() as s:
        row = s.get(Staff, boss.id)
        assert row.passwordHash.startswith("$argon2id$") and PW not in row.passwordHash
        assert not staff.needs_first_admin(s) and staff.sign_in_required(s)
        log = s.scalars(select(ActivityLog).where(ActivityLog.entityId == boss.id)).one()
        assert PW not in (log.changedFields or "") and json.loads(log.changedFields)["passwordHash"]["after"] == "***"
    actor = sign_in(db, " boss@example.COM ", PW)
    assert (actor.id, actor.role, actor.name) == (boss.id, "admin", "Bea Boss")
    assert audit_actions(db, boss.id) == ["created", "signed_in"]
    assert PW not in caplog.text
    with pytest.raises(PermissionDenied):  # only once
        first_admin(db)


def test_wrong_password_unknown_email_and_inactive_all_say_the_same(db, admin):
    boss = first_admin(db)
    other = db.write(lambda s: staff.create_staff(s, admin, email="ex@example.com", name="Ex", password=PW))
    db.write(lambda s: staff.deactivate(s, admin, other.id))
    for email, password in (("boss@example.com", "nope nope nope"), ("nobody@example.com", PW),
                            ("ex@example.com", PW), ("not an email", PW), ("boss@example.com", "")):
        with pytest.raises(SignInFailed, match="Wrong email or password"):
            sign_in(db, email, password)
    assert audit_actions(db, boss.id) == ["created", "sign_in_failed", "sign_in_failed"]
    with db.read() as s:
        entries = s.scalars(select(ActivityLog).where(ActivityLog.action == "sign_in_failed")).all()
        assert all(e.entityType == "staff" for e in entries)
        # the attempted email (which may be a mistyped password) is not kept
        assert not any("nobody@example.com" in (e.metadata_ or "") + e.entityId for e in entries)


def test_lock_out_after_five_failures_for_fifteen_minutes(db):
    boss = first_admin(db)
    for _ in range(4):
        with pytest.raises(SignInFailed, match="Wrong email"):
            sign_in(db, "boss@example.com", "wrong password!")
    with pytest.raises(SignInFailed, match="locked after 5 failed sign-ins"):
        sign_in(db, "boss@example.com", "wrong password!")
    with pytest.raises(SignInFailed, match="locked"):  # even the right password, while locked
        sign_in(db, "boss@example.com", PW)
    actions = audit_actions(db, boss.id)
    assert actions.count("sign_in_failed") == 6 and actions.count("locked_out") == 1
    with db.read() as s:
        until = s.get(Staff, boss.id).lockedUntil
    assert timedelta(minutes=14) < staff.parse_ts(until) - utcnow() <= timedelta(minutes=15)

    def expire(s):  # fifteen minutes later
        s.get(Staff, boss.id).lockedUntil = iso(utcnow() - timedelta(seconds=1))
    db.write(expire)
    assert sign_in(db, "boss@example.com", PW).id == boss.id
    with db.read() as s:
        row = s.get(Staff, boss.id)
        assert row.failedLogins == 0 and row.lockedUntil is None


def test_admin_reset_unlocks(db, admin):
    boss = first_admin(db)
    for _ in range(5):
        with pytest.raises(SignInFailed):
            sign_in(db, "boss@example.com", "wrong password!")
    db.write(lambda s: staff.reset_password(s, admin, boss.id, "a brand new passphrase"))
    assert sign_in(db, "boss@example.com", "a brand new passphrase").role == "admin"
    with pytest.raises(SignInFailed):
        sign_in(db, "boss@example.com", PW)


@pytest.mark.parametrize("password, message", [("short", "too short"), ("x" * 2000, "too long"),
                                               ("tab\tin the middle", "control"), ("", "required")])
def test_password_policy(db, admin, password, message):
    with pytest.raises(ValidationError) as info:
        db.write(lambda s: staff.create_staff(s, admin, email="a@b.co", name="A", password=password))
    assert message in info.value.errors["password"]


def test_management_is_admin_only(db, admin, staff_actor, viewer):
    boss = first_admin(db)
    for who in (staff_actor, viewer):
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: staff.create_staff(s, w, email="x@y.co", name="X", password=PW))
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: staff.change_role(s, w, boss.id, "viewer"))
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: staff.deactivate(s, w, boss.id))
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: staff.reset_password(s, w, boss.id, "another passphrase"))
    with db.read() as s:
        assert [i.email for i in staff.list_staff(s, viewer)] == ["boss@example.com"]


def test_roles_and_the_last_admin_is_protected(db, admin):
    boss = first_admin(db)
    with pytest.raises(ValidationError, match="last active admin"):
        db.write(lambda s: staff.change_role(s, admin, boss.id, "staff"))
    with pytest.raises(ValidationError, match="last active admin"):
        db.write(lambda s: staff.deactivate(s, admin, boss.id))
    with pytest.raises(ValidationError, match="role"):
        db.write(lambda s: staff.create_staff(s, admin, email="x@y.co", name="X", role="superuser"))
    sam = db.write(lambda s: staff.create_staff(s, admin, email="sam@y.co", name="Sam", role="staff", password=PW))
    assert sign_in(db, "sam@y.co", PW).role == "staff"
    db.write(lambda s: staff.change_role(s, admin, sam.id, "viewer"))
    assert sign_in(db, "sam@y.co", PW).role == "viewer"
    with pytest.raises(ValidationError, match="already has the email"):
        db.write(lambda s: staff.create_staff(s, admin, email="SAM@y.co", name="Sam 2"))
    assert audit_actions(db, sam.id)[:2] == ["created", "signed_in"]


def test_remember_me_token_is_random_hashed_and_revocable(db, admin):
    boss = first_admin(db)
    actor = sign_in(db, "boss@example.com", PW)
    token = db.write(lambda s: staff.issue_remember_token(s, actor))
    with db.read() as s:
        rows = s.scalars(select(Setting).where(Setting.key.like("remember:%"))).all()
        assert len(rows) == 1 and token not in rows[0].key + rows[0].value and PW not in rows[0].value
    assert db.write(lambda s: staff.authenticate_token(s, token)).id == boss.id
    assert db.write(lambda s: staff.authenticate_token(s, token + "x")) is None
    db.write(lambda s: staff.reset_password(s, admin, boss.id, "another passphrase"))
    assert db.write(lambda s: staff.authenticate_token(s, token)) is None  # a reset forgets devices


def test_concurrent_wrong_passwords_are_all_counted(db):
    from concurrent.futures import ThreadPoolExecutor

    boss = first_admin(db)

    def attempt(_i):
        with db.write_session() as s:
            try:
                staff.authenticate(s, "boss@example.com", "wrong password!")
            except SignInFailed as exc:
                return str(exc)

    with ThreadPoolExecutor(max_workers=5) as pool:
        messages = list(pool.map(attempt, range(5)))
    assert sum("locked" in m for m in messages) == 1  # exactly the fifth attempt locked it
    with db.read() as s:
        row = s.get(Staff, boss.id)
        assert row.failedLogins == 5 and row.lockedUntil is not None
