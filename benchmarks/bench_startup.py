"""Start-up: launch (a fresh interpreter, every import) to a painted main window, and to loaded pages.

The raw limit is a bare PySide6 window in a fresh interpreter: what any Qt app pays to paint at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, percentile

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
t0 = float(os.environ["CRM_BENCH_T0"])
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1200, 800)
class Watch(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            print(time.time() - t0, flush=True); app.quit()
        return False
watch = Watch(); w.installEventFilter(watch); w.centralWidget().installEventFilter(watch)
w.show(); QTimer.singleShot(30000, app.quit); app.exec()
"""


def _spawn(args: list[str], env: dict[str, str]) -> str:
    env = {**env, "CRM_BENCH_T0": repr(time.time())}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{args[-1]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip().splitlines()[-1]


def run(url: str, runs: int = 2) -> list[Figure]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CRM_DATABASE_URL": url,
               "CRM_PLATFORM_DATABASE_URL": url, "CRM_DATA_DIR": str(Path(home) / "data"),
               "XDG_CONFIG_HOME": str(Path(home) / "config"), "HOME": home}
        env.pop("CRM_STRIPE_API_KEY", None)
        app = [json.loads(_spawn([sys.executable, "-m", "benchmarks.startup_probe"], env)) for _ in range(runs)]
        bare = [float(_spawn([sys.executable, "-c", BARE], env)) for _ in range(runs)]
    painted = percentile([a["painted_s"] * 1000 for a in app], 50)
    loaded_runs = [a["loaded_s"] * 1000 for a in app if "loaded_s" in a]
    loaded = percentile(loaded_runs, 50) if len(loaded_runs) == len(app) else None
    raw = percentile([b * 1000 for b in bare], 50)
    rss = max(a.get("rss_mb", 0) for a in app)
    return [
        Figure(f"launch to painted main window (median of {runs})", painted, "ms", "< 1000 ms", raw,
               "bare PySide6 window", ok=painted < 1000),
        Figure(f"launch to every page loaded (median of {runs})", loaded, "ms", "", raw, "bare PySide6 window",
               "database opened, count + first rows of each table" if loaded is not None
               else "not within 30 s in every run", ok=None),
        Figure("  process RSS when every page is loaded (or at 30 s)", rss, "MB", "", None, ""),
    ]
