"""EnquiryDetail: move along the pipeline, set priority/assignment/notes, and conflicts shown."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from crm_desktop.db.models import ActivityLog, Enquiry
from crm_desktop.services import enquiries
from crm_desktop.ui.details.enquiry_detail import EnquiryDetail

from .conftest import STAFF_ID, screenshot


def _open(ctx, qtbot, enquiry_id: str) -> EnquiryDetail:  # noqa: ANN001
    view = EnquiryDetail(ctx, enquiry_id)
    qtbot.addWidget(view)
    view.show()  # hidden views only note that they are stale
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    return view


def _status(ctx, enquiry_id: str) -> Enquiry:  # noqa: ANN001
    with ctx.db.read() as s:
        return s.get(Enquiry, enquiry_id)


def test_move_along_the_pipeline_to_booked(ctx, demo, qtbot):
    view = _open(ctx, qtbot, "enq-016")  # 'contacted' in the demo data
    assert view.stage_buttons["contacted"].isChecked()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.stage_buttons["negotiating"].click()
    assert _status(ctx, "enq-016").status == "negotiating"
    assert view.stage_buttons["negotiating"].isChecked()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.move_to("booked", "4250.00")
    e = _status(ctx, "enq-016")
    assert (e.status, e.convertedToBooking, e.bookingValue) == ("booked", True, Decimal("4250.00"))
    assert view.fields.values["Booking value"].text() == "£4,250.00"
    assert [h.type for h in view.history.entries()][:2] == ["status_change", "status_changed"] or \
        {"status_change", "status_changed"} <= {h.type for h in view.history.entries()[:4]}
    screenshot(view, "enquiry-detail", (1200, 760))


def test_priority_assignment_and_notes(ctx, demo, qtbot):
    view = _open(ctx, qtbot, "enq-001")
    view.priority.setCurrentIndex(view.priority.findData("high"))
    view.assignee.setCurrentIndex(view.assignee.findData("staff-grace"))
    view.notes.setPlainText("Wants the hot tub confirmed before paying.")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.save_button.click()
    e = _status(ctx, "enq-001")
    assert (e.priority, e.assignedToAdminId, e.internalNotes) == (
        "high", "staff-grace", "Wants the hot tub confirmed before paying.")
    with ctx.db.read() as s:
        audit = s.scalars(select(ActivityLog).where(ActivityLog.entityId == "enq-001",
                                                    ActivityLog.action == "updated")).one()
        assert audit.performedBy == STAFF_ID


def test_conflicting_edit_is_shown_and_not_overwritten(ctx, demo, qtbot):
    view = _open(ctx, qtbot, "enq-002")
    # Someone else, on another desktop, writes a note first (no change bus between desktops).
    ctx.db.write(lambda s: enquiries.update_enquiry(s, ctx.actor, "enq-002", {"internalNotes": "Theirs"}))
    view.notes.setPlainText("Mine")
    view.save_button.click()
    qtbot.waitUntil(lambda: not view.saving, timeout=10_000)
    assert not view.banner.isHidden() and "changed by someone else" in view.banner.label.text()
    assert view.notes.toPlainText() == "Mine"  # the user's text is kept on screen
    assert _status(ctx, "enq-002").internalNotes == "Theirs"
    screenshot(view, "enquiry-detail-conflict", (1200, 760))
    # A pipeline move from the stale copy is refused too.
    ctx.db.write(lambda s: enquiries.change_status(s, ctx.actor, "enq-002", "lost"))
    view.move_to("contacted")
    qtbot.waitUntil(lambda: not view.saving, timeout=10_000)
    assert _status(ctx, "enq-002").status == "lost"
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.banner.button.click()  # Reload
    assert view.notes.toPlainText() == "Theirs" and view.stage_buttons["lost"].isChecked()


def test_a_viewer_can_read_but_not_move(ctx, demo, qtbot):
    from crm_desktop.services.actor import Actor

    ctx.actor = Actor("staff-viewer", "viewer", "Val Viewer")
    view = _open(ctx, qtbot, "enq-003")
    assert view.fields.values["Guest"].text()
    assert not view.stage_buttons["booked"].isEnabled() and not view.save_button.isEnabled()


def test_a_call_logged_from_the_enquiry_is_in_its_history(ctx, demo, qtbot):
    view = _open(ctx, qtbot, "enq-004")
    view.log_buttons["phone"].click()
    view.dialog.fields["content"].setPlainText("Confirmed the numbers for the hot tub")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.dialog.submit()
    top = [h for h in view.history.entries() if h.kind == "interaction"][0]
    assert (top.type, top.detail) == ("phone", "Confirmed the numbers for the hot tub")
