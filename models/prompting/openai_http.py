"""An OpenAI-compatible HTTP endpoint as a prompting backend (a vLLM server, a hosted API).

Each query is one ``POST {base_url}/completions`` (``endpoint="completions"``: the prompt as
``prompt``) or ``POST {base_url}/chat/completions`` (``endpoint="chat"``: the prompt as one user
message), with deterministic decoding: ``temperature 0``, ``top_p 1``, ``max_tokens`` tokens,
stop sequence ``"\\n"``. The raw answer is ``choices[0].text`` (or
``choices[0].message.content``), parsed by :func:`models.prompting.format.parse_answer`.

Failures, each counted in :attr:`OpenAIBackend.stats`:

- retried (at most ``retries`` times, then the query fails and the evaluation goes on): a
  timeout (``timeout`` seconds per socket operation), a refused or broken connection, HTTP 408,
  409, 429 and 5xx, and a 200 whose body is not a completion (not JSON, no ``choices``, no
  text). The wait before retry ``r`` (1, 2, ...) is ``min(max_backoff, backoff * 2^(r-1))``,
  or the server's ``Retry-After`` (seconds) when longer, capped at ``max_backoff``; no jitter.
- fatal (:class:`~models.prompting.backend.FatalBackendError`: the evaluation stops): HTTP 401,
  403 and 404 (a rejected key, an unknown model or path).
- any other 4xx: the query fails at once.

Every request, retries included, takes one from the shared
:class:`~models.prompting.backend.RequestBudget` (``max_requests``). The API key is read from
the environment variable ``api_key_env`` when the backend is built (before any request); a
missing key is a ``ValueError`` naming the variable. Plain ``http://`` to a host that is not a
loopback address gives a ``UserWarning`` (the key and the prompts travel unencrypted).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections import Counter
from collections.abc import Mapping
from typing import Any

from models.prompting.backend import Answer, BudgetExhausted, FatalBackendError, RequestBudget

ENDPOINTS = ("completions", "chat")
"""``endpoint``: the legacy completions API or the chat-completions API."""

RETRIED_STATUS = frozenset({408, 409, 429})
FATAL_STATUS = frozenset({401, 403, 404})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost`` or a loopback address)."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _number(value: Any, name: str, low: float, *, integer: bool = False) -> Any:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if not ok or isinstance(value, bool) or not value >= low or value != value:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind} >= {low:g}, got {value!r}")
    return value


class OpenAIBackend:
    """Queries an OpenAI-compatible server (module docstring)."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        endpoint: str = "completions",
        api_key_env: str | None = "OPENAI_API_KEY",
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        concurrency: int = 4,
        max_tokens: int = 2,
        max_requests: int | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(base_url, str):
            raise ValueError(f"base_url must be a URL, got {base_url!r}")
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"base_url must be an http:// or https:// URL with a host, got {base_url!r}"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"base_url must have no query or fragment, got {base_url!r}")
        if not isinstance(model, str) or not model.strip():
            raise ValueError(f"model must be a non-empty name, got {model!r}")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {list(ENDPOINTS)}, got {endpoint!r}")
        self.timeout = float(_number(timeout, "timeout", 0.001))
        self.retries = _number(retries, "retries", 0, integer=True)
        self.backoff = float(_number(backoff, "backoff", 0))
        self.max_backoff = float(_number(max_backoff, "max_backoff", 0))
        self.concurrency = _number(concurrency, "concurrency", 1, integer=True)
        self.max_tokens = _number(max_tokens, "max_tokens", 1, integer=True)
        self.budget = RequestBudget(max_requests)
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            warnings.warn(
                f"base_url {base_url!r} is plain HTTP to a host that is not this machine: the "
                "API key and the prompts travel unencrypted (use https://)",
                UserWarning,
                stacklevel=2,
            )
        self.api_key: str | None = None
        if api_key_env is not None:
            env = os.environ if environ is None else environ
            if not isinstance(api_key_env, str) or not api_key_env:
                raise ValueError(f"api_key_env must name an environment variable, got "
                                 f"{api_key_env!r}")
            self.api_key = env.get(api_key_env) or None
            if self.api_key is None:
                raise ValueError(
                    f"api_key_env: the environment variable {api_key_env} is not set; it must "
                    "hold the API key (a local server without keys needs none)"
                )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.endpoint = endpoint
        self.url = self.base_url + ("/completions" if endpoint == "completions"
                                    else "/chat/completions")
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()

    def settings(self) -> dict[str, Any]:
        """What decides the answers (must match when a result file is resumed)."""
        return {"base_url": self.base_url, "endpoint": self.endpoint,
                "max_tokens": self.max_tokens, "temperature": 0}

    def _count(self, key: str, k: int = 1) -> None:
        with self._lock:
            self.stats[key] += k

    def payload(self, prompt: str) -> dict[str, Any]:
        """The request body for ``prompt``."""
        body: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens,
                                "temperature": 0, "top_p": 1, "n": 1, "stop": ["\n"]}
        if self.endpoint == "completions":
            body["prompt"] = prompt
        else:
            body["messages"] = [{"role": "user", "content": prompt}]
        return body

    def _text(self, body: bytes) -> str:
        """The answer text of a 200 body; ``ValueError`` if the body is not a completion."""
        try:
            data = json.loads(body)
            choice = data["choices"][0]
            text = choice["text"] if self.endpoint == "completions" else (
                choice["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise ValueError(f"not a completion ({type(e).__name__}): {body[:80]!r}") from None
        if not isinstance(text, str):
            raise ValueError(f"not a completion (text is {type(text).__name__})")
        return text

    def _wait(self, retry: int, retry_after: str | None) -> float:
        delay = self.backoff * 2 ** (retry - 1)
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                pass  # an HTTP date or garbage: the exponential delay
        return min(self.max_backoff, max(0.0, delay))

    def answer(self, prompt: str) -> Answer:
        """One query, with retries (module docstring). Raises only
        :class:`~models.prompting.backend.BudgetExhausted` and
        :class:`~models.prompting.backend.FatalBackendError`."""
        data = json.dumps(self.payload(prompt)).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key}"
        t0 = time.perf_counter()
        attempts = 0
        while True:
            self.budget.take()  # BudgetExhausted stops the evaluation
            attempts += 1
            self._count("requests")
            if attempts > 1:
                self._count("retries")
            retry_after = None
            request = urllib.request.Request(self.url, data=data, headers=headers,
                                             method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                try:
                    text = self._text(body)
                except ValueError as e:
                    self._count("malformed")
                    error = f"malformed response: {e}"
                else:
                    self._count("answered")
                    return Answer(text, attempts, time.perf_counter() - t0)
            except urllib.error.HTTPError as e:
                status = e.code
                snippet = e.read(200) if e.fp is not None else b""
                self._count(f"http_{status}")
                error = f"HTTP {status}: {snippet[:120]!r}"
                if status in FATAL_STATUS:
                    raise FatalBackendError(f"{self.url} answered {error}") from None
                if status not in RETRIED_STATUS and status < 500:
                    self._count("failed")
                    return Answer(None, attempts, time.perf_counter() - t0, error=error)
                retry_after = e.headers.get("Retry-After") if e.headers else None
            except TimeoutError:
                self._count("timeouts")
                error = f"timeout after {self.timeout:g} s"
            except urllib.error.URLError as e:
                if isinstance(e.reason, TimeoutError):
                    self._count("timeouts")
                    error = f"timeout after {self.timeout:g} s"
                else:
                    self._count("connection_errors")
                    error = f"connection: {e.reason}"
            except (OSError, http.client.HTTPException, ValueError) as e:
                self._count("connection_errors")
                error = f"connection: {type(e).__name__}: {e}"
            if attempts > self.retries:
                self._count("failed")
                return Answer(None, attempts, time.perf_counter() - t0, error=error)
            time.sleep(self._wait(attempts, retry_after))


__all__ = ["ENDPOINTS", "OpenAIBackend", "BudgetExhausted", "FatalBackendError", "is_loopback"]
