"""The packaged app: the PyInstaller spec (analysed cheaply on every run) and the frozen build itself.

The build takes about 35 s of CPU (35 s on an idle 2-core machine, 105 s on a busy one; see README
"Packaged app"), under the ~3 minute budget, so the suite builds it and runs the two smoke commands in
a clean environment. CRM_SKIP_FROZEN=1 skips only the build (e.g. a quick local run).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build" / "crm_desktop.spec"
PyInstaller = pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (pip install -e .[build])")


class _Recorder:
    calls: dict[str, dict] = {}

    def __init__(self, *args, **kwargs) -> None:
        _Recorder.calls[type(self).__name__] = {"args": args, **kwargs}
        self.pure = self.scripts = self.binaries = self.datas = []


def _analyse_spec() -> dict:
    """Run the spec with PyInstaller's build steps replaced by recorders: what would be built."""
    recorders = {name: type(name, (_Recorder,), {}) for name in ("Analysis", "PYZ", "EXE", "COLLECT")}
    namespace = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC), **recorders}
    exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)  # noqa: S102 - our own build file
    return dict(_Recorder.calls)


@pytest.fixture(scope="module")
def spec_calls() -> dict:
    return _analyse_spec()


def test_spec_parses():
    ast.parse(SPEC.read_text(), str(SPEC))


def test_spec_ships_migrations_resources_and_keyring_backends(spec_calls):
    analysis = spec_calls["Analysis"]
    dests = {Path(dest, Path(src).name).as_posix() for src, dest in analysis["datas"]}
    versions = sorted((ROOT / "crm_desktop" / "migrations" / "versions").glob("*.py"))
    assert versions
    for path in [*versions, ROOT / "crm_desktop/migrations/env.py", ROOT / "crm_desktop/migrations/script.py.mako",
                 *(ROOT / "crm_desktop/resources").glob("*.sql")]:
        assert path.relative_to(ROOT).as_posix() in dests, path
    hidden = set(analysis["hiddenimports"])
    assert {"keyring.backends.SecretService", "keyring.backends.kwallet", "keyring.backends.chainer",
            "psycopg_binary", "crm_desktop.commands.init", "crm_desktop.ui.launch"} <= hidden
    assert "keyrings.alt" in analysis["excludes"]  # never ship a plain-text keychain
    assert spec_calls["EXE"]["name"] == "crm-desktop" and spec_calls["COLLECT"]["name"] == "crm-desktop"


def test_spec_keeps_every_qt_module_the_source_imports(spec_calls):
    excludes = set(spec_calls["Analysis"]["excludes"])
    used = set()
    for path in (ROOT / "crm_desktop").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt[A-Za-z0-9]+)", path.read_text(encoding="utf-8")))
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert not {f"PySide6.{m}" for m in used} & excludes
    assert {"PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork", "PySide6.QtWebEngineCore"} <= excludes


def _clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """What a machine without Python (or this virtualenv) gives the app."""
    return {"HOME": str(tmp), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "CRM_DATA_DIR": str(tmp / "data"), **extra}


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("CRM_SKIP_FROZEN") == "1", reason="CRM_SKIP_FROZEN=1")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the smoke test runs the Linux build")
def test_frozen_app_builds_and_passes_the_smoke_commands(tmp_path, pg_database_url):
    dist, work = tmp_path / "dist", tmp_path / "work"
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--workpath", str(work), "--distpath", str(dist), str(SPEC)],
                   cwd=ROOT, check=True, capture_output=True, timeout=900)
    app = dist / "crm-desktop" / "crm-desktop"
    assert (dist / "crm-desktop" / "_internal" / "libpython3.11.so.1.0").exists()  # its own Python

    version = subprocess.run([str(app), "--version"], env=_clean_env(tmp_path), capture_output=True, text=True,
                             timeout=120)
    assert version.returncode == 0 and version.stdout.strip() == "crm-desktop 0.1.0"

    selftest = subprocess.run([str(app), "--self-test"], env=_clean_env(tmp_path), capture_output=True, text=True,
                              timeout=300)
    assert selftest.returncode == 0, selftest.stderr
    out = selftest.stdout
    assert "(packaged)" in out and "schema 0001" in out and "self-test: OK" in out
    assert re.search(r"^keychain: ", out, re.M) and "main window built" in out
    assert (tmp_path / "data" / "crm.sqlite3").exists()  # created and migrated by the frozen Alembic files

    if pg_database_url:  # the bundled psycopg binary and libpq reach PostgreSQL too
        pg = subprocess.run([str(app), "--self-test"], capture_output=True, text=True, timeout=300,
                            env=_clean_env(tmp_path, CRM_DATABASE_URL=pg_database_url))
        assert pg.returncode == 0 and "postgresql" in pg.stdout, pg.stderr

    bad = subprocess.run([str(app), "--self-test"], capture_output=True, text=True, timeout=120,
                         env=_clean_env(tmp_path, CRM_DATABASE_URL="postgresql://crm:hunter2@127.0.0.1:1/crm"))
    assert bad.returncode == 2 and "Cannot reach" in bad.stderr and "hunter2" not in bad.stderr + bad.stdout
    assert "Traceback" not in bad.stderr

    # keyring finds its backends through entry points: the metadata must ship with the app
    entry_points = next((dist / "crm-desktop" / "_internal").glob("keyring-*.dist-info/entry_points.txt"))
    assert "keyring.backends.SecretService" in entry_points.read_text()

    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(app)).open_embedded_archive("PYZ.pyz").toc)
    assert {"keyring.backends.SecretService", "keyring.backends.kwallet", "crm_desktop.offline.replica"} <= modules
    assert not any(m.startswith(("keyrings.alt", "pytest", "PySide6.QtQml")) for m in modules)
