"""My views inside the real main window: the Pipeline page, records opened from one another, and the
flow a user takes: open an enquiry, move it to booked, and see the dashboard's conversions change."""

from __future__ import annotations

from crm_desktop.db.models import Enquiry
from crm_desktop.ui.dashboard import DashboardView
from crm_desktop.ui.details.contact_detail import ContactDetail
from crm_desktop.ui.details.enquiry_detail import EnquiryDetail
from crm_desktop.ui.details.property_detail import PropertyDetail
from crm_desktop.ui.pipeline import PipelineBoard


def _window(ctx, qtbot):  # noqa: ANN001, ANN202
    from crm_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_pipeline_page_and_details_open_from_each_other(ctx, demo, qtbot):
    window = _window(ctx, qtbot)
    board = window.show_page("pipeline")
    assert isinstance(board, PipelineBoard)
    qtbot.waitUntil(lambda: board.board is not None, timeout=10_000)
    card = board.columns["new"].cards()[0]
    board._open(board.columns["new"].item(0))  # double-click a card
    detail = window._details[("enquiry", card.id)]
    assert isinstance(detail, EnquiryDetail)
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    detail._open_link("contact")
    contact = window._details[("contact", detail.data.fields["contactId"])]
    assert isinstance(contact, ContactDetail)
    detail._open_link("property")
    assert isinstance(window._details[("property", detail.data.fields["propertyId"])], PropertyDetail)
    for w in list(window._details.values()):
        w.close()


def test_booking_from_the_enquiry_window_updates_the_dashboard_page(ctx, demo, qtbot):
    window = _window(ctx, qtbot)
    dashboard = window.show_page("dashboard")
    assert isinstance(dashboard, DashboardView)
    qtbot.waitUntil(lambda: dashboard.numbers is not None, timeout=10_000)
    before = dashboard.numbers.conversions
    detail = window.open_record("enquiry", "enq-001")
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    assert detail.data.fields["status"] != "booked"
    with qtbot.waitSignal(dashboard.loaded, timeout=10_000):
        detail.move_to("booked", "3100")
    assert dashboard.conversions_card.value.text() == str(before + 1)
    with ctx.db.read() as s:
        assert s.get(Enquiry, "enq-001").status == "booked"
    detail.close()
