"""The contacts table as the user sees it, measured in a process of its own (so its memory is its own).

    QT_QPA_PLATFORM=offscreen python -m benchmarks.table_probe <crm.sqlite3 or URL> [--jumps N]

Builds the real TablePage (PagedTableModel + QTableView) on the real TaskRunner and prints one JSON
object: time to first paint, jumps to random rows across the whole table (page fetched and painted),
a re-sort by another column, a filter, and RSS before and after the table is open. "Painted" means
the viewport has been rendered (grab()), which calls data() for every visible cell.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.figures import percentile, rss_mb  # noqa: E402

TIMEOUT_S = 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--jumps", type=int, default=40)
    args = parser.parse_args(argv)
    url = args.database if "://" in args.database else f"sqlite:///{Path(args.database).resolve()}"

    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the run)
    from crm_desktop.app import AppContext
    from crm_desktop.config import Settings
    from crm_desktop.ui.context import UiContext
    from crm_desktop.ui.tables.specs import TABLES
    from crm_desktop.ui.tables.table_page import TablePage
    from crm_desktop.ui.tasks import TaskRunner

    baseline = rss_mb()

    def wait_for(signal, action) -> None:
        """Run `action`, then spin the event loop until `signal` fires (or fail after TIMEOUT_S)."""
        loop = QEventLoop()
        fired: list[bool] = []

        def done(*_args) -> None:
            fired.append(True)
            loop.quit()

        signal.connect(done)
        QTimer.singleShot(int(TIMEOUT_S * 1000), loop.quit)
        action()
        if not fired:
            loop.exec()
        signal.disconnect(done)
        if not fired:
            raise SystemExit(f"timed out after {TIMEOUT_S:.0f} s waiting for {signal}")

    ctx = UiContext(app=AppContext(Settings(database_url=url, platform_database_url=url)), tasks=TaskRunner())
    t0 = time.perf_counter()
    page = TablePage(ctx, TABLES["contacts"])
    page.resize(1400, 900)
    page.show()
    model, view = page.model, page.view

    def timed_reload(action) -> tuple[float, float]:
        """(ms until the count and first page are painted, ms until the whole key list is in)."""
        start = time.perf_counter()
        wait_for(model.loaded, action)
        view.viewport().grab()
        painted = (time.perf_counter() - start) * 1000
        if not model.keys_ready:
            wait_for(model.keys_loaded, lambda: None)
        return painted, (time.perf_counter() - start) * 1000

    start_paint, start_keys = timed_reload(model.reload)  # what MainWindow.load_pages does for each page
    first_paint = (time.perf_counter() - t0) * 1000 - (start_keys - start_paint)
    rows = model.total
    if rows == 0:
        raise SystemExit("the contacts table is empty")

    def painted_at(row: int) -> float:
        """Scroll to `row`; wait for its page if it is not cached; paint. Milliseconds."""
        start = time.perf_counter()
        view.scrollTo(model.index(row, 0), view.ScrollHint.PositionAtTop)
        top = view.rowAt(0)
        bottom = view.rowAt(view.viewport().height() - 1)
        bottom = model.total - 1 if bottom < 0 else bottom
        for visible in range(top, bottom + 1, model.page_size):  # every page the viewport shows
            for r in (visible, min(bottom, visible + model.page_size - 1)):
                if model.row(r, fetch=False) is None:
                    wait_for(model.page_loaded, lambda r=r: model.row(r))
        view.viewport().grab()
        return (time.perf_counter() - start) * 1000

    rng = random.Random(11)
    jumps = [painted_at(rng.randrange(rows)) for _ in range(args.jumps)]
    QCoreApplication.processEvents()

    email_col = next(n for n, c in enumerate(model.columns) if c.key == "email")
    city_col = next(n for n, c in enumerate(model.columns) if c.key == "city")
    from PySide6.QtCore import Qt

    resort, resort_keys = timed_reload(lambda: model.sort(email_col, Qt.SortOrder.AscendingOrder))
    rss_open = rss_mb()
    resort_city, resort_city_keys = timed_reload(lambda: model.sort(city_col, Qt.SortOrder.AscendingOrder))
    filt, filt_keys = timed_reload(lambda: page.set_filter("type", "owner"))
    filtered_rows = model.total
    clear_filter, _ = timed_reload(lambda: page.set_filter("type", ""))
    print(json.dumps({
        "rows": rows, "first_paint_ms": first_paint, "keys_ms": start_keys,
        "jump_p50_ms": percentile(jumps, 50), "jump_p95_ms": percentile(jumps, 95),
        "resort_ms": resort, "resort_keys_ms": resort_keys, "resort_city_ms": resort_city,
        "resort_city_keys_ms": resort_city_keys, "filter_ms": filt, "filter_keys_ms": filt_keys,
        "filtered_rows": filtered_rows, "unfilter_ms": clear_filter,
        "rss_baseline_mb": baseline, "rss_open_mb": max(rss_open, rss_mb()),
        "key_bytes": model.key_bytes,
    }))
    page.close()
    ctx.tasks.pool.waitForDone(10_000)
    ctx.app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
