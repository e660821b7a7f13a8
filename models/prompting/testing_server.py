"""A small OpenAI-compatible server on loopback, for tests and benchmarks (never for real use).

:class:`PromptingTestServer` serves ``POST /v1/completions`` and ``POST /v1/chat/completions``
from a thread of this process, on ``127.0.0.1`` and a free port. By default it answers every
prompt of :mod:`models.prompting.format` as the 1-nearest-neighbour learner would: the label of
the earlier ``Input:`` closest in Hamming distance to the query (the latest on ties; ``"0"``
with no example), written as ``" 0"`` / ``" 1"``. It counts requests per prompt
(:attr:`~PromptingTestServer.counts`) and can be told, per prompt and per request number, to
misbehave (:class:`Reply`: any status and headers, a delay, a garbage body, another text).

>>> with PromptingTestServer() as server:  # doctest: +SKIP
...     OpenAIBackend(server.base_url, "test", api_key_env=None).answer(prompt)
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """How the server answers one request: after ``delay`` seconds, HTTP ``status`` with
    ``headers``, and ``body`` if given (raw bytes: garbage), else a completion whose text is
    ``text`` (``None``: the default answer)."""

    status: int = 200
    text: str | None = None
    body: bytes | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


Script = Callable[[str, int], Reply | None]
"""``script(prompt, k)``: the reply to the ``k``-th request (1, 2, ...) for ``prompt``, or
``None`` for the default answer."""


def nearest_neighbour_answer(prompt: str) -> str:
    """The default answer (module docstring)."""
    inputs: list[list[str]] = []
    labels: list[str] = []
    for line in prompt.split("\n"):
        if line.startswith("Input: "):
            inputs.append(line[len("Input: "):].split(" "))
        elif line.startswith("Label: "):
            labels.append(line[len("Label: "):].strip())
    if not inputs or len(labels) >= len(inputs):
        return " 0"
    query, best, answer = inputs[-1], None, "0"
    for x, y in zip(inputs[:-1], labels, strict=False):
        d = sum(a != b for a, b in zip(x, query, strict=False))
        if best is None or d <= best:
            best, answer = d, y
    return f" {answer}"


class PromptingTestServer:
    """The loopback server (module docstring); a context manager that starts and stops it.

    ``delay``: seconds every request waits (benchmarks); ``script``: per-request misbehaviour;
    ``api_key``: when set, requests without ``Authorization: Bearer <api_key>`` get 401."""

    def __init__(
        self, *, delay: float = 0.0, script: Script | None = None, api_key: str | None = None
    ) -> None:
        self.delay = delay
        self.script = script
        self.api_key = api_key
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self.bodies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        if self._httpd is None:
            raise ValueError("the server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> PromptingTestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> PromptingTestServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length)
        chat = h.path.rstrip("/").endswith("/chat/completions")
        if not (chat or h.path.rstrip("/").endswith("/completions")):
            return self._send(h, 404, b'{"error": "no such path"}')
        if self.api_key is not None and h.headers.get("Authorization") != (
            f"Bearer {self.api_key}"
        ):
            return self._send(h, 401, b'{"error": "bad key"}')
        try:
            body = json.loads(raw)
            prompt = body["messages"][-1]["content"] if chat else body["prompt"]
        except (ValueError, KeyError, IndexError, TypeError):
            return self._send(h, 400, b'{"error": "bad request"}')
        with self._lock:
            self.counts[prompt] += 1
            self.requests += 1
            k = self.counts[prompt]
            self.bodies.append(body)
        reply = (self.script(prompt, k) if self.script else None) or Reply()
        time.sleep(self.delay + reply.delay)
        if reply.body is not None:
            payload = reply.body
        elif reply.status != 200:
            payload = json.dumps({"error": {"message": f"status {reply.status}"}}).encode()
        else:
            text = nearest_neighbour_answer(prompt) if reply.text is None else reply.text
            choice: dict[str, Any] = (
                {"index": 0, "message": {"role": "assistant", "content": text}}
                if chat else {"index": 0, "text": text}
            )
            payload = json.dumps({"object": "text_completion", "model": body.get("model"),
                                  "choices": [choice]}).encode()
        self._send(h, reply.status, payload, reply.headers)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: bytes,
              headers: dict[str, str] | None = None) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(payload)
        except OSError:  # the client gave up (a timeout): nothing to answer
            pass
