"""Create/edit dialogs: the services' validation messages under the fields, conflicts shown not overwritten."""

from __future__ import annotations

from crm_desktop.db.models import Contact, Enquiry, Interaction
from crm_desktop.services import contacts
from crm_desktop.ui.dialogs.contact_dialog import ContactDialog
from crm_desktop.ui.dialogs.enquiry_dialog import EnquiryDialog
from crm_desktop.ui.dialogs.note_dialog import NoteDialog

from .conftest import screenshot


def _save_and_wait(qtbot, dialog) -> None:  # noqa: ANN001
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)


def test_new_contact_shows_validation_errors_inline_then_saves(ctx, qtbot):
    dialog = ContactDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.fields["firstName"].setText("Priya")
    dialog.fields["email"].setText("priya-at-example")
    dialog.fields["postcode"].setText("x" * 300)
    _save_and_wait(qtbot, dialog)
    assert "is not a valid email address" in dialog.error_text("email")
    assert "too long" in dialog.error_text("postcode")
    assert dialog.error_text("firstName") == ""
    assert dialog.result() == 0  # still open
    screenshot(dialog, "dialog-contact-validation", (640, 560))
    dialog.fields["email"].setText("Priya@Example.co.uk")
    assert dialog.error_text("email") == ""  # editing a field clears its message
    dialog.fields["postcode"].setText("BS1 4DJ")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.submit()
    with ctx.db.read() as s:
        c = s.get(Contact, saved.args[0])
        assert (c.firstName, c.email, c.postcode) == ("Priya", "priya@example.co.uk", "BS1 4DJ")


def test_edit_conflict_is_shown_and_nothing_is_overwritten(ctx, demo, qtbot):
    dialog = ContactDialog(ctx, "guest-3")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.version is not None, timeout=10_000)
    # Another member of staff saves first.
    ctx.db.write(lambda s: contacts.update_contact(s, ctx.actor, "guest-3", {"phone": "01632 960001"}))
    dialog.fields["phone"].setText("01632 960999")
    _save_and_wait(qtbot, dialog)
    assert not dialog.banner.isHidden() and "changed by someone else" in dialog.banner.label.text()
    assert dialog.banner.button.text() == "Reload"
    screenshot(dialog, "dialog-contact-conflict", (640, 560))
    with ctx.db.read() as s:
        assert s.get(Contact, "guest-3").phone == "01632 960001"
    dialog.banner.button.click()  # reload shows the saved version
    qtbot.waitUntil(lambda: dialog.fields["phone"].text() == "01632 960001", timeout=10_000)
    dialog.fields["phone"].setText("01632 960999")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    with ctx.db.read() as s:
        assert s.get(Contact, "guest-3").phone == "01632 960999"


def test_enquiry_dialog_picks_a_contact_by_search_and_checks_numbers(ctx, demo, qtbot):
    dialog = EnquiryDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.fields["assignedToAdminId"].count() == 3, timeout=10_000)
    picker = dialog.contact_picker
    picker.setEditText("harr")
    picker._run_search()
    qtbot.waitUntil(lambda: picker.searches == 1, timeout=10_000)
    assert picker.count() >= 1 and "Harry" in picker.itemText(0)
    picker.setCurrentIndex(0)
    dialog.fields["estimatedGuests"].setText("lots")
    dialog.fields["eventDate"].setText("31/12/2026")
    _save_and_wait(qtbot, dialog)
    assert dialog.error_text("estimatedGuests") and dialog.error_text("eventDate")
    screenshot(dialog, "dialog-enquiry-validation", (700, 640))
    dialog.fields["estimatedGuests"].setText("14")
    dialog.fields["eventDate"].setText("2026-12-31")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.submit()
    with ctx.db.read() as s:
        e = s.get(Enquiry, saved.args[0])
        assert (e.contactId, e.estimatedGuests, e.eventDate, e.status) == (picker.itemData(0), 14, "2026-12-31", "new")


def test_note_dialog_requires_content_then_logs(ctx, demo, qtbot):
    dialog = NoteDialog(ctx, "guest-1", "phone")
    qtbot.addWidget(dialog)
    _save_and_wait(qtbot, dialog)
    assert "required" in dialog.error_text("content")
    dialog.fields["content"].setPlainText("Rang to confirm numbers")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.submit()
    with ctx.db.read() as s:
        row = s.get(Interaction, saved.args[0])
        assert (row.type, row.direction, row.performedBy) == ("phone", "outbound", ctx.actor.id)


def test_edit_enquiry_sends_only_changed_fields_with_its_version(ctx, demo, qtbot):
    dialog = EnquiryDialog(ctx, "enq-005")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.version is not None, timeout=10_000)
    assert dialog.contact_picker.currentData() is not None and "<" in dialog.contact_picker.currentText()
    assert "status" not in dialog.fields  # the pipeline moves an enquiry, not this dialog
    assert dialog.changes() == {}
    loaded_version = dialog.version
    dialog.fields["estimatedGuests"].setText("22")
    assert dialog.changes() == {"estimatedGuests": "22"}
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    with ctx.db.read() as s:
        e = s.get(Enquiry, "enq-005")
        assert (e.estimatedGuests, e.version) == (22, loaded_version + 1)


def test_closing_a_dialog_while_it_saves_is_harmless(ctx, demo, qtbot):
    from PySide6.QtWidgets import QApplication

    dialog = NoteDialog(ctx, "guest-2", "note")
    dialog.fields["content"].setPlainText("Saved after the window closed")
    changed = []
    ctx.changes.changed.connect(changed.append)
    dialog.submit()
    dialog.deleteLater()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: bool(changed), timeout=10_000)  # the save still announces itself
    with ctx.db.read() as s:
        assert s.query(Interaction).filter(Interaction.content == "Saved after the window closed").count() == 1
