"""Start the real app the way `python main.py` does and report when the main window is painted.

Run by bench_startup in a fresh process: the parent passes its clock in CRM_BENCH_T0 (time.time()
before it spawned us), so the figures include interpreter start and every import. Prints JSON:
`painted_s` (first paint of the main window), `loaded_s` (the database opened and every page's
first rows in; absent when that takes over 30 s) and `rss_mb` at that point, then exits.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
T0 = float(os.environ.get("CRM_BENCH_T0", time.time()))
LOADED_CAP_MS = 30_000


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer

    from benchmarks.figures import rss_mb
    from crm_desktop.config import Settings
    from crm_desktop.ui.launch import application, build_window, start

    marks: dict[str, float] = {}
    app = application()
    window, ctx = build_window(Settings.from_env())

    class PaintWatch(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
            if event.type() == QEvent.Type.Paint and "painted_s" not in marks:
                marks["painted_s"] = time.time() - T0
            return False

    watch = PaintWatch()
    for widget in [window, *window.findChildren(QObject)]:
        if hasattr(widget, "installEventFilter") and hasattr(widget, "isVisible"):
            widget.installEventFilter(watch)
    window.show()
    start(window)

    def pages_loaded() -> bool:
        from crm_desktop.ui.tables.table_page import TablePage

        tables = [w for w in window.pages.values() if isinstance(w, TablePage)]
        return bool(tables) and all(not t.model.loading and t.model.total >= 0 for t in tables) \
            and all(t.model._generation > 0 for t in tables)

    def poll() -> None:
        if "painted_s" in marks and pages_loaded():
            marks["loaded_s"] = time.time() - T0
            app.quit()
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    QTimer.singleShot(LOADED_CAP_MS, app.quit)  # pages not all in by then: reported as missing
    app.exec()
    marks["rss_mb"] = rss_mb()
    print(json.dumps(marks), flush=True)
    ctx.tasks.cancel_all()
    os._exit(0)  # background work (e.g. the offline replica's first copy) need not finish


if __name__ == "__main__":
    sys.exit(main())
