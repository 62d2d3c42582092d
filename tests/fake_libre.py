"""A LibreTranslate-compatible server on 127.0.0.1 for tests and benchmarks, with failure modes.

It "translates" by prefixing the target language, keeping placeholders and
numbers, unless the text contains one of the fault keys:

- ``FLAKY429``: answers 429 twice, then translates
- ``ALWAYS500``: answers 500 every time
- ``SLOWREPLY``: waits longer than any sane timeout
- ``MANGLE``: rewrites ``⟦0⟧`` as ``[0]``
- ``DROPNUM``: drops every digit
- ``EMPTY``: answers with an empty text
- ``DUPMASK``: repeats the first placeholder
- ``FORBIDDEN``: answers 403 (bad API key)
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit


class FakeLibre:
    def __init__(self, latency: float = 0.0, slow: float = 5.0) -> None:
        self.latency = latency
        self.slow = slow
        self.requests = 0
        self.by_text: Counter[str] = Counter()
        self.keys: set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                params = {k: v[0] for k, v in {**parse_qs(body), **parse_qs(parts.query)}.items()}
                if parts.path.rstrip("/") != "/translate":
                    self._send(404, {"error": "not found"})
                    return
                fake.answer(self, params)

            def _send(self, status: int, payload: dict[str, str]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self.wfile.write(data)

        self.handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def answer(self, handler: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        send = handler._send  # type: ignore[attr-defined]
        text = params.get("q", "")
        with self._lock:
            self.requests += 1
            self.by_text[text] += 1
            seen = self.by_text[text]
            if params.get("api_key"):
                self.keys.add(params["api_key"])
        if self.latency:
            time.sleep(self.latency)
        if "FORBIDDEN" in text:
            send(403, {"error": "Invalid API key"})
        elif "ALWAYS500" in text:
            send(500, {"error": "boom"})
        elif "FLAKY429" in text and seen <= 2:
            send(429, {"error": "Too many requests"})
        elif "SLOWREPLY" in text:
            time.sleep(self.slow)
            send(200, {"translatedText": text})
        else:
            out = f"[{params.get('target', '?')}] {text}"
            if "MANGLE" in text:
                out = out.replace("⟦0⟧", "[0]")
            if "DROPNUM" in text:
                out = re.sub(r"\d", "", out)
            if "DUPMASK" in text:
                out = out + " ⟦0⟧"
            if "EMPTY" in text:
                out = ""
            send(200, {"translatedText": out})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeLibre:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
