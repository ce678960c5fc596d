"""The dashboard view loads in a task, shows the cards and charts, and follows the pipeline."""

from __future__ import annotations

from crm_desktop.services import enquiries
from crm_desktop.ui.dashboard import DashboardView

from .conftest import screenshot


def test_dashboard_cards_and_charts(ctx, demo, qtbot):
    view = DashboardView(ctx)
    qtbot.addWidget(view)
    view.show()  # hidden views only note that they are stale
    qtbot.waitUntil(lambda: view.numbers is not None, timeout=10_000)
    n = view.numbers
    assert view.contacts_card.value.text() == "32"
    assert view.enquiries_card.value.text() == "90"
    assert view.conversions_card.value.text() == str(n.conversions)
    assert view.funnel.labels()[0] == "New" and sum(view.funnel.values()) == 90
    assert len(view.weekly.labels()) == 26 and sum(view.weekly.values()) == 90
    screenshot(view, "dashboard", (1280, 860))


def test_booking_an_enquiry_changes_the_conversions_card(ctx, demo, qtbot):
    view = DashboardView(ctx)
    qtbot.addWidget(view)
    view.show()  # hidden views only note that they are stale
    qtbot.waitUntil(lambda: view.numbers is not None, timeout=10_000)
    before = view.numbers.conversions
    open_id = next(e for e in demo["enquiries"] if e.endswith("000"))  # enq-000 is 'new'
    ctx.db.write(lambda s: enquiries.change_status(s, ctx.actor, open_id, "booked"))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        ctx.changes.notify("enquiry")
    assert view.numbers.conversions == before + 1
    assert view.conversions_card.value.text() == str(before + 1)


def test_a_hidden_dashboard_waits_until_it_is_shown(ctx, demo, qtbot):
    view = DashboardView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.numbers is not None, timeout=10_000)  # the first load always runs
    first = view.numbers
    ctx.changes.notify("enquiry")
    qtbot.wait(400)  # past the debounce: hidden, so nothing is loaded
    assert view.numbers is first and view._stale
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.show()
    assert view.numbers is not first and not view._stale
