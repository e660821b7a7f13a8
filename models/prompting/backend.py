"""What every prompting backend returns, and the request budget they share.

A backend has ``name`` and ``model`` (for the result file), ``concurrency`` (how many queries
the evaluation may have in flight at once), ``settings()`` (what must match on resume) and
``answer(prompt) -> Answer``. ``answer`` never raises for a failed query: it returns an
:class:`Answer` with ``error`` set (counted and reported), except :class:`BudgetExhausted`
(no request left) and :class:`FatalBackendError` (an answer that says no later request can
succeed: a rejected key, an unknown model), which stop the evaluation cleanly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

BACKENDS = ("hf", "openai")
"""The backends by name: ``hf`` (:class:`models.prompting.hf.HFBackend`), ``openai``
(:class:`models.prompting.openai_http.OpenAIBackend`)."""


@dataclass
class Answer:
    """One query's outcome: the raw answer ``text`` (``None`` when it failed), the requests it
    took (``attempts``: 1 + retries), its wall time in seconds, ``error`` (why it failed, or
    why attempts were retried) and backend-specific ``extra`` (e.g. log-likelihoods)."""

    text: str | None
    attempts: int = 1
    latency: float = 0.0
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class BudgetExhausted(Exception):
    """No request is left in the budget: the evaluation stops with what it has."""


class FatalBackendError(Exception):
    """The backend cannot answer any query (e.g. HTTP 401 or 404): the evaluation stops."""


class Backend(Protocol):
    name: str
    model: str
    concurrency: int

    def settings(self) -> dict[str, Any]: ...

    def answer(self, prompt: str) -> Answer: ...


class RequestBudget:
    """At most ``limit`` requests (``None``: no limit), shared by threads: :meth:`take`
    counts one request or raises :class:`BudgetExhausted`."""

    def __init__(self, limit: int | None) -> None:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit < 1):
            raise ValueError(f"max_requests must be an integer >= 1 or None, got {limit!r}")
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                raise BudgetExhausted(f"the budget of {self.limit} requests is spent")
            self.used += 1
