"""Result files of direct prompting: JSON lines, appended and fsynced one query at a time, so
that an interrupted evaluation resumes without asking any answered query again.

Line 1, the header: ``{"format": "boolicl-llm-results/1", "config": {...}}`` — everything that
decides the prompts and the answers (task, n, points, prompts, seed, task parameters, input
distribution, query spacing, prompt format and instruction hash, backend, model and its
decoding settings). Resuming with any field different is refused, naming the field.

Then one line per query outcome:

- an answer: ``{"prompt": b, "position": i, "raw": "...", "answer": 0 | 1 | null,
  "label": y, "attempts": a, "latency": s}`` (``answer`` is ``null`` for an invalid answer;
  backends may add fields, e.g. ``loglik``);
- a failure: ``{"prompt": b, "position": i, "error": "...", "attempts": a,
  "latency": s}`` — kept for the report; a failed query is asked again on resume.

A kill loses at most the queries in flight: each line is written whole, flushed and fsynced.
A last line cut short by a kill (no final newline, or not JSON) is dropped when the file is
opened again; a bad line anywhere else is an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

RESULTS_FORMAT = "boolicl-llm-results/1"


def _describe(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class ResultFile:
    """An open result file (module docstring): :attr:`answers` and :attr:`failures` read from
    it, :meth:`append` for new lines."""

    def __init__(self, path: Path, config: dict[str, Any]) -> None:
        self.path = Path(path)
        self.config = json.loads(json.dumps(config))  # as it reads back
        self.answers: dict[tuple[int, int], dict[str, Any]] = {}
        self.failures: list[dict[str, Any]] = []
        self._file: IO[str] | None = None

    @classmethod
    def open(cls, path: str | Path, config: dict[str, Any]) -> ResultFile:
        """Open ``path`` for ``config``: create it with its header, or read it back (refusing a
        header of another config) and append after its last whole line."""
        self = cls(Path(path), config)
        if self.path.is_dir():
            raise ValueError(f"results_file {self.path} is a folder, not a file")
        if self.path.exists() and self.path.stat().st_size > 0:
            self._read()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8")
            self._write({"format": RESULTS_FORMAT, "config": self.config})
        return self

    def _read(self) -> None:
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")
        keep = len(raw)
        if lines[-1] != b"":  # the last line was cut short: drop it
            keep -= len(lines[-1])
            lines = lines[:-1]
        else:
            lines = lines[:-1]
        records = []
        for k, line in enumerate(lines):
            try:
                records.append(json.loads(line))
            except ValueError:
                if k == len(lines) - 1 and k > 0:  # a torn last line that happens to end in \n
                    keep -= len(line) + 1
                    break
                raise ValueError(
                    f"results_file {self.path}: line {k + 1} is not JSON; not a result file "
                    "of this program, or damaged"
                ) from None
        if not records or not isinstance(records[0], dict) or (
            records[0].get("format") != RESULTS_FORMAT
        ):
            raise ValueError(
                f"results_file {self.path}: no header of format {RESULTS_FORMAT!r}; not a "
                "result file of direct prompting"
            )
        self.check_config(records[0].get("config"))
        for k, rec in enumerate(records[1:], start=2):
            try:
                key = (int(rec["prompt"]), int(rec["position"]))
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"results_file {self.path}: line {k} has no prompt and "
                                 "position") from None
            if "error" in rec:
                self.failures.append(rec)
            elif "raw" in rec:
                self.answers.setdefault(key, rec)
            else:
                raise ValueError(f"results_file {self.path}: line {k} is neither an answer "
                                 "nor a failure")
        if keep < len(raw):
            with self.path.open("r+b") as f:
                f.truncate(keep)
                f.flush()
                os.fsync(f.fileno())
        self._file = self.path.open("a", encoding="utf-8")

    def check_config(self, theirs: Any) -> None:
        """``ValueError`` naming the first field where the file's config differs from ours."""
        if not isinstance(theirs, dict):
            raise ValueError(f"results_file {self.path}: its header holds no config")
        for key in sorted(set(theirs) | set(self.config)):
            if theirs.get(key) != self.config.get(key):
                raise ValueError(
                    f"results_file {self.path} was written for other settings: field {key!r} "
                    f"is {_describe(theirs.get(key))} there and {_describe(self.config.get(key))}"
                    " here (choose another file, or the same settings to resume)"
                )

    def _write(self, record: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def append(self, record: dict[str, Any]) -> None:
        """Append one answer or failure line, durably."""
        self._write(record)
        if "error" in record:
            self.failures.append(record)
        else:
            self.answers.setdefault((record["prompt"], record["position"]), record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ResultFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
