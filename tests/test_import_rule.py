"""The core imports no Qt: only crm_desktop/ui/ may import PySide6 (checked on the source and at run time)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "crm_desktop"


def qt_imports_outside_ui() -> list[str]:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6") for n in names):
                offenders.append(f"{rel}:{node.lineno}")
            if any(n.startswith("crm_desktop.ui") for n in names) and rel.parts[0] not in ("cli.py",):
                offenders.append(f"{rel}:{node.lineno} (imports crm_desktop.ui)")
    return offenders


def test_core_source_imports_no_qt():
    assert qt_imports_outside_ui() == []


def test_core_modules_load_without_qt():
    code = (
        "import sys, pkgutil, importlib, crm_desktop\n"
        "for m in pkgutil.walk_packages(crm_desktop.__path__, 'crm_desktop.'):\n"
        "    if m.name.startswith(('crm_desktop.ui', 'crm_desktop.migrations', 'crm_desktop.__main__')): continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
