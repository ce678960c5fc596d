"""A sync killed mid-batch loses and duplicates nothing on the next run; two desktops syncing the same
database at once double nothing. Both are compared with the same platform synced once, cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crm_desktop.app import AppContext
from crm_desktop.config import Settings
from crm_desktop.demo.generator import generate_platform
from crm_desktop.sync.runner import run_sync
from tests.sync.snapshot import reference_snapshot, snapshot

ROOT = Path(__file__).resolve().parents[2]


def _sync_process(db_url: str, platform_url: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "CRM_DATABASE_URL": db_url, "CRM_PLATFORM_DATABASE_URL": platform_url,
                "CRM_SYNC_BATCH_SIZE": "40", **env}
    return subprocess.run([sys.executable, "main.py", "sync", "--quiet"], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=180)


def test_killed_mid_batch_then_rerun_matches_a_clean_sync(db, platform, platform_url, tmp_path):
    generate_platform(platform.engine, owners=10, seed=5)
    reference = reference_snapshot(tmp_path, platform_url)
    crashed = _sync_process(db.url, platform_url, CRM_SYNC_TEST_CRASH_IN_BATCH="9")
    assert crashed.returncode == 3, crashed.stderr
    partial = snapshot(db)
    assert partial["contacts"] and partial != reference  # committed batches kept, the rest not done
    rerun = _sync_process(db.url, platform_url)
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(db) == reference
    ctx = AppContext(Settings(database_url=db.url, platform_database_url=platform_url))
    assert run_sync(ctx).changed == 0
    ctx.close()
    assert snapshot(db) == reference


@pytest.mark.parametrize("workers", [2])
def test_two_desktops_syncing_at_once_double_nothing(db, platform, platform_url, tmp_path, monkeypatch, workers):
    generate_platform(platform.engine, owners=10, seed=9)
    monkeypatch.setenv("CRM_SYNC_BATCH_SIZE", "25")
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def desktop() -> None:
        ctx = AppContext(Settings(database_url=db.url, platform_database_url=platform_url))
        try:
            start.wait()
            run_sync(ctx)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            ctx.close()

    threads = [threading.Thread(target=desktop) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors
    monkeypatch.delenv("CRM_SYNC_BATCH_SIZE")
    assert snapshot(db) == reference_snapshot(tmp_path, platform_url)
