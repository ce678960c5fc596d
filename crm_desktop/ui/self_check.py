"""The window half of `--self-test`: Qt starts, every window module imports, the main window is built.

Kept in the UI package (the core never imports Qt); crm_desktop.cli hands it to the core self-test.
In a packaged app this is what shows that no Qt module or plugin the window needs was left out.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from crm_desktop.config import Settings


def check_ui(settings: Settings) -> str:
    """Build (but do not show or connect) the main window; returns one line for the report."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen: still check everything else
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QSettings, qVersion

    from crm_desktop.ui.launch import application, build_window

    app = application([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:  # never touch the user's saved window settings
        qs = QSettings(str(Path(tmp) / "self-test.ini"), QSettings.Format.IniFormat)
        window, ctx = build_window(settings, qs)
        pages = len(window.pages)
        window.close()
        ctx.tasks.wait(5_000)
        ctx.app.close()
        window.deleteLater()
        app.processEvents()
    return f"Qt {qVersion()} (PySide6 {pyside_version}), platform {app.platformName()}, main window built ({pages} pages)"
