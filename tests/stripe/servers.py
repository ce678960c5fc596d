"""Stripe servers for the tests, both bound to 127.0.0.1 on a free port and run in a background thread:
localstripe (the real package, in-process, its /tmp pickle switched off) and a small fake serving
recorded current-shape JSON for what localstripe lacks (Checkout, 2026 shapes, 429s, 500s, drops)."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web


class BackgroundAiohttp:
    """An aiohttp application served from its own event loop thread."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="localstripe", daemon=True)
        self.runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> str:
        self.thread.start()

        async def up() -> int:
            self.runner = web.AppRunner(self.app, access_log=None)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        port = asyncio.run_coroutine_threadsafe(up(), self.loop).result(10)
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


Failure = tuple[int, dict[str, str]] | str  # (status, headers) or "drop" (close without answering)


class FakeStripe:
    """Serves Stripe list/retrieve endpoints from in-memory objects in the given order, with failures
    queued per path prefix (served before the normal answer) and every request recorded."""

    KINDS = ("customers", "subscriptions", "invoices", "events", "checkout/sessions")

    def __init__(self) -> None:
        self.objects: dict[str, list[dict[str, Any]]] = {k: [] for k in self.KINDS}
        self.failures: list[tuple[str, Failure]] = []
        self.requests: list[str] = []
        self.checkout_api = True
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="fake-stripe",
                                        daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, kind: str, *objs: dict[str, Any]) -> None:
        for obj in objs:
            self.objects[kind] = [o for o in self.objects[kind] if o["id"] != obj["id"]] + [obj]

    def fail(self, path_prefix: str, *failures: Failure) -> None:
        self.failures.extend((path_prefix, f) for f in failures)

    # ---- request handling ----------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.removeprefix("/v1/").strip("/")
        if parts.startswith("checkout/sessions") and not self.checkout_api:
            return 404, _error("Unrecognized request URL (GET: /v1/checkout/sessions).")
        for kind in self.KINDS:
            if parts == kind:
                return 200, self._list(kind, query)
            if parts.startswith(kind + "/"):
                oid = parts[len(kind) + 1:]
                for obj in self.objects[kind]:
                    if obj["id"] == oid:
                        return 200, obj
                return 404, _error(f"No such {kind[:-1]}: '{oid}'")
        return 404, _error(f"Unrecognized request URL (GET: {path}).")

    def _list(self, kind: str, query: dict[str, str]) -> dict[str, Any]:
        items = list(self.objects[kind])
        if "created[gte]" in query:
            items = [o for o in items if o["created"] >= int(query["created[gte]"])]
        if "subscription" in query:
            items = [o for o in items if o.get("subscription") == query["subscription"]]
        start = 0
        if query.get("starting_after"):
            ids = [o["id"] for o in items]
            start = ids.index(query["starting_after"]) + 1
        limit = int(query.get("limit", 10))
        page = items[start:start + limit]
        return {"object": "list", "url": f"/v1/{kind}", "has_more": start + limit < len(items), "data": page}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                fake.requests.append(self.path)
                for i, (prefix, failure) in enumerate(fake.failures):
                    if url.path.startswith(prefix):
                        del fake.failures[i]
                        if failure == "drop":
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        status, headers = failure  # type: ignore[misc]
                        self._send(status, _error("Too many requests" if status == 429 else "Server error",
                                                  "api_error"), headers)
                        return
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                status, body = fake.answer(url.path, query)
                self._send(status, body)

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
