"""Open a contact, log a call as the signed-in staff member, and see it on the timeline."""

from __future__ import annotations

from sqlalchemy import select

from crm_desktop.db.models import Interaction
from crm_desktop.ui.details.contact_detail import ContactDetail

from .conftest import STAFF_ID, screenshot


def _open(ctx, qtbot, contact_id: str) -> ContactDetail:  # noqa: ANN001
    view = ContactDetail(ctx, contact_id)
    qtbot.addWidget(view)
    view.show()  # hidden views only note that they are stale
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    return view


def test_contact_shows_related_records(ctx, demo, qtbot):
    view = _open(ctx, qtbot, "owner-0")
    assert view.name.text() == "Olivia Smith"
    assert view.properties.record_ids() == ["prop-0"]
    assert view.memberships.record_ids() == ["mem-0"]
    assert len(view.enquiries.record_ids()) == view.data.enquiry_total > 0
    opened = []
    view.open_record.connect(lambda kind, rid: opened.append((kind, rid)))
    view.properties._activated(view.properties.topLevelItem(0))
    assert opened == [("property", "prop-0")]
    view.tabs.setCurrentIndex(2)
    screenshot(view, "contact-detail-owner", (1280, 760))


def test_log_a_call_appears_in_the_timeline(ctx, demo, qtbot):
    view = _open(ctx, qtbot, "guest-4")
    before = len(view.timeline.entries())
    view.buttons["phone"].click()
    dialog = view.dialog
    assert dialog.windowTitle() == "Log call"
    dialog.fields["subject"].setText("Rang about the deposit")
    dialog.fields["content"].setPlainText("Guest will pay the deposit by Friday.")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        dialog.submit()
    with ctx.db.read() as s:
        row = s.scalars(select(Interaction).where(Interaction.contactId == "guest-4",
                                                  Interaction.subject == "Rang about the deposit")).one()
        assert (row.type, row.direction, row.performedBy) == ("phone", "outbound", STAFF_ID)
    entries = view.timeline.entries()
    assert len(entries) > before
    top = [e for e in entries if e.kind == "interaction"][0]
    assert (top.type, top.title, top.entry_id) == ("phone", "Rang about the deposit", row.id)
    assert view.fields.values["Last contacted"].text() != "—"
    screenshot(view, "contact-detail", (1280, 760))


def test_a_missing_contact_is_explained_not_a_traceback(ctx, qtbot):
    view = ContactDetail(ctx, "no-such-id")
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        pass
    assert not view.banner.isHidden()
    assert "No contact with id no-such-id" in view.banner.label.text()
    assert view.banner.button.text() == "Retry"
