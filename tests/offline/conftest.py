"""Fixtures for the offline tests: a replica file next to each test's CRM database, and small data."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from crm_desktop.offline.outbox import Outbox
from crm_desktop.offline.replica import Replica


@pytest.fixture
def replica(tmp_path: Path):
    r = Replica(tmp_path / "offline" / "replica.sqlite3")
    yield r
    r.close()


@pytest.fixture
def outbox(replica: Replica) -> Outbox:
    return Outbox(replica)


def files_bytes(*roots: Path) -> dict[Path, bytes]:
    """Every file under the roots (SQLite -wal/-shm files included), for canary searches."""
    found: dict[Path, bytes] = {}
    for root in roots:
        paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for p in paths:
            found[p] = p.read_bytes()
    return found


class TcpProxy:
    """A 127.0.0.1 TCP forwarder to a server; `stop()` drops every connection and stops listening, so a
    test can take a database away mid-session without touching the shared server itself."""

    def __init__(self, target_port: int, port: int = 0) -> None:
        self.target_port = target_port
        self.port = port
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._stopped:  # accepted just as the proxy stopped: drop it too
                    client.close()
                    server.close()
                    continue
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._listener is not None:
            try:  # on Linux only shutdown() wakes a thread blocked in accept(); close() alone keeps listening
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            self._stopped = True
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._sockets.clear()
