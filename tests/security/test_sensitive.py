"""Bank details and tax ids: encrypted at rest, masked for everyone, revealed to admins with an audit entry."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from crm_desktop import secrets as keychain
from crm_desktop.db.models import ActivityLog, Contact
from crm_desktop.services import contacts, sensitive
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.sensitive import SensitiveKeyMissing

TAX = "GB123456789"
BANK = json.dumps({"accountName": "Olive Owner", "sortCode": "20-00-00", "accountNumber": "55779911"})


def plant(db, admin, owner):
    return db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id=TAX, bank_details=BANK))


def test_encrypted_at_rest_masked_and_revealed_with_audit(db, admin, owner, key):
    plant(db, admin, owner)
    with db.engine.connect() as conn:  # what is in the database itself
        raw = conn.execute(text('SELECT "taxId", "bankDetails" FROM crm_contacts')).one()
        dump = " ".join(str(v) for v in conn.execute(text("SELECT * FROM crm_activity_log")).all())
    assert raw[0].startswith("enc1:") and TAX not in raw[0] and "55779911" not in raw[1]
    assert TAX not in dump and "55779911" not in dump and key not in dump
    with db.read() as s:
        c = s.get(Contact, owner.id)
        assert sensitive.masked(c, "taxId") == "•••• 6789"
        assert sensitive.masked(c, "bankDetails") == "•••• 9911"
    assert db.write(lambda s: sensitive.reveal(s, admin, owner.id, "taxId")) == TAX
    assert json.loads(db.write(lambda s: sensitive.reveal(s, admin, owner.id, "bankDetails")))["sortCode"] == "20-00-00"
    with db.read() as s:
        entries = s.scalars(select(ActivityLog).where(ActivityLog.action == "revealed")).all()
    assert sorted(json.loads(e.metadata_)["field"] for e in entries) == ["bankDetails", "taxId"]
    assert all(e.performedBy == admin.id and e.entityId == owner.id for e in entries)


def test_staff_and_viewers_see_only_the_mask(db, admin, owner, key, staff_actor, viewer):
    plant(db, admin, owner)
    for who in (staff_actor, viewer):
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: sensitive.reveal(s, w, owner.id, "taxId"))
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: sensitive.set_sensitive(s, w, owner.id, tax_id="X"))
        with pytest.raises(PermissionDenied):
            db.write(lambda s, w=who: sensitive.export_values(s, w, [owner.id]))
    with pytest.raises(ValidationError):  # the ordinary contact edit cannot set them either
        db.write(lambda s: contacts.update_contact(s, staff_actor, owner.id, {"taxId": "GB1"}))
    with db.read() as s:
        assert s.scalar(select(ActivityLog.id).where(ActivityLog.action == "revealed")) is None


def test_missing_or_wrong_key_is_a_clear_error(db, admin, owner, key, memory_keyring):
    plant(db, admin, owner)
    keychain.delete_secret(sensitive.KEY_NAME)
    with pytest.raises(SensitiveKeyMissing, match="does not hold the key to sensitive data; ask an admin"):
        db.write(lambda s: sensitive.reveal(s, admin, owner.id, "taxId"))
    with pytest.raises(SensitiveKeyMissing):
        db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id="GB000"))
    keychain.set_secret(sensitive.KEY_NAME, sensitive.Fernet.generate_key().decode())
    with pytest.raises(SensitiveKeyMissing, match="not the one this database uses"):
        db.write(lambda s: sensitive.reveal(s, admin, owner.id, "taxId"))
    with pytest.raises(ValidationError, match="not the key"):
        db.write(lambda s: sensitive.import_key(s, admin, sensitive.Fernet.generate_key().decode()))
    db.write(lambda s: sensitive.import_key(s, admin, key))  # the admin hands over the right one
    assert db.write(lambda s: sensitive.reveal(s, admin, owner.id, "taxId")) == TAX
    with db.read() as s:
        assert sensitive.masked(s.get(Contact, owner.id), "taxId") == "•••• 6789"  # masking needs no key


def test_second_key_is_refused_and_export_of_key_is_audited(db, admin, key):
    with pytest.raises(ValidationError, match="already has a key"):
        db.write(lambda s: sensitive.create_key(s, admin))
    assert db.write(lambda s: sensitive.export_key(s, admin)) == key
    with db.read() as s:
        assert s.scalar(select(ActivityLog.id).where(ActivityLog.action == "exported")) is not None


def test_export_values_audits_each_contact_and_clearing(db, admin, owner, key):
    plant(db, admin, owner)
    out = db.write(lambda s: sensitive.export_values(s, admin, [owner.id], purpose="csv"))
    assert out == {owner.id: {"taxId": TAX, "bankDetails": BANK}}
    db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id=None))
    with db.read() as s:
        c = s.get(Contact, owner.id)
        assert c.taxId is None and sensitive.masked(c, "taxId") == ""
        exported = s.scalars(select(ActivityLog).where(ActivityLog.action == "exported")).one()
        assert json.loads(exported.metadata_) == {"fields": ["bankDetails", "taxId"], "purpose": "csv"}


@pytest.mark.parametrize("kwargs, field", [({"tax_id": "x" * 300}, "taxId"), ({"tax_id": "GB\x001"}, "taxId"),
                                           ({"bank_details": "y" * 5000}, "bankDetails")])
def test_bad_values_are_validation_errors(db, admin, owner, key, kwargs, field):
    with pytest.raises(ValidationError) as info:
        db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, **kwargs))
    assert field in info.value.errors


def test_unknown_field_and_short_values(db, admin, owner, key):
    with pytest.raises(ValidationError):
        db.write(lambda s: sensitive.reveal(s, admin, owner.id, "email"))
    db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id="AB12"))
    with db.read() as s:
        assert sensitive.masked(s.get(Contact, owner.id), "taxId") == "••••"  # too short to hint at


def test_a_key_this_database_never_made_is_refused(db, admin, owner):
    keychain.set_secret(sensitive.KEY_NAME, sensitive.Fernet.generate_key().decode())
    with pytest.raises(SensitiveKeyMissing, match="no key to sensitive data yet"):
        db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id="GB123456789"))
