"""One way to tell the user something failed: what went wrong, what to do, full detail in the log.

`describe(exc)` turns any exception into two plain sentences; `show_error(parent, title, exc)` puts
them in a dialog (with the technical detail folded away) and logs the traceback to the log file.
`setup_logging()` sends the log to crm_desktop.config.data_dir()/logs/crm-desktop.log.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError, ProgrammingError

from crm_desktop.config import data_dir
from crm_desktop.db.engine import DatabaseUnavailable
from crm_desktop.db.errors import classify, describe_db_error
from crm_desktop.secrets import KeychainUnavailable
from crm_desktop.services.errors import ConflictError, CrmError, PermissionDenied, ValidationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Described:
    text: str  # what went wrong
    advice: str  # what to do about it


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def describe(exc: BaseException) -> Described:
    """Plain words for an error. CRM errors are written for staff already and are kept as they are."""
    if isinstance(exc, ValidationError):
        return Described(str(exc), "Correct the highlighted values and try again.")
    if isinstance(exc, ConflictError):
        return Described(str(exc), "Reload to see the other change, then make yours again.")
    if isinstance(exc, PermissionDenied):
        return Described(str(exc), "Ask an administrator if you need this.")
    if isinstance(exc, CrmError):
        return Described(str(exc), "")
    if isinstance(exc, KeychainUnavailable):
        return Described(str(exc), "Set CRM_STRIPE_API_KEY in the environment, or install a keychain "
                                   "(GNOME Keyring, KWallet, macOS Keychain or Windows Credential Manager).")
    if isinstance(exc, DatabaseUnavailable):
        return Described(str(exc), "Check the database address in Settings and that the server is "
                                   "running and reachable from this computer, then try again.")
    if isinstance(exc, NoSuchTableError | ProgrammingError):
        return Described(f"The database is missing a table or column ({_first_line(exc)}).",
                         "Run `python main.py init` against this database, and check the platform "
                         "database address in Settings.")
    if isinstance(exc, OperationalError | DBAPIError) and classify(exc) in ("full", "readonly", "damaged", "lost"):
        return Described(describe_db_error(exc), f"The details are in the log: {log_file()}")
    if isinstance(exc, OperationalError):
        text = _first_line(exc)
        if "locked" in text.lower():
            return Described("The database is busy (another program is writing to it).",
                             "Wait a moment and try again.")
        return Described(f"The database could not be reached ({text}).",
                         "Check the network connection and the database address in Settings, then try "
                         "again. Your changes were not saved.")
    if isinstance(exc, DBAPIError):
        return Described(f"The database refused the request ({_first_line(exc)}).",
                         "Try again; if it keeps happening, send the log file to support.")
    if isinstance(exc, OSError):
        return Described(f"A file could not be read or written ({exc.strerror or exc}).",
                         "Check the folder exists, you may write to it and the disk is not full.")
    return Described(f"Something unexpected went wrong ({type(exc).__name__}: {exc}).",
                     f"Try again. The details are in the log: {log_file()}")


# Dialogs with no parent window, kept referenced until closed (else Python would delete them at once).
_ORPHANS: set[QMessageBox] = set()


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> QMessageBox:
    """Log the full detail and show a dialog saying what went wrong and what to do."""
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("%s: %s", title, detail)
    described = describe(exc)
    parent = parent or QApplication.activeWindow()
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        _ORPHANS.add(box)
        box.finished.connect(lambda _r, b=box: _ORPHANS.discard(b))
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(described.text)
    if described.advice:
        box.setInformativeText(described.advice)
    if not isinstance(exc, CrmError):
        box.setDetailedText(detail)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()  # window-modal, non-blocking: tests and background errors never stall the event loop
    return box


def log_file() -> Path:
    return data_dir() / "logs" / "crm-desktop.log"


def setup_logging(level: int = logging.INFO) -> Path:
    """Log to a rotating file in the data folder (created if missing); returns its path."""
    path = log_file()
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError as exc:  # read-only home: keep going, log to stderr only
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", path, exc)
        return path
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    previous = root.level
    if previous > level or previous == logging.NOTSET:
        # The file gets INFO; handlers already there (the console) keep showing what they showed.
        for existing in root.handlers:
            if existing.level == logging.NOTSET:
                existing.setLevel(previous or logging.WARNING)
        root.setLevel(level)
    root.addHandler(handler)
    return path
