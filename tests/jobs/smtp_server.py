"""A tiny SMTP server for tests (127.0.0.1, a free port, a background thread), enough for smtplib:
EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT. Received messages are kept as email.message objects."""

from __future__ import annotations

import email
import socketserver
import threading
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        server: SmtpTestServer = self.server.owner  # type: ignore[attr-defined]
        self._reply("220 localhost test SMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            verb = raw.decode("utf-8", "replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 localhost")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                server.received.append(email.message_from_bytes(b"".join(lines)))
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class SmtpTestServer:
    def __init__(self) -> None:
        self.received: list[Message] = []
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?from=crm@example.com"

    def __enter__(self) -> SmtpTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
