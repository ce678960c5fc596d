"""The reveal control: admins see the value after asking (audited), staff only ever see the mask."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_desktop import secrets as keychain
from crm_desktop.db.models import ActivityLog, Contact
from crm_desktop.services import sensitive
from crm_desktop.ui.sensitive_field import SensitiveField
from tests.ui.conftest import make_ui

pytestmark = pytest.mark.qt


def field_for(db, actor, contact_id, qtbot):
    ui = make_ui(db, actor)
    with db.read() as s:
        masked = sensitive.masked(s.get(Contact, contact_id), "taxId")
    widget = SensitiveField(ui, contact_id, "taxId", masked)
    qtbot.addWidget(widget)
    widget.show()
    return widget, ui


def test_admin_reveals_then_it_hides_again(db, qtbot, admin, owner, key):
    db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id="GB123456789"))
    widget, ui = field_for(db, admin, owner.id, qtbot)
    assert widget.value.text() == "•••• 6789" and widget.button.isVisible()
    with qtbot.waitSignal(widget.revealed, timeout=10_000):
        widget.button.click()
    assert widget.value.text() == "GB123456789"
    widget.button.click()  # Hide
    assert widget.value.text() == "•••• 6789"
    with db.read() as s:
        assert s.scalar(select(ActivityLog.performedBy).where(ActivityLog.action == "revealed")) == admin.id
    ui.tasks.wait(5_000)


def test_staff_get_no_button_and_a_missing_key_is_explained(db, qtbot, admin, owner, key, staff_actor):
    db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id="GB123456789"))
    widget, ui = field_for(db, staff_actor, owner.id, qtbot)
    assert not widget.button.isVisible() and widget.value.text() == "•••• 6789"
    keychain.delete_secret(sensitive.KEY_NAME)
    widget, ui = field_for(db, admin, owner.id, qtbot)
    with qtbot.waitSignal(widget.failed, timeout=10_000) as failed:
        widget.button.click()
    assert "does not hold the key" in failed.args[0] and widget.value.text() == "•••• 6789"
    ui.tasks.wait(5_000)


def test_contact_detail_shows_the_masks_and_reveals_for_admins(db, qtbot, admin, owner, key, staff_actor):
    from crm_desktop.ui.details.contact_detail import ContactDetail

    db.write(lambda s: sensitive.set_sensitive(s, admin, owner.id, tax_id="GB123456789",
                                               bank_details='{"accountNumber": "55779911"}'))
    for actor, can_reveal in ((staff_actor, False), (admin, True)):
        ui = make_ui(db, actor)
        view = ContactDetail(ui, owner.id)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda v=view: v.data is not None, timeout=10_000)
        box = view.sensitive
        assert not box.isHidden()
        assert box.rows["taxId"].value.text() == "•••• 6789"
        assert box.rows["bankDetails"].value.text() == "•••• 9911"
        assert box.rows["taxId"].button.isVisibleTo(view) is can_reveal
        assert "GB123456789" not in repr(view.data)  # the view never even loads the value
        if can_reveal:
            with qtbot.waitSignal(box.rows["taxId"].revealed, timeout=10_000):
                box.rows["taxId"].button.click()
            assert box.rows["taxId"].value.text() == "GB123456789"
        ui.tasks.wait(5_000)


def test_admin_sets_and_clears_the_values_from_the_detail_view(db, qtbot, admin, owner, key, staff_actor):
    from crm_desktop.ui.details.contact_detail import ContactDetail

    staff_view = ContactDetail(make_ui(db, staff_actor), owner.id)
    qtbot.addWidget(staff_view)
    qtbot.waitUntil(lambda: staff_view.data is not None, timeout=10_000)
    box = staff_view.sensitive  # nothing to reveal or set; only the personal data export
    assert not box.rows and box.edit_button is None and box.privacy.can_export
    assert not box.privacy.erase_button.isVisibleTo(box)
    ui = make_ui(db, admin)
    view = ContactDetail(ui, owner.id)
    qtbot.addWidget(view)
    view.show()  # hidden views only reload when shown again
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    view.sensitive.edit_button.click()
    dialog = view.sensitive.dialog
    dialog.edits["taxId"].setText("GB987654321")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        dialog.submit()
    assert view.sensitive.rows["taxId"].value.text() == "•••• 4321"
    assert dialog.edits["taxId"].text() == ""
    view.sensitive.edit_button.click()
    view.sensitive.dialog.clear["taxId"].setChecked(True)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.sensitive.dialog.submit()
    assert "taxId" not in view.sensitive.rows
    with db.read() as s:
        assert s.get(Contact, owner.id).taxId is None
    ui.tasks.wait(5_000)


def test_personal_data_export_and_erasure_from_the_detail_view(db, qtbot, admin, owner, staff_actor, viewer,
                                                                tmp_path):
    import json

    from crm_desktop.ui.details.contact_detail import ContactDetail

    viewer_view = ContactDetail(make_ui(db, viewer), owner.id)
    qtbot.addWidget(viewer_view)
    qtbot.waitUntil(lambda: viewer_view.data is not None, timeout=10_000)
    assert viewer_view.sensitive.isHidden()  # a viewer may neither export nor erase
    ui = make_ui(db, admin)
    view = ContactDetail(ui, owner.id)
    qtbot.addWidget(view)
    view.show()  # hidden views only reload when shown again
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    actions = view.sensitive.privacy
    target = tmp_path / "olive.json"
    with qtbot.waitSignal(actions.exported, timeout=10_000):
        actions.export_to(str(target))
    assert json.loads(target.read_text())["contact"]["email"] == "olive.owner@example.co.uk"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        actions.erase_confirmed()
    assert view.name.text() != "Olive Owner" and "olive" not in view.subtitle.text().lower()
    with db.read() as s:
        assert s.get(Contact, owner.id).erasedAt is not None
    ui.tasks.wait(5_000)
