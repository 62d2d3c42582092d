"""An OpenAI-compatible chat-completions server on 127.0.0.1 for tests and benchmarks, with failure modes.

It reads the segments from the JSON block of the last user message and "translates" each by
prefixing ``[es] `` (the target's code from the request), keeping placeholders and numbers,
unless a segment's text contains a fault key:

- ``SLOWREPLY``: the whole request waits longer than any sane timeout
- ``RATE429``: the request is answered 429 twice, then served
- ``ALWAYS500``: every request with it is answered 500
- ``NOTJSON``: the reply's content is prose, not JSON
- ``DROPID``: that segment is left out of the reply (every time)
- ``DROPONCE``: left out the first time it is asked, answered when asked again
- ``MANGLE``: ``⟦0⟧`` comes back as ``[0]``
- ``CHANGENUM``: every digit 5 becomes 6
- ``DROPNEG``: the negation is left out
- ``CHANGEUNIT``: hours become minutes

For Spanish it also swaps a few words (not -> no, never -> nunca, hours -> horas...), so that
the meaning checks pass on a good answer.

``refuse_schema`` makes it answer 400 to ``response_format`` of type ``json_schema`` (as servers
with JSON mode only do). Every request body is kept in ``requests_seen``.
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
from typing import Any


class FakeOpenAI:
    def __init__(self, latency: float = 0.0, slow: float = 5.0, refuse_schema: bool = False) -> None:
        self.latency, self.slow, self.refuse_schema = latency, slow, refuse_schema
        self.requests_seen: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.by_fault: Counter[str] = Counter()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self.send(404, {"error": {"message": "not found"}})
                    return
                with fake._lock:
                    fake.requests_seen.append(body)
                    fake.headers_seen.append(dict(self.headers))
                status, payload = fake.answer(body)
                self.send(status, payload)

            def send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def requests(self) -> int:
        return len(self.requests_seen)

    def work(self, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON object of the last user message (fenced or whole)."""
        content = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
        block = re.search(r"```json\n(.*?)\n```", content, re.DOTALL)
        return dict(json.loads(block.group(1) if block else content))

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        fmt = body.get("response_format", {}).get("type")
        if self.refuse_schema and fmt == "json_schema":
            return 400, {"error": {"message": "response_format json_schema is not supported"}}
        work = self.work(body)
        segments = work["segments"]
        texts = " ".join(s["text"] for s in segments)
        if self.latency:
            time.sleep(self.latency)
        if "SLOWREPLY" in texts:
            time.sleep(self.slow)
        if "ALWAYS500" in texts:
            return 500, {"error": {"message": "internal error"}}
        if "RATE429" in texts:
            with self._lock:
                self.by_fault["RATE429"] += 1
                if self.by_fault["RATE429"] <= 2:
                    return 429, {"error": {"message": "rate limited"}}
        target = "es" if work.get("target_language", "").startswith("Spanish") else "xx"
        out = []
        for seg in segments:
            text = seg["text"]
            if "DROPID" in text:
                continue
            if "DROPONCE" in text:
                with self._lock:
                    self.by_fault[text] += 1
                    if self.by_fault[text] == 1:
                        continue
            if target == "es":
                text = re.sub(r"n['’]t\b", " no", text)
                for word, spanish in (
                    ("not", "no"),
                    ("never", "nunca"),
                    ("none", "ninguno"),
                    ("nothing", "nada"),
                    ("without", "sin"),
                    ("cannot", "no puede"),
                    ("neither", "ni"),
                    ("nor", "ni"),
                    ("hours", "horas"),
                    ("days", "días"),
                    ("weeks", "semanas"),
                    ("week", "semana"),
                    ("years", "años"),
                    ("year", "año"),
                ):
                    text = re.sub(rf"\b{word}\b", spanish, text, flags=re.IGNORECASE)
            text = f"[{target}] {text}"
            if "DROPNEG" in text:
                text = re.sub(r"\b(no|nunca)\b ", "", text)
            if "CHANGEUNIT" in text:
                text = text.replace("horas", "minutos")
            if "MANGLE" in text:
                text = text.replace("⟦0⟧", "[0]")
            if "CHANGENUM" in text:
                text = text.replace("5", "6")
            out.append({"id": seg["id"], "text": text})
        content = json.dumps({"translations": out}, ensure_ascii=False)
        if "NOTJSON" in texts:
            content = "Sure! Here are your translations: " + content[:20]
        prompt = sum(len(m["content"]) for m in body["messages"]) // 4
        usage = {"prompt_tokens": prompt, "completion_tokens": len(content) // 4}
        message = {"role": "assistant", "content": content}
        return 200, {
            "id": "fake",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message}],
            "usage": usage,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
